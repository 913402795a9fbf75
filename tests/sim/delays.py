"""AWS's unpublished timings, read from their one declaration,
src/patterns/unpublished_delays.def, which the recovery-time budget counts
too (src/patterns/dr_kit_budget.cpp): the simulator and the budget run on the
same assumptions.  Each value is a worst case the team assumes where no AWS
page gives a figure (the page is named beside it in the file).
"""

import os
import re

DEF_FILE = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "src", "patterns",
                                         "unpublished_delays.def"))
_LINE = re.compile(r'^DRSYNTH_UNPUBLISHED_DELAY\((\w+), (\d+(?:\.\d+)?), "((?:[^"\\]|\\.)*)", "([^"]*)"\)$')


def read(path=DEF_FILE):
    """{name: (seconds, what, source)} of every entry; a line that starts the macro but does not parse raises."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line.startswith("DRSYNTH_UNPUBLISHED_DELAY("):
                continue
            m = _LINE.match(line)
            if not m:
                raise ValueError(f"{path}:{number}: not one DRSYNTH_UNPUBLISHED_DELAY(name, seconds, \"what\", "
                                 f"\"source\") entry: {line}")
            out[m.group(1)] = (float(m.group(2)), m.group(3), m.group(4))
    return out


DELAYS = read()


def seconds(name):
    return DELAYS[name][0]
