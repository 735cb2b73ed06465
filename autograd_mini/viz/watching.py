"""Pictures of a training run (a :class:`~autograd_mini.explain.watch.TrainingRecord`).

Each panel is described once (:mod:`autograd_mini.viz.chart`) and drawn by matplotlib or
as this package's SVG, like every figure of the course:

* :func:`loss_panel` -- the error E over the steps;
* :func:`gradient_panel` -- ``‖∂E/∂W‖`` of each layer over the steps, on a log scale:
  vanishing gradients are a gap between the lines;
* :func:`ratio_panel` -- ``‖ΔW‖ / ‖W‖`` of each layer: how fast each layer learns;
* :func:`weights_panel` -- a layer's weights at a step, as a Hinton diagram;
* :func:`activity_panel` -- the units' activity for one probe pattern at a step;
* :func:`boundary_panel` -- a 2-D problem's decision boundary at a step.

:func:`run_figure` puts the first four together, and :func:`write_run_page` writes a
whole run as one HTML page with a slider and a Play button that needs nothing else to
open: each frame is one of the kept steps, drawn as SVG.
"""

from __future__ import annotations

import copy
import html
import json
import os
from collections.abc import Sequence
from pathlib import Path

from ..bridges.files import write_atomically
from ..core.language import _, current_language
from ..explain.units import shown_layer
from ..explain.watch import Snapshot, TrainingRecord
from .chart import Chart, Series
from .plots import Activity, Boundary, Figure, Hinton

__all__ = ["loss_panel", "gradient_panel", "ratio_panel", "weights_panel", "activity_panel",
           "boundary_panel", "run_panels", "run_figure", "write_run_page", "run_pictures",
           "panel_svg"]

def loss_panel(run: TrainingRecord, upto: int | None = None) -> Chart:
    """The error E after each kept step (up to step ``upto``), on a log scale."""
    return Chart([_positive(*_upto(run.series("loss"), upto))], _("training error E"),
                 _("step"), "E", log="y", grid=True)


def gradient_panel(run: TrainingRecord, upto: int | None = None) -> Chart:
    """``‖∂E/∂W‖`` per layer over the steps, on a log scale: where the lines part,
    the layers nearer the input learn more slowly (vanishing gradients)."""
    return _per_layer(run, "grad_norm", _("‖∂E/∂W‖ per layer"), upto)


def ratio_panel(run: TrainingRecord, upto: int | None = None) -> Chart:
    """``‖ΔW‖ / ‖W‖`` per layer: the size of each step against the size of the weights."""
    return _per_layer(run, "update_ratio", _("‖ΔW‖ / ‖W‖ per layer"), upto)


def _per_layer(run: TrainingRecord, what: str, title: str, upto: int | None) -> Chart:
    lines = [_positive(*_upto(run.series(what, name), upto), shown_layer(name))
             for name in run.layers]
    return Chart(lines, title, _("step"), log="y", grid=True)


def _positive(steps: list[int], values: list[float], label: str = "") -> Series:
    """The points a log scale can show: a step whose value is 0 (a dead relu layer's
    gradient) or not a number is left out, a gap in the line."""
    kept = [(s, v) for s, v in zip(steps, values) if v > 0 and v != float("inf")]
    return Series([s for s, _v in kept], [v for _s, v in kept], label)


def _upto(series: tuple[list[int], list[float]], upto: int | None) -> tuple[list, list]:
    steps, values = series
    if upto is None:
        return steps, values
    keep = [k for k, step in enumerate(steps) if step <= upto]
    return [steps[k] for k in keep], [values[k] for k in keep]


def weights_panel(run: TrainingRecord, layer: str, step: int | None = None) -> Hinton:
    """The weights into each unit of ``layer`` (a row a unit, the bias last) at the kept
    step nearest to ``step`` (the last by default), on one scale for the whole run so
    that the squares grow as the weights do."""
    snapshot = _snapshot(run, step)
    if layer not in snapshot.weights:
        raise ValueError(_("no layer {layer}: the layers are {layers}", layer=repr(layer),
                           layers=", ".join(run.layers)))
    largest = max((abs(w) for s in run.history for row in s.weights[layer] for w in row),
                  default=1.0) or 1.0
    rows = snapshot.weights[layer]
    columns = [f"w{i}" for i in range(1, len(rows[0]))] + ["b"]
    return Hinton(rows, largest, _at_step(shown_layer(layer), snapshot.step),
                  row_labels=[_("unit {number}", number=j) for j in range(1, len(rows) + 1)],
                  col_labels=columns)


def activity_panel(run: TrainingRecord, step: int | None = None, probe: int = 0) -> Activity:
    """Each layer's units for probe pattern ``probe`` at the kept step nearest ``step``."""
    snapshot = _snapshot(run, step)
    if not snapshot.activity:
        raise ValueError(_("this record has no activity: give watch() some probes"))
    rows = [(shown_layer(name), [min(max(a, 0.0), 1.0) for a in outputs[probe]], ())
            for name, outputs in snapshot.activity.items()]
    return Activity(rows, title=_at_step(_("probe {number}", number=probe + 1), snapshot.step))


def boundary_panel(run: TrainingRecord, model: object, points: Sequence[Sequence[float]],
                   labels: Sequence[float], step: int | None = None,
                   steps: int = 40) -> Boundary:
    """The decision boundary of ``model`` (the watched 2-input network) with the weights
    it had at the kept step nearest ``step``; the model itself is left as it is."""
    snapshot = _snapshot(run, step)
    then = _with_weights(model, snapshot)
    return Boundary(lambda x, y: then([x, y]).data, points, labels, steps,
                    _at_step(_("decision boundary"), snapshot.step))


def _at_step(what: str, step: int) -> str:
    return _("{what} at step {step}", what=what, step=step)


def _with_weights(model: object, snapshot: Snapshot) -> object:
    """A copy of ``model`` holding the weights of ``snapshot``."""
    then = copy.deepcopy(model)
    for layer, rows in zip(then.layers, snapshot.weights.values()):
        for neuron, row in zip(layer.neurons, rows):
            for p, w in zip([*neuron.w, neuron.b], row):
                p.data = w
    return then


def _snapshot(run: TrainingRecord, step: int | None) -> Snapshot:
    return run.history[-1] if step is None else run.at(step)


def run_panels(run: TrainingRecord, step: int | None = None) -> list:
    """The run up to ``step`` (all of it by default): the error, the gradient norms, and
    each layer's weights at that step."""
    snapshot = _snapshot(run, step)
    return [loss_panel(run, snapshot.step), gradient_panel(run, snapshot.step),
            *(weights_panel(run, name, snapshot.step) for name in run.layers)]


def run_figure(run: TrainingRecord, step: int | None = None) -> Figure:
    """:func:`run_panels` as one figure: the two charts above, the weights below."""
    panels = run_panels(run, step)
    return Figure([panels[:2], panels[2:]], size=(4.0 * max(2, len(panels) - 2), 6.5))


def write_run_page(run: TrainingRecord, path: str | os.PathLike, frames: int = 40,
                   title: str | None = None) -> Path:
    """Write the run as one self-contained HTML page: a slider over ``frames`` of the
    kept steps (evenly spread, the first and last always), a Play button, and for each
    frame the :func:`run_panels` at that step, each its own SVG so that a narrow screen
    stacks them.  Written whole or not at all."""
    if isinstance(frames, bool) or not isinstance(frames, int) or frames < 2:
        raise ValueError(_("frames must be a whole number of at least 2, got {frames}",
                           frames=repr(frames)))
    kept = run.history[1:] or run.history
    picks = sorted({round(k * (len(kept) - 1) / (frames - 1)) for k in range(frames)})
    pictures = [(kept[k].step, [panel_svg(panel) for panel in run_panels(run, kept[k].step)])
                for k in picks]
    return write_atomically(path, _page(pictures, title or _("A network learning")))


def run_pictures(run: TrainingRecord, boundary: tuple | None = None) -> dict[str, str]:
    """The run so far as SVG text by name: ``loss``, ``gradients``, each layer's weights
    by the layer's name, and, given ``boundary = (predict, points, labels)`` (``predict``
    of a 2-D point, positive on the +1 side), the decision ``boundary`` as it is now."""
    loss, gradients, *weights = run_panels(run)
    pictures = {"loss": panel_svg(loss), "gradients": panel_svg(gradients),
                **{name: panel_svg(panel) for name, panel in zip(run.layers, weights)}}
    if boundary is not None:
        predict, points, labels = boundary
        panel = Boundary(lambda x, y: predict([x, y]).data, points, labels, BOUNDARY_GRID,
                         _at_step(_("decision boundary"), run.step))
        pictures["boundary"] = panel_svg(panel)
    return pictures


BOUNDARY_GRID = 24  # a grid of 24 × 24 forward passes: quick enough to redraw live


def panel_svg(panel: object) -> str:
    """One panel as its own SVG: a chart wide, a Hinton diagram or boundary squarer."""
    size = (5.0, 3.2) if isinstance(panel, Chart) else (3.2, 2.8)
    return Figure(panel, size=size).svg()


def _page(pictures: list[tuple[int, list[str]]], title: str) -> str:
    frames = "\n".join(f'<figure data-step="{step}" hidden>{"".join(svgs)}</figure>'
                       for step, svgs in pictures)
    words = {"play": _("Play"), "pause": _("Pause"), "step": _("step {step}")}
    return PAGE.format(title=html.escape(title), frames=frames, lang=current_language(),
                       last=len(pictures) - 1, steps=json.dumps([s for s, _svgs in pictures]),
                       words=json.dumps(words, ensure_ascii=False).replace("<", "\\u003c"),
                       play=html.escape(words["play"]), slider=html.escape(_("step")))


PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem; }}
figure {{ margin: 0; display: flex; flex-wrap: wrap; gap: .5rem; }}
figure:not([hidden]) {{ display: flex; }} figure[hidden] {{ display: none; }}
figure svg {{ max-width: 100%; height: auto; }}
.controls {{ display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }}
input[type=range] {{ flex: 1; min-width: 10rem; }}
</style></head>
<body>
<h1>{title}</h1>
<div class="controls">
  <button id="play" type="button">{play}</button>
  <input id="frame" type="range" min="0" max="{last}" value="0" aria-label="{slider}">
  <output id="step"></output>
</div>
{frames}
<script>
// One frame shown at a time; Play walks through them about eight a second.
const figures = document.querySelectorAll("figure");
const steps = {steps};
const words = {words};  // this page's words, in the language it was written in
const slider = document.getElementById("frame");
const play = document.getElementById("play");
let timer = null;
function show(k) {{
  figures.forEach((figure, j) => {{ figure.hidden = j !== k; }});
  slider.value = k;
  document.getElementById("step").textContent = words.step.replace("{{step}}", steps[k]);
}}
function stop() {{ clearInterval(timer); timer = null; play.textContent = words.play; }}
slider.addEventListener("input", () => {{ stop(); show(Number(slider.value)); }});
play.addEventListener("click", () => {{
  if (timer) return stop();
  if (Number(slider.value) === steps.length - 1) show(0);
  play.textContent = words.pause;
  timer = setInterval(() => {{
    const next = Number(slider.value) + 1;
    show(next);
    if (next === steps.length - 1) stop();  // the last frame: stay on it
  }}, 120);
}});
show(0);
</script>
</body></html>
"""
