"""Measuring: run workloads interleaved and keep every time."""

from __future__ import annotations

import gc
import time

from workloads import Failed


def measure(runners: dict, repeats: int) -> dict:
    """Interleave the runners ``repeats`` times, each after a full collection, so that
    every library sees the same machine load; returns name -> (times in seconds, nodes),
    or the ``Failed`` a runner raised."""
    results = {name: ([], 0) for name in runners}
    for _ in range(repeats):
        for name, run in runners.items():
            if isinstance(results[name], Failed):
                continue
            gc.collect()
            start = time.perf_counter()
            try:
                nodes = run()
            except Failed as failure:
                results[name] = failure
                continue
            results[name][0].append(time.perf_counter() - start)
            results[name] = (results[name][0], nodes)
    return results
