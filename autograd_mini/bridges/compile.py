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

Folding (``fold=True``, the default) does once, while writing, what the constants
decide -- reading the op table's rules, never stating math of its own:

- a node no input reaches is computed now, by its value rule, and written as a number;
- a local derivative the rule passes through unchanged -- ``d/da (a * b) = b``, the
  ``x_i`` of ``affine`` (:meth:`~autograd_mini.core.ops.Primitive.plain_partials`) -- is
  written as that variable, without calling the rule; a partial that is ``1.0``
  multiplies nothing;
- a product whose partial is a constant 0 is not written at all.  A one-hot code of
  constants then costs what an embedding lookup costs: the weight of the 1 gets the
  gradient, the weights of the 0s get none (``fold=False`` writes every product):

    >>> from autograd_mini import apply
    >>> w = [Value(0.5, label="w0"), Value(-1.0, label="w1"), Value(2.0, label="w2")]
    >>> one_hot = [Value(0.0), Value(1.0), Value(0.0)]     # constants, not inputs
    >>> unit = apply("affine", *w, *one_hot, Value(0.1)).sigmoid()
    >>> print(compile_graph(unit, w).source)  # doctest: +ELLIPSIS
    def replay(inputs, gradient=1.0):
    ...
        g_x0 = 0.0
        g_x2 = 0.0
        seed = gradient(v2) if callable(gradient) else gradient
        g_v2 = seed
        d = d_sigmoid(v2, v1)
        g_v1 = g_v2 * d[0]
        g_x1 = g_v1
        return (v2, [g_x0, g_x1, g_x2]) if all_finite(g_v1) else (UNFOLD, seed)

- and at run time, a node whose partials are all passed through skips its products
  while its gradient is exactly 0 (an output inside a loss's tolerance):
  ``if g_v7: g_x0 = g_v7 * v3; ...``.

The numbers stay the engine's.  A skipped product is ``g * 0`` or ``0 * a``: ±0, which
changes no sum -- but the sign of a zero: where ``backward`` gives -0.0 the replay may
give 0.0 (they compare equal).  And ``inf * 0`` is NaN (IEEE 754): so the last line
checks that every gradient and every value a skipped product would have multiplied is
finite (``all_finite``), and if one is not, the unfolded replay
(:attr:`Compiled.unfolded`) runs instead, on the seed already computed, and NaN and inf
propagate as ``backward`` gives them.  The forward pass is never folded around a 0:
``op_affine(x0, x1, x2, 0.0, 1.0, 0.0, ...)`` still multiplies, as ``inf * 0`` is NaN.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from itertools import chain
from sys import intern

from ..core.engine import Value, backward_pass
from ..core.interpret import interpret
from ..core.language import _
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
                 unfolded: bytes | None = None) -> None:
        self.source = source
        self._function = function
        self.n_inputs = n_inputs
        self._unfolded = unfolded  # the replay's code without folding, compiled if needed

    def __call__(self, inputs: Sequence[float], gradient=1.0):
        if len(inputs) != self.n_inputs:
            raise ValueError(_("this compiled graph takes {expected} inputs, got {got}",
                               expected=self.n_inputs, got=len(inputs)))
        result = self._function(inputs, gradient)
        if result[0] is UNFOLD:  # a skipped 0 · g met an infinite or NaN g: not 0 after all
            return self.unfolded(inputs, result[1])  # the seed as computed: asked for once
        return result

    @property
    def unfolded(self) -> Compiled:
        """The same replay with nothing folded: every product written and computed (the
        replay itself where folding skipped nothing: its numbers are the same)."""
        if not isinstance(self._unfolded, Compiled):
            lines = zlib.decompress(self._unfolded).decode().split("\n") \
                if self._unfolded else None
            self._unfolded = Compiled(*_compiled(lines), self.n_inputs) if lines else self
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
            raise ValueError(_("compile_graph inputs must be leaf Values"))
    lines, skipped = _write(outs, list(inputs), single, fold)
    source, function = _compiled(lines)
    unfolded = _packed(_write(outs, list(inputs), single, False)[0]) if skipped else None
    return Compiled(source, function, len(inputs), unfolded)


def _packed(lines: list[str]) -> bytes:
    """The lines of the unfolded replay, compressed: needed only if a guard fails."""
    return zlib.compress("\n".join(lines).encode())


def _compiled(lines: list[str]) -> tuple[str, object]:
    """The source and the function: one Python function, or pieces of one if long."""
    if sum(map(_statements, lines)) <= FUNCTION_LINES:
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


# Compiling a function takes several KB a statement at its peak (its syntax tree), and
# its local variables are the fastest Python has.  A graph of more statements than
# FUNCTION_LINES (some 3,000 nodes) is cut into functions of PIECE_LINES statements each,
# compiled one at a time, so that memory stays under 1 KB a node however big the graph.
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
    """The function's body run in pieces of some ``PIECE_LINES`` statements, each piece a
    function of its own, so that memory stays in proportion to the graph while every
    line still reads local variables.  A piece takes the variables it reads that an
    earlier piece wrote, and gives back those it writes that a later piece reads; they
    wait in a list between pieces."""
    body = lines  # the body, out of ``def replay(...):``, changed in place to save memory
    del body[0]
    body[:] = map(str.strip, body)  # every line stands alone: no indentation to keep
    body[-1] = "result = " + body[-1].removeprefix("return ")
    source = ("# replay(inputs, gradient=1.0), run in pieces of "
              f"{PIECE_LINES} statements, each a function\n" + "\n".join(body))
    chunks = _chunks(body)
    unpack = body[0].partition("#")[0].strip()  # x0, x1, ... = inputs: one fast statement
    body.clear()  # (memory: each line lives on in its chunk until that is compiled)
    for chunk in chunks[1:]:
        chunk.insert(0, unpack)  # that each piece runs, rather than take every input
    takes, gives = _passed_on(chunks)
    shared = {}  # each variable a piece passes on, by its place in a list they share
    for name in [*chain(*takes), *chain(*gives)]:
        shared.setdefault(name, len(shared))
    pieces = []
    for k, chunk in enumerate(chunks):
        pieces.append(_piece(chunk, takes[k], gives[k], shared))
        chunks[k] = None  # (memory)
    places = {"size": len(shared), "result": shared["result"], "pieces": pieces,
              "at_inputs": shared.get("inputs"), "at_gradient": shared.get("gradient")}
    return source, _driver(places)


def _driver(places: dict):
    """The replay that runs the pieces, one after the other, on one list of variables.

    Its frame is made roomy (variables never set), for a reason of CPython's:
    a call's frame lives in a chunk of memory that the interpreter maps when the
    frame does not fit the current one and unmaps when it returns -- so a piece whose
    frame (its variables) does not fit would map and fault in fresh memory at every
    call, some 1,000 page faults a sweep of the family-trees demo.  In the chunk this
    frame opens, every piece's frame fits after it."""
    largest = max(p.__code__.co_nlocals + p.__code__.co_stacksize for p in places["pieces"])
    chunk = 2048  # 16 KB, the smallest chunk, in slots of 8 bytes
    while chunk < 2 * (largest + 64):
        chunk *= 2
    room = " = ".join(f"room{k}" for k in range(chunk - largest - 64))  # over half of it
    lines = ["def replay(inputs, gradient=1.0):",
             "    if size < 0:  # never: these variables only give the frame its room",
             f"        {room} = None",
             "    variables = [None] * size",
             "    if at_inputs is not None:",
             "        variables[at_inputs] = inputs",
             "    if at_gradient is not None:",
             "        variables[at_gradient] = gradient",
             "    for piece in pieces:",
             "        piece(variables)",
             "    return variables[result]"]
    namespace = dict(places)
    exec(compile("\n".join(lines), "<autograd_mini compiled graph>", "exec"), namespace)
    return namespace["replay"]  # (our own code, written above)


def _passed_on(chunks: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """What each piece takes (reads before it writes) and gives (writes, for a later
    piece to read), found walking the pieces back from the last, which gives the result."""
    reads, writes = zip(*map(_reads_and_writes, chunks))
    needed, gives = {"result"}, []
    for took, wrote in zip(reversed(reads), reversed(writes)):
        gives.append(sorted(wrote & needed))
        needed = needed - wrote | set(took)
    return list(reads), gives[::-1]


_STATEMENT = re.compile(r"([\w, ]+?) (\+?=) ([^#]*)")  # targets, = or +=, the expression
_NAME = re.compile(r"\b[A-Za-z_]\w*")


def _chunks(body: list[str]) -> list[list[str]]:
    """The body cut every ``PIECE_LINES`` statements, but never between an ``if`` and
    its ``else``."""
    chunks, chunk, count = [], [], 0
    for line in body:
        if count >= PIECE_LINES and not line.startswith("else: "):
            chunks.append(chunk)
            chunk, count = [], 0
        chunk.append(line)
        count += _statements(line)
    return chunks + [chunk]


def _statements(line: str) -> int:
    """How many statements a line holds: ``if g: a; b`` holds 2 (and the test)."""
    return line.partition("#")[0].count("; ") + 1


def _reads_and_writes(chunk: list[str]) -> tuple[list[str], set[str]]:
    """The names a piece reads before it writes them (in order), and those it writes.
    Only our generated names are variables (the rules' names are never written).  A
    line is one statement, or ``if g: ...; ...`` and ``else: ...; ...`` of simple ones,
    where the ``else`` writes what the ``if`` writes first."""
    reads: dict[str, None] = {}
    writes: set[str] = set()

    def read(names: list[str]) -> None:  # (interned: each name held once, however often read)
        reads.update((intern(name), None) for name in names
                     if name not in writes and _VARIABLE.fullmatch(name))

    for line in chunk:
        code = line.partition("#")[0]  # a comment may hold any text: it is never parsed
        if code.startswith("if "):
            condition, _colon, code = code.removeprefix("if ").partition(": ")
            read(_NAME.findall(condition))
        code = code.removeprefix("else: ")
        for statement in filter(None, code.split("; ")):
            targets, sign, expression = _STATEMENT.match(statement).groups()
            targets = targets.replace(",", " ").split()
            read(_NAME.findall(expression) + (targets if sign == "+=" else []))
            writes.update(map(intern, targets))
    return list(reads), writes


_VARIABLE = re.compile(r"x\d+|v\d+|g_[xv]\d+|d|seed|result|inputs|gradient")


def _piece(chunk: list[str], takes: list[str], gives: list[str], shared: dict[str, int]):
    """One piece as a function of the list of shared variables: it reads those it
    takes into local variables first, and writes those it gives back last."""
    def places(names: list[str]) -> str:
        return "".join(f"variables[{shared[name]}], " for name in names)

    takes_line = [f"{''.join(n + ', ' for n in takes)}= {places(takes)}"] if takes else []
    gives_line = [f"{places(gives)}= {''.join(n + ', ' for n in gives)}"] if gives else []
    lines = ["def piece(variables):", *("    " + line for line in
                                        [*takes_line, *chunk, *gives_line])]
    return _function(["\n".join(lines)], "piece")


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
             *_seeding(outs, single, names, grad_name)]
    written = set(seeded)  # the gradients given a value so far: the next product adds
    guarded: dict[str, None] = {}  # what a skipped product multiplied, in order
    partial = _Partials(names, known)
    node_lines: list[str] = []  # the current node's lines, until the next node's
    products: list[tuple[str, str, str]] = []  # its (gradient, sign, partial) a product
    current = None  # the node whose lines these are

    def write(node: Value, slot: int, *_) -> None:
        nonlocal current
        parent = node.parents[slot]
        if parent not in grad_name:  # a leaf that is not an input: written as a number
            return
        if current is not node:
            flush()
            current = node
        text = partial(node, slot, node_lines)
        if text is None:  # a product with 0: 0 itself while the gradient is finite
            guarded[grad_name[node]] = None
            return
        product = grad_name[node] if text == "1.0" else f"{grad_name[node]} * {text}"
        sign = "+=" if parent in written else "="
        node_lines.append(f"    {grad_name[parent]} {sign} {product}")
        products.append((grad_name[parent], sign, text))
        written.add(parent)

    def flush() -> None:  # the last node's lines, skipped at run time while its gradient is 0
        if known is not None and len(products) >= SKIPPABLE_PRODUCTS \
                and all(_is_name(text) or _finite_number(text) for *_rest, text in products):
            lines.extend(_skipped_while_0(grad_name[current], node_lines, products))
            guarded.update((text, None) for *_rest, text in products if _is_name(text))
        else:
            lines.extend(node_lines)
        node_lines.clear()
        products.clear()

    shape_only = lambda node: (0.0,) * len(node.parents)  # no rule is run here, only written
    backward_pass(order, dict.fromkeys(seeded, 0.0), shape_only, listen=write)
    flush()
    zero = [f"    {name} = 0.0" for node, name in grad_name.items() if node not in written]
    return lines[:1] + zero + lines[1:], list(guarded)  # an input nothing reaches: 0


def _seeding(outs: list[Value], single: bool, names: dict[Value, str],
             grad_name: dict[Value, str]) -> list[str]:
    """The seed, and each output's gradient given its seed (an output given twice adds)."""
    lines = [f"    seed = gradient({_result(outs, single, names)}) "
             "if callable(gradient) else gradient"]
    if single:
        return lines + [f"    {grad_name[y]} = seed" for y in outs if y in grad_name]
    first = {y: k for k, y in reversed(list(enumerate(outs)))}
    return lines + [f"    {grad_name[y]} {'+=' if first[y] < k else '='} seed[{k}]"
                    for k, y in enumerate(outs) if y in grad_name]


# A node of this many products or more, all of them plain, is skipped while its gradient
# is 0 (an output inside the loss's tolerance): fewer cost less than the test.
SKIPPABLE_PRODUCTS = 4


def _skipped_while_0(gradient: str, node_lines: list[str],
                     products: list[tuple[str, str, str]]) -> list[str]:
    """A node's products as one line that runs only while its gradient is not 0:
    ``g * a`` with g = ±0 and a finite is ±0, which changes no sum but a zero's sign
    (the replay's guard checks every ``a`` is finite).  A gradient the node would
    have given its first value is set to 0 instead."""
    first = [target for target, sign, _text in products if sign == "="]
    skipped = [f"    if {gradient}: " + "; ".join(line.strip() for line in node_lines)]
    return skipped + ([f"    else: {'; '.join(f'{t} = 0.0' for t in first)}"] if first else [])


def _is_name(text: str) -> bool:
    return _VARIABLE.fullmatch(text) is not None


def _finite_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:  # d[0], float('inf'): a partial computed or not finite
        return False


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
