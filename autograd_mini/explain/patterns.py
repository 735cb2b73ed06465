"""Two patterns of backprop, measured on the engine: softmax with cross-entropy gives
p − t, and one reverse sweep costs about what one forward-mode sweep costs.

**p − t.**  The op table has no softmax: ``losses.softmax_cross_entropy`` composes it of
table ops (exp, sum, log, sub).  Its gradient, swept through those nodes, is
``∂L/∂z_k = p_k − t_k`` with ``p = softmax(z)`` and ``t`` the one-hot target:
:func:`softmax_cross_entropy_gradients` puts the two side by side.

**The cost claim.**  Backprop gives ∂E/∂w for *every* weight in one backward sweep, whose
work is one chain-rule product per edge of the graph -- about the forward pass's.
Forward mode (``jvp``) pushes one tangent per sweep: one input's derivative for the same
work, so the gradient of P weights takes P sweeps.  :func:`count_reverse` counts the
products the engine's reverse loop makes (its listener hears each one);
:func:`count_forward` counts those of one forward-mode sweep (each tangent a number
that counts its multiplications).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.engine import Value, backward_pass, local_derivatives, topological_order
from ..core.transforms import forward_sweep
from ..losses import softmax_cross_entropy, sum_squared_error
from ..nn import MLP

__all__ = ["softmax_cross_entropy_gradients", "count_reverse", "count_forward", "CostRow",
           "cost_table"]


def softmax_cross_entropy_gradients(logits: Sequence[float], target: int
                                    ) -> list[tuple[float, float]]:
    """For each logit z_k: (the engine's ∂L/∂z_k through the composed loss, p_k − t_k)."""
    zs = [Value(z, f"z{k}") for k, z in enumerate(logits, 1)]
    loss = softmax_cross_entropy(zs, target)
    grads = backward_pass(topological_order(loss), {loss: 1.0}, local_derivatives)
    top = max(logits)
    exps = [math.exp(z - top) for z in logits]
    p = [e / sum(exps) for e in exps]
    return [(grads[z], p_k - (k == target)) for k, (z, p_k) in enumerate(zip(zs, p))]


def count_reverse(output: Value) -> int:
    """How many chain-rule products one reverse sweep of ``output`` makes (it gives the
    derivative with respect to every input at once)."""
    heard = 0

    def listen(*_):
        nonlocal heard
        heard += 1

    backward_pass(topological_order(output), {output: 1.0}, local_derivatives, listen)
    return heard


class _Counted(float):
    """A tangent that counts the multiplications made with it, and hands its ``tally``
    (a one-item list shared by one sweep's tangents) on to what it makes."""

    def __new__(cls, value: float, tally: list[int]) -> _Counted:
        made = super().__new__(cls, value)
        made.tally = tally
        return made

    def __rmul__(self, other: float) -> _Counted:
        self.tally[0] += 1
        return _Counted(float(other) * float(self), self.tally)

    __mul__ = __rmul__

    def __add__(self, other: float) -> _Counted:
        return _Counted(float(self) + float(other), self.tally)

    __radd__ = __add__


def count_forward(output: Value, along: Value) -> int:
    """How many products one forward-mode sweep makes: the tangent of every node when
    ``along`` moves (one input's derivative).  Every input gets a tangent (0 or 1), so
    that each product forward mode makes is counted."""
    order = topological_order(output)
    leaves = [n for n in order if not n.parents and not n.is_constant]
    tally = [0]
    forward_sweep([output], {leaf: _Counted(leaf is along, tally) for leaf in leaves})
    return tally[0]


@dataclass(frozen=True)
class CostRow:
    """One network: its weights P, the products of one reverse sweep (all P
    derivatives), of one forward-mode sweep (one derivative) and of P of them."""

    width: int
    parameters: int
    reverse: int
    forward_one: int

    @property
    def forward_all(self) -> int:
        return self.forward_one * self.parameters


def cost_table(widths: Sequence[int] = (2, 4, 8, 16), nin: int = 2, seed: int = 0
               ) -> list[CostRow]:
    """:class:`CostRow` for networks ``MLP(nin, [w, w, 1])`` of growing width w, each on
    one case with the loss ``E = ½ (y − d)²``."""
    rows = []
    for width in widths:
        net = MLP(nin, [width, width, 1], activation="tanh", rng=random.Random(seed))
        loss = sum_squared_error(net([0.5] * nin), 1.0)
        params = net.parameters()
        rows.append(CostRow(width, len(params), count_reverse(loss),
                            count_forward(loss, params[0])))
    return rows
