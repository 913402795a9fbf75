"""Prints the scenario table of both engines, and with --write-doc puts it
between the markers in docs/dr-design.md (the test
``test_the_table_in_the_design_document_is_current`` fails when it is stale):

    python3 tests/sim/scenario_table.py [--write-doc] [--fixture] [-v] [-k TEXT] [-j JOBS]

``--fixture`` runs on the hand-written templates (tests/sim/fixture.py)
instead of ``drsynth synth`` (DRSYNTH_BIN); ``-k`` keeps the scenarios whose
name contains TEXT; ``-v`` prints each case's events and decisions."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sim import results, runner, scenarios, templates

DOC = os.path.join(templates.REPO, "docs", "dr-design.md")
MARKER = "scenarios"


def _span(content):
    begin = content.index(f"<!-- {MARKER}:begin")
    begin = content.index("\n", begin) + 1
    end = content.index(f"<!-- {MARKER}:end -->")
    return begin, end


def read_doc():
    with open(DOC) as f:
        content = f.read()
    begin, end = _span(content)
    return content[begin:end]


def write_doc(text):
    with open(DOC) as f:
        content = f.read()
    begin, end = _span(content)
    with open(DOC, "w") as f:
        f.write(content[:begin] + text + "\n" + content[end:])


def main(argv):
    source = "fixture" if "--fixture" in argv else os.environ.get(templates.SOURCE_ENV, "synth")
    names = None
    if "-k" in argv:
        text = argv[argv.index("-k") + 1]
        names = [s.name for s in scenarios.SCENARIOS if text in s.name]
    jobs = int(argv[argv.index("-j") + 1]) if "-j" in argv else None
    runs = runner.run(names, source=source, jobs=jobs)
    text = results.table([r for _, _, r in runs])
    print(text)
    if "--write-doc" in argv:
        write_doc(text)
    if "-v" in argv:
        for _, _, r in runs:
            print()
            print(r.explain(last=400))
    return 1 if any(r.split_brain for _, _, r in runs) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
