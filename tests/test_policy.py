"""The numeric policy (testing/policy.py, docs/numeric-policy.md) and its reproducers:
overflow is ±inf (never OverflowError), NaN in gives NaN out, and a derivative never
raises where the function is differentiable."""

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, grad
from autograd_mini.testing import policy


def test_overflow_in_the_backward_pass_is_inf_not_an_error():
    y = Value(1e200) ** 3
    y.backward()
    assert y.data == math.inf and y.parents[0].grad == math.inf


def test_division_by_a_tiny_number_has_a_derivative():
    a, b = Value(1e-300), Value(1e-170)
    assert grad(a / b, [a, b]) == [1e170, pytest.approx(-1e40, rel=1e-12)]
    y = Value(1e-200)
    assert grad(Value(1.0) / y, [y]) == [-math.inf]  # overflow is -inf, as in PyTorch


def test_an_integer_beyond_the_float_range_is_infinite():
    assert Value(10**400).data == math.inf and Value(-(10**400)).data == -math.inf


@pytest.mark.parametrize("exponent, expected", [(math.inf, math.inf), (-math.inf, 0.0)])
def test_a_negative_base_to_an_infinite_power_follows_ieee(exponent, expected):
    assert (Value(-2.0) ** exponent).data == expected


def test_nan_exponent_and_nan_relu_give_nan():
    assert math.isnan((Value(-2.0) ** float("nan")).data)
    assert math.isnan(Value(float("nan")).relu().data)


def test_derivatives_do_not_raise_where_the_function_is_differentiable():
    x = Value(0.0)
    assert grad(x**0, [x]) == [0.0]  # d/dx x**0 = 0, at 0 too
    (g,) = grad(x**1, [x], create_graph=True)
    assert grad(g, [x]) == [0.0]  # d²/dx² x = 0
    (g,) = grad((x - x) ** 1, [x], create_graph=True)
    assert grad(g, [x]) == [0.0]


def test_a_point_outside_the_domain_is_still_a_clear_error():
    with pytest.raises(ValueError, match=r"pow\(-2.0 \(label 'x'\), 0.5\): a negative number"):
        Value(-2.0, label="x") ** 0.5


# -- Value ** Value is one pow node ----------------------------------------------------


def test_value_to_a_value_power_is_one_exact_node():
    a, b = Value(2.0), Value(3.0)
    y = a**b
    assert y.data == 8.0 and y.op == "pow" and y.parents == (a, b)
    assert grad(y, [a, b]) == [12.0, pytest.approx(8.0 * math.log(2.0), rel=1e-15)]


def test_a_negative_base_with_a_whole_exponent_as_in_pytorch():
    a, b = Value(-2.0), Value(2.0)
    y = a**b
    ga, gb = grad(y, [a, b])
    assert y.data == 4.0 and ga == -4.0 and math.isnan(gb)  # PyTorch: 4, -4, nan


def test_zero_to_a_positive_value_power():
    a, b = Value(0.0), Value(2.0)
    y = a**b
    assert y.data == 0.0 and grad(y, [a, b]) == [0.0, 0.0]  # as PyTorch and HIPS autograd


def test_a_number_to_a_value_power():
    x = Value(3.0)
    y = 2**x
    assert y.data == 8.0 and y.op == "pow" and y.parents[0].is_constant
    assert grad(y, [x]) == [pytest.approx(8.0 * math.log(2.0), rel=1e-15)]


def test_pow_of_values_in_higher_order_and_forward_mode():
    from autograd_mini import hessian, jvp

    # f(a, b) = a**b: f_ab = a**(b-1) * (1 + b log a)
    H = hessian(lambda a, b: a**b, [2.0, 3.0])
    assert H[0][1] == pytest.approx(4.0 * (1 + 3.0 * math.log(2.0)), rel=1e-12)
    assert jvp(lambda a, b: a**b, [2.0, 3.0], [0.0, 1.0])[1] == pytest.approx(
        8.0 * math.log(2.0), rel=1e-15)


# -- the policy table, held against PyTorch ------------------------------------------------

POLICY_PAGE = Path(__file__).resolve().parents[1] / "docs" / "numeric-policy.md"


def test_the_policy_page_is_current_and_differs_from_pytorch_only_by_refusals():
    torch = pytest.importorskip("torch")
    table = policy.rows(torch)
    assert POLICY_PAGE.read_text() == policy.markdown(table)  # regenerate: see the page
    assert len(table) >= 150
    assert set(policy.with_torch_form()) == set(PRIMITIVES)  # every built-in op is in it
    assert all(row.agrees or row.refused for row in table)


@given(st.sampled_from([(name, case) for name in policy.with_torch_form()
                        for case in policy.cases(name)]))
def test_special_values_follow_the_policy(drawn):
    torch = pytest.importorskip("torch")
    name, (_, point) = drawn
    value, derivative = policy.ours(name, point)
    torch_value, torch_derivative = policy.theirs(name, point, torch)
    row = policy.Row(name, value, torch_value, derivative, torch_derivative)
    if row.refused:  # only where PyTorch's answer is not a finite number
        assert not all(math.isfinite(x) for x in (*torch_value, *torch_derivative))
    else:
        assert row.agrees, row
