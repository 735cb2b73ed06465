"""Read an expression such as ``tanh(x*w + b)`` safely -- never with ``eval``.

Only a whitelist of Python's syntax is accepted: numbers, names, ``+ - * / **``, unary
minus and plus, parentheses, and calls of the op table's one-input functions
(``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``, ``sin``, ``cos``, ``sqrt``, ``abs``, ...).
Anything else is rejected with an :class:`ExpressionError` that says what and where.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Mapping

from .engine import Value, apply
from .ops import PRIMITIVES

__all__ = ["ExpressionError", "parse", "functions"]

MAX_LENGTH = 2000
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
              ast.Div: operator.truediv, ast.Pow: operator.pow}


class ExpressionError(ValueError):
    """The expression is malformed, uses something not allowed, or cannot be evaluated."""


def functions() -> list[str]:
    """The function names an expression may call: the op table's one-input ops."""
    return sorted(name for name, p in PRIMITIVES.items() if p.arity == 1)


def parse(text: str, values: Mapping[str, float]) -> Value:
    """Build the graph of ``text`` with each name a labelled leaf holding ``values[name]``.

    Raises:
        ExpressionError: a syntax error, a construct outside the whitelist, an unknown
            function, a name without a value, a value given but not used, or a domain
            error while evaluating (division by zero, log of a negative number).
    """
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        with warnings.catch_warnings():  # "1if x": Python warns, we report the error alone
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression: {error.msg} "
                              f"(column {error.offset or 0})") from None
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, deep nesting
        raise ExpressionError(f"cannot read the expression: {type(error).__name__}") from None
    leaves = {name: Value(float(v), label=name) for name, v in values.items()}
    used: set[str] = set()
    try:
        result = _build(tree.body, leaves, used)
    except (ZeroDivisionError, ValueError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(f"cannot evaluate: {error}") from None
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    unused = sorted(set(values) - used)
    if unused:
        raise ExpressionError(f"a value was given for {', '.join(unused)}, "
                              "which the expression does not use")
    return result if isinstance(result, Value) else Value(result)


def _build(node: ast.AST, leaves: dict[str, Value], used: set[str]):
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}")
        try:
            number = float(node.value)
        except OverflowError:  # an int literal beyond any float
            number = math.inf
        if not math.isfinite(number):
            raise ExpressionError(f"the number at column {node.col_offset + 1} is too large")
        return number
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            known = f"; known: {', '.join(sorted(leaves))}" if leaves else ""
            raise ExpressionError(f"no value for {node.id!r} (give one with --at "
                                  f"{node.id}=NUMBER){known}")
        used.add(node.id)
        return leaves[node.id]
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _build(node.left, leaves, used), _build(node.right, leaves, used)
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left)  # keep numbers as graph nodes, so the picture shows them
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand, leaves, used)
        if isinstance(node.op, ast.UAdd):
            return operand
        return -operand
    if isinstance(node, ast.Call):
        return _call(node, leaves, used)
    raise ExpressionError(f"{_describe(node)} is not allowed; use numbers, names, "
                          "+ - * / **, parentheses and functions such as tanh(...)")


def _call(node: ast.Call, leaves: dict[str, Value], used: set[str]) -> Value:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"{_describe(node.func)} cannot be called; "
                              f"functions: {', '.join(functions())}")
    name = node.func.id
    if name not in functions():
        raise ExpressionError(f"unknown function {name!r}; functions: {', '.join(functions())}")
    if node.keywords or len(node.args) != 1:
        raise ExpressionError(f"{name} takes exactly one argument")
    argument = _build(node.args[0], leaves, used)
    return apply(name, argument if isinstance(argument, Value) else Value(argument))


def _describe(node: ast.AST) -> str:
    kinds = {ast.Attribute: "attribute access", ast.Subscript: "indexing",
             ast.Lambda: "lambda", ast.Compare: "comparison", ast.BoolOp: "and/or",
             ast.IfExp: "if/else", ast.JoinedStr: "an f-string"}
    kind = next((text for cls, text in kinds.items() if isinstance(node, cls)),
                type(node).__name__)
    column = getattr(node, "col_offset", None)
    return f"{kind} (column {column + 1})" if column is not None else kind
