"""The picture follows the step: in every frame of the step viewer and of the explorer, at
a desktop window (1000 × 700) and a phone (390 × 844), the active node lies inside the
visible part of the picture, its text is drawn at 11 px or more, the controls are on
screen, and no node moves from one frame to the next (the graph is laid out once).

Set AUTOGRAD_MINI_SHOTS=folder to keep a screenshot of the first, middle and last frame
of each walk there, and the figures measured (figures.json).
"""

import json
import os
import random
from pathlib import Path

import pytest

from autograd_mini import Value
from autograd_mini.cli import worked_example
from autograd_mini.nn import MLP

SIZES = {"desktop": (1000, 700), "phone": (390, 844)}


def tour():
    return worked_example()  # o = tanh(x*w + b), the demo's neuron


def square():
    x = Value(2.0, label="x")
    return x * x + 3 * x


def sigmoid_chain():  # notebook 2: eight sigmoids deep
    h = Value(0.5, label="x")
    for k in range(8):
        h = (h * 2.0).sigmoid()
        h.label = f"h{k + 1}"
    return h


def mlp():  # 37 nodes: three inputs, four tanh neurons, one linear neuron, a squared error
    model = MLP(3, [4, 1], activation="tanh", rng=random.Random(0))
    return (model([1.0, -2.0, 0.5]) - 1.0) ** 2


GRAPHS = {"tour": tour, "square": square, "sigmoid-chain": sigmoid_chain, "mlp": mlp}
# The two big graphs take seconds a frame walk: the quick loop (-m "not slow") leaves them out.
QUICK_AND_SLOW_GRAPHS = [pytest.param(name, marks=pytest.mark.slow)
                         if name in ("sigmoid-chain", "mlp") else name for name in GRAPHS]

# In the page: where the active node is, whether it and its edges are inside the visible
# part of the picture box (the box's inside, cut to the window), how big its text is drawn,
# whether the controls are on screen, and every node's place in the picture's own units.
MEASURE = """([box, active, controls]) => {
  const picture = document.querySelector(box);
  const outer = picture.getBoundingClientRect();
  const seen = { left: Math.max(0, outer.left + picture.clientLeft),
                 top: Math.max(0, outer.top + picture.clientTop) };
  seen.right = Math.min(window.innerWidth, outer.left + picture.clientLeft + picture.clientWidth);
  seen.bottom = Math.min(window.innerHeight, outer.top + picture.clientTop + picture.clientHeight);
  const inside = (el) => { const r = el.getBoundingClientRect();
    return r.left >= seen.left - 0.5 && r.right <= seen.right + 0.5 &&
           r.top >= seen.top - 0.5 && r.bottom <= seen.bottom + 0.5; };
  const node = picture.querySelector(active);
  const op = picture.querySelector(active + "_op");
  const edges = Array.from(picture.querySelectorAll("g.edge.active-edge"));
  const texts = Array.from(picture.querySelectorAll("svg text"));
  const size = (t) => parseFloat(t.getAttribute("font-size")) * t.getScreenCTM().a;
  const places = {};
  for (const g of picture.querySelectorAll("g.node")) {
    const b = g.getBBox();
    places[g.id] = [b.x, b.y, b.width, b.height].map((v) => Math.round(v * 100) / 100);
  }
  const onScreen = controls.every((selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth &&
           r.bottom <= window.innerHeight; });
  return { node: inside(node) && (!op || inside(op)), edges: edges.every(inside),
           edgeCount: edges.length, activeText: Math.min(...Array.from(
             node.querySelectorAll("text"), size)),
           smallestText: Math.min(...texts.map(size)), controls: onScreen, places,
           layout: picture.dataset.layout,
           pageWidth: document.documentElement.scrollWidth };
}"""

FIGURES: dict = {}


def _shots():
    folder = os.environ.get("AUTOGRAD_MINI_SHOTS")
    return Path(folder) if folder else None


def _walk(page, frames, go, box, active_of, controls, name):
    """Visit every frame (``go(i)``), measure each, keep screenshots of a few."""
    seen = []
    for i in range(frames):
        go(i)
        seen.append(page.evaluate(MEASURE, [box, "#" + active_of(i), controls]))
        folder = _shots()
        if folder is not None and i in (0, frames // 2, frames - 1):
            page.screenshot(path=str(folder / f"{name}-{i + 1:02d}.png"))
    return seen


def _check(seen, name):
    """Every frame: the node in view at ≥ 11 px, the controls on screen, nothing moved."""
    FIGURES[name] = {"frames": len(seen),
                     "smallest_text_px": round(min(s["smallestText"] for s in seen), 2),
                     "active_in_view": sum(s["node"] for s in seen),
                     "edges_in_view": sum(s["edges"] for s in seen),
                     "layout": seen[0]["layout"]}
    folder = _shots()
    if folder is not None:
        (folder / "figures.json").write_text(json.dumps(FIGURES, indent=1))
    print(name, FIGURES[name])
    for i, s in enumerate(seen, 1):
        assert s["node"], f"frame {i}: the active node is out of view"
        assert s["activeText"] >= 11 and s["smallestText"] >= 11, f"frame {i}: text {s}"
        assert s["controls"], f"frame {i}: the step counter or a button is off screen"
        assert s["places"] == seen[0]["places"], f"frame {i}: nodes moved"
        assert s["pageWidth"] <= 1000
    return FIGURES[name]


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("graph", QUICK_AND_SLOW_GRAPHS)
def test_the_step_viewer_follows_every_step(browser, tmp_path, graph, size):
    from autograd_mini.viz.steps import save_steps_html

    path = save_steps_html(GRAPHS[graph](), tmp_path / "steps.html")
    width, height = SIZES[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(path.as_uri())
    frames = int(page.inner_text("#counter").split("/")[1])
    data = json.loads(page.text_content("#steps-data"))

    def go(i):
        if i:
            page.keyboard.press("ArrowRight")
        assert page.inner_text("#counter") == f"{i + 1} / {frames}"

    seen = _walk(page, frames, go, "#picture", lambda i: data["frames"][i]["active"],
                 ["#prev", "#next", "#counter"], f"steps-{graph}-{width}x{height}")
    figures = _check(seen, f"steps {graph} {width}x{height}")
    if graph in ("tour", "square"):  # small graphs: the edges explained are in view too
        assert figures["edges_in_view"] == frames
    if size == "phone":
        assert seen[0]["layout"] == "tall"  # top to bottom on a narrow screen
    page.close()


_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><style>%s</style></head>
<body style="margin: 8px"><div id="root"></div></body></html>"""


def open_explorer(browser, ex, width, height):
    """The explorer's page against a stand-in for the widget model (test_explorer.py's)."""
    from test_explorer import _FAKE_MODEL, ESM, MODULE, _state

    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_content(_PAGE % (ESM.parent / "explorer.css").read_text())
    page.evaluate(_FAKE_MODEL, [MODULE, json.loads(json.dumps(_state(ex)))])
    page.wait_for_selector(".am-explorer[data-ready=true]")
    return page


@pytest.mark.browser
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("graph", QUICK_AND_SLOW_GRAPHS)
def test_the_explorer_follows_every_step(browser, graph, size):
    from autograd_mini import explore

    ex = explore(GRAPHS[graph]())
    width, height = SIZES[size]
    page = open_explorer(browser, ex, width, height)
    frames = len(ex.steps)

    def go(i):
        page.click(".am-next")
        assert page.inner_text(".am-counter") == f"{i + 1} / {frames}"

    seen = _walk(page, frames, go, ".am-graph", lambda i: ex.steps[i]["active"],
                 [".am-prev", ".am-next", ".am-counter"],
                 f"explorer-{graph}-{width}x{height}")
    figures = _check(seen, f"explorer {graph} {width}x{height}")
    if graph in ("tour", "square"):
        assert figures["edges_in_view"] == frames
    page.close()
