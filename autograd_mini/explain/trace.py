"""A step-by-step record of a forward and a backward pass, for reading and teaching.

    >>> from autograd_mini import Value
    >>> from autograd_mini.explain.trace import trace
    >>> x, w = Value(2.0, label="x"), Value(3.0, label="w")
    >>> t = trace(x * w)
    >>> print(t.backward[0].contributions[0].sentence)
    ∂out/∂x += ∂out/∂out · ∂out/∂x = 1 · 3 = 3

Every local derivative shown is the op table's derivative rule written out with the
node names (``Primitive.partials``), next to the number the engine computed from the
same rule.  Nodes are called by their display names (:mod:`autograd_mini.core.naming`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ..core import handwritten, valuebase
from ..core.checks import as_float
from ..core.engine import Value, accumulate, backward_pass
from ..core.interpret import interpret
from ..core.language import N_, _, display_width, pad
from ..core.naming import display_names, fmt, repeated_parents, slot_phrase

__all__ = [
    "trace", "Trace", "ForwardStep", "BackwardStep", "Contribution", "Total", "fmt", "aligned",
    "Step", "walk", "step_count", "HAND_WRITTEN",
]


def aligned(rows: list, rule: bool = False) -> str:
    """Rows of text cells as left-aligned columns, counted in the columns a terminal shows
    (Hangul takes two); ``rule`` draws a line under the first."""
    widths = [max(display_width(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(pad(cell, w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


# A trace of a big graph keeps one small record a node: each record holds references to
# what the sweep computed, and writes its text (expressions, formulas, sentences) only
# when it is read.  The trace's names are one dict, shared by all records.


@dataclass(frozen=True, slots=True)
class ForwardStep:
    """One node computed: ``name = expression = value``."""

    node: Value
    name: str
    value: float
    names: dict[Value, str] = field(repr=False, compare=False)

    @property
    def expression(self) -> str:
        """The node's op applied to its parents' names; ``""`` for a leaf."""
        if not self.node.parents:
            return ""
        return handwritten.written(self.node, [self.names[p] for p in self.node.parents])

    @property
    def is_constant(self) -> bool:
        """A number written into the expression (``3`` in ``3 * x``)."""
        return self.node.is_constant

    @property
    def sentence(self) -> str:
        if not self.expression:
            kind = _("a constant") if self.is_constant else _("given")
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
    slot: str = ""  # "as the left input a" where the parent is taken more than once
    summed: bool = False  # the parent had a gradient already: a copy's paths add up

    @property
    def local_text(self) -> str:
        """``∂c/∂a = b = 3``, but ``∂c/∂a = 1`` rather than ``∂c/∂a = 1 = 1``; with the
        slot named where the parent is taken twice: ``∂n1/∂x = x = 2, as the left input a``."""
        value = fmt(self.local)
        text = self.local_formula
        if not text.endswith(f"= {value}"):
            text = f"{text} = {value}"
        return f"{text}, {self.slot}" if self.slot else text


@dataclass(frozen=True)
class Total:
    """What a parent taken more than once receives from one node, all its slots added:
    ``∂n1/∂x = 2·x = 4 in all`` for ``n1 = x * x``."""

    parent: Value
    parent_name: str
    local_formula: str  # ∂n1/∂x = 2·x: the slots' partials added
    local: float
    contribution: float
    grad_after: float

    @property
    def local_text(self) -> str:
        return _("{formula} = {value} in all", formula=self.local_formula, value=fmt(self.local))


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """The chain rule at one node: its upstream gradient goes to each parent.

    ``slots`` holds, for each parent slot that received a product (constants receive
    none), the local derivative and the parent's gradient before and after the sweep
    added it; ``contributions`` and ``totals`` are written out from them when read."""

    node: Value
    name: str
    upstream: float
    slots: dict[int, tuple[float, float, float, bool]] = field(repr=False, compare=False)
    names: dict[Value, str] = field(repr=False, compare=False)
    output_name: str = "out"

    @property
    def op(self) -> str:
        return self.node.op

    @property
    def patterns(self) -> list[str]:
        """The gate patterns met at this step: the op's own (add distributes, mul
        swaps, max routes) from the table, and "copy sums" for each parent that had a
        gradient already -- a node used twice, whose paths add up."""
        own = [_(self.node.primitive.pattern)] if self.node.primitive is not None \
            and self.node.primitive.pattern else []
        return own + [_("copy sums: {parent} is used more than once, so this product adds to "
                        "the {before} it had: {after}", parent=c.parent_name,
                        before=fmt(c.grad_before), after=fmt(c.grad_after))
                      for c in self.contributions if c.summed]

    @property
    def formula(self) -> str:
        """The op's full formula from the table."""
        return _(HAND_WRITTEN) if self.node.primitive is None else self.node.primitive.formula

    @property
    def partials(self) -> list[str]:
        """Each slot's local derivative as the table's rule writes it, names filled in."""
        node = self.node
        if node.primitive is None:  # a hand-written step: its numbers, no formula to show
            return [""] * len(node.parents)
        return node.primitive.partials([self.names[p] for p in node.parents],
                                       [p.data if p.is_constant else None for p in node.parents])

    @property
    def contributions(self) -> list[Contribution]:
        """What each parent receives, slot by slot (constants receive nothing)."""
        return self._contributions(self.partials)

    def _contributions(self, partials: list[str]) -> list[Contribution]:
        twice = repeated_parents(self.node)
        here, out = self.name, self.output_name
        made = []
        for index, (parent, partial) in enumerate(zip(self.node.parents, partials)):
            if index not in self.slots:  # a constant's slot: it receives nothing
                continue
            local, before, after, summed = self.slots[index]
            there, contribution = self.names[parent], self.upstream * local
            slot = slot_phrase(self.node, index) if parent in twice else ""
            sentence = (f"∂{out}/∂{there} += ∂{out}/∂{here} · ∂{here}/∂{there}"
                        f" = {fmt(self.upstream)} · {fmt(local)} = {fmt(contribution)}"
                        + (f"  ({there} {slot})" if slot else ""))
            local_formula = f"∂{here}/∂{there} " + (f"= {partial}" if partial else _(HAND_WRITTEN))
            made.append(Contribution(parent, there, local_formula, local, contribution,
                                     before, after, sentence, slot, summed))
        return made

    @property
    def totals(self) -> list[Total]:
        """For each parent taken more than once, what its slots add up to."""
        twice = repeated_parents(self.node)
        if not twice:
            return []
        partials = self.partials  # written out once, for the slots and their totals
        return _totals(self, twice, partials, self._contributions(partials))


@dataclass
class Trace:
    """The record of a pass: ``forward`` and ``backward`` steps, and each node's name."""

    output: Value
    names: dict[Value, str]
    forward: list[ForwardStep]
    backward: list[BackwardStep]
    grads: dict[Value, float]

    @property
    def given(self) -> str:
        """The inputs with their numbers as the tables write them: ``x = 2, b = 6.881``."""
        return ", ".join(f"{s.name} = {fmt(s.value)}" for s in self.forward
                         if not s.expression and not s.is_constant)

    def forward_table(self) -> str:
        """The forward pass as aligned text, one node a line (constants left out)."""
        steps = [s for s in self.forward if not s.is_constant]
        return "\n".join(f"{i:>3}  {s.sentence}" for i, s in enumerate(steps, 1))

    def backward_rows(self) -> list[tuple[str, ...]]:
        """The backward pass, one chain-rule product a row, under a header row (the
        constants receive no gradient: nothing can change them)."""
        out = self.names[self.output]
        rows = [(_("step"), _("node"), _("∂{output}/∂node", output=out), _("parent"),
                 _("local derivative"), _("contribution"), _("grad after"))]
        for i, step in enumerate(self.backward, 1):
            for c in step.contributions:
                rows.append((str(i), step.name, fmt(step.upstream), c.parent_name,
                             c.local_text, fmt(c.contribution),
                             fmt(c.grad_after)))
            for t in step.totals:  # a parent taken twice: what its slots add up to
                rows.append((str(i), step.name, fmt(step.upstream), t.parent_name,
                             t.local_text, fmt(t.contribution), fmt(t.grad_after)))
        return rows

    def backward_table(self) -> str:
        """The backward pass as an aligned table (:meth:`backward_rows`)."""
        return aligned(self.backward_rows(), rule=True)

    def __str__(self) -> str:
        return "\n".join([_("Forward pass"), self.forward_table(), "",
                          _("Backward pass"), self.backward_table()])

    def _repr_html_(self) -> str:
        """Both tables as HTML, for a notebook: ``trace(out)`` alone shows them.
        Every cell is escaped, so a label is shown as the text it is."""
        forward = [(str(i), s.sentence) for i, s in
                   enumerate((s for s in self.forward if not s.is_constant), 1)]
        tables = (_html_table(_("Forward pass"), forward)
                  + _html_table(_("Backward pass"), self.backward_rows(), header=True))
        return f"<div class=\"autograd-mini-trace\">{tables}</div>"


HAND_WRITTEN = N_("(hand-written step: its own _backward)")  # shown as _(HAND_WRITTEN)


def trace(output: Value, gradient: float = 1.0) -> Trace:
    """Run ``output.backward(gradient)`` and record every step of it.

    Like ``backward`` this accumulates into ``.grad`` of every node; the record keeps
    the gradient each node had before and after each contribution.  A node made by hand
    (micrograd's ``_backward``) is shown as a "hand-written step" with the numbers its
    closure adds.
    """
    if not isinstance(output, Value):
        raise TypeError(_("trace expects a Value, got {kind}", kind=type(output).__name__))
    names = display_names(output)
    order = list(names)  # topological: the graph is walked once
    backward: list[BackwardStep] = []
    out = names[output]

    def record(node, slot, upstream, local, before, after):
        """Hears of each contribution just after the sweep has added it (a node's come
        one after another), and keeps the sweep's own numbers."""
        if not backward or backward[-1].node is not node:
            backward.append(BackwardStep(node, names[node], upstream, {}, names, out))
        backward[-1].slots[slot] = (local, 0.0 if before is None else before, after,
                                    before is not None)

    with valuebase.writing:  # both passes read the numbers of one point (see gradients)
        forward = interpret(order, lambda n: ForwardStep(n, names[n], n.data, names),
                            lambda n, args: ForwardStep(n, names[n], n.data, names),
                            hand_written=True)  # interpret refuses a stale graph
        # The engine's own loop; a node made by hand (micrograd's _backward) has no rule
        # in the table: its closure is run instead.
        grads = backward_pass(order, {output: as_float(gradient, "gradient")},
                              handwritten.local_derivatives, listen=record)
    accumulate(grads)  # what backward() would add, written all at once
    return Trace(output, names, list(forward.values()), backward, grads)


def _totals(step: BackwardStep, twice: set[Value], partials: list[str],
            contributions: list[Contribution]) -> list[Total]:
    """For each parent taken more than once, its slots' local derivatives added: the
    partials written once with a count when they read the same (``2·x``), else joined
    by ``+``; the number is the sum of the products, as the sweep adds them."""
    totals = []
    made = iter(contributions)  # by the slot they came from (None: a constant's slot)
    by_slot = [None if p.is_constant else next(made) for p in step.node.parents]
    for parent in (p for p in dict.fromkeys(step.node.parents)
                   if p in twice and not p.is_constant):  # a constant receives nothing
        mine = [(c, partials[k]) for k, c in enumerate(by_slot) if c is not None
                and c.parent is parent]
        texts = [_grouped(text) for _contribution, text in mine]
        written = f"{len(texts)}·{texts[0]}" if len(set(texts)) == 1 else " + ".join(texts)
        local = sum(c.local for c, _slot in mine)
        totals.append(Total(parent, mine[0][0].parent_name,
                            f"∂{step.name}/∂{mine[0][0].parent_name} = {written}", local,
                            sum(c.contribution for c, _slot in mine), mine[-1][0].grad_after))
    return totals


def _grouped(formula: str) -> str:
    """A formula ready to be added or counted: a name or number as it is, anything
    longer in brackets (``2·x``, but ``2·(1 - x)``)."""
    bare = formula.replace("_", "").replace(".", "")
    return formula if bare.isalnum() else f"({formula})"


def _html_table(caption: str, rows: list[tuple[str, ...]], header: bool = False) -> str:
    def row(cells, tag):
        return "<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>"

    head = row(rows[0], "th") if header else ""
    body = "".join(row(r, "td") for r in rows[header:])
    return (f"<table style=\"font-family: monospace; text-align: left\"><caption style="
            f"\"text-align: left; font-weight: bold\">{escape(caption)}</caption>"
            f"<thead>{head}</thead><tbody>{body}</tbody></table>")


# The step narrative: a record told as steps, in the words the step viewer and the
# notebook explorer both show (each draws the steps its own way).


@dataclass(frozen=True)
class Step:
    """One step of the walk, without its picture: what it says, which node and edges it
    works on, and the values or gradients it makes known."""

    title: str
    lines: tuple[str, ...]
    formula: str
    active: Value
    active_edges: tuple[tuple[Value, Value], ...]
    values: dict[Value, float]  # data that becomes known at this step
    grads: dict[Value, float]   # gradients as they stand after this step


def walk(record: Trace) -> list[Step]:
    """The forward pass node by node, then the seed, then the backward pass chain-rule
    step by chain-rule step, all taken from ``record``.

        >>> x = Value(3.0, label="x")
        >>> for step in walk(trace(x * x)):
        ...     print(step.title)
        Forward 1 of 2
        Forward 2 of 2
        Backward: the seed
        Backward 1 of 1: through mul at out
    """
    forward = [s for s in record.forward if not s.is_constant]
    return [*(_forward_step(step, i, len(forward)) for i, step in enumerate(forward, 1)),
            _seed_step(record),
            *(_backward_step(record, step, i) for i, step in enumerate(record.backward, 1))]


def step_count(record: Trace) -> int:
    """How many steps :func:`walk` makes, counted without making them."""
    return sum(not s.is_constant for s in record.forward) + 1 + len(record.backward)


def _forward_step(step: ForwardStep, i: int, total: int) -> Step:
    formula = step.node.primitive.formula if step.node.primitive else ""
    return Step(_("Forward {step} of {steps}", step=i, steps=total), (step.sentence,),
                formula, step.node,
                tuple((p, step.node) for p in step.node.parents), {step.node: step.value}, {})


def _seed_step(record: Trace) -> Step:
    out, seed = record.names[record.output], record.grads[record.output]
    sentence = _("∂{output}/∂{output} = {seed}: the output's gradient with respect to itself "
                 "starts the backward pass.", output=out, seed=fmt(seed))
    return Step(_("Backward: the seed"), (sentence,), "", record.output, (), {},
                {record.output: seed})


def _count(total: Total, shown: list[Contribution]) -> str:
    """How many arrows run from a parent taken more than once, in words."""
    count = sum(c.parent is total.parent for c in shown)
    return {2: _("two"), 3: _("three")}.get(count, str(count))


def _backward_step(record: Trace, step: BackwardStep, i: int) -> Step:
    out, shown = record.names[record.output], step.contributions
    lines = (_("Upstream gradient ∂{output}/∂{node} = {value}", output=out, node=step.name,
               value=fmt(step.upstream)),
             *(_("local: {text}", text=c.local_text) for c in shown),
             *(_("local: {text}  (the {count} arrows from {parent} add up at {parent})",
                 text=t.local_text, count=_count(t, shown), parent=t.parent_name)
               for t in step.totals),
             *(c.sentence + (_("   (now {value})", value=fmt(c.grad_after)) if c.grad_before
                             else "") for c in shown),
             *(_("pattern: {text}", text=text) for text in step.patterns))
    return Step(_("Backward {step} of {steps}: through {op} at {node}", step=i,
                  steps=len(record.backward), op=step.op, node=step.name),
                lines, step.formula, step.node, tuple((c.parent, step.node) for c in shown),
                {}, {c.parent: c.grad_after for c in shown})
