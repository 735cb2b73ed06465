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


# -- the DOT text: labels, numbers and an arrow per input slot; one View of the options ----


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


def test_a_parent_taken_twice_gets_an_arrow_per_slot():
    x = Value(2.0, label="x")
    y = x * x + 3 * x
    y.backward()
    source = draw_dot(y).source
    into_square = [line.strip() for line in source.splitlines() if "-> v1_op" in line]
    assert into_square == ['v0 -> v1_op [label=a fontcolor="#374151" fontname=Helvetica '
                           'fontsize=11]',
                           'v0 -> v1_op [label=b fontcolor="#374151" fontname=Helvetica '
                           'fontsize=11]']
    assert source.count("v0 -> v3_op") == 1  # 3 * x: x is taken once, one arrow


def test_a_view_can_lay_out_for_the_widest_text():
    from autograd_mini.viz.graph import View

    x = Value(2.0, label="x")
    source = draw_dot(x * 2, View(texts={x: ("-8.888e-88", "?")})).source
    assert "{ x | data -8.888e-88 | grad ? }" in source


def test_draw_dot_takes_a_view_or_its_fields_one_by_one():
    from autograd_mini.viz import View

    out = _neuron()
    assert draw_dot(out, View(gradient_flow=True)).source == \
        draw_dot(out, gradient_flow=True).source
    assert draw_dot(out, View(rankdir="TB"), show_grad=False).source == \
        draw_dot(out, rankdir="TB", show_grad=False).source
    with pytest.raises(TypeError, match="unexpected keyword"):
        draw_dot(out, colour="red")
    with pytest.raises(ValueError, match="format must be one of"):
        View(format="gif")


def test_the_picture_size_is_counted_from_the_graph():
    from autograd_mini import topological_order
    from autograd_mini.viz.graph import Scene, picture_size

    out = _neuron()
    src = draw_dot(out).source
    nodes = src.count("shape=record") + src.count("shape=circle")
    assert picture_size(topological_order(out)) == (nodes, src.count("->")) == (9, 8)
    assert Scene.of(out).size == draw_dot(out).size == (9, 8)
    x = Value(1.0, label="x")
    assert picture_size(topological_order(x * x)) == (3, 3)  # x -> * as a and as b, * -> out


# -- the gradient-flow view, and a model's layers and neurons ------------------------------


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
    # x1, x2; 3 hidden neurons; the output neuron; out - 1 with its constant; ** 2 with its 2
    assert collapsed.count("shape=record") == 2 + 3 + 1 + 2 + 2
    # the linear output neuron is its weighted sum, not "Σ w·x + b(?)"; inputs count from 1
    assert 'label="Σ w·x + b"' in collapsed and "(?)" not in collapsed
    assert "{ x1 |" in collapsed and "{ x2 |" in collapsed and "x0" not in collapsed


# -- text never becomes markup: labels and op symbols drawn literally ----------------------


HOSTILE_LABELS = ["&lt;img src=x onerror=alert(1)&gt;", "<!--<script>", '"; URL="javascript:1',
                  "{a|<p>b}", "back\\nslash\\N \\", "</text><a href='javascript:1'>x</a>",
                  "{{FRAMES}}", "ünïcødé ∂ ☃"]


def _svg_texts_and_attributes(svg: bytes) -> tuple[list[str], list[str]]:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    texts = ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("text")]
    attributes = [f"{k}={v}" for e in root.iter() for k, v in e.attrib.items()]
    return texts, attributes


def _assert_inert(svg: bytes) -> list[str]:
    texts, attributes = _svg_texts_and_attributes(svg)
    assert not any("javascript" in a.lower() or "href" in a.lower() for a in attributes)
    assert not any(tag in svg.decode() for tag in ("<a ", "<img", "<script"))
    return texts


@needs_dot
def test_a_hostile_op_symbol_is_drawn_as_text(hostile_primitive, tmp_path):
    from autograd_mini import apply

    x = Value(2.0, label="x")
    out = apply("hostile", x)
    out.backward()
    graph = draw_dot(out)
    assert "URL=" not in graph.source.replace("URL=&quot;", "")
    texts = _assert_inert(save(graph, tmp_path / "g.svg").read_bytes())
    assert hostile_primitive.symbol in texts


@needs_dot
def test_a_hostile_micrograd_op_string_is_drawn_as_text(hostile_primitive, tmp_path):
    from autograd_mini.micrograd import Value as MicrogradValue

    x = MicrogradValue(2.0, label="x")
    out = MicrogradValue(4.0, (x,), hostile_primitive.symbol)  # a hand-made node's _op
    texts = _assert_inert(save(draw_dot(out), tmp_path / "g.svg").read_bytes())
    assert hostile_primitive.symbol in texts


@needs_dot
@pytest.mark.parametrize("label", HOSTILE_LABELS)
def test_labels_are_drawn_literally(label, tmp_path):
    x = Value(2.0, label=label)
    out = x * 3.0
    out.label = label + "!"
    out.backward()
    texts = _assert_inert(save(draw_dot(out), tmp_path / "g.svg").read_bytes())
    assert label in texts and label + "!" in texts
    assert "data 2" in texts and "grad 3" in texts  # a label adds no record fields


def test_dot_text_escapes_once_and_only_text():
    from autograd_mini.viz.graph import dot_text

    assert dot_text("a*b") == "a*b"
    assert dot_text('<x> "y" & \\n') == "&lt;x&gt; &quot;y&quot; &amp; \\\\n"
    assert dot_text("{a|b}", record=True) == "\\{a\\|b\\}"


def test_control_characters_in_labels_are_drawn_as_escapes():
    from autograd_mini.viz.graph import dot_text

    assert dot_text("a\x00b\nc") == "a\\\\x00b\\\\nc"


# -- rendering and saving: formats, file modes, the one rendering seam, Jupyter ------------


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


@needs_dot
def test_pictures_get_opens_mode(tmp_path, umask_022):
    import stat

    for name in ["g.svg", "g.png", "g.dot"]:
        path = save(draw_dot(_neuron()), tmp_path / name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_save_refuses_a_fifo(tmp_path):
    import os

    from autograd_mini.bridges.files import NotARegularFileError

    os.mkfifo(tmp_path / "g.svg")
    with pytest.raises(NotARegularFileError):
        save(draw_dot(_neuron()), tmp_path / "g.svg")


def test_every_picture_goes_through_the_one_rendering_seam(monkeypatch, tmp_path):
    from autograd_mini.viz import rendering
    from autograd_mini.viz.steps import steps_html

    calls = []

    def fake(source, format="svg", *, timeout=None, size=None):
        calls.append((format, size))
        return b"<svg/>" if format == "svg" else b"picture"

    monkeypatch.setattr(rendering, "render", fake)
    graph = draw_dot(_neuron())
    assert graph.pipe(format="svg") == b"<svg/>" and graph._repr_image_svg_xml() == "<svg/>"
    assert save(graph, tmp_path / "g.png").read_bytes() == b"picture"
    x = Value(3.0, label="x")
    steps_html(x * x)  # the viewer: the graph laid out once each way
    assert calls == [("svg", (9, 8)), ("svg", (9, 8)), ("png", (9, 8))] + [("svg", (3, 3))] * 2


def test_jupyter_gets_a_png_beside_the_svg():
    """A notebook JupyterLab does not trust (opened before it is run) hides SVG: the PNG
    beside it is what the reader then sees."""
    bundle = draw_dot(_neuron())._repr_mimebundle_()
    assert sorted(bundle) == ["image/png", "image/svg+xml"]
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n" and "<svg" in bundle["image/svg+xml"]
    width, height = struct.unpack(">II", bundle["image/png"][16:24])
    assert width > 300 and height > 50  # the whole graph drawn, not an empty image
    assert list(draw_dot(_neuron())._repr_mimebundle_(include=["image/svg+xml"])) == [
        "image/svg+xml"]  # what a caller asks for, it gets
    # its text says what it is, and the same each run (no memory address)
    assert repr(draw_dot(_neuron())) == "<autograd_mini graph: 9 nodes, 8 edges>"


# -- dot missing, crashing or too slow: one clear error ------------------------------------


def test_missing_dot_gives_install_hint(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    graph = draw_dot(_neuron())
    with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
        graph.pipe(format="svg")
    assert "digraph" in graph.source  # the DOT text is still there


def test_a_crashing_dot_is_one_clear_error(tmp_path, monkeypatch):
    from autograd_mini.viz import GraphvizError

    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'out of memory' >&2\nkill -SEGV $$\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizError, match="stopped by signal 11 \\(out of memory\\)"):
        save(draw_dot(_neuron()), tmp_path / "g.svg")
    with pytest.raises(GraphvizError, match="signal 11"):
        draw_dot(_neuron()).pipe(format="svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dot"]


def test_a_slow_dot_is_stopped(tmp_path, monkeypatch):
    from autograd_mini.viz.graph import GraphvizTimeout

    fake = tmp_path / "dot"
    fake.write_text(f"#!/bin/sh\nexec {shutil.which('sleep')} 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizTimeout, match="did not finish within 0.5 s drawing 9 nodes "
                                              "and 8 edges"):
        save(draw_dot(_neuron()), tmp_path / "g.svg", timeout=0.5)
