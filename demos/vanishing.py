"""Vanishing gradients, watched: a 6-layer net learning XOR, sigmoid against tanh and relu.

Each layer's gradient passes back through the layers above it, multiplied on the way by
each one's weights and the slope of its activation.  A sigmoid's slope is at most 1/4,
so six sigmoid layers shrink the first layer's gradient by orders of magnitude and it
hardly learns; tanh (slope up to 1) and relu (slope 1 where on) shrink it far less.
The record of each run (``autograd_mini.watch``) shows it step by step.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Sequence
from pathlib import Path

from autograd_mini import TrainingRecord, gc_paused, watch
from autograd_mini.core.language import _
from autograd_mini.datasets import xor
from autograd_mini.demos.common import (
    output_folder,
    parser,
    progress,
    pyplot,
    right,
    save_figure,
    widths,
)
from autograd_mini.losses import sum_squared_error
from autograd_mini.nn import MLP

ACTIVATIONS = ("sigmoid", "tanh", "relu")
DEPTH, WIDTH, LEARNING_RATE = 6, 4, 0.5


def train(activation: str, seed: int, sweeps: int, show_progress: bool = False
          ) -> TrainingRecord:
    """XOR with one update after each pattern (the paper's other regime), watched."""
    model = MLP(2, [WIDTH] * (DEPTH - 1) + [1], activation=activation,
                output_activation="sigmoid", rng=random.Random(seed))
    patterns, targets = xor()
    record = watch(model, probes=patterns)
    for _sweep in progress(range(sweeps), show_progress, desc=activation, leave=False):
        for x, d in zip(patterns, targets):
            with gc_paused():
                error = sum_squared_error([model(x)], [d])
                model.zero_grad()
                error.backward()
                for p in model.parameters():
                    p.data -= LEARNING_RATE * p.grad
            record.record(error)
    return record


def medians(record: TrainingRecord) -> tuple[float, float]:
    """The first and the last layer's gradient norms, medians over the run."""
    first, *_middle, last = record.layers
    return tuple(statistics.median(record.series("grad_norm", name)[1]) for name in (first, last))


def gap(record: TrainingRecord) -> str:
    """How many times smaller the first layer's gradient is than the last's."""
    first, last = medians(record)
    if first == 0:  # relu units that are off for every pattern pass back nothing
        return _("layer 1 gets none most of the run (dead units)")
    return _("{times:,.0f}× smaller in layer 1", times=last / first)


def draw(records: dict[str, TrainingRecord], folder: Path) -> Path:
    """Each activation's per-layer gradient norms over the run, side by side."""
    plt = pyplot()
    from autograd_mini.viz.chart_matplotlib import draw as draw_chart
    from autograd_mini.viz.watching import gradient_panel

    fig, axes = plt.subplots(1, len(records), figsize=(5 * len(records), 3.8), sharey=True,
                             layout="constrained")
    for ax, (activation, record) in zip(axes, records.items()):
        panel = gradient_panel(record)
        panel.title = f"{activation}: {gap(record)}"
        draw_chart(ax, panel)
    fig.suptitle(_("‖∂E/∂W‖ of each layer of a {depth}-layer net learning XOR, one update "
                   "per pattern", depth=DEPTH))
    return save_figure(fig, folder, "vanishing.png")


def main(argv: Sequence[str] | None = None) -> int:
    args = parser("vanishing").parse_args(argv)
    sweeps = 25 if args.quick else 250
    records = {a: train(a, args.seed, sweeps, not args.no_progress) for a in ACTIVATIONS}
    print(_("{depth}-layer nets of width {width}, XOR, {sweeps} sweeps of 4 per-pattern updates",
            depth=DEPTH, width=WIDTH, sweeps=sweeps))
    print(table(records))
    folder = output_folder(args)
    print(_("figure: {path}", path=draw(records, folder)))
    from autograd_mini.viz.watching import write_run_page

    page = write_run_page(records["sigmoid"], folder / "vanishing_run.html",
                          title=_("A {depth}-layer sigmoid net learning XOR", depth=DEPTH))
    print(_("page: {path}", path=page))
    return 0


def table(records: dict[str, TrainingRecord]) -> str:
    """A row an activation: the final error, the first and last layer's gradient norms."""
    headers = [_("activation"), _("final E"), _("‖∂E/∂W‖ layer 1"), _("layer 6")]
    name, error, first_width, last_width = widths(headers, [10, 7, 16, 9])
    rows = ["  ".join(right(h, w) for h, w in zip(headers, (name, error, first_width,
                                                           last_width)))
            + "  " + _("(medians over the run)")]
    for activation, record in records.items():
        first, last = medians(record)
        final = sum(s.loss for s in record.history[-4:])  # the last sweep's four patterns
        rows.append(f"{activation:>{name}}  {final:{error}.3f}  {first:{first_width}.2e}  "
                    f"{last:{last_width}.2e}  {gap(record)}")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
