"""The step viewer's zoom levels (viz/zoom.py): a network's backward pass walked unit by
unit and layer by layer, its words and numbers those of paper_view and layer_view, and
the pages of the symmetry net and the family-trees net in Chromium at 1280 and 390 px."""

import json
import random
import re

import pytest

from autograd_mini.core.language import speaking
from autograd_mini.core.naming import fmt
from autograd_mini.explain.layers import layer_view
from autograd_mini.explain.units import paper_view
from autograd_mini.viz.steps import save_steps_html, steps_html
from autograd_mini.viz.zoom import zoomed_walk
from demos import family_trees as ft
from demos import symmetry

LEVELS = ("nodes", "units", "layers")


def symmetry_net():
    """The 6-2-1 net on four of its 64 cases (a palindrome among them)."""
    rows = [[float(b) for b in f"{i:06b}"] for i in (0, 1, 12, 33)]
    return symmetry.make_model(0), rows, [[float(x == x[::-1])] for x in rows]


def family_net(queries: int = 2):
    trees = ft.family_trees()
    cases = ft.encode(trees, trees.queries[:queries])
    return (ft.FamilyNet(rng=random.Random(0)), [(p, r) for p, r, _ in cases],
            [t for *_, t in cases])


def test_a_unit_step_says_the_paper_views_equations_with_its_numbers():
    net, inputs, targets = symmetry_net()
    walk = zoomed_walk(net, inputs, targets, "units")
    view = paper_view(net, inputs, targets)
    assert [f["title"] for f in walk.frames] == [
        "Backward 1 of 3: output unit", "Backward 2 of 3: hidden unit 2",
        "Backward 3 of 3: hidden unit 1"]
    for frame in walk.frames:
        unit = view.unit(frame["title"].split(": ")[1])
        row = unit.rows[0]
        assert f"∂E/∂x_j = ∂E/∂y_j · ∂y_j/∂x_j = {fmt(row.dE_dy)} · {fmt(row.slope)} = " \
               f"{fmt(row.dE_dx)}" in "\n".join(frame["lines"])
        assert all(f"from {w.source}: {fmt(w.dE_dw)}" in frame["lines"][-1]
                   for w in unit.weights)
        # the red unit shows the ∂E/∂y_j its step found
        assert frame["grads"][frame["active"]] == fmt(row.dE_dy)
    # the picture names each unit as its table does
    assert all(f"{{ {name} |" in walk.graphs["wide"].source
               for name in ("hidden unit 1", "hidden unit 2", "output unit"))
    first, last = walk.frames[0], walk.frames[-1]
    assert last["active"] not in first["grads"]  # hidden unit 1's gradient comes last
    # the last step adds the two hidden units' and the six inputs' gradients
    assert len(last["grads"]) == len(first["grads"]) + 2 + 6
    # the output unit's step lights its arrows: in from both hidden units, out to E
    assert {a for a, b in first["edges"] if b == first["active"]} == \
        {f["active"] for f in walk.frames[1:]}


@pytest.mark.parametrize("network", [symmetry_net, family_net])
def test_the_layer_steps_are_layer_views_words(network):
    net, inputs, targets = network()
    walk = zoomed_walk(net, inputs, targets, "layers")
    assert [line for f in walk.frames for line in f["lines"]] == \
        layer_view(net, inputs, targets).steps()
    assert set(walk.fixed) >= {f["active"] for f in walk.frames}  # boxes keep their text


def test_the_family_trees_layers_meet_as_the_net_is_wired():
    net, inputs, targets = family_net()
    view = layer_view(net, inputs, targets)
    assert view.largest_gap() <= 1e-12
    assert [step.name for step in view.layers] == [
        "person", "relation", "central", "decode", "output"]
    lines = view.steps()
    assert lines[0].startswith("δ[output] = (y[output] − d) ⊙ (y[output] * (1 - y[output]))")
    assert any(line.startswith("δ[person] = (W[central]ᵀ δ[central])[1…6] ⊙ ")
               for line in lines)
    assert any(line.startswith("δ[relation] = (W[central]ᵀ δ[central])[7…12] ⊙ ")
               for line in lines)
    assert any("∂E/∂W[central] = Σ_c δ[central]_c [y[person]; y[relation]]_cᵀ  (12×12, 2 cases)"
               in line for line in lines)


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def numbers(text: str) -> list[str]:
    return sorted(NUMBER.findall(text))


@pytest.mark.parametrize("level, titles", [
    ("units", ["역전파 1/3: 출력 유닛", "역전파 2/3: 은닉 유닛 2", "역전파 3/3: 은닉 유닛 1"]),
    ("layers", ["역전파 1/2: 층 2", "역전파 2/2: 층 1"]),
])
def test_in_korean_a_zoomed_step_says_its_words_with_the_same_numbers(level, titles):
    net, inputs, targets = symmetry_net()
    english = zoomed_walk(net, inputs, targets, level)
    with speaking("ko"):
        korean = zoomed_walk(net, inputs, targets, level)
    assert [f["title"] for f in korean.frames] == titles
    assert numbers(korean.given) == numbers(english.given)
    assert korean.given.startswith("사례 4개, E = ")
    for said, meant in zip(korean.frames, english.frames):
        assert {k: said[k] for k in ("active", "edges", "values", "grads")} == \
            {k: meant[k] for k in ("active", "edges", "values", "grads")}
        assert len(said["lines"]) == len(meant["lines"])
        for line, english_line in zip(said["lines"], meant["lines"]):
            assert numbers(line) == numbers(english_line), line
            assert not set(re.findall(r"[A-Za-z]{4,}", line)) - {"sigmoid"}, line
    lines = "\n".join(line for f in korean.frames for line in f["lines"])
    if level == "units":
        assert "(6) 각 i에 대한 ∂E/∂w_ji (모든 사례의 Σ): 은닉 유닛 1에서: " in lines
        assert "(k는 역전파가 더한 순서대로: 출력 유닛)" in lines
    else:
        assert korean.frames[-1]["lines"][0].startswith("δ¹ = (W²ᵀ δ²) ⊙ (y¹ * (1 - y¹)) = [")
        assert "벡터–야코비안 곱 W²ᵀ δ²" in lines and "(2×6, 사례 4개)" in lines
        # its boxes named as the titles name them (a space of a field that begins with
        # Hangul is written as a no-break space: graphviz would drop a plain one)
        picture = korean.graphs["wide"].source.replace("\u00a0", " ")
        assert "층 1" in picture and "층 2" in picture and "입력 6개" in picture
        assert "layer 1" in english.graphs["wide"].source


def test_a_zoomed_page_needs_its_network_and_cases():
    net, inputs, targets = symmetry_net()
    with pytest.raises(TypeError, match="needs the network and its cases"):
        steps_html(level="units", model=net)
    with pytest.raises(ValueError, match="level must be one of"):
        zoomed_walk(net, inputs, targets, "neurons")


# -- the pages in Chromium -------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each net's page at each level, written once."""
    folder = tmp_path_factory.mktemp("zoom")
    made = {}
    for name, network in (("symmetry", symmetry_net), ("family", lambda: family_net(1))):
        net, inputs, targets = network()
        for level in LEVELS:
            made[name, level] = save_steps_html(
                None, folder / f"{name}-{level}.html", title=f"{name} <{level}>", level=level,
                model=net, cases=(inputs, targets), timeout=120)
    return made


WORDS = {"nodes": "∂E/∂", "units": "(5) ∂E/∂x_j = ∂E/∂y_j · ∂y_j/∂x_j", "layers": "δ"}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", ["symmetry", "family"])
def test_each_level_walks_forward_and_back_within_the_window(browser, pages, name, level,
                                                             width):
    path = pages[name, level]
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    assert page.inner_text("h1") == f"{name} <{level}>"
    total = int(page.inner_text("#counter").split(" / ")[1])
    # the zoomed walks are short: every step; the nodes walk: its first and last few
    shown = range(total) if level != "nodes" else [*range(4), *range(total - 4, total)]
    seen = []
    for index in shown:
        if index and index - 1 in shown:
            page.click("#next")
        elif index:
            page.fill("#slider", str(index))
        seen.append(_look(page, index, total, width))
    assert len({title for title, _ in seen}) == len(seen)  # each step has its own words
    if level == "nodes":  # the backward pass's last step names E
        assert WORDS[level] in page.inner_text("#step-lines")
    page.keyboard.press("Home")
    assert _look(page, 0, total, width) == seen[0]
    page.click("#next")
    assert _look(page, 1, total, width) == seen[1]
    page.click("#prev")  # and back, by the button
    assert _look(page, 0, total, width) == seen[0]
    assert WORDS[level] in page.inner_text("#step-lines") or level == "nodes"
    assert errors == [] and requests == [path.as_uri()]
    page.close()


def _look(page, index: int, total: int, width: int) -> tuple[str, str]:
    """The step's title and red node, after checking the counter, the buttons and that
    nothing is wider than the window."""
    assert page.inner_text("#counter") == f"{index + 1} / {total}"
    assert page.is_disabled("#prev") == (index == 0)
    assert page.is_disabled("#next") == (index == total - 1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    active = page.get_attribute("#picture svg .node.active", "id")
    assert active
    return page.inner_text("#step-title"), active


# -- the explorer's zoom switch --------------------------------------------------------------


def network_explorer():
    pytest.importorskip("anywidget")
    from autograd_mini import explore

    net, inputs, targets = symmetry_net()
    return net, explore(model=net, cases=(inputs[:2], targets[:2]))


def test_the_explorer_zooms_out_on_a_network_and_never_writes_its_weights():
    net, ex = network_explorer()
    weights = net.state_dict()
    assert ex.levels == ["nodes", "units", "layers"] and ex.level == "nodes"
    nodes_steps = ex.steps
    ex.level = "units"
    assert [s["title"] for s in ex.steps] == [
        "Backward 1 of 3: output unit", "Backward 2 of 3: hidden unit 2",
        "Backward 3 of 3: hidden unit 1"] and ex.step == 0
    before = ex.steps[0]["lines"]
    bias = next(name for name in ex.inputs if name.startswith("b"))
    ex.inputs = {bias: 4.0}  # a slider: the walk is taken again on the new numbers
    assert ex.steps[0]["lines"] != before and net.state_dict() == weights
    ex.level = "layers"
    assert ex.steps[0]["lines"][0].startswith("δ² = (y² − d) ⊙ (y² * (1 - y²)) = [")
    assert all(node["fixed"] for node in ex.nodes)  # the boxes keep their own text
    ex.level = "nodes"
    assert len(ex.steps) == len(nodes_steps)


def test_a_plain_graph_or_a_quiz_has_only_the_nodes_level():
    pytest.importorskip("anywidget")
    from autograd_mini import Value, explore

    x = Value(2.0, label="x")
    for ex in (explore(x * x), explore(model=symmetry_net()[0], cases=([[0.0] * 6], [[1.0]]),
                                       quiz=True)):
        assert ex.levels == ["nodes"]
        with pytest.raises(ValueError, match="level must be one of nodes"):
            ex.level = "units"
    with pytest.raises(TypeError, match="a network and its cases"):
        explore(model=symmetry_net()[0])


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_the_explorer_page_switches_levels_and_walks_each(browser, width):
    from test_explorer import _FAKE_MODEL, _PAGE, ESM, MODULE, _state

    net, ex = network_explorer()
    state = lambda: json.loads(json.dumps({**_state(ex), "level": ex.level,  # noqa: E731
                                           "levels": ex.levels}))
    page = browser.new_page(viewport={"width": width, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_content(_PAGE % (ESM.parent / "explorer.css").read_text())
    page.evaluate(_FAKE_MODEL, [MODULE, state()])
    page.wait_for_selector(".am-explorer[data-ready=true]")
    assert page.locator(".am-level").all_inner_texts() == ["nodes", "units", "layers"]
    for level in ("units", "layers", "nodes"):
        page.click(f'.am-level[data-level="{level}"]')
        assert page.evaluate("window.model.get('level')") == level  # the page asked
        ex.level = level  # Python answers with the level's picture and steps
        page.evaluate("s => { for (const [k, v] of Object.entries(s)) window.model.set(k, v); }",
                      state())
        assert page.get_attribute(f'.am-level[data-level="{level}"]', "aria-pressed") == "true"
        total = len(ex.steps)
        assert page.inner_text(".am-counter") == f"all / {total} steps"
        last = min(total, 4)
        for index in range(1, last + 1):  # forward …
            page.click(".am-next")
            assert page.inner_text(".am-explain .am-title") == ex.steps[index - 1]["title"]
            assert page.locator(".am-graph svg .node.active").count() == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.click(".am-prev")  # … and back
        assert page.inner_text(".am-explain .am-title") == ex.steps[last - 2]["title"]
        if level != "nodes":
            assert WORDS[level] in page.inner_text(".am-lines")
    assert errors == []
    page.close()
