"""The primitive table: every operation the engine knows, defined once.

Each :class:`Primitive` says how to compute its value from plain floats and how to
compute its *local derivatives* -- the partial derivative of its output with respect to
each input.  The derivative rules are written with ordinary arithmetic, so the very
same rule runs on floats (the fast path of ``backward``), on ``Value`` nodes (to build
the graph of a gradient for higher-order derivatives) and on symbolic stand-ins
(:mod:`autograd_mini.core.formulas`: to *write the rule out* as the formula a student reads,
so the formula shown is the rule that runs and a derivative is stated once).

Everything else in the library reads this table: the engine, the step-by-step trace,
the graph renderer, the compiled replay, the gradient checks.  No other module tests
an op's name.  Adding an operation means adding one entry.

A derivative rule is called as ``derivative(out, *inputs)`` where ``out`` is the
node's own value; it returns one local derivative per differentiable input.  Reusing
``out`` saves work: ``d tanh(a)/da = 1 - tanh(a)**2 = 1 - out**2``.
"""

from __future__ import annotations

import keyword
import math
import operator
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .checks import NoSlope
from .formulas import ATOM, Number, Symbol, as_symbol, binding, write_rule
from .language import N_, _

__all__ = [
    "Primitive", "Layout", "FIXED", "PRIMITIVES", "register", "Argument",
    "REAL", "POSITIVE", "NONZERO",
    "fn", "Elementary", "infix", "unary", "variadic",
]

# Where the tests sample an input, as tuples of (low, high) intervals: inside the op's
# domain, away from its edges and kinks (hypothesis draws test points from them).
REAL = ((-5.0, 5.0),)
POSITIVE = ((0.05, 5.0),)
NONZERO = ((-5.0, -0.05), (0.05, 5.0))


# -- how an op's inputs are laid out ---------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a primitive's inputs are laid out, and what its formulas call them.

    ``columns`` repeat: ``dot`` takes the weights ``w_1 … w_n`` then the inputs
    ``x_1 … x_n``, so its columns are ``("w", "x")``.  ``tail`` are single inputs after
    them: ``a`` and ``b`` of a binary op, the bias ``b`` of ``affine``.
    """

    columns: tuple[str, ...] = ()
    tail: tuple[str, ...] = ("a",)

    @property
    def variadic(self) -> bool:
        return bool(self.columns)

    def size(self, count: int) -> int | None:
        """How many entries each column has for ``count`` inputs (None: not a valid count)."""
        if not self.columns:
            return 0 if count == len(self.tail) else None
        rows, rest = divmod(count - len(self.tail), len(self.columns))
        return rows if rows >= 1 and rest == 0 else None

    def count(self, rows: int) -> int:
        """How many inputs make ``rows`` rows (the columns' entries, then the tail)."""
        return rows * len(self.columns) + len(self.tail)

    @property
    def generic_names(self) -> list[str]:
        """One row named with ``i``, for a formula that holds for every row: ``w_i, x_i``."""
        return [f"{c}_i" for c in self.columns] + list(self.tail)


FIXED = {n: Layout(tail=("a", "b", "c")[:n]) for n in (1, 2, 3)}


# -- the Primitive ---------------------------------------------------------------


def _call_form(name: str) -> Callable[..., str]:
    return lambda *names: f"{name}({', '.join(names)})"


@dataclass(frozen=True)
class Primitive:
    """One operation of the table.

    Attributes:
        name: the op's name, also the ``Value`` method or function that applies it.
        symbol: short label for graph pictures (``"*"``, ``"tanh"``).
        value: computes the output from float inputs; raises ``ValueError`` or
            ``ZeroDivisionError`` outside the op's domain.
        derivative: ``derivative(out, *inputs)`` -> tuple of local derivatives; must
            work on floats and on ``Value`` nodes alike (write it with arithmetic and
            the functions of this module, and it also writes itself out as text).
        layout: how the inputs are laid out (:class:`Layout`); one input by default.
        write: ``write(*input_names)`` -> the expression as text (default ``name(a)``).
        samples: where the property tests draw each input from, one tuple of intervals
            per input (a variadic op gives one for all): inside the op's domain and away
            from its edges and kinks, so finite differences are accurate there.
        kink_distance: ``kink_distance(*inputs)`` -> how far the inputs are from the
            nearest point where the op is not differentiable (``abs(a)`` for relu), or
            None if it has none.
        sympy: ``sympy(sp, *inputs)`` -> the op as a SymPy expression, given the
            ``sympy`` module, or None.
        torch: ``torch(torch, *inputs)`` -> the op on PyTorch tensors, given the
            ``torch`` module, or None (the numeric policy is checked against it).
        methods: the names of the ``Value`` methods that apply the op: ``("exp",)``
            gives ``x.exp()``; a two-input op names its operator and the reflected
            one, ``("__add__", "__radd__")`` for ``x + y`` and ``1 + x``.
        torch_layer: the ``torch.nn`` class that applies the op as a layer of a network
            (``"Tanh"``), for the PyTorch bridge, or None.
        pattern: how the op hands the upstream gradient to its inputs, in words, where
            it follows one of backprop's gate patterns (add distributes, mul swaps,
            max routes), or ``""``; the trace names it where it is met.
    """

    name: str
    symbol: str
    value: Callable[..., float] = field(repr=False)
    derivative: Callable[..., tuple[Any, ...]] = field(repr=False)
    layout: Layout = FIXED[1]
    write: Callable[..., str] | None = field(default=None, repr=False)
    samples: tuple[tuple[tuple[float, float], ...], ...] = (REAL,)
    kink_distance: Callable[..., float] | None = field(default=None, repr=False)
    sympy: Callable[..., Any] | None = field(default=None, repr=False)
    torch: Callable[..., Any] | None = field(default=None, repr=False)
    methods: tuple[str, ...] = ()
    torch_layer: str | None = None
    pattern: str = ""

    @property
    def arity(self) -> int | None:
        """The number of inputs, or None for a variadic op."""
        return None if self.layout.variadic else len(self.layout.tail)

    def expression(self, names: Sequence[str]) -> str:
        """The op applied to inputs called ``names``, as text: ``x * w``."""
        return (self.write or _call_form(self.name))(*names)

    def write_out(self, names: Sequence[str], numbers: Sequence[float | None] = ()) -> Any:
        """The derivative rule run on :class:`Symbol` stand-ins called ``names`` (a
        constant input as its :class:`~autograd_mini.core.formulas.Number`, where ``numbers``
        gives one), or None where the rule cannot run on Symbols (it calls ``math.exp``
        directly, say)."""
        numbers = list(numbers) or [None] * len(names)
        plain = self.expression([f"a{k}" for k in range(len(names))])  # how it binds
        out = Symbol(self.expression(names), ATOM if self.write is None else binding(plain))
        args = [Symbol(n) if x is None else Number(x) for n, x in zip(names, numbers)]
        try:
            return write_rule(self.derivative, out, *args)
        except Exception:  # any failure to run on Symbols: the rule is not written out
            return None

    def partials(self, names: Sequence[str],
                 numbers: Sequence[float | None] = ()) -> list[str]:
        """Each local derivative as text, for inputs called ``names``: the rule written
        out (:meth:`write_out`), so that ``x**2`` with its known exponent reads
        ``2 * x``, and ``2**x`` reads ``2**x * log(2)``.  A rule that cannot be written
        out is shown as ``∂f/∂a`` -- honestly unknown rather than a text that might
        disagree with it."""
        written = self.write_out(names, numbers)
        try:
            return [as_symbol(w).text for w in written]
        except TypeError:  # None, or not a sequence of formulas
            return [f"∂{self.name}/∂{n}" for n in names]

    def plain_partials(self, count: int) -> list[Argument | float | None]:
        """Which local derivatives, for ``count`` inputs, need no arithmetic at all: the
        rule returns one of its own arguments as it is (an :class:`Argument`: ``d/da
        (a * b) = b``) or a fixed number (``d/da (a + b) = 1.0``); None for the others.

        Found by running the rule on stand-ins that refuse every operation -- arithmetic,
        comparison, truth -- so a partial the rule computes, or picks by a test of the
        numbers, is None: read from the rule, never stated beside it.  The compiled
        replay writes ``g * b`` for such a partial instead of calling the rule.

            >>> PRIMITIVES["affine"].plain_partials(5)   # w1, w2, x1, x2, b
            [Argument(place=3), Argument(place=4), Argument(place=1), Argument(place=2), 1.0]
        """
        stand_ins = [Argument(place) for place in range(count + 1)]  # out, then the inputs
        try:
            partials = tuple(self.derivative(*stand_ins))
        except Exception:  # noqa: BLE001 -- the rule computed something: nothing is plain
            return [None] * count
        return [p if isinstance(p, Argument) or type(p) is float else None
                for p in partials]

    @cached_property
    def runs_on_values(self) -> bool:
        """Whether the derivative rule is written with arithmetic and this module's
        functions, so that it runs on Values too (higher order).  A rule that calls
        ``math`` functions would quietly turn Values into floats there: it is found out
        by running it on Symbols, which such functions refuse."""
        return self.write_out(self.layout.generic_names) is not None

    @property
    def formula(self) -> str:
        """One line of calculus, e.g. ``d/da tanh(a) = 1 - tanh(a)**2``."""
        names = self.layout.generic_names
        expr = self.expression(names)
        if self.layout.variadic:  # one row named with i stands for all: Σ_i w_i*x_i
            expr = f"Σ_i {expr}"
        return ";  ".join(f"d/d{n} {expr} = {p}" for n, p in zip(names, self.partials(names)))


class Argument:
    """A stand-in for the derivative rule's argument at ``place`` (0: the node's own
    value ``out``, 1, 2, ...: its inputs) that refuses every operation on it, so that
    running a rule on stand-ins shows which partials are an argument as it is
    (:meth:`Primitive.plain_partials`)."""

    __slots__ = ("place",)

    def __init__(self, place: int) -> None:
        self.place = place

    def __repr__(self) -> str:
        return f"Argument(place={self.place})"

    def _refuse(self, *args: Any) -> Any:
        raise TypeError("a stand-in has no number: the rule computes this partial")

    __eq__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __float__ = __index__ = _refuse
    __hash__ = object.__hash__


PRIMITIVES: dict[str, Primitive] = {}


def register(primitive: Primitive, *, replace: bool = False) -> Primitive:
    """Add ``primitive`` to the table: the way to define your own op.

    The new op is used with ``autograd_mini.apply(name, x)``, and everything that reads
    the table picks it up: ``backward``, higher-order ``grad``, ``trace``, ``draw_dot``,
    and the hypothesis strategies.  For example swish, ``a · sigmoid(a)``, whose
    derivative by the product rule is ``s + a · s · (1 - s)`` with ``s = sigmoid(a)``:

        >>> from autograd_mini import Value, apply
        >>> from autograd_mini.core.ops import Primitive, register, sigmoid
        >>> def swish_derivative(out, a):
        ...     s = sigmoid(a)  # works on floats, on Values and on Symbols
        ...     return (s + a * s * (1 - s),)
        >>> swish = register(Primitive(
        ...     "swish", "swish", value=lambda a: a * PRIMITIVES["sigmoid"].value(a),
        ...     derivative=swish_derivative))
        >>> swish.formula
        'd/da swish(a) = sigmoid(a) + a * sigmoid(a) * (1 - sigmoid(a))'
        >>> x = Value(0.0, label="x")
        >>> apply("swish", x).backward()
        >>> x.grad
        0.5
        >>> del PRIMITIVES["swish"]  # (tidy up after the example)

    Raises:
        ValueError: the name is taken and ``replace`` is false, or is not an identifier.
        TypeError: a field has the wrong type.
    """
    if not isinstance(primitive, Primitive):
        raise TypeError(_("register expects a Primitive, got {kind}",
                          kind=type(primitive).__name__))
    name = primitive.name
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
            or unicodedata.normalize("NFKC", name) != name:
        # Python reads identifiers in NFKC form: "ｍｕｌ" would be "mul" in code.
        raise ValueError(_("a primitive's name must be a Python identifier in NFKC form, "
                           "got {name}", name=repr(name)))
    if not isinstance(primitive.symbol, str):
        raise TypeError(_("a primitive's symbol must be text, got {symbol}",
                          symbol=repr(primitive.symbol)))
    if not callable(primitive.value) or not callable(primitive.derivative):
        raise TypeError(_("a primitive's value and derivative must be functions"))
    names = primitive.layout.generic_names
    written = primitive.write_out(names)  # None: a rule on floats only, not checked here
    if written is not None and (not isinstance(written, (tuple, list))
                                or len(written) != len(names)):
        if isinstance(written, (tuple, list)):
            raise ValueError(_("the derivative rule of {name} returns {count} local "
                               "derivatives for {inputs} inputs ({names})", name=repr(name),
                               count=len(written), inputs=len(names), names=", ".join(names)))
        raise ValueError(_("the derivative rule of {name} returns not a tuple of local "
                           "derivatives for {inputs} inputs ({names})", name=repr(name),
                           inputs=len(names), names=", ".join(names)))
    if primitive.name in PRIMITIVES and not replace:
        raise ValueError(_("a primitive named {name} exists already; pass replace=True to "
                           "redefine it", name=repr(primitive.name)))
    PRIMITIVES[primitive.name] = primitive
    return primitive


class Elementary:
    """The table's one-input ops as functions of a float, a Value or a Symbol:
    ``fn.sigmoid(x)``.  Derivative rules written with these and arithmetic serve
    backward, higher order and the written-out formula alike."""

    def __getattr__(self, name: str) -> Callable[[Any], Any]:
        primitive = PRIMITIVES.get(name)
        if primitive is None or primitive.arity != 1:
            raise AttributeError(_("the op table has no one-input op named {name}",
                                     name=repr(name)))

        def function(x: Any) -> Any:
            if isinstance(x, (int, float)):
                return PRIMITIVES[name].value(float(x))  # read now: an op may be replaced
            if isinstance(x, Symbol):
                return x.call(name)
            return x._apply_one(name)  # a Value: a new node of its graph

        function.__name__ = name
        function.__doc__ = f"{name}(x) of a float, of a Value (a new node) or of a Symbol."
        setattr(self, name, function)  # made once: the next fn.name is a plain attribute
        return function


fn = Elementary()


def __getattr__(name: str) -> Callable[[Any], Any]:
    """``from autograd_mini.core.ops import sigmoid``: any one-input op, as :class:`Elementary`."""
    try:
        return getattr(fn, name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None


# -- the value rules ---------------------------------------------------------------


def _divide(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(_("division by zero"))
    return a / b


def _power(a: float, n: float) -> float:
    if a == 0.0 and n < 0:
        raise ZeroDivisionError(_("0 cannot be raised to a negative power"))
    if a < 0.0 and math.isfinite(n) and not float(n).is_integer():
        raise ValueError(_("a negative number to a fractional power is not real"))
    try:
        return a**n  # IEEE 754 for the rest: (-2)**inf = inf, x**nan = nan
    except OverflowError:  # too large a result is infinite, with its sign
        return -math.inf if a < 0.0 and n % 2 == 1 else math.inf


def is_zero(x: Any) -> Any:
    """``x == 0`` for a float or a Value (whose ``==`` is identity: nodes are dictionary
    keys), and the condition ``x == 0`` for a Symbol."""
    if isinstance(x, Symbol):
        return x == 0.0
    return getattr(x, "data", x) == 0.0


def power(a: Any, n: Any) -> Any:
    """``a ** n`` of floats (overflow gives ±inf, never OverflowError), Values or Symbols."""
    if isinstance(a, (int, float)) and isinstance(n, (int, float)):
        return _power(float(a), float(n))
    return a**n


def _power_derivative(out: Any, a: Any, b: Any) -> tuple[Any, Any]:
    """d/da a**b = b * a**(b - 1): 0 for b = 0 (at a = 0 too, and where a**(b - 1)
    overflows: a subnormal a), and none at a = 0 for
    0 < b < 1, where the curve stands vertical (as sqrt at 0);
    d/db a**b = a**b * log(a) for a > 0; 0 at a = 0 (NaN for a NaN b); NaN for a < 0 (as
    PyTorch: a negative base has a real power only at whole exponents, so no slope in b).
    Both special values depend on a and b (see _zero_unless_nan and _nan_of), so that
    under ``create_graph`` their own derivatives are 0 and NaN, not cut off."""
    db = out * fn.log(a) if a > 0.0 else (_zero_unless_nan(b) if is_zero(a) else _nan_of(a, b))
    if isinstance(b, (int, float)) and b == 0.0:  # a**0 is 1 everywhere: its slope is 0,
        return 0.0, db  # even where a**-1 overflows (a subnormal a) or is NaN (as PyTorch)
    try:
        da = b * power(a, b - 1.0)
    except ZeroDivisionError:  # a = 0 and b < 1: 0 cannot be raised to a negative power
        if is_zero(b):
            return 0.0, db
        raise NoSlope(_("the slope of a**b in a is infinite at a = 0 (b = {b})",
                        b=repr(getattr(b, "data", b))), (None, db)) from None
    if not isinstance(b, Symbol) and is_zero(b) and not math.isfinite(da.data):
        return _zero_unless_nan(b), db  # b a Value at 0 (create_graph): 0, depending on b
    return da, db


def _zero_unless_nan(b: Any) -> Any:
    """0, but NaN for a NaN (or infinite) ``b``: ``b * 0``, so that NaN in gives NaN out.
    A formula writes it ``0``."""
    return 0.0 if isinstance(b, Symbol) else b * 0.0


def _nan_of(a: Any, b: Any) -> Any:
    """NaN as a function of ``a`` and ``b``, so that under ``create_graph`` its own
    derivatives are NaN too, as PyTorch's are.  A formula writes it ``nan``."""
    return math.nan if isinstance(a, Symbol) else (a + b) * math.nan


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:  # like IEEE and PyTorch: exp of a huge number is inf
        return math.inf


def _log(a: float) -> float:
    if a <= 0.0:
        raise ValueError(_("log is only defined for positive numbers"))
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


def _periodic(function: Callable[[float], float]) -> Callable[[float], float]:
    """sin or cos, NaN at ±inf as in IEEE 754 (math.sin raises there)."""
    return lambda a: function(a) if not math.isinf(a) else math.nan


def _sqrt(a: float) -> float:
    if a < 0.0:
        raise ValueError(_("sqrt is only defined for non-negative numbers"))
    return math.sqrt(a)


def _sqrt_derivative(out: Any, a: Any) -> tuple[Any]:
    """d/da sqrt(a) = 1 / (2 * sqrt(a)): none at a = 0, where the curve stands vertical
    (1/(2√a) is 1/0 there)."""
    try:
        return (1.0 / (2.0 * out),)
    except ZeroDivisionError:
        raise NoSlope(_("the slope of sqrt(a) is infinite at a = 0, where its "
                        "derivative 1/(2√a) is 1/0"), (None,)) from None


def _relu(a: float) -> float:
    return 0.0 if a <= 0.0 else a  # NaN in, NaN out: nan <= 0 is false


def _add_all(m: Any, xs: Sequence[Any]) -> Any:
    """Σ x of SymPy expressions (one Add) or of PyTorch tensors (one stacked sum)."""
    return m.Add(*xs) if hasattr(m, "Add") else m.stack(xs).sum()


def _dot(*wx: Any) -> Any:
    """Σ w_i x_i of floats (or of SymPy expressions: the same rule serves both)."""
    n = len(wx) // 2
    return sum(map(operator.mul, wx[:n], wx[n:]))


def _dot_derivative(out: Any, *wx: Any) -> tuple[Any, ...]:
    """d/dw_i = x_i and d/dx_i = w_i: the weights' derivatives are the inputs, and back."""
    n = len(wx) // 2
    return wx[n:] + wx[:n]


# affine is dot with a bias; its two rules are written out rather than calling dot's,
# because every neuron of every network runs them (a call and a copy less each time).
def _affine(*wxb: Any) -> Any:
    """Σ w_i x_i + b, of floats (or of SymPy expressions, or of tensors)."""
    n = len(wxb) // 2
    return sum(map(operator.mul, wxb[:n], wxb[n:-1])) + wxb[-1]


def _affine_derivative(out: Any, *wxb: Any) -> tuple[Any, ...]:
    """d/dw_i = x_i, d/dx_i = w_i (as for dot) and d/db = 1."""
    n = len(wxb) // 2
    return wxb[n:-1] + wxb[:n] + (1.0,)


def _weighted_sum(*wxb: str) -> str:
    n = len(wxb) // 2
    terms = [f"{w}*{x}" for w, x in zip(wxb[:n], wxb[n:2 * n])]
    return " + ".join(terms + list(wxb[2 * n:]))


def infix(name: str, sign: str, method: str, value: Callable[..., float],
          derivative: Callable[..., tuple], **fields: Any) -> Primitive:
    """A two-input op written between its inputs (``a + b``), applied by the operator
    ``method`` (``__add__``) and its reflected form (``__radd__``: ``1 + x``).  Python's
    operator of the same name serves SymPy and PyTorch too."""
    python = getattr(operator, method.strip("_"))
    fields = {"samples": (REAL, REAL), "write": lambda a, b: f"{a} {sign} {b}",
              "sympy": lambda m, a, b: python(a, b), "torch": lambda m, a, b: python(a, b),
              **fields}
    methods = (method, "__r" + method[2:])
    return Primitive(name, sign, value, derivative, FIXED[2], methods=methods, **fields)


def unary(name: str, symbol: str, value: Callable[[float], float],
          derivative: Callable[..., tuple], **fields: Any) -> Primitive:
    """A one-input op, applied as the method ``x.name()``; SymPy and PyTorch have a
    function of the same name unless ``sympy=``/``torch=`` say otherwise."""
    fields = {"methods": (name,), "sympy": lambda m, a: getattr(m, name)(a),
              "torch": lambda m, a: getattr(m, name)(a), **fields}
    return Primitive(name, symbol, value, derivative, **fields)


def variadic(name: str, symbol: str, value: Callable[..., float],
             derivative: Callable[..., tuple], layout: Layout, write: Callable[..., str],
             bridge: Callable[..., Any], pattern: str = "") -> Primitive:
    """An op of any number of inputs, applied by a function (``sum``, ``dot``);
    ``bridge(m, *inputs)`` is its form in SymPy and PyTorch alike."""
    return Primitive(name, symbol, value, derivative, layout, write, sympy=bridge, torch=bridge,
                     pattern=pattern)


_PAIRS = Layout(columns=("w", "x"), tail=())
_PAIRS_AND_BIAS = Layout(columns=("w", "x"), tail=("b",))
_MANY = Layout(columns=("x",), tail=())
_DISTRIBUTES = N_("add distributes: each input receives the upstream gradient as it is")
_SIGN = lambda out, a: (1.0 if a > 0.0 else -1.0 if a < 0.0 else 0.0,)  # noqa: E731

# The table.  Each derivative rule is ``rule(out, *inputs) -> (∂out/∂input, ...)``.
for _primitive in [
    #     name   sign  operator       value                derivative (∂/∂a, ∂/∂b)
    infix("add", "+",  "__add__",     lambda a, b: a + b,  lambda out, a, b: (1.0, 1.0),
          pattern=_DISTRIBUTES),
    infix("sub", "-",  "__sub__",     lambda a, b: a - b,  lambda out, a, b: (1.0, -1.0)),
    infix("mul", "*",  "__mul__",     lambda a, b: a * b,  lambda out, a, b: (b, a),
          pattern=N_("mul swaps: each input receives the upstream gradient times the other "
                     "input")),
    infix("div", "/",  "__truediv__", _divide,  # -a / b / b: b * b would underflow first
          lambda out, a, b: (1.0 / b, -a / b / b), samples=(REAL, NONZERO)),
    infix("pow", "**", "__pow__",     _power,              _power_derivative,
          samples=(POSITIVE, ((-3.0, 3.0),)), write=lambda a, b: f"{a}**{b}"),
    #     name       symbol      value               derivative d/da
    unary("neg",     "-",        lambda a: -a,        lambda out, a: (-1.0,),
          methods=("__neg__",), write=lambda a: f"-{a}", sympy=lambda m, a: -a,
          torch=lambda m, a: -a),
    unary("exp",     "exp",      _exp,                lambda out, a: (out,)),
    unary("log",     "log",      _log,                lambda out, a: (1.0 / a,),
          samples=(POSITIVE,)),
    unary("tanh",    "tanh",     math.tanh,           lambda out, a: (1.0 - out * out,),
          torch_layer="Tanh"),
    unary("sigmoid", "σ",        _sigmoid,            lambda out, a: (out * (1.0 - out),),
          sympy=lambda sp, a: 1 / (1 + sp.exp(-a)), torch_layer="Sigmoid"),
    unary("relu",    "ReLU",     _relu,               lambda out, a: (0.0 if a <= 0.0 else 1.0,),
          samples=(NONZERO,), kink_distance=abs, sympy=lambda sp, a: sp.Max(a, 0),
          torch_layer="ReLU", pattern=N_("max routes: relu(a) = max(a, 0) passes the "
                                         "upstream gradient on where a > 0 and stops it "
                                         "elsewhere")),
    unary("softplus", "softplus", _softplus,          lambda out, a: (fn.sigmoid(a),),
          sympy=lambda sp, a: sp.log(1 + sp.exp(a)),
          torch=lambda t, a: t.nn.functional.softplus(a), torch_layer="Softplus"),
    unary("sin",     "sin",      _periodic(math.sin), lambda out, a: (fn.cos(a),)),
    unary("cos",     "cos",      _periodic(math.cos), lambda out, a: (-fn.sin(a),)),
    unary("sqrt",    "√",        _sqrt,               _sqrt_derivative,
          samples=(POSITIVE,)),
    unary("abs",     "abs",      abs,                 _SIGN, methods=("__abs__", "abs"),
          samples=(NONZERO,), kink_distance=abs, sympy=lambda sp, a: sp.Abs(a)),
    #        name      symbol       value              derivative
    variadic("sum",    "Σ",         lambda *xs: sum(xs), lambda out, *xs: (1.0,) * len(xs),
             _MANY, lambda *xs: " + ".join(xs), lambda m, *xs: _add_all(m, xs),
             pattern=_DISTRIBUTES),
    variadic("dot",    "Σ w·x",     _dot,    _dot_derivative,    _PAIRS, _weighted_sum,
             lambda m, *wx: _dot(*wx)),
    variadic("affine", "Σ w·x + b", _affine, _affine_derivative, _PAIRS_AND_BIAS,
             _weighted_sum, lambda m, *wxb: _affine(*wxb),
             pattern=N_("a weighted sum swaps in pairs and distributes: w_i receives the "
                        "upstream gradient times x_i, x_i times w_i, b the gradient itself")),
]:
    register(_primitive)

del _primitive
