"""The numeric policy (testing/policy.py, docs/numeric-policy.md), at its special points:
overflow is ±inf (never OverflowError), NaN in gives NaN out, and a derivative never
raises where the function is differentiable."""

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, apply, grad
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


@pytest.mark.parametrize("a", [1e-310, 5e-324, -1e-310, 0.0, -0.0, 2.0, math.inf, math.nan])
def test_the_slope_of_x_to_the_0_is_0_even_where_x_to_the_minus_1_overflows(a):
    x = Value(a)
    assert grad(x**0, [x]) == [0.0]  # not 0 * inf = nan: x**0 is 1 everywhere
    assert grad(x ** Value(0.0), [x]) == [0.0]
    (g,) = grad(x ** Value(0.0), [x], create_graph=True)
    assert g.data == 0.0 and grad(g, [x]) == [0.0]
    (g,) = grad(x**0, [x], create_graph=True)
    assert getattr(g, "data", g) == 0.0


def test_the_slope_of_x_to_a_0_exponent_still_depends_on_the_exponent():
    x, b = Value(2.0), Value(0.0)
    (g,) = grad(x**b, [x], create_graph=True)
    assert grad(g, [b]) == [0.5]  # d/db (b * x**(b - 1)) = x**-1 at b = 0


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


# -- second derivatives at the special points ---------------------------------------------


def _our_hessian(name, point):
    xs = [Value(x) for x in point]
    out = apply(name, *xs)
    return [grad(g, xs) for g in grad(out, xs, create_graph=True)]


def _torch_hessian(torch, name, point):
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    first = torch.autograd.grad(PRIMITIVES[name].torch(torch, *xs), xs, create_graph=True)
    rows = []
    for g in first:
        if not g.requires_grad:  # a constant derivative: its own derivatives are 0
            rows.append([0.0] * len(xs))
            continue
        rows.append([0.0 if d is None else d.item() for d in
                     torch.autograd.grad(g, xs, allow_unused=True, retain_graph=True)])
    return rows


def _close(a, b):
    return all(x == y or (math.isnan(x) and math.isnan(y))
               or (math.isfinite(x) and abs(x - y) <= 1e-12 * max(1.0, abs(y)))
               for r, s in zip(a, b) for x, y in zip(r, s))


# Where PyTorch's second derivatives are not the limits: its pow has a b == 0 shortcut
# that cuts the graph (so its Hessian is not symmetric), and it takes 0 * log 0 as NaN.
# Ours, derived by hand: d²/da² a**b = b(b-1)a**(b-2), d²/dadb = a**(b-1)(1 + b log a)
# (-> 0 as a -> 0 for b = 2), d²/db² = a**b log² a.
NOT_LIKE_PYTORCH = {
    "pow(2, 0)": [[0.0, 0.5], [0.5, math.log(2) ** 2]],
    "pow(2, -0)": [[0.0, 0.5], [0.5, math.log(2) ** 2]],
    "pow(0, 2)": [[2.0, 0.0], [0.0, 0.0]],
    "pow(-0, 2)": [[2.0, 0.0], [0.0, 0.0]],
}


@pytest.mark.parametrize("name,case,point", [
    (name, case, point) for name in policy.with_torch_form()
    for case, point in policy.cases(name)])
def test_second_derivatives_at_every_special_point(name, case, point):
    torch = pytest.importorskip("torch")
    try:
        ours = _our_hessian(name, point)
    except (ValueError, ZeroDivisionError):
        assert policy.ours(name, point)[1] is None  # refused as the first derivative is
        return
    if all(math.isfinite(x) and abs(x) < 1e100 for x in point):  # no overflow on the way
        transposed = [list(row) for row in zip(*ours)]
        assert _close(ours, transposed), f"{case}: {ours} is not symmetric"
    expected = NOT_LIKE_PYTORCH.get(case) or _torch_hessian(torch, name, point)
    assert _close(ours, expected), f"{case}: ours {ours}, expected {expected}"


def test_pow_second_derivatives_at_a_zero_exponent_a_negative_base_and_nan():
    from autograd_mini.core.transforms import hessian

    h = hessian(lambda x, y: x ** y, [2.0, 0.0])
    assert h[0] == [0.0, 0.5] and h[1] == pytest.approx([0.5, math.log(2) ** 2])  # 1/a, both
    h = hessian(lambda x, y: x ** y, [-0.8856657885332739, 2.0])
    assert h[0][0] == pytest.approx(2.0) and all(math.isnan(v) for v in (h[0][1], *h[1]))
    a, b = Value(0.0), Value(math.nan)
    assert all(math.isnan(g) for g in grad(a ** b, [a, b]))  # NaN in, NaN out


def test_a_constant_base_of_zero_is_differentiable_in_the_exponent():
    from autograd_mini.core.transforms import jvp

    y = Value(0.5)
    assert grad(0.0 ** y, [y]) == [0.0]  # as PyTorch and HIPS autograd
    assert jvp(lambda y: 0.0 ** y, [0.5], [1.0]) == (0.0, 0.0)


def test_the_infinite_slope_of_pow_at_zero_is_named():
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError, match=r"pow\(0\.0 \(label 'x'\), 0\.5\).*slope.*"
                                                 r"infinite at a = 0"):
        grad(x ** 0.5, [x])
