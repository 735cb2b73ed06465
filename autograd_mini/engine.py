"""The engine: ``Value`` nodes, the graph walk, and the chain rule.

Every operation on Values makes a node that remembers its inputs (``parents``) and the
primitive that made it (:mod:`autograd_mini.ops`).  ``backward`` orders the graph so that
each node comes after all it depends on, then walks that order back from the output.  At
each node the chain rule multiplies the gradient arriving from above (the *upstream*
gradient) by the node's local derivatives and adds the products into its parents:

    dL/d(parent) += dL/d(node) * d(node)/d(parent)

The ``+=`` matters: a node used twice receives the sum of both paths.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from operator import add, attrgetter
from typing import TypeVar, Union

from . import checks, valuebase  # messages, and what a Value needs beyond the lesson
from .checks import HandWrittenNodeError, StaleGraphError, as_float
from .collector import gc_paused
from .ops import PRIMITIVES, Primitive
from .valuebase import ValueBase

__all__ = ["Value", "Number", "apply", "grad", "gradients", "chain_rule", "topological_order",
           "interpret", "local_derivatives", "accumulate", "on_new_node", "on_sweep"]

Number, T = Union[int, float], TypeVar("T")

# The seam for machinery that is not the lesson (anomaly mode): on_new_node hears of each
# node made, on_sweep of each chain-rule sweep done, as (order, seeds, grads, create_graph,
# by_hand) before its gradients are returned.
on_new_node: list[Callable[[Value], None]] = []
on_sweep: list[Callable[..., None]] = []
_accumulating = threading.Lock()  # held while .grad is read, added to and written


class Value(ValueBase):
    """A scalar node of a computation graph.

    Attributes:
        data: the number it holds (ints and bools are stored as float).
        grad: d(output)/d(this node) after ``output.backward()``; starts at 0, accumulates.
        label: display text for pictures, traces and messages; never changes what it is.
        primitive: the :class:`~autograd_mini.ops.Primitive` that made it; None for a leaf.
        parents: its inputs, in order and with repeats (``a * a`` has two).
        is_constant: true for a number an operator lifted in (the ``3`` of ``3 * x``).
        version: when its number was made or last written (see ``valuebase``).
    Operators and methods come from the op table: ``x * y`` is ``apply("mul", x, y)``.
    """

    __slots__ = ("_data", "grad", "primitive", "parents", "label", "is_constant", "version",
                 "made_at")  # made_at: the line of code that made it, kept in anomaly mode

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"a label must be text, got {type(label).__name__}")
        self._data, self.grad, self.label = as_float(data), 0.0, label
        self.primitive: Primitive | None = None  # a leaf: made by no primitive
        self.parents: tuple[Value, ...] = ()
        self.is_constant, self.version = False, valuebase.writes

    def backward(self, gradient: Number = 1.0, *, create_graph: bool = False) -> None:
        """Add ``gradient`` · d(self)/d(node) into ``.grad`` of every node of the graph.

        Gradients **accumulate** (``+=``), so a loss can be summed over samples one
        ``backward`` at a time (``zero_grad()`` resets them).  Atomic: an error or an
        interrupt leaves every ``.grad`` as it was.  With ``create_graph`` each ``.grad``
        is a Value that can be differentiated again."""
        seed = self._lift(gradient) if create_graph else as_float(gradient, "gradient")
        accumulate(gradients(self, seed, create_graph=create_graph))

    def _lift(self, other: object) -> Value:
        """``other`` as a Value: a plain number becomes a constant leaf."""
        if isinstance(other, Value):
            return other
        return constant(type(self), as_float(other, "an operation on Values"))


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


def constant(kind: type[Value], data: float) -> Value:
    """A number lifted into the graph: a leaf that is a constant, not an input."""
    node = object.__new__(kind)  # skip __init__: data is a float already
    node._data, node.grad, node.label = data, 0.0, ""
    node.primitive, node.parents, node.is_constant = None, (), True
    node.version = valuebase.writes
    return node


def apply(name: str | Primitive, *parents: Value) -> Value:
    """Make the node ``name(*parents)``, its value computed by the op table's rule.  An
    input outside the op's domain raises ValueError or ZeroDivisionError naming it."""
    try:
        primitive = name if isinstance(name, Primitive) else PRIMITIVES[name]
    except (KeyError, TypeError):
        checks.look_up(name)  # no such op: the message lists the table
    if primitive.layout.columns and primitive.layout.size(len(parents)) is None:
        checks.check_operands(primitive, parents, Value)  # too many or too few: it says so
    try:
        data = primitive.value(*[p._data for p in parents])
    except (ValueError, ZeroDivisionError) as error:
        raise type(error)(checks.describe(primitive, parents, error)) from None
    except (AttributeError, TypeError, IndexError):
        checks.check_operands(primitive, parents, Value)
        raise
    out = object.__new__(type(parents[0]))  # skip __init__: data is a float already
    out._data, out.grad, out.label = data, 0.0, ""
    out.primitive, out.parents, out.is_constant = primitive, parents, False
    out.version = valuebase.writes
    if on_new_node:  # anomaly mode is on
        for listener in on_new_node:
            listener(out)
    return out


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


def interpret(order: Sequence[Value], leaf: Callable[[Value], T],
              rule: Callable[[Value, list[T]], T], by_hand: bool = False) -> dict[Value, T]:
    """The one loop every interpreter of a graph shares (JAX's ``eval_jaxpr``): over
    ``order`` (topological), each node's result is ``leaf(node)`` for an input or a
    constant (``node.is_constant``), ``rule(node, [result of each parent])`` for a node a
    primitive made (and one made by hand, if ``by_hand``).  Replay, forward mode, SymPy,
    compiled code and the trace each supply their two rules:

        >>> x = Value(2.0)
        >>> y = x * x + 1
        >>> interpret(topological_order(y), lambda n: n.data,
        ...           lambda n, args: n.primitive.value(*args))[y]
        5.0
    """
    results: dict[Value, T] = {}
    for node in order:
        if not node.parents:
            results[node] = leaf(node)
            continue
        if node.primitive is None and not by_hand:  # made by hand: no rule to read
            raise HandWrittenNodeError(node)
        checks.check_fresh(node)
        results[node] = rule(node, [results[p] for p in node.parents])
    return results


def local_derivatives(node: Value, create_graph: bool = False) -> tuple:
    """``d(node)/d(parent)`` for each parent, by the table's rule: on floats, or on Values
    (constants stay floats) to be differentiated again."""
    primitive = node.primitive
    if primitive is None:
        raise HandWrittenNodeError(node)  # a leaf has no rule either
    checks.check_fresh(node)
    try:
        if not create_graph:
            return primitive.derivative(node._data, *[p._data for p in node.parents])
        checks.check_runs_on_values(primitive)
        return primitive.derivative(node, *[p._data if p.is_constant else p
                                            for p in node.parents])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return checks.partials_despite(node, error)  # fine if only a constant's partial failed


def chain_rule(order: Sequence[Value], seeds: Mapping[Value, float | Value],
               create_graph: bool = False, listen: Callable | None = None,
               by_hand: Callable[[Value], Sequence[float]] | None = None) -> dict:
    """The chain rule over ``order`` (topological) from the ``seeds`` ({output: dL/d
    output}) back to the leaves: {node: dL/d node} for all but the constants, in a dict of
    its own (no node is written, so concurrent calls cannot disturb the graph).  ``listen``
    hears of each step before it is taken.  A node made by hand raises, unless
    ``by_hand(node)`` gives its local derivatives (on floats)."""
    listeners = [listen] if listen else []
    grads = (_sweep_values(order, seeds, listeners) if create_graph else
             _sweep_floats(order, seeds, listeners, by_hand))
    for listener in on_sweep:  # anomaly mode is on
        listener(order, seeds, grads, create_graph, by_hand)
    return grads


def _sweep_floats(order, seeds, listeners, by_hand=None) -> dict:
    """The chain rule on floats: every gradient starts at 0, each product is added."""
    grads = dict.fromkeys([node for node in order if not node.is_constant], 0.0)
    grads.update(seeds)
    for node in reversed(order):
        if node.primitive is not None:
            try:
                locals_ = node.primitive.derivative(node._data, *[p._data for p in node.parents])
            except (ValueError, ZeroDivisionError, OverflowError) as error:
                locals_ = checks.partials_despite(node, error)
        elif node.parents:  # made by hand, micrograd style: its own closure, if allowed
            locals_ = checks.by_hand(node, by_hand)
        else:
            continue  # a leaf: nothing further back
        upstream, version = grads[node], node.version
        if listeners:  # the trace, say
            for listener in listeners:
                listener(node, upstream, locals_, grads)
        for parent, local in zip(node.parents, locals_):
            if parent.version > version:  # written after this node was made from it
                raise StaleGraphError(parent, node)
            if not parent.is_constant:  # a constant's gradient would never be used
                grads[parent] += upstream * local
    return grads


def _sweep_values(order, seeds, listeners) -> dict:
    """The chain rule on Values: a first product is taken as it is (no ``0 + g`` nodes)."""
    grads = dict(seeds)
    for node in reversed(order):  # as _sweep_floats, but the rules run on Values
        upstream = grads.get(node)
        if upstream is None or not node.parents:  # no path to an output, or a leaf
            continue
        locals_ = local_derivatives(node, create_graph=True)
        if listeners:  # the trace, say
            for listener in listeners:
                listener(node, upstream, locals_, grads)
        for parent, local in zip(node.parents, locals_):
            if not parent.is_constant:
                before = grads.get(parent)
                grads[parent] = upstream * local if before is None else before + upstream * local
    return grads


def gradients(outputs: Value | Sequence[Value], seeds: float | Value | Sequence = 1.0, *,
              create_graph: bool = False) -> dict[Value, float | Value]:
    """``d(Σ_k seed_k · output_k)/d(node)`` for every node the outputs depend on: one
    sweep, one seed for all outputs or one each.  Pure: no ``.grad`` is read or written.

        >>> x = Value(3.0)
        >>> g = gradients([x * x, 2 * x], [1.0, 10.0])   # d/dx (x² + 10·2x) = 2x + 20
        >>> g[x]
        26.0
    """
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    start = checks.seeds_by_output(outputs, seeds, Value)  # {output: the sum of its seeds}
    with gc_paused():  # the walk and the sweep make no cycles: the collector only slows them
        return chain_rule(topological_order(*outputs), start, create_graph)


def grad(output: Value, inputs: Sequence[Value], *,
         create_graph: bool = False) -> list[float | Value]:
    """d(output)/d(input) for each of ``inputs``, like ``torch.autograd.grad``: floats,
    or Values that can be differentiated again with ``create_graph``.  An input that
    ``output`` does not depend on gets 0.  Pure: no ``.grad`` is read or written."""
    inputs = list(inputs)
    checks.check_nodes([output, *inputs], Value, "grad")
    seed = output._lift(1.0) if create_graph else 1.0
    by_node = gradients(output, seed, create_graph=create_graph)
    zero = constant(type(output), 0.0) if create_graph else 0.0  # can be differentiated again
    return [by_node.get(x, zero) for x in inputs]


def accumulate(grads: Mapping[Value, float | Value]) -> None:
    """Add ``grads`` ({node: gradient}) into each node's ``.grad``, all or nothing: the
    sums are computed first, then one pass in C writes them (``map`` and ``setattr`` run
    no bytecode), so no interrupt or other thread comes between the first write and the last."""
    nodes = list(grads)
    with _accumulating:  # one thread at a time reads, adds and writes: no update is lost
        totals = list(map(add, map(attrgetter("grad"), nodes), grads.values()))
        deque(map(setattr, nodes, repeat("grad"), totals), maxlen=0)
