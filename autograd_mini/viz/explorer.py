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
pass chain-rule product by product -- the sentences of :func:`autograd_mini.explain.trace.trace`
and of the step viewer, taken from :func:`autograd_mini.explain.trace.walk` -- and a slider
and number box for each input.  Moving a slider replays the recorded graph on the new
number (the op table's value rules, through the engine's one interpreter loop
:func:`~autograd_mini.core.engine.interpret`; no user function is called again) and updates
the page in place.

``explore(out, quiz=True)`` makes it a quiz: at each backward step the student types the
local derivative and the contribution of every arrow before the step shows its numbers,
is told the op table's rule and the numbers it needs when wrong, and gets a score at the
end -- the playground's quiz (:mod:`autograd_mini.explain.quiz`), in the notebook.

The page only shows: every number and sentence is computed here, in Python, and reaches
the page as text.  The graph is graphviz's SVG, its labels escaped by
:func:`autograd_mini.viz.graph.dot_text`.  Where widgets cannot run (a notebook shown on
a code host), the explorer's output falls back to that SVG.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from numbers import Real
from pathlib import Path

from ..core.language import N_, _, page_words

try:
    import anywidget
    import traitlets
except ImportError:  # the engine works without it; only the explorer needs it
    raise ImportError(_("the explorer needs anywidget: pip install anywidget "
                        "(or pip install 'autograd_mini[notebooks]')")) from None

from ..core.engine import Value, apply, topological_order
from ..core.interpret import interpret
from ..core.naming import fmt, input_label
from ..explain.quiz import Quiz
from ..explain.trace import Step, Trace, trace, walk
from ..explain.units import layer_names, record_sweep
from ..nn import Module
from . import rendering
from .graph import LEVELS, GradScale, Graph, Scene, View, compact, node_ids
from .steps import with_viewer
from .zoom import ZoomedWalk, zoomed_walk

__all__ = ["explore", "Explorer", "MAX_EXPLORER_NODES"]

MAX_EXPLORER_NODES = 300  # nodes an explorer shows (each slider move replays them all)
WIDEST_NUMBER = "-8.888e-88"  # as wide as any number fmt writes (4 digits, sign, exponent)
# The overview's title at a zoomed-out level.
EVERYTHING_COMPUTED = {"units": N_("Everything computed, unit by unit"),
                       "layers": N_("Everything computed, layer by layer")}
_HERE = Path(__file__).parent


def explore(output: Value | None = None, quiz: bool = False, *, model: Module | None = None,
            cases: tuple[Sequence, Sequence] | None = None) -> Explorer:
    """A notebook widget to step through ``output``'s graph and move its inputs.

    ``ex.inputs`` (display name → number; assign a new dict to replay the graph),
    ``ex.grads`` and ``ex.values`` (display name → number, every node but the
    constants) and ``ex.step`` (0 shows everything; 1, 2, ... the steps of the walk)
    stay in step with the page.

    With ``quiz=True`` each backward step asks for its local derivatives and
    contributions before it shows them (a number, or arithmetic such as ``1 - 0.5**2``),
    and the walk goes no further than the first step with an open blank.  The page's
    boxes call ``ex.answer(id, text)`` and ``ex.show_answer(id)``; ``ex.quiz_state``
    holds the questions (ids, prompts, what was said) and ``ex.score`` the score.  New
    inputs start a new quiz on the new numbers.

    ``explore(model=net, cases=(inputs, targets))`` explores a network's error
    ``E = ½ Σ_c Σ_j (y_jc − d_jc)²`` and lets the page zoom out (``ex.level``, and the
    page's switch): ``"nodes"`` is every scalar node; ``"units"`` walks the backward
    pass unit by unit, ``"layers"`` layer by layer (:mod:`.zoom`), on the sliders'
    numbers.  The sliders are the weights, biases and inputs (a copy of the model takes
    them; the model itself is never written).
    """
    return Explorer(output, quiz=quiz, model=model, cases=cases)


class Explorer(anywidget.AnyWidget):
    """The widget :func:`explore` returns; see there."""

    # One module for anywidget: explorer.js with the step viewer's module written in.
    _esm = with_viewer((_HERE / "explorer.js").read_text(encoding="utf-8"))
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
    # The quiz, as the page reads it ({} when the explorer is not a quiz).
    quiz_state = traitlets.Dict().tag(sync=True)
    # The zoom level shown, and the levels this explorer has (a network's: all three).
    level = traitlets.Unicode("nodes").tag(sync=True)
    # the page's words in the reader's language (the language when the explorer is made)
    words = traitlets.Dict().tag(sync=True)
    levels = traitlets.List(["nodes"]).tag(sync=True)

    def __init__(self, output: Value | None = None, quiz: bool = False, *,
                 model: Module | None = None,
                 cases: tuple[Sequence, Sequence] | None = None) -> None:
        self._network: tuple | None = None
        if output is None or model is not None or cases is not None:
            output, self._network = _network(model, cases)
        if not isinstance(output, Value):
            raise TypeError(_("explore expects a Value, got {kind}", kind=type(output).__name__))
        self._order = topological_order(output)
        if len(self._order) > MAX_EXPLORER_NODES:
            raise ValueError(_("the graph has {count} nodes, over the explorer's budget of "
                               "{budget}; explore a smaller graph", count=len(self._order),
                               budget=MAX_EXPLORER_NODES))
        self._output = output
        self._leaves = [n for n in self._order if not n.parents and not n.is_constant]
        self._pending: Trace | None = None
        self._quiz: Quiz | None = None
        self._quizzing = bool(quiz)
        self._said: dict[str, dict[str, str]] = {}  # each blank's last verdict, in words
        record = self._replay({n: n.data for n in self._leaves})
        # The twin carries the same labels in the same order, so its names are the graph's
        # (display_names is computed once, by the trace).
        self._names = dict(zip(self._order, record.names.values()))
        super().__init__()
        self.on_msg(self._on_page_message)
        with self.hold_sync():
            self.words = page_words(self._esm)
            self.output_name = self._names[output]
            self.leaves = [_slider(self._names[n], n.data) for n in self._leaves]
            self._node_pictures = tuple(self._page_picture(record, rankdir)
                                        for rankdir in ("LR", "TB"))
            self.svg, self.svg_tall = self._node_pictures
            self._show(record)
            self.inputs = {self._names[n]: n.data for n in self._leaves}
            self.levels = _levels(self._network, quiz)

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
        wide as the widest number :func:`~autograd_mini.core.naming.fmt` writes, so that the
        numbers a slider brings never overflow their fields."""
        widest = {n: (WIDEST_NUMBER, WIDEST_NUMBER) for n in record.names if not n.is_constant}
        graph = compact(Scene.of_trace(record).draw(View(texts=widest, rankdir=rankdir)))
        return rendering.render(graph.source, size=graph.size).decode()

    def _show(self, record: Trace) -> None:
        """Send the numbers and words of ``record`` (a replay of this graph) to the page;
        a quiz starts again, on its numbers."""
        self._record, self._walk = record, walk(record)
        self._ids = node_ids(record.names)  # as the picture's
        if self._quizzing:
            self._quiz, self._said = Quiz(record, self._walk), {}
        names = record.names
        shown = [n for n in self._ids if not n.is_constant]
        with self.hold_sync():
            self.values = {names[n]: n.data for n in shown}
            self.grads = {names[n]: record.grads.get(n, 0.0) for n in shown}
            self.input_text = {names[n]: fmt(n.data) for n in self._page_leaves()}
            self.error = ""
            self._show_level(pictures=False)
            self.step = min(self.step, self._reach())

    def _page_leaves(self) -> list[Value]:
        return [n for n in self._ids if not n.parents and not n.is_constant]

    def _show_answers(self) -> None:
        """The words and numbers the page may show: all of them -- or, in a quiz not yet
        finished, none that an open blank asks for (the walk stops at its step)."""
        record, ids, names = self._record, self._ids, self._record.names
        grads = record.grads
        held = self._quiz is not None and not self._quiz.finished
        scale = GradScale([grads.get(n) for n in ids if not n.is_constant], False)
        out = names[record.output]
        grad_text = {names[n]: "?" if held else fmt(grads.get(n, 0.0))
                     for n in self._page_leaves()}
        lines = [record.forward[-1].sentence,
                 *(f"∂{out}/∂{name} = {text}" for name, text in grad_text.items())]
        if held:
            lines.append(_("Quiz: {count} blanks in the backward pass, a local derivative "
                           "and a contribution for each arrow. Press Next.",
                           count=len(self._quiz.questions)))
        self.steps = _page_steps(self._walk, ids, self._quiz)
        title = (_("Quiz: the forward pass is computed, the backward pass is yours") if held
                 else _("Everything computed: forward and backward"))
        self.overview = {"title": title, "lines": lines, "formula": "", "active": "", "edges": []}
        self.legend = [] if held else [{"fill": fill, "font": font, "text": text}
                                       for fill, font, text in scale.stops()]
        self.nodes = [_page_node(node, id_, grads.get(node, 0.0), scale, held)
                      for node, id_ in ids.items()]
        self.grad_text = grad_text
        self.quiz_state = self._quiz_page() if self._quiz else {}

    def _show_level(self, pictures: bool) -> None:
        """The page at the level chosen: the scalar graph's walk, or the network's unit
        by unit or layer by layer on the current numbers (``pictures``: the level is
        new, send its picture; a layer's box holds its numbers, so it is always sent)."""
        if self.level == "nodes":
            if pictures:
                self.svg, self.svg_tall = self._node_pictures
            self._show_answers()
            return
        zoomed = self._zoomed()
        if pictures or self.level == "layers":
            self.svg, self.svg_tall = (_svg(graph) for graph in zoomed.graphs.values())
        self.steps = _zoomed_steps(zoomed.frames)
        self.nodes = _zoomed_nodes(zoomed)
        self.overview = {"title": _(EVERYTHING_COMPUTED[self.level]), "lines": [zoomed.given],
                         "formula": "", "active": "", "edges": []}
        self.legend = []

    def _zoomed(self) -> ZoomedWalk:
        """The network's walk at this level with the sliders' numbers: in a copy of the
        model and the cases (the explorer never writes the model's weights)."""
        model, inputs, targets = self._network
        memo: dict = {}
        twin_model, twin_inputs = copy.deepcopy((model, inputs), memo)
        numbers = self.inputs or {n: n.data for n in self._leaves}
        for leaf in self._leaves:
            name = self._names[leaf]
            if id(leaf) in memo and name in numbers:
                memo[id(leaf)].data = numbers[name]
        return zoomed_walk(twin_model, twin_inputs, targets, self.level, widest=WIDEST_NUMBER)

    @traitlets.validate("level")
    def _check_level(self, proposal) -> str:
        level = proposal["value"]
        if level not in self.levels:
            how = "" if self._network else _(
                "; explore(model=net, cases=(inputs, targets)) zooms out on a network")
            raise ValueError(_("level must be one of {levels}, got {level}{how}",
                               levels=", ".join(self.levels), level=repr(level), how=how))
        return level

    @traitlets.observe("level")
    def _level_changed(self, change) -> None:
        with self.hold_sync():
            self.step = 0
            self._show_level(pictures=True)

    def _reach(self) -> int:
        """The last step the page may show: in a quiz, the first with an open blank."""
        if self.level != "nodes":
            return len(self.steps)
        first_open = self._quiz.first_open() if self._quiz else None
        return len(self._walk) if first_open is None else first_open + 1

    def _quiz_page(self) -> dict:
        """The quiz as the page reads it: every blank (its page step, prompt and what
        was last said of it), the score and how far the walk may go."""
        quiz = self._quiz
        questions = [{**quiz.ask(q), "step": q.step + 1,
                      **self._said.get(q.id, {"said": "", "tone": "", "typed": ""})}
                     for q in quiz.questions.values()]
        return {"questions": questions, "score": quiz.score(), "reach": self._reach(),
                "finished": quiz.finished}

    def answer(self, question: str, text: str) -> dict:
        """Check ``text`` as the answer to the blank ``question`` (an id of
        ``quiz_state["questions"]``), as :meth:`autograd_mini.explain.quiz.Quiz.answer` does;
        the page shows the verdict, and the step's numbers once its blanks are done."""
        verdict = self._asked().answer(question, text)
        said = verdict["error"] or (_("right: {answer}", answer=verdict["answer"])
                                    if verdict["ok"]
                                    else verdict["hint"])
        self._said[question] = {"said": said, "tone": "right" if verdict["ok"] else "wrong",
                                "typed": text}
        with self.hold_sync():
            self._show_answers()
        return verdict

    def show_answer(self, question: str) -> dict:
        """Give up on the blank ``question``: its answer is shown, and it does not score."""
        shown = self._asked().show(question)
        self._said[question] = {"said": _("the answer: {answer}", answer=shown["answer"]),
                                "tone": "",
                                "typed": shown["answer"]}
        with self.hold_sync():
            self._show_answers()
        return shown

    @property
    def score(self) -> dict | None:
        """The quiz's score: blanks right at the first try, all blanks, blanks done."""
        return self._quiz.score() if self._quiz else None

    def _asked(self) -> Quiz:
        if self._quiz is None:
            raise ValueError(_("this explorer is not a quiz: make one with "
                               "explore(out, quiz=True)"))
        return self._quiz

    @traitlets.validate("inputs")
    def _check_inputs(self, proposal) -> dict[str, float]:
        """A new dict of inputs: known names, real numbers, inside every op's domain --
        or an error that names what was wrong, and nothing changes."""
        proposed = proposal["value"]
        if not isinstance(proposed, Mapping):
            raise TypeError(_("inputs must be a dict of name → number, got {kind}",
                              kind=type(proposed).__name__))
        known = [self._names[n] for n in self._leaves]
        unknown = sorted(set(proposed) - set(known), key=str)
        if unknown:
            raise ValueError(_("no input named {names}; the inputs are {inputs}",
                               names=", ".join(map(repr, unknown)), inputs=", ".join(known)))
        numbers = {**(self.inputs or {}), **proposed}
        for name, number in numbers.items():
            if isinstance(number, bool) or not isinstance(number, Real):
                raise TypeError(_("inputs[{name}] must be a number, got {kind}",
                                  name=repr(name), kind=type(number).__name__))
            if not math.isfinite(number):
                raise ValueError(_("inputs[{name}] must be finite, got {number}", name=repr(name),
                                   number=repr(number)))
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
            raise ValueError(_("step must be between 0 (everything) and {last}, got {step}",
                               last=len(self.steps), step=step))
        if step > self._reach():
            raise ValueError(_("the quiz is at step {reach}: answer its blanks before step "
                               "{step} shows its numbers", reach=self._reach(), step=step))
        return step

    def _on_page_message(self, widget, content, buffers) -> None:
        """A slider or number box moved: replay, or show why not (the numbers stay).
        A quiz box was checked or given up: :meth:`answer` or :meth:`show_answer`.
        Nothing the page sends makes this raise (an error would reach no one, and the
        page would wait for its answer forever): a message that is not one of these is
        shown in the page's error line, and a request for numbers is always answered."""
        kind = content.get("kind") if isinstance(content, dict) else None
        if kind in ("answer", "show"):
            self._on_quiz_message(content)
            return
        try:
            if kind != "inputs":
                raise TypeError(f"the page sent a message the explorer does not know: "
                                f"{_short(content)} (expected a dict with kind 'inputs', "
                                "'answer' or 'show')")
            inputs = content.get("inputs")
            if not isinstance(inputs, dict):  # the trait would raise a TraitError
                raise TypeError(_("inputs must be a dict of name → number, got {kind}",
                                  kind=type(inputs).__name__))
            with self.hold_sync():  # the inputs and all they change: one message
                self.inputs = inputs
        except Exception as error:  # noqa: BLE001 - told to the page, never raised
            self.error = _("{error} -- showing the last numbers that worked", error=error) \
                if kind == "inputs" else str(error)
            self.send_state("inputs")  # the page's sliders go back
        self.send({"kind": "done"})

    def _on_quiz_message(self, content: dict) -> None:
        question, text = str(content.get("question")), str(content.get("text", ""))
        try:
            if content["kind"] == "answer":
                self.answer(question, text)
            else:
                self.show_answer(question)
            self.error = ""
        except KeyError as error:
            self.error = str(error.args[0] if error.args else error)  # a KeyError's words
        except Exception as error:  # noqa: BLE001 - told to the page, never raised
            self.error = str(error)

    def _repr_mimebundle_(self, **kwargs):
        """The widget, with the graph's picture beside it for places where widgets cannot
        run (a notebook shown on a code host, or not trusted, keeps a picture)."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        quizzing = self._quiz is not None and not self._quiz.finished  # no answers given away
        picture = Scene.of_trace(self._record).draw(
            View(show_grad=False) if quizzing else View(gradient_flow=True))
        data = {**data, **picture._repr_mimebundle_()}  # SVG, and PNG where SVG is hidden
        return data, metadata

    def __repr__(self) -> str:
        return f"<autograd_mini explorer: {len(self._order)} nodes, inputs {self.inputs}>"


def _network(model: Module | None, cases) -> tuple[Value, tuple]:
    """A network's error E on its cases, and (model, inputs, targets): each input a
    Value (a slider), made here so that a copy of the model can take new numbers."""
    if not isinstance(model, Module) or not isinstance(cases, (tuple, list)) \
            or len(cases) != 2:
        raise TypeError(_("explore needs an output Value, or a network and its cases: "
                          "explore(model=net, cases=(inputs, targets))"))
    inputs = [_as_inputs(case) for case in cases[0]]
    return record_sweep(model, inputs, cases[1]).loss, (model, inputs, list(cases[1]))


def _as_inputs(case):
    """One case with its numbers as input Values (x1, x2, …); a tuple is one group
    of inputs per argument (the family-trees net's person and relationship)."""
    if isinstance(case, tuple):
        return tuple(_as_inputs(group) for group in case)
    if isinstance(case, list):
        return [x if isinstance(x, Value) else Value(x, input_label(k))
                for k, x in enumerate(case, 1)]
    return case if isinstance(case, Value) else Value(case, input_label(1))


def _levels(network: tuple | None, quiz: bool) -> list[str]:
    """The zoom levels an explorer offers: a network's (its layers, if it has some);
    a plain graph or a quiz only its nodes."""
    if network is None or quiz:
        return ["nodes"]
    return [level for level in LEVELS if level != "layers" or layer_names(network[0])]


def _svg(graph: Graph) -> str:
    return rendering.render(graph.source, size=graph.size).decode()


def _zoomed_steps(frames: list[dict]) -> list[dict]:
    """A zoomed walk's frames as the page reads its steps: each carries only its news."""
    values: dict[str, str] = {}
    grads: dict[str, str] = {}
    return [{**frame, "values": _news(frame["values"], values),
             "grads": _news(frame["grads"], grads)} for frame in frames]


def _zoomed_nodes(zoomed: ZoomedWalk) -> list[dict]:
    """The zoomed picture's nodes with every number known at the end (the overview);
    a layer's box is ``fixed``: its text is the picture's own."""
    last = zoomed.frames[-1]
    ids = dict.fromkeys([*zoomed.constants, *last["values"], *last["grads"], *zoomed.fixed])
    return [{"id": id_, "constant": id_ in zoomed.constants, "fixed": id_ in zoomed.fixed,
             "value": zoomed.constants.get(id_) or last["values"].get(id_, "?"),
             "grad": last["grads"].get(id_, "?"), "fill": "", "font": ""} for id_ in ids]


def _page_node(node: Value, id_: str, grad: float, scale: GradScale,
               held: bool = False) -> dict:
    """One node as the page reads it: its numbers as text, its gradient-flow colours
    (``held``: its gradient and colours kept back, a quiz asks for them)."""
    fill, font = ("", "") if node.is_constant or held else scale.colour(grad)
    return {"id": id_, "constant": node.is_constant, "value": fmt(node.data),
            "grad": "?" if held else fmt(grad), "fill": fill, "font": font}


def _page_steps(steps: list[Step], ids: dict[Value, str], quiz: Quiz | None = None
                ) -> list[dict]:
    """The steps of the walk as the page reads them, nodes named by their ids.  Each step
    carries only the numbers that change at it (the page adds them up as it walks): a
    slider move then sends O(steps + nodes) text, not their product.  In a quiz, the
    first step with an open blank and all after it keep their numbers back (the first
    says its upstream gradient, which the blanks need)."""
    shown_values: dict[str, str] = {}
    shown_grads: dict[str, str] = {}
    first_open = quiz.first_open() if quiz else None
    page = []
    for i, s in enumerate(steps):
        held = first_open is not None and i >= first_open
        lines = s.lines[:1 if i == first_open else 0] if held else s.lines
        page.append({
            "title": s.title, "lines": list(lines), "formula": "" if held else s.formula,
            "active": ids[s.active], "edges": [[ids[a], ids[b]] for a, b in s.active_edges],
            "values": _news({ids[n]: fmt(v) for n, v in s.values.items()}, shown_values),
            "grads": {} if held else _news({ids[n]: fmt(g) for n, g in s.grads.items()},
                                           shown_grads)})
    return page


def _news(now: dict[str, str], shown: dict[str, str]) -> dict[str, str]:
    """The entries of ``now`` that ``shown`` does not hold yet; ``shown`` takes them."""
    news = {key: text for key, text in now.items() if shown.get(key) != text}
    shown.update(news)
    return news


def _short(thing: object, limit: int = 80) -> str:
    """``repr(thing)`` cut to ``limit`` characters, for a message about what the page sent."""
    text = repr(thing)
    return text if len(text) <= limit else text[:limit] + "..."


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
