"""The notebook explorer: its Python side, and its page against a stand-in model in Chromium.

The explorer in real JupyterLab is tests/test_explorer_lab.py.
"""

import json
import math
import random
from pathlib import Path

import pytest
from conftest import lecture
from hypothesis import given
from hypothesis import strategies as st

anywidget = pytest.importorskip("anywidget")

from autograd_mini import Value, explore, topological_order  # noqa: E402
from autograd_mini.bridges.compile import compile_graph  # noqa: E402
from autograd_mini.core.naming import fmt  # noqa: E402
from autograd_mini.explain.trace import trace  # noqa: E402
from autograd_mini.nn import MLP  # noqa: E402
from autograd_mini.testing.strategies import expressions  # noqa: E402
from autograd_mini.viz.explorer import Explorer  # noqa: E402
from autograd_mini.viz.steps import walk  # noqa: E402

ESM = Path(__file__).resolve().parents[1] / "autograd_mini" / "viz" / "explorer.js"
MODULE = Explorer._esm  # what anywidget loads: explorer.js, the step viewer written in
HOSTILE = '<img src=x onerror="window.pwned=1">&amp;'


def neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    return (x * w + b).tanh(), (x, w, b)


def test_inputs_grads_and_step_from_python():
    out, (x, w, b) = neuron()
    ex = explore(out)
    assert ex.inputs == {"x": 2.0, "w": -3.0, "b": 6.8813735870195432}
    assert ex.grads["x"] == pytest.approx(-1.5) and ex.grads["w"] == pytest.approx(1.0)
    assert ex.step == 0 and x.grad == 0.0  # the user's graph is left as it was
    ex.inputs = {"x": 1.0, "w": 0.5, "b": 0.0}
    # the same graph replayed: d tanh(xw + b)/dx = w (1 - tanh(xw + b)^2)
    t = math.tanh(0.5)
    assert ex.grads["x"] == pytest.approx(0.5 * (1 - t * t))
    assert ex.grads["b"] == pytest.approx(1 - t * t)
    assert ex.values["out"] == pytest.approx(t)
    assert out.data == pytest.approx(0.7071, abs=1e-4)  # the recorded graph keeps its numbers
    ex.inputs = {"x": -2.0}  # a partial dict changes only the names it gives
    assert ex.inputs == {"x": -2.0, "w": 0.5, "b": 0.0}
    ex.step = 3
    assert ex.step == 3


def test_the_replay_agrees_with_the_compiled_graph():
    model = MLP(2, [4, 4, 1], activation="tanh", rng=random.Random(0))
    xs = [Value(0.5, label="p"), Value(-0.3, label="q")]
    out = model(xs)
    ex = explore(out)
    leaves = [n for n in topological_order(out) if not n.parents and not n.is_constant]
    ex.inputs = {"p": 0.9, "q": 0.1}
    numbers = [ex.inputs[name] for name in ex.inputs]
    value, grads = compile_graph(out, leaves)(numbers)
    assert ex.values[list(ex.values)[-1]] == pytest.approx(value)
    assert list(ex.grads.values())[:len(leaves)] != []
    assert [ex.grads[name] for name in ex.inputs] == pytest.approx(grads)


def test_the_steps_are_the_viewers_words():
    out, _ = neuron()
    ex = explore(out)
    record = trace(neuron()[0])
    assert [s["title"] for s in ex.steps] == [s.title for s in walk(record)]
    assert [s["lines"] for s in ex.steps] == [list(s.lines) for s in walk(record)]
    last = ex.steps[-1]["lines"]
    assert "∂out/∂x += ∂out/∂n1 · ∂n1/∂x = 0.5 · -3 = -1.5" in last
    assert ex.steps[-1]["formula"] == record.backward[-1].formula


def test_a_korean_explorers_overview_speaks_korean_at_every_level_and_in_a_quiz():
    """The overview's title and its quiz line, and the scrubber's label, in the reader's
    language (identifiers, op names and formulas stay)."""
    import re

    from autograd_mini.core.language import speaking

    net = MLP(2, [2, 1], activation="tanh", rng=random.Random(0))
    with speaking("ko"):
        quiz = explore(neuron()[0], quiz=True)
        ex = explore(model=net, cases=([[0.5, -1.0]], [[1.0]]))
        titles = {}
        for level in ("nodes", "units", "layers"):
            ex.level = level
            titles[level] = ex.overview["title"]
    assert titles == {"nodes": "모두 계산됨: 순전파와 역전파", "units": "모두 계산됨, 유닛별로",
                      "layers": "모두 계산됨, 층별로"}
    assert quiz.overview["title"].startswith("퀴즈: ")
    assert quiz.overview["lines"][-1].startswith("퀴즈: 역전파에 빈칸이 10개 있습니다")
    assert not re.search("[A-Za-z]", quiz.overview["title"] + quiz.overview["lines"][-1])
    assert ex.words["step"] == "단계" and '"aria-label": say("step")' in MODULE


def test_bad_inputs_raise_and_change_nothing():
    y = Value(1.0, label="y")
    ex = explore(y.log() * 2)
    before = (dict(ex.inputs), dict(ex.grads), list(ex.steps))
    for bad, error, words in [({"z": 1.0}, ValueError, "no input named 'z'; the inputs are y"),
                              ({"y": "1"}, TypeError, "must be a number, got str"),
                              ({"y": math.inf}, ValueError, "must be finite"),
                              ({"y": -1.0}, ValueError, "log is only defined for positive")]:
        with pytest.raises(error, match=words):
            ex.inputs = bad
        assert (ex.inputs, ex.grads, ex.steps) == before
    with pytest.raises(ValueError, match="step must be between 0"):
        ex.step = len(ex.steps) + 1
    with pytest.raises(TypeError, match="explore expects a Value"):
        explore(3.0)


def test_a_page_message_with_bad_numbers_shows_the_error_and_keeps_the_numbers():
    y = Value(1.0, label="y")
    ex = explore(y.log())
    sent = []
    ex.send = sent.append
    ex._on_page_message(ex, {"kind": "inputs", "inputs": {"y": -1.0}}, [])
    assert "log is only defined for positive numbers" in ex.error
    assert ex.inputs == {"y": 1.0} and sent == [{"kind": "done"}]
    ex._on_page_message(ex, {"kind": "inputs", "inputs": {"y": 2.0}}, [])
    assert ex.error == "" and ex.grads["y"] == pytest.approx(0.5)


@pytest.mark.parametrize("content", [
    [1, 2], None, "inputs", {"kind": 5}, {"kind": "other"}, {"kind": "inputs"},
    {"kind": "inputs", "inputs": [1.0]}, {"kind": "inputs", "inputs": "y=2"},
    {"kind": "inputs", "inputs": {"y": "2"}}, {"kind": "inputs", "inputs": {"y": 10**400}},
    {"kind": "inputs", "inputs": {"z": 1.0}},
], ids=repr)
def test_a_malformed_page_message_is_answered_with_an_error_never_raised(content):
    y = Value(1.0, label="y")
    ex = explore(y.log())
    sent = []
    ex.send = sent.append
    ex._on_page_message(ex, content, [])  # a TraitError here would leave the page waiting
    assert sent == [{"kind": "done"}]  # the page is answered
    assert ex.error and ex.inputs == {"y": 1.0}  # told in the error line; nothing changed
    ex._on_page_message(ex, {"kind": "inputs", "inputs": {"y": 2.0}}, [])
    assert ex.error == "" and ex.grads["y"] == pytest.approx(0.5)


@pytest.mark.parametrize("content", [{"kind": "answer"}, {"kind": "show", "question": [1]},
                                     {"kind": "answer", "question": "0:0:local", "text": {}}])
def test_a_malformed_quiz_message_is_shown_never_raised(content):
    x = Value(2.0, label="x")
    ex = explore(x * x, quiz=True)
    ex.send = lambda message: None
    ex._on_page_message(ex, content, [])
    assert ex.error or content.get("text") == {}


def test_the_static_fallback_is_the_graph_svg():
    out, _ = neuron()
    data, _ = explore(out)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/svg+xml"].lstrip().startswith("<?xml")
    assert "|grad|" in data["image/svg+xml"]  # coloured by gradient flow, with its legend
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"  # shown where SVG is not (untrusted)


def test_trace_shows_itself_as_escaped_html():
    x = Value(2.0, label=HOSTILE)
    page = trace(x * x)._repr_html_()
    assert "<img" not in page and "&lt;img src=x" in page
    assert page.count("<table") == 2 and "<th>local derivative</th>" in page


def _state(ex):
    names = ["svg", "svg_tall", "nodes", "steps", "overview", "legend", "leaves", "output_name",
             "grad_text", "input_text", "error", "inputs", "grads", "values", "step"]
    return {name: getattr(ex, name) for name in names}


_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>%s</style></head>
<body><div id="root"></div></body></html>"""

# A stand-in for the widget model anywidget gives render(): get/set/on/off/save_changes/send.
_FAKE_MODEL = """
async ([source, state]) => {
  const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
  const widget = (await import(url)).default;
  const listeners = {};
  window.saved = []; window.sent = [];
  const model = {
    get: (key) => state[key],
    set: (key, value) => {
      state[key] = value;
      (listeners["change:" + key] || []).forEach(f => f());
    },
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: () => {},
    save_changes: () => { window.saved.push(JSON.parse(JSON.stringify(state.step))); },
    send: (message) => { window.sent.push(message); },
    emit: (name, message) => { (listeners[name] || []).forEach(f => f(message)); },
  };
  window.model = model;
  widget.render({model, el: document.getElementById("root")});
}
"""


@pytest.mark.browser
def test_the_page_against_a_stand_in_model(browser, tmp_path):
    x, w = Value(2.0, label=HOSTILE), Value(-3.0, label="w")
    ex = explore((x * w).tanh())
    css = (ESM.parent / "explorer.css").read_text()
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content(_PAGE % css)
    page.evaluate(_FAKE_MODEL, [MODULE, json.loads(json.dumps(_state(ex)))])
    page.wait_for_selector(".am-explorer[data-ready=true]")
    assert page.inner_text(".am-title") == "Everything computed: forward and backward"
    # the hostile label is text everywhere: in the inputs, in the graph, in the sentences
    assert page.inner_text(".am-input .am-name") == HOSTILE
    assert HOSTILE in page.text_content(".am-graph svg")
    assert page.evaluate("window.pwned") is None and page.locator("img").count() == 0
    grad = page.inner_text('.am-input:first-of-type .am-grad')
    assert grad.endswith("= -7.373e-05")  # ∂out/∂x = w (1 - tanh(-6)^2)
    # the graph's text is readable at its natural size: at least 11 px on screen
    smallest_text = """() => Math.min(...Array.from(
        document.querySelectorAll('.am-graph svg text')).map(t =>
        parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""
    assert page.evaluate(smallest_text) >= 11
    # Next walks the steps, telling the model; the active node is red
    page.click(".am-next")
    assert page.evaluate("window.saved") == [1]
    assert page.inner_text(".am-explain .am-title") == "Forward 1 of 4"
    assert page.inner_text(".am-lines") == f"{HOSTILE} = 2  (given)"
    assert page.get_attribute("#v0 polygon", "stroke") == "#dc2626"
    page.evaluate("window.model.set('step', 6)")  # Python moved the step
    assert page.inner_text(".am-explain .am-title") == "Backward 1 of 2: through tanh at out"
    assert "From the op table: d/da tanh(a) = 1 - tanh(a)**2" in page.inner_text(".am-formula")
    # a number typed in goes to Python; its answer updates the page in place
    page.fill('.am-input:first-of-type .am-number', "0.5")
    assert page.evaluate("window.sent") == [{"kind": "inputs",
                                             "inputs": {HOSTILE: 0.5, "w": -3.0}}]
    ex.inputs = {HOSTILE: 0.5}
    page.evaluate("""state => { for (const [k, v] of Object.entries(state)) window.model.set(k, v);
                                window.model.emit('msg:custom', {kind: 'done'}); }""",
                  json.loads(json.dumps({k: v for k, v in _state(ex).items() if k != "step"})))
    assert page.inner_text('.am-input:first-of-type .am-grad').endswith("= -0.5421")
    assert page.get_attribute(".am-explorer", "data-updates") == "1"
    page.evaluate("window.model.set('step', 0)")
    assert "data 0.5" in page.text_content("#v0")
    # "Fit" shrinks the whole graph into its box, however small its text; and back
    page.set_viewport_size({"width": 320, "height": 500})
    page.evaluate("window.model.set('step', 1)")
    fitted = """() => { const box = document.querySelector('.am-graph');
        const svg = box.querySelector('svg').getBoundingClientRect();
        return svg.width <= box.clientWidth && svg.height <= box.clientHeight; }"""
    assert not page.evaluate(fitted) and page.evaluate(smallest_text) >= 11
    page.click(".am-fit")
    assert page.evaluate(fitted) and page.get_attribute(".am-fit", "aria-pressed") == "true"
    page.click(".am-fit")
    assert not page.evaluate(fitted) and page.evaluate(smallest_text) >= 11
    assert errors == []


def test_the_explorer_names_nodes_as_the_graph_does():
    from autograd_mini.cli import worked_example

    ex = explore(worked_example())  # inner nodes labelled n and o
    assert ex.output_name == "o" and list(ex.values) == ["x", "w", "n1", "b", "n", "o"]
    assert ex.steps[-1]["lines"][0] == "Upstream gradient ∂o/∂n1 = 0.5"


def test_the_replay_is_the_engines_interpreter_loop(monkeypatch):
    import autograd_mini.viz.explorer as explorer

    calls = []
    real = explorer.interpret
    monkeypatch.setattr(explorer, "interpret",
                        lambda order, leaf, rule: calls.append(len(order)) or
                        real(order, leaf, rule))
    out, _ = neuron()
    ex = explore(out)
    ex.inputs = {"x": 1.0}
    assert calls == [len(topological_order(out))] * 2


# The explorer names every node as display_names names the user's graph.

def _lecture():  # notebook 1: inner nodes labelled e, d and L
    return lecture()[0]


def _chain():  # notebook 2: x used twice, labelled y, z, out
    x = Value(1.5, label="x")
    y = x * x
    y.label = "y"
    z = y + x
    z.label = "z"
    out = z.tanh()
    out.label = "out"
    return out


def _neuron_of_notebook_5():
    from autograd_mini.nn import Neuron

    n = Neuron(2, "tanh", rng=random.Random(0))
    return n([Value(1.0, label="x1"), Value(-2.0, label="x2")])


def _assert_named_as_the_graph(out):
    from autograd_mini import display_names

    names = display_names(out)
    shown = [names[n] for n in topological_order(out) if not n.is_constant]
    ex = explore(out)
    assert list(ex.values) == shown and list(ex.grads) == shown  # node for node
    leaves = [names[n] for n in topological_order(out) if not n.parents and not n.is_constant]
    assert [leaf["name"] for leaf in ex.leaves] == leaves == list(ex.inputs)
    assert ex.output_name == names[out]
    record = trace(out)
    assert [s["lines"] for s in ex.steps] == [list(s.lines) for s in walk(record)]
    upstream = [s["lines"][0] for s in ex.steps if s["title"].startswith("Backward ")
                and "seed" not in s["title"]]
    assert all(line.startswith(f"Upstream gradient ∂{names[out]}/∂") for line in upstream)
    for name in shown:  # the picture carries the same names
        assert f">{name}</text>" in ex.svg and f">{name}</text>" in ex.svg_tall
    return ex


@pytest.mark.parametrize("graph", [_lecture, _chain, _neuron_of_notebook_5])
def test_the_notebooks_explorers_name_nodes_as_their_graphs(graph):
    ex = _assert_named_as_the_graph(graph())
    if graph is _lecture:
        assert list(ex.values) == ["a", "b", "e", "c", "d", "f", "L"]
        assert ex.steps[-1]["lines"][0] == "Upstream gradient ∂L/∂e = -2"


@given(expressions(max_ops=6), st.lists(st.sampled_from(["e", "d", "L", "x1", "", "n1"]),
                                         min_size=8, max_size=8))
def test_any_labels_reach_the_explorer_as_display_names(drawn, labels):
    (expression, _), inner = drawn, labels
    ops = [n for n in topological_order(expression.output) if n.parents]
    for node, label in zip(ops, inner):
        node.label = label  # repeated labels, labels that look generated, none at all
    _assert_named_as_the_graph(expression.output)


# Details a student sees: the numbers as the tables write them, wide sliders.

def test_number_boxes_show_the_tables_numbers_and_sliders_reach_saturation():
    ex = explore(_neuron_of_notebook_5())
    assert ex.input_text["w0"] == "0.6888" == fmt(ex.inputs["w0"])
    w0 = next(leaf for leaf in ex.leaves if leaf["name"] == "w0")
    assert (w0["min"], w0["max"]) == (-5.0, 5.0)
    # at w0 = 5 the neuron, tanh(5·1 + w1·(-2) + 0), has saturated: its slope is almost 0
    ex.inputs = {"w0": w0["max"]}
    assert 1 - ex.values["out"] ** 2 < 0.01
    big = explore(Value(6.8813735870195432, label="b") * 2)
    assert (big.leaves[0]["min"], big.leaves[0]["max"]) == (-20.0, 20.0)
    assert big.input_text == {"b": "6.881"}


FIELDS_OVERFLOW = """() => {
  const problems = [];
  for (const g of document.querySelectorAll('.am-graph g.node')) {
    const shape = g.querySelector('polygon');
    if (!shape) continue;
    const outer = shape.getBBox();
    const boxes = Array.from(g.querySelectorAll('text'), (t) => [t.textContent, t.getBBox()]);
    for (const [text, b] of boxes) {
      if (b.x < outer.x - 0.5 || b.x + b.width > outer.x + outer.width + 0.5) {
        problems.push(g.id + ': ' + text + ' leaves its node');
      }
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [s, a] = boxes[i], [t, b] = boxes[j];
      const apart = a.x + a.width <= b.x + 0.5 || b.x + b.width <= a.x + 0.5 ||
                    a.y + a.height <= b.y + 0.5 || b.y + b.height <= a.y + 0.5;
      if (!apart) problems.push(g.id + ': ' + s + ' runs into ' + t);
    }
  }
  return problems;
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1000, 390])
def test_numbers_stay_inside_their_fields_after_a_slider_move(browser, width):
    out, _ = neuron()
    ex = explore(out)
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.set_content(_PAGE % (ESM.parent / "explorer.css").read_text())
    page.evaluate(_FAKE_MODEL, [MODULE, json.loads(json.dumps(_state(ex)))])
    page.wait_for_selector(".am-explorer[data-ready=true]")
    assert page.evaluate(FIELDS_OVERFLOW) == []
    # numbers as wide as fmt writes them: -1.235e-05, 1.235e+04 and the like
    ex.inputs = {"x": 1234.5678, "w": -0.000123456, "b": -15.28}
    page.evaluate("""state => { for (const [k, v] of Object.entries(state)) window.model.set(k, v);
                                window.model.emit('msg:custom', {kind: 'done'}); }""",
                  json.loads(json.dumps({k: v for k, v in _state(ex).items() if k != "step"})))
    for step in (0, 3, len(ex.steps)):
        page.evaluate(f"window.model.set('step', {step})")
        assert page.evaluate(FIELDS_OVERFLOW) == []
    assert "data 1235" in page.text_content("#v0")
    # the number boxes show the tables' numbers, whole: not clipped by the panel's edge
    assert page.input_value('.am-input:first-of-type .am-number') == "1235"
    clipped = page.evaluate("""() => Array.from(document.querySelectorAll('.am-number'))
        .some(box => box.getBoundingClientRect().right > window.innerWidth ||
                     box.scrollWidth > box.clientWidth + 1)""")
    assert not clipped
    page.close()
