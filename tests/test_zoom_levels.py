"""draw_dot's zoom levels: every node, each unit one node, each layer one box."""

import html
import math
import random
import shutil

import pytest

pytest.importorskip("graphviz")

from autograd_mini.losses import sum_squared_error  # noqa: E402
from autograd_mini.nn import MLP  # noqa: E402
from autograd_mini.viz import draw_dot  # noqa: E402
from autograd_mini.viz.graph import View  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz not installed")


def trained_loss():
    net = MLP(2, [16, 16, 1], activation="tanh", rng=random.Random(0))
    loss = sum_squared_error([net([0.5, -1.0]), net([1.0, 2.0])], [1.0, 0.0])
    loss.backward()
    return net, loss


def svg_text(graph) -> str:
    """The rendered SVG as text, its entities read (Graphviz writes - as &#45;)."""
    return html.unescape(graph.pipe(format="svg").decode())


@needs_dot
def test_a_layer_is_one_box_with_its_matrix_shape_and_gradient_norm():
    net, loss = trained_loss()
    svg = svg_text(draw_dot(loss, model=net, level="layers"))
    for k, (n, m) in enumerate([(16, 2), (16, 16), (1, 16)]):
        layer = net.layers[k]
        norm = math.sqrt(sum(p.grad ** 2 for p in layer.parameters()))
        assert f"layer {k + 1}" in svg and f"W {n}×{m} + b" in svg
        assert f"‖∂out/∂W‖ {norm:.4g}" in svg
    for edge in ("in0->layer0", "layer0->layer1", "layer1->layer2", "layer2->output"):
        assert f"<title>{edge}</title>" in svg
    assert svg.count('class="node"') == 5  # inputs, three layers, the output


def test_units_is_collapse_neurons_by_its_new_name():
    net, loss = trained_loss()
    assert draw_dot(loss, model=net, level="units").source == \
        draw_dot(loss, model=net, collapse_neurons=True).source
    assert View(model=net, collapse_neurons=True).level == "units"
    with pytest.raises(ValueError, match="level must be one of"):
        View(level="neurons")
    with pytest.raises(ValueError, match="needs the model"):
        draw_dot(loss, level="layers")


@needs_dot
def test_the_family_trees_net_shows_its_two_input_groups_meeting():
    from demos import family_trees as ft

    trees = ft.family_trees()
    net = ft.FamilyNet(rng=random.Random(0))
    (p, r, t), = ft.encode(trees, trees.queries[:1])
    loss = sum_squared_error(net(p, r), t)
    svg = svg_text(draw_dot(loss, model=net, level="layers", show_grad=False))
    assert "W 6×24 + b, sigmoid" in svg and "W 12×12 + b, sigmoid" in svg
    assert "inputs to person" in svg and "24 inputs" in svg and "12 inputs" in svg
    assert "<title>layer0->layer2</title>" in svg and "<title>layer1->layer2</title>" in svg
    assert "‖" not in svg


@needs_dot
def test_a_korean_layers_picture_keeps_the_spaces_of_its_words():
    """graphviz drops the spaces of a record field that begins with Hangul ("입력24개",
    "층1"); the fields keep them (as no-break spaces) and the English ones are as before."""
    from autograd_mini.core.language import speaking
    from demos import family_trees as ft

    trees = ft.family_trees()
    net = ft.FamilyNet(rng=random.Random(0))
    (p, r, t), = ft.encode(trees, trees.queries[:1])
    loss = sum_squared_error(net(p, r), t)
    mlp_net, mlp_loss = trained_loss()
    with speaking("ko"):
        family = svg_text(draw_dot(loss, model=net, level="layers", show_grad=False))
        mlp = svg_text(draw_dot(mlp_loss, model=mlp_net, level="layers"))
    family, mlp = family.replace("\u00a0", " "), mlp.replace("\u00a0", " ")
    assert "입력 24개" in family and "입력 12개" in family and "입력24개" not in family
    assert ">층 1<" in mlp and ">층 3<" in mlp and "층1" not in mlp
    with speaking("en"):
        english = draw_dot(loss, model=net, level="layers", show_grad=False).source
    assert "24 inputs" in english and "\u00a0" not in english


@needs_dot
def test_the_readme_picture_is_what_its_code_draws(capsys):
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                if 'level="layers"' in b]
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # the README's own example code
    assert "PatternRow(case=1" in capsys.readouterr().out

    def texts(svg: str) -> list[str]:
        return re.findall(r"<text[^>]*>(.*?)</text>", svg)

    committed = html.unescape((root / "docs" / "family-trees-layers.svg").read_text())
    drawn = texts(svg_text(namespace["picture"]))
    assert drawn == texts(committed) and "W 24×6 + b, sigmoid" in drawn
