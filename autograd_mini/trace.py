"""A step-by-step record of a forward and a backward pass, for reading and teaching.

    >>> from autograd_mini import Value
    >>> from autograd_mini.trace import trace
    >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
    >>> t = trace(x * w)
    >>> print(t.backward[0].contributions[0].sentence)
    ∂out/∂x += ∂out/∂out · ∂out/∂x = 1 · 3 = 3

Every local derivative shown is the op table's formula (``Primitive.partials``) with
the node names filled in, next to the number the engine computed from the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .engine import Value, gradients, topological_order

__all__ = [
    "trace", "Trace", "ForwardStep", "BackwardStep", "Contribution", "fmt", "aligned",
]


def fmt(x: float) -> str:
    """A number the way a person would write it: ``3``, ``-0.5``, ``0.7616``, ``1e-08``."""
    if isinstance(x, Value):
        x = x.data
    text = f"{x:.4g}"
    return "0" if text == "-0" else text


def aligned(rows: list, rule: bool = False) -> str:
    """Rows of text cells as left-aligned columns; ``rule`` draws a line under the first."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@dataclass(frozen=True)
class ForwardStep:
    """One node computed: ``name = expression = value``."""

    node: Value
    name: str
    expression: str  # "" for a leaf
    value: float

    @property
    def is_constant(self) -> bool:
        """A number written into the expression (an unlabelled leaf)."""
        return is_constant(self.node)

    @property
    def sentence(self) -> str:
        if not self.expression:
            kind = "a constant" if self.is_constant else "given"
            return f"{self.name} = {fmt(self.value)}  ({kind})"
        return f"{self.name} = {self.expression} = {fmt(self.value)}"


@dataclass(frozen=True)
class Contribution:
    """What one parent receives: ``∂L/∂parent += upstream · local``."""

    parent: Value
    parent_name: str
    local_formula: str  # the op table's partial derivative, names filled in
    local: float
    contribution: float
    grad_before: float
    grad_after: float
    sentence: str

    @property
    def local_text(self) -> str:
        """``∂c/∂a = b = 3``, but ``∂c/∂a = 1`` rather than ``∂c/∂a = 1 = 1``."""
        value = fmt(self.local)
        if self.local_formula.endswith(f"= {value}"):
            return self.local_formula
        return f"{self.local_formula} = {value}"


@dataclass(frozen=True)
class BackwardStep:
    """The chain rule at one node: its upstream gradient goes to each parent."""

    node: Value
    name: str
    op: str
    upstream: float
    formula: str  # the op's full formula from the table
    contributions: list[Contribution] = field(default_factory=list)


@dataclass
class Trace:
    """The record of a pass: ``forward`` and ``backward`` steps, and each node's name."""

    output: Value
    names: dict[Value, str]
    forward: list[ForwardStep]
    backward: list[BackwardStep]
    grads: dict[Value, float]

    def forward_table(self) -> str:
        """The forward pass as aligned text, one node a line (constants left out)."""
        steps = [s for s in self.forward if not s.is_constant]
        return "\n".join(f"{i:>3}  {s.sentence}" for i, s in enumerate(steps, 1))

    def backward_table(self) -> str:
        """The backward pass as an aligned table, one chain-rule product a row (the
        gradients that flow into constants are left out: nothing can change them)."""
        out = self.names[self.output]
        header = ("step", "node", f"∂{out}/∂node", "parent", "local derivative",
                  "contribution", "grad after")
        rows = [header]
        for i, step in enumerate(self.backward, 1):
            for c in step.contributions:
                if is_constant(c.parent):
                    continue
                rows.append((str(i), step.name, fmt(step.upstream), c.parent_name,
                             c.local_text, fmt(c.contribution),
                             fmt(c.grad_after)))
        return aligned(rows, rule=True)

    def __str__(self) -> str:
        return f"Forward pass\n{self.forward_table()}\n\nBackward pass\n{self.backward_table()}"


def trace(output: Value, gradient: float = 1.0) -> Trace:
    """Run ``output.backward(gradient)`` and record every step of it.

    Like ``backward`` this accumulates into ``.grad`` of every node; the record keeps
    the gradient each node had before and after each contribution.
    """
    if not isinstance(output, Value):
        raise TypeError(f"trace expects a Value, got {type(output).__name__}")
    order = topological_order(output)
    names = _names(order, output)
    forward = [ForwardStep(n, names[n], _expression(n, names), n.data) for n in order]
    backward: list[BackwardStep] = []
    running: dict[Value, float] = {output: float(gradient)}

    def record(node, upstream, locals_):
        step = BackwardStep(node, names[node], node.op, upstream, node.primitive.formula)
        for index, (parent, local) in enumerate(zip(node.parents, locals_)):
            before = running.get(parent, 0.0)
            contribution = upstream * local
            running[parent] = before + contribution
            local_formula = f"∂{names[node]}/∂{names[parent]} = " + _partial(node, index, names)
            sentence = (f"∂{names[output]}/∂{names[parent]} += ∂{names[output]}/∂{names[node]}"
                        f" · ∂{names[node]}/∂{names[parent]} = {fmt(upstream)} · {fmt(local)}"
                        f" = {fmt(contribution)}")
            step.contributions.append(Contribution(
                parent, names[parent], local_formula, local, contribution,
                before, running[parent], sentence))
        backward.append(step)

    grads = dict(zip(*gradients(output, float(gradient), on_step=record)))
    for node, g in grads.items():
        node.grad += g
    return Trace(output, names, forward, backward, grads)


def is_constant(node: Value) -> bool:
    return not node.parents and not node.label


def _names(order: list[Value], output: Value) -> dict[Value, str]:
    """Labels where given; unlabelled constants by value; other nodes n1, n2, ..."""
    names: dict[Value, str] = {}
    count = 0
    for node in order:
        if node.label:
            names[node] = node.label
        elif node is output:
            names[node] = "out"
        elif is_constant(node):
            names[node] = fmt(node.data)
        else:
            count += 1
            names[node] = f"n{count}"
    return names


_SYMBOL = re.compile(r"\b(x_i|w_i|a|b|n)\b")


def _fill(text: str, symbols: dict[str, str]) -> str:
    return _SYMBOL.sub(lambda m: symbols.get(m.group(1), m.group(1)), text)


def _symbols(node: Value, names: dict[Value, str], index: int = 0) -> dict[str, str]:
    """What ``a``, ``b``, ``n``, ``w_i``, ``x_i`` stand for at this node."""
    parents = [names[p] for p in node.parents]
    if node.primitive.arity is None:  # variadic: w_i/x_i refer to the pair of `index`
        half = len(parents) // 2
        i = index % half if half else 0
        return {"x_i": parents[half + i] if half else parents[0], "w_i": parents[i]}
    if node.primitive.constants:
        return {"a": parents[0], "n": parents[1]}
    return dict(zip(("a", "b"), parents))


def _partial(node: Value, index: int, names: dict[Value, str]) -> str:
    primitive = node.primitive
    if primitive.arity is None:
        which = index // (len(node.parents) // len(primitive.partials))
        return _fill(primitive.partials[which], _symbols(node, names, index))
    return _fill(primitive.partials[index], _symbols(node, names))


def _expression(node: Value, names: dict[Value, str]) -> str:
    if node.primitive is None:
        return ""
    parents = [names[p] for p in node.parents]
    if node.op == "sum":
        return " + ".join(parents)
    if node.op == "dot":
        half = len(parents) // 2
        return " + ".join(f"{w}·{x}" for w, x in zip(parents[:half], parents[half:]))
    if node.primitive.arity is None:
        return f"{node.op}({', '.join(parents)})"
    return _fill(node.primitive.expr, _symbols(node, names))
