"""The site in a browser: how soon a page shows something, how soon it is ready, how fast
the engine is in Pyodide against CPython, and whether the page answers while it works.

    python benchmarks/browser.py            # print the section
    python benchmarks/browser.py --write    # ... and put it into benchmarks/RESULTS.md

Builds the site (``autograd-mini site build``, cached packages) into a temporary folder,
serves it with the site's own server (cross-origin isolated) and opens it in headless
Chromium (``/usr/bin/chromium`` through Playwright; nothing is installed or downloaded).
Each figure is the median of ``--runs`` fresh page loads:

- first picture: the first contentful paint (the page's text and its build-time graph);
- page ready: the engine loaded and the page's first view drawn by it;
- the training step of ``workloads.step_ours`` (the same source), in Pyodide in the
  worker and in CPython in this process, alternately;
- notebook 6 (``06_rumelhart_hinton_williams_1986``) Run all, on the course page;
- the longest gap between two animation frames on each page while that work runs (the
  page's longest time without answering);
- WASM graphviz drawing a 50-Value graph in the worker (one call) against in the page
  (its DOT from the worker, then drawn in the page);
- the Train page: full-batch sweeps per second of MLP(2, [8, 8, 1]) on 100 moons points
  while it plays (pictures redrawn as it goes) and in the engine alone, the longest frame
  gap meanwhile, and the seconds the paper's symmetry net (seed :data:`SYMMETRY_SEED`,
  1,499 sweeps in CPython) takes to be solved after Play.
"""

from __future__ import annotations

import argparse
import inspect
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import workloads  # noqa: E402 - puts this checkout's autograd_mini first on the path
from report import machine  # noqa: E402

from autograd_mini.site import NPM_PACKAGES, build, make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
STEPS = 5  # training steps timed per page load
NOTEBOOK = "06"
SECTION = "## In a browser (the site, Pyodide in a Web Worker)"
PLAY_SECONDS = 5  # the Train page plays this long for its sweeps per second
MOONS = "train.html?dataset=moons&hidden=8,8&activation=sigmoid&update=batch&seed=0"
SYMMETRY_SEED = 20
SYMMETRY = ("train.html?dataset=symmetry&hidden=2&activation=sigmoid&lr=0.1&momentum=0.9"
            f"&init=0.3&update=batch&seed={SYMMETRY_SEED}")

def step_code(steps: int) -> str:
    """Python that times ``steps`` training steps of workloads.step_ours, its very source."""
    return "\n".join([
        "import json, random, time",
        "import autograd_mini as am",
        "from autograd_mini.datasets import two_moons",
        "from autograd_mini.nn import MLP",
        f"ALPHA = {workloads.ALPHA!r}",
        inspect.getsource(workloads.moons_data), inspect.getsource(workloads.step_ours),
        "run = step_ours()",
        "times = []",
        f"for _ in range({steps}):",
        "    started = time.perf_counter(); run(); times.append(time.perf_counter() - started)",
        "json.dumps(times)",
    ])


def step_in_cpython(steps: int) -> list[float]:
    run = workloads.step_ours()
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def open_page(browser, address: str):
    """A fresh page at ``address``, once its first view is drawn by the engine; with its
    first paint and ready time (ms from navigation)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(address)
    ready = page.evaluate("autograd_mini.opened.then(() => performance.now())")
    paint = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]"
                          "?.startTime ?? null")
    return context, page, {"first picture": paint, "page ready": ready}


def busy(page, work: str, arg=None):
    """Run ``work`` (an async function's text) in the page with the gap probe on; its
    result and the largest frame gap (ms)."""
    page.evaluate("window.gaps = autograd_mini.watchFrames(); true")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r()))")
    result = page.evaluate(work, arg)
    return result, page.evaluate("window.gaps.largest")


def one_run(browser, base: str, figures: dict, train_only: bool = False) -> None:
    """One fresh load of each page (``train_only``: of the Train page), its work timed
    and probed; adds to ``figures``."""
    def add(name, value):
        figures.setdefault(name, []).append(value)

    others = () if train_only else ("index.html", "check.html", f"course.html?nb={NOTEBOOK}")
    for path in others:
        context, page, times = open_page(browser, f"{base}/{path}")
        name = path.split(".")[0].replace("index", "playground")
        for what, ms in times.items():
            add(f"{name}: {what}", ms)
        steps, gap = busy(page, "async (code) => JSON.parse(await autograd_mini.python(code))",
                          step_code(STEPS))
        add(f"{name}: longest frame gap, training steps", gap)
        add("training step, Pyodide", statistics.median(steps) * 1e3)
        add("training step, CPython", statistics.median(step_in_cpython(STEPS)) * 1e3)
        if name == "course":
            page.set_default_timeout(900_000)
            seconds, gap = busy(page, "async () => { const t = performance.now(); "
                                "await window.course.runAll(); return performance.now() - t; }")
            add(f"notebook {NOTEBOOK} Run all", seconds)
            add(f"course: longest frame gap, notebook {NOTEBOOK}", gap)
        if name == "playground":
            for where, ms in graphviz_where(page).items():
                add(f"graphviz, 50 Values, {where}", ms)
        context.close()
    for what, value in train_page(browser, base).items():
        add(what, value)


def train_page(browser, base: str) -> dict:
    """The Train page: MOONS played for PLAY_SECONDS (sweeps a second, in the page and
    in the engine alone, and the longest frame gap), then SYMMETRY played until solved."""
    context, page, _ = open_page(browser, f"{base}/{MOONS}")
    wait = "() => autograd_mini.train.settled().then(() => autograd_mini.train.run.state.step)"
    page.evaluate("window.gaps = autograd_mini.watchFrames(); true")
    started = time.perf_counter()
    page.locator("#play").click()
    time.sleep(PLAY_SECONDS)
    page.locator("#pause").click()
    sweeps = page.evaluate(wait)
    seconds = time.perf_counter() - started
    figures = {"train page: moons 2-8-8-1, playing, sweeps a second": sweeps / seconds,
               "train page: longest frame gap while playing": page.evaluate("gaps.largest")}
    engine_ms = page.evaluate("async () => { const t = performance.now(); await autograd_mini"
                              ".call('training_api', 'step', 20, false); "
                              "return performance.now() - t; }")
    figures["train page: moons 2-8-8-1, engine alone, sweeps a second"] = 20e3 / engine_ms
    context.close()
    context, page, _ = open_page(browser, f"{base}/{SYMMETRY}")
    page.set_default_timeout(600_000)
    started = time.perf_counter()
    page.locator("#play").click()
    page.evaluate("() => new Promise((r) => { const t = setInterval(() => { if (autograd_mini"
                  ".train.run.solvedAt !== null) { clearInterval(t); r(); } }, 50); })")
    figures[f"train page: symmetry seed {SYMMETRY_SEED}, Play to solved"] = \
        (time.perf_counter() - started) * 1e3
    context.close()
    return figures


GRAPH = ("from autograd_mini import Value, draw_dot\n"
         "x = Value(0.5, label='x')\nfor _ in range(16): x = (x * 0.9 + 0.1).tanh()\n"
         "dot = draw_dot(x).source\n")


def graphviz_where(page) -> dict:
    """Drawing one graph's SVG: in the worker (one call) against in the page (the DOT
    from the worker, drawn by a graphviz the page loads); medians of 5, ms."""
    return page.evaluate("""async (graph) => {
        await autograd_mini.python(graph);
        const { Graphviz } = await import("./vendor/graphviz/index.js");
        let t = performance.now();
        const inPage = await Graphviz.load();
        const load = performance.now() - t;
        const worker = [], page = [];
        for (let i = 0; i < 5; i++) {
            t = performance.now();
            await autograd_mini.python("from autograd_mini.viz import rendering\\n"
                                       + "rendering.render(dot, 'svg').decode()");
            worker.push(performance.now() - t);
            t = performance.now();
            inPage.dot(await autograd_mini.python("dot"));
            page.push(performance.now() - t);
        }
        const median = (xs) => xs.sort((a, b) => a - b)[2];
        return {"in the worker": median(worker), "in the page": median(page),
                "loading it into the page": load};
    }""", GRAPH)


def measure(runs: int, train_only: bool = False) -> tuple[dict, str]:
    """The figures of ``runs`` fresh loads of each page, and the browser's version."""
    from playwright.sync_api import sync_playwright

    figures: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        site = build(Path(scratch) / "site")
        server = make_server(site, 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                     args=CHROMIUM_ARGS)
                for _ in range(runs):
                    one_run(browser, base, figures, train_only)
                version = browser.version
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    return figures, version


def section(figures: dict, runs: int, shared: bool, browser: str) -> list[str]:
    pyodide = NPM_PACKAGES["pyodide"]
    lines = [SECTION, "", *machine(), f"- in the browser: Chromium {browser}, Pyodide {pyodide}",
             f"- date: {date.today().isoformat()}",
             f"- command: `python benchmarks/browser.py`, {runs} fresh page loads, headless "
             "Chromium" + (" (the machine was shared with other work)" if shared else ""),
             "", "| figure | median | min | max |", "|---|---:|---:|---:|"]
    for name, values in figures.items():
        shown = _rate if name.endswith("a second") else _ms
        lines.append(f"| {name} | {shown(statistics.median(values))} | {shown(min(values))} "
                     f"| {shown(max(values))} |")
    return lines


def _rate(per_second: float) -> str:
    return f"{per_second:,.1f} /s"


def _ms(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:,.1f} ms" if ms < 10_000 else f"{ms / 1e3:,.1f} s"


def write(lines: list[str]) -> None:
    """Put the section into RESULTS.md, in place of its last version (or at the end)."""
    results = HERE / "RESULTS.md"
    text = results.read_text(encoding="utf-8")
    before, found, after = text.partition(SECTION)
    rest = after.split("\n## ", 1)[1] if found and "\n## " in after else ""
    text = before.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    results.write_text(text + (f"\n## {rest}" if rest else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh page loads (default 3)")
    parser.add_argument("--shared", action="store_true",
                        help="say the machine was shared with other work")
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    parser.add_argument("--train-only", action="store_true",
                        help="only the Train page's figures (no --write: not the whole section)")
    args = parser.parse_args()
    if args.write and args.train_only:
        parser.error("--write replaces the whole section: run without --train-only")
    figures, browser = measure(args.runs, args.train_only)
    lines = section(figures, args.runs, args.shared, browser)
    print("\n".join(lines))
    if args.write:
        write(lines)
        print("wrote benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
