"""What a ``Value`` needs beyond the lesson, kept off the engine's page.

* its name and repr;
* the **version** behind ``.data``: writing a node's number makes every graph already
  built from it stale, and the sweeps refuse such a graph (``StaleGraphError``);
* comparisons and truth by number (``if x > 0``, ``if x``), but equality by identity
  (nodes are keys);
* no silent ``float()``: ``math.tanh(x)`` would leave the graph;
"""

from __future__ import annotations

import threading
from typing import Any

from . import checks
from .ops import PRIMITIVES

__all__ = ["ValueBase", "NodeClass", "clock", "writing", "number"]

# The version clock: it ticks each time a .data is written.  A node made now takes its
# reading as its version, so a parent newer than its child was written after the child.
clock = 0
# Held by a write of .data, and by a sweep while it checks the versions and reads the
# numbers: a write waits for the sweep, so no sweep sees half of a write.  (A sweep's
# thread may write .data from inside it: the lock is re-entrant.)
writing = threading.RLock()


class NodeClass(type):
    """The type of the Value classes: ``==`` and hash stay identity, even when assigned
    after the class is made (``Value.__eq__ = ...`` raises TypeError)."""

    def __setattr__(cls, name: str, value: Any) -> None:
        if name in ("__eq__", "__hash__"):
            raise checks.identity_error(cls, name)
        super().__setattr__(name, value)


class ValueBase(metaclass=NodeClass):
    """The base of ``engine.Value``: the slots it reads are defined there."""

    __slots__ = ()
    _data: float
    grad: Any
    label: str
    primitive: Any
    parents: tuple
    version: int

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        checks.check_identity(cls)  # nodes are dictionary keys: equal must mean the same node

    @property
    def op(self) -> str:
        """Name of the primitive that made this node, ``""`` for a leaf."""
        return self.primitive.name if self.primitive is not None else ""

    def __repr__(self) -> str:
        return f"Value(data={self._data!r}, grad={self.grad!r}" + (
            f", label={self.label!r})" if self.label else ")")

    @property
    def data(self) -> float:
        """The number this node holds.  Writing it (an optimizer step does) makes every
        graph already built from the node stale: sweeps over them raise StaleGraphError."""
        return self._data

    @data.setter
    def data(self, number: Any) -> None:
        global clock
        number = checks.as_float(number)
        with writing:
            # A leaf becomes newer than every node made from it; a node a primitive made no
            # longer agrees with its inputs at all (-1: older than any of them).  In this
            # order, for a node being made in another thread (``apply`` reads the clock,
            # then the numbers): the version first, so that whoever sees the new number
            # sees the new version too; the clock last, so that a node taking the new
            # clock reads the new number.  A node made meanwhile is older than the new
            # version: stale, refused by the sweeps.
            self.version = -1 if self.parents else clock + 1
            self._data = number
            clock += 1

    # Comparisons look at the data, so ``if x > 0`` works as with plain numbers.
    # Equality is left as identity: nodes are dictionary keys during backward.
    def __lt__(self, other: Any) -> bool:
        return self._data < checks.data_of(other, ValueBase)

    def __le__(self, other: Any) -> bool:
        return self._data <= checks.data_of(other, ValueBase)

    def __gt__(self, other: Any) -> bool:
        return self._data > checks.data_of(other, ValueBase)

    def __ge__(self, other: Any) -> bool:
        return self._data >= checks.data_of(other, ValueBase)

    def __bool__(self) -> bool:
        """The truth of the number, as a float's (and a PyTorch 0-dim tensor's): ``if x:``
        is ``if x.data != 0``; 0.0 and -0.0 are false, NaN and ±inf true."""
        return self._data != 0.0

    def __pos__(self) -> Any:
        return self  # +x is x

    def __float__(self) -> float:
        raise checks.leaves_the_graph(self, PRIMITIVES)  # math.tanh(x) would leave the graph unseen


def number(x: Any) -> float:
    """The number a Value holds, or the number itself (a gradient may be either)."""
    return x._data if isinstance(x, ValueBase) else float(x)
