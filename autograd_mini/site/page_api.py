"""What the site's pages call in Pyodide (the playground, its quiz, check your op): every
number a page shows is computed here.

The pages call these functions through Pyodide and get JSON text back (no Python object
crosses into JavaScript, so none has to be freed).  They run on a desktop too, which is
how the tests check them against the package without a browser:

    >>> import json
    >>> json.loads(run("x*x + 3*x", '{"x": 2}'))
    {'value': 10.0, 'grads': {'x': 7.0}}

An expression is read by the command line's whitelist parser
(:mod:`autograd_mini.explain.expression`), never executed; pictures are drawn through the
one rendering seam (:mod:`autograd_mini.viz.rendering`), by WASM graphviz in a browser.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import random
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.engine import Value, apply, topological_order
from ..core.language import N_, _
from ..core.naming import fmt
from ..core.ops import PRIMITIVES, Primitive
from ..explain.expression import ExpressionError, check_size, functions, parse
from ..explain.quiz import QUIZ_TOLERANCE, Question, Quiz
from ..explain.trace import BackwardStep, Step, Trace, trace, walk
from ..explain.units import record_sweep
from ..nn import MLP
from ..testing.gradcheck import check_gradients
from ..viz import rendering
from ..viz.graph import Scene, View, node_ids
from ..viz.steps import page_data, zoomed_page_data
from ..viz.zoom import zoomed_walk
from .entry import message as _message
from .entry import reported as _reported

__all__ = ["run", "input_names", "Playground", "playground", "check_op", "QUIZ_TOLERANCE",
           "DEFAULT_INPUT", "network_walk", "network_names", "NETWORKS", "LEVELS"]

DEFAULT_INPUT = 0.5    # the value a name gets when it first appears in the expression
MAX_PAGE_STEPS = 400   # steps the playground walks through; beyond, a smaller expression
# A slider redraws the graph at every move: graphviz's searches for fewer crossings and
# tidier positions are cut short and edges drawn straight -- about 5x faster for a
# 50-node graph, with the same ranks and, for these graphs, much the same picture.
FAST_LAYOUT = {"nslimit": "1", "mclimit": "0.3", "splines": "line"}
# From this many nodes on, a slider move does not lay the graph out again: the layout of
# the expression's first frame (graphviz's positions and sizes) is kept, and each frame is
# only drawn at those positions (engine ``nop2``), as the numbers change.  The one layout
# cuts the search for node positions to nothing (nslimit 0): a product of 190 factors,
# whose leaf feeds every product, takes 17 s with it, 0.5 s without.
LARGE_GRAPH = 100
# check_gradients' default tolerance, which check_op uses: said under its table.
TOLERANCE = N_("a row is ok when |analytic - numeric| <= 1e-05 + 0.001 * |numeric|")
_COMMENT = re.compile(r"<!--[^>]*-->\n?")
ONE_LAYOUT = {**FAST_LAYOUT, "nslimit": "0"}


def _number(x: float) -> float | str:
    """A float for JSON: ``inf``, ``-inf`` and ``nan`` as text (JSON has no such numbers)."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def _inputs(text: str) -> dict[str, float]:
    """The JSON object of names and numbers a page sends, checked: every key a Python
    name, every value a finite number (a link's fragment is anyone's text)."""
    data = json.loads(text) if isinstance(text, str) else text
    if not isinstance(data, dict):
        raise ExpressionError(_("the inputs must be an object of names and numbers"))
    values = {}
    for name, number in data.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ExpressionError(_("{name} is not a name an expression can use",
                                    name=repr(name)))
        if isinstance(number, bool) or not isinstance(number, (int, float)) \
                or not math.isfinite(number):
            raise ExpressionError(_("the value of {name} must be a finite number, got {number}",
                                     name=name, number=repr(number)))
        values[name] = float(number)
    return values


def input_names(text: str) -> list[str]:
    """The names ``text`` uses as inputs, in the order they first appear (functions
    called are not inputs); ``[]`` when it is not yet an expression Python can read, or
    is too long or too deeply nested to be read at all (checked before Python's parser)."""
    try:
        check_size(text)
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called]
    names.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in names))


@_reported
def run(expression: str, inputs: str) -> str:
    """``{"value", "grads"}`` of ``expression`` at ``inputs`` (JSON text of names and
    numbers), after a backward pass; grads keyed by each input's name.  A bad expression
    gives ``{"error": message}`` (the parser's message, with its hint)."""
    try:
        values = _inputs(inputs)
        out = parse(expression, values)
        leaves = _leaves(out, values)
        out.backward()
    except ExpressionError as error:
        return _json({"error": _message(error)})
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        return _json({"error": str(error)})
    return _json({"value": _number(out.data),
                  "grads": {name: _number(leaf.grad) for name, leaf in leaves.items()}})


def _leaves(out: Value, values: dict[str, float]) -> dict[str, Value]:
    """The leaf of each input name in ``out``'s graph (the parser labels each by its name)."""
    found = {n.label: n for n in topological_order(out) if not n.parents and not n.is_constant}
    return {name: found[name] for name in values if name in found}


# --- The playground: one expression at a time, walked step by step ----------------------


@dataclass
class Playground:
    """The state behind the playground page: the trace of the current expression, its
    walk, and the quiz's questions and score."""

    expression: str = ""
    values: dict[str, float] = field(default_factory=dict)
    record: Trace | None = None
    steps: list[Step] = field(default_factory=list)
    scene: Scene | None = None
    quiz: Quiz | None = None
    layouts: dict[str, dict] = field(default_factory=dict)  # a large graph's, by rankdir

    @_reported
    def load(self, expression: str, inputs: str) -> str:
        """Read ``expression`` at ``inputs`` and walk it; a name without a value gets
        :data:`DEFAULT_INPUT`.  Returns the names, value, gradients and step titles, or
        ``{"error": message}`` (the parser's words) and the names found so far."""
        # The same expression at new numbers (a slider): its names are those of before.
        same = expression == self.expression and self.scene is not None
        names = list(self.values) if same else input_names(expression)
        try:
            given = json.loads(inputs) if isinstance(inputs, str) else inputs
            given = given if isinstance(given, dict) else {}
            # Only the expression's names are read: others (a link's) are ignored.
            values = _inputs({name: given.get(name, DEFAULT_INPUT) for name in names})
            out = parse(expression, values)
            out.label = out.label or "out"
            # The same expression at new numbers (a slider): its graph keeps its layout.
            self.start(out, same_graph=same)
        except Exception as error:  # noqa: BLE001 -- any failure is the page's message
            return _json({"error": _message(error), "names": names})
        self.expression, self.values = expression, values
        leaves = _leaves(out, values)
        return _json({"names": names, "inputs": values, "value": _number(out.data),
                      "grads": {n: _number(leaf.grad) for n, leaf in leaves.items()},
                      "titles": [s.title for s in self.steps], "nodes": self.scene.size[0],
                      "questions": len(self.questions)})

    def start(self, out: Value, same_graph: bool = False) -> None:
        """Trace ``out`` and walk it: the state every frame and question is read from
        (any graph, made by the parser or by hand with any op of the table).
        ``same_graph``: ``out`` has the shape of the graph before (only its numbers
        differ), so the layout kept for a large graph still holds."""
        record = trace(out)
        steps = walk(record)
        if len(steps) > MAX_PAGE_STEPS:
            raise ValueError(_("this expression takes {steps} steps, over the playground's "
                               "budget of {budget}; type a smaller one",
                               steps=len(steps), budget=MAX_PAGE_STEPS))
        self.record, self.steps = record, steps
        self.scene = Scene.of_trace(record)
        if not same_graph or self.scene.size[0] < LARGE_GRAPH:
            self.layouts = {}
        self.quiz = Quiz(record, steps)

    @_reported
    def frame(self, index: int, rankdir: str = "LR", quiz: bool = False) -> str:
        """Step ``index`` of the walk: its picture (SVG, gradient-flow colours on the
        backward pass), title, sentences, formula and the id of its active node.  In a
        quiz, a backward step keeps its numbers hidden until its blanks are filled."""
        step = self.steps[index]
        asked = self.quiz.asked(index) if quiz else []
        hidden = quiz and self.quiz.hidden(index)
        svg = self._svg(self._picture(index, rankdir, hidden), rankdir)
        lines = step.lines[:1] if hidden else step.lines
        return _json({
            "index": index, "title": step.title, "lines": list(lines),
            "formula": "" if hidden else step.formula, "svg": svg,
            "active": node_ids(self.scene.order)[step.active],
            "backward": index > self._seed_index(),
            "questions": [self.quiz.ask(q) for q in asked], "score": self.score()})

    def _svg(self, graph, rankdir: str) -> str:
        """The frame's SVG; a large graph is laid out once and then only redrawn."""
        if self.scene.size[0] < LARGE_GRAPH:
            return rendering.render(graph.source, "svg").decode()
        if rankdir not in self.layouts:
            graph.graph_attr.update(ONE_LAYOUT)
            self.layouts[rankdir] = json.loads(
                rendering.render(graph.source, rendering.LAYOUT_FORMAT))
        svg = rendering.render(_at_positions(graph.source, self.layouts[rankdir]), "svg",
                               engine="nop2").decode()
        return _COMMENT.sub("", svg)  # a comment a node: nodes the page need not parse

    def _seed_index(self) -> int:
        """The seed's place in the walk: the backward steps follow it, to the end."""
        return self.quiz.seed_index

    def _picture(self, index: int, rankdir: str, hidden: bool):
        """The graph as step ``index`` leaves it (as the step before it, while hidden)."""
        values = {s.node: s.value for s in self.record.forward if s.is_constant}
        grads: dict[Value, float] = {}
        for step in self.steps[:index if hidden else index + 1]:
            values.update(step.values)
            grads.update(step.grads)
        step = self.steps[index]
        numbers = {"grads": grads, "gradient_flow": True} if index >= self._seed_index() \
            else {"values": values, "show_grad": False}
        graph = self.scene.draw(View(active=step.active, active_edges=step.active_edges,
                                     names=self.record.names, rankdir=rankdir, **numbers))
        graph.graph_attr.update(FAST_LAYOUT)
        return graph

    def chain_rule_step(self, index: int) -> BackwardStep:
        """The trace's record of the backward step at ``index`` of the walk."""
        return self.quiz.chain_rule_step(index)

    @_reported
    def answer(self, question: str, text: str) -> str:
        """Check the student's answer to ``question`` (an id from :meth:`frame`) with
        :meth:`autograd_mini.explain.quiz.Quiz.answer`: right, or wrong with a hint."""
        verdict = self.quiz.answer(question, text)
        if verdict["error"]:
            return _json({"ok": False, "error": verdict["error"]})
        return _json({key: verdict[key] for key in ("ok", "hint", "score", "answer")})

    @_reported
    def show(self, question: str) -> str:
        """Give up on ``question``: its answer is shown, and it does not score."""
        return _json(self.quiz.show(question))

    def _question(self, question: str) -> Question:
        return self.quiz.question(question)

    def hint(self, q: Question) -> str:
        """What a wrong answer is told (:meth:`autograd_mini.explain.quiz.Quiz.hint`)."""
        return self.quiz.hint(q)

    def score(self) -> dict:
        """Blanks right at the first try, out of all the blanks; and how many are done."""
        return self.quiz.score() if self.quiz else {"right": 0, "total": 0, "done": 0}

    @property
    def questions(self) -> dict[tuple[int, int, str], Question]:
        return self.quiz.questions if self.quiz else {}


def _at_positions(source: str, layout: dict) -> str:
    """DOT ``source`` with each node at its place in ``layout`` (graphviz's JSON of the
    same graph): its ``pos``, ``width`` and ``height``, and the graph's bounding box."""
    body = source.rstrip()
    if not body.endswith("}"):
        raise ValueError(_("not a graph's DOT text"))
    placed = "".join(
        f'\t{json.dumps(node["name"])} [pos="{node["pos"]}" width={float(node["width"])} '
        f'height={float(node["height"])}]\n'
        for node in layout.get("objects", []) if "pos" in node)
    return (f'{body[:-1]}\tgraph [bb="{layout["bb"]}"]\n{placed}}}\n')


playground = Playground()  # the page's one playground


# --- Check your op: a Primitive the student writes, against finite differences -----------

_BUILT_IN = dict(PRIMITIVES)  # the table as the package made it, restored before each run


@_reported
def check_op(code: str) -> str:
    """Run the student's ``code`` (in their own browser tab: it is typed there, never
    read from a link), then check every op it registered or replaced with ``gradcheck``
    at points inside the op's ``samples``.  Returns, per op, the table of analytic and
    numeric gradients, its formula, a trace sentence and the graph."""
    for name in list(PRIMITIVES):
        if name not in _BUILT_IN:
            del PRIMITIVES[name]
    PRIMITIVES.update(_BUILT_IN)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "<your op>", "exec"), {"__name__": "__your_op__"})
    except BaseException:  # the student's code: any error is shown, as Python wrote it
        lines = traceback.format_exc().splitlines()
        return _json({"ok": False, "error": "\n".join([lines[0], *lines[3:]][-6:]),
                      "printed": printed.getvalue()})
    mine = [p for name, p in PRIMITIVES.items() if _BUILT_IN.get(name) is not p]
    if not mine:
        return _json({"ok": False, "printed": printed.getvalue(),
                      "error": _("the code registered no op: end it with "
                                 "register(Primitive(...))")})
    reports = [_check_one(p) for p in mine]
    return _json({"ok": all(r["passed"] for r in reports), "ops": reports,
                  "printed": printed.getvalue()})


def _points(primitive: Primitive) -> list[list[float]]:
    """Two points inside the op's sample intervals (a variadic op: with two rows)."""
    arity = primitive.arity or primitive.layout.count(2)
    intervals = [primitive.samples[min(i, len(primitive.samples) - 1)][0]
                 for i in range(arity)]
    return [[lo + (hi - lo) * t for lo, hi in intervals] for t in (0.55, 0.3)]


def _check_one(primitive: Primitive) -> dict:
    """gradcheck of one op at :func:`_points`, with its table, formula, sentence and graph.

    The table holds a row per input at each point, and the op's one verdict, ``summary``,
    counts those same rows: the page shows no second table or count that could disagree."""
    f: Callable[..., Value] = lambda *xs: apply(primitive.name, *xs)
    rows, checks = [], []
    for point in _points(primitive):
        try:
            checked = check_gradients(f, point)[0]  # gradcheck's rows, without its verdict
        except Exception as error:  # the rule itself fails: say how
            return {"name": primitive.name, "passed": False, "rows": [], "formula": "",
                    "summary": _("gradcheck fails: the rule raised an error"),
                    "message": f"{type(error).__name__}: {error}", "sentences": [], "svg": "",
                    "notes": []}
        checks += checked
        rows += [[row.label, fmt(x), fmt(row.analytic), fmt(row.numeric),
                  f"{row.abs_error:.2e}", "ok" if row.ok else "WRONG"]
                 for x, row in zip(point, checked)]
    wrong = sum(not row.ok for row in checks)
    summary = (_("gradcheck fails: {wrong} of {rows} rows WRONG", wrong=wrong, rows=len(checks))
               if wrong else _("gradcheck passes: all {rows} rows ok", rows=len(checks)))
    notes = [f"{row[0]} at {row[1]}: {check.note}" for row, check in zip(rows, checks)
             if check.note]
    record = trace(f(*(Value(x, label=n) for x, n in zip(_points(primitive)[0], "xyzuvw"))))
    sentences = [c.local_text for step in record.backward for c in step.contributions]
    svg = rendering.render(Scene.of_trace(record).draw(View()).source, "svg").decode()
    return {"name": primitive.name, "passed": wrong == 0, "rows": rows,
            "formula": primitive.formula, "summary": summary, "message": "",
            "tolerance": _(TOLERANCE), "notes": notes, "sentences": sentences, "svg": svg}


@_reported
def function_names() -> str:
    """The functions an expression may call, for the page's hint line."""
    return _json(functions())


# --- The playground's networks: a backward pass at three zoom levels ----------------------

NETWORKS = ("symmetry", "family", "mlp")
LEVELS = ("nodes", "units", "layers")
# A nodes walk of more nodes than this is not drawn: its picture and the ~2 steps per node
# would take the page many seconds to lay out and the reader a long scroll to follow.
MAX_NETWORK_NODES = 300


def _symmetry_net():
    """The paper's 6-2-1 symmetry net on one pattern, a palindrome (target 1)."""
    from ..demos import symmetry

    pattern = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
    title = _("symmetry net 6-2-1, pattern {pattern}", pattern="101101")
    return symmetry.make_model(0), [pattern], [[1.0]], title


def _family_net():
    """The paper's family-trees net on its first query (a person and a relationship)."""
    from ..demos import family_trees as ft

    trees = ft.family_trees()
    (person, relation, target), = ft.encode(trees, trees.queries[:1])
    who, what = trees.queries[0]
    return (ft.FamilyNet(rng=random.Random(0)), [(person, relation)], [target],
            _("family-trees net, query: {person}'s {relation}", person=who, relation=what))


def _small_mlp():
    """A 2-3-1 MLP (tanh hidden units, a sigmoid output) on one case."""
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid",
                rng=random.Random(0))
    return model, [[0.5, -1.0]], [[1.0]], _("small MLP 2-3-1, input {inputs}", inputs="(0.5, -1)")


_MAKERS = {"symmetry": _symmetry_net, "family": _family_net, "mlp": _small_mlp}


@_reported
def network_walk(name: str, level: str) -> str:
    """The backward pass of network ``name`` (one of :data:`NETWORKS`) on its case, walked
    at ``level`` (nodes, units or layers) as the step viewer's page reads it: the pictures
    laid out each way, the frames' words, active ids and numbers.  A nodes walk over
    :data:`MAX_NETWORK_NODES` gives ``{"note": ...}`` instead of a picture."""
    if name not in _MAKERS or level not in LEVELS:
        return _json({"error": _("unknown network {name} or level {level}", name=repr(name),
                                 level=repr(level))})
    model, inputs, targets, title = _MAKERS[name]()
    if level != "nodes":
        return _json(zoomed_page_data(zoomed_walk(model, inputs, targets, level), title))
    loss = record_sweep(model, inputs, targets).loss
    size = len(topological_order(loss))
    if size > MAX_NETWORK_NODES:
        return _json({"title": title, "frames": [], "nodes": size, "note": _(
            "This network has {size} nodes: too many to draw one by one on this page. "
            "Choose the units or layers level to walk it.", size=size)})
    return _json({**page_data(trace(loss), title), "nodes": size})


@_reported
def network_names() -> str:
    """The networks and levels the playground offers, each network with its title."""
    return _json({"networks": {name: _MAKERS[name]()[3] for name in NETWORKS},
                  "levels": list(LEVELS)})
