"""The numeric policy's reproducers: overflow is ±inf (never OverflowError), NaN in gives
NaN out, and a derivative never raises where the function is differentiable."""

import math

import pytest

from autograd_mini import Value, grad


def test_overflow_in_the_backward_pass_is_inf_not_an_error():
    y = Value(1e200) ** 3
    y.backward()
    assert y.data == math.inf and y.parents[0].grad == math.inf


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
