"""Check gradients against finite differences -- for the built-in ops and for yours.

    >>> from autograd_mini.testing import gradcheck
    >>> gradcheck(lambda x, y: (x * y).tanh() + x.log(), [0.5, 2.0])
    True

The hypothesis strategies live in :mod:`autograd_mini.testing.strategies`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..engine import Value, grad
from ..trace import aligned, fmt

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numeric_gradient"]


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message is a table of both."""


@dataclass(frozen=True)
class _Row:
    index: int
    label: str
    analytic: float
    numeric: float
    ok: bool
    note: str = ""

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        return self.abs_error / max(abs(self.numeric), 1e-12)


def _run(f: Callable[..., Value], point: Sequence[float], labels: Sequence[str]):
    """Leaves for ``point`` and ``f`` of them: ``(leaves, output)``."""
    leaves = [Value(x, label=name) for x, name in zip(point, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"the checked function must return a Value, got {type(out).__name__}")
    return leaves, out


def _evaluate(f: Callable[..., Value], point: Sequence[float], labels: Sequence[str]) -> float:
    try:
        return _run(f, point, labels)[1].data
    except (ValueError, ZeroDivisionError) as error:
        raise GradcheckError(
            f"the function cannot be evaluated at {list(point)}, a finite-difference step "
            f"away from the checked point (too close to the edge of its domain?): {error}"
        ) from None


def numeric_gradient(
    f: Callable[..., Value], inputs: Sequence[float], eps: float = 1e-6
) -> list[float]:
    """Central differences ``(f(x + eps) - f(x - eps)) / 2eps``, one input at a time.

    The error of a central difference shrinks like ``eps^2`` (a one-sided one only
    like ``eps``), until rounding error, which grows like ``1/eps``, takes over.
    """
    point = [float(x) for x in inputs]
    labels = [f"x{i}" for i in range(len(point))]
    sides = [_neighbours(f, point, labels, i, eps) for i in range(len(point))]
    return [(plus - minus) / (2 * eps) for minus, plus in sides]


def _shifted(point: list[float], i: int, step: float) -> list[float]:
    moved = list(point)
    moved[i] += step
    return moved


def _neighbours(f, point, labels, i, eps) -> tuple[float, float]:
    """``f`` one step below and one step above ``point`` along input ``i``."""
    return (_evaluate(f, _shifted(point, i, -eps), labels),
            _evaluate(f, _shifted(point, i, eps), labels))


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compare reverse-mode gradients of ``f`` with central finite differences.

    Args:
        f: takes one Value per input and returns a Value.
        inputs: the point to check at (floats).
        eps: the finite-difference step.
        atol, rtol: an input passes when ``|analytic - numeric| <= atol + rtol*|numeric|``.
        raise_exception: raise on failure (default) or return ``False``.

    Returns:
        ``True`` when every input passes.

    Raises:
        GradcheckError: a gradient is wrong; the message is a table with, per input,
            its label, the analytic and numeric gradients and their errors.

    At a point where ``f`` has a kink (relu or abs at 0) the one-sided slopes differ
    and there is no derivative to compare with.  There, any analytic value between
    the left and the right slope passes: that is a *subgradient*, and it is what
    the conventions relu'(0) = 0 and abs'(0) = 0 give.
    """
    point = [float(x) for x in inputs]
    labels = [f"x{i}" for i in range(len(point))]
    leaves, out = _run(f, point, labels)
    analytic = grad(out, leaves)
    rows = [_compare(f, point, labels, i, analytic[i], out.data, eps, atol, rtol)
            for i in range(len(point))]
    if all(row.ok for row in rows):
        return True
    if raise_exception:
        raise GradcheckError(_report("gradient", rows, atol, rtol))
    return False


def _compare(f, point, labels, i, analytic, here, eps, atol, rtol) -> _Row:
    minus, plus = _neighbours(f, point, labels, i, eps)
    numeric = (plus - minus) / (2 * eps)
    if _close(analytic, numeric, atol, rtol):
        return _Row(i, labels[i], analytic, numeric, True)
    left, right = (here - minus) / eps, (plus - here) / eps
    if not _close(left, right, atol, rtol):  # a kink: accept a subgradient
        low, high = min(left, right), max(left, right)
        ok = low - atol <= analytic <= high + atol
        return _Row(i, labels[i], analytic, numeric, ok, f"kink: slopes {fmt(left)}, {fmt(right)}")
    return _Row(i, labels[i], analytic, numeric, False)


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= atol + rtol * abs(b)


def _report(what: str, rows: list[_Row], atol: float, rtol: float) -> str:
    header = ("input", "analytic", "numeric", "abs error", "rel error", "")
    table = [header] + [
        (r.label, f"{r.analytic:.6g}", f"{r.numeric:.6g}", f"{r.abs_error:.2e}",
         f"{r.rel_error:.2e}", ("ok" if r.ok else "WRONG") + (f" ({r.note})" if r.note else ""))
        for r in rows
    ]
    bad = sum(not r.ok for r in rows)
    return (f"{what} check failed for {bad} of {len(rows)} inputs "
            f"(tolerance: atol={atol:g} + rtol={rtol:g} * |numeric|)\n" + aligned(table))


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-5,
    atol: float = 1e-4,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: each ``d/dx_j (df/dx_i)`` against finite differences
    of the (reverse-mode) gradient.  Arguments as in :func:`gradcheck`.
    """
    point = [float(x) for x in inputs]
    n = len(point)
    labels = [f"x{i}" for i in range(n)]
    leaves, out = _run(f, point, labels)
    first = grad(out, leaves, create_graph=True)
    rows = []
    for i in range(n):
        gi = first[i]
        second = grad(gi, leaves) if isinstance(gi, Value) else [0.0] * n
        for j in range(n):
            numeric = (_gradient_at(f, _shifted(point, j, eps), labels)[i]
                       - _gradient_at(f, _shifted(point, j, -eps), labels)[i]) / (2 * eps)
            ok = _close(second[j], numeric, atol, rtol)
            rows.append(_Row(i * n + j, f"d/d{labels[j]} d/d{labels[i]}", second[j], numeric, ok))
    if all(r.ok for r in rows):
        return True
    if raise_exception:
        raise GradcheckError(_report("second-derivative", rows, atol, rtol))
    return False


def _gradient_at(f, point, labels) -> list[float]:
    leaves, out = _run(f, point, labels)
    return grad(out, leaves)
