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

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["Symbol", "Condition", "write_rule", "as_symbol", "wrap", "ATOM", "CONDITIONAL"]

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


def as_symbol(x: object) -> Symbol:
    """``x`` as a Symbol: a number is written as it reads (``1``, ``0.5``, ``-2``)."""
    if isinstance(x, Symbol):
        return x
    if isinstance(x, (int, float)):
        text = f"{x:g}" if float(x).is_integer() else repr(float(x))
        return Symbol(text, UNARY if x < 0 else ATOM)
    raise TypeError(f"cannot write {type(x).__name__} into a formula")


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
