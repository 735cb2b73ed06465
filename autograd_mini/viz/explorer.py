"""Touch the numbers: a live explorer of a computation graph in the notebook.

    >>> from autograd_mini import Value, explore
    >>> x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    >>> ex = explore((x * w).tanh())
    >>> ex.inputs
    {'x': 2.0, 'w': -3.0}
    >>> ex.inputs = {"x": 1.0, "w": 0.5}     # the same graph, replayed on new numbers
    >>> round(ex.grads["x"], 6)              # d out/dx = w (1 - tanh(x w)^2)
    0.393224

In a notebook the explorer shows the graph with every value and gradient (coloured by
|grad|), Previous/Next buttons that walk the forward pass node by node and the backward
pass chain-rule product by product -- the sentences of :func:`autograd_mini.trace.trace`
and of the step viewer, taken from :func:`autograd_mini.trace.walk` -- and a slider
and number box for each input.  Moving a slider replays the recorded graph on the new
number (the op table's value rules, through the engine's one interpreter loop
:func:`~autograd_mini.engine.interpret`; no user function is called again) and updates
the page in place.

The page only shows: every number and sentence is computed here, in Python, and reaches
the page as text.  The graph is graphviz's SVG, its labels escaped by
:func:`autograd_mini.viz.graph.dot_text`.  Where widgets cannot run (a notebook shown on
a code host), the explorer's output falls back to that SVG.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from pathlib import Path

try:
    import anywidget
    import traitlets
except ImportError:  # the engine works without it; only the explorer needs it
    raise ImportError("the explorer needs anywidget: pip install anywidget "
                      "(or pip install 'autograd_mini[notebooks]')") from None

from ..engine import Value, apply, interpret, topological_order
from ..naming import fmt
from ..trace import Trace, trace, walk
from . import rendering
from .graph import GradScale, Scene, View, compact, node_ids

__all__ = ["explore", "Explorer", "MAX_EXPLORER_NODES"]

MAX_EXPLORER_NODES = 300  # nodes an explorer shows (each slider move replays them all)
WIDEST_NUMBER = "-8.888e-88"  # as wide as any number fmt writes (4 digits, sign, exponent)
_HERE = Path(__file__).parent


def explore(output: Value) -> Explorer:
    """A notebook widget to step through ``output``'s graph and move its inputs.

    ``ex.inputs`` (display name → number; assign a new dict to replay the graph),
    ``ex.grads`` and ``ex.values`` (display name → number, every node but the
    constants) and ``ex.step`` (0 shows everything; 1, 2, ... the steps of the walk)
    stay in step with the page.
    """
    return Explorer(output)


class Explorer(anywidget.AnyWidget):
    """The widget :func:`explore` returns; see there."""

    _esm = _HERE / "explorer.js"
    _css = _HERE / "explorer.css"

    # What the page shows (all text, computed here).
    svg = traitlets.Unicode().tag(sync=True)       # laid out left to right
    svg_tall = traitlets.Unicode().tag(sync=True)  # the same graph, top to bottom
    input_text = traitlets.Dict().tag(sync=True)   # each input as the tables write it
    nodes = traitlets.List().tag(sync=True)
    steps = traitlets.List().tag(sync=True)
    overview = traitlets.Dict().tag(sync=True)
    legend = traitlets.List().tag(sync=True)
    leaves = traitlets.List().tag(sync=True)
    output_name = traitlets.Unicode().tag(sync=True)
    grad_text = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    # What Python reads and writes.
    inputs = traitlets.Dict().tag(sync=True)
    grads = traitlets.Dict().tag(sync=True)
    values = traitlets.Dict().tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)

    def __init__(self, output: Value) -> None:
        if not isinstance(output, Value):
            raise TypeError(f"explore expects a Value, got {type(output).__name__}")
        self._order = topological_order(output)
        if len(self._order) > MAX_EXPLORER_NODES:
            raise ValueError(f"the graph has {len(self._order)} nodes, over the explorer's "
                             f"budget of {MAX_EXPLORER_NODES}; explore a smaller graph")
        self._output = output
        self._leaves = [n for n in self._order if not n.parents and not n.is_constant]
        self._pending: Trace | None = None
        record = self._replay({n: n.data for n in self._leaves})
        # The twin carries the same labels in the same order, so its names are the graph's
        # (display_names is computed once, by the trace).
        self._names = dict(zip(self._order, record.names.values()))
        super().__init__()
        self.on_msg(self._on_page_message)
        with self.hold_sync():
            self.output_name = self._names[output]
            self.leaves = [_slider(self._names[n], n.data) for n in self._leaves]
            self.svg, self.svg_tall = (self._page_picture(record, rankdir)
                                       for rankdir in ("LR", "TB"))
            self._show(record)
            self.inputs = {self._names[n]: n.data for n in self._leaves}

    def _replay(self, numbers: Mapping[Value, float]) -> Trace:
        """The recorded graph once more with ``numbers`` at its inputs (input node →
        number): a twin of it built by the op table's value rules, then traced (the
        original graph and its ``.grad`` stay as they are)."""
        def leaf(node: Value) -> Value:  # a number written in stays the same in every replay
            return node if node.is_constant else Value(numbers[node], label=node.label)

        def rule(node: Value, parents: list[Value]) -> Value:
            twin = apply(node.primitive, *parents)
            twin.label = node.label
            return twin

        return trace(interpret(self._order, leaf, rule)[self._output])

    @staticmethod
    def _picture(record: Trace, view: View) -> str:
        """The SVG of a replay's graph (its ids are the order's: v0, v1, ...)."""
        graph = Scene.of_trace(record).draw(view)
        return rendering.render(graph.source, size=graph.size).decode()

    @staticmethod
    def _page_picture(record: Trace, rankdir: str) -> str:
        """The page's picture, laid out once for any number: each data and grad field as
        wide as the widest number :func:`~autograd_mini.naming.fmt` writes, so that the
        numbers a slider brings never overflow their fields."""
        widest = {n: (WIDEST_NUMBER, WIDEST_NUMBER) for n in record.names if not n.is_constant}
        graph = compact(Scene.of_trace(record).draw(View(texts=widest, rankdir=rankdir)))
        return rendering.render(graph.source, size=graph.size).decode()

    def _show(self, record: Trace) -> None:
        """Send the numbers and words of ``record`` (a replay of this graph) to the page."""
        ids = node_ids(record.names)  # as the picture's
        names, grads = record.names, record.grads
        scale = GradScale([grads.get(n) for n in ids if not n.is_constant], False)
        nodes = [_page_node(node, id_, grads.get(node, 0.0), scale) for node, id_ in ids.items()]
        out = names[record.output]
        leaves = [n for n in ids if not n.parents and not n.is_constant]
        overview = {"title": "Everything computed: forward and backward",
                    "lines": [record.forward[-1].sentence,
                              *(f"∂{out}/∂{names[n]} = {fmt(grads.get(n, 0.0))}"
                                for n in leaves)],
                    "formula": "", "active": "", "edges": []}
        legend = [{"fill": fill, "font": font, "text": text} for fill, font, text in scale.stops()]
        steps = _page_steps(walk(record), ids)
        with self.hold_sync():
            self.steps, self.overview, self.legend, self.nodes = steps, overview, legend, nodes
            self.values = {names[n]: n.data for n in ids if not n.is_constant}
            self.grads = {names[n]: record.grads.get(n, 0.0) for n in ids if not n.is_constant}
            self.grad_text = {names[n]: fmt(record.grads.get(n, 0.0)) for n in leaves}
            self.input_text = {names[n]: fmt(n.data) for n in leaves}
            self.error = ""
        self._record = record

    @traitlets.validate("inputs")
    def _check_inputs(self, proposal) -> dict[str, float]:
        """A new dict of inputs: known names, real numbers, inside every op's domain --
        or an error that names what was wrong, and nothing changes."""
        proposed = proposal["value"]
        if not isinstance(proposed, Mapping):
            raise TypeError(f"inputs must be a dict of name → number, got "
                            f"{type(proposed).__name__}")
        known = [self._names[n] for n in self._leaves]
        unknown = sorted(set(proposed) - set(known), key=str)
        if unknown:
            raise ValueError(f"no input named {', '.join(map(repr, unknown))}; the inputs "
                             f"are {', '.join(known)}")
        numbers = {**(self.inputs or {}), **proposed}
        for name, number in numbers.items():
            if isinstance(number, bool) or not isinstance(number, Real):
                raise TypeError(f"inputs[{name!r}] must be a number, got "
                                f"{type(number).__name__}")
            if not math.isfinite(number):
                raise ValueError(f"inputs[{name!r}] must be finite, got {number!r}")
        numbers = {name: float(numbers[name]) for name in known}
        if self.inputs:  # after __init__: replay on the new numbers (may raise)
            self._pending = self._replay({n: numbers[self._names[n]] for n in self._leaves})
        return numbers

    @traitlets.observe("inputs")
    def _inputs_changed(self, change) -> None:
        if self._pending is not None:
            record, self._pending = self._pending, None
            self._show(record)

    @traitlets.validate("step")
    def _check_step(self, proposal) -> int:
        step = proposal["value"]
        if not 0 <= step <= len(self.steps):
            raise ValueError(f"step must be between 0 (everything) and {len(self.steps)}, "
                             f"got {step}")
        return step

    def _on_page_message(self, widget, content, buffers) -> None:
        """A slider or number box moved: replay, or show why not (the numbers stay)."""
        if not isinstance(content, dict) or content.get("kind") != "inputs":
            return
        try:
            with self.hold_sync():  # the inputs and all they change: one message
                self.inputs = content.get("inputs")
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as error:
            self.error = f"{error} -- showing the last numbers that worked"
            self.send_state("inputs")  # the page's sliders go back
        self.send({"kind": "done"})

    def _repr_mimebundle_(self, **kwargs):
        """The widget, with the graph's picture beside it for places where widgets cannot
        run (a notebook shown on a code host, or not trusted, keeps a picture)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        picture = Scene.of_trace(self._record).draw(View(gradient_flow=True))
        data = {**data, **picture._repr_mimebundle_()}  # SVG, and PNG where SVG is hidden
        return data, metadata

    def __repr__(self) -> str:
        return f"<autograd_mini explorer: {len(self._order)} nodes, inputs {self.inputs}>"


def _page_node(node: Value, id_: str, grad: float, scale: GradScale) -> dict:
    """One node as the page reads it: its numbers as text, its gradient-flow colours."""
    fill, font = ("", "") if node.is_constant else scale.colour(grad)
    return {"id": id_, "constant": node.is_constant, "value": fmt(node.data),
            "grad": fmt(grad), "fill": fill, "font": font}


def _page_steps(steps: list, ids: dict[Value, str]) -> list[dict]:
    """The steps of the walk as the page reads them, nodes named by their ids.  Each step
    carries only the numbers that change at it (the page adds them up as it walks): a
    slider move then sends O(steps + nodes) text, not their product."""
    shown_values: dict[str, str] = {}
    shown_grads: dict[str, str] = {}
    return [{"title": s.title, "lines": list(s.lines), "formula": s.formula,
             "active": ids[s.active], "edges": [[ids[a], ids[b]] for a, b in s.active_edges],
             "values": _news({ids[n]: fmt(v) for n, v in s.values.items()}, shown_values),
             "grads": _news({ids[n]: fmt(g) for n, g in s.grads.items()}, shown_grads)}
            for s in steps]


def _news(now: dict[str, str], shown: dict[str, str]) -> dict[str, str]:
    """The entries of ``now`` that ``shown`` does not hold yet; ``shown`` takes them."""
    news = {key: text for key, text in now.items() if shown.get(key) != text}
    shown.update(news)
    return news


def _slider(name: str, value: float) -> dict:
    """A slider from -R to R, R chosen from the value's magnitude: at least 5 (where
    tanh and sigmoid have long saturated for inputs near 1) and 2.5 times the value,
    rounded up to 1, 2 or 5 times a power of ten; a hundred steps across."""
    reach = _round_up(max(5.0, 2.5 * abs(value))) if math.isfinite(value) else 5.0
    return {"name": name, "min": -reach, "max": reach, "step": reach / 100}


def _round_up(x: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``x`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x)
