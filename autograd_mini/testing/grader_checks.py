"""The checks of :func:`~autograd_mini.testing.check_engine`, one function each.

Each takes the :class:`~autograd_mini.testing.grader.EngineChecker` (which speaks to
the engine) and returns what it found wrong, as :class:`Found` tuples, or raises
:class:`Skip` where it does not apply.  The expected numbers are this engine's, from the
op table's rules; finite differences of the engine's own forward pass are shown beside
them where an op's gradient is wrong.
"""

from __future__ import annotations

import importlib
import math
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from ..bridges.optional import require
from ..core import engine
from ..core.language import N_, _, ngettext
from ..core.naming import fmt
from . import diagnosis as words
from .diagnosis import close
from .op_forms import METHOD, NUMBER_LEFT, NUMBER_RIGHT, VALUES, Form, Program, fitting, programs

__all__ = ["Found", "Skip", "DEPTH", "UPSTREAM", "SHARED", "LARGE", "form_name", "twice_name",
           "large_name", "seed", "fresh_grad", "equal_values", "op", "order_probe", "inner_nodes",
           "twice", "large", "linked", "shared", "expressions", "deep", "mlp", "notes"]

DEPTH = 2_000      # the deep chain's length: beyond a recursive walk's reach
UPSTREAM = 2.5     # the gradient from above in the second round of op checks
SHARED = [         # inner nodes used by later ones: the order of backward matters
    ("c = x1 * x2; out = (c + x1) * c", lambda a, b: (lambda c: (c + a) * c)(a * b)),
    ("c = x1 + x2; out = c * c * x1 + c", lambda a, b: (lambda c: c * c * a + c)(a + b)),
]
_SHARED_AT = (0.5, -1.25)  # where no gradient of either graph is 0
# Inputs far from 0, where the lecture's formulas overflow (exp(2x) in tanh, exp(-x) in
# sigmoid) though the op's value and gradient are finite: only those points are checked.
LARGE = (-800.0, -400.0, 400.0, 800.0)
# The one-liners micrograd writes each operator with, for an engine that lacks one.
_ONE_LINERS = {"__radd__": "return self + other", "__sub__": "return self + (-other)",
               "__rsub__": "return other + (-self)", "__rmul__": "return self * other",
               "__truediv__": "return self * other**-1",
               "__rtruediv__": "return other * self**-1", "__neg__": "return self * -1"}


class Found(NamedTuple):
    """One failure as a check finds it (the runner adds its category and name)."""

    op: str
    expression: str
    inputs: dict
    expected: dict
    got: dict
    diagnosis: str


class Skip(Exception):
    """The check does not apply to this engine (an optional op it does not have)."""


def _names(n: int) -> list[str]:
    return [f"x{i + 1}" for i in range(n)]


def form_name(form: Form) -> str:
    """``sub: c - x1``: the op and the form, with ``c`` for the number."""
    args = form.arguments(_names(len(form.value_positions)), "c")
    return f"{form.op}: {form.text(args)}"


def twice_name(form: Form) -> str:
    """``add: x1 + x1``; for a one-input op, ``exp: x1 + exp(x1)``."""
    if form.kind == METHOD:
        return f"{form.op}: x1 + {form.text(['x1'])}"
    if form.kind == NUMBER_RIGHT:
        return f"{form.op}: x1 + {form.text(['x1', 'c'])}"
    return f"{form.op}: {form.text(['x1', 'x1'])}"


LARGE_NAME = N_("{op}: {expression} at |x1| up to {largest:g}")


def large_name(form: Form, shown: bool = False) -> str:
    """``tanh: tanh(x1) at |x1| up to 800``; ``shown``: in the reader's language."""
    fields = {"op": form.op, "expression": form.text(['x1']), "largest": max(LARGE)}
    return _(LARGE_NAME, **fields) if shown else LARGE_NAME.format(**fields)


def _error(error: BaseException) -> dict:
    return {"error": f"{type(error).__name__}: {error}"}


# -- backward itself --------------------------------------------------------------------


def seed(checker) -> list[Found]:
    """``backward()`` on a single Value gives it the gradient 1."""
    x = checker.leaf(3.0)
    try:
        checker.backward(x)
    except Exception as error:
        return [Found("backward", "x1.backward()", {"x1": 3.0}, {"d/dx1": 1.0}, _error(error),
                      words.raised(error, _("backward() on a single Value")))]
    got = checker.grad(x)
    if close(got, 1.0):
        return []
    return [Found("backward", "x1.backward()", {"x1": 3.0}, {"d/dx1": 1.0}, {"d/dx1": got},
                  _(words.NO_SEED))]


def fresh_grad(checker) -> list[Found]:
    """A new Value starts with the gradient 0: ``backward()`` adds into it."""
    x = checker.leaf(3.0)
    try:
        got = checker.grad(x)
    except (TypeError, ValueError):  # None until a backward pass: a spelling, not a bug
        return []
    if close(got, 0.0):
        return []
    return [Found("backward", "Value(3.0).grad", {"x1": 3.0}, {"grad": 0.0}, {"grad": got},
                  words.fresh_grad(got))]


# x1 + 1 and x1 * 2 are two nodes with the value 2 at x1 = 1, and not at x1 = 1.25
_EQUAL = ("(x1 + 1) * (x1 * 2)", lambda leaves, _: (leaves[0] + 1.0) * (leaves[0] * 2.0))


def equal_values(checker) -> list[Found]:
    """Two distinct inner nodes with the same value are two nodes: the walk of the graph
    must tell nodes apart by identity, not by ``.data``."""
    text, build = _EQUAL
    for form in checker.forms:  # the graph's own ops must pass first, used twice too
        if form.method in ("__add__", "__mul__") and form.kind in (VALUES, NUMBER_RIGHT):
            for name, category in ((form_name(form), "ops"), (twice_name(form), "used twice")):
                result = checker.result_of(name, category)
                if result is not None and result.status == "fail":
                    raise Skip(_("see the check {name} ({category})", name=name,
                                 category=_(category)))
    found = _compare(checker, "backward", text, (1.0,), build)
    if not found or "error" in found[0].got or "value" in found[0].got:
        return found
    if _compare(checker, "backward", text, (1.25,), build):
        raise Skip(_("the graph fails with distinct values too: see the other checks"))
    return [found[0]._replace(diagnosis=_(words.EQUAL_DATA))]


def order_probe(checker) -> str:
    """In which order backward() runs the steps of ``top = (x * 2) * 2.5``, seen through
    micrograd's ``_backward`` hooks: ``"ok"`` (top, then its input), ``"order"`` (the
    input's step first, before its gradient is complete), ``"unlinked"`` (the input's step
    never runs: top is not linked to it), or ``"unknown"`` (no hooks to listen at)."""
    if checker.probe is None:
        checker.probe = _listen_to_order(checker)
    return checker.probe


def _listen_to_order(checker) -> str:
    heard: list[str] = []
    try:
        x = checker.leaf(0.5)
        inner = x * 2.0
        top = inner * UPSTREAM
        for node, name in ((inner, "inner"), (top, "top")):
            step = node._backward
            node._backward = lambda step=step, name=name: (heard.append(name), step())[1]
        checker.backward(top)
    except Exception:
        return "unknown"
    if heard[:1] == ["inner"]:
        return "order"
    return "ok" if "inner" in heard else "unlinked" if heard else "unknown"


def inner_nodes(checker) -> list[Found]:
    """A node's step must run after the steps of every node that uses it."""
    if order_probe(checker) != "order":
        return []
    return [Found("backward", f"(x1 * 2) * {UPSTREAM:g}", {"x1": 0.5}, {}, {},
                  _("every op is right as the output but passes no gradient on as an inner "
                    "node: backward() runs a node's _backward before the nodes that use it "
                    "have added into its .grad — go from the output back (reversed "
                    "topological order)"))]


# -- one op at a time -------------------------------------------------------------------


def _points(form: Form) -> list[tuple[list[float], float | None]]:
    """Three points inside the op's samples: Values' inputs, and the number if any."""
    samples = form.primitive.samples
    fits = [fitting(samples[p]) for p in form.value_positions]
    numbers = fitting(samples[1 - form.value_positions[0]]) \
        if form.kind in (NUMBER_LEFT, NUMBER_RIGHT) else [None]
    return [([f[(k + 2 * j) % len(f)] for j, f in enumerate(fits)],
             numbers[(k + 1) % len(numbers)]) for k in range(3)]


def op(checker, form: Form) -> list[Found]:
    """The op in this form at three points, with the gradient from above 1 and then not."""
    if not form.available(checker.kind, checker.adapter.functions):
        if not form.required:
            raise Skip(_("the engine has no {method}", method=form.method))
        line = _ONE_LINERS.get(form.method, "")
        hint = f" (micrograd: `def {form.method}(self, other): {line}`)" if line else ""
        return [Found(form.op, form_name(form).split(": ", 1)[1], {}, {}, {"error": _("missing")},
                      _("the engine has no {method}, which micrograd's API has{hint}",
                        method=form.method, hint=hint))]
    collided = None
    for upstream in (1.0, UPSTREAM):
        if upstream != 1.0 and not checker.carrier_works(form):
            break  # `out * 2.5` cannot carry a gradient into the node: x * c is broken
        for k, (values, number) in enumerate(_points(form)):
            found = _op_at(checker, form, values, number, upstream, first=upstream == 1 and k == 0)
            if found is None:
                continue
            same = _equal_data(form, values, number, upstream)
            if "error" not in found.got and same is not None:
                collided = collided or found._replace(  # an inner node's value equals
                    diagnosis=_("here the op's node has the value {value}, as another node "
                                "of the graph has, and only here is it wrong: {why}",
                                value=fmt(same), why=_(words.EQUAL_DATA)))
                continue  # another's: the other points tell why
            if "error" not in found.got and form.primitive.kink_distance is not None:
                found = found._replace(diagnosis=_kink_slip(checker, form) or found.diagnosis)
            return [found]
    if collided is not None:  # wrong only where two nodes have the same value
        return [collided._replace(op="backward")]
    values, number = _points(form)[0]
    return linked(checker, form, values, number)


def _equal_data(form: Form, values, number, upstream: float) -> float | None:
    """The value of the op's node, an inner node under ``out * upstream``, where another
    node of the graph (an input, the number, the factor or the output) has it too."""
    if upstream == 1.0:
        return None
    try:
        inner = form.primitive.value(*form.arguments(values, number))
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    others = [*values, upstream, inner * upstream] + ([] if number is None else [number])
    return inner if any(close(inner, v) for v in others) else None


def _reaches(out: Any, leaves: list, limit: int = 200) -> bool | None:
    """Whether every leaf is reached from ``out`` through ``_prev`` (micrograd's children);
    None where the engine keeps no ``_prev`` to follow."""
    if getattr(out, "_prev", None) is None:
        return None
    seen: dict[int, Any] = {}
    stack = [out]
    while stack and len(seen) < limit:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        try:
            stack.extend(list(getattr(node, "_prev", None) or ()))
        except TypeError:
            return None
    return all(id(leaf) in seen for leaf in leaves)


def linked(checker, form: Form, values, number) -> list[Found]:
    """The structure of the op's node: its inputs are among its children (``_prev``), so
    that backward() reaches them from a graph built on top of it."""
    leaves = [checker.leaf(v) for v in values]
    try:
        out = form.call(form.arguments(leaves, number), checker.adapter.functions)
    except Exception:
        return []
    if _reaches(out, leaves) is not False:
        return []
    names = _names(len(values))
    text = form.text(form.arguments(names, None if number is None else fmt(number)))
    children = getattr(out, "_prev", ())
    return [Found(form.op, text, dict(zip(names, values)), {"_prev": _("the inputs")},
                  {"_prev": ngettext("{count} node, not the inputs",
                                     "{count} nodes, not the inputs", len(children))},
                  _(words.UNLINKED))]


def _kink_slip(checker, form: Form) -> str:
    """For an op with a kink (relu): the engine's value and local slope on each side of
    it, against the op's, to tell a reversed comparison from a condition never true."""
    sides = fitting(form.primitive.samples[0])
    try:
        plus = next(x for x in sides if x > 0)
        minus = next(x for x in sides if x < 0)
    except StopIteration:
        return ""
    seen, wanted = [], []
    for x in (plus, minus):
        a = engine.Value(x)
        o = form.call([a])
        (slope,) = engine.grad(o, [a])
        wanted.append((o.data, slope))
        try:
            leaf = checker.leaf(x)
            out = form.call([leaf], checker.adapter.functions)
            checker.backward(out)
            seen.append((checker.data(out), checker.grad(leaf)))
        except Exception:
            return ""
    return words.kink_slip(form, (plus, minus), wanted, seen)


def _op_at(checker, form: Form, values, number, upstream: float, first: bool):
    """The engine against this one for ``form`` at one point: a Found, or None."""
    names = _names(len(values))
    text = form.text(form.arguments(names, None if number is None else fmt(number)))
    expression = text if upstream == 1.0 else f"({text}) * {upstream:g}"
    inputs, args = dict(zip(names, values)), form.arguments(values, number)
    ours = [engine.Value(v) for v in values]
    o = form.call(form.arguments(ours, number))
    expected = engine.grad(o * upstream if upstream != 1.0 else o, ours)
    leaves = [checker.leaf(v) for v in values]
    try:
        out = form.call(form.arguments(leaves, number), checker.adapter.functions)
    except Exception as error:
        if first and not form.required and not isinstance(error, RecursionError):
            raise Skip(_("not supported: {error}", error=_error(error)["error"])) from None
        if isinstance(error, RecursionError):
            return Found(form.op, text, inputs, {"value": o.data}, _error(error),
                         words.endless_operator(form, text))
        return Found(form.op, text, inputs, {"value": o.data}, _error(error),
                     words.raised(error, f"`{text}`"))
    if not checker.is_node(out, leaves[0]):
        return Found(form.op, text, inputs, {"value": o.data}, {"value": repr(out)},
                     words.not_a_value(text, out, checker.kind))
    got_value = checker.data(out)
    if not close(got_value, o.data):
        return Found(form.op, text, inputs, {"value": o.data}, {"value": got_value},
                     words.value_diagnosis(form, args, got_value, o.data))
    try:
        checker.backward(out * upstream if upstream != 1.0 else out)
        got = [checker.grad(leaf) for leaf in leaves]
    except Exception as error:
        return Found(form.op, expression, inputs, _by_name(names, expected), _error(error),
                     words.raised(error, "backward()"))
    if all(close(g, e) for g, e in zip(got, expected)):
        return None
    shown = _by_name(names, expected)
    shown.update(_by_name(names, _numeric(checker, form, values, number, upstream),
                          " by finite differences"))
    diagnosis = words.gradient_diagnosis(form, args, o.data, upstream, got, expected)
    if upstream != 1.0 and words.unreached(got, expected) is not None \
            and order_probe(checker) == "unlinked":
        diagnosis = _(words.UNLINKED)  # no gradient reaches an input: not linked to it
    return Found(form.op, expression, inputs, shown, _by_name(names, got), diagnosis)


def _by_name(names, numbers, suffix: str = "") -> dict:
    return {f"d/d{n}{suffix}": float(g) for n, g in zip(names, numbers)}


def _numeric(checker, form: Form, values, number, upstream: float, h: float = 1e-6):
    """Central differences of the engine's own forward pass, one input at a time."""
    def at(point):
        nodes = [checker.leaf(v) for v in point]
        return checker.data(form.call(form.arguments(nodes, number),
                                      checker.adapter.functions)) * upstream
    slopes = []
    for j in range(len(values)):
        up, down = list(values), list(values)
        up[j] += h
        down[j] -= h
        try:
            slopes.append((at(up) - at(down)) / (2 * h))
        except Exception:
            slopes.append(float("nan"))
    return slopes


# -- graphs that test backward ----------------------------------------------------------


def twice(checker, form: Form) -> list[Found]:
    """One node used by two paths must get the sum of both: ``x1 + x1``, ``(x1 * x2) +
    x1`` (the op's input used again after it), and for a one-input op ``x1 + exp(x1)``
    and ``exp(x1) * x1``."""
    if not form.available(checker.kind, checker.adapter.functions):
        raise Skip(_("the engine has no {method}", method=form.method))
    own = checker.result_of(form_name(form))
    if own is not None and own.status == "skip":
        raise Skip(own.note or _("its op is not supported"))
    graphs = _twice_graphs(form)
    if not graphs:
        raise Skip(_("no number lies in the samples of both inputs"))
    for text, point, build in graphs:
        found = _twice_at(checker, form, text, point, build)
        if found is not None:
            return [found]
    return []


def _twice_graphs(form: Form) -> list:
    """``(text, point, build(leaves, functions))`` of the graphs that use a node twice."""
    samples = form.primitive.samples
    f = form.call
    if form.kind == METHOD:
        x = fitting(samples[0])[0]
        one = form.text(["x1"])
        return [(f"x1 + {one}", (x,), lambda ls, fs: ls[0] + f([ls[0]], fs)),
                (f"{one} * x1", (x,), lambda ls, fs: f([ls[0]], fs) * ls[0])]
    if form.kind == NUMBER_RIGHT:  # x1**3 where the engine has no x1**x2
        (x,), c = _points(form)[0]
        one = form.text(["x1", fmt(c)])
        return [(f"x1 + {one}", (x,), lambda ls, fs: ls[0] + f([ls[0], c], fs)),
                (f"{one} * x1", (x,), lambda ls, fs: f([ls[0], c], fs) * ls[0])]
    common = [v for v in fitting(samples[0]) if v in fitting(samples[1])]
    if not common:
        return []
    x, y = common[0], (common[1:] or common)[0]
    # x1 is the node used twice: as the op's first input, then as its second
    return [(form.text(["x1", "x1"]), (x,), lambda ls, fs: f([ls[0], ls[0]], fs)),
            (f"({form.text(['x1', 'x2'])}) + x1", (x, y),
             lambda ls, fs: f([ls[0], ls[1]], fs) + ls[0]),
            (f"({form.text(['x2', 'x1'])}) + x1", (x, y),
             lambda ls, fs: f([ls[1], ls[0]], fs) + ls[0])]


def _twice_at(checker, form: Form, text: str, point, build) -> Found | None:
    names = _names(len(point))
    inputs = dict(zip(names, point))
    ours = [engine.Value(v) for v in point]
    o = build(ours, {})
    expected = engine.grad(o, ours)
    # each path's own share of x1's gradient: the graph with x1 split into two leaves
    split = [engine.Value(point[0]), *ours[1:], engine.Value(point[0])]
    paths = engine.grad(_split_build(build, split), [split[0], split[-1]])
    leaves = [checker.leaf(v) for v in point]
    try:
        out = build(leaves, checker.adapter.functions)
        checker.backward(out)
        got = [checker.grad(leaf) for leaf in leaves]
    except Exception as error:
        if not form.required:
            raise Skip(_("not supported: {error}", error=_error(error)["error"])) from None
        return Found(form.op, text, inputs, _by_name(names, expected), _error(error),
                     words.raised(error, f"`{text}`"))
    if all(close(g, e) for g, e in zip(got, expected)):
        return None
    if any(close(got[0], float(p)) for p in paths) and not close(got[0], expected[0]):
        diagnosis = _(words.OVERWRITE)
    else:
        diagnosis = _("a node used twice gets {got}, not the sum of both paths {paths}",
                      got=fmt(got[0]), paths=" + ".join(fmt(float(p)) for p in paths))
    return Found(form.op, text, inputs, _by_name(names, expected), _by_name(names, got),
                 diagnosis)


def _split_build(build, split):
    """The graph with its first input's two uses on two leaves (the first use on the first,
    the other on the last): traced by giving build a list that answers [0] differently."""
    class Uses(list):
        def __init__(self, items):
            super().__init__(items[:-1])
            self.count, self.last = 0, items[-1]

        def __getitem__(self, k):
            if k == 0:
                self.count += 1
                return list.__getitem__(self, 0) if self.count == 1 else self.last
            return list.__getitem__(self, k)
    return build(Uses(split), {})


def large(checker, form: Form) -> list[Found]:
    """The op far from 0 (``tanh(400)``, ``sigmoid(-800)``), where its value and gradient
    are finite but a formula of ``exp`` overflows: no OverflowError, no inf, no nan."""
    own = checker.result_of(form_name(form))
    if own is None or own.status == "skip" or \
            not form.available(checker.kind, checker.adapter.functions):
        raise Skip(_("the engine has no {method}", method=form.method))
    for x in LARGE:
        a = engine.Value(x)
        try:
            o = form.call([a])
            (slope,) = engine.grad(o, [a])
        except (ValueError, OverflowError, ZeroDivisionError):
            continue
        if not (math.isfinite(o.data) and math.isfinite(slope)):
            continue  # exp(800): no engine can give it
        text, inputs = form.text(["x1"]), {"x1": x}
        expected = {"value": o.data, "d/dx1": slope}
        leaf = checker.leaf(x)
        try:
            out = form.call([leaf], checker.adapter.functions)
            value = checker.data(out)
        except Exception as error:
            return [Found(form.op, text, inputs, expected, _error(error),
                          words.overflow(form, x, o.data, error))]
        if not close(value, o.data):
            return [Found(form.op, text, inputs, expected, {"value": value},
                          words.overflow(form, x, o.data, None) if not math.isfinite(value)
                          else words.value_diagnosis(form, [x], value, o.data))]
        try:
            checker.backward(out)
            got = checker.grad(leaf)
        except Exception as error:
            return [Found(form.op, text, inputs, expected, _error(error),
                          words.overflow(form, x, slope, error, backward=True))]
        if not close(got, slope):
            return [Found(form.op, text, inputs, expected, {"value": value, "d/dx1": got},
                          words.overflow(form, x, slope, None, backward=True)
                          if not math.isfinite(got) else
                          _("the gradient at the large input {x} is {got}, not {expected} "
                            "(the rule: {formula})", x=fmt(x), got=fmt(got),
                            expected=fmt(slope), formula=form.primitive.formula))]
    return []


def _compare(checker, op_name: str, text: str, point, build, used=None) -> list[Found]:
    """``build(leaves, functions)`` run on both engines at ``point`` (the adapter's
    functions for the engine's ops): the value and every input's gradient."""
    names = _names(len(point))
    ours = [engine.Value(v) for v in point]
    try:
        o = build(ours, {})
        expected = engine.grad(o, ours)
    except (ValueError, ZeroDivisionError, OverflowError):
        return []  # outside an op's domain, or no derivative there: nothing to compare
    leaves = [checker.leaf(v) for v in point]
    inputs = {n: v for k, (n, v) in enumerate(zip(names, point)) if used is None or k in used}
    try:
        out = build(leaves, checker.adapter.functions)
        value = checker.data(out)
        checker.backward(out)
        got = [checker.grad(leaf) for leaf in leaves]
    except Exception as error:
        return [Found(op_name, text, inputs, _by_name(names, expected), _error(error),
                      words.raised(error, _("the engine")))]
    if not close(value, o.data):
        return [Found(op_name, text, inputs, {"value": o.data}, {"value": value},
                      _("the forward value is wrong (see the ops' own checks)"))]
    if all(close(g, e) for g, e in zip(got, expected)):
        return []
    used_leaves = [leaf for k, leaf in enumerate(leaves) if used is None or k in used]
    diagnosis = _(words.UNLINKED) if _reaches(out, used_leaves, limit=10_000) is False \
        else _together(checker, got, expected)  # the structure first, then the order
    return [Found(op_name, text, inputs, _by_name(names, expected), _by_name(names, got),
                  diagnosis)]


def _together(checker, got, expected) -> str:
    """Why a graph of ops that each pass alone gets its gradients wrong."""
    if any(r.status == "fail" for r in checker.results.values() if r.category == "used twice"):
        return _("probably the bug of the node used twice (above): {why}",
                 why=_(words.OVERWRITE))
    if any(g == 0.0 and not close(e, 0.0) for g, e in zip(got, expected)):
        return _("some gradient never arrives: {why}", why=_(words.ORDER))
    if any(abs(g) > abs(e) * (1 + 1e-6) + 1e-9 for g, e in zip(got, expected)):
        return _("a gradient is counted more than once — a node's _backward runs more than "
                 "once (keep a visited set, each node once): {why}", why=_(words.ORDER))
    return _(words.ORDER)


def shared(checker, k: int) -> list[Found]:
    """Inner nodes that later nodes share: each must receive every use before passing on."""
    text, build = SHARED[k]
    return _compare(checker, "backward", text, _SHARED_AT, lambda leaves, _: build(*leaves))


def expressions(checker) -> list[Found]:
    """Random programs of the ops that passed, the failing one shrunk to the smallest."""
    try:  # a tool the grader lacks is not the engine's failure: the check is not run
        hypothesis = require("hypothesis", N_("check_engine's random expressions"), "testing")
    except ImportError as missing:
        raise Skip(str(missing)) from None
    forms = [f for f in checker.forms if checker.result_of(form_name(f)).status == "pass"]
    if not forms:
        raise Skip(_("no op passed its own check"))
    seed = getattr(checker, "seed", None)
    settings = hypothesis.settings(
        max_examples=checker.max_examples, derandomize=seed is None, database=None,
        deadline=None, suppress_health_check=list(hypothesis.HealthCheck),
        report_multiple_bugs=False)
    try:
        with _storage_elsewhere():
            smallest = hypothesis.find(programs(forms), lambda p: _program(checker, p) is not None,
                                       settings=settings,
                                       random=None if seed is None else random.Random(seed))
    except hypothesis.errors.NoSuchExample:
        return []
    except hypothesis.errors.Unsatisfiable:
        raise Skip(_("no expression could be drawn from the ops that passed")) from None
    return [_program(checker, smallest)]


@contextmanager
def _storage_elsewhere() -> Iterator[None]:
    """Hypothesis keeps caches in ``.hypothesis`` of the current folder; where the
    process has not chosen a place for them (a command, a notebook), they go to a
    temporary folder instead: checking an engine writes nothing into the student's."""
    configuration = importlib.import_module("hypothesis.configuration")
    chosen = getattr(configuration, "__hypothesis_home_directory", None)
    if chosen is not None or os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="autograd-mini-hypothesis-") as folder:
        configuration.set_hypothesis_home_dir(folder)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(None)


def _program(checker, program: Program) -> Found | None:
    ops = program.ops
    blame = ops[0] if len(ops) == 1 else "backward"
    found = _compare(checker, blame, program.text(), program.point, program.run,
                     program.used_inputs())
    if not found or len(ops) > 1:
        return found[0] if found else None
    return found[0]._replace(diagnosis=_("{op} is right at the checked points but not "
                                         "here: {why}", op=ops[0], why=found[0].diagnosis))


def deep(checker) -> list[Found]:
    """A chain ``DEPTH`` nodes deep: the walk of the graph must not recurse."""
    text = _("x1 + 0.5 + 0.5 + … ({count} additions)", count=f"{DEPTH:,}")
    x = checker.leaf(0.5)
    y = x
    try:
        for _step in range(DEPTH):
            y = y + 0.5
        checker.backward(y)
    except (Exception, RecursionError) as error:
        return [Found("backward", text, {"x1": 0.5}, {"d/dx1": 1.0}, _error(error),
                      words.raised(error, "backward()"))]
    got = checker.grad(x)
    if close(got, 1.0):
        return []
    return [Found("backward", text, {"x1": 0.5}, {"d/dx1": 1.0}, {"d/dx1": got},
                  _("a long chain gets the gradient {got} at its start, not 1", got=fmt(got)))]


def notes(checker) -> list[str]:
    """What two ``backward()`` calls in a row do: a choice of semantics, not a bug."""
    try:
        a, b = checker.leaf(_SHARED_AT[0]), checker.leaf(_SHARED_AT[1])
        c = a * b
        out = (c + a) * c
        checker.backward(out)
        first = [checker.grad(a), checker.grad(b)]
        checker.backward(out)
        second = [checker.grad(a), checker.grad(b)]
    except Exception as error:
        return [_("two backward() calls in a row: the second raised {error} (the graph is "
                  "freed after one pass?)", error=_error(error)["error"])]
    said = _("({second} after {first})", second=", ".join(map(fmt, second)),
             first=", ".join(map(fmt, first)))
    ratios = [s / f for s, f in zip(second, first) if f]
    if ratios and all(close(r, 2.0) for r in ratios):
        return [_("two backward() calls in a row give exactly twice the gradient at the "
                  "leaves {said}: gradients accumulate, so zero them between passes "
                  "(zero_grad)", said=said)]
    if ratios and all(close(r, 1.0) for r in ratios):
        return [_("two backward() calls in a row give the same gradients {said}: each call "
                  "starts afresh (gradients are reset or overwritten)", said=said)]
    if ratios and all(r > 2.0 for r in ratios):
        return [_("two backward() calls in a row give more than twice the gradient at the "
                  "leaves {said}: the inner nodes keep their gradients from the first call "
                  "and pass them on again, as in micrograd (backward() seeds the output with "
                  "1 and resets nothing else) — zero every gradient between passes",
                  said=said)]
    return [_("two backward() calls in a row give {said}", said=said)]


# -- nn: a training step ------------------------------------------------------------------

_XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
_YS = [1.0, -1.0, -1.0, 1.0]  # the lecture's four samples


def _network_factory(checker):
    if checker.adapter.mlp is not None:
        return checker.adapter.mlp
    module = sys.modules.get(checker.kind.__module__)
    if getattr(module, "MLP", None) is not None:
        return module.MLP
    package = checker.kind.__module__.rpartition(".")[0]
    if package:
        try:
            return getattr(importlib.import_module(f"{package}.nn"), "MLP", None)
        except ImportError:
            return None
    return None


def _loss(checker, model) -> Any:
    total = 0.0
    for x, y in zip(_XS, _YS):
        out = model(x)
        out = out[0] if isinstance(out, (list, tuple)) else out
        total = (out - y) * (out - y) + total
    return total


def mlp(checker) -> list[Found]:
    """Two training steps of ``MLP(3, [4, 1])``: the gradients against finite
    differences at each, ``zero_grad`` between them, and a loss that falls."""
    factory = _network_factory(checker)
    if factory is None:
        raise Skip(_("the engine has no nn.MLP"))
    state = random.getstate()
    random.seed(0)
    try:
        model = factory(3, [4, 1])
    finally:
        random.setstate(state)
    text = _("MLP(3, [4, 1]) on the lecture's four samples, loss Σ (out - y)²")
    params = list(model.parameters())
    before, losses = None, []
    for _step in range(2):
        loss = _loss(checker, model)
        losses.append(checker.data(loss))
        if hasattr(model, "zero_grad"):
            model.zero_grad()
        else:
            for p in params:
                p.grad = 0.0
        checker.backward(loss)
        got = [checker.grad(p) for p in params]
        numeric = [_slope(checker, model, p) for p in params]
        wrong = [k for k, (g, n) in enumerate(zip(got, numeric))
                 if not close(g, n, rtol=1e-4, atol=1e-6)]
        if wrong:
            return [_mlp_found(checker, text, wrong, got, numeric, before)]
        before = got
        for p, g in zip(params, got):
            p.data -= 0.01 * g
    if not checker.data(_loss(checker, model)) < losses[0]:
        return [Found("nn", text, {}, {"loss": losses[0]}, {"loss": losses[-1]},
                      _("two steps against the gradient did not lower the loss"))]
    return []


def _slope(checker, model, p, h: float = 1e-6) -> float:
    """d loss / d p by central differences: p moved, the loss built again, p put back."""
    p.data += h
    up = checker.data(_loss(checker, model))
    p.data -= 2 * h
    down = checker.data(_loss(checker, model))
    p.data += h
    return (up - down) / (2 * h)


def _mlp_found(checker, text, wrong, got, numeric, before) -> Found:
    shown = wrong[:3]
    expected = {f"d/dp{k + 1}": numeric[k] for k in shown}
    given = {f"d/dp{k + 1}": got[k] for k in shown}
    if before is not None and all(close(got[k], numeric[k] + before[k], rtol=1e-4, atol=1e-6)
                                  for k in wrong):
        diagnosis = _("zero_grad() does not reset the gradients: the second step's "
                      "gradients are the first step's plus the new ones — set every "
                      "parameter's grad to 0")
    else:
        diagnosis = ngettext("{wrong} of {count} parameter's gradients disagrees with finite "
                             "differences of the loss: if the ops pass, look at nn — "
                             "parameters(), and how a neuron sums w·x + b",
                             "{wrong} of {count} parameters' gradients disagree with finite "
                             "differences of the loss: if the ops pass, look at nn — "
                             "parameters(), and how a neuron sums w·x + b", len(got),
                             wrong=len(wrong))
    return Found("nn", text, {"parameters": len(got)}, expected, given, diagnosis)
