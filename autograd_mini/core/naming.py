"""Display names: what the trace, the pictures, the step viewer and the CLI call each node.

Identity is the node, never its label.  A label is display text; these names are built
from the graph so that two different nodes never share one:

* a labelled node shows its label (a second node with the same label gets ``#2``);
* a constant (a number lifted into the graph) shows its number;
* an unlabelled input is ``x1``, ``x2``, ... and an unlabelled operation ``n1``, ``n2``,
  ... in topological order, skipping names that labels already use;
* with one output, an unlabelled output is ``out``.

    >>> from autograd_mini import Value
    >>> x, w = Value(2.0, label="x"), Value(3.0)
    >>> names = display_names(x * w + 1)
    >>> [names[n] for n in (x, w)]
    ['x', 'x1']
"""

from __future__ import annotations

import math
from itertools import chain, count

from .checks import input_label, input_names
from .engine import Value, topological_order
from .language import N_, _

__all__ = ["display_names", "input_label", "fmt", "slot_names", "slot_phrase",
           "repeated_parents"]


def fmt(x: float | Value) -> str:
    """A number the way a person would write it: ``3``, ``-0.5``, ``0.7616``, ``1e-08``;
    a number that is not finite is marked: ``inf ⚠``, ``nan ⚠``."""
    if isinstance(x, Value):
        x = x.data
    text = f"{x:.4g}"
    if not math.isfinite(x):
        return f"{text} ⚠"
    return "0" if text == "-0" else text


def display_names(*roots: Value) -> dict[Value, str]:
    """The display name of every node the ``roots`` depend on (see the module's text),
    in topological order: ``list(display_names(y))`` is ``topological_order(y)``, so a
    caller that needs both walks the graph once."""
    order = topological_order(*roots)
    labels = {node.label for node in order if node.label}
    used: set[str] = set()
    names: dict[Value, str] = {}
    inputs, operations = input_names(order), count(1)
    for node in order:
        if node.is_constant:
            names[node] = fmt(node.data)  # constants may share a name: nothing refers to them
            continue
        if node.label:
            candidates = chain([node.label], (f"{node.label}#{k}" for k in count(2)))
        elif len(roots) == 1 and node is roots[0]:
            candidates = chain(["out"], (f"out{k}" for k in count(2)))
        elif node.parents:
            candidates = (f"n{k}" for k in operations)
        else:
            candidates = iter([inputs[node]])  # x1, x2, ...: checks.input_names
        # A label belongs to its own node; generated names keep clear of every label.
        names[node] = next(c for c in candidates
                           if c not in used and (c == node.label or c not in labels))
        used.add(names[node])
    return names


def slot_names(node: Value) -> list[str]:
    """What the op table's input layout calls each of ``node``'s inputs, in order:
    ``["a", "b"]`` for a binary op, ``["w_1", "w_2", "x_1", "x_2", "b"]`` for a weighted
    sum of two inputs plus a bias (the names its formula uses, rows counted from 1).
    A node made by hand (no primitive) numbers its inputs ``a_1, a_2, ...``."""
    count = len(node.parents)
    layout = node.primitive.layout if node.primitive is not None else None
    rows = layout.size(count) if layout is not None else None
    if rows is None:
        return [f"a_{k}" for k in range(1, count + 1)]
    repeated = [f"{column}_{row}" for column in layout.columns for row in range(1, rows + 1)]
    return repeated + list(layout.tail)


_PLACES = {2: (N_("as the left input {name}"), N_("as the right input {name}")),
           3: (N_("as the first input {name}"), N_("as the second input {name}"),
               N_("as the third input {name}"))}


def slot_phrase(node: Value, index: int) -> str:
    """Where input number ``index`` enters ``node``, in words: ``as the left input a``,
    ``as the right input b`` (an op of two or three inputs), or ``as x_2`` (a row of a
    variadic op).  Shown wherever a parent appears more than once, so that the two
    products of ``x * x`` read as two different slots, not one derivative said twice."""
    names = slot_names(node)
    places = _PLACES.get(len(names)) if node.primitive is not None \
        and not node.primitive.layout.variadic else None
    if places:
        return _(places[index], name=names[index])
    return _("as {name}", name=names[index])


def repeated_parents(node: Value) -> set[Value]:
    """The parents that ``node`` takes more than once (``x`` in ``x * x``)."""
    seen: set[Value] = set()
    twice: set[Value] = set()
    for parent in node.parents:
        (twice if parent in seen else seen).add(parent)
    return twice
