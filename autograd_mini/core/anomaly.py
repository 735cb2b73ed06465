"""Anomaly mode: stop at the first node whose value or gradient turns NaN or ±inf.

It plugs into the engine at its one seam (``engine.on_new_node`` and ``engine.on_sweep``)
and costs nothing while it is off.
"""

from __future__ import annotations

import linecache
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from . import engine
from .checks import describe
from .engine import Value
from .language import _
from .valuebase import number

__all__ = ["detect_anomaly", "AnomalyError"]

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_depth = 0  # how many detect_anomaly() blocks are open


class AnomalyError(ArithmeticError):
    """A value or a gradient turned NaN or ±inf from finite numbers (see detect_anomaly)."""


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Stop at the first node whose value or gradient turns NaN or ±inf from finite numbers.

    Inside the block every new node remembers the file and line of the code that made
    it, and

    * forward: a node whose value is not finite although its inputs are raises
      :class:`AnomalyError` as it is made;
    * backward: a chain-rule product that is not finite although the upstream gradient
      is raises :class:`AnomalyError`, naming the node and where it was made.

        >>> from autograd_mini import Value
        >>> x = Value(1000.0, label="x")
        >>> with detect_anomaly():
        ...     y = x.exp() - x.exp()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        autograd_mini.core.anomaly.AnomalyError: exp(1000.0 (label 'x')) = inf from finite ...

    The checks cost time, so the normal path makes none.  Like PyTorch's anomaly mode
    it is one switch for the whole process, not per thread.
    """
    global _depth
    if _depth == 0:
        engine.on_new_node.append(_check_value)
        engine.on_sweep.append(_check_sweep)
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            engine.on_new_node.remove(_check_value)
            engine.on_sweep.remove(_check_sweep)


def _site() -> tuple[str, int]:
    """(file, line) of the innermost caller outside this package."""
    frame = sys._getframe(3)  # apply's caller: Value's operator, nn, or the user's code
    while frame is not None and _inside_package(frame.f_code.co_filename):
        frame = frame.f_back
    return ("?", 0) if frame is None else (frame.f_code.co_filename, frame.f_lineno)


@cache
def _inside_package(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_PACKAGE)


def _where(site: tuple[str, int] | None) -> str:
    """``file:line: code`` for an error message (the code read only now, when needed)."""
    if site is None:
        return _("a place outside detect_anomaly()")
    filename, line = site
    code = linecache.getline(filename, line).strip()
    return f"{filename}:{line}" + (f": {code}" if code else "")


def _check_value(node: Value) -> None:
    site = node.made_at = _site()  # kept by the node: it goes when the node goes
    if not math.isfinite(node._data) and all(math.isfinite(p._data) for p in node.parents):
        raise AnomalyError(_("{node} = {number} from finite inputs, made at {place} "
                             "({formula})", node=describe(node.primitive, node.parents),
                             number=repr(node.data), place=_where(site),
                             formula=node.primitive.formula))


def _check_sweep(order, seeds: dict, rule, grads: dict) -> None:
    """After a sweep: if every gradient is finite (the usual case, checked in one pass), no
    product or sum of it was NaN or ±inf -- gradients only add up, so a bad one stays.
    Otherwise the sweep runs again, each contribution checked, to stop at the first bad one."""
    if all(map(math.isfinite, map(number, grads.values()))):
        return
    engine.backward_pass(order, seeds, rule, listen=_check_contribution)


def _check_contribution(node: Value, slot: int, upstream, local, before, after) -> None:
    """Just after a contribution is added: a product, or the parent's sum, that is not
    finite although the upstream gradient (and the sum before) was."""
    if not math.isfinite(number(upstream)) or (before is not None
                                                and not math.isfinite(number(before))):
        return  # not the first: a gradient was bad already
    product = number(upstream) * number(local)
    if math.isfinite(product) and math.isfinite(number(after)):
        return
    what = (_("turned {product}: upstream {upstream} × local derivative {local}",
              product=repr(product), upstream=repr(number(upstream)),
              local=repr(number(local))) if not math.isfinite(product) else
            _("summed to {total} when {product} was added to a parent's gradient",
              total=repr(number(after)), product=repr(product)))
    raise AnomalyError(_("the gradient through {node} {what}, node made at {place} ({formula})",
                         node=describe(node.primitive, node.parents), what=what,
                         place=_where(getattr(node, "made_at", None)),
                         formula=node.primitive.formula))
