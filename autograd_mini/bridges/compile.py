"""Compile a graph into straight-line Python: its forward and backward pass, written out.

Building nodes costs time.  When a computation has a fixed shape -- one sample through
a network, say -- it can be traced once and replayed on new numbers without building
any node.  :func:`compile_graph` writes the replay as plain Python source, one node a
line forward and one chain-rule product a line backward, calling the op table's own
value and derivative rules, so the numbers are exactly the engine's:

    >>> from autograd_mini import Value
    >>> from autograd_mini.bridges.compile import compile_graph
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> step = compile_graph((x * w).tanh(), [x, w])
    >>> value, grads = step([1.0, 0.5])     # new numbers, no nodes built
    >>> round(value, 6), [round(g, 6) for g in grads]
    (0.462117, [0.393224, 0.786448])
    >>> print(step.source)  # doctest: +ELLIPSIS
    def replay(inputs, gradient=1.0):
        x0, x1 = inputs  # x0 is 'x', x1 is 'w'
        # forward: one node a line
        v1 = op_mul(x0, x1)  # n1 = x * w
    ...

The code names nodes by their place, never by their labels: the inputs ``x0, x1, ...``
in the order given, the other nodes ``v1, v2, ...`` in topological order, and their
gradients ``g_x0``, ``g_v1``; each op's value and derivative rules are ``op_mul``
and ``d_mul``.  Labels and display names appear only in comments,
written with :func:`ascii` so that no label can end a comment or a line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..core.engine import Value, backward_pass
from ..core.interpret import interpret
from ..core.naming import display_names
from ..core.ops import PRIMITIVES, Argument

__all__ = ["compile_graph", "Compiled"]

UNFOLD = object()  # what a folded replay returns when a product it skipped was not 0


class Compiled:
    """A replayable forward + backward pass.

    Call it as ``compiled(inputs)`` with one float per input leaf; it returns
    ``(value, grads)``: the output's value and ``d output / d input`` for each input.
    With several outputs, pass ``gradient=[...]`` (one seed per output) and get back
    the list of values and the seeds' weighted sum of gradients.  ``gradient`` may
    also be a function of the output value(s) that returns the seed(s) -- a loss's
    derivative computed in plain Python between the forward and the backward pass.
    """

    def __init__(self, source: str, function, n_inputs: int,
                 unfolded: list[str] | None = None) -> None:
        self.source = source
        self._function = function
        self.n_inputs = n_inputs
        self._unfolded = unfolded  # the replay's lines without folding, compiled if needed

    def __call__(self, inputs: Sequence[float], gradient=1.0):
        if len(inputs) != self.n_inputs:
            raise ValueError(f"this compiled graph takes {self.n_inputs} inputs, "
                             f"got {len(inputs)}")
        result = self._function(inputs, gradient)
        if result[0] is UNFOLD:  # a skipped 0 · g met an infinite or NaN g: not 0 after all
            return self.unfolded(inputs, result[1])  # the seed as computed: asked for once
        return result

    @property
    def unfolded(self) -> Compiled:
        """The same replay with nothing folded: every product written and computed."""
        if not isinstance(self._unfolded, Compiled):
            self._unfolded = Compiled(*_compiled(self._unfolded or []), self.n_inputs)
        return self._unfolded


def _comment(text: str) -> str:
    """Display text for a comment of the generated code: ascii() escapes every line
    break, quote and non-ASCII character, so the comment cannot end early."""
    return ascii(text)[1:-1]


def _number(x: float) -> str:
    return repr(x) if math.isfinite(x) else f"float('{x}')"


def compile_graph(outputs: Value | Sequence[Value], inputs: Sequence[Value], *,
                  fold: bool = True) -> Compiled:
    """Trace the graph of ``outputs`` once and write its replay as Python.

    Args:
        outputs: the node to differentiate, or a list of them.
        inputs: the leaves that change between calls (data and parameters); every
            other leaf is a constant and is written into the code as a number.
        fold: fold what the constants decide (see the module's docstring); False
            writes every node and every product, as the engine's loop computes them.

    Raises:
        ValueError: an input is not a leaf Value.
    """
    single = isinstance(outputs, Value)
    outs = [outputs] if single else list(outputs)
    for x in inputs:
        if not isinstance(x, Value) or x.parents:
            raise ValueError("compile_graph inputs must be leaf Values")
    lines, skipped = _write(outs, list(inputs), single, fold)
    unfolded = _write(outs, list(inputs), single, False)[0] if skipped else None
    return Compiled(*_compiled(lines), len(inputs), unfolded)


def _compiled(lines: list[str]) -> tuple[str, object]:
    """The source and the function: one Python function, or pieces of one if long."""
    if len(lines) <= FUNCTION_LINES:
        return "\n".join(lines), _function(lines)
    return _script(lines)


def _write(outs: list[Value], inputs: list[Value], single: bool,
           fold: bool) -> tuple[list[str], bool]:
    """The replay's source, one line a string, and whether a product was skipped."""
    shown = display_names(*outs)
    order = list(shown)  # topological: the graph is walked once
    given = {x: f"x{i}" for i, x in enumerate(inputs)}
    known: dict[Value, float] = {}  # the nodes no input reaches, by their numbers
    forward: list[str] = []

    def name_leaf(node: Value) -> str:  # an input by its place; a constant as its number
        if node in given:
            return given[node]
        known[node] = node.data
        return _number(node.data)

    def write_node(node: Value, args: list[str]) -> str:  # one line of the forward pass
        if fold and all(p in known for p in node.parents):
            folded = _fold(node, [known[p] for p in node.parents])
            if folded is not None:
                known[node] = folded
                return _number(folded)
        name = f"v{len(forward) + 1}"
        text = node.primitive.expression([shown[p] for p in node.parents])
        forward.append(f"    {name} = op_{node.op}({', '.join(args)})"
                       f"  # {_comment(shown[node])} = {_comment(text)}")
        return name

    names = {**interpret(order, name_leaf, write_node), **given}
    varying = set(inputs)  # an input the outputs do not depend on gets gradient 0
    grad_name = {node: "g_" + names[node] for node in [*order, *inputs]
                 if (node.primitive and node not in known) or node in varying}
    which = ", ".join(f"{names[x]} is {_comment(repr(shown.get(x, 'unused')))}"
                      for x in inputs)
    lines = ["def replay(inputs, gradient=1.0):",
             f"    {', '.join(names[x] for x in inputs)}{',' if len(inputs) == 1 else ''}"
             f" = inputs  # {which}",
             "    # forward: one node a line", *forward]
    backward, guarded = _backward(order, outs, single, names, grad_name,
                                  known if fold else None)
    result = f"{_result(outs, single, names)}, [{', '.join(grad_name[x] for x in inputs)}]"
    if guarded:  # 0 · g is 0 only for a finite g: else the unfolded replay runs instead
        result = f"({result}) if all_finite({', '.join(guarded)}) else (UNFOLD, seed)"
    return lines + backward + [f"    return {result}"], bool(guarded)


def _fold(node: Value, numbers: list[float]) -> float | None:
    """A node no input reaches, computed once now by the op table's rule: a number in
    the code.  None where the rule refuses (the replay raises then, as the engine)."""
    try:
        return float(node.primitive.value(*numbers))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None


# Compiling a function takes several KB a line at its peak (its syntax tree), and its
# local variables are the fastest Python has.  A graph of more lines than FUNCTION_LINES
# (some 3,000 nodes) is cut into functions of PIECE_LINES lines each, compiled one at a
# time, so that memory stays under 1 KB a node however big the graph.
FUNCTION_LINES = 10_000
PIECE_LINES = 1_000


def _rules() -> dict:
    """The names the generated code calls: each op's value and derivative rule."""
    namespace = {}
    for name, primitive in PRIMITIVES.items():
        namespace[f"op_{name}"] = primitive.value  # no generated name starts so
        namespace[f"d_{name}"] = primitive.derivative
    namespace.update(all_finite=_all_finite, UNFOLD=UNFOLD)  # the folded replay's guard
    return namespace


def _all_finite(*numbers: float) -> bool:
    return all(map(math.isfinite, numbers))


def _function(lines: list[str], name: str = "replay"):
    namespace = _rules()
    exec(compile("\n".join(lines), "<autograd_mini compiled graph>", "exec"), namespace)
    return namespace[name]  # (our own code, written above: never a user's text)


def _script(lines: list[str]) -> tuple[str, object]:
    """The function's body run in pieces of at most ``PIECE_LINES`` lines, each piece a
    function of its own, so that memory stays in proportion to the graph while every
    line still reads local variables.  A piece takes the variables it reads that an
    earlier piece wrote, and gives back those it writes that a later piece reads; they
    wait in a dict between pieces."""
    body = lines  # the body, out of ``def replay(...):``, changed in place to save memory
    del body[0]
    body[:] = map(str.strip, body)  # every line is one statement: no indentation to keep
    body[-1] = "result = " + body[-1].removeprefix("return ")
    chunks = [body[k:k + PIECE_LINES] for k in range(0, len(body), PIECE_LINES)]
    reads, writes = zip(*map(_reads_and_writes, chunks))
    needed, gives = {"result"}, []  # what a later piece reads, walking the pieces back
    for took, wrote in zip(reversed(reads), reversed(writes)):
        gives.append(sorted(wrote & needed))
        needed = needed - wrote | set(took)
    pieces = [(_piece(chunk, took, gave), tuple(took), tuple(gave))
              for chunk, took, gave in zip(chunks, reads, reversed(gives))]

    def replay(inputs, gradient=1.0):
        variables = {"inputs": inputs, "gradient": gradient}
        for piece, takes, gives in pieces:
            variables.update(zip(gives, piece(*map(variables.__getitem__, takes))))
        return variables["result"]

    source = ("# replay(inputs, gradient=1.0), run in pieces of "
              f"{PIECE_LINES} lines, each a function\n" + "\n".join(body))
    return source, replay


_STATEMENT = re.compile(r"([\w, ]+?) (\+?=) ([^#]*)")  # targets, = or +=, the expression
_NAME = re.compile(r"\b[A-Za-z_]\w*")


def _reads_and_writes(chunk: list[str]) -> tuple[list[str], set[str]]:
    """The names a piece reads before it writes them (in order), and those it writes.
    Only our generated names are variables (the rules' names are never written)."""
    reads: dict[str, None] = {}
    writes: set[str] = set()
    for line in chunk:
        if line.startswith("#"):
            continue
        targets, sign, expression = _STATEMENT.match(line).groups()
        targets = targets.replace(",", " ").split()
        for name in _NAME.findall(expression) + (targets if sign == "+=" else []):
            if name not in writes and _VARIABLE.fullmatch(name):
                reads[name] = None
        writes.update(targets)
    return list(reads), writes


_VARIABLE = re.compile(r"x\d+|v\d+|g_[xv]\d+|d|seed|result|inputs|gradient")


def _piece(chunk: list[str], takes: list[str], gives: list[str]):
    """One piece as a function of the variables it takes, returning those it gives."""
    source = "\n".join([f"def piece({', '.join(takes)}):", *("    " + line for line in chunk),
                        f"    return ({''.join(name + ', ' for name in gives)})"])
    return _function([source], "piece")


def _result(outs: list[Value], single: bool, names: dict[Value, str]) -> str:
    return names[outs[0]] if single else "[" + ", ".join(names[y] for y in outs) + "]"


def _backward(order: list[Value], outs: list[Value], single: bool, names: dict[Value, str],
              grad_name: dict[Value, str], known: dict[Value, float] | None
              ) -> tuple[list[str], list[str]]:
    """The backward pass, one chain-rule product a line, written from the record of the
    engine's own reverse loop (:func:`~autograd_mini.core.engine.backward_pass`) run over
    the graph's shape: each contribution it adds becomes ``g_parent = ...`` (the first)
    or ``g_parent += ...`` (a later one), in the order the loop adds them.

    With ``known`` (the numbers of the nodes no input reaches: folding on) a partial
    that is 0 there is skipped, and one that is 1 multiplies nothing.  Returns the lines
    and the gradients a skipped product multiplied, which must be finite for it to be 0."""
    seeded = [y for y in outs if y in grad_name]  # a constant output has nothing to seed
    lines = ["    # backward: one chain-rule product a line, d(out)/d(node) in g_<node>",
             f"    seed = gradient({_result(outs, single, names)}) "
             "if callable(gradient) else gradient"]
    if single:
        lines += [f"    {grad_name[y]} = seed" for y in seeded]
    else:
        lines += [f"    {grad_name[y]} {'+=' if y in outs[:k] else '='} seed[{k}]"
                  for k, y in enumerate(outs) if y in grad_name]
    written = set(seeded)  # the gradients given a value so far: the next product adds
    guarded: dict[str, None] = {}  # the gradients a skipped product multiplied, in order
    partial = _Partials(names, known)

    def write(node: Value, slot: int, *_) -> None:
        parent = node.parents[slot]
        if parent not in grad_name:  # a leaf that is not an input: written as a number
            return
        text = partial(node, slot, lines)
        if text is None:  # a product with 0: 0 itself while the gradient is finite
            guarded[grad_name[node]] = None
            return
        product = grad_name[node] if text == "1.0" else f"{grad_name[node]} * {text}"
        lines.append(f"    {grad_name[parent]} {'+=' if parent in written else '='} {product}")
        written.add(parent)

    shape_only = lambda node: (0.0,) * len(node.parents)  # no rule is run here, only written
    backward_pass(order, dict.fromkeys(seeded, 0.0), shape_only, listen=write)
    zero = [f"    {name} = 0.0" for node, name in grad_name.items() if node not in written]
    return lines[:1] + zero + lines[1:], list(guarded)  # an input nothing reaches: 0


class _Partials:
    """Each local derivative as the replay's code writes it: ``d[slot]`` of the rule's
    tuple, computed once a node by ``d = d_op(...)``; or, folding, read from the rule
    itself (:meth:`~autograd_mini.core.ops.Primitive.plain_partials`): the argument it
    passes through (``b`` for ``d/da a*b``) or its number (``1.0`` for ``d/da a+b``);
    None for a partial that is a known 0."""

    def __init__(self, names: dict[Value, str], known: dict[Value, float] | None) -> None:
        self.names, self.known = names, known
        self.holding = None  # the node whose local derivatives d holds now
        self.plain: dict[tuple, list] = {}  # (primitive, count): what its rule passes through

    def __call__(self, node: Value, slot: int, lines: list[str]) -> str | None:
        form = self._plain(node)[slot]
        if isinstance(form, Argument):
            place = node if form.place == 0 else node.parents[form.place - 1]
            value, text = self.known.get(place), self.names[place]
        elif form is not None:
            value, text = form, _number(form)
        else:
            value, text = None, f"d[{slot}]"
            if self.holding is not node:
                self.holding = node
                lines.append(f"    d = d_{node.op}({self.names[node]}, "
                             f"{', '.join(self.names[p] for p in node.parents)})")
        return None if value == 0.0 else "1.0" if value == 1.0 else text

    def _plain(self, node: Value) -> list:
        """What the node's rule passes through, when folding; nothing otherwise."""
        if self.known is None:
            return [None] * len(node.parents)
        key = (node.primitive, len(node.parents))
        if key not in self.plain:
            self.plain[key] = node.primitive.plain_partials(len(node.parents))
        return self.plain[key]
