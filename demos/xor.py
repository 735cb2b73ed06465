"""XOR with a 2-2-1 sigmoid network: the smallest problem that needs a hidden layer.

No single unit can compute exclusive or; two hidden units can, typically one learning
OR and the other AND (or NAND), which the output then combines.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from autograd_mini import gc_paused
from autograd_mini.core.language import N_, _, ngettext
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
from autograd_mini.optim import SGD

# The boolean function a hidden unit computes, read off its on/off pattern over the
# inputs (0,0), (0,1), (1,0), (1,1).
FUNCTIONS = {(0, 1, 1, 1): "OR", (0, 0, 0, 1): "AND", (1, 1, 1, 0): "NAND",
             (1, 0, 0, 0): "NOR", (0, 1, 1, 0): "XOR", (1, 0, 0, 1): "XNOR",
             (0, 1, 0, 1): "x2", (0, 0, 1, 1): "x1", (1, 0, 1, 0): "NOT x2",
             (1, 1, 0, 0): "NOT x1", (0, 0, 1, 0): "x1 AND NOT x2",
             (0, 1, 0, 0): "x2 AND NOT x1", (1, 0, 1, 1): "x1 OR NOT x2",
             (1, 1, 0, 1): "x2 OR NOT x1", (0, 0, 0, 0): N_("always off"),
             (1, 1, 1, 1): N_("always on")}


def train(seed: int, max_sweeps: int = 10_000, lr: float = 0.5, momentum: float = 0.9,
          show_progress: bool = False):
    """Batch training until all four patterns are right; returns (model, losses, sweeps)."""
    inputs, targets = xor()
    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
                init="paper", scale=1.0, rng=random.Random(seed))
    optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for sweep in progress(range(max_sweeps), show_progress, desc="xor"):
        with gc_paused():
            outputs = [model(x) for x in inputs]
            error = sum_squared_error(outputs, targets)
            losses.append(error.data)
            if all((y.data > 0.5) == (t == 1.0) for y, t in zip(outputs, targets)) \
                    and error.data < 0.05:
                return model, losses, sweep
            optimizer.zero_grad()
            error.backward()
            optimizer.step()
    return model, losses, None


def hidden_roles(model: MLP) -> list[tuple[list[float], str]]:
    """Each hidden unit's activation on the four patterns, and what it computes."""
    inputs, _targets = xor()
    roles = []
    for neuron in model.layers[0].neurons:
        acts = [neuron(x).data for x in inputs]
        roles.append((acts, _(FUNCTIONS[tuple(int(a > 0.5) for a in acts)])))
    return roles


def main(argv: Sequence[str] | None = None) -> int:
    args = parser("xor").parse_args(argv)
    model, losses, sweeps = train(args.seed, 2_000 if args.quick else 10_000,
                                  show_progress=not args.no_progress)
    inputs, targets = xor()
    if sweeps is not None:
        print(ngettext("solved after {count} sweep (error {error:.4f})",
                       "solved after {count} sweeps (error {error:.4f})", sweeps,
                       error=losses[-1]))
    else:
        print(ngettext("not solved in {count} sweep (error {error:.4f})",
                       "not solved in {count} sweeps (error {error:.4f})", len(losses),
                       error=losses[-1]))
    target, output = widths([_("target"), _("output")], [7, 7])
    print(f"{'x1':>3} {'x2':>3} {right(_('target'), target)} {right(_('output'), output)}   "
          + _("hidden units"))
    roles = hidden_roles(model)
    for k, (x, t) in enumerate(zip(inputs, targets)):
        hidden = "  ".join(f"{acts[k]:.2f}" for acts, _name in roles)
        print(f"{x[0]:>3.0f} {x[1]:>3.0f} {t:>{target}.0f} {model(x).data:>{output}.3f}   "
              f"{hidden}")
    for k, (_acts, name) in enumerate(roles, 1):
        print(_("hidden unit {unit} computes {function}", unit=k, function=name))
    plt = pyplot()
    from autograd_mini.viz.plots import loss_curve

    fig, ax = plt.subplots(figsize=(5, 3.4))
    loss_curve(ax, losses, title=_("XOR: error E per sweep"))
    print(_("figure: {path}", path=save_figure(fig, output_folder(args), "xor.png")))
    return 0 if sweeps is not None else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
