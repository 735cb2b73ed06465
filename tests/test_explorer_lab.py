"""The explorer in real JupyterLab, driven through headless Chromium as a student would
(the server: tests/labserver.py)."""

import os
import statistics
from pathlib import Path

import pytest

pytestmark = [pytest.mark.jupyterlab, pytest.mark.browser,  # a real JupyterLab, in Chromium
              pytest.mark.slow]

pytest.importorskip("anywidget")
pytest.importorskip("jupyterlab")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("jupyter_client")
playwright_api = pytest.importorskip("playwright.sync_api")

from labserver import (  # noqa: E402
    open_notebook,
    python,
    run_all_cells,
    serve_lab,
    watch_console,
    write_notebook,
)

SCREENSHOT = os.environ.get("AUTOGRAD_MINI_SCREENSHOT")  # where to keep a picture, if set

CELL = """\
import random
from autograd_mini import Value, explore
from autograd_mini.nn import MLP

model = MLP(2, [4, 4, 1], activation="tanh", rng=random.Random(0))
p, q = Value(0.5, label="p"), Value(-0.3, label="q")
ex = explore(model([p, q]))   # a 56-node graph
ex
"""


@pytest.fixture
def lab(tmp_path, request):
    """JupyterLab serving explore.ipynb, whose one cell is CELL (or the test's own,
    given with ``indirect=True``)."""
    with serve_lab(tmp_path, {"explore.ipynb": [getattr(request, "param", CELL)]}) as served:
        yield served


def _run_all_cells(page, base: str):
    """Open the lab's notebook, wait for its kernel, run every cell; the explorer shown."""
    return run_all_cells(page, base, "explore.ipynb", ".am-explorer[data-ready=true]")


def test_the_explorer_in_jupyterlab(browser, lab, tmp_path):
    base, runtime = lab
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_default_timeout(30_000)
        problems = watch_console(page)
        explorer = _run_all_cells(page, base)
        title = explorer.locator(".am-explain .am-title")
        playwright_api.expect(title).to_have_text("Everything computed: forward and backward")
        # Next: the first forward step, and Python hears of it
        explorer.locator(".am-next").click()
        playwright_api.expect(title).to_have_text("Forward 1 of 56")
        assert python(base, runtime, "ex.step") == 1
        # move p's slider: Python replays the graph and the shown gradient changes
        row = explorer.locator('.am-input[data-name="p"]')
        grad = row.locator(".am-grad")
        before = grad.inner_text()
        times = []
        for k, number in enumerate(["1.5", "-1", "0.25", "2", "-0.5", "1"], 1):
            row.locator(".am-slider").fill(number)
            playwright_api.expect(explorer).to_have_attribute("data-updates", str(k))
            times.append(float(explorer.get_attribute("data-update-ms")))
        assert grad.inner_text() != before
        assert python(base, runtime, "ex.inputs['p']") == 1.0
        expected = python(base, runtime, "f\"∂out/∂p = {ex.grad_text['p']}\"")
        playwright_api.expect(grad).to_have_text(expected)
        if SCREENSHOT:
            explorer.locator(".am-prev").click()  # back to the whole graph, coloured
            playwright_api.expect(title).to_have_text(
                "Everything computed: forward and backward")
            page.screenshot(path=SCREENSHOT)
        print(f"slider to page update, 56-node graph: median {statistics.median(times):.1f}"
              f" ms, max {max(times):.1f} ms over {len(times)} moves")
        assert statistics.median(times) < 1000  # a sanity bound; the figure is reported
        assert problems == []
    finally:
        page.close()


QUIZ_CELL = """\
from autograd_mini import Value, explore

x = Value(0.5, label="x")
quiz = explore((x * 2).tanh(), quiz=True)
quiz
"""


@pytest.mark.parametrize("lab", [QUIZ_CELL], indirect=True)
def test_the_explorers_quiz_in_jupyterlab(browser, lab):
    """The quiz through the real widget: a typed answer goes to the kernel, which checks
    it and sends back its verdict (explore(out, quiz=True))."""
    base, runtime = lab
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_default_timeout(30_000)
        problems = []
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        explorer = _run_all_cells(page, base)
        title = explorer.locator(".am-explain .am-title")
        for expected in ["Forward 1 of 3", "Forward 2 of 3", "Forward 3 of 3",
                         "Backward: the seed",
                         "Backward 1 of 2: through tanh at out"]:
            explorer.locator(".am-next").click()
            playwright_api.expect(title).to_have_text(expected)
        playwright_api.expect(explorer.locator(".am-next")).to_be_disabled()
        box, said = explorer.locator(".am-answer").first, explorer.locator(".am-said").first
        box.fill("1")
        explorer.locator(".am-check").first.click()
        playwright_api.expect(said).to_contain_text("The rule of tanh: d/da tanh(a)")
        box.fill("1 - tanh(1)**2")  # tanh(x*2) at x = 0.5
        box.press("Enter")
        playwright_api.expect(said).to_have_text("right: 0.42")
        assert python(base, runtime, "quiz.score") == {"right": 0, "total": 4, "done": 1}
        assert problems == []
    finally:
        page.close()


def test_a_course_solution_stays_folded_in_jupyterlab(browser, lab, tmp_path):
    """Notebook 1's solutions as the course stores them, opened and run in JupyterLab:
    a folded cell shows only its first line, '# Solution 1 (click to show)', until it is
    opened; run, it shows no answer either (JupyterLab unfolds the outputs of a cell it
    runs, so a solution prints nothing: it asserts its answer)."""
    base, _ = lab
    course = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks"
                           / "01_derivatives_by_hand.ipynb", as_version=4)
    solutions = [c for c in course.cells if "solution" in c.metadata.get("tags", [])]
    write_notebook(tmp_path / "root" / "solutions.ipynb",
                   ["from autograd_mini import Value", *solutions])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_default_timeout(30_000)
        open_notebook(page, base, "solutions.ipynb")
        cells = page.locator(".jp-Notebook .jp-Cell")
        playwright_api.expect(cells).to_have_count(3)
        shown = page.locator(".jp-Notebook")
        playwright_api.expect(page.locator(".jp-InputPlaceholder")).to_have_count(2)
        page.evaluate("c => { window.jupyterapp.commands.execute(c); }",
                      "notebook:run-all-cells")
        page.wait_for_function("""() => {
            const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
            return [0, 1, 2].every((i) => cells.get(i).executionCount > 0); }""")
        text = shown.inner_text()
        assert "# Solution 1 (click to show)" in text and "# Solution 2 (click to show)" in text
        for answer in ("dg/da", "do/dw", "Value(3.0)", "6.0"):
            assert answer not in text, answer
        assert page.locator(".jp-Cell .jp-OutputArea-output").count() == 0
        page.locator(".jp-InputPlaceholder").first.click()
        playwright_api.expect(shown).to_contain_text("dg/da = 2a = 6")
    finally:
        page.close()
