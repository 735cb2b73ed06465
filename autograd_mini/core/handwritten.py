"""Nodes made by hand, micrograd style: run their own ``_backward`` where there is no rule.

A node the lecture's way (``out = Value(t, (self,), 'tanh')`` with ``out._backward`` a
closure that adds into its children's ``.grad``) has parents but no primitive, so the op
table has no rule to read for it.  What it does have is its closure: this module runs that
closure, the only statement of its derivative there is, so that the gradient checks and
the trace can still hold it against finite differences and show its numbers.

Running a closure means writing ``.grad`` (that is all a closure can do), so every
function here saves the gradients it touches and puts them back before it returns.

    >>> import math
    >>> from autograd_mini.micrograd import Value
    >>> x = Value(0.5)
    >>> t = math.tanh(x.data)
    >>> out = Value(t, (x,), "tanh")
    >>> def _backward():
    ...     x.grad += (1 - t**2) * out.grad
    >>> out._backward = _backward
    >>> [round(g, 6) for g in backward_gradients(out, [x])], x.grad
    ([0.786448], 0.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from . import engine
from .checks import HandWrittenNodeError
from .engine import Value, topological_order

__all__ = ["is_hand_written", "hand_written_nodes", "step", "backward_gradients",
           "local_derivatives", "written"]


def is_hand_written(node: Value) -> bool:
    """A node with parents but no primitive: its derivative is its own ``_backward``."""
    return node.primitive is None and bool(node.parents)


def hand_written_nodes(order: Sequence[Value]) -> list[Value]:
    """The hand-written nodes among ``order``, in the same order."""
    return [node for node in order if is_hand_written(node)]


def _closure(node: Value) -> Callable[[], None]:
    closure = getattr(node, "_backward", None)
    if not callable(closure):  # parents set by hand on a plain Value: nothing to run
        raise HandWrittenNodeError(node)
    return closure


def step(node: Value, upstream: float) -> list[float]:
    """What the node's ``_backward`` adds into each parent when ``node.grad`` is
    ``upstream``: one number per parent position (a parent used twice gets the whole sum
    at its first position, 0 at the next).  Every ``.grad`` is as it was afterwards."""
    closure = _closure(node)
    touched = [node, *dict.fromkeys(node.parents)]
    saved = [n.grad for n in touched]
    try:
        for n in touched:
            n.grad = 0.0
        node.grad = upstream
        closure()
        added, seen = [], set()
        for parent in node.parents:
            added.append(0.0 if parent in seen else float(parent.grad))
            seen.add(parent)
        return added
    finally:
        for n, grad in zip(touched, saved):
            n.grad = grad


def backward_gradients(output: Value, inputs: Sequence[Value]) -> list[float]:
    """d(output)/d(input) for each of ``inputs`` as the graph's own ``backward()`` gives
    it: every node's gradient set to 0, ``output.backward()`` run (it seeds 1), the
    inputs' ``.grad`` read, and every gradient put back as it was."""
    nodes = topological_order(output, *inputs)
    saved = [node.grad for node in nodes]
    try:
        for node in nodes:
            node.grad = 0.0
        output.backward()
        return [float(x.grad) for x in inputs]
    finally:
        for node, grad in zip(nodes, saved):
            node.grad = grad


def local_derivatives(node: Value) -> Sequence[float]:
    """The engine's float rule, but for a node made by hand what its ``_backward`` adds
    into each parent for an upstream gradient of 1 (the chain rule is linear in it).  Given
    to the sweep (``gradients(..., local_rule=local_derivatives)``), it lets the trace show
    a hand-written step with its numbers."""
    return step(node, 1.0) if is_hand_written(node) else engine.local_derivatives(node)


def written(node: Value, names: Sequence[str]) -> str:
    """A node's expression as text: the table's form, or ``tanh(n1)`` for a hand-written
    node (its name as given to it, ``?`` if it has none)."""
    if node.primitive is not None:
        return node.primitive.expression(names)
    return f"{node.op or '?'}({', '.join(names)})"
