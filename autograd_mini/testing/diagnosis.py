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

from ..core.naming import fmt
from .op_forms import METHOD, NUMBER_LEFT, VALUES, Form

__all__ = ["close", "value_diagnosis", "gradient_diagnosis", "OVERWRITE", "ORDER",
           "RECURSION", "NO_SEED", "UNLINKED", "HANG", "HANG_ON_REUSE", "EQUAL_DATA", "CUT",
           "raised", "not_a_value", "fresh_grad", "endless_operator", "kink_slip", "overflow",
           "engine_line"]

OVERWRITE = ("the gradient is overwritten instead of added: a node used twice gets one "
             "path only — `self.grad = …` should be `self.grad += …`")
ORDER = ("every op is right on its own but not together: backward() must call each "
         "node's _backward exactly once, after every node that uses it has added into its "
         ".grad — in reverse topological order of the whole graph")
RECURSION = ("backward() recurses once per level of depth (a recursive build_topo): "
             "Python stops near 1,000 frames with RecursionError — walk the graph with a "
             "stack of your own (a while loop) instead")
UNLINKED = ("the node is not linked to its inputs: made without its children "
            "(`Value(data)` instead of `Value(data, (self, other), op)`), so backward() never "
            "reaches them — only the output's own step runs, and an inner node's inputs get "
            "nothing")
NO_SEED = ("backward() does not seed the output's gradient with 1: dL/dL = 1 starts the "
           "chain rule — set `self.grad = 1` before walking the graph")
HANG = ("did not finish within the time budget of {seconds:g} s: an endless loop? (a "
        "while loop over the graph whose stack or queue never empties)")

EQUAL_DATA = ("two distinct nodes with the same value are taken for one: one of them is "
              "skipped in the walk of the graph, and its _backward never runs — the visited "
              "set (or the test that a node was seen) is keyed by `.data`, or Value defines "
              "__eq__/__hash__ by its data; key it by the node itself (`visited.add(v)`, "
              "identity)")
HANG_ON_REUSE = (" — backward() finishes where each node is used once (the ops' own checks "
                 "pass) and loops here, where a node is reached a second time (used twice "
                 "or shared): the walk must skip a node it has already visited")
CUT = ("not run: the whole run's time budget of {seconds:g} s was spent by the checks "
       "before it (a slow or endless backward()?)")

def fresh_grad(got: float) -> str:
    return (f"a new Value starts with grad = {fmt(got)}, not 0: every backward() adds into "
            "the gradients, so each node must start from `self.grad = 0.0` (in __init__), "
            "and only backward() seeds the output with 1")


def endless_operator(form: Form, text: str) -> str:
    """A RecursionError from building ``text``: the operator calls itself."""
    if form.kind == NUMBER_LEFT:
        fix = _REFLECTED_FIX.get(form.method, f"with self on the left, through "
                                              f"__{form.method[3:]}")
        return (f"`{text}` never returns (RecursionError): {form.method} computes it with "
                f"the number on the left again (`other {_sign(form)} self`), which Python "
                f"hands back to {form.method}, without end — write it {fix}")
    return (f"`{text}` never returns (RecursionError): {form.method} calls itself, through "
            "an operator that comes back to it — build the node directly")


_REFLECTED_FIX = {"__radd__": "`return self + other` (addition is symmetric)",
                  "__rmul__": "`return self * other` (multiplication is symmetric)",
                  "__rsub__": "`return (-self) + other`, or wrap the number first: "
                              "`return Value(other) - self`",
                  "__rtruediv__": "`return other * self**-1`, or wrap the number first: "
                                  "`return Value(other) / self`"}


def _sign(form: Form) -> str:
    return form.primitive.symbol if len(form.primitive.symbol) <= 2 else form.op


def kink_slip(form: Form, xs, wanted, seen) -> str:
    """An op with a kink (relu), from its (value, slope) on each side: the comparison
    reversed, or a condition on the gradient that is never (or always) true."""
    (want_p, want_m), (seen_p, seen_m) = wanted, seen
    if not (close(seen_p[0], want_p[0]) and close(seen_m[0], want_m[0])):
        if close(seen_p[0], want_m[0] if want_m[0] != 0 else 0.0) and close(seen_m[0], xs[1]) \
                and close(want_p[0], xs[0]):
            return (f"the comparison in the forward pass is reversed: {form.op} passes the "
                    f"negative input {fmt(xs[1])} and blocks the positive {fmt(xs[0])} "
                    "(`0 if x < 0 else x`: a `<` written `>`)")
        return ""
    slopes = (seen_p[1], seen_m[1])
    if close(slopes[0], want_m[1]) and close(slopes[1], want_p[1]) \
            and not close(want_p[1], want_m[1]):
        return (f"the condition of the gradient is reversed: it flows at the negative input "
                f"{fmt(xs[1])} and not at the positive {fmt(xs[0])} — "
                "`(out.data > 0) * out.grad`, not `<`")
    if all(close(g, 0.0) for g in slopes) and not close(want_p[1], 0.0):
        return (f"the gradient never flows: its condition is never true on either side "
                f"(the output {fmt(seen_p[0])} and {fmt(seen_m[0])}; relu's output is never "
                "negative, so `out.data < 0` never holds) — `(out.data > 0) * out.grad`")
    if all(close(g, 1.0) for g in slopes) and not close(want_m[1], 1.0):
        return ("the gradient passes through where the derivative is 0 on both sides: its "
                "condition is always true (`>=` of the output with 0?) — "
                "`(out.data > 0) * out.grad`")
    return ""


def overflow(form: Form, x: float, value: float, error: BaseException | None,
             backward: bool = False) -> str:
    """The op far from 0 raised OverflowError or gave inf/nan where its answer, ``value``,
    is finite: the line of the engine that overflowed, quoted, and what to write instead."""
    what = (f"raised {type(error).__name__}: {error}" if error is not None
            else "gave a number that is not finite")
    step = "the backward pass of " if backward else ""
    where = f"{step}`{form.text([fmt(x)])}`"
    if error is not None and not isinstance(error, ArithmeticError):
        return f"{where} {what}: a large input (|x| = {fmt(abs(x))}) is not handled"
    line = engine_line(error)
    quoted = f" — the line that overflowed: {line}" if line else ""
    return (f"{where} {what}, though its answer is finite ({fmt(value)}): the formula "
            f"overflows{quoted}. A formula of exp such as (exp(2x) - 1) / (exp(2x) + 1) or "
            f"1 / (1 + exp(-x)) takes exp of a number beyond 709.78, larger than a float "
            f"(1.8e308), though the quotient is finite: take exp of -|x| only (split by "
            f"the sign of x), or use math's own function (math.tanh) — the rule: "
            f"{form.primitive.formula}")


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
        return RECURSION
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    return f"{where} raised {text}"


def not_a_value(form_text: str, got: object, kind: type) -> str:
    return (f"`{form_text}` returned a {type(got).__name__}, not a {kind.__name__}: "
            "an operation must return a new node (a number written in must be wrapped, "
            "`other if isinstance(other, Value) else Value(other)`, and `-self.data` is a "
            "number where `-self` is a node)")


def value_diagnosis(form: Form, args: Sequence[float], got: float, expected: float) -> str:
    """Why ``form`` at ``args`` gave the value ``got`` instead of ``expected``."""
    primitive = form.primitive
    where = form.text([fmt(a) for a in args])
    if len(args) == 2:
        try:
            swapped = primitive.value(args[1], args[0])
        except (ValueError, ZeroDivisionError, OverflowError):
            swapped = math.nan
        if close(got, swapped) and not close(swapped, expected):
            reflected = f" in {form.method}, self is the right-hand operand" \
                if form.kind == NUMBER_LEFT else ""
            return (f"the operands are swapped: `{where}` computed "
                    f"{fmt(got)}, which is `{form.text([fmt(args[1]), fmt(args[0])])}`"
                    f"{reflected} — `{where}` = {fmt(expected)}")
    if close(got, -expected):
        return f"the sign of the value is flipped: `{where}` gave {fmt(got)}, not {fmt(expected)}"
    if not math.isfinite(got):
        return f"the value of `{where}` is {fmt(got)}, not the finite {fmt(expected)}"
    return f"the forward value is wrong: `{where}` gave {fmt(got)}, not {fmt(expected)}"


def gradient_diagnosis(form: Form, args: Sequence[float], out: float, upstream: float,
                       got: Sequence[float], expected: Sequence[float]) -> str:
    """Why the gradients ``got`` (one per Value input of ``form``) differ from
    ``expected``, the op table's rule times ``upstream``, at the inputs ``args``."""
    primitive = form.primitive
    rule = f"(the rule: {primitive.formula})"
    positions = form.value_positions
    names = [f"x{i + 1}" for i in range(len(positions))]
    for name, g, e in zip(names, got, expected):
        if not math.isfinite(g) and math.isfinite(e):
            return f"the gradient of {name} is {fmt(g)}, not the finite {fmt(e)} {rule}"
    for name, g, e in zip(names, got, expected):
        if g == 0.0 and not close(e, 0.0):
            return (f"no gradient reaches {name}: the node's _backward does not add into "
                    f"that child's .grad (is the child in Value(..., (self, other)), is "
                    f"out._backward assigned, does it add into both inputs?) {rule}")
    if upstream != 1.0 and _all_close(got, [e / upstream for e in expected]):
        return (f"out.grad is forgotten: the local derivative must be multiplied by the "
                f"gradient arriving from above (the chain rule: `self.grad += local * "
                f"out.grad`) {rule}")
    if _all_close(got, [-e for e in expected]):
        where = f" in {form.method}" if form.kind == NUMBER_LEFT else ""
        return f"the sign of the gradient is flipped{where} {rule}"
    guess = _slip(form, args, out, upstream, got, expected)
    if guess:
        return f"{guess} {rule}"
    return (f"the gradient disagrees with the rule at {', '.join(map(fmt, args))}: "
            f"{primitive.formula}")


def _slip(form: Form, args, out, upstream, got, expected) -> str:
    """The classic slips of one op's rule, tried one by one; "" if none fits."""
    primitive = form.primitive
    if form.kind == METHOD:
        x = args[0]
        at_input = _rule(primitive, x, args)
        if at_input is not None and close(got[0], upstream * at_input[0]):
            return ("the rule uses the input where it needs the output: write it with "
                    "the node's own value (`t = out.data`), as the table does")
        at_output = _rule(primitive, out, [out])
        if at_output is not None and close(got[0], upstream * at_output[0]):
            return "the rule uses the output where it needs the input (`self.data`)"
        if close(expected[0], 0.0) and close(got[0], upstream):
            return (f"the gradient passes through where the derivative is 0 (at input "
                    f"{fmt(x)}): it must flow only where the op's slope is not 0 "
                    f"(for relu: `(out.data > 0) * out.grad`)")
    if form.kind == VALUES and len(got) == 2 and _all_close(got, expected[::-1]):
        return ("the two inputs' gradients are swapped: each input's local derivative "
                "is the other input's value (self gets other.data, other gets self.data)")
    for g, e, x in zip(got, expected, [args[p] for p in form.value_positions]):
        if close(e, 0.0):
            continue
        ratio = g / e
        number = [a for k, a in enumerate(args) if k not in form.value_positions]
        for factor, words in ((x, f"an extra factor of the input ({fmt(x)})"),
                              (1 / x if x else math.nan, f"a factor of the input "
                               f"({fmt(x)}) missing"),
                              *[(c, f"an extra factor of the number {fmt(c)}") for c in number],
                              *[(1 / c if c else math.nan, f"a factor of the number {fmt(c)} "
                                f"missing") for c in number],
                              (2.0, "twice the gradient (added twice?)"),
                              (0.5, "half the gradient")):
            if close(ratio, factor):
                return f"{words}: is an exponent off by one, or a factor dropped?" \
                    if "factor" in words else words
    return ""


def _rule(primitive, out, args) -> tuple | None:
    try:
        return tuple(float(d) for d in primitive.derivative(out, *args))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
