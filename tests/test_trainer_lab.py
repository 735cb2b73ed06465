"""The training widget (autograd_mini.viz.trainer.train) in real JupyterLab, driven
through headless Chromium as a student would (the server: tests/labserver.py)."""

import time

import pytest

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser,  # a real JupyterLab, in Chromium
              pytest.mark.slow]

pytest.importorskip("anywidget")
pytest.importorskip("jupyterlab")
pytest.importorskip("nbformat")
pytest.importorskip("jupyter_client")
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

from labserver import python, run_all_cells, serve_lab, watch_console  # noqa: E402

CELL = """\
from autograd_mini.viz.trainer import train

w = train("dataset=moons&hidden=8,8&activation=tanh&lr=0.02&momentum=0.9&seed=0")
w
"""


@pytest.fixture
def lab(tmp_path):
    with serve_lab(tmp_path, {"train.ipynb": [CELL]}) as served:
        yield served


def _step(widget) -> int:
    return int(widget.get_attribute("data-step"))


def _wait_for_step(page, at_least: int) -> None:
    page.wait_for_function("n => Number(document.querySelector('.am-trainer')"
                           ".dataset.step) >= n", arg=at_least)


def _paused(widget) -> int:
    """Pause, and the sweep the page stopped at once the last answer is in."""
    expect(widget).to_have_attribute("data-playing", "false")
    expect(widget.locator(".am-one")).to_be_enabled()  # no request left in flight
    return _step(widget)


def test_the_trainer_in_jupyterlab(browser, lab):
    base, runtime = lab
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    try:
        page.set_default_timeout(30_000)
        problems = watch_console(page)
        widget = run_all_cells(page, base, "train.ipynb", ".am-trainer[data-ready=true]")
        expect(widget.locator(".am-count")).to_have_text("sweep 0")
        names = widget.locator(".am-picture").evaluate_all("bs => bs.map(b => b.dataset.name)")
        assert names == ["loss", "gradients", "layer 1", "layer 2", "layer 3", "boundary"]
        boundary = widget.locator('.am-picture[data-name="boundary"]')
        before = boundary.inner_html()
        # Step: exactly one sweep, the pictures redrawn, and Python agrees
        widget.locator(".am-one").click()
        expect(widget).to_have_attribute("data-step", "1")
        expect(widget.locator(".am-loss")).to_contain_text("E = ")
        assert boundary.inner_html() != before
        assert "decision boundary at step 1" in boundary.inner_html()
        assert python(base, runtime, "(w.step, len(w.history), w.history[-1].step)") == (1, 2, 1)
        # Play advances the count, Pause stops it where Python says it is
        play = widget.locator(".am-play")
        play.click()
        expect(widget).to_have_attribute("data-playing", "true")
        started = time.monotonic()
        _wait_for_step(page, 11)
        rate = (_step(widget) - 1) / (time.monotonic() - started)
        play.click()
        stopped = _paused(widget)
        page.wait_for_timeout(600)
        assert _step(widget) == stopped  # nothing more arrives after Pause
        assert python(base, runtime, "(w.step, w.history[-1].step, w.playing)") == \
            (stopped, stopped, False)
        expect(widget.locator(".am-count")).to_have_text(f"sweep {stopped}")
        # a faster speed: Play asks for 10 sweeps at a time; Step is still one
        widget.locator(".am-speed").select_option("10")
        widget.locator(".am-one").click()
        expect(widget).to_have_attribute("data-step", str(stopped + 1))
        play.click()
        started = time.monotonic()
        _wait_for_step(page, stopped + 41)
        fast_rate = (_step(widget) - stopped - 1) / (time.monotonic() - started)
        play.click()
        fast = _paused(widget)
        assert (fast - stopped - 1) % 10 == 0
        assert python(base, runtime, "(w.step, w.speed)") == (fast, 10)
        # paused: one pattern's backward pass, step by step, at this sweep's weights
        widget.locator(".am-pattern").select_option("3")  # the fourth pattern
        widget.locator(".am-explain").click()
        frame = widget.locator(".am-frame")
        expect(frame).to_be_visible()
        title = page.frame_locator(".am-trainer .am-frame").locator("#page-title")
        expect(title).to_have_text(f"Pattern 4, step {fast}: backpropagation, step by step")
        assert python(base, runtime, "(w.pattern, w.explain_step)") == (3, fast)
        # Python drives: play() starts the page, the explanation goes, pause() stops it
        python(base, runtime, "w.play()")
        expect(widget).to_have_attribute("data-playing", "true")
        expect(frame).to_be_hidden()
        _wait_for_step(page, fast + 20)
        python(base, runtime, "w.pause()")
        last = _paused(widget)
        assert python(base, runtime, "w.step") == last
        python(base, runtime, "w.steps(5)")
        expect(widget).to_have_attribute("data-step", str(last + 5))
        print(f"Play in JupyterLab, MLP(2, [8, 8, 1]) on 100 points: {rate:.1f} sweeps/s "
              f"at one sweep a request, {fast_rate:.1f} at ten")
        assert problems == []
    finally:
        page.close()


def test_a_bad_message_from_the_page_is_told_not_raised(browser, lab):
    """Whatever reaches the kernel from the page, the widget answers and shows why."""
    base, runtime = lab
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_default_timeout(30_000)
        widget = run_all_cells(page, base, "train.ipynb", ".am-trainer[data-ready=true]")
        python(base, runtime, "w._on_page_message(w, {'kind': 'sweeps', 'n': 10**6}, [])")
        expect(widget.locator(".am-error")).to_have_text(
            "a request may train 1 to 1000 sweeps, got 1000000")
        widget.locator(".am-one").click()  # the next request clears it
        expect(widget.locator(".am-error")).to_have_text("")
        expect(widget).to_have_attribute("data-step", "1")
        assert python(base, runtime, "w.step") == 1
    finally:
        page.close()
