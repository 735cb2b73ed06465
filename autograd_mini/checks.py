"""The engine's checks and error messages, kept apart so that the engine reads as the lesson.

Every error names what was wrong: the op, each operand's value and label, and what to
do instead.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = ["as_float", "describe", "check_operands", "check_nodes", "check_runs_on_values",
           "look_up", "seeds_by_output", "data_of", "no_derivative", "HandWrittenNodeError"]


def as_float(data: object, what: str = "Value") -> float:
    """``data`` as a float: any real number; an integer beyond the float range is ±inf."""
    if type(data) is float:  # the common case, checked first because it is cheap
        return data
    if isinstance(data, numbers.Real):  # int, bool, numpy scalars, Fraction
        try:
            return float(data)
        except OverflowError:  # an integer beyond the float range: ±inf, as in IEEE 754
            return math.inf if data > 0 else -math.inf
    raise TypeError(f"{what} expects a real number (int or float), "
                    f"got {data!r} of type {type(data).__name__}")


def data_of(x: object, kind: type) -> float:
    """The number a comparison with a Value looks at: its data, or the number itself."""
    return x.data if isinstance(x, kind) else as_float(x, "a comparison with a Value")


def describe(primitive: Any, parents: Sequence[Any], error: object = None) -> str:
    """``log(0.0 (label 'z'))`` for a message, and ``: <error>`` when there is one."""
    operands = ", ".join(
        f"{p.data!r}" + (f" (label {p.label!r})" if p.label else "") for p in parents)
    return f"{primitive.name}({operands})" + (f": {error}" if error is not None else "")


def check_operands(primitive: Any, parents: Sequence[object], kind: type) -> None:
    """Say clearly what is wrong with the operands of ``apply``, if anything."""
    for p in parents:
        if not isinstance(p, kind):
            raise TypeError(f"{primitive.name} expects Values as inputs, "
                            f"got {type(p).__name__}") from None
    if primitive.arity is not None and len(parents) != primitive.arity:
        raise TypeError(f"{primitive.name} takes {primitive.arity} inputs, "
                        f"got {len(parents)}") from None
    if primitive.layout.columns and primitive.layout.size(len(parents)) is None:
        raise ValueError(f"{primitive.name} cannot take {len(parents)} inputs: its inputs "
                         f"are {', '.join(primitive.layout.generic_names)}")


def check_nodes(nodes: Sequence[object], kind: type, what: str) -> None:
    """``TypeError`` unless every one of ``nodes`` is a ``kind`` (a Value)."""
    for node in nodes:
        if not isinstance(node, kind):
            raise TypeError(f"{what} expects a Value for each node, got {type(node).__name__}")


def look_up(name: object) -> Any:
    """The primitive called ``name`` in the op table, or an error that lists the table."""
    from .ops import PRIMITIVES  # here: the op table imports nothing of the engine's

    try:
        return PRIMITIVES[name]
    except (KeyError, TypeError):
        raise ValueError(f"no primitive named {name!r}; the op table has "
                         f"{', '.join(sorted(PRIMITIVES))}") from None


def check_runs_on_values(primitive: Any) -> None:
    """A rule written on floats only cannot be differentiated again: say so."""
    if not primitive.runs_on_values:
        raise TypeError(
            f"the derivative rule of {primitive.name!r} runs on floats only (it calls math "
            "functions, say), so it cannot be differentiated again: write it with "
            "arithmetic and the functions of autograd_mini.ops (exp, log, sigmoid, ...)")


def seeds_by_output(outputs: Sequence[Any], seeds: Any, kind: type) -> dict:
    """``{output: seed}`` from one seed for all or one per output (a repeated output
    gets the sum of its seeds)."""
    check_nodes(outputs, kind, "gradients")
    if isinstance(seeds, (kind, numbers.Real)):
        seeds = [seeds] * len(outputs)
    seeds = list(seeds)
    if len(seeds) != len(outputs):
        raise ValueError(f"{len(outputs)} outputs but {len(seeds)} seeds")
    start: dict = {}
    for y, seed in zip(outputs, seeds):
        seed = seed if isinstance(seed, kind) else as_float(seed, "a seed")
        start[y] = seed if y not in start else start[y] + seed
    return start


def no_derivative(node: Any, error: Exception) -> Exception:
    """The error for a rule that fails where the op has no derivative (sqrt'(0) = 1/0)."""
    message = describe(node.primitive, node.parents, error)
    return type(error)(f"no derivative at {message} ({node.primitive.formula})")


class HandWrittenNodeError(TypeError):
    """A node made by hand (micrograd style) has no rule in the op table to read."""

    def __init__(self, node: Any) -> None:
        label = f" labelled {node.label!r}" if node.label else ""
        super().__init__(
            f"the node {node.op or '?'!r}{label} (data {node.data!r}) was made by hand with "
            "its own _backward, which only backward() can run: grad(), gradients() and "
            "trace() read each derivative from the op table -- register the op as a Primitive")
