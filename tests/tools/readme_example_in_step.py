#!/usr/bin/env python3
"""README.md's "A variant in your own app" code block and examples/readme_example.cpp
(built and run as a test) must hold the same program: the example's first line, a
comment saying where it comes from, is the only difference."""
import re
import sys

root = sys.argv[1]
with open(f"{root}/README.md", encoding="utf-8") as f:
    readme = f.read()
m = re.search(r"## A variant in your own app\s*```cpp\n(.*?)```", readme, re.S)
if not m:
    sys.exit("README.md: no ```cpp block under '## A variant in your own app'")
with open(f"{root}/examples/readme_example.cpp", encoding="utf-8") as f:
    example = f.read()
first, _, rest = example.partition("\n")
if not first.startswith("//"):
    sys.exit("examples/readme_example.cpp: the first line should be the comment naming README.md")
if m.group(1) != rest:
    import difflib
    sys.stdout.writelines(difflib.unified_diff(m.group(1).splitlines(True), rest.splitlines(True),
                                               "README.md", "examples/readme_example.cpp"))
    sys.exit("README.md and examples/readme_example.cpp differ: change both")
print("README.md and examples/readme_example.cpp hold the same program")
