"""Backpropagation through time (Rumelhart, Hinton & Williams 1986, Fig. 5).

A recurrent net, run for T steps, is a layered net T layers deep whose layers share
their weights.  Here a small recurrent layer learns to *delay* a bit sequence by one
step (output at time t = input at time t-1); every time step uses the same Values, so
their gradients accumulate over the unrolled steps.  Then the gradient of an error at
the last step is followed back through a long sequence: |∂E/∂h_t| shrinks
geometrically with distance -- the vanishing gradient.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from autograd_mini import Value, gc_paused, grad
from autograd_mini.core.language import _
from autograd_mini.demos.common import output_folder, parser, progress, pyplot, save_figure
from autograd_mini.losses import sum_squared_error
from autograd_mini.nn import Layer, Module, Neuron
from autograd_mini.optim import Adam

HIDDEN = 3


class DelayNet(Module):
    """h_t = tanh(W [x_t, h_(t-1)] + b),  y_t = sigmoid(v · h_t + c)."""

    def __init__(self, hidden: int = HIDDEN, rng: random.Random | None = None) -> None:
        self.step = Layer(1 + hidden, hidden, "tanh", init="xavier", rng=rng)
        self.readout = Neuron(hidden, "sigmoid", init="xavier", rng=rng)
        self.hidden = hidden

    def unroll(self, bits: Sequence[float]) -> tuple[list[Value], list[list[Value]]]:
        """Outputs y_1..y_T and hidden states h_1..h_T for an input sequence."""
        h: list = [0.0] * self.hidden
        outputs, states = [], []
        for x in bits:
            h = self.step([Value(x), *h])  # the same Layer (same weights) every step
            states.append(h)
            outputs.append(self.readout(h))
        return outputs, states

    def __call__(self, bits: Sequence[float]) -> list[Value]:
        return self.unroll(bits)[0]


def sequences(count: int, length: int, rng: random.Random) -> list[list[float]]:
    return [[float(rng.random() < 0.5) for _bit in range(length)] for _row in range(count)]


def delay_error(model: DelayNet, batch: list[list[float]]) -> Value:
    outputs = [model(bits)[1:] for bits in batch]  # no target before the first input
    return sum_squared_error(outputs, [bits[:-1] for bits in batch])


def accuracy(model: DelayNet, batch: list[list[float]]) -> float:
    right = total = 0
    for bits in batch:
        for y, target in zip(model(bits)[1:], bits[:-1]):
            right += (y.data > 0.5) == (target == 1.0)
            total += 1
    return right / total


def gradient_along_time(model: DelayNet, length: int, rng: random.Random) -> list[float]:
    """|∂E/∂h_t| (summed over units) for an error E at the last step only."""
    bits = sequences(1, length, rng)[0]
    outputs, states = model.unroll(bits)
    error = (outputs[-1] - bits[-2]) ** 2
    flat = [h for state in states for h in state]
    grads = grad(error, flat)
    return [sum(abs(g) for g in grads[t * model.hidden:(t + 1) * model.hidden])
            for t in range(length)]


def main(argv: Sequence[str] | None = None) -> int:
    p = parser("bptt")
    p.add_argument("--sweeps", type=int, default=400, help=_("training sweeps (default 400)"))
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    model = DelayNet(rng=rng)
    batch = sequences(8 if args.quick else 16, 10, rng)
    optimizer = Adam(model.parameters(), lr=0.05)
    losses = []
    sweeps = 40 if args.quick else args.sweeps
    for _sweep in progress(range(sweeps), not args.no_progress, desc="bptt"):
        with gc_paused():
            error = delay_error(model, batch)
            optimizer.zero_grad()
            error.backward()  # gradients of the shared weights add up over all steps
            optimizer.step()
        losses.append(error.data)
    test = sequences(50, 10, rng)
    print(_("after {sweeps} sweeps: error {error:.4f}; delayed bits right on new sequences: "
            "{accuracy:.1%}", sweeps=sweeps, error=losses[-1], accuracy=accuracy(model, test)))
    fade = gradient_along_time(model, 40, rng)
    print(_("|∂E/∂h_t| for an error at the last of 40 steps, every 5th step back: {values}",
            values=", ".join(f"t={t + 1}: {fade[t]:.1e}" for t in range(39, -1, -5))))
    plt = pyplot()
    from autograd_mini.viz.plots import loss_curve

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    loss_curve(left, losses, title=_("learning to delay a bit sequence"))
    right.semilogy(range(1, len(fade) + 1), [max(g, 1e-300) for g in fade], "o-", ms=3)
    right.set(title=_("vanishing gradient along the unrolled steps"), xlabel=_("time step t"),
              ylabel=_("|∂E/∂h_t|  (E at the last step)"))
    right.grid(True, alpha=0.3)
    print(_("figure: {path}", path=save_figure(fig, output_folder(args), "bptt.png")))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
