"""A graph as one SymPy expression, so that symbolic differentiation (``sympy.diff``)
can be set beside automatic differentiation.

sympy is optional (``pip install -e '.[bridges]'``): it is imported when
:func:`to_sympy` runs, so ``import autograd_mini`` works without it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..core.engine import Value
from ..core.interpret import interpret
from ..core.language import N_, _
from ..core.naming import display_names
from .optional import require

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import sympy

__all__ = ["to_sympy"]


def to_sympy(output: Value) -> sympy.Expr:
    """The graph of ``output`` as one SymPy expression.

    Each input becomes a real ``sympy.Symbol`` named by its display name (see
    :mod:`autograd_mini.core.naming`: its label -- ``x#2`` for a second input labelled ``x``
    -- or the generated name that pictures and traces show), each constant a number
    (``2``, ``0.5``), and each operation the SymPy form its primitive gives in the op table --
    so ``to_sympy((x * y + 1).tanh())`` is ``tanh(x*y + 1)``, and ``sympy.diff`` of it
    can be set beside ``grad``:

        >>> import sympy
        >>> from autograd_mini import Value, grad
        >>> x, y = Value(0.5, label="x"), Value(2.0, label="y")
        >>> f = (x * y + 1).tanh()
        >>> expression = to_sympy(f)
        >>> expression
        tanh(x*y + 1)
        >>> X, Y = sorted(expression.free_symbols, key=str)
        >>> symbolic = sympy.diff(expression, X).evalf(subs={X: 0.5, Y: 2.0})
        >>> abs(float(symbolic) - grad(f, [x])[0]) < 1e-15
        True

    A node used twice appears twice in the expression (SymPy shares it in memory).
    It is the engine's one interpreter loop (:func:`~autograd_mini.core.engine.interpret`)
    with two rules: an input is a symbol, a constant a number; an operation is its
    primitive's ``sympy`` form applied to its inputs' expressions.

    Raises:
        TypeError: ``output`` is not a Value, or its graph holds a node made by hand
            (micrograd style), which has no rule in the op table.
        ValueError: the graph uses a primitive without a SymPy form (a user primitive
            registered without ``sympy=...``), or is too deep for SymPy, which recurses
            along the expression (some 1,000 nested operations such as a chain of
            ``tanh``): the message gives the depth.
    """
    sp = require("sympy", N_("this bridge"), "bridges")
    if not isinstance(output, Value):
        raise TypeError(_("to_sympy expects a Value, got {kind}", kind=type(output).__name__))
    names = display_names(output)  # in topological order; one name per input

    def leaf(node: Value) -> Any:
        return _number(sp, node.data) if node.is_constant else sp.Symbol(names[node], real=True)

    order = list(names)
    try:
        return interpret(order, leaf, lambda node, inputs: _sympy_of(sp, node, inputs))[output]
    except RecursionError:  # SymPy walks a nested expression by recursion
        raise ValueError(_(
            "the graph is too deep for SymPy: {depth} operations nested one in "
            "another, and SymPy builds and walks an expression by recursion, which Python "
            "stops at {limit} calls deep. Export a shallower graph (a "
            "part of it), or differentiate this one with grad()", depth=_depth(order),
            limit=sys.getrecursionlimit())) from None


def _depth(order: list[Value]) -> int:
    """The most operations on one path from an input to the last node of ``order``
    (topological), counted without recursion."""
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max(depth[p] for p in node.parents) if node.parents else 0
    return depth[order[-1]] if order else 0


def _sympy_of(sp: Any, node: Value, inputs: list) -> Any:
    """The op table's SymPy form of ``node``, applied to its inputs' expressions."""
    rule = node.primitive.sympy
    if rule is None:
        raise ValueError(_("the primitive {name} has no SymPy form: register it with "
                           "sympy=lambda sp, *inputs: ... (its formula in SymPy) to export it",
                           name=repr(node.primitive.name)))
    return rule(sp, *inputs)


def _number(sp: Any, x: float) -> Any:
    """A constant as SymPy writes it: ``2`` for a whole number, else the float exactly."""
    return sp.Integer(int(x)) if x.is_integer() else sp.Float(x)
