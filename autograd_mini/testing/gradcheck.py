"""Gradient checks: reverse mode set beside finite differences.

    >>> from autograd_mini.testing.gradcheck import gradgradcheck, numeric_gradient
    >>> [round(d, 6) for d in numeric_gradient(lambda x, y: x * y + y.exp(), [3.0, 0.0])]
    [0.0, 4.0]
    >>> gradgradcheck(lambda x: x.tanh() * x, [0.3])
    True

:func:`gradcheck` compares first derivatives, :func:`gradgradcheck` second ones, both
against :func:`numeric_gradient`'s Richardson-extrapolated central differences; a
failure raises :class:`GradcheckError`, whose message is the table of both.

A graph may hold nodes made by hand, micrograd style (``Value(t, (self,), 'tanh')`` with a
``_backward`` closure): there is no rule in the op table to read for them, so the gradient
is what the graph's own ``backward()`` gives, and a failure names those nodes, the first
suspects.  The leaves are made with the class of the inputs given, so methods added to
your class (``Value.tanh_hw = tanh``) work inside the checked function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..core import handwritten
from ..core.engine import Value, grad, topological_order
from ..core.language import N_, _
from ..core.naming import display_names, input_label
from ..core.valuebase import number
from ..explain.trace import aligned, fmt

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numeric_gradient",
           "check_gradients", "report"]

GRADIENT, SECOND_DERIVATIVE = N_("gradient"), N_("second-derivative")  # what a check checks


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


def _labels(n: int) -> list[str]:
    return [input_label(k) for k in range(1, n + 1)]  # from 1, as display_names counts


def _point(inputs: Sequence[float | Value],
           kind: type[Value] | None = None) -> tuple[list[float], type[Value]]:
    """The point to check at, as floats, and the class to make its leaves with: the
    class of the Values given (yours, with its own methods), else the engine's."""
    given = [x for x in inputs if isinstance(x, Value)]
    kind = kind or (type(given[0]) if given else Value)
    return [number(x) for x in inputs], kind


def _leaf(kind: type[Value], x: float, label: str) -> Value:
    try:
        return kind(x, label=label)
    except TypeError:  # a class of yours whose constructor takes no label
        leaf = kind(x)
        leaf.label = label
        return leaf


def _run(f: Callable[..., Value], point: Sequence[float], labels: Sequence[str],
         kind: type[Value] = Value):
    """Leaves of ``kind`` for ``point`` and ``f`` of them: ``(leaves, output)``."""
    leaves = [_leaf(kind, x, name) for x, name in zip(point, labels)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(_("the checked function must return a Value, got {kind}",
                          kind=type(out).__name__))
    return leaves, out


@dataclass(frozen=True)
class _Kink:
    """A node of an op that declares kinks, with its inputs and their distance from one."""

    node: Value
    op: str
    inputs: tuple[float, ...]
    distance: float


def _kinks(out: Value) -> list[_Kink]:
    """Every node of ``out``'s graph whose op has kinks, in topological order."""
    found = []
    for node in topological_order(out):
        distance = node.primitive.kink_distance if node.primitive is not None else None
        if distance is not None:
            inputs = tuple(p.data for p in node.parents)
            found.append(_Kink(node, node.primitive.name, inputs, distance(*inputs)))
    return found


_Probe = Callable[[list[float]], tuple[float, list[_Kink]]]


def _probe(f: Callable[..., Value], point: Sequence[float], labels: Sequence[str],
           kind: type[Value] = Value) -> tuple[float, list[_Kink]]:
    """``f`` at ``point``: its value and its kink nodes."""
    try:
        out = _run(f, point, labels, kind)[1]
    except (ValueError, ZeroDivisionError) as error:
        raise GradcheckError(_(
            "the function cannot be evaluated at {point}, a finite-difference step away "
            "from the checked point (too close to the edge of its domain?): {error}",
            point=list(point), error=error)) from None
    return out.data, _kinks(out)


def numeric_gradient(
    f: Callable[..., Value], inputs: Sequence[float | Value], eps: float = 1e-6
) -> list[float]:
    """Finite differences, one input at a time: the numbers ``gradcheck`` compares with.

    Central differences ``(f(x + h) - f(x - h)) / 2h`` at ``h = eps, eps/2, eps/4``,
    extrapolated to ``h = 0`` (Richardson).  A central difference is off by about
    ``h^2`` (a one-sided one by ``h``); the extrapolation cancels the ``h^2`` and ``h^4``
    terms too, until rounding error, which grows like ``1/h``, takes over.
    """
    point, kind = _point(inputs)
    labels = _labels(len(point))
    probe = lambda p: _probe(f, p, labels, kind)  # noqa: E731
    return [_central_difference(probe, point, i, eps)[0] for i in range(len(point))]


def _shifted(point: list[float], i: int, step: float) -> list[float]:
    moved = list(point)
    moved[i] += step
    return moved


def _central_difference(probe: _Probe, point: list[float], j: int, eps: float):
    """The derivative along input ``j`` by Richardson-extrapolated central differences,
    and what ``probe`` gave one largest step below and above the point."""
    steps = (eps, eps / 2, eps / 4)
    sides = [(probe(_shifted(point, j, -h)), probe(_shifted(point, j, h))) for h in steps]
    numeric = _richardson([(plus[0] - minus[0]) / (2 * h)
                           for h, (minus, plus) in zip(steps, sides)])
    return numeric, sides[0]


def gradcheck(f: Callable[..., Value], inputs: Sequence[float | Value], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare reverse-mode gradients of ``f`` with finite differences.

    Args:
        f: takes one Value per input and returns a Value.
        inputs: the point to check at: floats, or Values of your class (their data is
            the point, and the leaves are made with their class).
        eps: the largest finite-difference step.
        atol, rtol: an input passes when ``|analytic - numeric| <= atol + rtol*|numeric|``.
        raise_exception: raise on failure (default) or return ``False``.

    Returns:
        ``True`` when every input passes.

    Raises:
        GradcheckError: a gradient is wrong; the message is a table with, per input
            (``x1``, ``x2``, ...), the analytic and numeric gradients and their errors,
            and the graph's hand-written nodes with the numbers their ``_backward`` gives.

    A node made by hand has no rule in the op table: where the graph holds one, the
    analytic gradient is what the graph's own ``backward()`` gives (every gradient
    of the graph is put back as it was afterwards).

    The numeric gradient is Richardson's extrapolation of central differences
    ``D(h) = (f(x + h) - f(x - h)) / 2h`` at ``h = eps, eps/2, eps/4``: as
    ``D(h) = f' + c h^2 + d h^4 + ...``, the combination ``(4 D(h/2) - D(h)) / 3``
    cancels the ``h^2`` term, and one more level the ``h^4`` term, so strong
    curvature (``5e5 a^2``, ``sin(1000 a)``) does not need a looser tolerance.

    Only at a *kink* -- where the graph passes, within the step, through a point
    the op table marks as non-differentiable (``Primitive.kink_distance``: relu and abs at 0,
    and any op you register with one) -- is there no derivative to compare with.
    There, any analytic value between the one-sided slopes passes: that is a
    *subgradient*, what the conventions relu'(0) = 0 and abs'(0) = 0 give, and the
    report names the node and its op.  Everywhere else the comparison is strict.
    """
    rows, suspects = check_gradients(f, inputs, eps=eps, atol=atol, rtol=rtol)
    return _verdict(GRADIENT, rows, atol, rtol, raise_exception, suspects)


def check_gradients(f: Callable[..., Value], inputs: Sequence[float | Value], *,
                    eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
                    ) -> tuple[list[_Row], Callable[[], str]]:
    """What :func:`gradcheck` compares, without a verdict: one row per input (its label,
    analytic and numeric gradients, and whether they agree), and a function that names
    the graph's hand-written steps for a report."""
    point, kind = _point(inputs)
    labels = _labels(len(point))
    leaves, out = _run(f, point, labels, kind)
    names = display_names(out)
    hand_written = handwritten.hand_written_nodes(list(names))
    analytic = handwritten.backward_gradients(out, leaves) if hand_written else grad(out, leaves)
    here = (out.data, _kinks(out))
    rows = [_compare(lambda p: _probe(f, p, labels, kind), point, i, analytic[i], here,
                     names, eps, atol, rtol, labels[i], i, _subgradient)
            for i in range(len(point))]
    return rows, lambda: _suspects(hand_written, names)


def _suspects(nodes: list[Value], names: dict[Value, str]) -> str:
    """The hand-written nodes of a failing graph, each with what its ``_backward`` adds
    per unit of upstream gradient: where the op table has no rule, these are the suspects."""
    if not nodes:
        return ""
    lines = [_("hand-written steps in this graph (no op-table rule: check these first):")]
    for node in nodes:
        parents = [names[p] for p in node.parents]
        locals_ = handwritten.step(node, 1.0)
        given = ", ".join(f"{names[p]} = {fmt(p.data)}" for p in dict.fromkeys(node.parents))
        said = ", ".join(f"∂{names[node]}/∂{n} = {fmt(d)}" for n, d in zip(parents, locals_))
        lines.append("  " + _("{node} = {expression} at {given}: its _backward gives {said}",
                              node=names[node], expression=handwritten.written(node, parents),
                              given=given, said=said))
    return "\n".join(lines)


def _compare(probe: _Probe, point: list[float], j: int, analytic: float,
             here: tuple[float, list[_Kink]], names: dict[Value, str],
             eps: float, atol: float, rtol: float, label: str, index: int,
             at_kink: Callable[..., tuple[float, float]]) -> _Row:
    """One row: ``analytic`` against the derivative of ``probe`` along input ``j``."""
    numeric, ((minus, minus_kinks), (plus, plus_kinks)) = _central_difference(
        probe, point, j, eps)
    if _close(analytic, numeric, atol, rtol):
        return _Row(index, label, analytic, numeric, True)
    kink = _crossed(here[1], [minus_kinks, plus_kinks])
    if kink is None:
        return _Row(index, label, analytic, numeric, False)
    low, high = at_kink(probe, point, j, here[0], minus, plus, eps)
    ok = min(low, high) - atol <= analytic <= max(low, high) + atol
    note = _("at a kink of {op} in node {node}: slopes {low}, {high}", op=kink.op,
             node=names.get(kink.node, "?"), low=fmt(low), high=fmt(high))
    return _Row(index, label, analytic, numeric, ok, note)


def _subgradient(probe, point, j, here, minus, plus, eps) -> tuple[float, float]:
    """The one-sided slopes at a kink: any value between them is a subgradient."""
    return (here - minus) / eps, (plus - here) / eps


def _slopes_of_the_pieces(probe, point, j, here, minus, plus, eps) -> tuple[float, float]:
    """At a kink the gradient jumps, and its value at the kink is a convention; its
    derivative is that of the piece on either side, taken beyond the step:
    ``(g(x - h) - g(x - 2h)) / h`` and ``(g(x + 2h) - g(x + h)) / h``."""
    far_minus = probe(_shifted(point, j, -2 * eps))[0]
    far_plus = probe(_shifted(point, j, 2 * eps))[0]
    return (minus - far_minus) / eps, (far_plus - plus) / eps


def _richardson(estimates: list[float]) -> float:
    """Extrapolate central differences at steps ``h, h/2, h/4, ...`` to step 0."""
    level = 1
    while len(estimates) > 1:
        factor = 4.0 ** level
        estimates = [(factor * fine - coarse) / (factor - 1)
                     for coarse, fine in zip(estimates, estimates[1:])]
        level += 1
    return estimates[0]


def _crossed(here: list[_Kink], neighbours: list[list[_Kink]]) -> _Kink | None:
    """The first kink node the step may cross: its inputs move, from ``here`` to a
    neighbour, by at least their distance from the op's kink (so a kink lies between,
    the distance being at most the move for a distance like ``abs``).  Nodes are
    matched by position in the graph, so a graph whose shape changes within the step
    matches only as far as its ops agree."""
    for k, kink in enumerate(here):
        for other in neighbours:
            if k < len(other) and other[k].node.primitive is kink.node.primitive:
                move = max((abs(a - b) for a, b in zip(kink.inputs, other[k].inputs)),
                           default=0.0)
                if move > 0.0 and kink.distance <= move:
                    return kink
    return None


def _close(a: float, b: float, atol: float, rtol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= atol + rtol * abs(b)


def _verdict(what: str, rows: list[_Row], atol: float, rtol: float,
             raise_exception: bool, notes: Callable[[], str] = str) -> bool:
    """True when every row passed; else the report (and ``notes()``) raised, or False."""
    if all(row.ok for row in rows):
        return True
    if raise_exception:
        note = notes()
        raise GradcheckError(_report(what, rows, atol, rtol) + (f"\n{note}" if note else ""))
    return False


def report(rows: list[_Row], atol: float = 1e-5, rtol: float = 1e-3) -> str:
    """The table gradcheck's error shows, for rows of :func:`check_gradients`."""
    return _report(GRADIENT, rows, atol, rtol)


def _report(what: str, rows: list[_Row], atol: float, rtol: float) -> str:
    header = (_("input"), _("analytic"), _("numeric"), _("abs error"), _("rel error"), "")
    table = [header] + [
        (r.label, f"{r.analytic:.6g}", f"{r.numeric:.6g}", f"{r.abs_error:.2e}",
         f"{r.rel_error:.2e}", _verdict_word(r)) for r in rows]
    bad = sum(not r.ok for r in rows)
    return _("{what} check failed for {bad} of {count} inputs (tolerance: atol={atol} + "
             "rtol={rtol} * |numeric|)", what=_(what), bad=bad, count=len(rows),
             atol=f"{atol:g}", rtol=f"{rtol:g}") + "\n" + aligned(table)


def _verdict_word(row: _Row) -> str:
    """``ok``, or ``WRONG``, and the row's note (a kink) after it."""
    word = _("ok") if row.ok else _("WRONG")
    return f"{word} ({row.note})" if row.note else word


def gradgradcheck(f: Callable[..., Value], inputs: Sequence[float | Value], *,
                  eps: float = 1e-5, atol: float = 1e-4, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives: each ``d/dx_j (df/dx_i)`` against finite differences
    (Richardson-extrapolated, as in :func:`gradcheck`) of the reverse-mode gradient.
    Arguments as in :func:`gradcheck`; at a kink of the op table the second
    first derivative jumps, and the second derivative must be that of the piece on
    one side or the other (or between them).

    A hand-written step runs on floats, so it cannot be differentiated again: where the
    graph holds one, the derivative of the gradient ``backward()`` gives is taken by
    finite differences, and held against the finite differences of finite differences
    of ``f`` itself -- a rule that is right at every point passes.
    """
    point, kind = _point(inputs)
    n = len(point)
    labels = _labels(n)
    leaves, out = _run(f, point, labels, kind)
    names = display_names(out)
    hand_written = handwritten.hand_written_nodes(list(names))
    if hand_written:
        rows = _second_derivatives_by_backward(f, point, labels, kind, out, names, eps,
                                               atol, rtol)
        return _verdict(SECOND_DERIVATIVE, rows, atol, rtol, raise_exception,
                        lambda: _suspects(hand_written, names))
    first = grad(out, leaves, create_graph=True)
    here_kinks = _kinks(out)
    gradients = _GradientProbe(f, labels, kind)
    rows = []
    for i in range(n):
        gi = first[i]
        second = grad(gi, leaves) if isinstance(gi, Value) else [0.0] * n
        here = (number(gi), here_kinks)
        for j in range(n):
            rows.append(_compare(lambda p, i=i: gradients(p, i), point, j, second[j], here,
                                 names, eps, atol, rtol,
                                 f"d/d{labels[j]} d/d{labels[i]}", i * n + j,
                                 _slopes_of_the_pieces))
    return _verdict(SECOND_DERIVATIVE, rows, atol, rtol, raise_exception)


_INNER_STEP = 1e-3  # the step of the inner difference (Richardson makes it accurate)


def _second_derivatives_by_backward(f, point, labels, kind, out, names, eps, atol, rtol):
    """The rows of :func:`gradgradcheck` for a graph with hand-written nodes: the finite
    difference of ``backward()``'s gradient against that of the numeric gradient."""
    n = len(point)
    backward = _GradientProbe(f, labels, kind)
    value = lambda p: _probe(f, p, labels, kind)  # noqa: E731

    def numeric(p: list[float], i: int) -> tuple[float, list[_Kink]]:
        return _central_difference(value, p, i, _INNER_STEP)[0], value(p)[1]

    here_kinks, rows = _kinks(out), []
    for i in range(n):
        here = (numeric(point, i)[0], here_kinks)
        for j in range(n):
            analytic = _central_difference(lambda p, i=i: backward(p, i), point, j, eps)[0]
            rows.append(_compare(lambda p, i=i: numeric(p, i), point, j, analytic, here,
                                 names, eps, atol, rtol, f"d/d{labels[j]} d/d{labels[i]}",
                                 i * n + j, _slopes_of_the_pieces))
    return rows


class _GradientProbe:
    """``df/dx_i`` at a point, with the point's kink nodes; each point's graph is
    built and differentiated once for all ``i`` (by its own ``backward()`` where it
    holds hand-written nodes)."""

    def __init__(self, f: Callable[..., Value], labels: Sequence[str],
                 kind: type[Value] = Value) -> None:
        self.f, self.labels, self.kind = f, labels, kind
        self.seen: dict[tuple[float, ...], tuple[list[float], list[_Kink]]] = {}

    def __call__(self, point: list[float], i: int) -> tuple[float, list[_Kink]]:
        key = tuple(point)
        if key not in self.seen:
            try:
                leaves, out = _run(self.f, point, self.labels, self.kind)
                hand_written = handwritten.hand_written_nodes(topological_order(out))
                gradient = (handwritten.backward_gradients(out, leaves) if hand_written
                            else grad(out, leaves))
                self.seen[key] = (gradient, _kinks(out))
            except (ValueError, ZeroDivisionError) as error:
                raise GradcheckError(_("the gradient cannot be evaluated at {point}: {error}",
                                       point=point, error=error)) from None
        gradient, kinks = self.seen[key]
        return gradient[i], kinks
