"""Properties of reverse mode over random expressions drawn from the whole op table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value, grad
from autograd_mini.testing import gradcheck, numeric_gradient
from autograd_mini.testing.strategies import expressions


@given(expressions(max_ops=10))
def test_backward_matches_finite_differences(case):
    f, point = case
    assert gradcheck(f, point)


@given(expressions())
def test_grad_agrees_with_backward(case):
    f, point = case
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    expected = grad(out, leaves)
    out.backward()
    assert [x.grad for x in leaves] == pytest.approx(expected, rel=1e-12, abs=1e-15)


@given(expressions(), st.integers(2, 4))
def test_a_reused_subexpression_accumulates(case, times):
    f, point = case
    leaves = [Value(x) for x in point]
    once = grad(f(*leaves), leaves)
    shared = f(*leaves)  # one node, used `times` times
    total = shared
    for _ in range(times - 1):
        total = total + shared
    assert grad(total, leaves) == pytest.approx([times * g for g in once], rel=1e-12, abs=1e-12)


@given(st.data())
def test_gradient_of_a_sum_is_the_sum_of_gradients(data):
    f, point = data.draw(expressions(), label="f")
    g, _ = data.draw(expressions(at=point), label="g")
    leaves = [Value(x) for x in point]
    both = grad(f(*leaves) + g(*leaves), leaves)
    separate = [a + b for a, b in zip(grad(f(*leaves), leaves), grad(g(*leaves), leaves))]
    assert both == pytest.approx(separate, rel=1e-12, abs=1e-12)


@given(expressions(max_ops=6))
def test_numeric_gradient_is_consistent_with_gradcheck(case):
    f, point = case
    numeric = numeric_gradient(f, point)
    leaves = [Value(x) for x in point]
    analytic = grad(f(*leaves), leaves)
    assert analytic == pytest.approx(numeric, rel=1e-3, abs=1e-5)
