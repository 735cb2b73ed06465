"""gradcheck itself: passes right gradients, catches wrong ones, handles kinks."""

import math

import pytest

from autograd_mini import PRIMITIVES, apply
from autograd_mini.ops import Primitive, cos, register
from autograd_mini.testing import GradcheckError, gradcheck, gradgradcheck, numeric_gradient


def test_passes_on_correct_gradients():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.log() * y.exp(), [0.5, -1.2])
    assert gradcheck(lambda x: x ** 3, [2.0])


def test_numeric_gradient_is_central():
    # for f = x^3 at 1 the central difference has error eps^2, the one-sided 3 eps
    (g,) = numeric_gradient(lambda x: x ** 3, [1.0], eps=1e-3)
    assert abs(g - 3.0) < 2e-6


def test_kinks_accept_a_subgradient():
    assert gradcheck(lambda x: x.relu(), [0.0])
    assert gradcheck(lambda x: abs(x), [0.0])
    assert gradcheck(lambda x: x.relu() * 3 + x, [0.0])


@pytest.fixture
def op():
    """Register a throw-away primitive for one test."""
    names = []

    def add(name, value, derivative, kink=None):
        register(Primitive(name, name, value, derivative, kink=kink))
        names.append(name)

    yield add
    for name in names:
        del PRIMITIVES[name]


def test_a_claimed_derivative_outside_the_slopes_at_a_kink_fails(op):
    op("bad_abs", abs, lambda out, a: (1.0 if a > 0 else -1.0 if a < 0 else 5.0,), kink=abs)
    assert gradcheck(lambda x: apply("bad_abs", x), [0.3])
    with pytest.raises(GradcheckError, match=r"at a kink of bad_abs in node out: slopes -1, 1"):
        gradcheck(lambda x: apply("bad_abs", x), [0.0])


def test_the_report_names_the_node_and_op_at_the_kink(op):
    op("bad_relu", lambda a: max(a, 0.0), lambda out, a: (2.0,), kink=abs)
    with pytest.raises(GradcheckError, match=r"at a kink of bad_relu in node n2: slopes 1, 3"):
        gradcheck(lambda x: apply("bad_relu", x * 2) + x.tanh(), [0.0])


def test_an_undeclared_kink_accepts_no_subgradient(op):
    # abs'(0) = 1 is a subgradient, accepted where the op declares its kink, and
    # nowhere else: a kink the table does not know of is no excuse
    def derivative(out, a):
        return (1.0 if a >= 0 else -1.0,)

    op("declared_abs", abs, derivative, kink=abs)
    op("plain_abs", abs, derivative)
    assert gradcheck(lambda x: apply("declared_abs", x), [0.0])
    assert gradcheck(lambda x: apply("plain_abs", x), [0.3])
    assert not gradcheck(lambda x: apply("plain_abs", x), [0.0], raise_exception=False)


def test_stiff_quadratic_with_a_wrong_derivative_fails(op):
    # issue 12, reproducer 1: high curvature is no kink
    op("stiff", lambda a: 5e5 * a * a, lambda out, a: (1e6 * a + 0.4,))
    with pytest.raises(GradcheckError, match=r"x0 +0\.4 +0 .*WRONG$"):
        gradcheck(lambda x: apply("stiff", x), [0.0])


def test_fast_sine_with_a_wrong_derivative_fails(op):
    # issue 12, reproducer 1: an oscillation is no kink
    op("fast_sin", lambda a: math.sin(1000 * a), lambda out, a: (1000 * cos(1000 * a) + 0.4,))
    assert not gradcheck(lambda x: apply("fast_sin", x), [math.pi / 2000],
                         raise_exception=False)


def test_curvature_is_handled_by_extrapolation_not_tolerance(op):
    # the central difference alone is off by h^2/6 * f''' ~ 2e-4 here
    op("fast_sin_ok", lambda a: math.sin(1000 * a), lambda out, a: (1000 * cos(1000 * a),))
    assert gradcheck(lambda x: apply("fast_sin_ok", x), [0.3], atol=1e-7, rtol=1e-8)


def test_domain_edge_is_reported():
    with pytest.raises(GradcheckError, match="cannot be evaluated"):
        gradcheck(lambda x: x.log(), [1e-9], eps=1e-6)


def test_non_value_result_is_a_type_error():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 3.0, [1.0])


def test_gradgradcheck():
    assert gradgradcheck(lambda x, y: (x * y).sin() + x ** 3, [0.4, 1.3])
    assert gradgradcheck(lambda x: x.sigmoid().tanh(), [0.2])


def test_gradgradcheck_catches_a_detached_derivative_rule(op):
    # The rule's value is right (3a^2), but on Values it treats one factor as a constant
    # (a.data), so the graph of the gradient differentiates to 3a instead of 6a.
    op("cube", lambda a: a ** 3,
       lambda out, a: (3 * a * (a if isinstance(a, float) else a.data),))
    assert gradcheck(lambda x: apply("cube", x), [0.7])
    # Found before any number is compared: the rule cannot run on Symbols, so it is not
    # trusted to run on Values either (a wrong second derivative is never reported).
    with pytest.raises(TypeError, match="'cube' runs on floats only"):
        gradgradcheck(lambda x: apply("cube", x), [0.7])
