#!/usr/bin/env python3
"""Checks that the Mermaid diagram in docs/dr-design.md is what
`drsynth graph --format mermaid` prints for the shipped system (so the picture
cannot drift from the code). With --write, replaces it.

  check_docs_graph.py DRSYNTH DOC [--write]

The diagram sits between the lines
  <!-- drsynth graph --format mermaid (generated: tests/tools/check_docs_graph.py --write) -->
  ```mermaid
  ...
  ```
"""
import os
import subprocess
import sys
import tempfile

MARKER = "<!-- drsynth graph --format mermaid (generated: tests/tools/check_docs_graph.py --write) -->"


def main():
    drsynth, doc = os.path.abspath(sys.argv[1]), sys.argv[2]
    write = "--write" in sys.argv[3:]
    with tempfile.TemporaryDirectory() as cwd:  # no drsynth.json of the caller's
        env = {k: v for k, v in os.environ.items() if k not in ("CDK_OUTDIR", "CDK_CONTEXT_JSON")}
        graph = subprocess.run([drsynth, "graph", "--format", "mermaid"], cwd=cwd, env=env, check=True,
                               capture_output=True, text=True).stdout
    with open(doc, encoding="utf-8") as fh:
        text = fh.read()
    start = text.find(MARKER)
    if start < 0:
        sys.exit(f"check_docs_graph: {doc} has no line {MARKER}")
    fence = text.index("```mermaid\n", start)
    end = text.index("```\n", fence + len("```mermaid\n"))
    current = text[fence + len("```mermaid\n"):end]
    if current == graph:
        print(f"check_docs_graph: the diagram in {doc} is up to date")
        return 0
    if write:
        with open(doc, "w", encoding="utf-8") as fh:
            fh.write(text[:fence] + "```mermaid\n" + graph + text[end:])
        print(f"check_docs_graph: rewrote the diagram in {doc}")
        return 0
    sys.stderr.write(f"check_docs_graph: the diagram in {doc} differs from `drsynth graph --format mermaid`:\n"
                     f"--- in the doc\n{current}--- drsynth prints\n{graph}"
                     f"run tests/tools/check_docs_graph.py build/drsynth {doc} --write\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
