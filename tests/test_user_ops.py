"""A user-defined op: gradcheck, trace and the renderer pick it up; a wrong
derivative is caught with a readable report."""

import math

import pytest
from hypothesis import given

from autograd_mini import PRIMITIVES, Value, apply, draw_dot, grad
from autograd_mini.ops import Primitive, register, sigmoid
from autograd_mini.testing import GradcheckError, gradcheck
from autograd_mini.testing.strategies import expressions, op_inputs
from autograd_mini.trace import trace


def _swish(derivative):
    """swish(a) = a · sigmoid(a), a user-defined op."""
    return Primitive("swish", "swish", value=lambda a: a / (1 + math.exp(-a)),
                     derivative=derivative)


def _right(out, a):
    s = sigmoid(a)
    return (s + a * s * (1 - s),)


@pytest.fixture
def swish():
    primitive = register(_swish(_right))
    yield primitive
    del PRIMITIVES["swish"]


@pytest.fixture
def broken_swish():
    # The classic slip: the product rule forgotten, d/da (a·σ(a)) taken as σ(a).
    primitive = register(_swish(lambda out, a: (sigmoid(a),)))
    yield primitive
    del PRIMITIVES["swish"]


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


def test_name_clash_is_refused(swish):
    with pytest.raises(ValueError, match="exists already"):
        register(_swish(lambda out, a: (sigmoid(a),)))
    register(_swish(lambda out, a: (sigmoid(a),)), replace=True)


def test_wrong_derivative_is_caught_with_a_readable_report(broken_swish):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a: apply("swish", a), [0.5])
    report = str(caught.value)
    assert "gradient check failed for 1 of 1 inputs" in report
    lines = report.splitlines()
    assert lines[1].split() == ["input", "analytic", "numeric", "abs", "error", "rel", "error"]
    cells = lines[2].split()
    assert cells[0] == "x0" and cells[-1] == "WRONG"
    s = 1 / (1 + math.exp(-0.5))
    assert float(cells[1]) == pytest.approx(s, rel=1e-5)  # what the broken rule claims
    assert float(cells[2]) == pytest.approx(s + 0.5 * s * (1 - s), rel=1e-5)  # the truth
    assert gradcheck(lambda a: apply("swish", a), [0.5], raise_exception=False) is False


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


def test_primitive_names_must_be_identifiers():
    for bad in ["soft plus", "1op", "lambda", "x;import os", "ｍｕｌ"]:
        with pytest.raises(ValueError, match="Python identifier"):
            register(Primitive(bad, "?", lambda a: a, lambda out, a: (1.0,)))
