"""The step-by-step pass as pictures: graph frames and a self-contained HTML viewer.

    >>> from autograd_mini import Value
    >>> from autograd_mini.explain.trace import trace
    >>> from autograd_mini.viz.steps import frames
    >>> x = Value(3.0, label="x")
    >>> len(frames(trace(x * x)))  # x given, x*x computed, the seed, one backward step
    4

Each frame is a graph with the active node and edges highlighted, the values and
gradients known so far filled in, and the sentence that explains the step (the step
narrative of :func:`autograd_mini.explain.trace.walk`).  The graph is walked once, by the trace.

The viewer's page (the package file ``steps.html``, with the step viewers' shared module
``stepviewer.js`` written into it by :func:`with_viewer`) lays the graph out once, left to
right and top to bottom, each laid out for the widest number a node shows in any step;
a step changes only colours and numbers, so no node moves while the student walks.  The
page picks the layout that fits its window, keeps graph text at 11 px or more, and
follows the active node.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..bridges.files import write_atomically
from ..core.engine import Value
from ..core.language import _, current_language, ngettext, page_words
from ..core.naming import fmt
from ..explain.trace import Step, Trace, step_count, trace, walk
from ..explain.units import record_sweep
from ..nn import Module
from . import rendering
from .graph import Graph, GraphvizTimeout, Scene, View, compact, node_ids
from .zoom import ZoomedWalk, zoomed_walk

__all__ = ["Step", "walk", "Frame", "frames", "frame_count", "save_frames", "steps_html",
           "save_steps_html", "page_data", "zoomed_page_data", "VIEWER", "with_viewer",
           "script_hash"]

frame_count = step_count  # a frame for each step of the walk
_PAGE = Path(__file__).with_name("steps.html")
_DATA = "{{DATA}}"  # the one place the page takes data
# The words of its HTML, written in the reader's language before any script runs.
_WORDS = re.compile(r"\{\{(LANG|TITLE|STEP)\}\}")
# The step viewers' one module: this page, the explorer and the site's playground use it.
VIEWER = Path(__file__).with_name("stepviewer.js")
_IMPORT = re.compile(r'import \{([^}]*)\} from "\./stepviewer\.js";')


@dataclass(frozen=True)
class Frame:
    """One picture of the walk: its graph, a title and the lines that explain it."""

    graph: Graph
    title: str
    lines: tuple[str, ...]
    formula: str = ""


def frames(record: Trace, *, rankdir: str = "LR") -> list[Frame]:
    """Each step of :func:`~autograd_mini.explain.trace.walk` as a picture: the active node and
    edges highlighted, the values and gradients known so far filled in."""
    scene = Scene.of_trace(record)
    values = {s.node: s.value for s in record.forward if s.is_constant}
    grads: dict[Value, float] = {}
    result = []
    for step in walk(record):
        values.update(step.values)
        grads.update(step.grads)
        view = _view(step, values, grads, record.names, rankdir)
        result.append(Frame(scene.draw(view), step.title, step.lines, step.formula))
    return result


def _view(step: Step, values: dict, grads: dict, names: dict, rankdir: str) -> View:
    """What a step's picture shows: forward, the values known so far; backward, the
    gradients known so far."""
    numbers = {"grads": dict(grads)} if grads else {"values": dict(values), "show_grad": False}
    return View(active=step.active, active_edges=step.active_edges, names=names,
                rankdir=rankdir, **numbers)


def save_frames(record: Trace, folder: str | Path, format: str = "svg", *,
                timeout: float | None = None) -> list[Path]:
    """Write every frame as ``step_001.svg`` (or png, pdf) into ``folder``;
    ``timeout``: seconds ``dot`` may take for all of them."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pictures = _render_all([frame.graph for frame in frames(record)], format, timeout)
    paths = [folder / f"step_{i:03d}.{format}" for i in range(1, len(pictures) + 1)]
    for path, picture in zip(paths, pictures):
        write_atomically(path, picture)
    return paths


def steps_html(output: Value | Trace | None = None,
               title: str | None = None, *, level: str = "nodes",
               model: Module | None = None, cases: tuple[Sequence, Sequence] | None = None,
               timeout: float | None = None) -> str:
    """One self-contained HTML page (pictures and script inline, no network) that walks
    through the forward and backward pass with Previous/Next, arrow keys and a slider.

    ``level`` zooms out on a network: ``"nodes"`` walks every scalar node of ``output``
    (a Value or a trace); ``"units"`` and ``"layers"`` walk the backward pass of
    ``E = ½ Σ_c Σ_j (y_jc − d_jc)²`` of ``model`` on ``cases = (inputs, targets)`` one
    unit or one layer at a time (:mod:`.zoom`), each picture drawn at that level.  With
    ``model`` and ``cases``, ``"nodes"`` walks that E node by node.

    All text (title, explanations, formulas) travels as JSON data and reaches the page
    as text, never as markup; ``timeout``: seconds ``dot`` may take for the pictures.
    """
    if level != "nodes" or output is None:
        if model is None or cases is None:
            raise TypeError(_("level={level} needs the network and its cases: "
                              "steps_html(level=..., model=net, cases=(inputs, targets))",
                              level=repr(level)))
        if level == "nodes":
            output = record_sweep(model, *cases).loss
    title = title if title is not None else _("Backpropagation, step by step")
    if level == "nodes":
        record = output if isinstance(output, Trace) else trace(output)
        data = page_data(record, title, timeout)
    else:
        data = zoomed_page_data(zoomed_walk(model, *cases, level), title, timeout)
    page = with_viewer(_PAGE.read_text(encoding="utf-8"))
    data.update(lang=current_language(), words=page_words(page))  # the reader's language
    # Inside <script>, only "<" can end the block or open a comment: write it as \u003c.
    payload = json.dumps(data, ensure_ascii=False)
    before, after = (_in_language(part, title) for part in page.split(_DATA))
    return before + payload.replace("<", "\\u003c") + after


def script_hash() -> str:
    """The page's one script as a Content-Security-Policy source, ``'sha256-…'``: the
    same in every page :func:`steps_html` makes (its data is a JSON block, not a script),
    so a site whose policy allows no inline script may name this one and show the pages
    in a ``srcdoc`` frame (which is under its parent's policy)."""
    page = with_viewer(_PAGE.read_text(encoding="utf-8"))
    scripts = re.findall(r'<script type="module">(.*?)</script>', page, re.S)
    if len(scripts) != 1 or "{{" in scripts[0]:
        raise ValueError("expected one module script, with no placeholder, in steps.html")
    digest = hashlib.sha256(scripts[0].encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def _in_language(html_text: str, title: str) -> str:
    """The page's own HTML words in the reader's language from the start: ``<html lang>``,
    the ``<title>``, the slider's label (the data, a title too, is already cut out)."""
    words = {"LANG": current_language(), "TITLE": html.escape(title),
             "STEP": html.escape(_("step"))}
    return _WORDS.sub(lambda found: words[found[1]], html_text)


def zoomed_page_data(walk: ZoomedWalk, title: str, timeout: float | None = None) -> dict:
    """:func:`page_data` for a walk at the units or layers level (:mod:`.zoom`)."""
    pictures = _render_all(list(walk.graphs.values()), "svg", timeout)
    return {"title": title, "given": walk.given, "constants": walk.constants, "fixed": walk.fixed,
            "pictures": {layout: svg.decode() for layout, svg in zip(walk.graphs, pictures)},
            "frames": walk.frames}


def with_viewer(script: str) -> str:
    """``script`` (a module, or a page's module script) with its one import of the step
    viewer's module replaced by that module's text: one file that loads nothing else."""
    viewer = VIEWER.read_text(encoding="utf-8")
    exported = set(re.findall(r"^export (?:const|function) (\w+)", viewer, re.M))
    found = list(_IMPORT.finditer(script))
    names = {name.strip() for name in found[0][1].split(",")} - {""} if found else set()
    if len(found) != 1 or not names <= exported:
        raise ValueError("expected one import of names that stepviewer.js exports")
    if "<!--" in viewer:  # it would change how HTML reads the <script> it goes into
        raise ValueError("stepviewer.js must not hold '<!--'")
    # "</" as "<\/" (the same in a JS string or regex): no "</script>" ends the block early.
    body = re.sub(r"^export ", "", viewer, flags=re.M).replace("</", "<\\/")
    return script[:found[0].start()] + body + script[found[0].end():]


def page_data(record: Trace, title: str, timeout: float | None = None) -> dict:
    """What the viewer's page shows: the graph laid out once each way (``wide``: left to
    right, ``tall``: top to bottom), and for each step its words, its active node and
    edges (by their ids in the pictures) and the numbers known so far, as text."""
    scene = Scene.of_trace(record)
    ids = node_ids(scene.order)
    shown = _shown_numbers(record, walk(record), ids)
    widest = {node: (_widest(shown, "values", ids[node]), _widest(shown, "grads", ids[node]))
              for node in scene.order if not node.is_constant}
    views = {layout: View(names=record.names, texts=widest, rankdir=rankdir)
             for layout, rankdir in (("wide", "LR"), ("tall", "TB"))}
    graphs = {layout: compact(scene.draw(view)) for layout, view in views.items()}
    pictures = _render_all(list(graphs.values()), "svg", timeout)
    return {"title": title, "given": _few(record.given),
            "pictures": {layout: svg.decode() for layout, svg in zip(graphs, pictures)},
            "constants": {ids[n]: fmt(n.data) for n in scene.order if n.is_constant},
            "frames": shown}


def _few(given: str, most: int = 6) -> str:
    """The inputs for the page's header: all of them, or the first ``most`` and a count
    (a model's parameters would fill the screen)."""
    parts = given.split(", ")
    if len(parts) <= most:
        return given
    return ngettext("{shown}, … and {count} more", "{shown}, … and {count} more",
                    len(parts) - most, shown=", ".join(parts[:most]))


def _shown_numbers(record: Trace, steps: list[Step], ids: dict[Value, str]) -> list[dict]:
    """Each step as the page reads it: its words, its active node and edges, and every
    number known after it (data forward, data and gradients backward), as text."""
    values: dict[str, str] = {}
    grads: dict[str, str] = {}
    frames_ = []
    for step in steps:
        values.update({ids[n]: fmt(v) for n, v in step.values.items()})
        grads.update({ids[n]: fmt(g) for n, g in step.grads.items()})
        frames_.append({"title": step.title, "lines": list(step.lines),
                        "formula": step.formula, "active": ids[step.active],
                        "edges": [[ids[a], ids[b]] for a, b in step.active_edges],
                        "values": dict(values), "grads": dict(grads)})
    return frames_


def _widest(shown: list[dict], kind: str, id_: str) -> str:
    """The longest text node ``id_`` shows in any frame ("?" while it is not known):
    the picture is laid out for it, so no later number overflows its field."""
    return max(("?", *(frame[kind][id_] for frame in shown if id_ in frame[kind])), key=len)


def save_steps_html(output: Value | Trace, path: str | Path, **kwargs) -> Path:
    """Write :func:`steps_html` to ``path`` (whole or not at all, with open()'s mode)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(_("the folder {folder} does not exist",
                                  folder=repr(str(path.parent))))
    return write_atomically(path, steps_html(output, **kwargs))


def _render_all(graphs: list[Graph], format: str, timeout: float | None) -> list[bytes]:
    """Each graph's picture, all within ``timeout`` seconds."""
    end = None if timeout is None else time.monotonic() + timeout
    pictures = []
    for i, graph in enumerate(graphs, 1):
        left = None if end is None else end - time.monotonic()
        try:
            if left is not None and left <= 0:
                raise GraphvizTimeout
            pictures.append(rendering.render(graph.source, format, timeout=left,
                                             size=graph.size))
        except GraphvizTimeout:
            raise GraphvizTimeout(_("graphviz `dot` did not draw the {count} pictures "
                                    "within {seconds} s (stopped at picture {at}); "
                                    "step through a smaller expression", count=len(graphs),
                                    seconds=f"{timeout:g}", at=i)) from None
    return pictures
