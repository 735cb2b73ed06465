"""The paper's view of a backward pass: one table per unit, in Rumelhart, Hinton &
Williams' (1986) symbols, filled with the numbers the engine's sweep computed.

The paper states backprop unit by unit (its equation numbers):

    (1) x_j = Σ_i y_i w_ji                 the total input: one ``affine`` node
    (2) y_j = 1 / (1 + e^(−x_j))           the output: the activation node
    (3) E = ½ Σ_c Σ_j (y_jc − d_jc)²       the error over cases c and output units j
    (4) ∂E/∂y_j = y_j − d_j                at an output unit
    (5) ∂E/∂x_j = ∂E/∂y_j · y_j(1 − y_j)   through the sigmoid
    (6) ∂E/∂w_ji = ∂E/∂x_j · y_i           into a weight
    (7) ∂E/∂y_i = Σ_j ∂E/∂x_j · w_ji       into a unit below: one ``+=`` per unit j above
    (8) Δw = −ε ∂E/∂w                      gradient descent
    (9) Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1)    with momentum

Nothing here computes a derivative.  :func:`record_sweep` runs the engine's one reverse
loop (:func:`~autograd_mini.core.engine.backward_pass`) with a listener and keeps what it
heard: ∂E/∂x_j is the gradient of the unit's ``affine`` node, ∂E/∂y_j that of its
activation node, each term of (6) and (7) a chain-rule product the sweep added, and Δw
comes from :meth:`~autograd_mini.optim.SGD.change`, the optimizer's own rule.

    >>> from autograd_mini.nn import MLP
    >>> import random
    >>> net = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
    ...           rng=random.Random(0))
    >>> view = paper_view(net, [[0.0, 1.0]], [[1.0]], lr=0.1, momentum=0.9)
    >>> [unit.name for unit in view.units]
    ['hidden unit 1', 'hidden unit 2', 'output unit']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import escape

from ..core import valuebase
from ..core.checks import check_fresh
from ..core.engine import Value, backward_pass, local_derivatives, topological_order
from ..core.language import N_, _, ngettext
from ..core.naming import fmt
from ..core.ops import PRIMITIVES
from ..losses import sum_squared_error
from ..nn import Layer, Module, Neuron
from ..optim import SGD
from .trace import _html_table, aligned

__all__ = ["paper_view", "record_sweep", "layer_stack", "layer_names", "shown_layer",
           "slope_rule", "Sweep",
           "Heard", "UnitNodes", "worked_lines", "unit_names", "PaperView", "UnitTable",
           "PatternRow", "WeightRow",
           "EQUATIONS"]

EQUATIONS = {
    1: "x_j = Σ_i y_i w_ji", 2: "y_j = 1/(1 + e^(−x_j))",
    3: "E = ½ Σ_c Σ_j (y_jc − d_jc)²", 4: "∂E/∂y_j = y_j − d_j",
    5: "∂E/∂x_j = ∂E/∂y_j · y_j(1 − y_j)", 6: "∂E/∂w_ji = ∂E/∂x_j · y_i",
    7: "∂E/∂y_i = Σ_j ∂E/∂x_j · w_ji", 8: "Δw = −ε ∂E/∂w",
    9: "Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1)",
}


# -- the sweep, as the engine ran it ------------------------------------------------------


@dataclass(frozen=True)
class Heard:
    """One chain-rule product as the sweep added it: ``∂E/∂parent += upstream · local``,
    sent from ``node`` through its input number ``slot``."""

    node: Value
    slot: int
    upstream: float
    local: float

    @property
    def product(self) -> float:
        return self.upstream * self.local  # the very multiplication the sweep made


@dataclass(frozen=True)
class UnitNodes:
    """One unit's nodes for one case: its weighted sum (x_j) and its output (y_j, the
    same node when the unit is linear)."""

    total: Value
    output: Value


@dataclass
class Sweep:
    """One backward pass of ``E`` (eq. 3) over a batch, kept for reading.

    Attributes:
        model, inputs, targets: what was run.
        outputs: the output units' nodes, one list per case.
        loss: the node E.
        grads: {node: ∂E/∂node}, the sweep's own dict.
        heard: {parent: the products it received, in the order they were added}.
        units: {neuron: its nodes, one :class:`UnitNodes` per case}.
    """

    model: Module
    inputs: list
    targets: list
    outputs: list[list[Value]]
    loss: Value
    grads: dict[Value, float]
    heard: dict[Value, list[Heard]]
    units: dict[Neuron, list[UnitNodes]] = field(default_factory=dict)


def _run(model: Module, case) -> list[Value]:
    """The model on one case: a tuple holds one argument per input group
    (``FamilyNet(person, relation)``), anything else is the one input."""
    out = model(*case) if isinstance(case, tuple) else model(case)
    return list(out) if isinstance(out, (list, tuple)) else [out]


def record_sweep(model: Module, inputs: Sequence, targets: Sequence) -> Sweep:
    """Run the model on every case, ``E = ½ Σ_c Σ_j (y_jc − d_jc)²`` on top, and one
    backward sweep of E, keeping every product the sweep added.  Pure: no ``.grad`` is
    written (read the gradients from ``sweep.grads``)."""
    if len(inputs) != len(targets) or not inputs:
        raise ValueError(_("{cases} cases but {targets} targets", cases=len(inputs),
                           targets=len(targets)))
    outputs = [_run(model, case) for case in inputs]
    targets = [list(t) if isinstance(t, (list, tuple)) else [t] for t in targets]  # 1 or [1]
    loss = sum_squared_error(outputs, targets)
    loss.label = "E"  # display text: the paper's name for it
    heard: dict[Value, list[Heard]] = defaultdict(list)

    def listen(node, slot, upstream, local, before, after):
        heard[node.parents[slot]].append(Heard(node, slot, upstream, local))

    order = topological_order(loss)
    with valuebase.writing:  # the numbers read are the numbers swept
        check_fresh(order, valuebase.clock)
        grads = backward_pass(order, {loss: 1.0}, local_derivatives, listen)
    sweep = Sweep(model, list(inputs), targets, outputs, loss, grads, dict(heard))
    sweep.units = _find_units(model, outputs)
    return sweep


def _find_units(model: Module, outputs: list[list[Value]]) -> dict[Neuron, list[UnitNodes]]:
    """Each neuron's nodes, case by case: its weighted sum is the node whose last input
    is the neuron's bias; its output the one-input node on top, if there is one."""
    by_bias = {module.b: module for _name, module in model.named_modules()
               if isinstance(module, Neuron)}
    units: dict[Neuron, list[UnitNodes]] = {n: [] for n in by_bias.values()}
    for case in outputs:
        order = topological_order(*case)
        squashed = {node.parents[0]: node for node in order if len(node.parents) == 1}
        for node in order:
            neuron = by_bias.get(node.parents[-1]) if node.parents else None
            if neuron is not None:
                units[neuron].append(UnitNodes(node, squashed.get(node, node)))
    return units


def layer_stack(model: Module) -> list[Layer]:
    """The model's layers if it is a stack of them, each feeding the next (an ``MLP``:
    its ``layers``), else ``[]``."""
    stack = getattr(model, "layers", None)
    if isinstance(stack, list) and stack and all(isinstance(m, Layer) for m in stack):
        return stack
    return []


LAYER = N_("layer {k}")  # a stack's layer k: its name, and in the reader's language _(LAYER)


def layer_names(model: Module, shown: bool = False) -> dict[Layer, str]:
    """``layer 1``, ``layer 2``, … in a stack of layers; else each layer's attribute
    name (``person``, ``central``).  These names key a training record's layers, in
    every language; ``shown=True`` gives them as the reader's language writes them
    (``층 1``), for the words and pictures."""
    named = [(name, m) for name, m in model.named_modules() if isinstance(m, Layer)]
    if [m for _name, m in named] == layer_stack(model):
        return {m: _(LAYER, k=k) if shown else LAYER.format(k=k)
                for k, (_name, m) in enumerate(named, 1)}
    return {m: name.rpartition(".")[2] or "layer" for name, m in named}


def shown_layer(name: str) -> str:
    """A layer's name (a key of :func:`layer_names`, of a training record) as the
    reader's language writes it: a stack's ``layer 2`` is ``층 2`` in Korean; any other
    name (``person``, a hand-written record's ``hidden``) is shown as it is."""
    numbered = re.fullmatch(r"layer ([1-9][0-9]*)", name)
    return _(LAYER, k=int(numbered[1])) if numbered else name


def unit_names(model: Module, shown: bool = True) -> dict[Neuron, str]:
    """Each neuron's name as the paper's figures call it, in the reader's language: in a
    stack of layers (``MLP``) ``hidden unit 1`` … and ``output unit``; in a model with
    named layers (the family-trees net) ``person unit 1``, ``central unit 3``, …
    ``shown=False``: the names in English whatever the language (what
    :meth:`PaperView.unit` also accepts, so code reads the same in every language)."""
    say = _ if shown else _english
    stack = layer_stack(model)
    names: dict[Neuron, str] = {}
    if stack:
        hidden = stack[:-1]
        for depth, layer in enumerate(hidden, 1):
            named = _numbered(layer.neurons, say, N_("hidden unit"), N_("hidden unit {k}"))
            if len(hidden) > 1:
                named = {n: say(N_("{unit} (layer {depth})"), unit=name, depth=depth)
                         for n, name in named.items()}
            names.update(named)
        names.update(_numbered(stack[-1].neurons, say, N_("output unit"),
                               N_("output unit {k}")))
        return names
    for name, module in model.named_modules():
        if isinstance(module, Layer):
            names.update(_numbered(module.neurons, say, N_("{layer} unit"),
                                   N_("{layer} unit {k}"), layer=name.rpartition(".")[2]))
        elif isinstance(module, Neuron) and module not in names:
            names[module] = say(N_("{layer} unit"), layer=name) if name else say(N_("the unit"))
    return names


def _english(message: str, **fields: object) -> str:
    """A marked message as it is written, in English, its placeholders filled."""
    return message.format_map(fields)


def _numbered(neurons: list[Neuron], say, one: str, many: str,
              **fields: str) -> dict[Neuron, str]:
    """The units of a layer: ``one`` names a lone unit, ``many`` numbers them (``{k}``),
    in the words ``say`` gives (``_``: the reader's language)."""
    if len(neurons) == 1:
        return {neurons[0]: say(one, **fields)}
    return {n: say(many, k=k, **fields) for k, n in enumerate(neurons, 1)}


# -- the paper's view ---------------------------------------------------------------------


@dataclass(frozen=True)
class PatternRow:
    """Unit j on case c, every number from the sweep.

    ``dE_dy`` is eq. 4 at an output unit (``target`` is d_j) and eq. 7 below it, where
    ``sent_back`` holds its terms ``(unit j above, ∂E/∂x_j, w_ji, product)``; ``slope``
    is ∂y_j/∂x_j as the op table's rule gave it (y_j(1 − y_j) for the sigmoid)."""

    case: int
    x: float
    y: float
    target: float | None
    dE_dy: float
    slope: float
    dE_dx: float
    sent_back: tuple[tuple[str, float, float, float], ...] = ()


@dataclass(frozen=True)
class WeightRow:
    """One weight w_ji (or the bias): the terms ``∂E/∂x_jc · y_ic`` of eq. 6 case by
    case as the sweep added them, their sum ∂E/∂w_ji, and the change (eq. 9)."""

    source: str
    w: float
    terms: tuple[float, ...]
    dE_dw: float
    previous: float
    change: float


@dataclass(frozen=True)
class UnitTable:
    """The paper's table for one unit j."""

    name: str
    activation: str
    slope_rule: str  # the op table's ∂y_j/∂x_j (see slope_rule)
    rows: tuple[PatternRow, ...]
    weights: tuple[WeightRow, ...]
    english: str = ""  # its name in English (unit_names(shown=False)), whatever the language


@dataclass
class PaperView:
    """A backward pass and the step after it, unit by unit (:func:`paper_view`).
    ``str(view)`` or :meth:`text` is plain text; in a notebook it shows as HTML."""

    units: list[UnitTable]
    error: float
    epsilon: float
    alpha: float
    cases: int
    sweep: Sweep = field(repr=False)

    def unit(self, name: str) -> UnitTable:
        """The table of the unit called ``name``, as the view shows it or in English
        (``hidden unit 1`` is also ``은닉 유닛 1``)."""
        for unit in self.units:
            if name in (unit.name, unit.english):
                return unit
        raise KeyError(_("no unit named {name}; the units are {units}", name=repr(name),
                         units=", ".join(u.name for u in self.units)))

    @property
    def heading(self) -> str:
        return ngettext("E = ½ Σ_c Σ_j (y_jc − d_jc)² = {error} over {count} case   (3);   "
                        "ε = {epsilon}, α = {alpha}",
                        "E = ½ Σ_c Σ_j (y_jc − d_jc)² = {error} over {count} cases   (3);   "
                        "ε = {epsilon}, α = {alpha}", self.cases, error=fmt(self.error),
                        epsilon=fmt(self.epsilon), alpha=fmt(self.alpha))

    def text(self, cases: int = 4, units: Sequence[str] = ()) -> str:
        """The tables of the units named in ``units`` (default: all), showing the first
        ``cases`` cases (the sums cover all)."""
        shown = [self.unit(name) for name in units] if units else self.units
        return "\n\n".join([self.heading, *(_unit_text(u, cases, self.epsilon, self.alpha)
                                             for u in shown)])

    def __str__(self) -> str:
        return self.text()

    def html(self, cases: int = 4) -> str:
        """Each unit's equations with the first case's numbers, and its tables, as HTML;
        every text escaped."""
        parts = [f"<p>{escape(self.heading)}</p>"]
        for u in self.units:
            worked = "\n".join(worked_lines(u, self.epsilon, self.alpha))
            parts += [f"<pre>{escape(worked)}</pre>",
                      *(_html_table(u.name, rows, header=True) for rows in _unit_rows(u, cases))]
        return "<div class=\"autograd-mini-paper\">" + "".join(parts) + "</div>"

    def _repr_html_(self) -> str:
        return self.html()


def paper_view(model: Module, inputs: Sequence, targets: Sequence, *, lr: float = 0.1,
               momentum: float = 0.0, optimizer: SGD | None = None,
               names: Mapping[Neuron, str] | None = None) -> PaperView:
    """One backward pass of ``E`` (eq. 3) over the cases ``inputs`` with ``targets``,
    and the change each weight would get, shown unit by unit in the paper's symbols.

    Args:
        model: a network of the package's units (an ``MLP``, the family-trees net, ...).
        inputs: the cases; a tuple is one argument per input group.
        targets: the desired outputs d_jc, one list per case.
        lr, momentum: ε and α of eq. 9, for a first step (Δw(t−1) = 0).
        optimizer: an ``SGD`` already stepping these parameters: its ε, α and last
            changes are used instead (nothing is stepped).
        names: unit names instead of :func:`unit_names`.
    """
    sweep = record_sweep(model, inputs, targets)
    optimizer = optimizer or SGD(model.parameters(), lr=lr, momentum=momentum)
    index = {p: k for k, p in enumerate(optimizer.params)}
    names = {**unit_names(model), **(names or {})}
    # a unit's name by either of its nodes: its output feeds units above (eq. 7's y_i),
    # its weighted sum receives from them (eq. 7's terms come from there)
    made_by = {node: names[n] for n, cases in sweep.units.items() for nodes in cases
               for node in (nodes.total, nodes.output)}
    english = unit_names(model, shown=False)
    tables = [replace(_unit_table(sweep, neuron, names[neuron], made_by, optimizer, index),
                      english=english.get(neuron, ""))
              for neuron in sweep.units if sweep.units[neuron]]
    return PaperView(tables, sweep.loss.data, optimizer.lr, optimizer.momentum,
                     len(sweep.inputs), sweep)


def _unit_table(sweep: Sweep, neuron: Neuron, name: str, made_by: dict[Value, str],
                optimizer: SGD, index: dict[Value, int]) -> UnitTable:
    targets = _targets_of(sweep)
    rows = tuple(_pattern_row(sweep, c, nodes, targets.get(nodes.output), made_by)
                 for c, nodes in enumerate(sweep.units[neuron], 1))
    first = sweep.units[neuron][0].total
    sources = [_source_name(x, k, made_by) for k, x in
               enumerate(first.parents[len(neuron.w):-1], 1)] + [_("bias (y_i = 1)")]
    totals = [nodes.total for nodes in sweep.units[neuron]]
    weights = tuple(_weight_row(sweep, p, source, totals, optimizer, index)
                    for p, source in zip([*neuron.w, neuron.b], sources))
    return UnitTable(name, neuron.activation, slope_rule(neuron.activation), rows, weights)


def _targets_of(sweep: Sweep) -> dict[Value, float]:
    """d_jc by its output node."""
    return {y: float(d) for ys, ds in zip(sweep.outputs, sweep.targets)
            for y, d in zip(ys, ds)}


def _pattern_row(sweep: Sweep, case: int, nodes: UnitNodes, target: float | None,
                 made_by: dict[Value, str]) -> PatternRow:
    grads = sweep.grads
    squash = [h for h in sweep.heard.get(nodes.total, []) if h.node is nodes.output]
    slope = squash[0].local if squash else 1.0  # a linear unit: y_j is x_j
    sent_back = tuple((made_by.get(h.node, "?"), h.upstream,
                       h.local, h.product) for h in sweep.heard.get(nodes.output, [])
                      if target is None)
    return PatternRow(case, nodes.total.data, nodes.output.data, target,
                      grads.get(nodes.output, 0.0), slope, grads.get(nodes.total, 0.0),
                      sent_back)


def _source_name(x: Value, k: int, made_by: dict[Value, str]) -> str:
    """What the paper calls unit i: another unit, or an input (its label or number)."""
    return made_by.get(x) or x.label or _("input {k}", k=k)


def _weight_row(sweep: Sweep, p: Value, source: str, totals: list[Value], optimizer: SGD,
                index: dict[Value, int]) -> WeightRow:
    by_case = {h.node: h.product for h in sweep.heard.get(p, [])}  # heard last case first
    terms = tuple(by_case[total] for total in totals)
    gradient = sweep.grads.get(p, 0.0)
    k = index[p]
    return WeightRow(source, p.data, terms, gradient, optimizer.changes[k],
                     optimizer.change(k, gradient))


def slope_rule(activation: str, index: str = "_j") -> str:
    """∂y/∂x as the op table writes the rule of ``activation``, with the paper's names:
    ``y_j * (1 - y_j)`` for the sigmoid (``index="¹"``: ``y¹ * (1 - y¹)``); 1 if linear."""
    primitive = PRIMITIVES.get(activation)
    if primitive is None:
        return "1"
    # the rule may be written with the op's own output, which eq. 2 calls y_j
    x = f"x{index}"
    return primitive.partials([x])[0].replace(primitive.expression([x]), f"y{index}")


# -- text and HTML -------------------------------------------------------------------------


def _unit_rows(unit: UnitTable, cases: int) -> list[list[tuple[str, ...]]]:
    """The unit's two tables as rows of text cells: its cases, then its weights."""
    output = unit.rows[0].target is not None
    back = "∂E/∂y_j (4) = y_j − d_j" if output else "∂E/∂y_j (7) = Σ_k ∂E/∂x_k · w_kj"
    head = ("c", "x_j (1)", f"y_j (2, {unit.activation})", *(("d_j",) if output else ()),
            back, f"∂y_j/∂x_j = {unit.slope_rule}", "∂E/∂x_j (5)")
    rows = [head] + [(str(r.case), fmt(r.x), fmt(r.y),
                      *((fmt(r.target),) if output else ()), fmt(r.dE_dy), fmt(r.slope),
                      fmt(r.dE_dx)) for r in unit.rows[:cases]]
    weights = [(_("from unit i"), "w_ji", "∂E/∂x_jc · y_ic, c = 1, 2, …",
                "∂E/∂w_ji (6) = Σ_c", "Δw(t−1)", "Δw(t) (8, 9)")]
    weights += [(w.source, fmt(w.w), _terms(w.terms, cases), fmt(w.dE_dw), fmt(w.previous),
                 fmt(w.change)) for w in unit.weights]
    return [rows, weights] if cases else [weights]


def _terms(terms: tuple[float, ...], shown: int) -> str:
    text = ", ".join(fmt(t) for t in terms[:max(shown, 1)])
    if len(terms) <= max(shown, 1):
        return text
    return ngettext("{terms}, … ({count} term)", "{terms}, … ({count} terms)", len(terms),
                    terms=text)


def worked_lines(unit: UnitTable, epsilon: float, alpha: float) -> list[str]:
    """The unit's equations with the first case's numbers, and the first weight's change
    (the step viewer's words for the unit, at ``level="units"``)."""
    r = unit.rows[0]
    lines = ["  " + _("case {case}:  (1) x_j = Σ_i y_i w_ji = {x}    (2) y_j = "
                      "{activation}(x_j) = {y}", case=r.case, x=fmt(r.x),
                      activation=unit.activation, y=fmt(r.y))]
    if r.target is not None:
        lines.append(f"    (4) ∂E/∂y_j = y_j − d_j = {fmt(r.y)} − {fmt(r.target)} = "
                     f"{fmt(r.dE_dy)}")
    else:
        terms = " + ".join(f"{fmt(d)}·{fmt(w)}" for _unit, d, w, _product in r.sent_back) or "0"
        added = _("(k, as the sweep added them: {units})",
                  units=", ".join(k for k, *_rest in r.sent_back))
        lines.append(f"    (7) ∂E/∂y_j = Σ_k ∂E/∂x_k · w_kj = {terms} = {fmt(r.dE_dy)}   {added}")
    lines.append(f"    (5) ∂E/∂x_j = ∂E/∂y_j · ∂y_j/∂x_j = {fmt(r.dE_dy)} · {fmt(r.slope)}"
                 f" = {fmt(r.dE_dx)}")
    w = unit.weights[0]
    lines += ["  " + _("from {source}, all cases:", source=w.source)
              + f"  (6) ∂E/∂w_ji = Σ_c ∂E/∂x_jc · y_ic = "
              f"{_terms(w.terms, 3).replace(', ', ' + ')} = {fmt(w.dE_dw)}",
              f"    (9) Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1) = −{fmt(epsilon)}·{fmt(w.dE_dw)} + "
              f"{fmt(alpha)}·{fmt(w.previous)} = {fmt(w.change)}   " + _("((8) is α = 0)")]
    return lines


def _unit_text(unit: UnitTable, cases: int, epsilon: float, alpha: float) -> str:
    weights = len(unit.weights) - 1
    parts = [ngettext("{unit}  ({activation}, {count} weight and a bias)",
                      "{unit}  ({activation}, {count} weights and a bias)", weights,
                      unit=unit.name, activation=unit.activation),
             *worked_lines(unit, epsilon, alpha)]
    for rows in _unit_rows(unit, cases):
        parts.append("\n".join("  " + line for line in aligned(rows, rule=True).splitlines()))
    more = len(unit.rows) - cases
    if cases and more > 0:
        parts.insert(-1, "  " + ngettext("… {count} more case", "… {count} more cases", more))
    return "\n".join(parts)
