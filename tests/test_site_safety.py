"""Nothing a link, an answer, a notebook or a request can send kills a page or the
server: the expression parser's limits (checked before Python's parser), the guard of
every entry point from a page into Python, the Markdown renderer's linear time and
nesting limit, and the server's refusals and Content-Security-Policy.  (The same inputs
in headless Chromium: test_site.py.)"""

from __future__ import annotations

import ast
import http.client
import json
import threading
import time

import pytest

from autograd_mini.explain import expression
from autograd_mini.explain.expression import MAX_DEPTH, MAX_LENGTH, ExpressionError, parse
from autograd_mini.site import kernel, markdown, notebook, page_api, widget_stand_in
from autograd_mini.site.builder import with_policy
from autograd_mini.site.markdown import MAX_NESTING, markdown_html
from autograd_mini.site.policy import CONTENT_SECURITY_POLICY
from autograd_mini.site.server import make_server

# The reproducers: each once killed a page (or took most of a minute).
MINUS_LINK = "-" * 1700 + "x"          # a shared link's #e=, under the length limit
PLUS_CHAIN = "x+" * 2000               # the names were read before the length was checked
MINUS_ANSWER = "-" * 1999 + "1"        # typed into a quiz answer box
PRODUCT_190 = "*".join(["x"] * 190)    # fine, and the slider's worst case


@pytest.fixture
def no_python_parser(monkeypatch):
    """Python's parser must not even be called for a refused text."""
    def refuse(*args, **kwargs):
        raise AssertionError("ast.parse called on a text the limits refuse")
    monkeypatch.setattr(expression.ast, "parse", refuse)
    monkeypatch.setattr(page_api.ast, "parse", refuse)


@pytest.mark.parametrize("text, words", [
    (MINUS_LINK, "nested too deeply: 1700 levels of brackets and operators, over the "
                 f"limit of {MAX_DEPTH}"),
    (MINUS_ANSWER, "nested too deeply: 1999"),
    ("x." * 600 + "x", "nested too deeply"),
    ("(" * 300 + "x" + ")" * 300, "nested too deeply"),
    ("not " * 300 + "x", "nested too deeply"),
    (PLUS_CHAIN, f"longer than {MAX_LENGTH} characters (4000)"),
])
def test_the_limits_refuse_before_pythons_parser(no_python_parser, text, words):
    with pytest.raises(ExpressionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        parse(text, {"x": 1.0})
    assert page_api.input_names(text) == []


def test_an_expression_within_the_limits_is_read():
    assert parse(PRODUCT_190, {"x": 1.0}).data == 1.0
    assert parse("-" * 200 + "x", {"x": 2.0}).data == 2.0
    assert parse("2.5*x + 1.5e3", {"x": 2.0}).data == 1505.0  # decimal points are not dots
    grouped = "+".join("(" + "+".join(["x"] * 30) + ")" for _ in range(20))  # 600 terms
    assert parse(grouped, {"x": 1.0}).data == 600.0
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse("-" * (MAX_DEPTH + 1) + "x", {"x": 2.0})


@pytest.mark.parametrize("text", ["-x", "x*x*x", "tanh(tanh(x))", "f()()()", "x[0][1]",
                                  "a.b.c", "(((x)*(x)*x)*x)*(x*x)", "not x or y", "2.5e-3*x",
                                  "+".join(["x"] * 50), "-" * 40 + "(x)"])
def test_the_scan_never_counts_less_than_pythons_depth(text):
    def depth(node):
        return 1 + max((depth(child) for child in ast.iter_child_nodes(node)), default=0)

    # Expression, the operator's context (Load) and the leaf: three levels of no nesting
    assert expression.nesting(text) >= depth(ast.parse(text, mode="eval")) - 3


def test_the_page_says_why_and_goes_on():
    playground = page_api.Playground()
    for text in (MINUS_LINK, PLUS_CHAIN, "(" * 300 + "x" + ")" * 300):
        said = json.loads(playground.load(text, '{"x": 1}'))
        assert "error" in said and said["names"] == []
        assert json.loads(page_api.run(text, '{"x": 1}'))["error"]
    said = json.loads(playground.load("x*x + 3*x", '{"x": 2}'))
    assert said["value"] == 10.0 and said["grads"] == {"x": 7.0}


def test_a_quiz_answer_is_read_by_the_same_limits():
    playground = page_api.Playground()
    playground.load("x*x", '{"x": 3}')
    question = next(iter(playground.quiz.questions.values())).id
    verdict = json.loads(playground.answer(question, MINUS_ANSWER))
    assert verdict["ok"] is False and "nested too deeply" in verdict["error"]
    verdict = json.loads(playground.answer(question, "1"))
    assert "error" not in verdict or not verdict["error"]


@pytest.mark.parametrize("error", [RecursionError("deep"), MemoryError(), KeyError("k"),
                                   ZeroDivisionError("division by zero")])
def test_every_entry_point_reports_any_error_as_data(monkeypatch, error):
    def fail(*args, **kwargs):
        raise error

    playground = page_api.Playground()
    playground.load("x*x", '{"x": 3}')
    monkeypatch.setattr(page_api, "parse", fail)
    monkeypatch.setattr(page_api, "trace", fail)
    monkeypatch.setattr(page_api.rendering, "render", fail)
    monkeypatch.setattr(page_api, "_json", lambda data, real=page_api._json: (
        fail() if "error" not in data else real(data)))
    calls = [lambda: page_api.run("x", "{}"), lambda: playground.load("x*x", "{}"),
             lambda: playground.frame(0), lambda: playground.answer("q", "1"),
             lambda: playground.show("q"), lambda: page_api.check_op("pass"),
             lambda: page_api.function_names()]
    monkeypatch.setattr(kernel.page_kernel, "run", fail)
    monkeypatch.setattr(kernel.page_kernel, "restart", fail)
    monkeypatch.setattr(notebook, "notebook_cells", fail)
    monkeypatch.setattr(widget_stand_in, "_WIDGETS", None)
    calls += [lambda: kernel.run_cell("1"), lambda: kernel.restart(),
              lambda: notebook.notebook_cells_json("{}"),
              lambda: widget_stand_in.widget_state("w"),
              lambda: widget_stand_in.widget_update("w", "{}"),
              lambda: widget_stand_in.widget_message("w", "{}")]
    for call in calls:
        said = json.loads(call())
        assert isinstance(said["error"], str) and said["error"], call
    if isinstance(error, RecursionError):
        assert json.loads(page_api.run("x", "{}"))["error"] == \
            "the input is nested too deeply for this page"


# --- Markdown: linear time, a nesting limit, links to this site and the web only --------


def timed(text: str) -> tuple[str, float]:
    started = time.perf_counter()
    html = markdown_html(text)
    return html, time.perf_counter() - started


def test_a_thousand_quote_signs_render_with_the_nesting_limit():
    html, _ = timed(">" * 1000)
    assert html.count("<blockquote>") == MAX_NESTING
    assert "&gt;" * 100 in html  # the rest, as the text it is
    lines = "\n".join(">" * i + " quoted" for i in range(1, 400))
    assert markdown_html(lines).count("<blockquote>") <= MAX_NESTING * 400


@pytest.mark.parametrize("text", [
    "[" * 50000 + "](",
    "[" * 200_000 + "](",          # 200 KB of brackets
    "![" * 100_000 + "](",
    "[a](" * 50_000,
    "**a" * 70_000, "__a" * 70_000, "(*" * 100_000, "$$a" * 70_000, "`" * 200_001,
])
def test_markdown_takes_linear_time(text):
    _, seconds = timed(text)
    # a guard against a quadratic scan (50,000 brackets took 43.6 s), not a speed claim
    assert seconds < 5.0, f"{seconds:.2f} s for {len(text)} characters"


@pytest.mark.parametrize("url", ["//evil.example/x", "javascript:alert(1)", "data:text/html,x",
                                 "vbscript:x", "file:///etc/passwd", "/\\evil.example",
                                 "ftp://example.org/x"])
def test_links_to_other_schemes_and_protocol_relative_ones_are_words(url):
    html = markdown_html(f"[words]({url})")
    assert "<a" not in html and "words" in html


@pytest.mark.parametrize("url", ["https://example.org/a?b=1", "http://example.org",
                                 "mailto:someone@example.org", "#part", "course.html#x",
                                 "/docs/page.html", "01_engine.ipynb"])
def test_links_to_the_web_mail_and_this_site_stay_links(url):
    assert "<a href=" in markdown_html(f"[words]({url})")


def test_markdown_still_renders_its_subset():
    html = markdown_html("**bold** and *it* and `code` and [x](https://a.example) $m$")
    for piece in ("<strong>bold</strong>", "<em>it</em>", "<code>code</code>",
                  '<a href="https://a.example">x</a>', "<span class='math'>m</span>"):
        assert piece in html


def test_markdown_never_raises(monkeypatch):
    monkeypatch.setattr(markdown, "_blocks", lambda *a: 1 / 0)
    assert markdown_html("<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>"


# --- The server -----------------------------------------------------------------------


@pytest.fixture
def small_site(tmp_path):
    (tmp_path / "index.html").write_text("<p>home</p>")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "a.js").write_text("1")
    (tmp_path / "wheels").mkdir()
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "index.html").write_text("<p>course</p>")
    return tmp_path


@pytest.fixture
def served(small_site, capfd):
    httpd = make_server(small_site, 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def get(path: str) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", httpd.server_address[1], timeout=10)
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        answer = response.status, dict(response.getheaders()), response.read()
        connection.close()
        return answer

    yield get
    httpd.shutdown()
    httpd.server_close()
    printed = capfd.readouterr()
    assert printed.err == "" and printed.out == ""  # no traceback, no request log


@pytest.mark.parametrize("path", ["/vendor/", "/wheels/", "/vendor", "/course/../vendor/"])
def test_no_folder_is_listed(served, path):
    status, headers, body = served(path)
    assert status in (301, 400, 404)
    assert b"Directory listing" not in body and b"a.js" not in body


@pytest.mark.parametrize("path", ["/%00/etc/passwd", "/index.html%00", "/../etc/passwd",
                                  "/%2e%2e/%2e%2e/etc/passwd", "/%ff%fe", "/a%5c..%5cb",
                                  "/%0d%0aSet-Cookie:x"])
def test_bad_paths_get_a_clean_400(served, path):
    status, headers, body = served(path)
    assert status == 400
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_files_and_index_pages_are_served_with_the_policy(served):
    for path, body in (("/", b"<p>home</p>"), ("/index.html", b"<p>home</p>"),
                       ("/course/", b"<p>course</p>"), ("/vendor/a.js", b"1")):
        status, headers, got = served(path)
        assert (status, got) == (200, body), path
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert served("/missing.html")[0] == 404


def test_the_policy_allows_only_this_site_and_webassembly():
    parts = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert parts["default-src"] == "'self'" and parts["connect-src"] == "'self'"
    assert "'unsafe-eval'" not in parts["script-src"] and "'unsafe-inline'" not in \
        parts["script-src"]
    assert "'wasm-unsafe-eval'" in parts["script-src"]


def test_each_built_page_carries_the_servers_policy():
    page = with_policy('<html><head>\n<meta charset="utf-8">\n<title>t</title></head></html>')
    assert (f'<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" '
            f'content="{CONTENT_SECURITY_POLICY}">') in page
    assert ast.literal_eval(repr(page))  # one text


def test_a_large_graph_is_laid_out_once_and_each_slider_move_only_redrawn(monkeypatch):
    """The product of 190 factors: graphviz lays it out for the first frame alone; the
    next twelve moves of the slider draw it at the positions kept."""
    pytest.importorskip("graphviz")
    from autograd_mini.viz import rendering

    calls = []
    render = rendering.render
    monkeypatch.setattr(rendering, "render", lambda source, format, **kw: calls.append(
        (format, kw.get("engine"))) or render(source, format, **kw))
    expression = "*".join(["x"] * 190)
    playground = page_api.Playground()
    for k in range(13):
        answer = json.loads(playground.load(expression, json.dumps({"x": 0.9 + k * 0.01})))
        assert "error" not in answer and answer["value"] == pytest.approx((0.9 + k * 0.01) ** 190)
        assert "<svg" in json.loads(playground.frame(len(playground.steps) - 1))["svg"]
    assert calls.count((rendering.LAYOUT_FORMAT, None)) == 1
    assert calls.count(("svg", "nop2")) == 13
