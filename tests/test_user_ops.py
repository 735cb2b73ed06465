"""A user-defined op: gradcheck, trace and the renderer pick it up; a wrong
derivative is caught with a readable report."""

import math

import pytest
from hypothesis import given

from autograd_mini import PRIMITIVES, Value, apply, draw_dot, grad
from autograd_mini.ops import Primitive, register, sigmoid, tanh
from autograd_mini.testing import GradcheckError, gradcheck
from autograd_mini.testing.strategies import expressions, op_inputs
from autograd_mini.trace import trace


def _softplus(derivative):
    return Primitive("softplus", "softplus", "softplus(a)", ("sigmoid(a)",),
                     value=lambda a: max(a, 0.0) + math.log1p(math.exp(-abs(a))),
                     derivative=derivative)


@pytest.fixture
def softplus():
    primitive = register(_softplus(lambda out, a: (sigmoid(a),)))
    yield primitive
    del PRIMITIVES["softplus"]


@pytest.fixture
def broken_softplus():
    primitive = register(_softplus(lambda out, a: (tanh(a),)))  # wrong on purpose
    yield primitive
    del PRIMITIVES["softplus"]


def test_user_op_backward_trace_and_graph(softplus):
    x = Value(0.3, label="x")
    y = apply("softplus", x * 2)
    record = trace(y)
    assert x.grad == pytest.approx(2 / (1 + math.exp(-0.6)), rel=1e-12)
    assert record.backward[0].formula == "d/da softplus(a) = sigmoid(a)"
    assert record.backward[0].contributions[0].local_formula == "∂out/∂n1 = sigmoid(n1)"
    assert "label=softplus" in draw_dot(y).source
    assert gradcheck(lambda a: apply("softplus", a), [0.3])
    assert gradcheck(lambda a: apply("softplus", a), [-4.0])


def test_user_op_second_derivative(softplus):
    x = Value(0.0)
    (g,) = grad(apply("softplus", x), [x], create_graph=True)
    (h,) = grad(g, [x])
    assert h == pytest.approx(0.25)  # sigmoid'(0)


def test_name_clash_is_refused(softplus):
    with pytest.raises(ValueError, match="exists already"):
        register(_softplus(lambda out, a: (sigmoid(a),)))
    register(_softplus(lambda out, a: (sigmoid(a),)), replace=True)


def test_wrong_derivative_is_caught_with_a_readable_report(broken_softplus):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a: apply("softplus", a), [0.5])
    report = str(caught.value)
    assert "gradient check failed for 1 of 1 inputs" in report
    lines = report.splitlines()
    assert lines[1].split() == ["input", "analytic", "numeric", "abs", "error", "rel", "error"]
    cells = lines[2].split()
    assert cells[0] == "x0" and cells[-1] == "WRONG"
    assert float(cells[1]) == pytest.approx(math.tanh(0.5), rel=1e-5)
    assert float(cells[2]) == pytest.approx(1 / (1 + math.exp(-0.5)), rel=1e-5)
    assert gradcheck(lambda a: apply("softplus", a), [0.5], raise_exception=False) is False


def test_strategies_draw_the_new_op(softplus):
    @given(expressions(ops=["softplus", "mul", "add"]))
    def check(case):
        f, point = case
        assert gradcheck(f, point)

    check()
    seen = []

    @given(op_inputs("softplus"))
    def inputs(point):
        seen.append(point)

    inputs()
    assert seen and all(len(p) == 1 for p in seen)
