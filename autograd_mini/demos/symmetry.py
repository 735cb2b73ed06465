"""Symmetry detection (Rumelhart, Hinton & Williams 1986, Fig. 1).

Six binary inputs, two hidden sigmoid units, one sigmoid output that must be on exactly
when the pattern is a mirror image about its centre.  All 64 patterns, one batch update
per sweep with ε = 0.1 and α = 0.9, weights starting uniform in [-0.3, 0.3].

The paper's solution: each hidden unit's weights mirror each other about the centre
with opposite signs, their magnitudes in the ratio 1:2:4, so a symmetric pattern
sums to zero and only an asymmetric one moves the hidden units.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..datasets import symmetry
from ..engine import gc_paused
from ..losses import sum_squared_error
from ..nn import MLP
from ..optim import SGD
from .common import output_folder, parser, progress, pyplot, save_figure

LEARNING_RATE, MOMENTUM, INIT_RANGE = 0.1, 0.9, 0.3


@dataclass
class Run:
    seed: int
    model: MLP
    sweeps: int | None  # sweeps until every pattern was on the right side of 0.5
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0


def make_model(seed: int) -> MLP:
    return MLP(6, [2, 1], activation="sigmoid", output_activation="sigmoid",
               init="paper", scale=INIT_RANGE, rng=random.Random(seed))


def train(seed: int, max_sweeps: int, show_progress: bool = False) -> Run:
    """Batch gradient descent with momentum until all 64 patterns are right."""
    patterns, targets = symmetry(6)
    model = make_model(seed)
    optimizer = SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    run = Run(seed, model, None)
    start = time.perf_counter()
    for sweep in progress(range(1, max_sweeps + 1), show_progress, desc=f"seed {seed}",
                          leave=False):
        with gc_paused():
            outputs = [model(p) for p in patterns]
            error = sum_squared_error(outputs, targets)
            run.losses.append(error.data)
            if all((y.data > 0.5) == (d == 1.0) for y, d in zip(outputs, targets)):
                run.sweeps = sweep - 1  # solved before this sweep's update
                break
            optimizer.zero_grad()
            error.backward()
            optimizer.step()
    run.seconds = time.perf_counter() - start
    return run


def mirror_structure(model: MLP) -> list[dict]:
    """For each hidden unit: are its weights mirrored with opposite signs, and in what
    ratio do the three pairs' magnitudes stand, smallest first (the paper: 1:2:4)?"""
    report = []
    for neuron in model.layers[0].neurons:
        w = [p.data for p in neuron.w]
        pairs = [(w[i], w[5 - i]) for i in (2, 1, 0)]  # innermost pair first
        opposite = all(a * b < 0 and abs(abs(a) - abs(b)) < 0.25 * max(abs(a), abs(b))
                       for a, b in pairs)
        # Which pair carries which size is the net's choice; the ratios are the point.
        sizes = sorted((abs(a) + abs(b)) / 2 for a, b in pairs)
        ratio = [s / sizes[0] for s in sizes]
        doubling = all(1.4 <= ratio[k + 1] / ratio[k] <= 2.8 for k in range(2))
        report.append({"weights": w, "opposite": opposite, "ratio": ratio, "doubling": doubling})
    return report


def draw(run: Run, folder):
    plt = pyplot()
    from ..viz.plots import hinton, loss_curve

    hidden = run.model.layers[0].neurons
    out = run.model.layers[1].neurons[0]
    fig = plt.figure(figsize=(12, 3.6), layout="constrained")
    grid = fig.add_gridspec(1, 3, width_ratios=[1, 1, 1.3])
    for k, neuron in enumerate(hidden):
        ax = fig.add_subplot(grid[0, k])
        inputs = [p.data for p in neuron.w]
        # Like the paper: the input weights in a row; above them, at the ends, the
        # weight to the output unit (left) and the bias (right).
        top = [out.w[k].data, 0.0, 0.0, 0.0, 0.0, neuron.b.data]
        hinton(ax, [top, inputs], title=f"hidden unit {k + 1}",
               row_labels=["to output, bias" if k == 0 else "", "from inputs" if k == 0 else ""],
               col_labels=[f"x{i + 1}" for i in range(6)])
    loss_curve(fig.add_subplot(grid[0, 2]), run.losses,
               title=f"error E, seed {run.seed}: solved after {run.sweeps} sweeps")
    fig.suptitle("Symmetry detection: the learnt weights (white +, black −, area ∝ |w|)")
    return save_figure(fig, folder, "symmetry.png")


def main(argv: Sequence[str] | None = None) -> int:
    p = parser("symmetry", __doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10, help="how many seeds to train (default 10)")
    p.add_argument("--max-sweeps", type=int, default=10_000, help="give up after this many")
    args = p.parse_args(argv)
    seeds = range(args.seed, args.seed + (2 if args.quick else args.seeds))
    max_sweeps = 300 if args.quick else args.max_sweeps
    runs = [train(s, max_sweeps, not args.no_progress)
            for s in progress(seeds, not args.no_progress, desc="seeds")]
    print(f"{'seed':>5} {'sweeps to solve':>16} {'seconds':>8} {'s/1000 sweeps':>14}")
    for r in runs:
        done = f"{r.sweeps:,}" if r.sweeps is not None else f"> {max_sweeps:,}"
        print(f"{r.seed:>5} {done:>16} {r.seconds:8.1f} "
              f"{1000 * r.seconds / max(len(r.losses), 1):14.2f}")
    solved = [r for r in runs if r.sweeps is not None]
    if solved:
        counts = [r.sweeps for r in solved]
        print(f"solved {len(solved)} of {len(runs)} seeds; sweeps to solve: median "
              f"{statistics.median(counts):,.0f}, range {min(counts):,} to {max(counts):,} "
              f"(the paper's run: 1,425)")
    best = min(solved, key=lambda r: r.sweeps) if solved else runs[0]
    for k, unit in enumerate(mirror_structure(best.model), 1):
        w = ", ".join(f"{x:+.2f}" for x in unit["weights"])
        ratio = ":".join(f"{x:.1f}" for x in unit["ratio"])
        print(f"hidden unit {k} (seed {best.seed}): weights [{w}]; mirrored with opposite "
              f"signs: {'yes' if unit['opposite'] else 'no'}; pair sizes {ratio} "
              f"(1:2:4 {'yes' if unit['doubling'] else 'no'})")
    print(f"figure: {draw(best, output_folder(args))}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
