"""Prints the scenario table of docs/dr-design.md from one run of every
scenario on the synthesized default templates, and with --write-doc puts it
between the markers in the document:
``python3 tests/sim/scenario_table.py [--aurora] [--write-doc] [-v]`` (DRSYNTH_BIN names
the binary; -v prints each scenario's events and decisions; --aurora runs the
Aurora Global Database scenarios instead, with aurora_settings.load()'s settings,
and writes between the aurora-scenarios markers)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sim import template_settings  # noqa: E402


def _write_doc(text, marker):
    doc = os.path.join(template_settings.REPO, "docs", "dr-design.md")
    with open(doc) as f:
        content = f.read()
    begin = content.index(f"<!-- {marker}:begin")
    begin = content.index("\n", begin) + 1
    end = content.index(f"<!-- {marker}:end -->")
    with open(doc, "w") as f:
        f.write(content[:begin] + text + "\n" + content[end:])


def main():
    if "--aurora" in sys.argv:
        from sim import aurora_scenarios
        reports = aurora_scenarios.run_all()
        text, marker = aurora_scenarios.table(reports), "aurora-scenarios"
    else:
        from sim import scenarios
        reports = scenarios.run_all(template_settings.synthesized_settings())
        text, marker = scenarios.table(reports), "scenarios"
    print(text)
    if "--write-doc" in sys.argv:
        _write_doc(text, marker)
    if "-v" in sys.argv:
        for r in reports:
            print(f"\n## {r.name}")
            for t, line in r.log:
                print(f"  t={t:+}s {line}")
            for decision in r.decisions:
                print(f"  t={decision[0]:+}s " + " ".join(str(x) for x in decision[1:]))
    return 1 if any(r.split_brain for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
