"""Loss functions: by hand, numerically stable, and the 1986 paper's error with its
tolerance (two readings)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.losses import (
    binary_cross_entropy,
    hinge,
    mse,
    softmax_cross_entropy,
    sum_squared_error,
    sum_squared_error_grad,
)


def test_losses_by_hand():
    y = [Value(0.9), Value(0.3)]
    E = sum_squared_error(y, [1.0, 0.0])
    assert E.data == pytest.approx(0.5 * (0.01 + 0.09))
    E.backward()
    assert [v.grad for v in y] == pytest.approx([-0.1, 0.3])  # ∂E/∂y = y - d
    assert sum_squared_error([Value(0.85), Value(0.1)], [1.0, 0.0], tolerance=0.2).data == 0.0
    # outside the band, the error is measured from its edge (0.8 for an on unit): continuous
    y = Value(0.5)
    E = sum_squared_error([y, Value(0.3)], [1.0, 0.0], tolerance=0.2)
    assert E.data == pytest.approx(0.5 * (0.3**2 + 0.1**2))
    E.backward()
    assert y.grad == pytest.approx(0.5 - 0.8)
    assert mse([Value(1.0), Value(3.0)], [0.0, 0.0]).data == 5.0
    assert hinge([Value(2.0), Value(0.5)], [1.0, -1.0]).data == pytest.approx(0.75)
    with pytest.raises(ValueError, match="labels -1 or \\+1"):
        hinge([Value(1.0)], [0.0])
    with pytest.raises(ValueError, match="2 predictions but 1 targets"):
        mse([1.0, 2.0], [1.0])


@given(st.floats(-800, 800), st.floats(0, 1))
def test_binary_cross_entropy_is_stable_and_right(z, t):
    logit = Value(z)
    loss = binary_cross_entropy([logit], [t])
    loss.backward()
    assert math.isfinite(loss.data)
    sigmoid = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
    assert logit.grad == pytest.approx(sigmoid - t, abs=1e-9)


def test_softmax_cross_entropy_stable_and_gradient():
    zs = [Value(1000.0), Value(999.0), Value(0.0)]
    loss = softmax_cross_entropy(zs, 1)
    loss.backward()
    e = [1.0, math.exp(-1.0), 0.0]
    p = [v / sum(e) for v in e]
    assert loss.data == pytest.approx(-math.log(p[1]))
    assert [z.grad for z in zs] == pytest.approx([p[0], p[1] - 1, p[2]], abs=1e-12)
    with pytest.raises(ValueError, match="class index"):
        softmax_cross_entropy(zs, 3)


def test_tolerance_band_and_literal_by_hand():
    # targets 1, 0, 1, 0; outputs 0.9 (inside 0.2), 0.5 (0.5 off), 0.7 (0.3 off), 0.15 (inside)
    outputs, targets = [0.9, 0.5, 0.7, 0.15], [1.0, 0.0, 1.0, 0.0]
    # band: measured from the band's edge (0.2 for an off unit, 0.8 for an on unit)
    band = sum_squared_error([Value(y) for y in outputs], targets, 0.2)
    assert band.data == pytest.approx(0.5 * ((0.5 - 0.2) ** 2 + (0.7 - 0.8) ** 2))
    # literal: zero inside, the whole y − d outside
    ys = [Value(y) for y in outputs]
    literal = sum_squared_error(ys, targets, 0.2, tolerance_mode="literal")
    assert literal.data == pytest.approx(0.5 * (0.5**2 + 0.3**2))
    literal.backward()
    assert [y.grad for y in ys] == pytest.approx([0.0, 0.5, -0.3, 0.0])
    # the plain-number slopes a compiled replay starts from: the same derivatives
    assert sum_squared_error_grad(outputs, targets, 0.2, "literal") == pytest.approx(
        [0.0, 0.5, -0.3, 0.0])
    assert sum_squared_error_grad(outputs, targets, 0.2) == pytest.approx([0.0, 0.3, -0.1, 0.0])
    # at the edge itself a unit counts as inside in both readings
    assert sum_squared_error([Value(0.8)], [1.0], 0.2, "literal").data == 0.0


def test_tolerance_mode_errors():
    with pytest.raises(ValueError, match="unknown tolerance_mode 'loose'; choose band or literal"):
        sum_squared_error([Value(0.5)], [1.0], 0.2, "loose")
    with pytest.raises(ValueError, match="tolerance must not be negative"):
        sum_squared_error_grad([0.5], [1.0], -0.1)
