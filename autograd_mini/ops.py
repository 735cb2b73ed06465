"""The primitive table: every operation the engine knows, defined once.

Each :class:`Primitive` says how to compute its value from plain floats and how to
compute its *local derivatives* -- the partial derivative of its output with respect to
each input.  The derivative rules are written with ordinary arithmetic, so the very
same rule runs on floats (the fast path of ``backward``) and on ``Value`` nodes (to
build the graph of a gradient for higher-order derivatives).

Everything else in the library reads this table: the engine, the step-by-step trace,
the graph renderer, the gradient checks.  Adding an operation means adding one entry.

A derivative rule is called as ``derivative(out, *inputs)`` where ``out`` is the
node's own value; it returns one local derivative per differentiable input.  Reusing
``out`` saves work: ``d tanh(a)/da = 1 - tanh(a)^2 = 1 - out^2``.
"""

from __future__ import annotations

import keyword
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Primitive", "PRIMITIVES", "register", "REAL", "POSITIVE", "NONZERO",
    "exp", "log", "tanh", "sigmoid", "sin", "cos", "sqrt",
]

# Input domains, as tuples of (low, high) intervals.  They document where each op is
# defined *and* differentiable, and hypothesis draws test points from them.
REAL = ((-5.0, 5.0),)
POSITIVE = ((0.05, 5.0),)
NONZERO = ((-5.0, -0.05), (0.05, 5.0))


@dataclass(frozen=True)
class Primitive:
    """One operation of the table.

    Attributes:
        name: the op's name, also the ``Value`` method or function that applies it.
        symbol: short label for graph pictures (``"*"``, ``"tanh"``).
        expr: the forward formula written with inputs ``a``, ``b`` (or ``x_i``).
        partials: the local derivative w.r.t. each differentiable input, as text.
        value: computes the output from float inputs; raises ``ValueError`` or
            ``ZeroDivisionError`` outside the op's domain.
        derivative: ``derivative(out, *inputs)`` -> tuple of local derivatives; must
            work on floats and on ``Value`` nodes alike.
        arity: number of inputs, or ``None`` for a variadic op.
        constants: how many trailing inputs are constants that are never
            differentiated (the exponent of ``a ** n``).
        domain: one tuple of intervals per input (a variadic op gives one for all).
        inputs_multiple_of: a variadic op's input count is a multiple of this
            (``dot`` takes weights then inputs, so pairs).
    """

    name: str
    symbol: str
    expr: str
    partials: tuple[str, ...]
    value: Callable[..., float] = field(repr=False)
    derivative: Callable[..., tuple[Any, ...]] = field(repr=False)
    arity: int | None = 1
    constants: int = 0
    domain: tuple[tuple[tuple[float, float], ...], ...] = (REAL,)
    inputs_multiple_of: int = 1

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the differentiable inputs, as used in ``expr`` and ``partials``."""
        if self.arity is None:
            return ("w_i", "x_i") if len(self.partials) == 2 else ("x_i",)
        return ("a", "b")[: self.arity - self.constants]

    @property
    def formula(self) -> str:
        """One line of calculus, e.g. ``d/da tanh(a) = 1 - tanh(a)^2``."""
        return ";  ".join(
            f"d/d{var} {self.expr} = {partial}"
            for var, partial in zip(self.inputs, self.partials)
        )


PRIMITIVES: dict[str, Primitive] = {}


def register(primitive: Primitive, *, replace: bool = False) -> Primitive:
    """Add ``primitive`` to the table: the way to define your own op.

    The new op is used with ``autograd_mini.apply(name, x)``, and everything that reads
    the table picks it up: ``backward``, higher-order ``grad``, ``trace``, ``draw_dot``,
    and the hypothesis strategies.  For example swish, ``a · sigmoid(a)``, whose
    derivative by the product rule is ``s + a · s · (1 - s)`` with ``s = sigmoid(a)``:

        >>> from autograd_mini import Value, apply
        >>> from autograd_mini.ops import Primitive, register, sigmoid
        >>> def swish_derivative(out, a):
        ...     s = sigmoid(a)  # works on floats and on Values
        ...     return (s + a * s * (1 - s),)
        >>> swish = register(Primitive(
        ...     "swish", "swish", "swish(a)", ("s + a·s·(1 - s), s = sigmoid(a)",),
        ...     value=lambda a: a * PRIMITIVES["sigmoid"].value(a),
        ...     derivative=swish_derivative))
        >>> x = Value(0.0, label="x")
        >>> apply("swish", x).backward()
        >>> x.grad
        0.5
        >>> del PRIMITIVES["swish"]  # (tidy up after the example)

    Raises:
        ValueError: the name is taken and ``replace`` is false.
    """
    if not primitive.name.isidentifier() or keyword.iskeyword(primitive.name):
        raise ValueError(f"a primitive's name must be a Python identifier, "
                         f"got {primitive.name!r}")
    if primitive.name in PRIMITIVES and not replace:
        raise ValueError(
            f"a primitive named {primitive.name!r} exists already; "
            "pass replace=True to redefine it"
        )
    PRIMITIVES[primitive.name] = primitive
    return primitive


def _on_floats_and_values(name: str) -> Callable[[Any], Any]:
    def function(x: Any) -> Any:
        if isinstance(x, (int, float)):
            return PRIMITIVES[name].value(float(x))
        return getattr(x, name)()  # a Value: its method adds a node to the graph

    function.__name__ = name
    function.__doc__ = f"{name}(x) of a float, or of a Value (making a node)."
    return function


# Functions that work on floats and on Values alike, for writing derivative rules:
# a rule built from these and arithmetic serves both backward and higher order.
exp, log, tanh, sigmoid, sin, cos, sqrt = map(
    _on_floats_and_values, ["exp", "log", "tanh", "sigmoid", "sin", "cos", "sqrt"]
)


def _divide(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError("division by zero")
    return a / b


def _power(a: float, n: float) -> float:
    if a == 0.0 and n < 0:
        raise ZeroDivisionError("0 cannot be raised to a negative power")
    if a < 0.0 and n != int(n):
        raise ValueError("a negative number to a fractional power is not real")
    try:
        return a**n
    except OverflowError:  # IEEE-style: too large a result is infinite
        return -math.inf if a < 0.0 and n % 2 == 1 else math.inf


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:  # like IEEE and PyTorch: exp of a huge number is inf
        return math.inf


def _log(a: float) -> float:
    if a <= 0.0:
        raise ValueError("log is only defined for positive numbers")
    return math.log(a)


def _sigmoid(a: float) -> float:
    # Two forms so that exp() only ever sees a non-positive argument: no overflow.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _softplus(a: float) -> float:
    # log(1 + e^a), written so that exp() never sees a positive argument.
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _sqrt(a: float) -> float:
    if a < 0.0:
        raise ValueError("sqrt is only defined for non-negative numbers")
    return math.sqrt(a)


def _dot(*wx: float) -> float:
    n = len(wx) // 2
    return sum(map(operator.mul, wx[:n], wx[n:]))


def _dot_derivative(out: Any, *wx: Any) -> tuple[Any, ...]:
    # d/dw_i = x_i and d/dx_i = w_i: the weights' derivatives are the inputs, and back.
    n = len(wx) // 2
    return wx[n:] + wx[:n]


for _primitive in [
    Primitive("add", "+", "a + b", ("1", "1"),
              lambda a, b: a + b,
              lambda out, a, b: (1.0, 1.0), arity=2, domain=(REAL, REAL)),
    Primitive("sub", "-", "a - b", ("1", "-1"),
              lambda a, b: a - b,
              lambda out, a, b: (1.0, -1.0), arity=2, domain=(REAL, REAL)),
    Primitive("mul", "*", "a * b", ("b", "a"),
              lambda a, b: a * b,
              lambda out, a, b: (b, a), arity=2, domain=(REAL, REAL)),
    Primitive("div", "/", "a / b", ("1 / b", "-a / b^2"),
              _divide,
              lambda out, a, b: (1.0 / b, -out / b), arity=2, domain=(REAL, NONZERO)),
    Primitive("neg", "-", "-a", ("-1",),
              lambda a: -a,
              lambda out, a: (-1.0,)),
    Primitive("pow", "**", "a ** n", ("n * a^(n-1)",),
              _power,
              lambda out, a, n: (n * a ** (n - 1.0),), arity=2, constants=1,
              domain=(POSITIVE, ((-3.0, 3.0),))),
    Primitive("exp", "exp", "exp(a)", ("exp(a)",),
              _exp,
              lambda out, a: (out,)),
    Primitive("log", "log", "log(a)", ("1 / a",),
              _log,
              lambda out, a: (1.0 / a,), domain=(POSITIVE,)),
    Primitive("tanh", "tanh", "tanh(a)", ("1 - tanh(a)^2",),
              math.tanh,
              lambda out, a: (1.0 - out * out,)),
    Primitive("sigmoid", "σ", "sigmoid(a)", ("sigmoid(a) * (1 - sigmoid(a))",),
              _sigmoid,
              lambda out, a: (out * (1.0 - out),)),
    Primitive("relu", "ReLU", "relu(a)", ("1 if a > 0 else 0",),
              lambda a: a if a > 0.0 else 0.0,
              lambda out, a: (1.0 if a > 0.0 else 0.0,), domain=(NONZERO,)),
    Primitive("softplus", "softplus", "softplus(a)", ("sigmoid(a)",),
              _softplus,
              lambda out, a: (sigmoid(a),)),
    Primitive("sin", "sin", "sin(a)", ("cos(a)",),
              math.sin,
              lambda out, a: (cos(a),)),
    Primitive("cos", "cos", "cos(a)", ("-sin(a)",),
              math.cos,
              lambda out, a: (-sin(a),)),
    Primitive("sqrt", "√", "sqrt(a)", ("1 / (2 * sqrt(a))",),
              _sqrt,
              lambda out, a: (0.5 / out,), domain=(POSITIVE,)),
    Primitive("abs", "abs", "abs(a)", ("sign(a)",),
              abs,
              lambda out, a: (1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0,),
              domain=(NONZERO,)),
    Primitive("sum", "Σ", "Σ x_i", ("1",),
              lambda *xs: sum(xs),
              lambda out, *xs: (1.0,) * len(xs), arity=None),
    Primitive("dot", "Σ w·x", "Σ w_i * x_i", ("x_i", "w_i"),
              _dot, _dot_derivative, arity=None, inputs_multiple_of=2),
]:
    register(_primitive)
