"""The course in the browser: course.html runs every notebook's cells in the page's
Pyodide, offline, and shows their outputs; its markdown is the package's safe subset.

The page's Python side is tested here on the desktop first: autograd_mini.site.markdown,
.kernel, .widget_stand_in and .notebook;
the browser tests then run every code cell of every notebook in headless Chromium with
every non-local request aborted (the site fixtures of test_site.py).  The time each
notebook takes is printed: run with ``-s`` to read it.
"""

from __future__ import annotations

import inspect
import json
import math
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import test_site
from test_site import MAX_SITE_BYTES, figure, wait_until

from autograd_mini import Value, trace
from autograd_mini.site import markdown, notebook, widget_stand_in
from autograd_mini.site.builder import COURSE_WHEELS, size_of
from autograd_mini.site.kernel import Kernel
from autograd_mini.viz import plots
from autograd_mini.viz.steps import with_viewer

# The site's fixtures, shared with test_site.py: built once, served on 127.0.0.1, offline Chromium.
site, server = test_site.site, test_site.server
offline_browser, open_tab = test_site.offline_browser, test_site.open_tab

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KOREAN_NOTEBOOKS = sorted((ROOT / "notebooks" / "ko").glob("[0-9][0-9]_*.ipynb"))
SECONDS_A_NOTEBOOK = 600  # the family-trees net trains for ~1-2 min in Pyodide on a busy machine

HOSTILE_MARKDOWN = "\n".join([
    "# Title <script>window.hacked = 1</script>",
    "Text <img src=x onerror=\"window.hacked = 2\"> and <b onclick=\"window.hacked = 3\">b</b>",
    "[a link](javascript:window.hacked=4) [another](\"onmouseover=\"window.hacked=5)",
    "`<svg onload=window.hacked=6>` and $<iframe>$ and **<style>*{}</style>**",
    "| <a href=x>cell</a> | `x|y` |", "|---|---|", "| <script>1</script> | 2 |",
    "- <details open ontoggle=window.hacked=7>",
    "```", "<script>window.hacked = 8</script>", "```",
    "<div style=\"position:fixed\">raw HTML block</div>",
])
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "li", "blockquote", "pre",
                "code", "strong", "em", "span", "a", "hr", "table", "tr", "th", "td"}


class Tags(HTMLParser):
    """Every tag and attribute of a piece of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


# --- The page's Python side, on the desktop ----------------------------------------------


def test_hostile_markdown_becomes_text_and_only_the_subsets_tags():
    html = markdown.markdown_html(HOSTILE_MARKDOWN)
    for tag, attrs in Tags(html).found:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= {"href", "class"}, attrs
        if "href" in attrs:
            assert not attrs["href"].lower().startswith("javascript"), attrs
    for text in ("&lt;script&gt;window.hacked = 1&lt;/script&gt;", "&lt;img src=x",
                 "&lt;svg onload=window.hacked=6&gt;", "&lt;div style=",
                 "&lt;script&gt;window.hacked = 8&lt;/script&gt;"):
        assert text in html  # shown, as the text it is


def test_the_markdown_subset():
    html = markdown.markdown_html(
        "## Two\n\nSome **bold**, *italic*, `x*y` and $a_b$, a snake_case_name.\n\n"
        "- one\n  more\n- two\n\n1. first\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | `p|q` |\n\n"
        "See [notebook 2](02_chain_rule_as_an_algorithm.ipynb) and [docs](https://example.org).")
    assert "<h2>Two</h2>" in html
    assert "<strong>bold</strong>, <em>italic</em>, <code>x*y</code>" in html
    assert "<span class='math'>a_b</span>, a snake_case_name." in html
    assert "<ul><li>one more</li><li>two</li></ul>" in html and "<ol><li>first</li></ol>" in html
    assert "<blockquote><p>quoted</p></blockquote>" in html
    assert "<tr><td>1</td><td><code>p|q</code></td></tr>" in html
    assert '<a href="course.html?nb=02">notebook 2</a>' in html
    assert '<a href="https://example.org">docs</a>' in html


def test_the_kernel_shows_what_jupyter_shows():
    kernel = Kernel()
    outputs = kernel.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\n"
                         "print('more')\n6 * 7")
    assert outputs == [{"type": "stream", "name": "stdout", "text": "out\n"},
                       {"type": "stream", "name": "stderr", "text": "err\n"},
                       {"type": "stream", "name": "stdout", "text": "more\n"},
                       {"type": "text", "data": "42"}]
    assert kernel.run("x = 6 * 7;") == [] and kernel.run("x") == [{"type": "text", "data": "42"}]
    assert kernel.run("x;") == []  # a last ';' hides the value, as in Jupyter
    (shown,) = kernel.run("display('<b>', 1)\n")[:1]
    assert shown == {"type": "text", "data": "'<b>'"}
    (error,) = kernel.run("def f():\n    return 1 / 0\nf()")
    assert error["type"] == "error" and error["text"].startswith("Traceback")
    assert "ZeroDivisionError: division by zero" in error["text"]
    assert Path(inspect.getfile(Kernel)).name not in error["text"]  # the cell's frames only
    (magic,) = kernel.run("%config InlineBackend.figure_formats = ['svg']")
    assert "%config InlineBackend" in magic["text"] and "run in Jupyter" in magic["text"]
    kernel.restart()
    assert "NameError" in kernel.run("x")[0]["text"]


def test_a_restart_forgets_the_ops_a_notebook_registered(register_op):
    """Run all starts again from the op table as it was: notebook 3 registers swish.
    (The cells register swish2; register_op takes it out of the table afterwards.)"""
    from autograd_mini import PRIMITIVES

    kernel = Kernel()
    swish = ("from autograd_mini.core.ops import Primitive, register\n"
             "register(Primitive('swish2', 's', value=lambda a: a, "
             "derivative=lambda out, a: (1.0,)));")
    assert kernel.run(swish) == [] and "swish2" in PRIMITIVES
    assert "exists already" in kernel.run(swish)[0]["text"]  # as the op table says
    kernel.restart()
    assert "swish2" not in PRIMITIVES
    assert kernel.run(swish) == []


def test_the_kernel_shows_rich_results(monkeypatch):
    kernel = Kernel()
    kernel.namespace["record"] = trace((Value(2.0, label="x") * 3).tanh())
    (html,) = kernel.run("record")
    assert html["type"] == "html" and "<table" in html["data"]
    monkeypatch.setattr(plots, "has_matplotlib", lambda: False)  # as in the browser
    (svg,) = kernel.run("from autograd_mini.viz.plots import Chart, Figure, Series\n"
                        "Figure(Chart([Series([1, 2], [3, 4], 'a<b')]))")
    assert svg["type"] == "svg" and svg["data"].startswith("<svg") and "a&lt;b" in svg["data"]
    (text,) = kernel.run("Figure")  # a class is shown by its repr, not asked for pictures
    assert text["type"] == "text"


def test_without_anywidget_the_explorer_talks_to_the_page_through_the_stand_in():
    """In a Python without anywidget (as the page's), the stand-in takes its place: the
    page reads the explorer's state and module, and its slider and step moves reach the
    explorer's Python side, whose answers come back as changes and messages."""
    program = """
import json, sys
sys.modules["anywidget"] = None  # as if not installed: importing it fails
from autograd_mini.site import kernel, widget_stand_in as stand_in
assert stand_in.use_widget_stand_in()
from autograd_mini import Value, explore
x, w = Value(2.0, label="x"), Value(-3.0, label="w")
ex = explore((x * w).tanh())
shown = kernel.shown(ex)
stand_in.widget_pending()  # what the explorer set while it was made
drawn = json.loads(stand_in.widget_state(shown["data"]))
moved = json.loads(stand_in.widget_message(shown["data"], json.dumps(
    {"kind": "inputs", "inputs": {"x": 1.0, "w": 0.5}})))
refused = json.loads(stand_in.widget_update(shown["data"], json.dumps({"step": 999})))
ex.inputs = {"x": 0.0}  # a later cell: the page hears of it
later = json.loads(stand_in.widget_pending())
print(json.dumps({"shown": shown, "drawn": drawn, "moved": moved, "refused": refused,
                  "later": later, "grad": ex.grads["x"], "step": ex.step}))
"""
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    shown, widget = answer["shown"], answer["shown"]["data"]
    assert shown["type"] == "widget" and shown["note"] == widget_stand_in.WIDGET_NOTE
    assert shown["fallback"]["type"] == "svg"  # the picture, where the module cannot load
    drawn = answer["drawn"]
    explorer_js = (ROOT / "autograd_mini" / "viz" / "explorer.js").read_text()
    assert drawn["esm"] == with_viewer(explorer_js)  # explorer.js, the step viewer written in
    assert drawn["css"] == (ROOT / "autograd_mini" / "viz" / "explorer.css").read_text()
    assert drawn["state"]["inputs"] == {"x": 2.0, "w": -3.0} and drawn["state"]["svg"]
    moved = answer["moved"]
    assert moved["messages"] == {widget: [{"kind": "done"}]}
    assert moved["changes"][widget]["inputs"] == {"x": 1.0, "w": 0.5}
    assert moved["changes"][widget]["grads"]["x"] == pytest.approx(
        0.5 * (1 - math.tanh(0.5) ** 2))
    assert answer["refused"]["changes"] == {widget: {"step": 0}}  # Python's value, back
    assert answer["later"]["changes"][widget]["inputs"] == {"x": 0.0, "w": 0.5}
    assert answer["grad"] == pytest.approx(0.5) and answer["step"] == 0


def test_the_stand_in_is_never_used_where_anywidget_exists():
    pytest.importorskip("anywidget")
    assert widget_stand_in.use_widget_stand_in() is False
    assert not issubclass(sys.modules["anywidget"].AnyWidget, widget_stand_in._StandInWidget)


def test_notebook_cells_leave_out_outputs_and_fold_solutions():
    raw = json.loads(NOTEBOOKS[1].read_text())
    cells = notebook.notebook_cells(raw)
    assert len(cells) == len(raw["cells"])
    assert set(cells[0]) == {"type", "source", "hidden"}
    solutions = [c for c, cell in zip(cells, raw["cells"])
                 if "solution" in cell["metadata"].get("tags", [])]
    assert solutions and all(c["hidden"] for c in solutions)


def test_the_site_copies_a_notebook_without_outputs_under_its_title():
    raw = json.loads(NOTEBOOKS[1].read_text())
    assert notebook.title(raw).startswith("1. Derivatives by hand")  # its first heading
    blank = notebook.without_outputs(raw)
    assert all(c["outputs"] == [] and c["execution_count"] is None
               for c in blank["cells"] if c["cell_type"] == "code")
    assert "widgets" not in blank["metadata"]
    assert notebook.title({"cells": [{"cell_type": "code", "source": "# no"}]}) == "a notebook"


def test_a_checks_time_budget_runs_the_code_where_there_are_no_threads(monkeypatch):
    """Pyodide has neither a timer signal nor threads: check_engine (notebook 0) still
    runs the student's code there, without a budget."""
    from autograd_mini.testing import budget

    def no_threads(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.delattr(budget.signal, "setitimer")
    monkeypatch.setattr(budget.threading.Thread, "start", no_threads)
    assert budget.within(0.01, lambda: 6 * 7) == 42
    with pytest.raises(ZeroDivisionError):
        budget.within(0.01, lambda: 1 / 0)


# --- The course in headless Chromium, offline ----------------------------------------------


@pytest.mark.browser
def test_the_site_carries_the_course_and_stays_small(site):
    size = size_of(site)
    figure(f"site with the course: {size / 1e6:.1f} MB (at most {MAX_SITE_BYTES / 1e6:.0f})")
    assert size <= MAX_SITE_BYTES
    config = json.loads((site / "site.json").read_text())
    names = [Path(w).name.split("-")[0] for w in config["course_wheels"]]
    assert names == list(COURSE_WHEELS)
    for wheel in config["course_wheels"]:
        assert wheel.endswith("-none-any.whl") and (site / wheel).is_file()
    index = json.loads((site / "course" / "index.json").read_text())
    assert [e["file"] for e in index if e["language"] == "en"] == [p.name for p in NOTEBOOKS]
    assert [e["file"] for e in index if e["language"] == "ko"] == \
        [f"ko/{p.name}" for p in KOREAN_NOTEBOOKS]
    for entry in index:
        copied = json.loads((site / "course" / entry["file"]).read_text())
        assert all(not c.get("outputs") for c in copied["cells"])  # the page runs them
        assert "widgets" not in copied["metadata"]


@pytest.mark.browser
@pytest.mark.parametrize("path", [p if p.name[:2] == "01"  # the one the quick loop runs
                                  else pytest.param(p, marks=pytest.mark.slow)
                                  for p in NOTEBOOKS + KOREAN_NOTEBOOKS[2:3]],
                         ids=lambda p: p.parent.name.replace("notebooks", "") + p.name[:2])
def test_every_cell_of_the_notebook_runs_in_the_course_page(open_tab, path):
    language = "ko" if path.parent.name == "ko" else "en"
    tab = open_tab(f"course.html?nb={path.name[:2]}&lang={language}")
    page = tab.page
    wait_until(page, "window.course && window.course.cells > 0", timeout=60)
    page.set_default_timeout(SECONDS_A_NOTEBOOK * 1000)
    started = time.perf_counter()
    results = page.evaluate("window.course.runAll()")
    seconds = time.perf_counter() - started
    code = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    assert len(results) == len(code)
    assert [(r["index"], r["errors"]) for r in results if r["errors"]] == []
    slowest = max(results, key=lambda r: r["seconds"])
    figure(f"notebook {path.name[:2]}: {len(results)} cells in {seconds:.1f} s "
           f"(slowest: cell {slowest['index'] + 1}, {slowest['seconds']:.1f} s; "
           f"page ready in {tab.load_seconds:.1f} s)")
    outputs = page.locator(".cell.code .outputs")
    assert outputs.count() == len(code)
    pictures = page.locator(".outputs .picture svg").count()
    if path.name[:2] in ("01", "02", "03", "04", "05", "06", "07", "08", "09"):
        assert pictures >= 1  # graphs (WASM graphviz) and figures (the package's SVG)
    if path.name[:2] in ("01", "02", "05"):  # the explorer, live
        assert page.locator(".am-explorer[data-ready=true]").count() == 1
        assert page.locator(".outputs .note").count() == 0  # no picture in its place
    if language == "ko":  # the Korean notebook's own words, and the engine speaks Korean
        assert page.locator("#cells .cell.markdown[lang=ko]").count() > 0
        assert "역전파" in page.locator(".cell.code .outputs[lang=ko]").all_inner_texts()[-1] + \
            page.locator("#cells").inner_text()
    assert tab.blocked == []


@pytest.mark.browser
@pytest.mark.slow
def test_the_explorer_in_the_course_page_is_live(open_tab):
    """Notebook 1's explorer: the cell after it sets b = 1 from Python and the page
    follows; a slider moved in the page replays the graph in Python (∂L/∂a = b·f)."""
    page = open_tab("course.html?nb=01").page
    wait_until(page, "window.course && window.course.cells > 0", timeout=60)
    page.evaluate("window.course.runAll()")
    explorer = page.locator(".am-explorer[data-ready=true]")
    grad = explorer.locator('.am-input[data-name="a"] .am-grad')
    assert grad.inner_text() == "∂L/∂a = -2"  # b = 1, f = -2: set by the next cell
    explorer.locator('.am-input[data-name="b"] .am-slider').fill("2")
    wait_until(page, "document.querySelector('.am-explorer').dataset.updates === '1'")
    assert grad.inner_text() == "∂L/∂a = -4"
    explorer.locator(".am-next").click()  # its answer comes from the engine's thread
    wait_until(page, "document.querySelector('.am-explorer .am-explain .am-title')"
                     ".textContent === 'Forward 1 of 7'")
    read = ("import json; from autograd_mini.site.kernel import page_kernel; "
            "ex = page_kernel.namespace['ex']; json.dumps([ex.inputs, ex.step])")
    assert page.evaluate("async (code) => JSON.parse(await window.autograd_mini.python(code))",
                         read) == [
        {"a": 2.0, "b": 2.0, "c": 10.0, "f": -2.0}, 1]  # the page's moves, in Python


@pytest.mark.browser
@pytest.mark.slow
def test_hostile_markdown_in_a_notebook_shows_as_text(offline_browser, server):
    """A notebook whose markdown tries every way to become markup: the page shows it as
    text, runs nothing of it, and its code's printed HTML is text too."""
    hostile = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": HOSTILE_MARKDOWN},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "print('<img src=x onerror=\"window.hacked = 9\">')"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    context = offline_browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(server)
                      else r.abort())
        page.route("**/course/00_*.cells.json", lambda r: r.fulfill(  # the cells the page reads
            status=200, content_type="application/json",
            body=json.dumps(notebook.notebook_cells(hostile))))
        page.goto(f"{server}/course.html?nb=00")
        wait_until(page, "window.course && window.course.cells === 1", timeout=60)
        page.evaluate("window.course.runAll()")
        markdown = page.locator(".cell.markdown")
        text = markdown.inner_text()
        assert "<script>window.hacked = 1</script>" in text and "<img src=x" in text
        assert "raw HTML block" in text
        assert markdown.locator("script, img, iframe, style, details, div, svg, b").count() == 0
        assert page.locator(".outputs pre.stream").inner_text().startswith("<img src=x")
        assert page.locator(".outputs img").count() == 0
        assert page.evaluate("window.hacked") is None
        assert errors == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_course_page_lists_the_notebooks_and_refuses_an_unknown_one(open_tab):
    for language, other in (("en", "ko"), ("ko", "en")):
        page = open_tab(f"course.html?lang={language}").page
        items = page.locator("#notebooks li")
        assert items.count() == len(NOTEBOOKS) == len(KOREAN_NOTEBOOKS)
        for item, path in zip(items.all(), NOTEBOOKS if language == "en" else KOREAN_NOTEBOOKS):
            own, translated = item.locator("a").all()  # the notebook, and it in the other
            assert own.text_content() == notebook.title(json.loads(path.read_text("utf-8")))
            assert (own.get_attribute("lang"), translated.get_attribute("lang")) == \
                (language, other)
            for link, code in ((own, language), (translated, other)):
                query = parse_qs(urlsplit(link.get_attribute("href")).query)
                assert query == {"nb": [path.name[:2]], "lang": [code]}
    page = open_tab("course.html?nb=%3Cb%3E99").page
    assert page.locator("#status").inner_text() == 'There is no notebook "<b>99"; choose one below.'


@pytest.mark.browser
def test_a_solution_and_what_it_prints_stay_folded_until_opened(open_tab):
    """Notebook 1 in a fresh view and after Run all: each solution is a closed
    <details> whose summary gives nothing away; its code (and anything it prints, which
    goes inside the folded part) shows only once it is opened."""
    page = open_tab("course.html?nb=01").page
    wait_until(page, "window.course && window.course.cells > 0", timeout=60)
    folded = page.locator("details.solution")
    assert folded.count() == 2

    def nothing_shows() -> None:
        for k in range(folded.count()):
            solution = folded.nth(k)
            assert solution.get_attribute("open") is None
            assert solution.locator("summary").inner_text() == "A solution (click to show)"
            assert not solution.locator("textarea.source").is_visible()
            assert not solution.locator(".outputs").is_visible()
        assert "dg/da" not in page.locator("body").inner_text()

    nothing_shows()
    page.set_default_timeout(SECONDS_A_NOTEBOOK * 1000)
    results = page.evaluate("window.course.runAll()")
    assert [r["errors"] for r in results if r["errors"]] == []
    nothing_shows()
    folded.first.locator("summary").click()
    assert folded.first.locator("textarea.source").is_visible()
    assert "# dg/da = 2a = 6" in folded.first.locator("textarea.source").input_value()
