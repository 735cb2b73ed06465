"""A graph as a SymPy expression: symbolic differentiation beside automatic."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, apply, grad, topological_order
from autograd_mini.core.ops import Primitive
from autograd_mini.testing.strategies import expressions, op_inputs

sp = pytest.importorskip("sympy")
from autograd_mini.bridges import to_sympy  # noqa: E402
from autograd_mini.core.naming import display_names  # noqa: E402

X, Y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)


def _symbols(expression) -> dict:
    return {s.name: s for s in expression.free_symbols}


def _at(expression, point: dict[str, float]) -> float:
    symbols = _symbols(expression)
    return float(expression.evalf(subs={symbols[n]: x for n, x in point.items() if n in symbols}))


def test_inputs_become_symbols_named_by_their_labels():
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    assert to_sympy((x * y + x).tanh()) == sp.tanh(X * Y + X)


def test_constants_become_numbers():
    x = Value(3.0, label="x")
    expression = to_sympy(x * 2 + x / 4.5)
    assert expression.free_symbols == {X}
    assert sp.simplify(expression - (2 * X + X / sp.Float(4.5))) == 0
    assert to_sympy(x ** 2) == X**2  # a whole number stays whole: x**2, not x**2.0


def test_an_unlabelled_input_is_named_as_pictures_name_it():
    x, y = Value(1.0, label="x"), Value(2.0)
    out = x * y
    (symbol,) = _symbols(to_sympy(out)).keys() - {"x"}
    assert symbol == display_names(out)[y]


def test_a_label_any_unicode_is_the_symbols_name():
    θ = Value(0.3, label="θ₁ (weight)")
    assert _symbols(to_sympy(θ.sin())).keys() == {"θ₁ (weight)"}


def test_two_inputs_with_one_label_stay_two_symbols():
    a, b = Value(3.0, label="x"), Value(2.0, label="x")
    out = a * a * b
    expression = to_sympy(out)
    names = display_names(out)
    assert _symbols(expression).keys() == {names[a], names[b]} == {"x", "x#2"}
    first, second = _symbols(expression)[names[a]], _symbols(expression)[names[b]]
    assert sp.diff(expression, first) == 2 * first * second  # not 3x², as one symbol would give
    assert grad(out, [a, b]) == [12.0, 9.0]


def test_a_node_used_twice_is_one_subexpression():
    x = Value(0.7, label="x")
    h = x.tanh()
    assert to_sympy(h * h) == sp.tanh(X) ** 2


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
@settings(max_examples=10)
@given(data=st.data())
def test_every_primitive_has_a_sympy_form_with_the_same_value(name, data):
    point = data.draw(op_inputs(name))
    leaves = [Value(v, label=f"a{i}") for i, v in enumerate(point)]
    node = apply(name, *leaves)
    assert _at(to_sympy(node), {v.label: v.data for v in leaves}) == pytest.approx(
        node.data, rel=1e-12, abs=1e-12)


def test_a_primitive_without_a_sympy_form_says_so(register_op):
    register_op(Primitive("cube", "³", lambda a: a**3, lambda out, a: (3 * a * a,)))
    x = Value(2.0, label="x")
    with pytest.raises(ValueError, match="the primitive 'cube' has no SymPy form"):
        to_sympy(apply("cube", x) + 1)


def test_a_user_primitive_with_a_sympy_form_is_used(register_op):
    register_op(Primitive("cube", "³", lambda a: a**3, lambda out, a: (3 * a * a,),
                          sympy=lambda sp, a: a**3))
    assert to_sympy(apply("cube", Value(2.0, label="x"))) == X**3


def test_refuses_what_is_not_a_value():
    with pytest.raises(TypeError, match="to_sympy expects a Value, got float"):
        to_sympy(1.5)


def test_a_long_chain_is_walked_without_recursion():
    x = Value(0.1, label="x")
    y = x
    for _ in range(3000):
        y = y * 1.0001
    expression = to_sympy(y)
    assert len(topological_order(y)) == 6001
    assert _at(expression, {"x": 0.1}) == pytest.approx(y.data, rel=1e-12)


@given(expressions(max_ops=6))
def test_sympy_diff_at_the_point_equals_grad(case):
    f, point = case
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    expression = to_sympy(out)
    names = display_names(out)
    symbol = {n: sp.Symbol(names[n], real=True) for n in topological_order(out)
              if not n.parents and not n.is_constant}  # every input, the exponents' too
    at = {s: n.data for n, s in symbol.items()}
    for leaf, g in zip(leaves, grad(out, leaves)):
        if leaf not in names:  # the expression does not use this input
            assert g == 0.0
            continue
        symbolic = float(sp.diff(expression, symbol[leaf]).evalf(subs=at))
        assert math.isclose(g, symbolic, rel_tol=1e-9, abs_tol=1e-12), (f, names[leaf])


@pytest.mark.parametrize("step", [lambda y, x: y.tanh(), lambda y, x: (y * 1.5).exp() + x],
                         ids=["tanh-chain", "mixed-chain"])
def test_a_graph_too_deep_for_sympy_is_one_clear_error_naming_its_depth(step):
    x = Value(0.5, label="x")
    y = x
    for _ in range(2_000):
        y = step(y, x)
    with pytest.raises(ValueError, match=r"too deep for SymPy: \d+ operations nested") as caught:
        to_sympy(y)
    assert not isinstance(caught.value, RecursionError) and caught.value.__cause__ is None
    wide = x
    for _ in range(2_000):  # a long sum SymPy flattens: no recursion, no error
        wide = wide + x
    assert to_sympy(wide) == 2001 * sp.Symbol("x", real=True)
