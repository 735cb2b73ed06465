"""The engine: ``Value`` nodes, the graph walk, and the chain rule -- one page, one loop.

Every operation on Values makes a node that remembers its inputs (``parents``) and the
primitive that made it (:mod:`autograd_mini.core.ops`).  ``backward`` orders the graph so
that each node comes after all it depends on, then walks that order back from the output.
At each node the chain rule multiplies the gradient arriving from above (the *upstream*
gradient) by the node's local derivatives and adds the products into its parents:

    dL/d(parent) += dL/d(node) * d(node)/d(parent)

The ``+=`` matters: a node used twice receives the sum of both paths.

Read one ``backward()`` from top to bottom: ``Value.backward`` → :func:`gradients` →
:func:`topological_order` → :func:`backward_pass` (the one reverse loop) →
:func:`accumulate`.  What is not the lesson -- messages, the stale-graph check, anomaly
mode -- is called through :mod:`.checks` and the two lists of listeners below.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import add, attrgetter
from typing import Union

from . import checks, copying, valuebase
from .checks import HandWrittenNodeError, as_float
from .collector import gc_paused
from .ops import PRIMITIVES, Primitive
from .valuebase import ValueBase

__all__ = ["Value", "Number", "apply", "grad", "gradients", "backward_pass",
           "topological_order", "constant", "local_derivatives", "local_derivatives_on_values",
           "accumulate", "on_new_node", "on_sweep"]

Number = Union[int, float]

# Listeners, for what is not the lesson (anomaly mode): on_new_node hears of each node
# made; on_sweep of each finished sweep, as (order, seeds, rule, grads).
on_new_node: list[Callable[[Value], None]] = []
on_sweep: list[Callable[..., None]] = []
_accumulating = threading.Lock()  # held while .grad is read, added to and written


class Value(ValueBase):
    """A scalar node of a computation graph.

    Attributes:
        data: the number it holds (ints and bools are stored as float).
        grad: d(output)/d(this node) after ``output.backward()``; starts at 0, accumulates.
        label: display text for pictures, traces and messages; never changes what it is.
        primitive: the :class:`~autograd_mini.core.ops.Primitive` that made it; None for a leaf.
        parents: its inputs, in order and with repeats (``a * a`` has two).
        is_constant: true for a number an operator lifted in (the ``3`` of ``3 * x``).
        version: when its number was made or last written (see ``valuebase.clock``).
    Operators and methods come from the op table: ``x * y`` is ``apply("mul", x, y)``.
    """

    __slots__ = ("_data", "grad", "primitive", "parents", "label", "is_constant", "version",
                 "made_at")  # made_at: the line of code that made it, kept in anomaly mode

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise checks.label_error(label)
        _fill(self, as_float(data), None, (), False, label)

    def backward(self, gradient: Number = 1.0, *, create_graph: bool = False) -> None:
        """Add ``gradient`` · d(self)/d(node) into ``.grad`` of every node of the graph.

        Gradients **accumulate** (``+=``), so a loss can be summed over samples one
        ``backward`` at a time (``zero_grad()`` resets them).  Atomic: an error or an
        interrupt leaves every ``.grad`` as it was.  With ``create_graph`` each ``.grad``
        is a Value that can be differentiated again."""
        accumulate(gradients(self, gradient, create_graph=create_graph))

    def _lift(self, other: object) -> Value:
        """``other`` as a Value: a plain number becomes a constant leaf."""
        if isinstance(other, Value):
            return other
        return constant(type(self), as_float(other, checks.AN_OPERATION))

    def _apply_one(self, name: str) -> Value:
        """``name(self)`` as a new node: how the table's ``fn.tanh(x)`` makes one."""
        return apply(name, self)

    # copy.deepcopy and pickle would recurse along a deep chain: walk it in order instead
    def __deepcopy__(self, memo: dict) -> Value:
        return copying.deepcopy_graph(topological_order(self), memo)

    def __reduce__(self) -> tuple:
        return copying.reduce_graph(topological_order(self))


def _method(name: str, arity: int | None, reflected: bool) -> Callable[..., Value]:
    if arity == 1:  # x.exp(); else x * y, or the reflected 2 * x (x.__rmul__(2))
        return lambda self: apply(name, self)
    if reflected:
        return lambda self, other: apply(name, self._lift(other), self)
    return lambda self, other: apply(name, self, self._lift(other))


for _primitive in PRIMITIVES.values():  # x.exp(), x * y, 2 * x, ...: one method per name
    for _k, _name in enumerate(_primitive.methods):
        setattr(Value, _name, _method(_primitive.name, _primitive.arity, reflected=_k == 1))
        getattr(Value, _name).__doc__ = _primitive.formula  # help(x.tanh) gives its calculus


def _fill(node: Value, data: float, primitive: Primitive | None, parents: tuple,
          is_constant: bool, label: str = "") -> Value:
    """Set a node's slots: its number, no gradient yet, how it was made (``apply`` writes
    the same lines out, being the hot path)."""
    node._data, node.grad, node.label = data, 0.0, label
    node.primitive, node.parents, node.is_constant = primitive, parents, is_constant
    node.version = valuebase.clock
    return node


def constant(kind: type[Value], data: float) -> Value:
    """A number lifted into the graph: a leaf that is a constant, not an input."""
    return _fill(object.__new__(kind), data, None, (), True)


def apply(name: str | Primitive, *parents: Value) -> Value:
    """Make the node ``name(*parents)``, its value computed by the op table's rule.  An
    input outside the op's domain raises ValueError or ZeroDivisionError naming it."""
    try:
        primitive = name if isinstance(name, Primitive) else PRIMITIVES[name]
    except (KeyError, TypeError):
        primitive = checks.look_up(name, PRIMITIVES)  # no such op: the message lists the table
    if primitive.layout.columns and primitive.layout.size(len(parents)) is None:
        checks.check_operands(primitive, parents, Value)  # too many or too few: it says so
    version = valuebase.clock  # read before the numbers (see ValueBase.data's setter)
    try:
        data = primitive.value(*[p._data for p in parents])
    except (ValueError, ZeroDivisionError) as error:
        raise type(error)(checks.describe(primitive, parents, error)) from None
    except (AttributeError, TypeError, IndexError):
        checks.check_operands(primitive, parents, Value)
        raise
    out = object.__new__(type(parents[0]))  # _fill's five lines, inline: the hot path
    out._data, out.grad, out.label = data, 0.0, ""  # (a call here costs 7 % of a forward pass)
    out.primitive, out.parents, out.is_constant = primitive, parents, False
    out.version = version
    if on_new_node:  # anomaly mode is on
        for listener in on_new_node:
            listener(out)
    return out


def gradients(outputs: Value | Sequence[Value], seeds: float | Value | Sequence = 1.0, *,
              create_graph: bool = False) -> dict:
    """``d(Σ_k seed_k · output_k)/d(node)`` for every node the outputs depend on: one
    sweep, one seed for all outputs or one each.  Pure: no ``.grad`` is read or written.
    ``create_graph`` picks the local derivatives on Values, here and nowhere else.

        >>> x = Value(3.0)
        >>> g = gradients([x * x, 2 * x], [1.0, 10.0])   # d/dx (x² + 10·2x) = 2x + 20
        >>> g[x]
        26.0
    """
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    start = checks.seeds_by_output(outputs, seeds, Value)  # {output: the sum of its seeds}
    if create_graph:  # every gradient a Value, every local derivative a Value: here alone
        start = {y: y._lift(seed) for y, seed in start.items()}
    rule = local_derivatives_on_values if create_graph else local_derivatives
    with gc_paused():  # the walk and the sweep make no cycles: the collector only slows them
        order = topological_order(*outputs)
        with valuebase.writing:  # no .data is written while the sweep reads the numbers
            checks.check_fresh(order, valuebase.clock)  # a graph changed since: refused
            grads = backward_pass(order, start, rule)
        for listener in on_sweep:  # anomaly mode, when it is on
            listener(order, start, rule, grads)
    return grads


def topological_order(*roots: Value) -> list[Value]:
    """Every node the ``roots`` depend on, each after all of its parents (one root comes
    last).  Depth-first with a stack of its own, not recursion: a million-node chain works."""
    order: list[Value] = []
    visited: set[Value] = set()
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if parent not in visited:
                    visited.add(parent)
                    if not parent.parents:  # a leaf waits for nothing: place it now
                        order.append(parent)
                        continue
                    stack.append((parent, iter(parent.parents)))
                    break  # finish the parent first; resume this node's parents later
            else:  # all parents done: the node can take its place
                stack.pop()
                order.append(node)
    return order


def backward_pass(order: Sequence[Value], seeds: Mapping[Value, object],
                  local_rule: Callable[[Value], Sequence], listen: Callable | None = None) -> dict:
    """The chain rule over ``order`` (topological), from the ``seeds`` ({output: dL/d
    output}) back to the leaves: {node: dL/d node} for every node but the constants.

    The one reverse loop.  ``local_rule(node)`` gives the node's local derivatives, one
    per parent: floats (:func:`local_derivatives`) or Values to be differentiated again
    (:func:`local_derivatives_on_values`).  A parent's first contribution is stored as it
    is, later ones are added.  ``listen(node, slot, upstream, local, before, after)``, if
    given, hears of each contribution just after it is added (``before`` is None for a
    parent's first).  Pure: the gradients live in a dict of their own, no node is written.
    """
    grads = dict(seeds)
    for node in reversed(order):
        upstream = grads.get(node)
        if upstream is None or not node.parents:
            continue  # no path from an output, or a leaf: nothing to send further back
        locals_ = local_rule(node)
        for slot, parent in enumerate(node.parents):
            if parent.is_constant:
                continue  # a number lifted in: nothing could use its gradient
            before = grads.get(parent)
            contribution = upstream * locals_[slot]
            grads[parent] = after = contribution if before is None else before + contribution
            if listen is not None:
                listen(node, slot, upstream, locals_[slot], before, after)
    return grads


def local_derivatives(node: Value) -> tuple:
    """``d(node)/d(parent)`` for each parent, floats, by the op table's rule."""
    primitive = node.primitive
    if primitive is None:  # made by hand (micrograd's _backward): no rule to read
        raise HandWrittenNodeError(node)
    try:
        return primitive.derivative(node._data, *[p._data for p in node.parents])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return checks.partials_despite(node, error)  # fine if only a constant's partial failed


def local_derivatives_on_values(node: Value) -> tuple:
    """The same rule run on the nodes themselves (constants stay floats), so that each
    local derivative is a Value, part of a graph that can be differentiated again."""
    if node.primitive is None:
        raise HandWrittenNodeError(node)
    checks.check_runs_on_values(node.primitive)
    try:
        return node.primitive.derivative(
            node, *[p._data if p.is_constant else p for p in node.parents])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return checks.partials_despite(node, error)


def accumulate(grads: Mapping[Value, float | Value]) -> None:
    """Add ``grads`` ({node: gradient}) into each node's ``.grad``, all or nothing: the
    sums are computed first, then one pass in C writes them (``map`` and ``setattr`` run
    no bytecode), so no interrupt or other thread comes between the first write and the last."""
    nodes = list(grads)
    with _accumulating:  # one thread at a time reads, adds and writes: no update is lost
        totals = list(map(add, map(attrgetter("grad"), nodes), grads.values()))
        deque(map(setattr, nodes, repeat("grad"), totals), maxlen=0)


def grad(output: Value, inputs: Sequence[Value], *,
         create_graph: bool = False) -> list[float | Value]:
    """d(output)/d(input) for each of ``inputs``, like ``torch.autograd.grad``: floats,
    or Values that can be differentiated again with ``create_graph``.  An input that
    ``output`` does not depend on gets 0.  Pure: no ``.grad`` is read or written."""
    inputs = list(inputs)
    checks.check_nodes([output, *inputs], Value, "grad")
    by_node = gradients(output, 1.0, create_graph=create_graph)
    zero = output._lift(0.0) if create_graph else 0.0  # can be differentiated again
    return [by_node.get(x, zero) for x in inputs]
