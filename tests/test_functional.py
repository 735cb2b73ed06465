"""Derivatives of functions (functional.py): grad of grad with create_graph, Hessians,
forward mode (jvp) and reverse mode (vjp), all from the same op table."""

import math

import pytest
from conftest import lecture_tanh
from hypothesis import given

from autograd_mini import Value, grad, hessian, jvp, vjp
from autograd_mini.testing import gradgradcheck
from autograd_mini.testing.strategies import expressions


def test_backward_create_graph_gives_differentiable_grads():
    x = Value(0.5, label="x")
    y = x ** 3 + x.sin()
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value)
    assert x.grad.data == pytest.approx(3 * 0.25 + math.cos(0.5))
    (second,) = grad(x.grad, [x])
    assert second == pytest.approx(6 * 0.5 - math.sin(0.5))


def test_third_derivative():
    x = Value(0.3)
    (g,) = grad(x.tanh(), [x], create_graph=True)
    (h,) = grad(g, [x], create_graph=True)
    (t,) = grad(h, [x])
    th = math.tanh(0.3)
    assert t == pytest.approx(-2 * (1 - th**2) * (1 - 3 * th**2), rel=1e-10)


def test_hessian_by_hand():
    # f = x^2 y + sin(y): H = [[2y, 2x], [2x, -sin y]]
    H = hessian(lambda x, y: x * x * y + y.sin(), [1.5, 0.5])
    assert H[0] == pytest.approx([1.0, 3.0]) and H[1] == pytest.approx([3.0, -math.sin(0.5)])
    assert hessian(lambda x, y: x + y, [1.0, 2.0]) == [[0.0, 0.0], [0.0, 0.0]]


@given(expressions(max_inputs=3, max_ops=6))
def test_hessian_is_symmetric_and_matches_finite_differences(case):
    f, point = case
    H = hessian(f, point)
    for i in range(len(point)):
        for j in range(i):
            assert H[i][j] == pytest.approx(H[j][i], rel=1e-7, abs=1e-9)
    assert gradgradcheck(f, point, atol=1e-3, rtol=1e-3)


@given(expressions(max_inputs=3))
def test_jvp_along_each_axis_is_the_gradient(case):
    f, point = case
    leaves = [Value(x) for x in point]
    gradient = grad(f(*leaves), leaves)
    for i in range(len(point)):
        e_i = [1.0 if k == i else 0.0 for k in range(len(point))]
        value, directional = jvp(f, point, e_i)
        assert value == pytest.approx(f(*[Value(x) for x in point]).data)
        assert directional == pytest.approx(gradient[i], rel=1e-12, abs=1e-12)


def test_jvp_and_vjp_with_several_outputs():
    values, tangents = jvp(lambda x: [x.sin(), x * x], [1.0], [2.0])
    assert values == pytest.approx([math.sin(1.0), 1.0])
    assert tangents == pytest.approx([2 * math.cos(1.0), 4.0])
    value, gradient = vjp(lambda x, y: x * y + y.exp(), [1.0, 2.0])
    assert gradient == pytest.approx([2.0, 1.0 + math.exp(2.0)])
    _, combined = vjp(lambda x: [x * 3, x * x], [2.0], [1.0, 0.5])
    assert combined == pytest.approx([3.0 + 0.5 * 4.0])
    with pytest.raises(ValueError, match="primals but"):
        jvp(lambda x: x, [1.0], [1.0, 2.0])
    with pytest.raises(TypeError, match="must return a Value"):
        jvp(lambda x: 3.0, [1.0], [1.0])


def test_value_power_at_zero_is_the_same_in_higher_order():
    x, y = Value(0.0), Value(2.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]
    assert [g.data for g in grad(x**y, [x, y], create_graph=True)] == [0.0, 0.0]
    assert hessian(lambda x, y: x**y, [0.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]


def test_vjp_of_several_outputs_with_the_default_cotangent():
    values, total = vjp(lambda x, y: [x * y, x + y], [2.0, 3.0])
    assert values == [6.0, 5.0] and total == [4.0, 3.0]


def test_forward_mode_refuses_a_hand_written_node():
    """The lecture's tanh, written by hand: jvp cannot read its rule, so it says so
    (rather than take the node for a leaf and give the slope 0)."""
    from autograd_mini.core.engine import HandWrittenNodeError
    from autograd_mini.micrograd import Value as Micrograd

    tanh = lecture_tanh()
    with pytest.raises(HandWrittenNodeError, match="jvp"):
        jvp(lambda x: tanh(Micrograd(1.0) * x), [0.3], [1.0])
