"""The step-by-step HTML viewer in a real headless browser (Debian chromium + Playwright)."""

import shutil

import pytest

from autograd_mini import Value
from autograd_mini.cli import worked_example
from autograd_mini.trace import trace
from autograd_mini.viz.steps import frames, save_steps_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


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


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium") and not shutil.os.path.exists(CHROMIUM):
        pytest.skip("chromium not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


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
