"""micrograd's ``Value``: the same class names and hooks, on the main engine."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..core import checks, engine, valuebase
from ..core.engine import local_derivatives, topological_order

__all__ = ["Value"]


class Value(engine.Value):
    """A ``Value`` that also speaks micrograd: ``_prev``, ``_op`` and ``_backward``.

    ``Value(data, _children=(), _op='')`` makes a node by hand, as in the lecture;
    assign ``out._backward`` a function that adds into the children's ``.grad``.
    """

    __slots__ = ("_custom_backward", "_custom_op")

    def __init__(
        self, data: engine.Number, _children: Iterable[engine.Value] = (), _op: str = "",
        label: str = "",
    ) -> None:
        super().__init__(data, label)
        self.parents = tuple(_children)
        self._custom_op = _op

    @property
    def op(self) -> str:
        """The primitive's name, or the name given to a node made by hand."""
        return super().op or getattr(self, "_custom_op", "")

    @property
    def _prev(self) -> set[engine.Value]:
        return set(self.parents)

    @property
    def _op(self) -> str:
        if self.primitive is not None:
            return self.primitive.symbol
        return getattr(self, "_custom_op", "")

    @property
    def _backward(self) -> Callable[[], None]:
        """This node's chain-rule step: a hand-written one if assigned, else the table's."""
        custom = getattr(self, "_custom_backward", None)
        return custom if custom is not None else lambda: _chain_rule_step(self)

    @_backward.setter
    def _backward(self, function: Callable[[], None]) -> None:
        self._custom_backward = function

    def backward(self) -> None:  # type: ignore[override]
        """micrograd's backward: seed 1 (not accumulated), then every node's step."""
        order = topological_order(self)
        with valuebase.writing:  # no .data is written while the numbers are read
            checks.check_fresh(order, valuebase.clock)  # a graph changed since: refused
            self.grad = 1.0
            for node in reversed(order):
                custom = getattr(node, "_custom_backward", None)
                if custom is not None:
                    custom()
                else:
                    _chain_rule_step(node)


def _chain_rule_step(node: engine.Value) -> None:
    """Add ``node.grad * d(node)/d(parent)`` into each parent, from the op table."""
    if node.primitive is None:
        return
    for parent, local in zip(node.parents, local_derivatives(node)):
        if not parent.is_constant:
            parent.grad += node.grad * local
