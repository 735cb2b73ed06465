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
from collections.abc import Sequence

from ..core.engine import Value, backward_pass
from ..core.interpret import interpret
from ..core.naming import display_names
from ..core.ops import PRIMITIVES

__all__ = ["compile_graph", "Compiled"]


class Compiled:
    """A replayable forward + backward pass.

    Call it as ``compiled(inputs)`` with one float per input leaf; it returns
    ``(value, grads)``: the output's value and ``d output / d input`` for each input.
    With several outputs, pass ``gradient=[...]`` (one seed per output) and get back
    the list of values and the seeds' weighted sum of gradients.  ``gradient`` may
    also be a function of the output value(s) that returns the seed(s) -- a loss's
    derivative computed in plain Python between the forward and the backward pass.
    """

    def __init__(self, source: str, function, n_inputs: int) -> None:
        self.source = source
        self._function = function
        self.n_inputs = n_inputs

    def __call__(self, inputs: Sequence[float], gradient=1.0):
        if len(inputs) != self.n_inputs:
            raise ValueError(f"this compiled graph takes {self.n_inputs} inputs, "
                             f"got {len(inputs)}")
        return self._function(inputs, gradient)


def _comment(text: str) -> str:
    """Display text for a comment of the generated code: ascii() escapes every line
    break, quote and non-ASCII character, so the comment cannot end early."""
    return ascii(text)[1:-1]


def _number(x: float) -> str:
    return repr(x) if math.isfinite(x) else f"float('{x}')"


def compile_graph(outputs: Value | Sequence[Value], inputs: Sequence[Value]) -> Compiled:
    """Trace the graph of ``outputs`` once and write its replay as Python.

    Args:
        outputs: the node to differentiate, or a list of them.
        inputs: the leaves that change between calls (data and parameters); every
            other leaf is a constant and is written into the code as a number.

    Raises:
        ValueError: an input is not a leaf Value.
    """
    single = isinstance(outputs, Value)
    outs = [outputs] if single else list(outputs)
    for x in inputs:
        if not isinstance(x, Value) or x.parents:
            raise ValueError("compile_graph inputs must be leaf Values")
    lines = _write(outs, list(inputs), single)  # the graph's names are freed once written
    if len(lines) <= FUNCTION_LINES:
        return Compiled("\n".join(lines), _function(lines), len(inputs))
    return Compiled(*_script(lines), len(inputs))


def _write(outs: list[Value], inputs: list[Value], single: bool) -> list[str]:
    """The replay's source, one line a string."""
    shown = display_names(*outs)
    order = list(shown)  # topological: the graph is walked once
    given = {x: f"x{i}" for i, x in enumerate(inputs)}
    forward: list[str] = []

    def name_leaf(node: Value) -> str:  # an input by its place; a constant as its number
        return given.get(node) or _number(node.data)

    def write_node(node: Value, args: list[str]) -> str:  # one line of the forward pass
        name = f"v{len(forward) + 1}"
        text = node.primitive.expression([shown[p] for p in node.parents])
        forward.append(f"    {name} = op_{node.op}({', '.join(args)})"
                       f"  # {_comment(shown[node])} = {_comment(text)}")
        return name

    names = {**interpret(order, name_leaf, write_node), **given}
    varying = set(inputs)  # an input the outputs do not depend on gets gradient 0
    grad_name = {node: "g_" + names[node]
                 for node in [*order, *inputs] if node.primitive or node in varying}
    which = ", ".join(f"{names[x]} is {_comment(repr(shown.get(x, 'unused')))}"
                      for x in inputs)
    lines = ["def replay(inputs, gradient=1.0):",
             f"    {', '.join(names[x] for x in inputs)}{',' if len(inputs) == 1 else ''}"
             f" = inputs  # {which}",
             "    # forward: one node a line", *forward]
    lines += _backward(order, outs, single, names, grad_name)
    lines.append(f"    return {_result(outs, single, names)}, "
                 f"[{', '.join(grad_name[x] for x in inputs)}]")
    return lines


# Compiling a function takes ~3 KB a line at its peak (its syntax tree), and its local
# variables are the fastest Python has.  A graph of more lines than FUNCTION_LINES (some
# 3,000 nodes) is written as a script instead, compiled PIECE_LINES lines at a time, so
# that memory stays under 1 KB a node however big the graph.
FUNCTION_LINES = 10_000
PIECE_LINES = 1_000


def _rules() -> dict:
    """The names the generated code calls: each op's value and derivative rule."""
    namespace = {}
    for name, primitive in PRIMITIVES.items():
        namespace[f"op_{name}"] = primitive.value  # no generated name starts so
        namespace[f"d_{name}"] = primitive.derivative
    return namespace


def _function(lines: list[str]):
    namespace = _rules()
    exec(compile("\n".join(lines), "<autograd_mini compiled graph>", "exec"), namespace)
    return namespace["replay"]  # (our own code, written above: never a user's text)


def _script(lines: list[str]) -> tuple[str, object]:
    """The function's body as a script run in pieces: its variables live in a dict (a
    few times slower than a function's), but no piece is compiled with more than
    ``PIECE_LINES`` lines, so memory stays in proportion to the graph."""
    body = lines  # the body, out of ``def replay(...):``, changed in place to save memory
    del body[0]
    body[:] = map(str.strip, body)  # every line is one statement: no indentation to keep
    body[-1] = "result = " + body[-1].removeprefix("return ")
    pieces = [compile("\n".join(body[k:k + PIECE_LINES]), "<autograd_mini compiled graph>",
                      "exec") for k in range(0, len(body), PIECE_LINES)]
    rules = _rules()

    def replay(inputs, gradient=1.0):
        variables = {**rules, "inputs": inputs, "gradient": gradient}
        for piece in pieces:
            exec(piece, variables)  # our own code, compiled above
        return variables["result"]

    source = ("# replay(inputs, gradient=1.0), run as a script in pieces of "
              f"{PIECE_LINES} lines\n" + "\n".join(body))
    return source, replay


def _result(outs: list[Value], single: bool, names: dict[Value, str]) -> str:
    return names[outs[0]] if single else "[" + ", ".join(names[y] for y in outs) + "]"


def _backward(order: list[Value], outs: list[Value], single: bool, names: dict[Value, str],
              grad_name: dict[Value, str]) -> list[str]:
    """The backward pass, one chain-rule product a line, written from the record of the
    engine's own reverse loop (:func:`~autograd_mini.core.engine.backward_pass`) run over
    the graph's shape: each contribution it adds becomes ``g_parent = ...`` (the first)
    or ``g_parent += ...`` (a later one), in the order the loop adds them."""
    seeded = [y for y in outs if y in grad_name]  # a constant output has nothing to seed
    lines = ["    # backward: one chain-rule product a line, d(out)/d(node) in g_<node>",
             f"    seed = gradient({_result(outs, single, names)}) "
             "if callable(gradient) else gradient"]
    if single:
        lines += [f"    {grad_name[y]} = seed" for y in seeded]
    else:
        lines += [f"    {grad_name[y]} {'+=' if y in outs[:k] else '='} seed[{k}]"
                  for k, y in enumerate(outs) if y in grad_name]
    holding = None  # the node whose local derivatives d holds now

    def write(node: Value, slot: int, upstream, local, before, after) -> None:
        nonlocal holding
        parent = node.parents[slot]
        if parent not in grad_name:  # a leaf that is not an input: written as a number
            return
        if holding is not node:
            holding = node
            lines.append(f"    d = d_{node.op}({names[node]}, "
                         f"{', '.join(names[p] for p in node.parents)})")
        sign = "=" if before is None else "+="
        lines.append(f"    {grad_name[parent]} {sign} {grad_name[node]} * d[{slot}]")

    shape_only = lambda node: (0.0,) * len(node.parents)  # no rule is run here, only written
    reached = backward_pass(order, dict.fromkeys(seeded, 0.0), shape_only, listen=write)
    unreached = [f"    {name} = 0.0" for node, name in grad_name.items() if node not in reached]
    return lines[:1] + unreached + lines[1:]  # an input the outputs do not depend on: 0
