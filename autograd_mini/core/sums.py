"""Ops of many inputs, as functions: ``sum(values)`` and ``dot(weights, inputs)``.

Each lifts plain numbers into the graph as constants and makes one node, so a neuron's
``Σ w_i x_i`` is one step of the chain rule rather than a chain of binary adds.
"""

from __future__ import annotations

from collections.abc import Iterable

from .checks import as_float
from .engine import Number, Value, apply, constant
from .language import _

__all__ = ["sum", "dot"]


def sum(values: Iterable[Value | Number]) -> Value:  # shadows builtins.sum on purpose
    """``Σ x_i`` as one node (instead of a chain of binary adds)."""
    return apply("sum", *_lift_all(values, "sum"))


def dot(weights: Iterable[Value | Number], inputs: Iterable[Value | Number]) -> Value:
    """The weighted sum ``Σ w_i x_i`` of the 1986 paper's units, as one node."""
    weights, inputs = list(weights), list(inputs)
    if len(weights) != len(inputs):
        raise ValueError(_("dot needs as many weights as inputs, got {weights} and {inputs}",
                           weights=len(weights), inputs=len(inputs)))
    return apply("dot", *_lift_all([*weights, *inputs], "dot"))


def _lift_all(items: Iterable[Value | Number], what: str) -> list[Value]:
    """The items as Values of one class: numbers become constants."""
    items = list(items)
    if not items:
        raise ValueError(_("{what} needs at least one value", what=what))
    kind = next((type(v) for v in items if isinstance(v, Value)), Value)
    return [v if isinstance(v, Value) else constant(kind, as_float(v, what)) for v in items]
