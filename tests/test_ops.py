"""The op table (ops.py): every primitive against central finite differences (hypothesis),
its written formula against its rule; an op of your own, registered, picked up by gradcheck,
the trace, the pictures and the strategies; and what the table refuses.

The table's tests are generated from the op table, so a newly registered op is covered.
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, apply, draw_dot, grad, hessian, ops
from autograd_mini.core.ops import Primitive, sigmoid
from autograd_mini.explain.trace import trace
from autograd_mini.testing import gradcheck
from autograd_mini.testing.strategies import expressions, op_inputs

NAMES = sorted(PRIMITIVES)


def _at_a_drawn_point(name, data):
    """The op as a function of all its inputs, and a point drawn from its samples."""
    primitive = PRIMITIVES[name]
    point = data.draw(op_inputs(primitive), label="inputs")
    return (lambda *xs: apply(primitive, *xs)), point


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_derivative_matches_finite_difference(name, data):
    f, variables = _at_a_drawn_point(name, data)
    assert gradcheck(f, variables, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_derivative_rule_gives_the_same_on_values(name, data):
    # The same rule runs on floats (fast path) and on Values (higher order).
    f, variables = _at_a_drawn_point(name, data)
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
        assert len(primitive.samples) == primitive.arity


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


@pytest.mark.parametrize("name", [n for n in NAMES if PRIMITIVES[n].arity == 2])
@given(data=st.data())
def test_a_constant_input_is_written_as_its_number(name, data):
    # The 2 of 2**x stays written where the rule uses it (log(2), not 0.693...), and the
    # text read back still gives the rule's numbers.
    primitive = PRIMITIVES[name]
    point = data.draw(op_inputs(primitive), label="inputs")
    out = primitive.value(*point)
    rule = primitive.derivative(out, *point)
    env = {"v0": point[0], "v1": point[1], "log": math.log, "nan": math.nan}
    for constant in (0, 1):
        names, numbers = ["v0", "v1"], [None, None]
        names[constant], numbers[constant] = repr(point[constant]), point[constant]
        texts = primitive.partials(names, numbers)
        other = 1 - constant  # the input that is not a constant: its partial is shown
        assert _evaluate(texts[other], env) == pytest.approx(rule[other], rel=1e-12,
                                                             abs=1e-300)


def test_constant_exponents_and_bases_read_as_written():
    power = PRIMITIVES["pow"]
    assert power.partials(["x", "2"], [None, 2.0])[0] == "2 * x"
    assert power.partials(["x", "3"], [None, 3.0])[0] == "3 * x**2"
    assert power.partials(["2", "x"], [2.0, None])[1] == "2**x * log(2)"
    assert power.formula.endswith("d/db a**b = a**b * log(a) if a > 0 else (0 if a == 0 else nan)")


def _evaluate(text, env):
    """Our own formulas (not user input) read back as Python, names bound to numbers."""
    code = compile(text, "<formula>", "eval")
    assert set(code.co_names) <= set(env)
    return eval(code, {"__builtins__": {}}, env)  # noqa: S307 - text the op table wrote

# -- an op of your own: registered, it is picked up everywhere -----------------------------


def _swish(derivative):
    """swish(a) = a · sigmoid(a), a user-defined op."""
    return Primitive("swish", "swish", value=lambda a: a / (1 + math.exp(-a)),
                     derivative=derivative)


def _right(out, a):
    s = sigmoid(a)
    return (s + a * s * (1 - s),)


@pytest.fixture
def swish(register_op):
    return register_op(_swish(_right))


def test_user_op_backward_trace_and_graph(swish):
    x = Value(0.3, label="x")
    y = apply("swish", x * 2)
    record = trace(y)
    s = 1 / (1 + math.exp(-0.6))
    assert x.grad == pytest.approx(2 * (s + 0.6 * s * (1 - s)), rel=1e-12)
    # The formula shown is the rule itself, written out: it cannot disagree with it.
    assert record.backward[0].formula == (
        "d/da swish(a) = sigmoid(a) + a * sigmoid(a) * (1 - sigmoid(a))")
    assert record.backward[0].contributions[0].local_formula == (
        "∂out/∂n1 = sigmoid(n1) + n1 * sigmoid(n1) * (1 - sigmoid(n1))")
    assert "label=swish" in draw_dot(y).source
    assert gradcheck(lambda a: apply("swish", a), [0.3])
    assert gradcheck(lambda a: apply("swish", a), [-4.0])


def test_user_op_second_derivative(swish):
    x = Value(0.0)
    (g,) = grad(apply("swish", x), [x], create_graph=True)
    (h,) = grad(g, [x])
    assert h == pytest.approx(0.5)  # swish''(0) = 2 σ'(0) = 1/2


def test_name_clash_is_refused(swish, register_op):
    with pytest.raises(ValueError, match="exists already"):
        register_op(_swish(lambda out, a: (sigmoid(a),)))
    register_op(_swish(lambda out, a: (sigmoid(a),)), replace=True)


def test_strategies_draw_the_new_op(swish):
    @given(expressions(ops=["swish", "mul", "add"]))
    def check(case):
        f, point = case
        assert gradcheck(f, point)

    check()
    seen = []

    @given(op_inputs("swish"))
    def inputs(point):
        seen.append(point)

    inputs()
    assert seen and all(len(p) == 1 for p in seen)


def test_primitive_names_must_be_identifiers(register_op):
    for bad in ["soft plus", "1op", "lambda", "x;import os", "ｍｕｌ"]:
        with pytest.raises(ValueError, match="Python identifier"):
            register_op(Primitive(bad, "?", lambda a: a, lambda out, a: (1.0,)))


@pytest.fixture
def table_checked_afterwards():
    """After the test, once register_op (set up after this) has put the table back: the
    same ops, the very same objects, in the same order as before the test."""
    before = list(PRIMITIVES.items())
    yield
    after = list(PRIMITIVES.items())
    assert [name for name, _ in after] == [name for name, _ in before]
    assert all(now is then for (_, now), (_, then) in zip(after, before))


def test_register_op_puts_the_table_back_even_after_a_built_in_is_replaced(
        table_checked_afterwards, register_op):
    tanh = PRIMITIVES["tanh"]
    register_op(_swish(_right))
    mine = register_op(Primitive("tanh", "tanh", value=math.tanh,
                                 derivative=lambda out, a: (1 - out * out,)), replace=True)
    assert PRIMITIVES["tanh"] is mine is not tanh and "swish" in PRIMITIVES


# -- what the table refuses: rules of the wrong shape, floats-only rules in higher order ---


def test_a_rule_on_floats_only_refuses_higher_order_instead_of_a_wrong_hessian(register_op):
    register_op(Primitive("cube", "cube", value=lambda a: a**3,
                          derivative=lambda out, a: (3 * math.pow(a, 2),)))
    x = Value(2.0)
    assert grad(apply("cube", x), [x]) == [12.0]
    with pytest.raises(TypeError, match="'cube' runs on floats only"):
        hessian(lambda x: apply("cube", x), [2.0])


@pytest.mark.parametrize("rule, count", [(lambda out, a, b: (b,), "1"),
                                         (lambda out, a, b: (b, a, 1.0), "3"),
                                         (lambda out, a, b: b, "not a tuple of")])
def test_a_rule_with_the_wrong_number_of_partials_is_refused(register_op, rule, count):
    with pytest.raises(ValueError, match=f"returns {count} local derivatives for 2 inputs"):
        register_op(Primitive("mul2", "*", value=lambda a, b: a * b, derivative=rule,
                              layout=PRIMITIVES["mul"].layout))


# -- applying an op to the wrong number or kind of operands --------------------------------


@pytest.mark.parametrize("name, count", [("dot", 3), ("affine", 2), ("sum", 0)])
def test_a_variadic_op_with_a_wrong_number_of_inputs_is_refused(name, count):
    with pytest.raises(ValueError, match=f"{name} cannot take {count} inputs"):
        apply(name, *[Value(float(k)) for k in range(count)])


def test_wrong_operands_of_apply_are_named():
    with pytest.raises(TypeError, match="exp expects Values as inputs, got float"):
        apply("exp", 2.0)
    with pytest.raises(TypeError, match="add takes 2 inputs, got 1"):
        apply("add", Value(1.0))
