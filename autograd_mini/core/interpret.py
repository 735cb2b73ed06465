"""The one forward loop: every interpreter of a graph walks it here (JAX's ``eval_jaxpr``).

Replay, forward mode, SymPy, compiled code, the strategies and the trace each supply only
their two rules -- what a leaf is, and what a node is given its parents' results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from . import checks, valuebase
from .checks import HandWrittenNodeError
from .engine import Value

__all__ = ["interpret"]

T = TypeVar("T")


def interpret(order: Sequence[Value], leaf: Callable[[Value], T],
              rule: Callable[[Value, list[T]], T], hand_written: bool = False) -> dict[Value, T]:
    """Over ``order`` (topological), each node's result is ``leaf(node)`` for an input or
    a constant (``node.is_constant``), ``rule(node, [result of each parent])`` for a node
    a primitive made -- and for one made by hand (micrograd's ``_backward``) if
    ``hand_written``, else such a node raises, having no rule in the table to read:

        >>> from autograd_mini.core.engine import topological_order
        >>> x = Value(2.0)
        >>> y = x * x + 1
        >>> interpret(topological_order(y), lambda n: n.data,
        ...           lambda n, args: n.primitive.value(*args))[y]
        5.0
    """
    results: dict[Value, T] = {}
    with valuebase.writing:  # no .data is written while the numbers are read
        checks.check_fresh(order, valuebase.clock)  # a graph changed since it was built: refused
        for node in order:
            if not node.parents:
                results[node] = leaf(node)
                continue
            if node.primitive is None and not hand_written:
                raise HandWrittenNodeError(node)
            results[node] = rule(node, [results[p] for p in node.parents])
    return results
