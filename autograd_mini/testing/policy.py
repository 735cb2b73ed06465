"""The numeric policy, as a table: every op at 0, ±inf, NaN and overflowing inputs,
this engine's value and derivative beside PyTorch's.

    python -m autograd_mini.testing.policy > docs/numeric-policy.md

The rules the table shows are in :data:`RULES`.  PyTorch (float64, 0-dimensional
tensors) is imported only when the table is made.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from ..engine import Value, apply, grad
from ..naming import fmt
from ..ops import PRIMITIVES

__all__ = ["RULES", "SPECIALS", "Row", "cases", "ours", "theirs", "rows", "markdown",
           "torch_functions"]

RULES = """\
- An overflowing result is ±inf, in the forward and the backward pass (never an
  `OverflowError`).
- NaN in gives NaN out.
- Where a function is differentiable its derivative never raises.
- A point outside an op's real domain (log of 0, division by zero, a negative number to a
  fractional power) is a clear error naming the op, its operands and their labels, where
  PyTorch returns NaN or ±inf. So is a derivative at the edge of a domain where the slope
  is infinite (sqrt at 0), where PyTorch returns ±inf."""

SPECIALS = {"0": 0.0, "-0": -0.0, "inf": math.inf, "-inf": -math.inf, "nan": math.nan,
            "huge": 1e300}
ORDINARY = 2.0  # the other operand of a binary op


def torch_functions(torch) -> dict:
    """The op table's built-in ops as PyTorch functions of 0-dimensional tensors."""
    half = lambda xs: len(xs) // 2  # noqa: E731 - dot and affine take w..., x... (, b)
    return {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "neg": lambda a: -a, "pow": lambda a, b: a**b,
        "exp": torch.exp, "log": torch.log, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "relu": torch.relu, "softplus": torch.nn.functional.softplus, "sin": torch.sin,
        "cos": torch.cos, "sqrt": torch.sqrt, "abs": torch.abs,
        "sum": lambda *xs: torch.stack(xs).sum(),
        "dot": lambda *wx: torch.dot(torch.stack(wx[:half(wx)]), torch.stack(wx[half(wx):])),
        "affine": lambda *wxb: torch.dot(torch.stack(wxb[:half(wxb)]),
                                         torch.stack(wxb[half(wxb):-1])) + wxb[-1],
    }


def cases(name: str) -> list[tuple[str, tuple[float, ...]]]:
    """The special points of one op: each special value in each input position, the
    other inputs ordinary (variadic ops with one row)."""
    primitive = PRIMITIVES[name]
    arity = primitive.arity or primitive.layout.count(1)
    result = []
    for position in range(arity):
        for text, x in SPECIALS.items():
            point = [ORDINARY] * arity
            point[position] = x
            shown = ", ".join(text if i == position else fmt(ORDINARY) for i in range(arity))
            result.append((f"{name}({shown})", tuple(point)))
    return result


Numbers = tuple[float, ...] | None  # None: the engine refused the point with an error


def _same(a: Numbers, b: Numbers) -> bool:
    """Equal numbers (NaN equals NaN, and 0.0 equals -0.0), or both refused."""
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y))
                                    for x, y in zip(a, b))


@dataclass(frozen=True)
class Row:
    """One special point: what this engine and PyTorch give."""

    case: str
    value: Numbers
    torch_value: Numbers
    derivative: Numbers
    torch_derivative: Numbers

    @property
    def agrees(self) -> bool:
        return (_same(self.value, self.torch_value)
                and _same(self.derivative, self.torch_derivative))

    @property
    def refused(self) -> bool:
        """This engine refuses the point with an error: outside the op's real domain,
        or at its edge where the slope is infinite."""
        return self.value is None or self.derivative is None


def _text(numbers: Numbers) -> str:
    if numbers is None:
        return "error"
    return ", ".join("nan" if math.isnan(x) else repr(x) for x in numbers)


def ours(name: str, point: tuple[float, ...]) -> tuple[Numbers, Numbers]:
    """(value, derivatives) of this engine; None where it refuses with an error."""
    inputs = [Value(x) for x in point]
    try:
        out = apply(name, *inputs)
    except (ValueError, ZeroDivisionError):
        return None, None
    try:
        return (out.data,), tuple(grad(out, inputs))
    except (ValueError, ZeroDivisionError):
        return (out.data,), None


def theirs(name: str, point: tuple[float, ...], torch) -> tuple[Numbers, Numbers]:
    """(value, derivatives) of PyTorch in float64."""
    inputs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    out = torch_functions(torch)[name](*inputs)
    derivatives = torch.autograd.grad(out, inputs, allow_unused=True)
    return (out.item(),), tuple(0.0 if d is None else d.item() for d in derivatives)


def rows(torch) -> list[Row]:
    """Every built-in op at every special point."""
    return [Row(case, *_pair(ours(name, point), theirs(name, point, torch)))
            for name in sorted(torch_functions(torch)) for case, point in cases(name)]


def _pair(a: tuple, b: tuple) -> tuple:
    return a[0], b[0], a[1], b[1]


def markdown(table: list[Row]) -> str:
    """The table as a Markdown page, differences from PyTorch in bold."""
    agree = sum(r.agrees for r in table)
    refused = sum(r.refused and not r.agrees for r in table)
    lines = [
        "# The numeric policy, beside PyTorch",
        "",
        "Generated by `python -m autograd_mini.testing.policy > docs/numeric-policy.md`; "
        "`tests/test_numeric_policy.py` checks that this page is current and holds the "
        "engine to it.",
        "",
        RULES,
        "",
        f"{len(table)} special points: {agree} agree with PyTorch (float64) in value and "
        f"every derivative; {refused} are points outside an op's real domain or at its "
        f"edge, refused here with a clear error where PyTorch gives NaN or ±inf; "
        f"{len(table) - agree - refused} differ otherwise (in bold).",
        "",
        "| case | value | PyTorch | derivatives | PyTorch |",
        "|---|---|---|---|---|",
    ]
    for r in table:
        mark = (lambda s: s) if r.agrees or r.refused else (lambda s: f"**{s}**")
        lines.append(f"| `{r.case}` | {mark(_text(r.value))} | {_text(r.torch_value)} | "
                     f"{mark(_text(r.derivative))} | {_text(r.torch_derivative)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the page's generator
    import torch as _torch

    sys.stdout.write(markdown(rows(_torch)))
