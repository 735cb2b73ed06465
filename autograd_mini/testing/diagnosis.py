"""The likely bug, in words: what a wrong value or gradient of an engine's op points to.

Each diagnosis compares what the engine gave with what the classic slips would give,
computed from the op table's own rule: the rule evaluated at the input where it needs the
output (``1 - x**2`` for tanh), the product without ``out.grad``, the sign flipped, the
operands of a reflected method swapped, a factor of the input too many (an exponent off by
one), a gradient let through where the derivative is 0.  Nothing here names an op: the
table says what each op's rule is, and the words quote it.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Sequence
from pathlib import Path

from ..core.language import N_, _
from ..core.naming import fmt
from .op_forms import METHOD, NUMBER_LEFT, VALUES, Form

__all__ = ["close", "value_diagnosis", "gradient_diagnosis", "OVERWRITE", "ORDER",
           "RECURSION", "NO_SEED", "UNLINKED", "HANG", "HANG_ON_REUSE", "EQUAL_DATA", "CUT",
           "raised", "unreached", "not_a_value", "fresh_grad", "endless_operator",
           "kink_slip", "overflow", "engine_line"]

OVERWRITE = N_("the gradient is overwritten instead of added: a node used twice gets one "
               "path only — `self.grad = …` should be `self.grad += …`")
ORDER = N_("every op is right on its own but not together: backward() must call each "
           "node's _backward exactly once, after every node that uses it has added into its "
           ".grad — in reverse topological order of the whole graph")
RECURSION = N_("backward() recurses once per level of depth (a recursive build_topo): "
               "Python stops near 1,000 frames with RecursionError — walk the graph with a "
               "stack of your own (a while loop) instead")
UNLINKED = N_("the node is not linked to its inputs: made without its children "
              "(`Value(data)` instead of `Value(data, (self, other), op)`), so backward() "
              "never reaches them — only the output's own step runs, and an inner node's "
              "inputs get nothing")
NO_SEED = N_("backward() does not seed the output's gradient with 1: dL/dL = 1 starts the "
             "chain rule — set `self.grad = 1` before walking the graph")
HANG = N_("did not finish within the time budget of {seconds:g} s: an endless loop? (a "
          "while loop over the graph whose stack or queue never empties)")

EQUAL_DATA = N_("two distinct nodes with the same value are taken for one: one of them is "
                "skipped in the walk of the graph, and its _backward never runs — the visited "
                "set (or the test that a node was seen) is keyed by `.data`, or Value defines "
                "__eq__/__hash__ by its data; key it by the node itself (`visited.add(v)`, "
                "identity)")
HANG_ON_REUSE = N_("{hang} — backward() finishes where each node is used once (the ops' own "
                   "checks pass) and loops here, where a node is reached a second time (used "
                   "twice or shared): the walk must skip a node it has already visited")
CUT = N_("not run: the whole run's time budget of {seconds:g} s was spent by the checks "
         "before it (a slow or endless backward()?)")


def fresh_grad(got: float) -> str:
    return _("a new Value starts with grad = {got}, not 0: every backward() adds into "
             "the gradients, so each node must start from `self.grad = 0.0` (in __init__), "
             "and only backward() seeds the output with 1", got=fmt(got))


def endless_operator(form: Form, text: str) -> str:
    """A RecursionError from building ``text``: the operator calls itself."""
    if form.kind == NUMBER_LEFT:
        fix = _(_REFLECTED_FIX[form.method]) if form.method in _REFLECTED_FIX else \
            _("with self on the left, through __{name}", name=form.method[3:])
        return _("`{text}` never returns (RecursionError): {method} computes it with the "
                 "number on the left again (`other {sign} self`), which Python hands back to "
                 "{method}, without end — write it {fix}", text=text, method=form.method,
                 sign=_sign(form), fix=fix)
    return _("`{text}` never returns (RecursionError): {method} calls itself, through an "
             "operator that comes back to it — build the node directly", text=text,
             method=form.method)


_REFLECTED_FIX = {"__radd__": N_("`return self + other` (addition is symmetric)"),
                  "__rmul__": N_("`return self * other` (multiplication is symmetric)"),
                  "__rsub__": N_("`return (-self) + other`, or wrap the number first: "
                                 "`return Value(other) - self`"),
                  "__rtruediv__": N_("`return other * self**-1`, or wrap the number first: "
                                     "`return Value(other) / self`")}


def _sign(form: Form) -> str:
    return form.primitive.symbol if len(form.primitive.symbol) <= 2 else form.op


def kink_slip(form: Form, xs, wanted, seen) -> str:
    """An op with a kink (relu), from its (value, slope) on each side: the comparison
    reversed, or a condition on the gradient that is never (or always) true."""
    (want_p, want_m), (seen_p, seen_m) = wanted, seen
    if not (close(seen_p[0], want_p[0]) and close(seen_m[0], want_m[0])):
        if close(seen_p[0], want_m[0] if want_m[0] != 0 else 0.0) and close(seen_m[0], xs[1]) \
                and close(want_p[0], xs[0]):
            return _("the comparison in the forward pass is reversed: {op} passes the "
                     "negative input {negative} and blocks the positive {positive} "
                     "(`0 if x < 0 else x`: a `<` written `>`)", op=form.op,
                     negative=fmt(xs[1]), positive=fmt(xs[0]))
        return ""
    slopes = (seen_p[1], seen_m[1])
    if close(slopes[0], want_m[1]) and close(slopes[1], want_p[1]) \
            and not close(want_p[1], want_m[1]):
        return _("the condition of the gradient is reversed: it flows at the negative input "
                 "{negative} and not at the positive {positive} — "
                 "`(out.data > 0) * out.grad`, not `<`", negative=fmt(xs[1]),
                 positive=fmt(xs[0]))
    if all(close(g, 0.0) for g in slopes) and not close(want_p[1], 0.0):
        return _("the gradient never flows: its condition is never true on either side "
                 "(the output {plus} and {minus}; relu's output is never negative, so "
                 "`out.data < 0` never holds) — `(out.data > 0) * out.grad`",
                 plus=fmt(seen_p[0]), minus=fmt(seen_m[0]))
    if all(close(g, 1.0) for g in slopes) and not close(want_m[1], 1.0):
        return _("the gradient passes through where the derivative is 0 on both sides: its "
                 "condition is always true (`>=` of the output with 0?) — "
                 "`(out.data > 0) * out.grad`")
    return ""


def overflow(form: Form, x: float, value: float, error: BaseException | None,
             backward: bool = False) -> str:
    """The op far from 0 raised OverflowError or gave inf/nan where its answer, ``value``,
    is finite: the line of the engine that overflowed, quoted, and what to write instead."""
    where = _("the backward pass of `{expression}`", expression=form.text([fmt(x)])) \
        if backward else f"`{form.text([fmt(x)])}`"
    if error is None:
        what = _("{where} gave a number that is not finite", where=where)
    else:
        what = _("{where} raised {error}", where=where, error=_error_text(error))
    if error is not None and not isinstance(error, ArithmeticError):
        return _("{what}: a large input (|x| = {size}) is not handled", what=what,
                 size=fmt(abs(x)))
    line = engine_line(error)
    quoted = _(" — the line that overflowed: {line}", line=line) if line else ""
    return _("{what}, though its answer is finite ({value}): the formula overflows{quoted}. "
             "A formula of exp such as (exp(2x) - 1) / (exp(2x) + 1) or 1 / (1 + exp(-x)) "
             "takes exp of a number beyond 709.78, larger than a float (1.8e308), though the "
             "quotient is finite: take exp of -|x| only (split by the sign of x), or use "
             "math's own function (math.tanh) — the rule: {formula}", what=what,
             value=fmt(value), quoted=quoted, formula=form.primitive.formula)


def _error_text(error: BaseException) -> str:
    """``TypeError: its message``: the exception's name and its own words, as they are
    (never formatted: an engine's message may hold braces)."""
    return f"{type(error).__name__}: {error}".rstrip(": ")


def engine_line(error: BaseException | None) -> str:
    """``engine.py:58: `t = ...` ``: the last line of the engine's own code (not this
    package's) that the traceback of ``error`` passed through; "" if none."""
    if error is None:
        return ""
    package = str(Path(__file__).resolve().parents[1])
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not str(Path(f.filename).resolve()).startswith(package)]
    if not frames or not frames[-1].line:
        return ""
    frame = frames[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}: `{frame.line.strip()}`"


def close(a: float, b: float, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Equal up to rounding: the engines may compute the same number in other ways."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def _all_close(a: Sequence[float], b: Sequence[float]) -> bool:
    return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))


def raised(error: BaseException, where: str) -> str:
    """An exception from the engine's code, as a diagnosis."""
    if isinstance(error, RecursionError):
        return _(RECURSION)
    return _("{where} raised {error}", where=where, error=_error_text(error))


def not_a_value(form_text: str, got: object, kind: type) -> str:
    return _("`{expression}` returned a {got}, not a {kind}: an operation must return a new "
             "node (a number written in must be wrapped, `other if isinstance(other, Value) "
             "else Value(other)`, and `-self.data` is a number where `-self` is a node)",
             expression=form_text, got=type(got).__name__, kind=kind.__name__)


def value_diagnosis(form: Form, args: Sequence[float], got: float, expected: float) -> str:
    """Why ``form`` at ``args`` gave the value ``got`` instead of ``expected``."""
    primitive = form.primitive
    where = form.text([fmt(a) for a in args])
    numbers = {"where": where, "got": fmt(got), "expected": fmt(expected)}
    if len(args) == 2:
        try:
            swapped = primitive.value(args[1], args[0])
        except (ValueError, ZeroDivisionError, OverflowError):
            swapped = math.nan
        if close(got, swapped) and not close(swapped, expected):
            reflected = _(" in {method}, self is the right-hand operand", method=form.method) \
                if form.kind == NUMBER_LEFT else ""
            return _("the operands are swapped: `{where}` computed {got}, which is "
                     "`{swapped}`{reflected} — `{where}` = {expected}",
                     swapped=form.text([fmt(args[1]), fmt(args[0])]), reflected=reflected,
                     **numbers)
    if close(got, -expected):
        return _("the sign of the value is flipped: `{where}` gave {got}, not {expected}",
                 **numbers)
    if not math.isfinite(got):
        return _("the value of `{where}` is {got}, not the finite {expected}", **numbers)
    return _("the forward value is wrong: `{where}` gave {got}, not {expected}", **numbers)


def unreached(got: Sequence[float], expected: Sequence[float]) -> int | None:
    """The input (its index) that gets no gradient where it should, as
    :func:`gradient_diagnosis` tells it first; None if none (or a gradient that is not
    finite is told first)."""
    for g, e in zip(got, expected):
        if not math.isfinite(g) and math.isfinite(e):
            return None
    return next((k for k, (g, e) in enumerate(zip(got, expected))
                 if g == 0.0 and not close(e, 0.0)), None)


def gradient_diagnosis(form: Form, args: Sequence[float], out: float, upstream: float,
                       got: Sequence[float], expected: Sequence[float]) -> str:
    """Why the gradients ``got`` (one per Value input of ``form``) differ from
    ``expected``, the op table's rule times ``upstream``, at the inputs ``args``."""
    primitive = form.primitive
    rule = _("(the rule: {formula})", formula=primitive.formula)
    names = [f"x{i + 1}" for i in range(len(form.value_positions))]
    for name, g, e in zip(names, got, expected):
        if not math.isfinite(g) and math.isfinite(e):
            return _("the gradient of {name} is {got}, not the finite {expected} {rule}",
                     name=name, got=fmt(g), expected=fmt(e), rule=rule)
    missing = unreached(got, expected)
    if missing is not None:
        return _("no gradient reaches {name}: the node's _backward does not add into that "
                 "child's .grad (is the child in Value(..., (self, other)), is out._backward "
                 "assigned, does it add into both inputs?) {rule}", name=names[missing],
                 rule=rule)
    if upstream != 1.0 and _all_close(got, [e / upstream for e in expected]):
        return _("out.grad is forgotten: the local derivative must be multiplied by the "
                 "gradient arriving from above (the chain rule: `self.grad += local * "
                 "out.grad`) {rule}", rule=rule)
    if _all_close(got, [-e for e in expected]):
        if form.kind == NUMBER_LEFT:
            return _("the sign of the gradient is flipped in {method} {rule}",
                     method=form.method, rule=rule)
        return _("the sign of the gradient is flipped {rule}", rule=rule)
    guess = _slip(form, args, out, upstream, got, expected)
    if guess:
        return f"{guess} {rule}"
    return _("the gradient disagrees with the rule at {point}: {formula}",
             point=", ".join(map(fmt, args)), formula=primitive.formula)


def _slip(form: Form, args, out, upstream, got, expected) -> str:
    """The classic slips of one op's rule, tried one by one; "" if none fits."""
    primitive = form.primitive
    if form.kind == METHOD:
        x = args[0]
        at_input = _rule(primitive, x, args)
        if at_input is not None and close(got[0], upstream * at_input[0]):
            return _("the rule uses the input where it needs the output: write it with "
                     "the node's own value (`t = out.data`), as the table does")
        at_output = _rule(primitive, out, [out])
        if at_output is not None and close(got[0], upstream * at_output[0]):
            return _("the rule uses the output where it needs the input (`self.data`)")
        if close(expected[0], 0.0) and close(got[0], upstream):
            return _("the gradient passes through where the derivative is 0 (at input "
                     "{x}): it must flow only where the op's slope is not 0 (for relu: "
                     "`(out.data > 0) * out.grad`)", x=fmt(x))
    if form.kind == VALUES and len(got) == 2 and _all_close(got, expected[::-1]):
        return _("the two inputs' gradients are swapped: each input's local derivative "
                 "is the other input's value (self gets other.data, other gets self.data)")
    for g, e, x in zip(got, expected, [args[p] for p in form.value_positions]):
        if close(e, 0.0):
            continue
        ratio = g / e
        number = [a for k, a in enumerate(args) if k not in form.value_positions]
        for factor, said in _factors(x, number):
            if close(ratio, factor):
                return said
    return ""


def _factors(x: float, numbers: list[float]) -> list[tuple[float, str]]:
    """The factors a rule may be off by, each with the words that say so."""
    return [(x, _("an extra factor of the input ({x}): is an exponent off by one, or a "
                  "factor dropped?", x=fmt(x))),
            (1 / x if x else math.nan, _("a factor of the input ({x}) missing: is an exponent "
                                         "off by one, or a factor dropped?", x=fmt(x))),
            *[(c, _("an extra factor of the number {c}: is an exponent off by one, or a "
                    "factor dropped?", c=fmt(c))) for c in numbers],
            *[(1 / c if c else math.nan, _("a factor of the number {c} missing: is an "
                                           "exponent off by one, or a factor dropped?",
                                           c=fmt(c))) for c in numbers],
            (2.0, _("twice the gradient (added twice?)")),
            (0.5, _("half the gradient"))]


def _rule(primitive, out, args) -> tuple | None:
    try:
        return tuple(float(d) for d in primitive.derivative(out, *args))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
