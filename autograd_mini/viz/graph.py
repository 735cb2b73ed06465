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
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

try:
    import graphviz
except ImportError:  # the engine works without it; only pictures need it
    raise ImportError("drawing graphs needs the graphviz Python package: "
                      "pip install graphviz (and the graphviz program `dot`)") from None

from ..engine import Value, topological_order
from ..files import write_atomically
from ..naming import display_names, fmt

__all__ = ["draw_dot", "save", "render", "dot_text", "GraphvizNotFound", "GraphvizError",
           "GraphvizTimeout", "Graph", "FORMATS"]

FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_HINT = (
    "the graphviz program `dot` is not installed, so graphs cannot be rendered "
    "(the DOT text is still in `.source`). Install it: `apt-get install graphviz` on "
    "Debian/Ubuntu, `brew install graphviz` on macOS, `conda install graphviz`, or see "
    "https://graphviz.org/download/"
)

# viridis, sampled at 9 points: perceptually uniform and readable in grey.
_VIRIDIS = [(68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37)]

_LEAF = "#dbeafe"       # inputs and parameters: light blue
_CONSTANT = "#f3f4f6"   # numbers written in the expression: light grey
_ACTIVE = "#dc2626"     # the node a step is working on


class GraphvizNotFound(RuntimeError):
    """The ``dot`` executable is missing; the message says how to install it."""


class GraphvizError(RuntimeError):
    """``dot`` failed (crashed, ran out of memory) or did not finish in the time given."""


class GraphvizTimeout(GraphvizError):
    """``dot`` did not finish in the time given (it was stopped)."""


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering explains a missing or failing ``dot`` in one
    line."""

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(INSTALL_HINT) from None
        except graphviz.CalledProcessError as error:
            raise GraphvizError(_failure(error.returncode, error.stderr)) from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFound(INSTALL_HINT) from None
        except graphviz.CalledProcessError as error:
            raise GraphvizError(_failure(error.returncode, error.stderr)) from None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def dot_text(text: str, *, record: bool = False) -> str:
    """``text`` made literal inside a quoted DOT label, so that graphviz draws it as written.

    Backslashes are doubled (no ``\\n`` or ``\\N`` escapes); ``& < > "`` become
    entities, which graphviz draws as the characters and writes escaped into SVG (a label
    can neither close its quotes, add attributes, pass for an HTML label, nor spell an
    entity); in a record label, ``{ } |`` are escaped too, so a label cannot add fields.
    A control character (a NUL, a line break) is drawn as its escape, ``\\x00``, ``\\n``.
    """
    text = text.replace("\\", "\\\\")
    text = _CONTROL.sub(lambda m: ascii(m.group())[1:-1].replace("\\", "\\\\"), text)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        text = text.replace(char, entity)
    if record:
        for char in "{}|":
            text = text.replace(char, "\\" + char)
    return text


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    gradient_flow: bool = False,
    log_scale: bool = False,
    model: object | None = None,
    collapse_neurons: bool = False,
    grads: Mapping[Value, float] | None = None,
    values: Mapping[Value, float] | None = None,
    active: Value | None = None,
    active_edges: Iterable[tuple[Value, Value]] = (),
    names: Mapping[Value, str] | None = None,
    format: str = "svg",
) -> Graph:
    """The graph of ``root`` as a ``graphviz.Digraph`` (micrograd's lecture helper, extended).

    Each value node shows its display name (its label, or a name such as ``n1`` that
    the trace uses too), data and grad; each op node its symbol; edges follow the data
    from inputs to ``root``.  Inputs and parameters are blue, constants (numbers
    written in the expression) grey.

    Args:
        root: the output node.
        rankdir: ``"LR"`` (left to right) or ``"TB"`` (top to bottom).
        show_grad: show each node's gradient.
        gradient_flow: colour nodes and edges by |grad| (viridis: dark = small,
            yellow = large), with a legend, so vanishing gradients are visible.
        log_scale: with ``gradient_flow``, colour by log10 |grad|.
        model: a :class:`~autograd_mini.nn.Module`; each neuron's nodes are drawn
            inside a box named after it.
        collapse_neurons: with ``model``, draw each neuron as a single node.
        grads: gradients to show instead of ``.grad`` (nodes missing are shown as "?").
        values: data to show instead of ``.data`` (nodes missing are shown as "?").
        active: a node to highlight (the step-by-step viewer uses this).
        active_edges: ``(parent, child)`` edges to highlight.
        names: display names to use instead of :func:`~autograd_mini.naming.display_names`.
        format: the output format used by ``.pipe()`` and in Jupyter.

    Returns:
        A :class:`Graph` (a ``graphviz.Digraph``); ``.source`` is the DOT text.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot expects a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if names is None:
        names = display_names(root)
        order = list(names)  # topological: the graph is walked once
    else:
        order = topological_order(root)
    grad_of = (lambda n: grads.get(n)) if grads is not None else (lambda n: n.grad)
    data_of = (lambda n: values.get(n)) if values is not None else (lambda n: n.data)
    scale = _GradScale([grad_of(n) for n in order if not n.is_constant],
                       log_scale) if gradient_flow else None
    neurons = _neuron_groups(model, order) if model is not None else {}
    graph = Graph(format="svg" if format == "dot" else format,
                  graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "bgcolor": "white"},
                  node_attr={"fontname": "Helvetica", "fontsize": "11"},
                  edge_attr={"color": "#6b7280", "arrowsize": "0.6"})
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    hidden = _collapse(neurons, order) if collapse_neurons else set()
    active_edges = set(active_edges)
    clusters: dict[str, graphviz.Digraph] = {}
    for node in order:
        if node in hidden:
            continue
        target = graph
        group = neurons.get(node)
        if group is not None and not collapse_neurons:
            if group not in clusters:
                clusters[group] = graphviz.Digraph(name=f"cluster_{len(clusters)}")
                clusters[group].attr(label=dot_text(group), style="rounded,dashed",
                                     color="#9ca3af", fontsize="10", fontcolor="#6b7280")
            target = clusters[group]
        label = _node_label(node, names, data_of(node), grad_of(node), show_grad,
                            neurons.get(node) if collapse_neurons else None)
        target.node(ids[node], label=label, shape="record", id=ids[node],
                    **_node_style(node, node is active, scale, grad_of(node)))
        if not node.parents:
            continue
        op_id = ids[node] + "_op"
        symbol = _symbol(node)
        if collapse_neurons and node in neurons and node.parents[0] in hidden:
            symbol = f"{symbol}({_symbol(node.parents[0])})"  # activation(weighted sum)
        shape = "ellipse" if len(symbol) > 4 else "circle"
        target.node(op_id, label=dot_text(symbol), shape=shape, id=op_id,
                    **_op_style(node is active))
        target.edge(op_id, ids[node])
        for parent in _visible_parents(node, hidden):
            graph.edge(ids[parent], op_id, **_edge_style(parent, node, active_edges, scale,
                                                          grad_of(parent)))
    for cluster in clusters.values():
        graph.subgraph(cluster)
    if scale is not None:
        scale.add_legend(graph)
    return graph


def _symbol(node: Value) -> str:
    if node.primitive is not None:
        return node.primitive.symbol
    # A node made by hand, micrograd-style (Value(t, (x,), 'tanh')), names its own op.
    return str(getattr(node, "_op", "") or "?")


def _node_label(node, names, data, grad, show_grad, neuron) -> str:
    name = "" if node.is_constant else neuron or names.get(node, "")
    cells = [dot_text(name, record=True)] if name else []
    cells.append("data " + ("?" if data is None else fmt(data)))
    if show_grad and not node.is_constant:
        cells.append("grad " + ("?" if grad is None else fmt(grad)))
    return "{ " + " | ".join(cells) + " }"


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


class _GradScale:
    """Maps |grad| to a viridis colour, linearly or on a log scale."""

    def __init__(self, grads: list[float | None], log_scale: bool) -> None:
        mags = [abs(_float(g)) for g in grads if g is not None]
        self.log_scale = log_scale
        if log_scale:
            positive = [m for m in mags if m > 0] or [1.0]
            self.low, self.high = math.log10(min(positive)), math.log10(max(positive))
        else:
            self.low, self.high = 0.0, max(mags, default=0.0)

    def position(self, grad: float) -> float:
        magnitude = abs(_float(grad))
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

    def add_legend(self, graph: graphviz.Digraph) -> None:
        stops = [0.0, 0.25, 0.5, 0.75, 1.0]
        cells = "".join(
            f'<TD BGCOLOR="{self._colour_at(p)[0]}"><FONT COLOR="{self._colour_at(p)[1]}">'
            f"{fmt(self.value_at(p))}</FONT></TD>"
            for p in stops
        )
        title = "|grad| (log scale)" if self.log_scale else "|grad|"
        graph.node("legend", shape="plaintext", id="legend", label=(
            f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0"><TR><TD COLSPAN="5">'
            f"{title}</TD></TR><TR>{cells}</TR></TABLE>>"))

    def _colour_at(self, position: float) -> tuple[str, str]:
        return self.colour(self.value_at(position))


def _float(g) -> float:
    return g.data if isinstance(g, Value) else float(g)


def _neuron_groups(model, order: list[Value]) -> dict[Value, str]:
    """Each node of a neuron -- its parameters, its weighted sum, its activation -- by name."""
    from ..nn import Module, Neuron  # nn builds on the engine; drawing builds on both

    if not isinstance(model, Module):
        raise TypeError(f"model must be an autograd_mini Module, got {type(model).__name__}")
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
    (:func:`autograd_mini.files.write_atomically`).  ``timeout``: seconds ``dot`` may take.
    """
    path = Path(path)
    fmt_ = path.suffix.lower().lstrip(".")
    if fmt_ not in FORMATS:
        raise ValueError(f"cannot tell the format of {str(path)!r}: use .svg, .png, .pdf or .dot")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder {str(path.parent)!r} does not exist")
    return write_atomically(path, render(graph, fmt_, timeout=timeout))


def render(graph: graphviz.Digraph, format: str = "svg", *, timeout: float | None = None) -> bytes:
    """``graph`` drawn by graphviz's ``dot`` as ``format`` (``"dot"``: the DOT text itself).

    Raises:
        GraphvizNotFound: ``dot`` is not installed.
        GraphvizError: ``dot`` failed.
        GraphvizTimeout: ``dot`` took more than ``timeout`` seconds (it is stopped).
    """
    if format == "dot":
        return graph.source.encode()
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFound(INSTALL_HINT)
    try:
        result = subprocess.run([program, f"-T{format}"], input=graph.source.encode(),
                                capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        nodes, edges = graph_size(graph)
        raise GraphvizTimeout(f"graphviz `dot` did not finish within {timeout:g} s drawing "
                            f"{nodes} nodes and {edges} edges; draw a smaller graph") from None
    if result.returncode != 0:
        raise GraphvizError(_failure(result.returncode, result.stderr))
    return result.stdout


def graph_size(graph: graphviz.Digraph) -> tuple[int, int]:
    """(nodes, edges) of the DOT text: what ``dot`` has to lay out."""
    statements = [line.split(maxsplit=2)[:2] for line in graph.body]
    edges = sum(words[1:] == ["->"] for words in statements)
    nodes = sum(len(words) == 2 and words[1].startswith("[")
                and words[0] not in ("graph", "node", "edge") for words in statements)
    return nodes, edges


def _failure(returncode: int, stderr: bytes | str | None) -> str:
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    why = f" ({lines[0][:200]})" if lines else ""
    status = f"was stopped by signal {-returncode}" if returncode < 0 \
        else f"exited with status {returncode}"
    return f"graphviz `dot` failed: it {status}{why}"
