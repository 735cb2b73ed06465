"""The engine's checks and error messages, kept apart so that the engine reads as the lesson.

Every error names what was wrong: the op, each operand's value and label, and what to
do instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from .language import N_, _

__all__ = ["as_float", "describe", "check_operands", "check_nodes", "label_error",
           "check_runs_on_values", "look_up", "seeds_by_output", "data_of", "no_derivative",
           "partials_despite", "NoSlope",
           "check_fresh", "check_identity", "identity_error", "leaves_the_graph",
           "HandWrittenNodeError",
           "StaleGraphError"]


# Who takes a number, in as_float's message (translated where it is shown).
AN_OPERATION = N_("an operation on Values")


def as_float(data: object, what: str = "Value") -> float:
    """``data`` as a float: any real number; an integer beyond the float range is ±inf.
    ``what`` names the taker: an identifier, or a phrase marked with ``N_`` (translated
    here, where it is shown)."""
    if type(data) is float:  # the common case, checked first because it is cheap
        return data
    if isinstance(data, numbers.Real):  # int, bool, numpy scalars, Fraction
        try:
            return float(data)
        except OverflowError:  # an integer beyond the float range: ±inf, as in IEEE 754
            return math.inf if data > 0 else -math.inf
    raise TypeError(_("{what} expects a real number (int or float), got {data} of type {kind}",
                      what=_(what), data=repr(data), kind=type(data).__name__))


def data_of(x: object, kind: type) -> float:
    """The number a comparison with a Value looks at: its data, or the number itself."""
    return x.data if isinstance(x, kind) else as_float(x, N_("a comparison with a Value"))


def describe(primitive: Any, parents: Sequence[Any], error: object = None) -> str:
    """``log(0.0 (label 'z'))`` for a message, and ``: <error>`` when there is one."""
    operands = ", ".join(_("{number} (label {label})", number=repr(p.data), label=repr(p.label))
                         if p.label else repr(p.data) for p in parents)
    return f"{primitive.name}({operands})" + (f": {error}" if error is not None else "")


def check_operands(primitive: Any, parents: Sequence[object], kind: type) -> None:
    """Say clearly what is wrong with the operands of ``apply``, if anything."""
    for p in parents:
        if not isinstance(p, kind):
            raise TypeError(_("{op} expects Values as inputs, got {kind}",
                              op=primitive.name, kind=type(p).__name__)) from None
    if primitive.arity is not None and len(parents) != primitive.arity:
        raise TypeError(_("{op} takes {arity} inputs, got {count}", op=primitive.name,
                          arity=primitive.arity, count=len(parents))) from None
    if primitive.layout.columns and primitive.layout.size(len(parents)) is None:
        raise ValueError(_("{op} cannot take {count} inputs: its inputs are {names}",
                           op=primitive.name, count=len(parents),
                           names=", ".join(primitive.layout.generic_names)))


def check_nodes(nodes: Sequence[object], kind: type, what: str) -> None:
    """``TypeError`` unless every one of ``nodes`` is a ``kind`` (a Value)."""
    for node in nodes:
        if not isinstance(node, kind):
            raise TypeError(_("{what} expects a Value for each node, got {kind}", what=_(what),
                              kind=type(node).__name__))


def label_error(label: object) -> TypeError:
    """The error for a node's ``label`` that is not text."""
    return TypeError(_("a label must be text, got {kind}", kind=type(label).__name__))


def look_up(name: object, table: dict) -> Any:
    """The primitive called ``name`` in the op ``table``, or an error that lists the table."""
    try:
        return table[name]
    except (KeyError, TypeError):
        raise ValueError(_("no primitive named {name}; the op table has {names}",
                           name=repr(name), names=", ".join(sorted(table)))) from None


def check_runs_on_values(primitive: Any) -> None:
    """A rule written on floats only cannot be differentiated again: say so."""
    if not primitive.runs_on_values:
        raise TypeError(_(
            "the derivative rule of {name} runs on floats only (it calls math "
            "functions, say), so it cannot be differentiated again: write it with "
            "arithmetic and the functions of autograd_mini.core.ops (exp, log, sigmoid, ...)",
            name=repr(primitive.name)))


def seeds_by_output(outputs: Sequence[Any], seeds: Any, kind: type) -> dict:
    """``{output: seed}`` from one seed for all or one per output (a repeated output
    gets the sum of its seeds)."""
    check_nodes(outputs, kind, "gradients")
    for cls in {type(y) for y in outputs}:  # an __eq__ a mixin was given since: refused
        check_identity(cls)
    if not isinstance(seeds, (list, tuple)):  # one seed for all (a wrong one: said below)
        seeds = [seeds] * len(outputs)
    seeds = list(seeds)
    if len(seeds) != len(outputs):
        raise ValueError(_("{outputs} outputs but {seeds} seeds", outputs=len(outputs),
                           seeds=len(seeds)))
    start: dict = {}
    for y, seed in zip(outputs, seeds):
        seed = seed if isinstance(seed, kind) else as_float(seed, N_("a seed"))
        start[y] = seed if y not in start else start[y] + seed
    return start


def no_derivative(node: Any, error: Exception) -> Exception:
    """The error for a rule that fails where the op has no derivative (sqrt'(0) = 1/0)."""
    kind = next(k for k in (ValueError, ZeroDivisionError, ArithmeticError) if isinstance(error, k))
    return kind(_("no derivative at {place}: {why} ({formula})",
                  place=describe(node.primitive, node.parents), why=error,
                  formula=node.primitive.formula))


class NoSlope(ZeroDivisionError):
    """A derivative rule's partial that does not exist at this point.  ``partials`` are
    the rule's results with None for the missing ones: an input that is a constant needs
    no partial, so an interpreter can go on with the others."""

    def __init__(self, message: str, partials: tuple) -> None:
        super().__init__(message)
        self.partials = partials


def partials_despite(node: Any, error: Exception) -> tuple:
    """A rule failed at ``node``.  If only the partials of constant inputs are missing
    (``0.0 ** y``: the slope in the base 0 is infinite, but the base is a number), the
    others are all that is needed; otherwise the error, naming the op, is raised."""
    if isinstance(error, NoSlope) and all(
            p.is_constant for p, d in zip(node.parents, error.partials) if d is None):
        return error.partials
    raise no_derivative(node, error) from None


def input_label(k: int) -> str:
    """The name of the k-th input, counted from 1 as everywhere: ``x1``, ``x2``, ..."""
    return f"x{k}"


def input_names(order: Sequence[Any]) -> dict:
    """What the trace and the pictures call each unlabelled input of the graph ``order``
    (topological): ``x1``, ``x2``, ... in order, skipping names that labels use (see
    naming.display_names, which takes them from here)."""
    labels = {node.label for node in order if node.label}
    names: dict = {}
    k = 0
    for node in order:
        if not node.parents and not node.is_constant and not node.label:
            k += 1
            while input_label(k) in labels:
                k += 1
            names[node] = input_label(k)
    return names


def _called(node: Any, holding: bool = True, names: dict | None = None) -> str:
    """A node as a message names it: its label, else what it is (and holds); an input
    by its display name (``x1``) when ``names`` gives one."""
    if node.label:
        return repr(node.label)
    name = (names or {}).get(node)
    what = (_("the {op} node", op=node.primitive.name) if node.primitive is not None
            else _("the input {name}", name=name) if name else _("an input"))
    return _("{what} holding {number}", what=what, number=repr(node.data)) if holding else what


class StaleGraphError(RuntimeError):
    """A node's ``.data`` was written after a graph was built from it, so the graph's
    numbers belong to two different points and no gradient through it is right."""

    def __init__(self, parent: Any, node: Any, names: dict | None = None) -> None:
        if node.version == -1:  # the node itself was written
            what = _("{node} had its .data set to {number} after it was computed from its "
                     "inputs, so its number no longer follows from them",
                     node=_called(node, False), number=repr(node.data))
        else:
            what = _("{parent} had its .data changed to {number} after {node} was computed "
                     "from it, so the graph still holds the numbers of the old point",
                     parent=_called(parent, False, names), number=repr(parent.data),
                     node=_called(node))
        super().__init__(_(
            "stale graph: {what}. A gradient through it would mix the old point and the "
            "new one. Run the forward pass again after changing .data -- in a training "
            "loop, compute the loss anew after the optimizer step, then call backward()",
            what=what))


def check_fresh(order: Sequence[Any], clock: int) -> None:
    """``StaleGraphError`` if a parent's ``.data`` was written after a node was made from it.
    A node's version is the ``clock`` when it was made, a parent's when last written; a
    node made since the latest write (the usual case) cannot have a newer parent."""
    for node in order:
        version = node.version
        if version < clock:
            for parent in node.parents:
                if parent.version > version:
                    raise StaleGraphError(parent, node, input_names(order))


def check_identity(kind: type) -> None:
    """A Value class must keep ``==`` and ``hash`` as identity: the engine keys its maps
    by node, and nodes that compare equal by number would merge into one.  Checked when
    a class is made and for the outputs of each sweep (a mixin's ``__eq__`` assigned
    later); assigning either to a Value class is refused (see ``valuebase.NodeClass``)."""
    for name in ("__eq__", "__hash__"):
        if getattr(kind, name) is not getattr(object, name):
            owner = next((c for c in kind.__mro__ if name in vars(c)), kind)
            raise identity_error(kind if owner is kind else owner, name)


def identity_error(kind: type, name: str) -> TypeError:
    """The error for a Value class whose ``==`` or ``hash`` (``name``) is not identity."""
    return TypeError(_(
        "{kind} defines {name}: a Value's == and hash must stay identity, "
        "because the engine keys its maps by node (a * b and a, equal by number, "
        "would merge and lose a path). Compare numbers with x.data == y.data",
        kind=kind.__name__, name=name))


def leaves_the_graph(node: Any, table: dict) -> TypeError:
    """The error for ``float(x)``, as ``math.tanh(x)`` calls it; the op ``table`` gives
    the methods to use instead."""
    methods = ", ".join(f"x.{name}()" for p in table.values() for name in p.methods
                        if not name.startswith("_"))  # x.exp(), x.tanh(), ...: the table's
    return TypeError(_(
        "a Value cannot become a float inside an expression (here {node}): the result "
        "would leave the graph and no gradient would flow through it. Use the Value's "
        "methods instead of the math module ({methods}), or x.data for the number itself",
        node=_called(node), methods=methods))


class HandWrittenNodeError(TypeError):
    """A node made by hand (micrograd style) has no rule in the op table to read."""

    def __init__(self, node: Any) -> None:
        label = _(" labelled {label}", label=repr(node.label)) if node.label else ""
        super().__init__(_(
            "the node {op}{label} (data {data}) was made by hand with "
            "its own _backward, which only backward() can run: grad(), gradients(), jvp() and "
            "trace() read each derivative from the op table -- register the op as a Primitive",
            op=repr(node.op or "?"), label=label, data=repr(node.data)))
