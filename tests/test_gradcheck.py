"""gradcheck and gradgradcheck (autograd_mini.testing.gradcheck): they pass right
gradients, catch wrong ones with a readable report, handle kinks; and a corpus of right
and wrong derivative rules on which their verdicts are held against PyTorch's."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from hypothesis import given

from autograd_mini import Value, apply, grad
from autograd_mini import ops as ad
from autograd_mini.core.ops import Primitive, cos, sigmoid
from autograd_mini.testing import GradcheckError, gradcheck, gradgradcheck, numeric_gradient
from autograd_mini.testing.strategies import expressions

try:
    import torch
except ImportError:  # only the corpus is held against PyTorch
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")


# -- right rules pass, wrong ones fail: at kinks, with high curvature, in higher order ------


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


def _op(name, value, derivative, kink=None):
    """A throw-away primitive, its symbol its name (register it with register_op)."""
    return Primitive(name, name, value, derivative, kink_distance=kink)


def test_a_claimed_derivative_outside_the_slopes_at_a_kink_fails(register_op):
    register_op(_op("bad_abs", abs, lambda out, a: (1.0 if a > 0 else -1.0 if a < 0 else 5.0,),
                    kink=abs))
    assert gradcheck(lambda x: apply("bad_abs", x), [0.3])
    with pytest.raises(GradcheckError, match=r"at a kink of bad_abs in node out: slopes -1, 1"):
        gradcheck(lambda x: apply("bad_abs", x), [0.0])


def test_the_report_names_the_node_and_op_at_the_kink(register_op):
    register_op(_op("bad_relu", lambda a: max(a, 0.0), lambda out, a: (2.0,), kink=abs))
    with pytest.raises(GradcheckError, match=r"at a kink of bad_relu in node n2: slopes 1, 3"):
        gradcheck(lambda x: apply("bad_relu", x * 2) + x.tanh(), [0.0])


def test_an_undeclared_kink_accepts_no_subgradient(register_op):
    # abs'(0) = 1 is a subgradient, accepted where the op declares its kink, and
    # nowhere else: a kink the table does not know of is no excuse
    def derivative(out, a):
        return (1.0 if a >= 0 else -1.0,)

    register_op(_op("declared_abs", abs, derivative, kink=abs))
    register_op(_op("plain_abs", abs, derivative))
    assert gradcheck(lambda x: apply("declared_abs", x), [0.0])
    assert gradcheck(lambda x: apply("plain_abs", x), [0.3])
    assert not gradcheck(lambda x: apply("plain_abs", x), [0.0], raise_exception=False)


def test_stiff_quadratic_with_a_wrong_derivative_fails(register_op):
    # high curvature is no kink
    register_op(_op("stiff", lambda a: 5e5 * a * a, lambda out, a: (1e6 * a + 0.4,)))
    with pytest.raises(GradcheckError, match=r"x1 +0\.4 +0 .*WRONG$"):
        gradcheck(lambda x: apply("stiff", x), [0.0])


def test_fast_sine_with_a_wrong_derivative_fails(register_op):
    # an oscillation is no kink
    register_op(_op("fast_sin", lambda a: math.sin(1000 * a),
                    lambda out, a: (1000 * cos(1000 * a) + 0.4,)))
    assert not gradcheck(lambda x: apply("fast_sin", x), [math.pi / 2000],
                         raise_exception=False)


def test_curvature_is_handled_by_extrapolation_not_tolerance(register_op):
    # the central difference alone is off by h^2/6 * f''' ~ 2e-4 here
    register_op(_op("fast_sin_ok", lambda a: math.sin(1000 * a),
                    lambda out, a: (1000 * cos(1000 * a),)))
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


def test_gradgradcheck_catches_a_detached_derivative_rule(register_op):
    # The rule's value is right (3a^2), but on Values it treats one factor as a constant
    # (a.data), so the graph of the gradient differentiates to 3a instead of 6a.
    register_op(_op("cube", lambda a: a ** 3,
                    lambda out, a: (3 * a * (a if isinstance(a, float) else a.data),)))
    assert gradcheck(lambda x: apply("cube", x), [0.7])
    # Found before any number is compared: the rule cannot run on Symbols, so it is not
    # trusted to run on Values either (a wrong second derivative is never reported).
    with pytest.raises(TypeError, match="'cube' runs on floats only"):
        gradgradcheck(lambda x: apply("cube", x), [0.7])


# -- the report of a wrong rule, and the numeric gradient it compares with ---------------------


@pytest.fixture
def broken_swish(register_op):
    """swish(a) = a · sigmoid(a), registered with the classic slip: the product rule
    forgotten, d/da (a·σ(a)) taken as σ(a)."""
    return register_op(Primitive("swish", "swish", value=lambda a: a / (1 + math.exp(-a)),
                                 derivative=lambda out, a: (sigmoid(a),)))


def test_wrong_derivative_is_caught_with_a_readable_report(broken_swish):
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a: apply("swish", a), [0.5])
    report = str(caught.value)
    assert "gradient check failed for 1 of 1 inputs" in report
    lines = report.splitlines()
    assert lines[1].split() == ["input", "analytic", "numeric", "abs", "error", "rel", "error"]
    cells = lines[2].split()
    assert cells[0] == "x1" and cells[-1] == "WRONG"
    s = 1 / (1 + math.exp(-0.5))
    assert float(cells[1]) == pytest.approx(s, rel=1e-5)  # what the broken rule claims
    assert float(cells[2]) == pytest.approx(s + 0.5 * s * (1 - s), rel=1e-5)  # the truth
    assert gradcheck(lambda a: apply("swish", a), [0.5], raise_exception=False) is False


@given(expressions(max_ops=6))
def test_numeric_gradient_is_consistent_with_gradcheck(case):
    f, point = case
    numeric = numeric_gradient(f, point)
    leaves = [Value(x) for x in point]
    analytic = grad(f(*leaves), leaves)
    assert analytic == pytest.approx(numeric, rel=1e-3, abs=1e-5)


# -- a corpus of right and wrong derivative rules, held against PyTorch's gradcheck -----
#
# Each case is one primitive -- a value and a derivative rule, some of them wrong --
# registered in the op table and also wrapped as a ``torch.autograd.Function`` with the
# very same rule as its backward.  ``gradcheck`` (and ``gradgradcheck``) must give the
# verdict ``torch.autograd.gradcheck`` gives, in float64, on every case except the
# kink cases listed in ``KINK_DISAGREEMENTS``: there the op declares a kink and the
# claimed derivative is a subgradient, which this checker accepts and PyTorch's rejects.


def _step(a):
    """1 where a > 0, else 0: a constant, on floats, Values and tensors alike."""
    if isinstance(a, torch.Tensor):
        return (a > 0).to(a.dtype)
    return 1.0 if (a.data if isinstance(a, Value) else a) > 0 else 0.0


def _detach(a):
    """``a`` as a constant: the rule's value is kept, its own derivative is lost."""
    if isinstance(a, torch.Tensor):
        return a.detach()
    return a.data if isinstance(a, Value) else a


def _sign(a):
    return 2 * _step(a) - 1 if not _is_zero(a) else 0 * _step(a)


def _is_zero(a) -> bool:
    if isinstance(a, torch.Tensor):
        return bool((a == 0).all())
    return (a.data if isinstance(a, Value) else a) == 0


# Three spellings of the same few functions: on floats (the value), on floats and
# Values (the derivative rule, so higher derivatives follow), and on tensors.
FLOAT = SimpleNamespace(sin=math.sin, cos=math.cos, exp=math.exp, tanh=math.tanh,
                        log=math.log, sqrt=math.sqrt, step=_step, sign=_sign, detach=_detach)
RULE = SimpleNamespace(sin=ad.sin, cos=ad.cos, exp=ad.exp, tanh=ad.tanh,
                       log=ad.log, sqrt=ad.sqrt, step=_step, sign=_sign, detach=_detach)
TORCH = torch and SimpleNamespace(sin=torch.sin, cos=torch.cos, exp=torch.exp, tanh=torch.tanh,
                                  log=torch.log, sqrt=torch.sqrt, step=_step, sign=_sign,
                                  detach=_detach)


@dataclass(frozen=True)
class Case:
    """``value(m, a)`` and ``derivative(m, a)`` written once for the namespaces above."""

    name: str
    value: Callable
    derivative: Callable
    at: float
    kink: Callable[[float], float] | None = None  # distance from the op's kink

    def primitive(self) -> Primitive:
        return Primitive(self.name, self.name, lambda a: float(self.value(FLOAT, a)),
                         lambda out, a: (self.derivative(RULE, a),), kink_distance=self.kink)

    def torch_function(self):
        case = self

        class Op(torch.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return case.value(TORCH, a)

            @staticmethod
            def backward(ctx, g):
                (a,) = ctx.saved_tensors
                return g * case.derivative(TORCH, a)

        return Op.apply


def _right_and_wrong(name, value, derivative, at, error=0.4, kink=None) -> list[Case]:
    """The case with the right rule, and with the rule off by ``error`` (wrong beyond
    the default tolerance, ``1e-5 + 1e-3 * |derivative|``, of both checkers)."""
    return [Case(f"{name}_ok", value, derivative, at, kink),
            Case(f"{name}_bad", value, lambda m, a: derivative(m, a) + error, at, kink)]


PI = math.pi
CASES: list[Case] = [
    # smooth
    *_right_and_wrong("cube", lambda m, a: a ** 3, lambda m, a: 3 * a ** 2, 0.7),
    *_right_and_wrong("tanh", lambda m, a: m.tanh(a), lambda m, a: 1 - m.tanh(a) ** 2, -0.3),
    *_right_and_wrong("log", lambda m, a: m.log(a), lambda m, a: 1 / a, 2.5),
    *_right_and_wrong("sqrt", lambda m, a: m.sqrt(a), lambda m, a: 0.5 / m.sqrt(a), 0.8),
    *_right_and_wrong("gauss", lambda m, a: m.exp(-a * a), lambda m, a: -2 * a * m.exp(-a * a),
                      0.4),
    *_right_and_wrong("sin_cos", lambda m, a: m.sin(a) * m.cos(a),
                      lambda m, a: m.cos(a) ** 2 - m.sin(a) ** 2, 1.1),
    # stiff: huge curvature, 5e5 a^2 at 0
    *_right_and_wrong("stiff_square", lambda m, a: 5e5 * a * a, lambda m, a: 1e6 * a, 0.0),
    *_right_and_wrong("stiff_square_off0", lambda m, a: 5e5 * a * a, lambda m, a: 1e6 * a, 0.3,
                      error=1e3),
    *_right_and_wrong("stiff_exp", lambda m, a: m.exp(20 * a), lambda m, a: 20 * m.exp(20 * a),
                      0.1, error=1.0),
    *_right_and_wrong("stiff_cube", lambda m, a: 1e4 * a ** 3, lambda m, a: 3e4 * a ** 2, 0.0),
    # oscillating: sin(1000 a) at pi/2000
    *_right_and_wrong("sin1000", lambda m, a: m.sin(1000 * a), lambda m, a: 1000 * m.cos(1000 * a),
                      PI / 2000),
    *_right_and_wrong("sin1000_peak", lambda m, a: m.sin(1000 * a),
                      lambda m, a: 1000 * m.cos(1000 * a), 0.0, error=5.0),
    *_right_and_wrong("chirp", lambda m, a: m.sin(50 * a * a),
                      lambda m, a: 100 * a * m.cos(50 * a * a), 0.9),
    # tiny and huge scales (the error scaled with the derivative)
    *_right_and_wrong("tiny", lambda m, a: 1e-8 * m.sin(a), lambda m, a: 1e-8 * m.cos(a), 0.5,
                      error=1e-4),
    *_right_and_wrong("huge", lambda m, a: 1e8 * m.tanh(a), lambda m, a: 1e8 * (1 - m.tanh(a) ** 2),
                      0.2, error=1e6),
    *_right_and_wrong("huge_input", lambda m, a: m.log(a), lambda m, a: 1 / a, 1e6, error=5e-5),
    # kinked, at the kink: relu-like and abs-like with declared kinks
    *_right_and_wrong("relu0", lambda m, a: a * m.step(a), lambda m, a: m.step(a), 0.0,
                      kink=abs, error=2.0),
    *_right_and_wrong("abs0", lambda m, a: a * m.sign(a), lambda m, a: m.sign(a), 0.0,
                      kink=abs, error=3.0),
    *_right_and_wrong("leaky0", lambda m, a: a * (0.1 + 0.9 * m.step(a)),
                      lambda m, a: 0.1 + 0.9 * m.step(a), 0.0, kink=abs, error=2.0),
    # kinked, near the kink (inside and outside the step)
    *_right_and_wrong("relu_near_in", lambda m, a: a * m.step(a), lambda m, a: m.step(a), 3e-7,
                      kink=abs),
    *_right_and_wrong("relu_near_out", lambda m, a: a * m.step(a), lambda m, a: m.step(a), 1e-4,
                      kink=abs),
    *_right_and_wrong("abs_near_out", lambda m, a: a * m.sign(a), lambda m, a: m.sign(a), -1e-3,
                      kink=abs),
    # kinked op, evaluated away from its kink
    *_right_and_wrong("relu_far", lambda m, a: a * m.step(a), lambda m, a: m.step(a), 1.5,
                      kink=abs),
    # a kink that is not declared: no subgradient is accepted
    *_right_and_wrong("undeclared_abs0", lambda m, a: a * m.sign(a), lambda m, a: m.sign(a), 0.0,
                      error=3.0),
]

# Every case where the verdicts differ: kinks the op declares, checked within the step,
# with a rule that gives a subgradient (between the one-sided slopes).  PyTorch's
# gradcheck compares with the central difference only and fails them.
KINK_DISAGREEMENTS = {
    "relu0_ok",         # relu'(0) = 0: slopes 0 and 1, central difference 0.5
    "leaky0_ok",        # 0.1 at 0: slopes 0.1 and 1, central difference 0.55
    "relu_near_in_ok",  # relu'(3e-7) = 1: the step crosses 0, central difference 0.65
}
# abs0_ok agrees: abs'(0) = 0 is also the central difference, by symmetry.
# The first derivative jumps at a kink, and PyTorch differentiates across the jump
# (giving about jump / 2h); this checker takes the second derivative of the pieces.
GRADGRAD_KINK_DISAGREEMENTS = {"relu0_ok", "abs0_ok", "leaky0_ok", "relu_near_in_ok"}


# Rules whose values are right (gradcheck passes them) but which treat a factor as a
# constant, so the graph of the gradient -- the second derivative -- is wrong.
DETACHED: list[Case] = [
    Case("cube_detached", lambda m, a: a ** 3, lambda m, a: 3 * a * m.detach(a), 0.7),
    Case("tanh_detached", lambda m, a: m.tanh(a),
         lambda m, a: 1 - m.tanh(a) * m.tanh(m.detach(a)), -0.3),
    Case("gauss_detached", lambda m, a: m.exp(-a * a),
         lambda m, a: -2 * m.detach(a) * m.exp(-a * a), 0.4),
    Case("stiff_square_detached", lambda m, a: 5e5 * a * a, lambda m, a: 1e6 * m.detach(a), 0.0),
    Case("stiff_exp_detached", lambda m, a: m.exp(20 * a),
         lambda m, a: 20 * m.exp(20 * m.detach(a)), 0.1),
    Case("sin1000_detached", lambda m, a: m.sin(1000 * a),
         lambda m, a: 1000 * m.cos(1000 * m.detach(a)), 0.3),
    Case("huge_detached", lambda m, a: 1e8 * m.tanh(a),
         lambda m, a: 1e8 * (1 - m.tanh(a) * m.tanh(m.detach(a))), 0.2),
]
GRADGRAD = [c for c in CASES if c.name.endswith("_ok")] + DETACHED


@pytest.fixture
def corpus(register_op):
    """Every case, CASES and DETACHED, registered in the op table for one test."""
    for case in CASES + DETACHED:
        register_op(case.primitive())


def _ours(check, case: Case) -> bool:
    return check(lambda a: apply(case.name, a), [case.at], raise_exception=False)


def _theirs(check, case: Case) -> bool:
    point = torch.tensor([case.at], dtype=torch.float64, requires_grad=True)
    return check(case.torch_function(), (point,), raise_exception=False)


def test_the_corpus_is_large_and_mixed():
    assert len(CASES) >= 40
    assert sum(c.name.endswith("_bad") for c in CASES) == len(CASES) // 2


def _verdicts(ours_check, theirs_check, cases):
    """Each case's verdict by our check and by PyTorch's, and the cases where they differ."""
    ours = {c.name: _ours(ours_check, c) for c in cases}
    theirs = {c.name: _theirs(theirs_check, c) for c in cases}
    return ours, theirs, {name for name in ours if ours[name] != theirs[name]}


# Each check against PyTorch's of the same name: the cases, the kinks where the verdicts
# differ, and the wrong rules that our check must fail.
AGAINST_TORCH = {
    "gradcheck": (gradcheck, CASES, KINK_DISAGREEMENTS,
                  [c for c in CASES if c.name.endswith("_bad")]),
    "gradgradcheck": (gradgradcheck, GRADGRAD, GRADGRAD_KINK_DISAGREEMENTS, DETACHED),
}


@needs_torch
@pytest.mark.parametrize("check", AGAINST_TORCH)
def test_the_check_agrees_with_torch_except_at_declared_kinks(corpus, check):
    ours_check, cases, kinks, wrong = AGAINST_TORCH[check]
    ours, theirs, disagree = _verdicts(ours_check, getattr(torch.autograd, check), cases)
    assert disagree == kinks
    assert all(ours[name] and not theirs[name] for name in disagree)
    assert not any(ours[c.name] for c in wrong)


@needs_torch
def test_detached_rules_have_right_first_derivatives(corpus):
    assert all(_ours(gradcheck, c) and _theirs(torch.autograd.gradcheck, c) for c in DETACHED)
