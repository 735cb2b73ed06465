"""Draw a computation graph with graphviz: values, ops, gradients and their flow.

    >>> from autograd_mini import Value, draw_dot
    >>> x = Value(2.0, label="x")
    >>> y = (x * x).tanh()
    >>> y.backward()
    >>> graph = draw_dot(y)          # a graphviz.Digraph: shows inline in Jupyter
    >>> "data 2" in graph.source
    True

``graph.render("out", format="svg")`` or :func:`save` writes a picture.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.language import _

try:
    import graphviz
except ImportError:  # the engine works without it; only pictures need it
    raise ImportError(_("drawing graphs needs the graphviz Python package: "
                        "pip install graphviz (and the graphviz program `dot`)")) from None

from ..bridges.files import write_atomically
from ..core.engine import Value, topological_order
from ..core.naming import display_names, fmt, repeated_parents, slot_names
from ..core.valuebase import number
from . import rendering
from .layers import layer_scene
from .rendering import FORMATS, GraphvizError, GraphvizNotFound, GraphvizTimeout, graphviz_errors

__all__ = ["draw_dot", "View", "LEVELS", "Scene", "picture_size", "node_ids", "save", "dot_text",
           "compact", "GraphvizNotFound", "GraphvizError", "GraphvizTimeout", "Graph", "GradScale",
           "FORMATS"]

# viridis, sampled at 9 points: perceptually uniform and readable in grey.
_VIRIDIS = [(68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37)]

_LEAF = "#dbeafe"       # inputs and parameters: light blue
_CONSTANT = "#f3f4f6"   # numbers written in the expression: light grey
_ACTIVE = "#dc2626"     # the node a step is working on


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` drawn through the one rendering seam
    (:func:`autograd_mini.viz.rendering.render`), whose failures are one line each.

    ``size`` is ``(nodes, edges)``, counted from the graph when it was drawn.
    """

    size: tuple[int, int] = (0, 0)

    def pipe(self, format=None, *args, encoding=None, **kwargs):
        if args or any(kwargs.values()):  # graphviz's own renderers, formatters, engines
            with graphviz_errors():
                return super().pipe(format, *args, encoding=encoding, **kwargs)
        picture = rendering.render(self.source, format or self.format, size=self.size)
        return picture.decode(encoding) if encoding else picture

    def render(self, *args, **kwargs):
        with graphviz_errors():
            return super().render(*args, **kwargs)

    def __repr__(self) -> str:  # no memory address: a refreshed notebook's text stays put
        return f"<autograd_mini graph: {self.size[0]} nodes, {self.size[1]} edges>"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """SVG for Jupyter, and PNG beside it: a notebook that is not trusted (opened
        before it is run) hides SVG but shows PNG, so the picture is there either way
        (where PNG can be drawn: not in a browser)."""
        if include is None:
            include = {"image/svg+xml"} | ({"image/png"} if rendering.can_draw("png") else set())
        return super()._repr_mimebundle_(include, exclude, **kwargs)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# graphviz drops the spaces of a record field that begins with a letter outside ASCII, up
# to its first ASCII one ("입력 24개" is drawn "입력24개", "층 1" "층1"): those spaces are
# written as no-break spaces, which it draws.
_UNSPACED = re.compile(r"[^\x00-\x7f][^!-~]*")


def dot_text(text: str, *, record: bool = False) -> str:
    """``text`` made literal inside a quoted DOT label, so that graphviz draws it as written.

    Backslashes are doubled (no ``\\n`` or ``\\N`` escapes); ``& < > "`` become
    entities, which graphviz draws as the characters and writes escaped into SVG (a label
    can neither close its quotes, add attributes, pass for an HTML label, nor spell an
    entity); in a record label, ``{ } |`` are escaped too, so a label cannot add fields.
    A control character (a NUL, a line break) is drawn as its escape, ``\\x00``, ``\\n``.
    A record field that begins with a letter outside ASCII keeps its spaces (see
    :data:`_UNSPACED`).
    """
    text = text.replace("\\", "\\\\")
    text = _CONTROL.sub(lambda m: ascii(m.group())[1:-1].replace("\\", "\\\\"), text)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(char, entity)
    if record:
        for char in "{}|":
            text = text.replace(char, "\\" + char)
        unspaced = _UNSPACED.match(text)
        if unspaced:
            text = unspaced.group().replace(" ", "\u00a0") + text[unspaced.end():]
    return text


@dataclass(frozen=True)
class View:
    """What one picture of a graph shows; every field has a default, so ``View()`` is the
    plain picture (data and grad of every node, left to right).

    What to highlight:
        active: a node drawn in red (the step viewer's current node).
        active_edges: ``(parent, child)`` edges drawn in red.
    Which numbers:
        values: data to show instead of ``.data`` (nodes missing are shown as "?").
        grads: gradients to show instead of ``.grad`` (nodes missing are shown as "?").
        show_grad: show each node's gradient at all.
        gradient_flow: colour nodes and edges by |grad| (viridis: dark = small,
            yellow = large), with a legend, so vanishing gradients are visible.
        log_scale: with ``gradient_flow``, colour by log10 |grad|.
        texts: the data and grad text to draw for each node instead of its numbers,
            ``{node: ("0.7616", "-1.5")}``: a page lays its picture out once for the widest
            text it will show, then writes each step's numbers in itself.
    Which names:
        names: display names to use instead of :func:`~autograd_mini.core.naming.display_names`
            (at ``level="units"`` also instead of each unit's module name).
        model: a :class:`~autograd_mini.nn.Module`; each neuron's nodes are drawn inside a
            box named after it.
        level: how far to zoom out, with ``model``: ``"nodes"`` (every scalar node),
            ``"units"`` (each neuron one node) or ``"layers"`` (each layer one box with
            the shape of its weight matrix and the norm of its gradient).
        collapse_neurons: ``level="units"`` by its older name.
    How:
        rankdir: ``"LR"`` (left to right), ``"TB"`` (top to bottom), ``"RL"`` or ``"BT"``.
        format: the output format used by ``.pipe()`` and in Jupyter.
    """

    active: Value | None = None
    active_edges: Iterable[tuple[Value, Value]] = ()
    values: Mapping[Value, float] | None = None
    grads: Mapping[Value, float] | None = None
    show_grad: bool = True
    texts: Mapping[Value, tuple[str, str]] | None = None
    gradient_flow: bool = False
    log_scale: bool = False
    names: Mapping[Value, str] | None = None
    model: object | None = None
    level: str = "nodes"
    collapse_neurons: bool = False
    rankdir: str = "LR"
    format: str = "svg"

    def __post_init__(self) -> None:
        if self.rankdir not in ("LR", "TB", "RL", "BT"):
            raise ValueError(_("rankdir must be LR, TB, RL or BT, got {rankdir}",
                               rankdir=repr(self.rankdir)))
        if self.format not in FORMATS:
            raise ValueError(_("format must be one of {formats}, got {format}",
                               formats=", ".join(FORMATS), format=repr(self.format)))
        if self.level not in LEVELS:
            raise ValueError(_("level must be one of {levels}, got {level}",
                               levels=", ".join(LEVELS), level=repr(self.level)))
        if self.level == "layers" and self.model is None:
            raise ValueError(_("level='layers' needs the model: draw_dot(y, model=net, ...)"))
        # the two spellings of the units level stay in step
        collapse = self.collapse_neurons or self.level == "units"
        object.__setattr__(self, "collapse_neurons", collapse)
        if collapse and self.level == "nodes":
            object.__setattr__(self, "level", "units")
        object.__setattr__(self, "active_edges", frozenset(self.active_edges))

    def data_of(self, node: Value) -> float | None:
        return node.data if self.values is None else self.values.get(node)

    def grad_of(self, node: Value) -> float | None:
        return node.grad if self.grads is None else self.grads.get(node)


def draw_dot(root: Value, view: View | None = None, **options) -> Graph:
    """The graph of ``root`` as a ``graphviz.Digraph`` (micrograd's lecture helper, extended).

    Each value node shows its display name (its label, or a name such as ``n1`` that
    the trace uses too), data and grad; each op node its symbol; edges follow the data
    from inputs to ``root``.  Inputs and parameters are blue, constants (numbers
    written in the expression) grey.

    Args:
        root: the output node.
        view: what the picture shows (a :class:`View`).
        options: :class:`View`'s fields, given one by one (over ``view``'s):
            ``draw_dot(y, gradient_flow=True)``.

    Returns:
        A :class:`Graph` (a ``graphviz.Digraph``); ``.source`` is the DOT text.
    """
    view = View(**options) if view is None else replace(view, **options)
    if view.level == "layers":
        return _draw_layers(root, view)
    return Scene.of(root, view).draw(view)


LEVELS = ("nodes", "units", "layers")


def _draw_layers(root: Value, view: View) -> Graph:
    """Each layer one box: its name, the shape of W, ‖∂E/∂W‖ (see :mod:`.layers`)."""
    if not isinstance(root, Value):
        raise TypeError(_("draw_dot expects a Value, got {kind}", kind=type(root).__name__))
    scene = layer_scene(root, view.model, view.grad_of)
    name = (view.names or display_names(root))[root]
    graph = Graph(format="svg" if view.format == "dot" else view.format,
                  graph_attr={"rankdir": view.rankdir, "fontname": "Helvetica",
                              "bgcolor": "white"},
                  node_attr={"fontname": "Helvetica", "fontsize": "11", "shape": "record"},
                  edge_attr={"color": "#6b7280", "arrowsize": "0.6"})
    for box in scene.boxes:
        cells = [box.name, box.detail]
        if box.is_layer and view.show_grad:
            norm = "?" if box.grad_norm is None else fmt(box.grad_norm)
            cells.append(f"‖∂{name}/∂W‖ {norm}")
        if box.id == "output":
            cells = [name, f"data {fmt(root.data)}"]
        fill = "white" if box.is_layer else _LEAF
        graph.node(box.id, label="{ " + " | ".join(dot_text(c, record=True) for c in cells
                                                   if c) + " }",
                   id=box.id, style="filled", fillcolor=fill)
    for tail, head in scene.edges:
        graph.edge(tail, head)
    graph.size = (len(scene.boxes), len(scene.edges))
    return graph


@dataclass(frozen=True)
class Scene:
    """What every picture of one graph shares, whatever its :class:`View` shows: the nodes
    in topological order with their ids (``v0``, ``v1``, ..., which the explorer's page
    knows them by), their names and their neurons.  Made once, it draws any number of
    views -- the step viewer's frames -- without walking the graph again."""

    root: Value
    order: list[Value]
    names: Mapping[Value, str]
    neurons: Mapping[Value, str]
    hidden: frozenset[Value]

    @classmethod
    def of(cls, root: Value, view: View = View(), order: list[Value] | None = None) -> Scene:
        """The scene of ``root`` with ``view``'s names and neurons; ``order``: the
        topological order when the caller has it (a trace's names are in that order)."""
        if not isinstance(root, Value):
            raise TypeError(_("draw_dot expects a Value, got {kind}",
                              kind=type(root).__name__))
        names = view.names
        if names is None:
            names = display_names(root)
            order = list(names)  # topological: the graph is walked once
        elif order is None:
            order = topological_order(root)
        neurons = _neuron_groups(view.model, order) if view.model is not None else {}
        hidden = _collapse(neurons, order) if view.collapse_neurons else set()
        return cls(root, order, names, neurons, frozenset(hidden))

    @classmethod
    def of_trace(cls, record) -> Scene:
        """The scene of a :class:`~autograd_mini.explain.trace.Trace`'s graph, named as the trace
        names it; its names are in topological order, so nothing is walked."""
        return cls.of(record.output, View(names=record.names), order=list(record.names))

    @property
    def size(self) -> tuple[int, int]:
        """(nodes, edges) of the picture: what ``dot`` has to lay out."""
        return picture_size(self.order, self.hidden)

    def draw(self, view: View) -> Graph:
        """One picture: this scene's nodes, shown as ``view`` says."""
        return _Drawing(self, view).graph


def compact(graph: Graph) -> Graph:
    """``graph`` with its ranks and nodes a little closer than graphviz's default: the
    pages (step viewer, explorer) then fit more of a graph at readable size."""
    graph.graph_attr.update(ranksep="0.3", nodesep="0.18")
    return graph


def node_ids(order: Iterable[Value]) -> dict[Value, str]:
    """Each node's id in a picture, ``v0``, ``v1``, ... in topological order (the value
    node; its op node is ``v1_op``): the explorer's page finds the nodes by them."""
    return {node: f"v{i}" for i, node in enumerate(order)}


def picture_size(order: Iterable[Value], hidden: Set[Value] = frozenset()) -> tuple[int, int]:
    """(nodes, edges) of the picture of the graph whose topological order is ``order``
    (counted from the graph, before anything is drawn): a node for each value and one for
    each op, an edge from each op to its value and one from each distinct input."""
    nodes = edges = 0
    for node in order:
        if node in hidden:
            continue
        nodes += 1
        if node.parents:
            nodes += 1
            edges += 1 + len(_edges_in(node, hidden))
    return nodes, edges


class _Drawing:
    """The DOT statements of one picture, node after node."""

    def __init__(self, scene: Scene, view: View) -> None:
        self.scene, self.view = scene, view
        self.ids = node_ids(scene.order)
        self.scale = GradScale([view.grad_of(n) for n in scene.order if not n.is_constant],
                               view.log_scale) if view.gradient_flow else None
        self.graph = Graph(
            format="svg" if view.format == "dot" else view.format,
            graph_attr={"rankdir": view.rankdir, "fontname": "Helvetica", "bgcolor": "white"},
            node_attr={"fontname": "Helvetica", "fontsize": "11"},
            edge_attr={"color": "#6b7280", "arrowsize": "0.6"})
        self.clusters: dict[str, graphviz.Digraph] = {}
        for node in scene.order:
            if node not in scene.hidden:
                self.add(node)
        for cluster in self.clusters.values():
            self.graph.subgraph(cluster)
        nodes, edges = scene.size
        if self.scale is not None:
            self.scale.add_legend(self.graph)
            nodes += 1
        self.graph.size = (nodes, edges)

    def add(self, node: Value) -> None:
        """The value node, and the op node that made it with the edges into it."""
        view, neurons = self.view, self.scene.neurons
        collapsed = view.collapse_neurons
        target = self.cluster(neurons[node]) if node in neurons and not collapsed \
            else self.graph
        grad, active = view.grad_of(node), node is view.active
        numbers = _numbers(view, node, grad)
        unit = neurons.get(node) if collapsed else None
        if unit and view.names is not None and node in view.names:
            unit = view.names[node]  # a name the caller gave the unit ("hidden unit 1")
        label = _node_label(node, self.scene.names, numbers, view.show_grad, unit)
        target.node(self.ids[node], label=label, shape="record", id=self.ids[node],
                    **_node_style(node, active, self.scale, grad))
        if not node.parents:
            return
        op_id = self.ids[node] + "_op"
        symbol = _symbol(node)
        weighted_sum = node.parents[0]
        if collapsed and node in neurons and weighted_sum in self.scene.hidden \
                and weighted_sum.parents:
            symbol = f"{symbol}({_symbol(weighted_sum)})"  # activation(weighted sum)
        target.node(op_id, label=dot_text(symbol), shape="ellipse" if len(symbol) > 4
                    else "circle", id=op_id, **_op_style(active))
        target.edge(op_id, self.ids[node])
        for parent, slot in _edges_in(node, self.scene.hidden):
            style = _edge_style(parent, node, view.active_edges, self.scale,
                                view.grad_of(parent))
            if slot:  # a parent taken twice: one arrow per slot, each named
                style.update(label=dot_text(slot), fontname="Helvetica", fontsize="11",
                             fontcolor="#374151")
            self.graph.edge(self.ids[parent], op_id, **style)

    def cluster(self, group: str) -> graphviz.Digraph:
        """The dashed box of one neuron, made the first time it is asked for."""
        if group not in self.clusters:
            box = graphviz.Digraph(name=f"cluster_{len(self.clusters)}")
            box.attr(label=dot_text(group), style="rounded,dashed", color="#9ca3af",
                     fontsize="10", fontcolor="#6b7280")
            self.clusters[group] = box
        return self.clusters[group]


def _symbol(node: Value) -> str:
    if node.primitive is not None:
        return node.primitive.symbol
    # A node made by hand, micrograd-style (Value(t, (x,), 'tanh')), names its own op.
    return str(getattr(node, "_op", "") or "?")


def _numbers(view: View, node: Value, grad) -> tuple[str, str]:
    """The data and grad text of ``node``: the view's own texts, or its numbers."""
    if view.texts is not None and node in view.texts:
        return view.texts[node]
    data = view.data_of(node)
    return ("?" if data is None else fmt(data)), ("?" if grad is None else fmt(grad))


def _node_label(node, names, numbers, show_grad, neuron) -> str:
    name = "" if node.is_constant else neuron or names.get(node, "")
    cells = [dot_text(name, record=True)] if name else []
    cells.append("data " + dot_text(numbers[0], record=True))
    if show_grad and not node.is_constant:
        cells.append("grad " + dot_text(numbers[1], record=True))
    return "{ " + " | ".join(cells) + " }"


def _edges_in(node: Value, hidden: Set[Value]) -> list[tuple[Value, str]]:
    """The arrows into ``node``'s op: one per distinct visible parent, and for a parent
    the op takes more than once (``x * x``) one per slot, named as the op table's layout
    names it (``a``, ``b``), so that the picture shows both paths the gradient takes."""
    twice = repeated_parents(node)
    if not twice or any(p in hidden for p in node.parents):
        return [(p, "") for p in _visible_parents(node, hidden)]
    names = slot_names(node)
    drawn, seen = [], set()
    for parent, name in zip(node.parents, names):
        if parent in twice:
            drawn.append((parent, name))
        elif parent not in seen:
            drawn.append((parent, ""))
        seen.add(parent)
    return drawn


def _node_style(node: Value, is_active: bool, scale, grad) -> dict[str, str]:
    if scale is not None and grad is not None and not node.is_constant:
        fill, font = scale.colour(grad)
        style = {"style": "filled", "fillcolor": fill, "fontcolor": font}
    elif not node.parents:
        style = {"style": "filled", "fillcolor": _CONSTANT if node.is_constant else _LEAF}
    else:
        style = {"style": "filled", "fillcolor": "white"}
    if is_active:
        style.update(color=_ACTIVE, penwidth="3", **{"class": "active"})
    return style


def _op_style(is_active: bool) -> dict[str, str]:
    if is_active:
        return {"color": _ACTIVE, "penwidth": "2", "fontcolor": _ACTIVE}
    return {"color": "#6b7280"}


def _edge_style(parent, child, active_edges, scale, grad) -> dict[str, str]:
    if (parent, child) in active_edges:
        return {"color": _ACTIVE, "penwidth": "2.5", "class": "active-edge"}
    if scale is not None and grad is not None:
        return {"color": scale.colour(grad)[0], "penwidth": "2"}
    return {}


class GradScale:
    """Maps |grad| to a viridis colour, linearly or on a log scale."""

    def __init__(self, grads: list[float | None], log_scale: bool) -> None:
        mags = [abs(number(g)) for g in grads if g is not None]
        self.log_scale = log_scale
        if log_scale:
            positive = [m for m in mags if m > 0] or [1.0]
            self.low, self.high = math.log10(min(positive)), math.log10(max(positive))
        else:
            self.low, self.high = 0.0, max(mags, default=0.0)

    def position(self, grad: float) -> float:
        magnitude = abs(number(grad))
        if self.log_scale:
            if magnitude == 0:
                return 0.0
            magnitude = math.log10(magnitude)
        span = self.high - self.low
        return 0.0 if span <= 0 else min(1.0, max(0.0, (magnitude - self.low) / span))

    def colour(self, grad: float) -> tuple[str, str]:
        """(fill colour, readable font colour) for this gradient."""
        t = self.position(grad) * (len(_VIRIDIS) - 1)
        i = min(int(t), len(_VIRIDIS) - 2)
        a, b = _VIRIDIS[i], _VIRIDIS[i + 1]
        rgb = [round(x + (y - x) * (t - i)) for x, y in zip(a, b)]
        return "#" + "".join(f"{c:02x}" for c in rgb), ("black" if t > 4.5 else "white")

    def value_at(self, position: float) -> float:
        v = self.low + position * (self.high - self.low)
        return 10**v if self.log_scale else v

    def stops(self) -> list[tuple[str, str, str]]:
        """The legend: (fill, font colour, |grad| as text) at five evenly spaced points."""
        values = [self.value_at(p) for p in (0.0, 0.25, 0.5, 0.75, 1.0)]
        return [(*self.colour(v), fmt(v)) for v in values]

    def add_legend(self, graph: graphviz.Digraph) -> None:
        cells = "".join(f'<TD BGCOLOR="{fill}"><FONT COLOR="{font}">{text}</FONT></TD>'
                        for fill, font, text in self.stops())
        title = "|grad| (log scale)" if self.log_scale else "|grad|"
        graph.node("legend", shape="plaintext", id="legend", label=(
            f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0"><TR><TD COLSPAN="5">'
            f"{title}</TD></TR><TR>{cells}</TR></TABLE>>"))


def _neuron_groups(model, order: list[Value]) -> dict[Value, str]:
    """Each node of a neuron -- its parameters, its weighted sum, its activation -- by name."""
    from ..nn import Module, Neuron  # nn builds on the engine; drawing builds on both

    if not isinstance(model, Module):
        raise TypeError(_("model must be an autograd_mini Module, got {kind}",
                          kind=type(model).__name__))
    owner: dict[Value, str] = {}
    for name, module in model.named_modules():
        if isinstance(module, Neuron):
            for p in module.parameters():
                owner[p] = name or "neuron"
    for node in order:
        # The weighted sum is the node that takes the neuron's parameters; its
        # activation is a one-input node that takes the weighted sum.
        taken = [owner[p] for p in node.parents if not p.parents and p in owner]
        if taken:
            owner[node] = taken[0]
        elif len(node.parents) == 1 and node.parents[0].parents and node.parents[0] in owner:
            owner[node] = owner[node.parents[0]]
    return owner


def _collapse(neurons: dict[Value, str], order: list[Value]) -> set[Value]:
    """Nodes to hide when each neuron is drawn as one node: its parameters and, when an
    activation follows, the weighted sum itself."""
    hidden: set[Value] = set()
    for node in order:
        if node not in neurons:
            continue
        if not node.parents:  # a parameter
            hidden.add(node)
        elif len(node.parents) == 1:  # an activation stands for its weighted sum
            hidden.add(node.parents[0])
    return hidden


def _visible_parents(node: Value, hidden: set[Value]) -> list[Value]:
    """The parents to draw edges from; a hidden weighted sum hands on its inputs."""
    visible: list[Value] = []
    for parent in node.parents:
        if parent not in hidden:
            visible.append(parent)
        elif parent.parents:
            visible += [x for x in parent.parents if x not in hidden]
    return list(dict.fromkeys(visible))


def save(graph: graphviz.Digraph, path: str | os.PathLike, *,
         timeout: float | None = None) -> Path:
    """Write ``graph`` to ``path``; the format comes from the extension (svg, png, pdf, dot).

    The file appears whole or not at all, with the mode ``open()`` would give it
    (:func:`autograd_mini.bridges.files.write_atomically`).  ``timeout``: seconds ``dot`` may take.
    """
    path = Path(path)
    fmt_ = path.suffix.lower().lstrip(".")
    if fmt_ not in FORMATS:
        raise ValueError(_("cannot tell the format of {path}: use .svg, .png, .pdf or .dot",
                           path=repr(str(path))))
    if not path.parent.is_dir():
        raise FileNotFoundError(_("the folder {folder} does not exist",
                                  folder=repr(str(path.parent))))
    picture = rendering.render(graph.source, fmt_, timeout=timeout,
                               size=getattr(graph, "size", None))
    return write_atomically(path, picture)
