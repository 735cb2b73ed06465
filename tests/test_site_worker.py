"""The engine in a Web Worker, in headless Chromium: the page answers while a cell runs,
a cell shows its progress, Stop ends it (keeping Python's state where the page is
cross-origin isolated, restarting the engine where it is not), and each page shows its
text and first picture before the engine is ready.  The site fixtures are test_site.py's.
"""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest
import test_site
from test_site import figure, wait_until

from autograd_mini.demos import common
from autograd_mini.site.kernel import Kernel
from autograd_mini.site.policy import CONTENT_SECURITY_POLICY, ISOLATION, headers_file
from autograd_mini.site.server import make_server

site, server = test_site.site, test_site.server
offline_browser, open_tab = test_site.offline_browser, test_site.open_tab

# A loop that runs until stopped, saying how far it is (as the demos' training loops do).
ENDLESS = ("from autograd_mini.demos.common import progress\n"
           "for sweep in progress(range(10**9), False, desc='sweep'):\n"
           "    pass\n")
# The largest gap between two animation frames while a cell runs: the page answers.
GENEROUS_GAP_MS = 500


def test_a_cell_tells_the_page_how_far_it_is_and_a_stop_keeps_the_namespace():
    kernel, heard = Kernel(), []
    kernel.live = heard.append
    kernel.run("x = 41")
    outputs = kernel.run("from autograd_mini.demos.common import progress\n"
                         "for sweep in progress(range(3), False, desc='sweep'):\n"
                         "    print('E =', sweep)\n"
                         "raise KeyboardInterrupt  # as Stop raises it")
    assert heard[0] == "E = 0"  # then no more than a few lines a second
    assert kernel.stopped and outputs[-1]["text"].endswith("KeyboardInterrupt")
    assert outputs[0]["text"] == "E = 0\nE = 1\nE = 2\n"  # the output is whole
    assert kernel.run("x + 1") == [{"type": "text", "data": "42"}] and not kernel.stopped
    assert common.report is None  # only while a cell runs


def test_progress_reports_as_tqdm_counts():
    heard = []
    common.report = heard.append
    try:
        assert list(common.progress(range(3), False, desc="seed 8")) == [0, 1, 2]
        assert list(common.progress(iter("ab"), False)) == ["a", "b"]
    finally:
        common.report = None
    assert heard == ["seed 8: 1/3", "seed 8: 2/3", "seed 8: 3/3", "1", "2"]
    assert common.progress(range(3), False) == range(3)  # no page, no bar: as it was


def test_the_policy_lets_only_the_sites_own_worker_run_and_the_headers_file_isolates():
    assert "worker-src 'self'" in CONTENT_SECURITY_POLICY
    text = headers_file()
    assert text.startswith("/*\n")
    for name, value in {"Content-Security-Policy": CONTENT_SECURITY_POLICY, **ISOLATION}.items():
        assert f"  {name}: {value}\n" in text


@pytest.mark.browser
def test_the_server_isolates_unless_told_not_to_and_the_site_carries_the_headers(
        site, server, plain_server):
    assert (site / "_headers").read_text(encoding="utf-8") == headers_file()
    for address, isolated in ((server, True), (plain_server, False)):
        with urllib.request.urlopen(f"{address}/course.html") as response:
            for name, value in ISOLATION.items():
                assert response.headers[name] == (value if isolated else None)


@pytest.fixture(scope="session")
def plain_server(site):
    """The site served without the isolation headers, as a plain static host serves it."""
    httpd = make_server(site, 0, isolated=False)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run_cell(page, source: str) -> None:
    """Type ``source`` into the notebook's first code cell and press its Run."""
    cell = page.locator(".cell.code").first
    cell.locator("textarea.source").fill(source)
    cell.locator("button.run").click()


def first_output(page) -> str:
    wait_until(page, "!document.querySelector('.cell.code').classList.contains('running')")
    return page.locator(".cell.code").first.locator(".outputs").inner_text()


def start_endless_cell(page, seconds: float = 30) -> list[str]:
    """Run ENDLESS in the first cell, watching the page's frames; the progress lines the
    page showed, polled until it has shown two and run for a second."""
    page.evaluate("window.gaps = autograd_mini.watchFrames(); window.gaps.start = "
                  "performance.now()")
    run_cell(page, ENDLESS)
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while len(seen) < 2 or page.evaluate("performance.now() - window.gaps.start") < 1000:
        line = page.evaluate("document.querySelector('.outputs .progress')?.textContent")
        if line and line.startswith("sweep: ") and line not in seen:
            seen.append(line)
        assert time.monotonic() < deadline, f"progress lines seen: {seen}"
        time.sleep(0.05)
    return seen


def open_course(tab) -> object:
    page = tab.page
    wait_until(page, "window.course && window.course.cells > 0", timeout=60)
    return page


@pytest.mark.browser
@pytest.mark.slow
def test_stop_interrupts_a_running_cell_and_keeps_the_namespace(open_tab):
    page = open_course(open_tab("course.html?nb=01"))
    assert page.evaluate("autograd_mini.isolated") is True
    run_cell(page, "x = 41")
    first_output(page)
    seen = start_endless_cell(page)
    assert all(line.startswith("sweep: ") and line.endswith("/1000000000") for line in seen)
    assert page.locator("#stop").is_enabled()
    page.locator("#stop").click()
    output = first_output(page)
    largest = page.evaluate("window.gaps.largest")
    figure(f"while a cell ran: {len(seen)} progress lines, largest frame gap {largest:.0f} ms")
    assert largest < GENEROUS_GAP_MS
    assert "KeyboardInterrupt" in output
    assert "stopped (Stop): the notebook's variables are kept" in output
    run_cell(page, "x + 1")
    assert first_output(page) == "42"


@pytest.mark.browser
@pytest.mark.slow
def test_without_isolation_stop_restarts_the_engine_and_says_the_namespace_was_reset(
        offline_browser, plain_server):
    tab = test_site.Tab(offline_browser, plain_server, "course.html?nb=01")
    try:
        page = open_course(tab)
        assert page.evaluate("autograd_mini.isolated") is False
        run_cell(page, "x = 41")
        first_output(page)
        start_endless_cell(page)
        page.locator("#stop").click()
        assert "namespace was reset" in first_output(page)
        run_cell(page, "x")
        assert "NameError: name 'x' is not defined" in first_output(page)
        run_cell(page, "from autograd_mini import Value, explore\n"  # widgets work again
                       "explore(Value(2.0, label='x').tanh())")
        wait_until(page, "document.querySelector('.am-explorer[data-ready=true]')")
    finally:
        tab.close()


@pytest.mark.browser
def test_the_first_picture_and_the_text_show_before_the_engine_is_ready(offline_browser,
                                                                        server):
    context = offline_browser.new_context()
    held = []  # the list of wheels: never answered, so the engine never gets ready
    context.route("**/site.json", lambda route: held.append(route))
    try:
        page = context.new_page()
        page.goto(f"{server}/index.html")
        assert page.locator("#graph svg").is_visible()  # drawn when the site was built
        assert page.locator("#graph svg g.node").count() >= 8  # tanh(x*w + b): its Values
        assert "Loading the engine" in page.locator("#status").inner_text()
        page.goto(f"{server}/check.html")  # the report of its own code, made at build time
        wait_until(page, "document.querySelector('section[data-op=swish] svg')")
        assert page.locator("#verdict").inner_text() == "✗ not yet"
        page.goto(f"{server}/course.html?nb=01")
        wait_until(page, "document.querySelectorAll('.cell.code').length > 0")
        assert page.locator(".cell.markdown").first.inner_text().startswith("#")  # as text
        assert page.locator("#run-all").is_disabled()
        assert "Loading the engine" in page.locator("#status").inner_text()
        assert page.evaluate("autograd_mini.loadSeconds") is None
        assert held  # the engine was loading all along
    finally:
        context.close()


@pytest.mark.browser
def test_stop_ends_a_check_that_loops_for_ever_and_the_page_goes_on(open_tab):
    page = open_tab("check.html").page
    page.fill("#code", "while True:\n    pass")
    page.locator("#check").click()
    wait_until(page, "!document.querySelector('#stop').disabled")
    page.locator("#stop").click()
    wait_until(page, "document.querySelector('#problem').textContent"
                     ".endsWith('KeyboardInterrupt')")  # as Python writes it
    assert page.locator("#stop").is_disabled()
    page.fill("#code", "x = 1")
    page.locator("#check").click()
    wait_until(page, "document.querySelector('#problem').textContent"
                     ".startsWith('the code registered no op')")  # the page goes on
