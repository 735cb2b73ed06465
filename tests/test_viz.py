"""Graph pictures: DOT text, real rendering through `dot`, the gradient-flow view."""

import html
import re
import shutil
import struct

import pytest

from autograd_mini import Value
from autograd_mini.nn import MLP
from autograd_mini.viz import GraphvizNotFound, draw_dot, save

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


def _neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o


def _text(svg: bytes) -> str:
    return html.unescape(svg.decode())


def test_dot_source_has_labels_data_grads_and_edges():
    graph = draw_dot(_neuron())
    src = graph.source
    for cell in ["x | data 2 | grad -1.5", "w | data -3 | grad 1", "n | data 0.8814 | grad 0.5",
                 "o | data 0.7071 | grad 1", 'label=tanh', 'label="*"', 'label="+"']:
        assert cell in src
    # 6 value nodes, 3 op nodes; each op has an edge per input and one to its output
    assert src.count("->") == (2 + 1) + (2 + 1) + (1 + 1)
    assert src.count("shape=record") == 6 and src.count("shape=circle") == 3
    assert "#dbeafe" in src  # leaves coloured apart from intermediates


def test_show_grad_false_and_rankdir():
    src = draw_dot(_neuron(), show_grad=False, rankdir="TB").source
    assert "grad" not in src and "rankdir=TB" in src
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(_neuron(), rankdir="XY")
    with pytest.raises(TypeError, match="expects a Value"):
        draw_dot(1.0)


@needs_dot
def test_render_svg_and_png(tmp_path):
    graph = draw_dot(_neuron())
    svg = save(graph, tmp_path / "g.svg").read_bytes()
    text = _text(svg)
    assert text.startswith("<?xml") and "data -3" in text and "grad -1.5" in text
    png = save(graph, tmp_path / "g.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 400 and height > 50
    assert save(graph, tmp_path / "g.dot").read_text() == graph.source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.png", "g.svg"]


def test_save_rejects_unknown_format_and_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="cannot tell the format"):
        save(draw_dot(_neuron()), tmp_path / "g.gif")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save(draw_dot(_neuron()), tmp_path / "missing" / "g.svg")


def test_missing_dot_gives_install_hint(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    graph = draw_dot(_neuron())
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        graph.pipe(format="svg")
    assert "digraph" in graph.source  # the DOT text is still there


def test_gradient_flow_fades_along_a_sigmoid_chain():
    x = Value(0.5, label="x")
    y = x
    for _ in range(10):
        y = (y * 3.0).sigmoid()
    y.backward()
    src = draw_dot(y, gradient_flow=True, log_scale=True).source
    assert "legend" in src and "|grad| (log scale)" in src
    fill = dict(re.findall(r'(v\d+) \[label="\{ [^"]*" fillcolor="(#[0-9a-f]{6})"', src))
    # input x (v0) is dark (tiny gradient), the output is yellow (the largest, 1)
    assert _luminance(fill["v0"]) < 0.25
    assert fill[max(fill, key=lambda k: int(k[1:]))] == "#fde725"
    lights = [_luminance(fill[k]) for k in sorted(fill, key=lambda k: int(k[1:]))]
    assert lights[-1] > lights[len(lights) // 2] > lights[0]


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_model_clusters_and_collapsed_neurons():
    import random

    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(0))
    loss = (model([1.0, -2.0]) - 1.0) ** 2
    loss.backward()
    grouped = draw_dot(loss, model=model).source
    assert grouped.count("subgraph cluster_") == 4
    assert "layers.0.neurons.2" in grouped and "layers.1.neurons.0" in grouped
    collapsed = draw_dot(loss, model=model, collapse_neurons=True).source
    assert "tanh(Σ w·x + b)" in collapsed and "w0" not in collapsed
    # x0, x1; 3 hidden neurons; the output neuron; out - 1 with its constant; ** 2 with its 2
    assert collapsed.count("shape=record") == 2 + 3 + 1 + 2 + 2
