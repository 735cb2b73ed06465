"""Loss functions, built from Values so that ``loss.backward()`` trains through them.

``predictions`` and ``targets`` are a single output or a list of outputs (one case),
or a list of such lists (several cases): they are flattened alike, and must match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

from .core.engine import Number, Value
from .core.language import _
from .core.sums import sum as value_sum
from .core.valuebase import number

__all__ = ["sum_squared_error", "sum_squared_error_grad", "TOLERANCE_MODES", "mse", "hinge",
           "binary_cross_entropy", "softmax_cross_entropy"]

Outputs = Union[Value, Number, Sequence]


def _flat(x: Outputs) -> list:
    if isinstance(x, (list, tuple)):
        return [item for part in x for item in _flat(part)]
    return [x]


def _pairs(predictions: Outputs, targets: Outputs) -> list[tuple]:
    ys, ds = _flat(predictions), _flat(targets)
    if len(ys) != len(ds):
        raise ValueError(_("{predictions} predictions but {targets} targets",
                           predictions=len(ys), targets=len(ds)))
    if not ys:
        raise ValueError(_("a loss needs at least one prediction"))
    return list(zip(ys, ds))


def _as_value(x: Value | Number) -> Value:
    return x if isinstance(x, Value) else Value(x)


TOLERANCE_MODES = ("band", "literal")


def sum_squared_error(predictions: Outputs, targets: Outputs, tolerance: float = 0.0,
                      tolerance_mode: str = "band") -> Value:
    """The paper's error ``E = ½ Σ_c Σ_j (y_jc − d_jc)²``; ``∂E/∂y_j = y_j − d_j``.

    Args:
        tolerance: a unit within ``tolerance`` of its target adds no error
            (Rumelhart et al. use 0.2 for 0/1 targets: above 0.8 counts as on, below
            0.2 as off).
        tolerance_mode: how a unit outside the tolerance is measured.  ``"band"``:
            from the edge of the band, ``½ (y − (d ± tolerance))²``, so E is continuous;
            ``"literal"``: from the target itself, ``½ (y − d)²``, so E jumps at the
            edge (the paper's words read literally: the error is "set to zero" inside).
    """
    terms = []
    for y, d in _pairs(predictions, targets):
        edge = _measured_from(number(y), number(d), tolerance, tolerance_mode)
        if edge is not None:
            terms.append((y - edge) ** 2)
    if not terms:
        return Value(0.0)
    return 0.5 * value_sum(terms)


def sum_squared_error_grad(predictions: Sequence[Number], targets: Sequence[Number],
                           tolerance: float = 0.0, tolerance_mode: str = "band") -> list[float]:
    """``∂E/∂y_j = y_j − edge_j`` of :func:`sum_squared_error` for plain numbers, one per
    output (0 inside the tolerance): the seed a compiled replay's backward pass starts from."""
    slopes = []
    for y, d in _pairs(predictions, targets):
        edge = _measured_from(float(y), float(d), tolerance, tolerance_mode)
        slopes.append(0.0 if edge is None else float(y) - edge)
    return slopes


def _measured_from(y: float, d: float, tolerance: float, mode: str) -> float | None:
    """The point an output ``y`` with target ``d`` is measured from, or None when it is
    within ``tolerance`` of ``d`` and adds no error."""
    if tolerance < 0:
        raise ValueError(_("tolerance must not be negative, got {tolerance}",
                           tolerance=repr(tolerance)))
    if mode not in TOLERANCE_MODES:
        raise ValueError(_("unknown tolerance_mode {mode}; choose band or literal",
                           mode=repr(mode)))
    gap = y - d
    if abs(gap) <= tolerance:
        return None
    if mode == "literal":
        return d
    return d + tolerance if gap > 0 else d - tolerance


def mse(predictions: Outputs, targets: Outputs) -> Value:
    """Mean squared error ``(1/N) Σ (y − d)²``."""
    pairs = _pairs(predictions, targets)
    return value_sum([(y - d) ** 2 for y, d in pairs]) / len(pairs)


def hinge(scores: Outputs, labels: Outputs, margin: float = 1.0) -> Value:
    """Mean hinge loss ``(1/N) Σ max(0, margin − t·s)`` for labels t = ±1 (an SVM's loss)."""
    pairs = _pairs(scores, labels)
    for _score, t in pairs:
        if number(t) not in (-1.0, 1.0):
            raise ValueError(_("hinge needs labels -1 or +1, got {label}", label=repr(number(t))))
    return value_sum([(margin - t * _as_value(s)).relu() for s, t in pairs]) / len(pairs)


def binary_cross_entropy(logits: Outputs, targets: Outputs) -> Value:
    """Mean ``−[t log σ(z) + (1 − t) log(1 − σ(z))]`` for targets t in [0, 1], from *logits* z.

    Computed as ``softplus(z) − z·t`` (softplus = log(1 + e^z), evaluated stably), which
    never overflows and never takes the log of 0; its derivative is ``σ(z) − t``.
    """
    pairs = _pairs(logits, targets)
    terms = []
    for z, t in pairs:
        if not 0.0 <= number(t) <= 1.0:
            raise ValueError(_("binary_cross_entropy needs targets in [0, 1], got {target}",
                               target=repr(number(t))))
        z = _as_value(z)
        terms.append(z.softplus() - z * t)
    return value_sum(terms) / len(pairs)


def softmax_cross_entropy(logits: Sequence[Value | Number], target: int) -> Value:
    """``−log softmax(z)[target] = log Σ_k e^(z_k) − z_target``; derivative ``softmax(z) − onehot``.

    The largest logit is subtracted first (a constant, so gradients are unchanged) to
    keep ``exp`` from overflowing.
    """
    zs = [_as_value(z) for z in logits]
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(zs):
        raise ValueError(_("target must be a class index from 0 to {last}, got {target}",
                           last=len(zs) - 1, target=repr(target)))
    shift = max(z.data for z in zs)
    log_sum = value_sum([(z - shift).exp() for z in zs]).log() + shift
    return log_sum - zs[target]
