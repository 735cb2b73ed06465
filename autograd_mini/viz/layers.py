"""A graph seen layer by layer: what ``draw_dot(..., level="layers")`` draws.

Zoomed out, a network's thousands of scalar nodes are a few boxes: each layer one box
with the shape of its weight matrix (``W 16×2``) and the norm of its gradient,
``‖∂E/∂W‖ = sqrt(Σ_ji (∂E/∂w_ji)² + Σ_j (∂E/∂b_j)²)``; the inputs that feed a layer one box;
the output one box.  This module finds the boxes and arrows in the graph (by the
identity of each layer's parameters) and leaves the drawing to :mod:`.graph`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..core.engine import Value, topological_order
from ..core.language import _, ngettext
from ..explain.units import layer_names
from ..nn import Layer, Module

__all__ = ["LayerBox", "LayerScene", "layer_scene", "layer_names"]  # layer_names: from units


@dataclass(frozen=True)
class LayerBox:
    """One box of the picture: a layer, a group of inputs, or the output."""

    id: str
    name: str
    detail: str  # "W 16×2 + b, tanh", "6 inputs", or the output's number
    grad_norm: float | None = None
    is_layer: bool = False


@dataclass(frozen=True)
class LayerScene:
    boxes: list[LayerBox]
    edges: list[tuple[str, str]]


def _gradient_norm(layer: Layer, grad_of: Callable[[Value], float | None]) -> float | None:
    grads = [grad_of(p) for p in layer.parameters()]
    if any(g is None for g in grads):
        return None
    return math.sqrt(sum(float(g) ** 2 for g in grads))


def _layer_of_nodes(model: Module, order: list[Value]) -> dict[Value, Layer]:
    """Each weighted sum and each unit output of the graph, by its layer: a weighted
    sum is the node whose last input is a bias of the layer; its output the one-input
    node on top of it (or the sum itself, for a linear layer)."""
    by_bias = {n.b: layer for layer in layer_names(model) for n in layer.neurons}
    owner: dict[Value, Layer] = {}
    for node in order:
        if node.parents and node.parents[-1] in by_bias:
            owner[node] = by_bias[node.parents[-1]]
        elif len(node.parents) == 1 and node.parents[0] in owner:
            owner[node] = owner[node.parents[0]]
    return owner


def layer_scene(root: Value, model: Module,
                grad_of: Callable[[Value], float | None]) -> LayerScene:
    """The boxes and arrows of ``root``'s graph seen layer by layer."""
    order = topological_order(root)
    owner = _layer_of_nodes(model, order)
    names = layer_names(model)
    params = {p for layer in names for p in layer.parameters()}
    ids = {layer: f"layer{k}" for k, layer in enumerate(names)}
    edges: dict[tuple[str, str], None] = {}
    inputs: dict[Layer, int] = {}
    for node in order:
        layer = owner.get(node)
        if layer is None or node.parents[-1] not in params:
            continue  # only a weighted sum reads what feeds the layer
        width = len(layer.neurons[0].w)
        for x in node.parents[width:-1]:
            source = owner.get(x)
            if source is not None and source is not layer:
                edges[(ids[source], ids[layer])] = None
            elif source is None:
                inputs[layer] = width
    used = {layer for layer in owner.values()}
    shown = layer_names(model, shown=True)  # each box as the reader's language calls it
    boxes = [LayerBox(f"in{k}", _("inputs") if len(inputs) == 1
                      else _("inputs to {layer}", layer=shown[layer]),
                      ngettext("{count} input", "{count} inputs", width))
             for k, (layer, width) in enumerate(inputs.items())]
    edges.update({(f"in{k}", ids[layer]): None for k, layer in enumerate(inputs)})
    for layer in (m for m in names if m in used):
        n, m = len(layer.neurons), len(layer.neurons[0].w)
        boxes.append(LayerBox(ids[layer], shown[layer],
                              f"W {n}×{m} + b, {layer.neurons[0].activation}",
                              _gradient_norm(layer, grad_of), True))
    feeding = {a for a, _head in edges}
    tops = [ids[m] for m in names if m in used and ids[m] not in feeding]
    boxes.append(LayerBox("output", "output", ""))
    edges.update({(top, "output"): None for top in tops})
    return LayerScene(boxes, list(edges))
