"""Prints the scenario table of docs/dr-design.md from one run of every
scenario on the synthesized default templates, and with --write-doc puts it
between the markers in the document:
``python3 tests/sim/scenario_table.py [--write-doc] [-v]`` (DRSYNTH_BIN names
the binary; -v prints each scenario's events and decisions)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sim import scenarios, template_settings  # noqa: E402


def main():
    settings = template_settings.synthesized_settings()
    reports = scenarios.run_all(settings)
    text = scenarios.table(reports)
    print(text)
    if "--write-doc" in sys.argv:
        doc = os.path.join(template_settings.REPO, "docs", "dr-design.md")
        with open(doc) as f:
            content = f.read()
        begin = content.index("<!-- scenarios:begin")
        begin = content.index("\n", begin) + 1
        end = content.index("<!-- scenarios:end -->")
        with open(doc, "w") as f:
            f.write(content[:begin] + text + "\n" + content[end:])
    if "-v" in sys.argv:
        for r in reports:
            print(f"\n## {r.name}")
            for t, text in r.log:
                print(f"  t={t:+}s {text}")
            for t, label, decision in r.decisions:
                print(f"  t={t:+}s {label}: {decision}")
    return 1 if any(r.split_brain for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
