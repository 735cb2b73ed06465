"""Before/after: the same workloads on two checkouts of autograd_mini, interleaved.

    python benchmarks/compare.py OLD_CHECKOUT [NEW_CHECKOUT] [--rounds 5]

Each round runs every workload once per checkout, each in a fresh process that imports
that checkout's own ``benchmarks/run.py``, alternating old and new so that both see the
same machine load (the short workloads take the fastest of a few runs in that process).
Prints the median over the rounds of each workload and the ratio new / old.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

# workload name -> code run in the child (``run`` is that checkout's benchmarks/run.py)
WORKLOADS = {
    "MLP training step (ms)": "f = run.step_ours(); f(); t = best(f, 10) * 1e3",
    "chain 10^5, forward + backward (s)": "t = timed(run.chain('ours', 100_000))",
    "chain 10^6, forward + backward (s)": "t = timed(run.chain('ours', 1_000_000))",
    "bytes per node": "t = run.bytes_per_node('ours')",
    "family-trees sweep (ms)": "f = run.family_sweep(False); f(); t = best(f, 5) * 1e3",
    "anomaly mode / the normal step (ratio)":
        "f = run.step_ours_gc_paused(); g = run.step_ours_anomaly(); f(); g(); "
        "t = best(g, 5) / best(f, 5)",
    # micrograd's demo step (its closures make reference cycles) runs before each of ours,
    # so our step is timed while the process holds another library's cyclic garbage
    "MLP step beside micrograd (ms)":
        "g = run.step_micrograd(); f = run.step_ours(); g(); f(); "
        "t = min(after(g, f) for _ in range(10)) * 1e3",
}

CHILD = """
import json, sys, time, importlib.util
spec = importlib.util.spec_from_file_location("run", {path!r})
run = importlib.util.module_from_spec(spec); spec.loader.exec_module(run)
def timed(f):
    start = time.perf_counter(); f(); return time.perf_counter() - start
def best(f, times):  # the fastest of a few runs: the least disturbed by the machine
    return min(timed(f) for _ in range(times))
def after(other, f):  # f's time, run right after other
    other(); return timed(f)
{code}
print(json.dumps(t))
"""


def measure(checkout: Path, code: str) -> float:
    child = CHILD.format(path=str(checkout / "benchmarks" / "run.py"), code=code)
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True,
                            cwd=checkout, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path, nargs="?", default=HERE)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    samples = {name: {"old": [], "new": []} for name in WORKLOADS}
    for _ in range(args.rounds):
        for name, code in WORKLOADS.items():
            for side in ("old", "new"):
                samples[name][side].append(measure(getattr(args, side), code))
    print(f"| workload ({args.rounds} rounds, medians) | before | after | after / before |")
    print("|---|---:|---:|---:|")
    for name, s in samples.items():
        old, new = statistics.median(s["old"]), statistics.median(s["new"])
        print(f"| {name} | {old:.4g} | {new:.4g} | {new / old:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
