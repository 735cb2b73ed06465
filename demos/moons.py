"""Two moons: micrograd's demo -- an MLP(2, [16, 16, 1]) with relu units separates two
interleaved half circles, trained with a hinge loss plus L2 regularisation."""

from __future__ import annotations

import random
from collections.abc import Sequence

from autograd_mini import Value, gc_paused
from autograd_mini.core.language import _
from autograd_mini.core.sums import sum as value_sum
from autograd_mini.datasets import two_moons
from autograd_mini.demos.common import output_folder, parser, progress, pyplot, save_figure
from autograd_mini.losses import hinge
from autograd_mini.nn import MLP

ALPHA = 1e-4  # weight of the L2 penalty, as in micrograd's demo


def loss_and_accuracy(model: MLP, points, labels) -> tuple[Value, float]:
    """micrograd's demo loss: mean hinge loss + 1e-4 · Σ w²."""
    scores = [model(p) for p in points]
    data_loss = hinge(scores, labels)
    reg_loss = ALPHA * value_sum([p * p for p in model.parameters()])
    right = sum((s.data > 0) == (y > 0) for s, y in zip(scores, labels))
    return data_loss + reg_loss, right / len(labels)


def train(seed: int, steps: int, points, labels, show_progress: bool = False):
    model = MLP(2, [16, 16, 1], rng=random.Random(seed))  # relu hidden, linear output
    history = []
    for k in progress(range(steps), show_progress, desc="moons"):
        with gc_paused():
            loss, acc = loss_and_accuracy(model, points, labels)
            model.zero_grad()
            loss.backward()
            learning_rate = 1.0 - 0.9 * k / steps  # micrograd's decaying step size
            for p in model.parameters():
                p.data -= learning_rate * p.grad
        history.append((loss.data, acc))
    return model, history


def main(argv: Sequence[str] | None = None) -> int:
    p = parser("moons")
    p.add_argument("--steps", type=int, default=100, help=_("training steps (default 100)"))
    args = p.parse_args(argv)
    points, labels = two_moons(100, noise=0.1, seed=args.seed)
    steps = 15 if args.quick else args.steps
    model, history = train(args.seed, steps, points, labels, not args.no_progress)
    print(_("after {steps} steps: loss {loss:.4f}, accuracy {accuracy:.0%}", steps=steps,
            loss=history[-1][0], accuracy=history[-1][1]))
    plt = pyplot()
    from autograd_mini.viz.plots import decision_boundary, loss_curve

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    decision_boundary(left, lambda x, y: model([x, y]).data, points, labels,
                      steps=25 if args.quick else 60,
                      title=_("MLP(2, [16, 16, 1]): accuracy {accuracy:.0%}",
                              accuracy=history[-1][1]))
    loss_curve(right, [h[0] for h in history], title=_("hinge loss + L2"), ylabel=_("loss"))
    right.set_xlabel(_("step"))
    print(_("figure: {path}", path=save_figure(fig, output_folder(args), "moons.png")))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
