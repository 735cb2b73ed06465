"""The backward pass walked at a zoom level: unit by unit, or layer by layer.

The step viewer (:func:`autograd_mini.viz.steps.steps_html` with ``level=``) walks a
network's backward pass one scalar node at a time (``"nodes"``), one unit at a time
(``"units"``: the paper's ∂E/∂y_j, ∂E/∂x_j and ∂E/∂w_ji of that unit) or one layer at a
time (``"layers"``: δ = (Wᵀ δ) ⊙ σ′(x) and ∂E/∂W).  This module makes the zoomed walks:
every number and sentence comes from :func:`~autograd_mini.explain.units.paper_view` or
:func:`~autograd_mini.explain.layers.layer_view` (which read the engine's one sweep),
and the picture is :func:`~autograd_mini.viz.graph.draw_dot` at the same level, the
step's unit or layer in red.  :func:`zoomed_walk` returns plain data (graphs to render
and JSON-ready frames), so any page can show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.engine import Value
from ..core.language import _, ngettext
from ..core.naming import display_names, fmt
from ..core.sums import sum as value_sum
from ..explain.layers import LayerView, layer_lines, layer_view
from ..explain.units import PaperView, Sweep, UnitTable, layer_names, paper_view, worked_lines
from ..nn import Module
from .graph import Graph, Scene, View, compact, draw_dot, node_ids
from .layers import layer_scene

__all__ = ["ZoomedWalk", "zoomed_walk", "ZOOM_LEVELS"]

ZOOM_LEVELS = ("units", "layers")
_NOT_IN_E = "—"  # the picture's stand-in root for case 1 is not a node of E's sweep


@dataclass(frozen=True)
class ZoomedWalk:
    """What a page needs to walk a backward pass at one level.

    Attributes:
        graphs: the picture laid out each way (``wide``: left to right, ``tall``: top to
            bottom), as graphs still to be rendered.
        frames: each step as the step viewer's page reads it: title, lines, active id,
            lit edges, and the numbers (``values``, ``grads``) known after it, as text.
        fixed: ids of the picture's nodes whose text no step repaints (a layer's box).
        given: the header's line about the cases.
        constants: the numbers written in (a target d_j), by id, as text.
    """

    graphs: dict[str, Graph]
    frames: list[dict]
    fixed: list[str]
    given: str
    constants: dict[str, str]


def zoomed_walk(model: Module, inputs: Sequence, targets: Sequence, level: str, *,
                lr: float = 0.1, momentum: float = 0.0, widest: str = "") -> ZoomedWalk:
    """The backward pass of ``E = ½ Σ_c Σ_j (y_jc − d_jc)²`` over the cases ``inputs``
    (a tuple is one argument per input group) with ``targets``, one step per unit
    (``level="units"``) or per layer (``level="layers"``), words from the paper's views.

    ``lr`` and ``momentum`` (ε, α) are the units' weight change of eq. 9; ``widest``: a
    text as wide as any number the picture's fields must hold later (the explorer's
    sliders bring new numbers into a picture laid out once), else the walk's own.

    Raises:
        ValueError: ``level`` is not ``"units"`` or ``"layers"``.
        TypeError: ``level="layers"`` and ``model`` has no layers.
    """
    if level == "units":
        return _unit_walk(paper_view(model, inputs, targets, lr=lr, momentum=momentum),
                          widest)
    if level == "layers":
        return _layer_walk(layer_view(model, inputs, targets))
    raise ValueError(_("level must be one of {levels}, got {level}",
                       levels=", ".join(ZOOM_LEVELS), level=repr(level)))


def _given(sweep: Sweep) -> str:
    return ngettext("{count} case, E = {loss}; each step shows case 1's numbers, ∂E/∂w sums "
                    "over all cases",
                    "{count} cases, E = {loss}; each step shows case 1's numbers, ∂E/∂w sums "
                    "over all cases", len(sweep.inputs), loss=fmt(sweep.loss.data))


# -- unit by unit ------------------------------------------------------------------------


def _case_one(sweep: Sweep) -> Value:
    """A root for the picture of case 1: its error terms ``(y_j − d_j)²`` -- nodes of E's
    own graph, so the sweep holds their gradients -- summed and halved (two new nodes)."""
    totals = {nodes.total for cases in sweep.units.values() for nodes in cases}
    squares = [h2.node for y in sweep.outputs[0] for h in sweep.heard.get(y, [])
               if h.node not in totals for h2 in sweep.heard.get(h.node, [])]
    root = 0.5 * value_sum(squares)
    root.label = _("E, case 1")
    return root


def _unit_walk(view: PaperView, widest: str = "") -> ZoomedWalk:
    """One step per unit, the output units first: its equations with case 1's numbers."""
    sweep = view.sweep
    root = _case_one(sweep)
    named = {sweep.units[neuron][0].output: name for neuron, name in _names(view).items()}
    names = {**display_names(root), **named}  # each unit as its table calls it
    scene = Scene.of(root, View(model=sweep.model, level="units", names=names))
    ids = node_ids(scene.order)
    shown = [n for n in scene.order if n not in scene.hidden]
    values = {ids[n]: fmt(n.data) for n in shown if not n.is_constant}
    # known before the first unit's step: the error terms' gradients (the inputs' come
    # last, when the sweep has passed every unit)
    grads = {ids[n]: fmt(sweep.grads[n]) for n in shown if n in sweep.grads and n.parents
             and n not in _unit_outputs(sweep)}
    grads.update({ids[n]: _NOT_IN_E for n in shown if n not in sweep.grads and n.parents})
    by_name = {unit.name: unit for unit in view.units}
    nodes = {name: sweep.units[neuron][0] for neuron, name in _names(view).items()}
    drawn = {"model": sweep.model, "level": "units", "names": names}
    frames = []
    order = [u.name for u in reversed(view.units)]  # the sweep's order: output units first
    for k, name in enumerate(order, 1):
        unit, mine = by_name[name], nodes[name]
        grads = {**grads, ids[mine.output]: fmt(unit.rows[0].dE_dy)}  # eq. 4 or 7, case 1
        if k == len(order):
            grads.update({ids[n]: fmt(sweep.grads[n]) for n in shown
                          if not n.parents and n in sweep.grads})
        frames.append({"title": _("Backward {step} of {steps}: {name}", step=k,
                                    steps=len(order), name=name),
                       "lines": _unit_lines(unit, view), "formula": "",
                       "active": ids[mine.output],
                       "edges": _unit_edges(sweep, mine, ids), "values": values,
                       "grads": grads})
    texts = {n: (widest or values.get(ids[n], "?"), widest or _widest(frames, ids[n]))
             for n in shown}
    graphs = {layout: compact(scene.draw(View(**drawn, texts=texts, rankdir=rankdir)))
              for layout, rankdir in (("wide", "LR"), ("tall", "TB"))}
    constants = {ids[n]: fmt(n.data) for n in shown if n.is_constant}
    return ZoomedWalk(graphs, frames, [], _given(sweep), constants)


def _names(view: PaperView) -> dict:
    """Each neuron the sweep found, by the name its table has (the tables are in the
    sweep's order of units)."""
    used = [n for n, cases in view.sweep.units.items() if cases]
    return {n: unit.name for n, unit in zip(used, view.units)}


def _unit_outputs(sweep: Sweep) -> set[Value]:
    return {nodes[0].output for nodes in sweep.units.values() if nodes}


def _unit_lines(unit: UnitTable, view: PaperView) -> list[str]:
    """The unit's worked equations, and eq. 6 for every weight (summed over the cases)."""
    weights = ", ".join(_("from {source}: {value}", source=w.source, value=fmt(w.dE_dw))
                        for w in unit.weights)
    return [line.strip() for line in worked_lines(unit, view.epsilon, view.alpha)] + [
        _("(6) ∂E/∂w_ji for each i, Σ over the cases: {weights}", weights=weights)]


def _unit_edges(sweep: Sweep, nodes, ids: dict[Value, str]) -> list[list[str]]:
    """The arrows the unit's step reads: in from what feeds it (its weights' y_i) and
    out to what it feeds (where ∂E/∂y_j came from), in case 1's picture."""
    shown_as = {n.total: n.output for cases in sweep.units.values() for n in cases[:1]}
    total = nodes.total
    width = (len(total.parents) - 1) // 2  # affine: the weights, the inputs, the bias
    into = [[ids[x], ids[nodes.output]] for x in total.parents[width:-1] if x in ids]
    above = (shown_as.get(h.node, h.node) for h in sweep.heard.get(nodes.output, []))
    out = [[ids[nodes.output], ids[child]] for child in above if child in ids]
    return into + out


def _widest(frames: list[dict], id_: str) -> str:
    """The longest grad text node ``id_`` shows in any frame: the layout's field width."""
    return max(("?", *(f["grads"][id_] for f in frames if id_ in f["grads"])), key=len)


# -- layer by layer ----------------------------------------------------------------------


def _layer_walk(view: LayerView) -> ZoomedWalk:
    """One step per layer, the top one first: LayerView's words with case 1's numbers."""
    sweep = view.sweep
    scene = layer_scene(sweep.loss, sweep.model, sweep.grads.get)
    # each layer by the name the words and its box show (a stack's "layer 2": "층 2")
    shown = dict(zip(layer_names(sweep.model).values(),
                     layer_names(sweep.model, shown=True).values()))
    box_of = {box.name: box.id for box in scene.boxes if box.is_layer}
    steps = list(reversed(view.layers))
    frames = []
    for k, step in enumerate(steps, 1):
        name = shown.get(step.name, step.name)
        box = box_of[name]
        lines = layer_lines(step, 0)
        if k == len(steps):
            lines.append(view.steps()[-1])  # how far the matrices are from the sweep
        frames.append({"title": _("Backward {step} of {steps}: {name}", step=k,
                                    steps=len(steps), name=name),
                       "lines": lines, "formula": "", "active": box,
                       "edges": [list(e) for e in scene.edges if box in e],
                       "values": {}, "grads": {}})
    graphs = {layout: compact(draw_dot(sweep.loss, model=sweep.model, level="layers",
                                       grads=sweep.grads, rankdir=rankdir))
              for layout, rankdir in (("wide", "LR"), ("tall", "TB"))}
    return ZoomedWalk(graphs, frames, [box.id for box in scene.boxes], _given(sweep), {})
