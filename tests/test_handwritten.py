"""Nodes made by hand, micrograd style (autograd_mini.core.handwritten): gradcheck, gradgradcheck
and trace run their own ``_backward`` where the op table has no rule."""

import math

import pytest
from conftest import lecture_tanh

from autograd_mini import trace
from autograd_mini.core.handwritten import backward_gradients, hand_written_nodes, step
from autograd_mini.micrograd import Value
from autograd_mini.testing import GradcheckError, gradcheck, gradgradcheck

RIGHT = lecture_tanh()
WRONG = lecture_tanh(lambda t: 1 - t)


def test_the_lectures_right_tanh_passes_gradcheck_and_gradgradcheck():
    assert gradcheck(lambda x, w, b: RIGHT(x * w + b), [2.0, -3.0, 6.88])
    assert gradcheck(lambda x: RIGHT(RIGHT(x) * x), [0.4])
    assert gradgradcheck(lambda x, w: RIGHT(x * w), [0.5, -0.7])


def test_the_wrong_tanh_fails_with_the_wrong_table_naming_the_node():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x, w: WRONG(x * w), [0.5, -0.7])
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("gradient check failed for 2 of 2 inputs")
    rows = {line.split()[0]: line.split() for line in lines[2:4]}
    assert set(rows) == {"x1", "x2"} and all(r[-1] == "WRONG" for r in rows.values())
    t = math.tanh(-0.35)
    assert float(rows["x1"][1]) == pytest.approx((1 - t) * -0.7, rel=1e-5)     # the rule
    assert float(rows["x1"][2]) == pytest.approx((1 - t * t) * -0.7, rel=1e-5)  # the truth
    assert "hand-written steps in this graph" in lines[4]
    assert "out = tanh(n1) at n1 = -0.35: its _backward gives ∂out/∂n1 = 1.336" in lines[5]
    with pytest.raises(GradcheckError, match="(?s)second-derivative.*WRONG.*tanh"):
        gradgradcheck(lambda x: WRONG(x * 1.5), [0.3])


def test_a_method_added_to_the_users_class_works_inside_gradcheck():
    Value.tanh_hw = RIGHT
    try:
        assert gradcheck(lambda x: x.tanh_hw() * x, [Value(0.4)])
        assert gradgradcheck(lambda x: x.tanh_hw(), [Value(-0.2)])
    finally:
        del Value.tanh_hw


def test_the_graphs_gradients_are_put_back_as_they_were():
    w = Value(0.3)
    w.grad = 5.0  # a gradient the user had: the check must not change it
    assert gradcheck(lambda x: RIGHT(x * w), [0.5])
    assert w.grad == 5.0
    x = Value(0.5)
    out = RIGHT(x * w)
    assert backward_gradients(out, [x]) == pytest.approx([0.3 * (1 - out.data**2)])
    assert (x.grad, w.grad, out.grad) == (0.0, 5.0, 0.0)


def test_a_step_is_what_the_closure_adds_per_parent():
    x = Value(0.5)
    out = RIGHT(x)
    assert hand_written_nodes([x, out]) == [out]
    assert step(out, 2.0) == pytest.approx([2 * (1 - math.tanh(0.5) ** 2)])
    assert x.grad == 0.0 and out.grad == 0.0


def test_trace_shows_a_hand_written_step_with_its_numbers():
    x = Value(0.5, label="x")
    out = RIGHT(x * 2)
    record = trace(out)
    assert record.forward[-1].sentence == "out = tanh(n1) = 0.7616"
    first = record.backward[0]
    assert first.op == "tanh" and "hand-written step" in first.formula
    (c,) = first.contributions
    assert c.local == pytest.approx(1 - math.tanh(1.0) ** 2)
    assert c.local_text == "∂out/∂n1 (hand-written step: its own _backward) = 0.42"
    assert x.grad == pytest.approx(2 * (1 - math.tanh(1.0) ** 2))  # as backward() gives
    assert "hand-written step" in str(record)
