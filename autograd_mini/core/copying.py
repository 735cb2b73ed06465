"""Copying and pickling graphs by walking them, not by recursion.

``copy.deepcopy`` and ``pickle`` follow references recursively, so a chain of a few
thousand nodes would exceed Python's recursion limit; and an op's rules are code, which
pickle cannot store.  Here a graph is copied in topological order, and a node is pickled
by its op's name: loading it finds the op in the table again.
"""

from __future__ import annotations

import copy
from typing import Any

from . import checks, valuebase
from .ops import PRIMITIVES

__all__ = ["deepcopy_graph", "reduce_graph"]

_SHARED = ("parents", "primitive")  # rebuilt from the copy's nodes, or found in the table


def _slots(node: Any) -> dict[str, Any]:
    """Every slot of ``node`` that is set, over its class and the classes it comes from."""
    names = [name for kind in type(node).__mro__ for name in getattr(kind, "__slots__", ())]
    return {name: getattr(node, name) for name in names
            if name not in _SHARED and hasattr(node, name)}


def _made(kind: type, slots: dict[str, Any], primitive: Any, parents: tuple) -> Any:
    node = object.__new__(kind)
    for name, value in slots.items():
        object.__setattr__(node, name, value)
    node.primitive, node.parents = primitive, parents
    return node


def deepcopy_graph(order: list, memo: dict) -> Any:
    """``copy.deepcopy`` of the last node of ``order`` (a topological order): every node
    it depends on is copied once (``memo`` keeps nodes shared with other copied objects
    shared), parents before children."""
    for node in order:
        if id(node) not in memo:
            slots = {name: copy.deepcopy(value, memo) for name, value in _slots(node).items()}
            parents = tuple(memo[id(p)] for p in node.parents)
            memo[id(node)] = _made(type(node), slots, node.primitive, parents)
    return memo[id(order[-1])]


def reduce_graph(order: list) -> tuple:
    """``__reduce__()`` of the last node of ``order`` (a topological order): a leaf pickles
    as its slots; a node made by an op as the flat list of the nodes it depends on, each by
    its op's name and its parents' positions.  Leaves stay objects of their own, so a leaf
    pickled beside the graph stays one node."""
    root = order[-1]
    if not root.parents:
        return _leaf, (type(root), _slots(root))
    position = {node: k for k, node in enumerate(order)}
    records = [node if not node.parents else
               (type(node), node.op, tuple(position[p] for p in node.parents), _slots(node))
               for node in order]
    return _graph, (records, [node.version for node in order])


def _leaf(kind: type, slots: dict[str, Any]) -> Any:
    node = _made(kind, slots, None, ())
    node.version = valuebase.clock  # a new leaf of this process
    return node


def _graph(records: list, versions: list[int]) -> Any:
    """The root of the pickled graph, its nodes made again in order.  Versions keep their
    order (a stale graph stays stale), moved to follow this process's version clock."""
    offset = valuebase.clock - min([v for v in versions if v >= 0], default=0)
    nodes: list[Any] = []
    for record, version in zip(records, versions):
        if isinstance(record, tuple):
            kind, op, parents, slots = record
            record = _made(kind, slots, checks.look_up(op, PRIMITIVES) if op else None,
                           tuple(nodes[k] for k in parents))
        record.version = version + offset if version >= 0 else -1
        nodes.append(record)
    valuebase.clock = max(valuebase.clock, *(node.version for node in nodes))
    return nodes[-1]
