"""The engine: ``Value`` nodes, the graph walk, and the chain rule.

Every arithmetic operation on Values makes a new node that remembers its inputs
(``parents``) and the primitive that produced it (see :mod:`autograd_mini.ops`).
``backward`` orders the graph so that each node comes after everything it depends
on, then walks that order from the output back to the leaves.  At each node the
chain rule multiplies the gradient arriving from above (the *upstream* gradient)
by the node's local derivatives and adds the products into its parents:

    dL/d(parent) += dL/d(node) * d(node)/d(parent)

The ``+=`` matters: a node used twice receives the sum of both paths.
"""

from __future__ import annotations

import gc
import linecache
import math
import numbers
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from itertools import repeat
from operator import add, attrgetter
from typing import TypeVar, Union

from .ops import PRIMITIVES, Primitive

__all__ = [
    "Value", "Number", "apply", "grad", "gradients", "chain_rule", "sum", "dot",
    "topological_order", "interpret", "local_derivatives", "accumulate", "gc_paused",
    "HandWrittenNodeError", "detect_anomaly", "AnomalyError",
]

Number = Union[int, float]
T = TypeVar("T")


def _as_float(data: object, what: str = "Value") -> float:
    if type(data) is float:  # the common case, checked first because it is cheap
        return data
    if isinstance(data, numbers.Real):  # int, bool, numpy scalars, Fraction
        try:
            return float(data)
        except OverflowError:  # an integer beyond the float range: ±inf, as in IEEE 754
            return math.inf if data > 0 else -math.inf
    raise TypeError(
        f"{what} expects a real number (int or float), "
        f"got {data!r} of type {type(data).__name__}"
    )


class Value:
    """A scalar node of a computation graph.

    Args:
        data: the number this node holds; ints and bools are stored as float.
        label: an optional name shown in pictures, traces and error messages.  It is
            display text only: it never changes what the node is or does.

    Every Value you make is an *input* (it receives a gradient), labelled or not.  A
    plain number that an operator lifts into the graph (the ``3`` of ``3 * x``) is a
    *constant*: ``is_constant`` is true, and pictures and traces show it as a number.

    Attributes:
        data: the node's value.
        grad: the derivative of the output ``backward`` was called on with respect to
            this node; starts at 0.0 and accumulates.
        label: the node's name ("" if none).
        primitive: the :class:`~autograd_mini.ops.Primitive` that made this node,
            ``None`` for a leaf.
        parents: the input nodes, in order and with repeats (``a * a`` has two).
        is_constant: true for a number lifted into the graph by an operator.
    """

    __slots__ = ("data", "grad", "primitive", "parents", "label", "is_constant")

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"a label must be text, got {type(label).__name__}")
        self.data = _as_float(data)
        self.grad: float | Value = 0.0
        self.primitive: Primitive | None = None
        self.parents: tuple[Value, ...] = ()
        self.label = label
        self.is_constant = False

    @property
    def op(self) -> str:
        """Name of the primitive that made this node, ``""`` for a leaf."""
        return self.primitive.name if self.primitive is not None else ""

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- the chain rule --------------------------------------------------------

    def backward(self, gradient: Number = 1.0, *, create_graph: bool = False) -> None:
        """Add the gradient of this node into ``.grad`` of every node of its graph.

        Gradients **accumulate**: calling ``backward`` twice adds the gradients twice,
        because the graph is kept (there is nothing to free in a scalar engine).  This
        is what makes a node used twice receive the sum of both paths, and what lets a
        loss be summed over samples one ``backward`` at a time.  Reset gradients
        (``v.grad = 0.0``, or a module's ``zero_grad()``) between passes when that is
        not what you want.

        The call is atomic: the gradients are computed apart (by :func:`gradients`)
        and written in one step at the end, so an error or a ``KeyboardInterrupt``
        leaves every ``.grad`` as it was.

        Args:
            gradient: the seed ``dL/d(self)``; 1.0 differentiates ``self`` itself.
            create_graph: build the gradient computation as Values, so that ``.grad``
                becomes a ``Value`` that can be differentiated again.
        """
        seed = self._lift(gradient) if create_graph else _as_float(gradient, "gradient")
        accumulate(gradients(self, seed, create_graph=create_graph))

    # -- making nodes ------------------------------------------------------------

    def _lift(self, other: object) -> Value:
        """``other`` as a Value: a plain number becomes a constant leaf."""
        if isinstance(other, Value):
            return other
        return _constant(type(self), _as_float(other, "an operation on Values"))

    def __add__(self, other: object) -> Value:
        return apply("add", self, self._lift(other))

    def __radd__(self, other: object) -> Value:  # other + self
        return apply("add", self._lift(other), self)

    def __sub__(self, other: object) -> Value:
        return apply("sub", self, self._lift(other))

    def __rsub__(self, other: object) -> Value:  # other - self
        return apply("sub", self._lift(other), self)

    def __mul__(self, other: object) -> Value:
        return apply("mul", self, self._lift(other))

    def __rmul__(self, other: object) -> Value:  # other * self
        return apply("mul", self._lift(other), self)

    def __truediv__(self, other: object) -> Value:
        return apply("div", self, self._lift(other))

    def __rtruediv__(self, other: object) -> Value:  # other / self
        return apply("div", self._lift(other), self)

    def __neg__(self) -> Value:
        return apply("neg", self)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, exponent: object) -> Value:
        return apply("pow", self, self._lift(exponent))

    def __rpow__(self, base: object) -> Value:  # base ** self
        return apply("pow", self._lift(base), self)

    # Comparisons look at the data, so ``if x > 0`` works as with plain numbers.
    # Equality is left as identity: nodes are dictionary keys during backward.
    def __lt__(self, other: object) -> bool:
        return self.data < _data(other)

    def __le__(self, other: object) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: object) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: object) -> bool:
        return self.data >= _data(other)

    def __float__(self) -> float:
        return self.data

    def exp(self) -> Value:
        return apply("exp", self)

    def log(self) -> Value:
        return apply("log", self)

    def tanh(self) -> Value:
        return apply("tanh", self)

    def sigmoid(self) -> Value:
        return apply("sigmoid", self)

    def relu(self) -> Value:
        return apply("relu", self)

    def softplus(self) -> Value:
        return apply("softplus", self)

    def sin(self) -> Value:
        return apply("sin", self)

    def cos(self) -> Value:
        return apply("cos", self)

    def sqrt(self) -> Value:
        return apply("sqrt", self)

    def __abs__(self) -> Value:
        return apply("abs", self)

    abs = __abs__


_GRAD = attrgetter("grad")


def accumulate(grads: Mapping[Value, float | Value]) -> None:
    """Add ``grads`` (``{node: gradient}``) into each node's ``.grad``, all or nothing.

    The sums are computed first; then one pass in C writes them (``map`` and
    ``setattr`` run no Python bytecode), so neither an interrupt nor another thread
    can come between the first write and the last.
    """
    nodes = list(grads)
    totals = list(map(add, map(_GRAD, nodes), grads.values()))  # nothing written yet
    deque(map(setattr, nodes, repeat("grad"), totals), maxlen=0)


def _constant(kind: type[Value], data: float) -> Value:
    """A number lifted into the graph: a leaf that is a constant, not an input."""
    node = object.__new__(kind)  # skip __init__: data is a float already
    node.data = data
    node.grad = 0.0
    node.primitive = None
    node.parents = ()
    node.label = ""
    node.is_constant = True
    return node


def _data(x: object) -> float:
    return x.data if isinstance(x, Value) else _as_float(x, "a comparison with a Value")


def apply(name: str | Primitive, *parents: Value) -> Value:
    """Make the node ``name(*parents)``: compute its value by the op table's rule.

    Raises:
        ValueError, ZeroDivisionError: an input lies outside the op's domain; the
            message names the op, each operand's value and its label.
    """
    try:
        primitive = name if isinstance(name, Primitive) else PRIMITIVES[name]
    except (KeyError, TypeError):
        raise ValueError(f"no primitive named {name!r}; the op table has "
                         f"{', '.join(sorted(PRIMITIVES))}") from None
    if primitive.layout.columns and primitive.layout.size(len(parents)) is None:
        raise ValueError(f"{primitive.name} cannot take {len(parents)} inputs: its inputs "
                         f"are {', '.join(primitive.layout.generic_names)}")
    try:
        data = primitive.value(*[p.data for p in parents])
    except (ValueError, ZeroDivisionError) as error:
        raise type(error)(_domain_message(primitive, parents, error)) from None
    except (AttributeError, TypeError, IndexError):
        _check_operands(primitive, parents)
        raise
    out = object.__new__(type(parents[0]))  # skip __init__: data is a float already
    out.data = data
    out.grad = 0.0
    out.primitive = primitive
    out.parents = parents
    out.label = ""
    out.is_constant = False
    if _anomaly_sites is not None:
        _check_value(out)
    return out


def _check_operands(primitive: Primitive, parents: Sequence[object]) -> None:
    """Say clearly what is wrong with the operands of ``apply``, if anything."""
    for p in parents:
        if not isinstance(p, Value):
            raise TypeError(f"{primitive.name} expects Values as inputs, "
                            f"got {type(p).__name__}") from None
    if primitive.arity is not None and len(parents) != primitive.arity:
        raise TypeError(f"{primitive.name} takes {primitive.arity} inputs, "
                        f"got {len(parents)}") from None


def _domain_message(primitive: Primitive, parents: Sequence[Value],
                    error: Exception | None = None) -> str:
    """``log(0.0 (label 'z'))``, and ``: <error>`` when there is one."""
    operands = ", ".join(
        f"{p.data!r}" + (f" (label {p.label!r})" if p.label else "") for p in parents
    )
    return f"{primitive.name}({operands})" + (f": {error}" if error is not None else "")


def sum(values: Iterable[Value | Number]) -> Value:  # shadows builtins.sum on purpose
    """``Σ x_i`` as one node (instead of a chain of binary adds)."""
    nodes = _lift_all(values, "sum")
    return apply("sum", *nodes)


def dot(weights: Iterable[Value | Number], inputs: Iterable[Value | Number]) -> Value:
    """The weighted sum ``Σ w_i x_i`` of the 1986 paper's units, as one node."""
    weights, inputs = list(weights), list(inputs)
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot needs as many weights as inputs, got {len(weights)} and {len(inputs)}"
        )
    return apply("dot", *_lift_all([*weights, *inputs], "dot"))


def _lift_all(items: Iterable[Value | Number], what: str) -> list[Value]:
    items = list(items)
    if not items:
        raise ValueError(f"{what} needs at least one value")
    for v in items:
        if not isinstance(v, Value):
            break
    else:
        return items  # all Values already: the common case inside a network
    kind = next((type(v) for v in items if isinstance(v, Value)), Value)
    return [v if isinstance(v, Value) else _constant(kind, _as_float(v, what)) for v in items]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block, e.g. one training step.

    While a big graph is built the collector keeps walking its young, live nodes (in
    micrograd, whose closures make cycles, that is ~90 % of a training step).  Values
    make no reference cycles -- a node points only to its parents -- so reference
    counting frees a graph as soon as it is dropped and the collector has nothing to
    find.  The collector's previous state is restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- the graph walk -------------------------------------------------------------


def topological_order(*roots: Value) -> list[Value]:
    """Every node the ``roots`` depend on, each after all of its parents.

    Iterative depth-first search (an explicit stack instead of recursion), so a
    chain of a million nodes is no problem.  With one root, it comes last.
    """
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


def interpret(
    order: Sequence[Value], leaf: Callable[[Value], T], rule: Callable[[Value, list[T]], T],
) -> dict[Value, T]:
    """Run one interpreter over a graph: the one loop every interpreter shares.

    ``order`` is topological (as from :func:`topological_order`).  Each node's result is
    ``leaf(node)`` for a node with no inputs (an input, or a constant: ``node.is_constant``)
    and ``rule(node, [result of each parent])`` for a node made by a primitive
    (``node.primitive``).  Returns ``{node: result}``.  Evaluation, forward mode, SymPy
    export, compiled code and the trace are each this loop with their own two rules
    (JAX's ``eval_jaxpr``):

        >>> from autograd_mini import Value
        >>> x = Value(2.0)
        >>> y = x * x + 1
        >>> interpret(topological_order(y), lambda n: n.data,
        ...           lambda n, args: n.primitive.value(*args))[y]
        5.0
    """
    results: dict[Value, T] = {}
    for node in order:
        if node.primitive is not None:
            results[node] = rule(node, [results[p] for p in node.parents])
        elif node.parents:  # made by hand, micrograd style: no rule to read
            raise HandWrittenNodeError(node)
        else:
            results[node] = leaf(node)
    return results


def local_derivatives(node: Value, create_graph: bool = False) -> tuple:
    """``d(node)/d(parent)`` for each differentiable parent, from the op table.

    With ``create_graph`` the rule runs on Values (constants stay floats), so the
    result is part of a graph that can be differentiated again.
    """
    primitive = node.primitive
    if primitive is None:
        raise HandWrittenNodeError(node)
    if not create_graph:
        return primitive.derivative(node.data, *[p.data for p in node.parents])
    if not primitive.runs_on_values:
        raise TypeError(
            f"the derivative rule of {primitive.name!r} runs on floats only (it calls math "
            "functions, say), so it cannot be differentiated again: write it with "
            "arithmetic and the functions of autograd_mini.ops (exp, log, sigmoid, ...)")
    return primitive.derivative(node, *[p.data if p.is_constant else p for p in node.parents])


class HandWrittenNodeError(TypeError):
    """A node made by hand (micrograd style) has no rule in the op table to read."""

    def __init__(self, node: Value) -> None:
        op = getattr(node, "_op", "") or "?"
        label = f" labelled {node.label!r}" if node.label else ""
        super().__init__(
            f"the node {op!r}{label} (data {node.data!r}) was made by hand with its own "
            "_backward, which only backward() can run: grad(), gradients() and trace() "
            "read each derivative from the op table -- register the op as a Primitive"
        )


def chain_rule(
    order: Sequence[Value], seeds: Mapping[Value, float | Value], create_graph: bool = False,
    on_step: Callable | None = None,
) -> dict[Value, float | Value]:
    """The chain rule over ``order`` (topological, as from :func:`topological_order`),
    from the ``seeds`` (``{output: d L/d output}``) back to the leaves.

    Returns ``{node: d L/d node}`` for every node of ``order``, constants left out
    (nothing can change them).  Nothing is written to any
    node: the gradients live in this call's own dictionary, so concurrent calls and
    interrupted calls cannot disturb each other or the graph.

        dL/d(parent) += dL/d(node) * d(node)/d(parent)

    ``on_step(node, upstream, locals)``, if given, hears of each step before it is
    applied: the step-by-step trace listens here.
    """
    if create_graph:  # no "0 + g" nodes: a parent's first gradient is taken as is
        grads = dict(seeds)
    else:  # every gradient starts at 0 (constants get none: nothing can change them)
        grads = dict.fromkeys([node for node in order if not node.is_constant], 0.0)
        grads.update(seeds)
    get = grads.get
    anomaly = _anomaly_sites is not None
    try:
        for node in reversed(order):
            primitive = node.primitive
            if primitive is None:
                if node.parents:  # made by hand, micrograd style
                    raise HandWrittenNodeError(node)
                continue  # a leaf: nothing further back
            upstream = get(node)
            if upstream is None:
                continue  # no path from here to a seeded output
            if create_graph:
                locals_ = local_derivatives(node, True)
            else:  # local_derivatives(node), written out: this is the hot loop
                locals_ = primitive.derivative(node.data, *[p.data for p in node.parents])
            if on_step is not None:
                on_step(node, upstream, locals_)
            # A constant's gradient would never be used: it is not computed.
            if create_graph:
                for parent, local in zip(node.parents, locals_):
                    if not parent.is_constant:
                        before = get(parent)
                        grads[parent] = (upstream * local if before is None
                                         else before + upstream * local)
            else:
                for parent, local in zip(node.parents, locals_):
                    if not parent.is_constant:
                        grads[parent] += upstream * local
            if anomaly:
                _check_gradients(node, upstream, locals_, grads)
    except (ValueError, ZeroDivisionError, OverflowError) as error:  # e.g. sqrt'(0) = 1/0
        message = _domain_message(node.primitive, node.parents, error)
        raise type(error)(f"no derivative at {message} ({node.primitive.formula})") from None
    return grads


def gradients(
    outputs: Value | Sequence[Value], seeds: float | Value | Sequence = 1.0, *,
    create_graph: bool = False,
) -> dict[Value, float | Value]:
    """``d(Σ_k seed_k · output_k)/d(node)`` for every node the outputs depend on.

    One sweep serves any number of outputs, each with its seed (one number for all, or
    one per output).  Pure: no ``.grad`` is read or written.

        >>> from autograd_mini import Value
        >>> x = Value(3.0)
        >>> g = gradients([x * x, 2 * x], [1.0, 10.0])   # d/dx (x² + 10·2x) = 2x + 20
        >>> g[x]
        26.0
    """
    outputs = [outputs] if isinstance(outputs, Value) else list(outputs)
    for y in outputs:
        if not isinstance(y, Value):
            raise TypeError(f"gradients expects Values as outputs, got {type(y).__name__}")
    if isinstance(seeds, (Value, numbers.Real)):
        seeds = [seeds] * len(outputs)
    seeds = list(seeds)
    if len(seeds) != len(outputs):
        raise ValueError(f"{len(outputs)} outputs but {len(seeds)} seeds")
    start: dict[Value, float | Value] = {}
    for y, seed in zip(outputs, seeds):
        if not isinstance(seed, Value):
            seed = _as_float(seed, "a seed")
        start[y] = seed if y not in start else start[y] + seed
    with gc_paused():  # the sweep makes no reference cycles: the collector would only slow it
        return chain_rule(topological_order(*outputs), start, create_graph)


def grad(
    output: Value, inputs: Sequence[Value], *, create_graph: bool = False
) -> list[float | Value]:
    """The gradients of ``output`` with respect to ``inputs``, without touching ``.grad``.

    Like ``torch.autograd.grad``.  An input that ``output`` does not depend on gets 0.
    Pure and thread-safe: it computes into its own dictionary (see :func:`gradients`).

    Args:
        output: the node to differentiate.
        inputs: the nodes to differentiate with respect to.
        create_graph: return Values that can be differentiated again.

    Returns:
        One gradient per input, floats (or Values with ``create_graph``).
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad expects a Value as output, got {type(output).__name__}")
    inputs = list(inputs)
    for x in inputs:
        if not isinstance(x, Value):
            raise TypeError(f"grad expects Values as inputs, got {type(x).__name__}")
    seed = output._lift(1.0) if create_graph else 1.0
    by_node = gradients(output, seed, create_graph=create_graph)
    return [by_node.get(x, 0.0) for x in inputs]


# -- anomaly mode ------------------------------------------------------------------------

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_anomaly_sites: dict[Value, tuple[str, int]] | None = None  # None: the mode is off


class AnomalyError(ArithmeticError):
    """A value or a gradient turned NaN or ±inf from finite numbers (see detect_anomaly)."""


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Stop at the first node whose value or gradient turns NaN or ±inf from finite numbers.

    Inside the block every new node remembers the file and line of the code that made
    it, and

    * forward: a node whose value is not finite although its inputs are raises
      :class:`AnomalyError` as it is made;
    * backward: a chain-rule product that is not finite although the upstream gradient
      is raises :class:`AnomalyError`, naming the node and where it was made.

        >>> from autograd_mini import Value
        >>> x = Value(1000.0, label="x")
        >>> with detect_anomaly():
        ...     y = x.exp() - x.exp()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        autograd_mini.engine.AnomalyError: exp(1000.0 (label 'x')) = inf from finite inputs, ...

    The checks cost time, so the normal path makes none.  Like PyTorch's anomaly mode
    it is one switch for the whole process, not per thread.
    """
    global _anomaly_sites
    previous = _anomaly_sites
    _anomaly_sites = {} if previous is None else previous
    try:
        yield
    finally:
        _anomaly_sites = previous


def _site() -> tuple[str, int]:
    """(file, line) of the innermost caller outside this package."""
    frame = sys._getframe(2)
    while frame is not None and _inside_package(frame.f_code.co_filename):
        frame = frame.f_back
    return ("?", 0) if frame is None else (frame.f_code.co_filename, frame.f_lineno)


@cache
def _inside_package(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE)


def _where(site: tuple[str, int] | None) -> str:
    """``file:line: code`` for an error message (the code read only now, when needed)."""
    if site is None:
        return "a place outside detect_anomaly()"
    filename, line = site
    code = linecache.getline(filename, line).strip()
    return f"{filename}:{line}" + (f": {code}" if code else "")


def _check_value(node: Value) -> None:
    site = _anomaly_sites[node] = _site()
    if not math.isfinite(node.data) and all(math.isfinite(p.data) for p in node.parents):
        raise AnomalyError(f"{_domain_message(node.primitive, node.parents)} = "
                           f"{node.data!r} from finite inputs, made at {_where(site)} "
                           f"({node.primitive.formula})")


def _check_gradients(node: Value, upstream, locals_, grads: dict) -> None:
    """After the step at ``node``: a product, or a parent's sum of products, that is not
    finite although the upstream gradient is."""
    if not math.isfinite(_number(upstream)):
        return  # not the first: the upstream gradient was bad already
    for parent, local in zip(node.parents, locals_):
        product = _number(upstream) * _number(local)
        total = _number(grads.get(parent, 0.0))
        if parent.is_constant or (math.isfinite(product) and math.isfinite(total)):
            continue
        what = (f"turned {product!r}: upstream {_number(upstream)!r} × local derivative "
                f"{_number(local)!r}" if not math.isfinite(product) else
                f"summed to {total!r} when {product!r} was added to a parent's gradient")
        raise AnomalyError(
            f"the gradient through {_domain_message(node.primitive, node.parents)} {what}, "
            f"node made at {_where(_anomaly_sites.get(node))} ({node.primitive.formula})")


def _number(x: float | Value) -> float:
    return x.data if isinstance(x, Value) else x
