"""Writing a rule out: symbolic stand-ins that record arithmetic as text.

A derivative rule of the op table is written with ordinary arithmetic and the table's
functions, so it runs on floats, on Values -- and on Symbols, which record
what is done to them.  Running a rule on Symbols writes the rule out as the formula a
student reads: the formula shown is the rule that runs, so a derivative is stated once.

    >>> a = Symbol("a")
    >>> (1.0 - a * a).text
    '1 - a**2'
"""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Symbol", "Number", "Condition", "write_rule", "as_symbol", "wrap", "binding",
           "ATOM", "CONDITIONAL"]

# Binding strength of each kind of expression, to put in just the brackets needed.
CONDITIONAL, SUM, PRODUCT, UNARY, POWER, ATOM = range(6)


class Symbol:
    """A stand-in for a number that records the arithmetic done with it as text.

    Running a derivative rule on Symbols writes the rule out:

        >>> a = Symbol("a")
        >>> (1.0 - a * a).text
        '1 - a**2'

    Functions of the op table (``exp``, ``sigmoid``, ...) accept Symbols too.
    A comparison gives a :class:`Condition`, so a rule with ``if`` can be written
    out by :func:`write_rule`, one branch at a time.
    """

    __slots__ = ("text", "strength")

    def __init__(self, text: str, strength: int = ATOM) -> None:
        self.text = text
        self.strength = strength

    def __repr__(self) -> str:
        return f"Symbol({self.text!r})"

    def _binary(self, other: object, sign: str, strength: int, right_first=False) -> Symbol:
        if sign == "*" and other is self:  # x * x reads better as x**2
            sign, strength, other = "**", POWER, 2.0
        left, right = (as_symbol(other), self) if right_first else (self, as_symbol(other))
        if sign == "**" and isinstance(right, Number) and right.value == 1.0:
            return left  # x**1 is x: the power rule's b * a**(b - 1) at b = 2 reads 2 * x
        # a - (b - c) needs its brackets; (a - b) - c does not: the right side of a
        # non-commutative operator binds one level tighter.
        tight = strength + (sign in ("-", "/"))
        if sign == "**":  # right-associative: (a**b)**c needs brackets, a**(b**c) not
            return Symbol(f"{wrap(left, strength + 1)}**{wrap(right, strength)}", strength)
        return Symbol(f"{wrap(left, strength)} {sign} {wrap(right, tight)}", strength)

    def __neg__(self):
        return Symbol(f"-{wrap(self, UNARY)}", UNARY)

    def __abs__(self):
        return self.call("abs")

    def __pos__(self):
        return self

    def __lt__(self, other):
        return Condition(self, "<", other)

    def __le__(self, other):
        return Condition(self, "<=", other)

    def __gt__(self, other):
        return Condition(self, ">", other)

    def __ge__(self, other):
        return Condition(self, ">=", other)

    def __eq__(self, other):  # type: ignore[override]
        return Condition(self, "==", other)

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("a rule that tests a number's truth cannot be written out")

    def call(self, name: str) -> Symbol:
        """``name(self)``: how the op table's functions apply to a Symbol."""
        return Symbol(f"{name}({self.text})")


def _operator(sign: str, strength: int, right_first: bool):
    return lambda self, other: self._binary(other, sign, strength, right_first)


# Each arithmetic operator and its reflected form (``1 - a``) write themselves out.
for _method, _sign, _strength in [("__add__", "+", SUM), ("__sub__", "-", SUM),
                                  ("__mul__", "*", PRODUCT), ("__truediv__", "/", PRODUCT),
                                  ("__pow__", "**", POWER)]:
    setattr(Symbol, _method, _operator(_sign, _strength, False))
    setattr(Symbol, "__r" + _method[2:], _operator(_sign, _strength, True))


class Number(Symbol):
    """A number known while a rule is written out: a constant input, such as the 2 of
    ``2**x``.  To the rule it is still a number -- its tests (``b == 0``, ``a > 0``) are
    decided and arithmetic with other numbers is done -- but a function of it stays
    written, so that the rule of ``2**x`` reads ``2**x * log(2)``, not ``* 0.693...``:

        >>> x, two = Symbol("x"), Number(2.0)
        >>> (two * x ** (two - 1.0)).text      # b * a**(b - 1) at b = 2
        '2 * x'
        >>> (Symbol("2**x", POWER) * two.call("log")).text
        '2**x * log(2)'
    """

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        value = float(value)
        text = f"{value:g}" if value.is_integer() else repr(value)
        super().__init__(text, UNARY if value < 0 else ATOM)
        self.value = value

    def __repr__(self) -> str:
        return f"Number({self.value!r})"

    def __float__(self) -> float:  # math.exp(b) in a rule gets the number
        return self.value

    def __bool__(self) -> bool:
        return self.value != 0.0

    def _binary(self, other: object, sign: str, strength: int, right_first=False) -> Symbol:
        if not _is_number(other):
            return super()._binary(other, sign, strength, right_first)
        a, b = (float(other), self.value) if right_first else (self.value, float(other))
        return Number(_ARITHMETIC[sign](a, b))

    def __neg__(self):
        return Number(-self.value)

    def __abs__(self):
        return Number(abs(self.value))

    def _compare(self, other: object, sign: str):
        if _is_number(other):
            return _COMPARISONS[sign](self.value, float(other))
        return Condition(self, sign, other)

    def __lt__(self, other):
        return self._compare(other, "<")

    def __le__(self, other):
        return self._compare(other, "<=")

    def __gt__(self, other):
        return self._compare(other, ">")

    def __ge__(self, other):
        return self._compare(other, ">=")

    def __eq__(self, other):  # type: ignore[override]
        return self._compare(other, "==")

    __hash__ = object.__hash__


_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul,
               "/": operator.truediv, "**": operator.pow}
_COMPARISONS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
                "==": operator.eq}


def _is_number(x: object) -> bool:
    return isinstance(x, Number) or (isinstance(x, (int, float)) and not isinstance(x, bool))


def as_symbol(x: object) -> Symbol:
    """``x`` as a Symbol: a number is written as it reads (``1``, ``0.5``, ``-2``)."""
    if isinstance(x, Symbol):
        return x
    if isinstance(x, (int, float)):
        return Number(x)
    raise TypeError(f"cannot write {type(x).__name__} into a formula")


def binding(text: str) -> int:
    """How tightly an op's expression, written as text with plain names (``a0 ** a1``),
    holds together: its loosest operator outside brackets decides -- ``a + b`` SUM,
    ``a * b`` PRODUCT, ``-a`` UNARY, ``a**b`` POWER, a name or ``f(a)`` ATOM -- and
    anything else is CONDITIONAL, which is always bracketed.

        >>> [binding(t) == k for t, k in [("a0**a1", POWER), ("a0 * a1", PRODUCT),
        ...                                ("tanh(a0)", ATOM), ("a0*a1 + a2", SUM)]]
        [True, True, True, True]
    """
    flat, previous = text.strip(), None
    while flat != previous:  # brackets and what they hold bind as one: take them out
        previous, flat = flat, re.sub(r"\([^()]*\)", "()", flat)
    if "(" in flat.replace("()", "") or ")" in flat.replace("()", "") or " if " in flat:
        return CONDITIONAL
    if re.search(r"[\w)]\s*[-+]", flat):  # a + or - after an operand: a sum
        return SUM
    if re.search(r"(?<!\*)\*(?!\*)|/", flat):
        return PRODUCT
    if flat.startswith(("-", "+")):
        return UNARY
    if "**" in flat:
        return POWER
    return ATOM if re.fullmatch(r"[^\W\d]\w*(\(\))?", flat) else CONDITIONAL


def wrap(s: Symbol, strength: int) -> str:
    return s.text if s.strength >= strength else f"({s.text})"


class Condition:
    """``a > 0`` in a rule run on Symbols; :func:`write_rule` decides which branch runs."""

    def __init__(self, left: object, sign: str, right: object) -> None:
        self.text = f"{as_symbol(left).text} {sign} {as_symbol(right).text}"

    def __bool__(self) -> bool:
        return _running.branches.decide(self.text)


class _Branches:
    """The choices taken at each ``if`` of one run of a rule (see :func:`write_rule`)."""

    def __init__(self, forced: list[bool]) -> None:
        self.forced, self.taken = forced, []

    def decide(self, text: str) -> bool:
        choice = self.forced[len(self.taken)] if len(self.taken) < len(self.forced) else True
        self.taken.append((text, choice))
        return choice


_running = threading.local()  # the rule being written out, one per thread


def write_rule(rule: Callable[..., Any], *args: Symbol) -> Any:
    """Run ``rule`` on Symbols and return what it builds, a branching rule written as
    ``x if condition else y`` (every path through its ifs is run once).

        >>> a = Symbol("a")
        >>> write_rule(lambda a: (1.0 if a > 0.0 else 0.0,), a)
        (Symbol('1 if a > 0 else 0'),)
    """
    def run(forced: list[bool]) -> tuple[Any, list]:
        _running.branches = _Branches(forced)
        return rule(*args), _running.branches.taken

    def paths(forced: list[bool]) -> Any:
        result, taken = run(forced)
        if len(taken) == len(forced):  # no new decision: a leaf of the tree of paths
            return result
        condition = taken[len(forced)][0]
        yes, no = paths([*forced, True]), paths([*forced, False])
        return _merge(condition, yes, no)

    return paths([])


def _merge(condition: str, yes: Any, no: Any) -> Any:
    if isinstance(yes, tuple):
        return tuple(_merge(condition, y, n) for y, n in zip(yes, no))
    yes, no = as_symbol(yes), as_symbol(no)
    if yes.text == no.text:
        return yes
    return Symbol(f"{wrap(yes, SUM)} if {condition} else {wrap(no, SUM)}", CONDITIONAL)
