"""Side-by-side speed and memory: autograd_mini against micrograd and PyTorch.

    python benchmarks/run.py            # print the tables
    python benchmarks/run.py --write    # ... and write benchmarks/RESULTS.md

Installs nothing: the peers are used when importable (``pip install micrograd==0.1.0
torch==2.13.0``).  Every workload runs on every library in the same process,
interleaved, at least 5 times; the tables give the median and the minimum, µs per graph
node (each library counted in its own nodes) and the ratio to micrograd's median.

The jobs are in ``workloads.py``, the timing in ``measure.py``, the tables in
``report.py``; this file picks the sections.  ``compare.py`` runs single workloads of
two checkouts through the names this module gives (``step_ours``, ``chain``, ...).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from measure import measure  # noqa: E402
from report import machine, table  # noqa: E402
from workloads import (  # noqa: E402 - compare.py reads step_ours, chain, ... from here
    Failed,
    bytes_per_node,
    chain,
    family_demo_sweep,
    family_sweep,
    mg_engine,
    step_floats,
    step_micrograd,
    step_ours,
    step_ours_anomaly,
    step_ours_compiled,
    step_ours_gc_paused,
    step_ours_micrograd_shape,
    step_small,
    step_torch,
    torch,
    torch_rss_per_node,
    trainer_sweep,
    wide_sum,
)

NAMES = {"ours": "autograd_mini", "micrograd": "micrograd", "torch": "torch"}


def training_step(repeats: int) -> list[str]:
    runners = {"micrograd": step_micrograd} if mg_engine else {}
    if torch:
        runners["torch (0-dim float64)"] = step_torch
    runners.update({"autograd_mini": step_ours, "autograd_mini, gc_paused": step_ours_gc_paused,
                    "autograd_mini on micrograd's graph shape": step_ours_micrograd_shape,
                    "autograd_mini, compiled replay": step_ours_compiled,
                    "plain floats, no graph (floor)": step_floats})
    results = measure({name: make() for name, make in runners.items()}, repeats)
    return table("1. One training step: MLP(2, [16, 16, 1]), 100 two-moons points, hinge + L2",
                 results) + step_ratios(results) + [""]


def step_ratios(results: dict) -> list[str]:
    """The ratios the speed issue names, from the medians of this one run."""
    median = {name: statistics.median(result[0]) for name, result in results.items()
              if not isinstance(result, Failed)}
    ours = median["autograd_mini"]
    lines = [f"- the dynamic step is {ours / median['plain floats, no graph (floor)']:.1f}× "
             f"the plain-float floor"]
    for peer in ("micrograd", "torch (0-dim float64)"):
        if peer in median:
            lines.append(f"- the step: {median[peer] / ours:.1f}× faster than {peer}")
    if "micrograd" in median:
        shaped = median["autograd_mini on micrograd's graph shape"]
        lines.append(f"- on micrograd's graph shape: {median['micrograd'] / shaped:.1f}× "
                     f"faster than micrograd")
    return lines


def chains(repeats: int, quick: bool) -> list[str]:
    rows = []
    for n in [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]:
        libs = ["ours"] + (["micrograd"] if mg_engine else [])
        if torch and n <= 100_000:
            libs.append("torch")
        rows += table(f"2. Deep chain x → x·0.999 + 0.001, {n:,} steps, forward + backward",
                      measure({NAMES[lib]: chain(lib, n) for lib in libs},
                              3 if n >= 1_000_000 else repeats))
    return rows


def wide(repeats: int) -> list[str]:
    libs = ["micrograd"] * bool(mg_engine) + ["torch"] * bool(torch) + ["ours"]
    return table("3. Wide sum of 10^5 products, forward + backward",
                 measure({NAMES[lib]: wide_sum(lib) for lib in libs}, repeats))


def memory() -> list[str]:
    rows = ["### 4. Memory per graph node (chain of 10^5 op nodes)", "",
            "| library | bytes per node | how measured |", "|---|---:|---|",
            f"| autograd_mini | {bytes_per_node('ours'):.0f} | tracemalloc |"]
    if mg_engine:
        rows.append(f"| micrograd | {bytes_per_node('micrograd'):.0f} | tracemalloc |")
    if torch:
        rows.append(f"| torch | {torch_rss_per_node():.0f} | resident memory |")
    return rows + [""]


def family(repeats: int) -> list[str]:
    folded = "autograd_mini, the demo's sweep, folded"
    runners = {"autograd_mini": family_sweep(False),
               "autograd_mini, compiled replay": family_sweep(True, fold=False),
               "autograd_mini, compiled replay, folded": family_sweep(True),
               "autograd_mini, the demo's sweep (104 queries in one graph)":
                   family_demo_sweep(fold=False),
               folded: family_demo_sweep(fold=True)}
    rows = table("5. Family trees: one sweep (100 queries, forward, backward, update)",
                 measure(runners, repeats), baseline="autograd_mini")
    again = measure({name: runners[name] for name in ("autograd_mini", folded)}, 3)
    normal, demo = (statistics.median(again[name][0]) for name in ("autograd_mini", folded))
    return rows + [f"1,500 sweeps ≈ {1500 * normal:.0f} s with the normal API, "
                   f"≈ {1500 * demo:.0f} s with the demo's folded sweep"]


def anomaly(repeats: int) -> list[str]:
    runners = {"autograd_mini, gc_paused": step_ours_gc_paused(),
               "autograd_mini, gc_paused, detect_anomaly()": step_ours_anomaly()}
    return table("6. The cost of anomaly mode: the training step of 1 with every node checked",
                 measure(runners, repeats), baseline="autograd_mini, gc_paused",
                 versus="the normal path")


def record(repeats: int) -> list[str]:
    runners = {"the bare step": step_small(False), "with autograd_mini.watch": step_small(True)}
    return table("7. The cost of the training record: MLP(2, [8, 8, 1]), full batch of 100, "
                 "4 probes", measure(runners, repeats), baseline="the bare step",
                 versus="the bare step")


def session(repeats: int) -> list[str]:
    runners = {"the bare step": step_small(False), "Trainer.step()": trainer_sweep(False),
               "Trainer.step() and its pictures()": trainer_sweep(True)}
    return table("8. A training session's sweep (the live page): MLP(2, [8, 8, 1]), full batch "
                 "of 100", measure(runners, repeats), baseline="the bare step",
                 versus="the bare step")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    parser.add_argument("--quick", action="store_true", help="small sizes, 2 repeats")
    args = parser.parse_args(argv)
    repeats = 2 if args.quick else max(args.repeats, 5)
    out = ["# Benchmark results", "", *machine(),
           f"- command: `python benchmarks/run.py{' --quick' if args.quick else ''}`, "
           f"{repeats} interleaved repetitions", ""]
    sections = [lambda: training_step(repeats), lambda: chains(repeats, args.quick),
                lambda: wide(repeats), memory, lambda: family(repeats),
                lambda: anomaly(repeats), lambda: record(3 * repeats),
                lambda: session(3 * repeats)]
    for section in sections:
        rows = section()
        print("\n".join(rows), flush=True)
        out.extend(rows)
    if args.write:
        (HERE / "RESULTS.md").write_text("\n".join(out) + "\n")
        print("wrote benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
