"""Hypothesis strategies for property-testing gradients.

    from hypothesis import given
    from autograd_mini.testing import gradcheck
    from autograd_mini.testing.strategies import expressions

    @given(expressions(max_depth=4))
    def test_backward_matches_finite_differences(case):
        f, inputs = case
        assert gradcheck(f, inputs)

Expressions are built from the op table, so an op you :func:`~autograd_mini.register`
is drawn too.  Each op only receives inputs inside its ``samples`` intervals (no log of a negative
number, no division by a number near 0, no relu right at its kink), so every generated
expression is differentiable where it is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from hypothesis import strategies as st

from ..core.engine import Value, apply, topological_order
from ..core.interpret import interpret
from ..core.naming import input_label
from ..core.ops import PRIMITIVES, REAL, Primitive

__all__ = ["points", "values", "op_inputs", "expressions", "Expression"]

Domain = tuple[tuple[float, float], ...]
T = TypeVar("T")

# Where generated intermediate results must stay, so finite differences stay accurate.
_LIMIT = 50.0


def points(domain: Domain | tuple[float, float] = REAL) -> st.SearchStrategy:
    """Floats inside ``domain``: one ``(low, high)`` interval or a tuple of them."""
    intervals = (domain,) if isinstance(domain[0], (int, float)) else domain
    return st.one_of(*[
        st.floats(low, high, allow_nan=False, allow_infinity=False) for low, high in intervals
    ])


def values(domain: Domain | tuple[float, float] = REAL,
           label: str = "") -> st.SearchStrategy:
    """Leaf Values whose data lies inside ``domain``."""
    return points(domain).map(lambda x: Value(x, label=label))


@st.composite
def op_inputs(draw, primitive: Primitive | str, max_variadic: int = 4) -> tuple[float, ...]:
    """A point inside ``primitive``'s domain, with the right number of inputs."""
    primitive = PRIMITIVES[primitive] if isinstance(primitive, str) else primitive
    if primitive.arity is None:
        count = primitive.layout.count(draw(st.integers(1, max_variadic)))
        return tuple(draw(points(primitive.samples[0])) for _ in range(count))
    return tuple(draw(points(domain)) for domain in primitive.samples)


def _inside(x: float, domain: Domain) -> bool:
    return any(low <= x <= high for low, high in domain)


class Expression:
    """A random expression: call it with Values, read it with ``repr``.

    It is a graph of Values built at the drawn point (``inputs``, the leaves ``x1, x2,
    ...``, and its ``output``).  Calling it replays that graph on your Values, reading it
    writes it out: both are the one interpreter loop (:func:`~autograd_mini.core.engine.interpret`),
    which :meth:`interpret` lends to any other rule.

        >>> x1, x2 = Value(1.0, label="x1"), Value(0.0, label="x2")
        >>> f = Expression([x1, x2], x1 * x2.exp())
        >>> f
        mul(x1, exp(x2))
        >>> f(Value(3.0), Value(0.0)).data
        3.0
        >>> f.interpret([2.0, 0.0].__getitem__, lambda node, args: node.primitive.value(*args))
        2.0
    """

    __slots__ = ("inputs", "output", "order", "_positions")

    def __init__(self, inputs: Sequence[Value], output: Value) -> None:
        self.inputs: tuple[Value, ...] = tuple(inputs)
        self.output = output
        self.order = topological_order(output)  # only what the output depends on
        self._positions = {leaf: i for i, leaf in enumerate(self.inputs)}

    def interpret(self, leaf: Callable[[int], T], rule: Callable[[Value, list[T]], T]) -> T:
        """The result at the output of an interpreter of the drawn graph: ``leaf(i)`` for
        its ``i``-th input, ``rule(node, [result of each parent])`` for each node an op
        made (``node.primitive``)."""
        positions = self._positions
        return interpret(self.order, lambda node: leaf(positions[node]), rule)[self.output]

    def __call__(self, *inputs: Value) -> Value:
        """The same graph, made of ``inputs`` (of their Value class) by :func:`apply`."""
        if len(inputs) != len(self.inputs):
            raise TypeError(f"{self!r} takes {len(self.inputs)} inputs, got {len(inputs)}")
        return self.interpret(inputs.__getitem__,
                              lambda node, args: apply(node.primitive, *args))

    def __repr__(self) -> str:
        return self.interpret(lambda i: input_label(i + 1),
                              lambda node, args: f"{node.primitive.name}({', '.join(args)})")


@st.composite
def expressions(
    draw,
    *,
    max_depth: int = 4,
    max_inputs: int = 3,
    max_ops: int = 8,
    ops: Sequence[str] | None = None,
    share: bool = True,
    at: Sequence[float] | None = None,
) -> tuple[Expression, tuple[float, ...]]:
    """``(f, inputs)`` pairs for :func:`~autograd_mini.testing.gradcheck`.

    Args:
        max_depth: the longest path from an input to the output, in operations.
        max_inputs: how many input variables at most.
        max_ops: how many operations at most.
        ops: names of the primitives to use (default: the whole table).
        share: let an operation reuse an earlier result, so sub-expressions are used
            twice and their gradients must add up; without it every intermediate
            result is used once (inputs can always be reused).
        at: evaluate at this point instead of drawing one (to build several
            expressions of the same inputs).

    Each operation gets arguments whose values at the drawn point lie inside its
    domain; an operation that fits nowhere, or whose result would exceed 50 in size,
    is left out, so finite differences stay accurate.
    """
    names = sorted(ops if ops is not None else PRIMITIVES)
    if at is None:
        point = tuple(draw(points()) for _ in range(draw(st.integers(1, max_inputs))))
    else:
        point = tuple(float(x) for x in at)
    n_inputs = len(point)
    inputs = [Value(x, label=input_label(k)) for k, x in enumerate(point, 1)]
    nodes, depth, used = list(inputs), [0] * n_inputs, [False] * n_inputs
    for _ in range(draw(st.integers(1, max_ops))):
        candidates = [i for i in range(len(nodes)) if depth[i] < max_depth
                      and (share or i < n_inputs or not used[i])]
        drawn = _draw_node(draw, PRIMITIVES[draw(st.sampled_from(names))], candidates, nodes)
        if drawn is None:
            continue
        primitive, args = drawn
        node = apply(primitive, *[nodes[i] for i in args])
        if not abs(node.data) <= _LIMIT:
            continue
        for i in args:
            used[i] = True
        nodes.append(node)
        depth.append(1 + max(depth[i] for i in args))
        used.append(False)
    return Expression(inputs, nodes[-1]), point


def _draw_node(draw, primitive: Primitive, candidates: list[int], nodes: list[Value]):
    """``(primitive, positions of its arguments among nodes)``, each argument's value
    inside its domain; None if some argument fits nowhere."""
    arity = primitive.arity
    if arity is None:
        arity = primitive.layout.count(draw(st.integers(1, 3)))
        domains = [primitive.samples[0]] * arity
    else:
        domains = list(primitive.samples)
    args: list[int] = []
    for domain in domains:
        fitting = [i for i in candidates if _inside(nodes[i].data, domain)]
        if not fitting:
            return None
        args.append(draw(st.sampled_from(fitting)))
    return primitive, tuple(args)
