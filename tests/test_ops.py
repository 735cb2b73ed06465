"""Every primitive of the table against central finite differences (hypothesis).

The tests are generated from the op table, so a newly registered op is covered.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, apply, grad, ops
from autograd_mini.testing import gradcheck
from autograd_mini.testing.strategies import op_inputs

NAMES = sorted(PRIMITIVES)


def _as_function(primitive):
    """The op as a function of all its inputs, at a point."""
    def build(point):
        return lambda *xs: apply(primitive, *xs), point
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
    assert primitive.name == name and primitive.symbol
    assert primitive.formula.startswith("d/d")
    names = primitive.layout.generic_names
    partials = primitive.partials(names)
    assert len(partials) == len(names)
    assert not any(p.startswith("∂") for p in partials)  # every built-in rule writes itself out
    if primitive.arity is not None:
        assert len(primitive.domain) == primitive.arity


def test_formula_examples():
    assert PRIMITIVES["tanh"].formula == "d/da tanh(a) = 1 - tanh(a)**2"
    assert PRIMITIVES["mul"].formula == "d/da a * b = b;  d/db a * b = a"
    assert PRIMITIVES["div"].formula == "d/da a / b = 1 / b;  d/db a / b = -a / b / b"
    assert PRIMITIVES["relu"].formula == "d/da relu(a) = 0 if a <= 0 else 1"
    assert PRIMITIVES["affine"].formula == (
        "d/dw_i Σ_i w_i*x_i + b = x_i;  d/dx_i Σ_i w_i*x_i + b = w_i;  "
        "d/db Σ_i w_i*x_i + b = 1")
    assert math.isclose(PRIMITIVES["sigmoid"].value(0.0), 0.5)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_the_written_formula_is_the_rule(name, data):
    # Each derivative is stated once: the text shown is the rule run on Symbols.  Read
    # the text back as Python at a point and it gives the rule's numbers there.
    primitive = PRIMITIVES[name]
    point = data.draw(op_inputs(primitive, max_variadic=2), label="inputs")
    names = [f"v{i}" for i in range(len(point))]
    env = {n: x for n, x in zip(names, point)}
    env.update({op: getattr(ops, op) for op in ("exp", "log", "tanh", "sigmoid", "sin",
                                                "cos", "sqrt")})
    out = primitive.value(*point)
    env[primitive.name] = lambda *xs: out  # the node's own value, where the rule uses it
    env["nan"] = math.nan
    texts = primitive.partials(names)
    rule = primitive.derivative(out, *point)
    for text, number in zip(texts, rule):
        assert _evaluate(text, env) == pytest.approx(number, rel=1e-12, abs=1e-300)


def _evaluate(text, env):
    """Our own formulas (not user input) read back as Python, names bound to numbers."""
    code = compile(text, "<formula>", "eval")
    assert set(code.co_names) <= set(env)
    return eval(code, {"__builtins__": {}}, env)  # noqa: S307 - text the op table wrote
