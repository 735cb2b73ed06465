"""Every primitive of the table against central finite differences (hypothesis).

The tests are generated from the op table, so a newly registered op is covered.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, apply, grad
from autograd_mini.testing import gradcheck
from autograd_mini.testing.strategies import op_inputs

NAMES = sorted(PRIMITIVES)


def _as_function(primitive):
    """The op as a function of its differentiable inputs (constants held fixed)."""
    def build(point):
        k = len(point) - primitive.constants
        constants = point[k:]
        return lambda *xs: apply(primitive, *xs, *[Value(c) for c in constants]), point[:k]
    return build


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_derivative_matches_finite_difference(name, data):
    primitive = PRIMITIVES[name]
    point = data.draw(op_inputs(primitive), label="inputs")
    f, variables = _as_function(primitive)(point)
    assert gradcheck(f, variables, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_derivative_rule_gives_the_same_on_values(name, data):
    # The same rule runs on floats (fast path) and on Values (higher order).
    primitive = PRIMITIVES[name]
    point = data.draw(op_inputs(primitive), label="inputs")
    f, variables = _as_function(primitive)(point)
    leaves = [Value(x) for x in variables]
    out = f(*leaves)
    floats = grad(out, leaves)
    values = grad(out, leaves, create_graph=True)
    as_floats = [v.data if isinstance(v, Value) else v for v in values]
    assert as_floats == pytest.approx(floats, rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_table_entry_is_complete(name):
    primitive = PRIMITIVES[name]
    assert primitive.name == name and primitive.symbol and primitive.expr
    assert primitive.formula.startswith("d/d")
    assert len(primitive.partials) == len(primitive.inputs)
    if primitive.arity is not None:
        assert len(primitive.domain) == primitive.arity


def test_formula_examples():
    assert PRIMITIVES["tanh"].formula == "d/da tanh(a) = 1 - tanh(a)^2"
    assert PRIMITIVES["mul"].formula == "d/da a * b = b;  d/db a * b = a"
    assert math.isclose(PRIMITIVES["sigmoid"].value(0.0), 0.5)
