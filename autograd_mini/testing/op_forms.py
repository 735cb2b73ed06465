"""The ways an engine is spoken to, read off the op table: ``x + y``, ``2 - x``, ``x ** 3``,
``x.tanh()`` -- and small programs of them, drawn by hypothesis, that run on any engine.

A :class:`Form` is one op of the table written one way: both inputs Values, a number on
the right (``x ** 3``) or on the left (``2 - x``, the reflected method ``__rsub__``), or
a method of one input.  It is applied through Python's own operators, so the very same
call runs on a student's engine and on this one, and the two can be compared.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.ops import PRIMITIVES, Primitive

__all__ = ["Form", "all_forms", "VALUES", "NUMBER_RIGHT", "NUMBER_LEFT", "METHOD", "forms_of",
           "REQUIRED", "NICE", "fitting", "Program", "Step", "programs"]

VALUES = "values"              # x + y: every input a Value
NUMBER_RIGHT = "number right"  # x + 2, x ** 3
NUMBER_LEFT = "number left"    # 2 + x, through the reflected method __radd__
METHOD = "method"              # x.tanh(), -x

# micrograd's API: the arithmetic operators on both sides, and ``**`` with a number.
# Every other form is optional: checked where the engine has it.
_ARITHMETIC = ("__add__", "__sub__", "__mul__", "__truediv__")
REQUIRED = frozenset(
    [(m, k) for m in _ARITHMETIC for k in (VALUES, NUMBER_RIGHT)]
    + [("__r" + m[2:], NUMBER_LEFT) for m in _ARITHMETIC]
    + [("__neg__", METHOD), ("__pow__", NUMBER_RIGHT)])

# Where inputs and numbers are taken from: simple values, filtered by an op's samples.
NICE = (0.5, -1.25, 2.0, -0.3, 1.5, 3.0, -2.2, 0.8)


def fitting(domain: tuple[tuple[float, float], ...]) -> list[float]:
    """The nice numbers inside ``domain`` (a tuple of intervals), else its midpoints."""
    inside = [x for x in NICE if any(low <= x <= high for low, high in domain)]
    return inside or [(low + high) / 2 for low, high in domain]


@dataclass(frozen=True)
class Form:
    """One op written one way: ``primitive``, ``kind`` and the ``method`` that applies it."""

    primitive: Primitive
    kind: str
    method: str

    @property
    def op(self) -> str:
        return self.primitive.name

    @property
    def required(self) -> bool:
        """Part of micrograd's API: an engine without it fails, rather than skips, it."""
        return (self.method, self.kind) in REQUIRED

    @property
    def value_positions(self) -> list[int]:
        """Which of the op's inputs are Values (the others are numbers)."""
        if self.kind == NUMBER_RIGHT:
            return [0]
        if self.kind == NUMBER_LEFT:
            return [1]
        return list(range(self.primitive.arity or 0))

    def arguments(self, values: Sequence[Any], number: float | None) -> list[Any]:
        """The op's inputs in order: ``values`` at the Value positions, ``number`` at the other."""
        if self.kind == NUMBER_RIGHT:
            return [values[0], number]
        if self.kind == NUMBER_LEFT:
            return [number, values[0]]
        return list(values)

    def call(self, args: Sequence[Any], functions: Mapping[str, Callable] = {}) -> Any:
        """Apply the op to ``args`` (nodes of any engine, or numbers) the way this form
        writes it: an operator through Python's own rules, a method by its name, or the
        function an adapter gives for the op."""
        given = functions.get(self.op)  # the adapter's function for the op, if any
        if given is not None:
            return given(*args)
        # 2 - x is operator.sub(2, x): float's __sub__ first, then x.__rsub__(2)
        name = "__" + self.method[3:] if self.kind == NUMBER_LEFT else self.method
        python = getattr(operator, name, None) if name.startswith("__") else None
        if python is not None:
            return python(*args)
        return getattr(args[0], self.method)(*args[1:])

    def text(self, names: Sequence[str]) -> str:
        """The form written out with the op's inputs called ``names``: ``2 - x1``."""
        return self.primitive.expression(list(names))

    def available(self, kind: type, functions: Mapping[str, Callable] = {}) -> bool:
        """Whether ``kind`` (a Value class) has the method this form needs."""
        return functions.get(self.op) is not None or hasattr(kind, self.method)


def forms_of(primitive: Primitive) -> list[Form]:
    """Every way the engine could be asked for ``primitive``: none for a variadic op
    (applied by a function), the method for a one-input op, three forms for an operator."""
    methods = primitive.methods
    if not methods or primitive.arity not in (1, 2):
        return []
    if primitive.arity == 1:
        return [Form(primitive, METHOD, methods[-1] if methods[0].startswith("__")
                     and len(methods) > 1 else methods[0])]
    method, reflected = methods[0], methods[1]
    return [Form(primitive, VALUES, method), Form(primitive, NUMBER_RIGHT, method),
            Form(primitive, NUMBER_LEFT, reflected)]


# micrograd writes these operators with the others (``-x`` is ``x * -1``, ``x / y`` is
# ``x * y**-1``): they are checked last, so that a bug of ``*`` is blamed on ``*``.
_DERIVED = ("__neg__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__")


def all_forms() -> list[Form]:
    """Every form of every op of the table, the ones micrograd derives from others last."""
    forms = [form for primitive in PRIMITIVES.values() for form in forms_of(primitive)]
    return sorted(forms, key=lambda f: _DERIVED.index(f.method) + 1
                  if f.method in _DERIVED else 0)


# -- programs: small expressions that run on any engine ------------------------------------


@dataclass(frozen=True)
class Step:
    """One node of a program: ``form`` applied to earlier nodes (``slots``) and ``number``."""

    form: Form
    slots: tuple[int, ...]
    number: float | None = None


@dataclass(frozen=True)
class Program:
    """Inputs at ``point`` (the nodes ``0 … n-1``) and the ``steps`` that follow them;
    the last step is the output."""

    point: tuple[float, ...]
    steps: tuple[Step, ...]

    def run(self, leaves: Sequence[Any], functions: Mapping[str, Callable] = {}) -> Any:
        """The output, built from ``leaves`` (one per input) on their engine."""
        nodes = list(leaves)
        for step in self.steps:
            values = [nodes[i] for i in step.slots]
            nodes.append(step.form.call(step.form.arguments(values, step.number), functions))
        return nodes[-1]

    def used_inputs(self) -> set[int]:
        """The inputs the program reads (a drawn input may go unused)."""
        return {i for step in self.steps for i in step.slots if i < len(self.point)}

    @property
    def ops(self) -> list[str]:
        return list(dict.fromkeys(step.form.op for step in self.steps))

    def text(self) -> str:
        """The program as text: nested where each result is used once, ``n1 = …; out = …``
        where a result is used twice (so that the sharing shows)."""
        n = len(self.point)
        uses = [0] * (n + len(self.steps))
        for step in self.steps:
            for i in step.slots:
                uses[i] += 1
        names: list[str] = [f"x{i + 1}" for i in range(n)]
        lines: list[str] = []
        for k, step in enumerate(self.steps):
            args = [names[i] for i in step.slots]
            shown = [_number(step.number) if a is None else a
                     for a in step.form.arguments(args, None)]
            text = step.form.text(shown)
            if uses[n + k] > 1:
                names.append(f"n{len(lines) + 1}")
                lines.append(f"{names[-1]} = {text}")
            else:
                names.append(text if k == len(self.steps) - 1 else f"({text})")
        return "; ".join([*lines, f"out = {names[-1]}"]) if lines else names[-1]


def _number(x: float | None) -> str:
    return f"{x:g}"


def programs(forms: Sequence[Form], max_inputs: int = 3, max_ops: int = 5):
    """A hypothesis strategy of :class:`Program` s over ``forms``: every input of every op
    inside the op's samples, every result at most 50 in size and away from kinks, so that
    the program is differentiable where it runs.  Shrinks towards one input and one op."""
    from hypothesis import assume
    from hypothesis import strategies as st

    @st.composite
    def draw_program(draw) -> Program:
        point = tuple(draw(st.sampled_from(NICE)) for _ in range(draw(st.integers(1, max_inputs))))
        values, steps = list(point), []
        for _ in range(draw(st.integers(1, max_ops))):
            step = _draw_step(draw, st, draw(st.sampled_from(list(forms))), values)
            if step is not None:
                values.append(step[1])
                steps.append(step[0])
        assume(steps)  # no op fitted the drawn inputs: draw again
        return Program(point, tuple(steps))

    return draw_program()


def _draw_step(draw, st, form: Form, values: list[float]):
    """``(step, its value)`` for ``form`` on earlier values that fit its domain, or None."""
    samples = form.primitive.samples
    slots = []
    for position in form.value_positions:
        fits = [i for i, v in enumerate(values)
                if any(lo <= v <= hi for lo, hi in samples[position])]
        if not fits:
            return None
        slots.append(draw(st.sampled_from(fits)))
    number = None
    if form.kind in (NUMBER_LEFT, NUMBER_RIGHT):
        number = draw(st.sampled_from(fitting(samples[1 - form.value_positions[0]])))
    args = form.arguments([values[i] for i in slots], number)
    try:
        value = form.primitive.value(*args)
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    kink = form.primitive.kink_distance
    if not abs(value) <= 50.0 or (kink is not None and kink(*args) < 1e-3):
        return None
    return Step(form, tuple(slots), number), value
