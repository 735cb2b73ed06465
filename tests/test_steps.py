"""The step-by-step viewer (viz/steps.py): its frames, its page file, and the page in a real
headless browser (Debian chromium + Playwright; those tests are marked ``browser``)."""


import pytest

from autograd_mini import Value
from autograd_mini.cli import worked_example
from autograd_mini.explain.trace import trace
from autograd_mini.viz.steps import frames, save_steps_html

# -- the frames, and the viewer page in a browser -------------------------------------------


def test_frames_walk_forward_then_backward():
    record = trace(worked_example())
    walk = frames(record)
    titles = [f.title for f in walk]
    assert titles[0] == "Forward 1 of 6" and titles[6] == "Backward: the seed"
    assert titles[-1] == "Backward 3 of 3: through mul at n1"
    assert len(walk) == 6 + 1 + 3
    last = walk[-1]
    assert "∂o/∂x += ∂o/∂n1 · ∂n1/∂x = 0.5 · -3 = -1.5" in last.lines
    assert 'class=active' in last.graph.source and "grad ?" not in last.graph.source
    assert "grad ?" in walk[7].graph.source  # x's gradient is not known yet at step 1


@pytest.mark.browser
def test_viewer_in_a_real_browser(browser, tmp_path):
    path = save_steps_html(worked_example(), tmp_path / "steps.html")
    page = browser.new_page()
    errors, requests = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    assert page.inner_text("#counter") == "1 / 10"
    assert page.is_disabled("#prev")
    seen_titles, seen_active = [], []
    for _ in range(9):
        seen_titles.append(page.inner_text("#step-title"))
        seen_active.append(page.get_attribute("#picture svg .node.active", "id"))
        page.click("#next")
    seen_titles.append(page.inner_text("#step-title"))
    seen_active.append(page.get_attribute("#picture svg .node.active", "id"))
    assert page.is_disabled("#next") and page.inner_text("#counter") == "10 / 10"
    assert len(set(seen_titles)) == 10  # every step shows its own text
    assert seen_active[:6] == [f"v{i}" for i in range(6)]  # forward: node after node
    # the seed sits on the output o; then o (tanh), n (+), n1 (*) pass gradients back
    assert seen_active[6:] == ["v5", "v5", "v4", "v2"]
    lines = page.inner_text("#step-lines")
    assert "∂o/∂x += ∂o/∂n1 · ∂n1/∂x = 0.5 · -3 = -1.5" in lines
    assert "d/da a * b = b" in page.inner_text("#formula")
    # keys and slider
    page.keyboard.press("Home")
    assert page.inner_text("#counter") == "1 / 10"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#counter") == "3 / 10"
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#counter") == "2 / 10"
    page.fill("#slider", "7")
    assert page.inner_text("#counter") == "8 / 10"
    assert "Backward 1 of 3" in page.inner_text("#step-title")
    page.keyboard.press("End")
    assert page.inner_text("#counter") == "10 / 10"
    assert errors == []
    assert requests == [path.as_uri()]  # the page itself and nothing else
    page.close()


@pytest.mark.browser
def test_viewer_escapes_labels(browser, tmp_path):
    x = Value(1.0, label="</script><b>x</b>")
    path = save_steps_html(x * 2, tmp_path / "steps.html", title="<i>t</i>")
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    assert page.inner_text("h1") == "<i>t</i>"
    assert "</script><b>x</b> = 1" in page.inner_text("#step-lines")
    assert errors == []
    page.close()


def test_frames_are_written_as_pictures(tmp_path):
    from autograd_mini.viz.steps import save_frames

    x = Value(3.0, label="x")
    paths = save_frames(trace(x * x + x), tmp_path / "frames", format="png")
    assert [p.name for p in paths] == [f"step_{i:03d}.png" for i in range(1, len(paths) + 1)]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)


# -- no text of the user's becomes markup, script or template --------------------------------

HOSTILE_LABELS = ["&lt;img src=x onerror=alert(1)&gt;", "<!--<script>", "</script><b>x</b>",
                  "{{FRAMES}}", "{{DATA}}", "\\u003c\\n ∂ é"]


def _hostile_graph():
    from autograd_mini import apply

    leaves = [Value(float(i + 1), label=label) for i, label in enumerate(HOSTILE_LABELS)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    out = apply("hostile", total)
    out.label = "<!--"
    return out, leaves


def _open(browser, path):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append("dialog: " + d.message), d.dismiss()))
    page.on("request", lambda r: problems.append(r.url) if r.url != path.as_uri() else None)
    page.goto(path.as_uri())
    return page, problems


@pytest.mark.browser
def test_hostile_text_shows_literally_in_every_frame(browser, tmp_path, hostile_primitive):
    out, _ = _hostile_graph()
    title = "{{FRAMES}} <!--<script> </script><b>t</b>"
    path = save_steps_html(out, tmp_path / "steps.html", title=title)
    page, problems = _open(browser, path)
    assert page.inner_text("h1") == title and page.title() == title
    count = len(frames(trace(out)))
    assert page.inner_text("#counter") == f"1 / {count}"
    seen, explained = set(), []
    for i in range(count):
        picture = page.inner_text("#picture")
        assert hostile_primitive.symbol in picture
        for label in HOSTILE_LABELS:
            assert label in picture
        seen.add(page.inner_text("#step-title"))
        explained.append(page.inner_text("#explain"))
        assert page.locator("#picture a, #picture script, #picture img, #step-lines *:not(li)"
                            ).count() == 0
        if i < count - 1:
            page.click("#next")
    assert len(seen) == count
    text = "\n".join(explained)
    assert "From the op table: d/da <b>hostile</b>(a) {{DATA}} = " in text
    assert "∂<!--/∂<!--<script> += ∂<!--/∂n1 · ∂n1/∂<!--<script> = 1 · 1 = 1" in text
    assert problems == []
    page.close()


@pytest.mark.browser
def test_clicking_a_hostile_node_runs_no_script(browser, tmp_path, hostile_primitive):
    from autograd_mini.viz import draw_dot, save

    out, _ = _hostile_graph()
    out.backward()
    for path in [save_steps_html(out, tmp_path / "steps.html"),
                 save(draw_dot(out), tmp_path / "graph.svg")]:
        page, problems = _open(browser, path)
        if path.suffix == ".html":
            page.keyboard.press("End")
        for node in page.locator("g.node").all():
            node.click(force=True)
        assert page.evaluate("document.querySelectorAll('a').length") == 0
        assert page.url == path.as_uri()  # no navigation happened
        assert problems == []
        page.close()


def test_page_data_is_json_with_no_raw_less_than_sign(tmp_path):
    import json
    import re

    x = Value(1.0, label="<!--<script></script>")
    page = (save_steps_html(x * 2, tmp_path / "s.html", title="</script>{{DATA}}")
            .read_text())
    block = re.search(r'<script id="steps-data" type="application/json">(.*?)</script>',
                      page, re.S).group(1)
    assert "<" not in block
    data = json.loads(block)
    assert data["title"] == "</script>{{DATA}}"
    assert any("<!--<script></script>" in line for f in data["frames"] for line in f["lines"])
    # the title's own {{DATA}}, inside the data and as the <title>'s text: the
    # placeholder itself is gone
    assert page.count("{{DATA}}") == 2 and page.count('type="application/json"') == 1
    assert "<title>&lt;/script&gt;{{DATA}}</title>" in page


# -- the page file: its mode, and graph text readable in a 1000 × 700 window ------------------


def test_viewer_file_gets_opens_mode(tmp_path, umask_022):
    import stat

    path = save_steps_html(worked_example(), tmp_path / "steps.html")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


SMALLEST_TEXT = """() => Math.min(...Array.from(document.querySelectorAll('#picture svg text'))
    .map(t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""


@pytest.mark.browser
@pytest.mark.parametrize("size", ["tour", "big"])
def test_graph_text_is_readable_in_a_1000_by_700_window(browser, tmp_path, size):
    if size == "tour":
        out = worked_example()
    else:  # 40 nodes: the picture is wider than the window, so it scrolls
        x = Value(0.5, label="x")
        out = x
        for _ in range(12):
            out = (out * 1.1 + x).tanh()
    path = save_steps_html(out, tmp_path / "steps.html")
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto(path.as_uri())
    for _ in range(3):
        smallest = page.evaluate(SMALLEST_TEXT)
        print(f"{size}: smallest graph text {smallest:.1f} px on screen")
        assert smallest >= 11
        page.click("#next")
    scrolls = page.evaluate("() => { const p = document.getElementById('picture');"
                            " return p.scrollWidth > p.clientWidth; }")
    assert scrolls or size == "tour"  # a big graph keeps its text and scrolls instead
    assert page.evaluate("document.body.scrollWidth") <= 1000  # the page itself does not


# -- the cost: the graph walked once (by the trace), each frame drawn once; one page template --

def test_the_viewer_walks_the_graph_once_and_draws_each_frame_once(monkeypatch, tmp_path):
    import autograd_mini.core.engine as engine
    import autograd_mini.core.naming as naming
    from autograd_mini.viz import graph, rendering
    from autograd_mini.viz.steps import steps_html

    counts = {"walks": 0, "draws": 0, "renders": 0}

    def counting(key, function):
        def counted(*args, **kwargs):
            counts[key] += 1
            return function(*args, **kwargs)
        return counted

    walk = counting("walks", engine.topological_order)
    for module in (engine, naming, graph):
        monkeypatch.setattr(module, "topological_order", walk)
    monkeypatch.setattr(graph.Scene, "draw", counting("draws", graph.Scene.draw))
    monkeypatch.setattr(rendering, "render", counting("renders", rendering.render))
    record = trace(worked_example())
    assert counts["walks"] == 1
    page = steps_html(record)
    # laid out once each way, left to right and top to bottom: the frames only repaint
    assert counts == {"walks": 1, "draws": 2, "renders": 2}
    assert page.count("\\u003csvg") == 2


@pytest.mark.parametrize("language, lang, title, step", [
    ("ko", "ko", "역전파, 단계별로", "단계"),
    ("en", "en", "Backpropagation, step by step", "step")])
def test_the_pages_html_speaks_its_language_before_its_script_runs(tmp_path, language, lang,
                                                                    title, step):
    """<html lang>, the <title> and the slider's label are written in the reader's
    language (a screen reader, a tab's name, a page read without its script)."""
    import re

    from autograd_mini.core.language import speaking

    x = Value(2.0, label="x")
    with speaking(language):
        page = save_steps_html(x * x, tmp_path / "steps.html").read_text(encoding="utf-8")
        hostile = save_steps_html(x * x, tmp_path / "h.html", title='<b a="1">{{LANG}}'
                                  ).read_text(encoding="utf-8")
    html = re.sub(r"<style>.*?</style>", "", page.split('<script id="steps-data"')[0], flags=re.S)
    assert f'<html lang="{lang}">' in html and f"<title>{title}</title>" in html
    assert f'aria-label="{step}"' in html and "{{" not in html
    assert "<title>&lt;b a=&quot;1&quot;&gt;{{LANG}}</title>" in hostile
    if language == "ko":  # no English word a reader meets in the HTML itself
        said = re.findall(r">([^<]*)<", html) + re.findall(r'(?:aria-label|title)="([^"]*)"',
                                                            html)
        assert not [words for words in said if re.search(r"[A-Za-z]", words)]


def test_the_page_is_a_package_file_with_one_place_for_data():
    from pathlib import Path

    import autograd_mini.viz as viz

    page = (Path(viz.__file__).parent / "steps.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("{{DATA}}") == 1


# -- the words of a node used twice, and numbers as the tables write them ---------------------

@pytest.mark.browser
def test_the_viewer_names_both_slots_of_a_square_and_their_total(browser, tmp_path):
    x = Value(2.0, label="x")
    path = save_steps_html(x * x + 3 * x, tmp_path / "steps.html")
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.goto(path.as_uri())
    page.keyboard.press("End")  # the last step: back through n1 = x * x
    lines = page.inner_text("#step-lines")
    assert "∂n1/∂x = x = 2, as the left input a" in lines
    assert "∂n1/∂x = x = 2, as the right input b" in lines
    assert "∂n1/∂x = 2·x = 4 in all" in lines  # d(x²)/dx = 2x = 4 at x = 2
    # both arrows from x into the product are drawn, named a and b, and both are red
    arrows = page.locator("#picture g.edge.active-edge")
    assert arrows.count() == 2
    assert sorted(a.text_content().split()[-1] for a in arrows.all()) == ["a", "b"]
    assert "grad 7" in page.text_content("#v0")  # 2 + 2 from x * x, 3 from 3 * x
    page.close()


def test_the_page_gives_the_inputs_with_the_tables_digits(tmp_path):
    import json
    import re

    page = save_steps_html(worked_example(), tmp_path / "steps.html").read_text()
    data = json.loads(re.search(r'type="application/json">(.*?)</script>', page, re.S)[1])
    assert data["given"] == "x = 2, w = -3, b = 6.881"
    assert "b = 6.881  (given)" in [line for f in data["frames"] for line in f["lines"]]
    assert set(data["pictures"]) == {"wide", "tall"}


def test_the_demo_says_the_numbers_as_the_viewer_does(tmp_path, capsys):
    from autograd_mini.cli import main

    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    said = capsys.readouterr().out
    assert "with x = 2, w = -3, b = 6.881\n" in said and "6.8814" not in said


def test_a_model_s_many_inputs_are_counted_not_listed_in_the_header():
    import random

    from autograd_mini.nn import MLP
    from autograd_mini.viz.steps import page_data

    out = MLP(3, [4, 1], rng=random.Random(0))([1.0, -2.0, 0.5])
    given = page_data(trace(out), "t")["given"]
    # 3 inputs, 4 neurons of 3 weights and a bias, one of 4 and a bias: 24 leaves
    assert given.count(" = ") == 6 and given.endswith(", … and 18 more")
