"""Derivatives of functions: forward mode (``jvp``), reverse mode (``vjp``) and ``hessian``.

Both modes read the same local derivatives from the op table.  They differ only in
the direction of the sweep:

* **forward mode** pushes a *tangent* (how fast each node moves when the inputs move
  in one direction) from the inputs to the outputs:
  ``ṅ = Σ_parents ∂n/∂p · ṗ``.  One sweep gives one directional derivative, so the
  full gradient of ``f: R^n -> R`` costs n sweeps.
* **reverse mode** (backprop) pulls a gradient from an output back to the inputs:
  ``p̄ += n̄ · ∂n/∂p``.  One sweep gives the derivatives of one output with respect to
  all inputs, so ``f: R -> R^m`` costs m sweeps.

    >>> from autograd_mini.core.transforms import jvp, hessian
    >>> jvp(lambda x, y: x * y, [2.0, 3.0], [1.0, 0.0])   # d/dx (x*y) = y
    (6.0, 3.0)
    >>> hessian(lambda x, y: x * x * y, [2.0, 3.0])
    [[6.0, 4.0], [4.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .engine import Value, grad, gradients, local_derivatives, topological_order
from .interpret import interpret
from .language import _
from .naming import input_label

__all__ = ["jvp", "vjp", "hessian", "forward_sweep"]

Function = Callable[..., "Value | Sequence[Value]"]


def _leaves(primals: Sequence[float]) -> list[Value]:
    return [Value(x, label=input_label(k)) for k, x in enumerate(primals, 1)]


def _outputs(result) -> tuple[list[Value], bool]:
    """The function's result as a list, and whether it was a single Value."""
    if isinstance(result, Value):
        return [result], True
    outputs = list(result) if isinstance(result, (list, tuple)) else []
    if not outputs or not all(isinstance(v, Value) for v in outputs):
        raise TypeError(_("the function must return a Value or a sequence of Values"))
    return outputs, False


def forward_sweep(outputs: Sequence[Value], tangents: dict[Value, float]) -> dict[Value, float]:
    """Push ``tangents`` (given for some leaves) forward through the graph of ``outputs``.

    Returns the tangent of every node: ``ṅ = Σ ∂n/∂p · ṗ`` over its parents ``p``, the
    local derivatives ``∂n/∂p`` coming from the op table.
    """
    def push(node: Value, parent_tangents: list[float]) -> float:
        return sum(local * tangent  # a constant does not move: no term for it
                   for p, local, tangent in zip(node.parents, local_derivatives(node),
                                                parent_tangents) if not p.is_constant)

    return interpret(topological_order(*outputs), lambda leaf: tangents.get(leaf, 0.0), push)


def jvp(f: Function, primals: Sequence[float], tangents: Sequence[float]):
    """Forward mode: ``f(primals)`` and its derivative in the direction ``tangents``.

    Like ``jax.jvp``.  ``f`` takes one Value per primal and returns a Value (the result
    is then a pair of floats) or a sequence of Values (a pair of lists).

    Raises:
        ValueError: ``primals`` and ``tangents`` differ in length.
    """
    if len(primals) != len(tangents):
        raise ValueError(_("{primals} primals but {tangents} tangents", primals=len(primals),
                           tangents=len(tangents)))
    leaves = _leaves(primals)
    outputs, single = _outputs(f(*leaves))
    dot = forward_sweep(outputs, {x: float(t) for x, t in zip(leaves, tangents)})
    values, derivatives = [y.data for y in outputs], [dot[y] for y in outputs]
    return (values[0], derivatives[0]) if single else (values, derivatives)


def vjp(f: Function, primals: Sequence[float], cotangents: Sequence[float] | float = 1.0):
    """Reverse mode: ``f(primals)`` and ``Σ_k cotangent_k · ∇f_k`` (one backward sweep).

    For a function with one output and cotangent 1 this is the gradient.
    """
    leaves = _leaves(primals)
    outputs, single = _outputs(f(*leaves))
    weights = cotangents if isinstance(cotangents, Sequence) else [cotangents] * len(outputs)
    if len(weights) != len(outputs):
        raise ValueError(_("{outputs} outputs but {cotangents} cotangents", outputs=len(outputs),
                           cotangents=len(weights)))
    by_node = gradients(outputs, [float(w) for w in weights])  # one sweep for all
    total = [by_node.get(x, 0.0) for x in leaves]
    values = [y.data for y in outputs]
    return (values[0], total) if single else (values, total)


def hessian(f: Callable[..., Value], inputs: Sequence[float]) -> list[list[float]]:
    """The matrix of second derivatives ``H[i][j] = ∂²f / ∂x_i ∂x_j``, by reverse over reverse.

    The gradient is built as a graph (``create_graph=True``); differentiating each of its
    components once more gives a row.  Meant for small functions: it costs n + 1 sweeps.
    """
    leaves = _leaves(inputs)
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(_("hessian needs a function returning one Value, got {kind}",
                          kind=type(out).__name__))
    first = grad(out, leaves, create_graph=True)
    return [grad(g, leaves) if isinstance(g, Value) else [0.0] * len(leaves) for g in first]
