#!/usr/bin/env python3
"""The layer test: every #include in include/, src/ and tools/ points to the
including file's own layer or to a layer it uses (docs/architecture.md,
"Layers"). Fails naming the file, the include and both layers otherwise, and
for a file that is in no layer (a new folder is given a layer here first).

  check_layers.py ROOT               # check the tree at ROOT
  check_layers.py ROOT --self-test   # the check fails on a copy with one wrong include

The only includes that point up are the producers that implement an
interface the layer above them owns (EXCEPTIONS); docs/architecture.md lists
the same pairs and the layers in the same order, which this test checks too.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SERVICES = ("cloudwatch", "ec2", "events", "iam", "kms", "lambda", "logs", "rds", "route53", "s3", "secrets", "sns",
            "sqs")

# The layers, lowest first: (name, the folders or files that are the layer,
# the other layers it may include). The one place the order is written down.
LAYERS = (
    ("core", ("include/drsynth/core/", "src/core/"), ()),
    ("services", tuple(f"include/drsynth/{s}/" for s in SERVICES) + tuple(f"src/{s}/" for s in SERVICES), ("core",)),
    ("patterns", ("include/drsynth/patterns/", "src/patterns/"), ("core", "services")),
    ("synth", ("include/drsynth/synth/", "src/synth/"), ("core",)),
    ("tools", ("include/drsynth/tools/", "src/tools/", "tools/"), ("core", "services", "patterns", "synth")),
    ("assertions", ("include/drsynth/assertions/", "src/assertions/"), ("core", "synth")),
    ("umbrella", ("include/drsynth/drsynth.hpp",), ("core", "services", "patterns", "synth", "tools", "assertions")),
)

# Producers that include an interface header owned by the layer that consumes
# them: (including file, included header). Each element kind shows the
# engine's safety rules what it holds through SafetyReview, as it writes its
# entry through EntryWriter (which core owns, since every kind writes).
EXCEPTIONS = (
    ("src/core/cfn_output.cpp", "include/drsynth/synth/safety_review.hpp"),
    ("src/core/cfn_resource.cpp", "include/drsynth/synth/safety_review.hpp"),
)

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]', re.M)
SOURCE_EXTENSIONS = (".hpp", ".cpp", ".h", ".hpp.in")


def layer_of(path):
    for name, places, _ in LAYERS:
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in places):
            return name
    return None


def uses(name):
    return next(u for n, _, u in LAYERS if n == name)


def sources(root):
    for top in ("include", "src", "tools"):
        for folder, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith(SOURCE_EXTENSIONS):
                    yield os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/")


def resolve(root, including, delimiter, name):
    """The repository path an include names, or None for a header from elsewhere."""
    if name.startswith("drsynth/"):
        return "include/" + name  # generated ones (drsynth/core/version.hpp) too
    if delimiter == "<":
        return None
    for candidate in (os.path.join(os.path.dirname(including), name), "src/" + name):
        if os.path.isfile(os.path.join(root, candidate)):
            return os.path.normpath(candidate).replace(os.sep, "/")
    return None


def problems(root):
    found = []
    for path in sources(root):
        layer = layer_of(path)
        if layer is None:
            found.append(f"{path}: in no layer (give its folder a layer in tests/tools/check_layers.py "
                         f"and docs/architecture.md)")
            continue
        with open(os.path.join(root, path), encoding="utf-8") as fh:
            text = fh.read()
        for m in INCLUDE.finditer(text):
            target = resolve(root, path, m.group(1), m.group(2))
            if target is None:
                if m.group(1) == '"':
                    found.append(f"{path}: #include \"{m.group(2)}\" names no file of include/ or src/")
                continue
            other = layer_of(target)
            if other is None or other == layer or other in uses(layer) or (path, target) in EXCEPTIONS:
                continue
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{path}:{line}: #include {m.group(1)}{m.group(2)}{'>' if m.group(1) == '<' else chr(34)}"
                         f" points from layer {layer} to layer {other}, which {layer} does not use "
                         f"(it uses: {', '.join(uses(layer)) or 'no other layer'})")
    return found


def doc_problems(root):
    """docs/architecture.md lists the layers in this order and every exception."""
    found = []
    with open(os.path.join(root, "docs", "architecture.md"), encoding="utf-8") as fh:
        doc = fh.read()
    rows = re.findall(r"^\| \*\*(\w+)\*\* \|", doc, re.M)
    names = [n for n, _, _ in LAYERS]
    if rows != names:
        found.append(f"docs/architecture.md: the layer table lists {rows}, tests/tools/check_layers.py {names}")
    for path, header in EXCEPTIONS:
        if not any(f"`{path}`" in line and f"`{header}`" in line for line in doc.splitlines()):
            found.append(f"docs/architecture.md: no line names the exception `{path}` -> `{header}`")
    return found


def self_test(root):
    """A copy of the tree with one include pointing up must fail, naming it."""
    with tempfile.TemporaryDirectory() as tmp:
        for top in ("include", "src", "tools", "docs"):
            shutil.copytree(os.path.join(root, top), os.path.join(tmp, top))
        wrong = os.path.join(tmp, "src", "core", "value.cpp")
        with open(wrong, encoding="utf-8") as fh:
            text = fh.read()
        with open(wrong, "w", encoding="utf-8") as fh:
            fh.write('#include "drsynth/synth/synth.hpp"\n' + text)
        result = subprocess.run([sys.executable, os.path.abspath(__file__), tmp], capture_output=True, text=True)
        expected = ("src/core/value.cpp:1: #include \"drsynth/synth/synth.hpp\" points from layer core to layer synth")
        if result.returncode == 0 or expected not in result.stderr:
            sys.stderr.write(f"check_layers: the check did not fail on a wrong include (exit {result.returncode}):\n"
                             f"{result.stdout}{result.stderr}")
            return 1
    print("check_layers: a wrong include fails the check, naming it")
    return 0


def main():
    root = os.path.abspath(sys.argv[1])
    if "--self-test" in sys.argv[2:]:
        return self_test(root)
    found = problems(root) + doc_problems(root)
    if found:
        sys.stderr.write("".join(p + "\n" for p in found))
        return 1
    print(f"check_layers: {sum(1 for _ in sources(root))} files, every include points to its own layer or one it "
          f"uses ({len(EXCEPTIONS)} consumer-owned interfaces listed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
