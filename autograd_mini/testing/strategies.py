"""Hypothesis strategies for property-testing gradients.

    from hypothesis import given
    from autograd_mini.testing import gradcheck
    from autograd_mini.testing.strategies import expressions

    @given(expressions(max_depth=4))
    def test_backward_matches_finite_differences(case):
        f, inputs = case
        assert gradcheck(f, inputs)

Expressions are built from the op table, so an op you :func:`~autograd_mini.register`
is drawn too.  Each op only receives inputs inside its ``domain`` (no log of a negative
number, no division by a number near 0, no relu right at its kink), so every generated
expression is differentiable where it is evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from ..engine import Value, apply
from ..ops import PRIMITIVES, REAL, Primitive

__all__ = ["points", "values", "op_inputs", "expressions", "Expression"]

Domain = tuple[tuple[float, float], ...]

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
        return tuple(draw(points(primitive.domain[0])) for _ in range(count))
    return tuple(draw(points(domain)) for domain in primitive.domain)


def _inside(x: float, domain: Domain) -> bool:
    return any(low <= x <= high for low, high in domain)


@dataclass(frozen=True)
class _Node:
    op: str  # a primitive's name, or "input"
    args: tuple[int, ...]  # indices of earlier nodes (the input's number for "input")


@dataclass(frozen=True)
class Expression:
    """A random expression: call it with Values, read it with ``repr``."""

    nodes: tuple[_Node, ...]

    def __call__(self, *inputs: Value) -> Value:
        results: list[Value] = []
        for node in self.nodes:
            if node.op == "input":
                results.append(inputs[node.args[0]])
            else:
                results.append(apply(node.op, *[results[i] for i in node.args]))
        return results[-1]

    def _text(self, index: int) -> str:
        node = self.nodes[index]
        if node.op == "input":
            return f"x{node.args[0]}"
        args = [self._text(i) for i in node.args]
        return f"{node.op}({', '.join(args)})"

    def __repr__(self) -> str:
        return self._text(len(self.nodes) - 1)


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
    nodes = [_Node("input", (i,)) for i in range(n_inputs)]
    data, depth, used = list(point), [0] * n_inputs, [False] * n_inputs
    for _ in range(draw(st.integers(1, max_ops))):
        candidates = [i for i in range(len(nodes)) if depth[i] < max_depth
                      and (share or i < n_inputs or not used[i])]
        node = _draw_node(draw, PRIMITIVES[draw(st.sampled_from(names))], candidates, data)
        if node is None:
            continue
        value = _value(node, data)
        if not abs(value) <= _LIMIT:
            continue
        for i in node.args:
            used[i] = True
        nodes.append(node)
        data.append(value)
        depth.append(1 + max(depth[i] for i in node.args))
        used.append(False)
    return Expression(tuple(nodes)), point


def _draw_node(draw, primitive: Primitive, candidates: list[int], data: list[float]):
    arity = primitive.arity
    if arity is None:
        arity = primitive.layout.count(draw(st.integers(1, 3)))
        domains = [primitive.domain[0]] * arity
    else:
        domains = list(primitive.domain)
    args: list[int] = []
    for domain in domains:
        fitting = [i for i in candidates if _inside(data[i], domain)]
        if not fitting:
            return None
        args.append(draw(st.sampled_from(fitting)))
    return _Node(primitive.name, tuple(args))


def _value(node: _Node, data: list[float]) -> float:
    return PRIMITIVES[node.op].value(*[data[i] for i in node.args])
