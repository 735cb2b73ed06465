"""The step-by-step pass as pictures: graph frames and a self-contained HTML viewer.

    >>> from autograd_mini import Value
    >>> from autograd_mini.trace import trace
    >>> from autograd_mini.viz.steps import frames
    >>> x = Value(3.0, label="x")
    >>> len(frames(trace(x * x)))  # x given, x*x computed, the seed, one backward step
    4

Each frame is a graph with the active node and edges highlighted, the values and
gradients known so far filled in, and the sentence that explains the step.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from ..engine import Value
from ..files import write_atomically
from ..naming import fmt
from ..trace import Trace, trace
from .graph import Graph, GraphvizTimeout, draw_dot, render

__all__ = ["Step", "walk", "Frame", "frames", "frame_count", "save_frames", "steps_html",
           "save_steps_html"]


@dataclass(frozen=True)
class Step:
    """One step of the walk, without its picture: what it says, which node and edges it
    works on, and the values or gradients it makes known."""

    title: str
    lines: tuple[str, ...]
    formula: str
    active: Value
    active_edges: tuple[tuple[Value, Value], ...]
    values: dict[Value, float]  # data that becomes known at this step
    grads: dict[Value, float]   # gradients as they stand after this step


@dataclass(frozen=True)
class Frame:
    """One picture of the walk: its graph, a title and the lines that explain it."""

    graph: Graph
    title: str
    lines: tuple[str, ...]
    formula: str = ""


def walk(record: Trace) -> list[Step]:
    """The forward pass node by node, then the seed, then the backward pass chain-rule
    step by chain-rule step: the words of the step viewer and of the notebook explorer,
    all taken from the trace."""
    out = record.names[record.output]
    result = []
    forward = [s for s in record.forward if not s.is_constant]
    for i, step in enumerate(forward, 1):
        formula = step.node.primitive.formula if step.node.primitive else ""
        result.append(Step(f"Forward {i} of {len(forward)}", (step.sentence,), formula,
                           step.node, tuple((p, step.node) for p in step.node.parents),
                           {step.node: step.value}, {}))
    seed = f"∂{out}/∂{out} = {fmt(record.grads[record.output])}: the output's gradient with " \
           "respect to itself starts the backward pass."
    result.append(Step("Backward: the seed", (seed,), "", record.output, (), {},
                       {record.output: record.grads[record.output]}))
    for i, step in enumerate(record.backward, 1):
        shown = step.contributions
        lines = (f"Upstream gradient ∂{out}/∂{step.name} = {fmt(step.upstream)}",
                 *(f"local: {c.local_text}" for c in shown),
                 *(c.sentence + (f"   (now {fmt(c.grad_after)})" if c.grad_before else "")
                   for c in shown))
        result.append(Step(
            f"Backward {i} of {len(record.backward)}: through {step.op} at {step.name}",
            lines, step.formula, step.node, tuple((c.parent, step.node) for c in shown), {},
            {c.parent: c.grad_after for c in shown}))
    return result


def frames(record: Trace, *, rankdir: str = "LR") -> list[Frame]:
    """Each step of :func:`walk` as a picture: the active node and edges highlighted,
    the values and gradients known so far filled in."""
    values = {s.node: s.value for s in record.forward if s.is_constant}
    grads: dict[Value, float] = {}
    result = []
    for step in walk(record):
        values.update(step.values)
        grads.update(step.grads)
        backward = bool(grads)
        graph = draw_dot(record.output, rankdir=rankdir, active=step.active,
                         active_edges=step.active_edges, names=record.names,
                         **({"grads": dict(grads)} if backward else
                            {"values": dict(values), "show_grad": False}))
        result.append(Frame(graph, step.title, step.lines, step.formula))
    return result


def frame_count(record: Trace) -> int:
    """How many frames :func:`frames` makes, counted without drawing them."""
    return sum(not s.is_constant for s in record.forward) + 1 + len(record.backward)


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
    walk = frames(record)
    data = {"title": title, "frames": [
        {"svg": svg.decode(), "title": frame.title, "lines": list(frame.lines),
         "formula": frame.formula}
        for frame, svg in zip(walk, _render_all(walk, "svg", timeout))
    ]}
    # Inside <script>, only "<" can end the block or open a comment: write it as \u003c.
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    before, after = _PAGE.split(_DATA)
    return before + payload + after


def save_steps_html(output: Value | Trace, path: str | Path, **kwargs) -> Path:
    """Write :func:`steps_html` to ``path`` (whole or not at all, with open()'s mode)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder {str(path.parent)!r} does not exist")
    return write_atomically(path, steps_html(output, **kwargs))


def _render_all(walk: list[Frame], format: str, timeout: float | None) -> list[bytes]:
    """Each frame's picture, all within ``timeout`` seconds."""
    if timeout is None:
        return [render(frame.graph, format) for frame in walk]
    end, pictures = time.monotonic() + timeout, []
    for i, frame in enumerate(walk, 1):
        left = end - time.monotonic()
        try:
            if left <= 0:
                raise GraphvizTimeout
            pictures.append(render(frame.graph, format, timeout=left))
        except GraphvizTimeout:
            raise GraphvizTimeout(f"graphviz `dot` did not draw the {len(walk)} frames within "
                                f"{timeout:g} s (stopped at frame {i}); "
                                "step through a smaller expression") from None
    return pictures


_DATA = "{{DATA}}"  # the one place the page takes data
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Step by step</title>
<style>
  :root { --accent: #dc2626; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
         sans-serif; color: var(--ink); background: #f9fafb; }
  header { padding: 14px 24px; background: white; border-bottom: 1px solid var(--line); }
  header h1 { margin: 0; font-size: 20px; }
  header p { margin: 4px 0 0; color: var(--muted); font-size: 14px; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); gap: 16px;
         padding: 16px 24px; }
  #picture { background: white; border: 1px solid var(--line); border-radius: 8px;
             padding: 12px; overflow: auto; min-height: 320px; }
  #picture svg { display: block; max-width: none; height: auto; }
  #explain { background: white; border: 1px solid var(--line); border-radius: 8px;
             padding: 16px; }
  #step-title { margin: 0 0 12px; font-size: 17px; }
  #step-lines { margin: 0; padding: 0; list-style: none; }
  #step-lines li { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 14px;
                   padding: 6px 8px; margin-bottom: 6px; background: #f3f4f6;
                   border-left: 3px solid var(--accent); border-radius: 4px;
                   white-space: pre-wrap; }
  #formula { margin-top: 14px; color: var(--muted); font-size: 13px; }
  #formula code { color: var(--ink); }
  nav { display: flex; align-items: center; gap: 12px; padding: 0 24px 24px; }
  button { font: inherit; padding: 8px 16px; border-radius: 6px; border: 1px solid #d1d5db;
           background: white; cursor: pointer; }
  button:hover:not(:disabled) { border-color: var(--accent); }
  button:disabled { opacity: 0.4; cursor: default; }
  #slider { flex: 1; accent-color: var(--accent); }
  #counter { min-width: 90px; text-align: right; color: var(--muted);
             font-variant-numeric: tabular-nums; }
  .hint { color: var(--muted); font-size: 13px; }
  @media (max-width: 1200px) { main { grid-template-columns: minmax(0, 1fr); } }
</style>
</head>
<body>
<header>
  <h1 id="page-title"></h1>
  <p>The forward pass computes each node from its parents; the backward pass sends the
     gradient from the output back to every input by the chain rule. Red marks the step.</p>
</header>
<main>
  <div id="picture" aria-live="polite"></div>
  <section id="explain">
    <h2 id="step-title"></h2>
    <ul id="step-lines"></ul>
    <div id="formula"></div>
  </section>
</main>
<nav>
  <button id="prev" type="button">&larr; Previous</button>
  <input id="slider" type="range" min="0" value="0" aria-label="step">
  <button id="next" type="button">Next &rarr;</button>
  <span id="counter"></span>
</nav>
<p class="hint" style="padding: 0 24px">Keys: &larr; &rarr; step, Home / End jump.</p>
<script id="steps-data" type="application/json">{{DATA}}</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var frames = data.frames;
  document.title = data.title;
  document.getElementById("page-title").textContent = data.title;
  var picture = document.getElementById("picture");
  var title = document.getElementById("step-title");
  var lines = document.getElementById("step-lines");
  var formula = document.getElementById("formula");
  var slider = document.getElementById("slider");
  var prev = document.getElementById("prev");
  var next = document.getElementById("next");
  var counter = document.getElementById("counter");
  var current = 0;
  slider.max = String(frames.length - 1);

  // Fit the picture to its box, but never so small that its text drops below
  // MIN_TEXT_PX on screen: a big graph keeps readable text and scrolls instead.
  var MIN_TEXT_PX = 12;
  function fit(svg) {
    if (!svg) return;
    var box = svg.viewBox.baseVal, natural = svg.width.baseVal.value;
    var sizes = Array.prototype.map.call(svg.querySelectorAll("text[font-size]"),
      function (t) { return parseFloat(t.getAttribute("font-size")); });
    var smallest = sizes.length ? Math.min.apply(null, sizes) : 14;
    var readable = MIN_TEXT_PX * box.width / smallest;  // the width that keeps text legible
    var width = Math.max(readable, Math.min(picture.clientWidth - 26, 1.5 * natural));
    svg.style.width = width + "px";
    svg.style.height = (width * box.height / box.width) + "px";
  }

  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    var frame = frames[current];
    picture.innerHTML = frame.svg;
    fit(picture.querySelector("svg"));
    title.textContent = frame.title;
    lines.innerHTML = "";
    frame.lines.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      lines.appendChild(item);
    });
    formula.innerHTML = "";
    if (frame.formula) {
      formula.appendChild(document.createTextNode("From the op table: "));
      var code = document.createElement("code");
      code.textContent = frame.formula;
      formula.appendChild(code);
    }
    slider.value = String(current);
    counter.textContent = (current + 1) + " / " + frames.length;
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
  }

  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(Number(slider.value)); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { show(0); event.preventDefault(); }
    else if (event.key === "End") { show(frames.length - 1); event.preventDefault(); }
  });
  show(0);
})();
</script>
</body>
</html>
"""
