"""The step-by-step pass as pictures: graph frames and a self-contained HTML viewer.

    >>> from autograd_mini import Value
    >>> from autograd_mini.trace import trace
    >>> from autograd_mini.viz.steps import frames
    >>> x = Value(3.0, label="x")
    >>> len(frames(trace(x * x)))  # x given, x*x computed, the seed, one backward step
    4

Each frame is a graph with the active node and edges highlighted, the values and
gradients known so far filled in, and the sentence that explains the step (the step
narrative of :func:`autograd_mini.trace.walk`).  The graph is walked once, by the trace;
each frame is drawn once.  The viewer's page is the package file ``steps.html``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..engine import Value
from ..files import write_atomically
from ..trace import Step, Trace, step_count, trace, walk
from . import rendering
from .graph import Graph, GraphvizTimeout, Scene, View

__all__ = ["Step", "walk", "Frame", "frames", "frame_count", "save_frames", "steps_html",
           "save_steps_html"]

frame_count = step_count  # a frame for each step of the walk
_PAGE = Path(__file__).with_name("steps.html")
_DATA = "{{DATA}}"  # the one place the page takes data


@dataclass(frozen=True)
class Frame:
    """One picture of the walk: its graph, a title and the lines that explain it."""

    graph: Graph
    title: str
    lines: tuple[str, ...]
    formula: str = ""


def frames(record: Trace, *, rankdir: str = "LR") -> list[Frame]:
    """Each step of :func:`~autograd_mini.trace.walk` as a picture: the active node and
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
    pictures = _render_all(frames(record), format, timeout)
    paths = [folder / f"step_{i:03d}.{format}" for i in range(1, len(pictures) + 1)]
    for path, picture in zip(paths, pictures):
        write_atomically(path, picture)
    return paths


def steps_html(output: Value | Trace, title: str = "Backpropagation, step by step", *,
               timeout: float | None = None) -> str:
    """One self-contained HTML page (pictures and script inline, no network) that walks
    through the forward and backward pass with Previous/Next, arrow keys and a slider.

    All text (title, explanations, formulas) travels as JSON data and reaches the page
    as text, never as markup; ``timeout``: seconds ``dot`` may take for all the frames.
    """
    record = output if isinstance(output, Trace) else trace(output)
    walked = frames(record)
    data = {"title": title, "frames": [
        {"svg": svg.decode(), "title": frame.title, "lines": list(frame.lines),
         "formula": frame.formula}
        for frame, svg in zip(walked, _render_all(walked, "svg", timeout))
    ]}
    # Inside <script>, only "<" can end the block or open a comment: write it as \u003c.
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    before, after = _PAGE.read_text(encoding="utf-8").split(_DATA)
    return before + payload + after


def save_steps_html(output: Value | Trace, path: str | Path, **kwargs) -> Path:
    """Write :func:`steps_html` to ``path`` (whole or not at all, with open()'s mode)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder {str(path.parent)!r} does not exist")
    return write_atomically(path, steps_html(output, **kwargs))


def _render_all(walked: list[Frame], format: str, timeout: float | None) -> list[bytes]:
    """Each frame's picture, all within ``timeout`` seconds."""
    end = None if timeout is None else time.monotonic() + timeout
    pictures = []
    for i, frame in enumerate(walked, 1):
        left = None if end is None else end - time.monotonic()
        try:
            if left is not None and left <= 0:
                raise GraphvizTimeout
            pictures.append(rendering.render(frame.graph.source, format, timeout=left,
                                             size=frame.graph.size))
        except GraphvizTimeout:
            raise GraphvizTimeout(f"graphviz `dot` did not draw the {len(walked)} frames "
                                  f"within {timeout:g} s (stopped at frame {i}); "
                                  "step through a smaller expression") from None
    return pictures
