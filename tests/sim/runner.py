"""Runs scenario cases, in parallel processes when asked (each world is independent)."""

import os
from concurrent.futures import ProcessPoolExecutor

from sim import scenarios


def _one(index_source):
    index, source = index_source
    sc, engine = scenarios.cases()[index]
    _, result = sc.run(engine, source)
    return result


def run(names=None, source=None, jobs=None):
    """[(scenario, engine, Result)] of every case (or the named scenarios), in the registry's order."""
    cases = scenarios.cases(names)
    everything = scenarios.cases()
    indexes = [everything.index(c) for c in cases]
    for sc, engine in cases:       # synthesize (or build the fixture) once, before the processes fork
        scenarios.templates_for(engine, sc.witness, source)
    jobs = jobs or int(os.environ.get("DRSYNTH_SIM_JOBS", "2"))
    if jobs <= 1 or len(cases) == 1:
        results = [_one((i, source)) for i in indexes]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_one, [(i, source) for i in indexes]))
    return [(sc, engine, r) for (sc, engine), r in zip(cases, results, strict=True)]
