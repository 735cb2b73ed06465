"""The Train page: a Trainer session in the page's engine, trained a few sweeps per
request.  Its Python side (autograd_mini.site.training_api) on the desktop, then the page
in headless Chromium at a phone's width and a desktop's: Play advances, Pause stops, Step
adds one sweep, the pictures change, a link reproduces the run, a bad link value is said
and trains nothing, the page answers while it trains, the paper's symmetry net is
solved in the page, and paused, a pattern's backward pass is shown step by step with
CPython's numbers (a bad pattern number said once).  The site fixtures are test_site.py's.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import test_site
from test_site import figure, wait_until

from autograd_mini.site import training_api
from autograd_mini.viz.session import Trainer

site, server = test_site.site, test_site.server
offline_browser, open_tab = test_site.offline_browser, test_site.open_tab

WIDTHS = {"phone": 390, "desktop": 1280}
GENEROUS_GAP_MS = 500  # the largest frame gap while training: the page kept answering
# The paper's symmetry net (ε 0.1, α 0.9, weights ±0.3, all 64 patterns, batch) with a
# seed whose net the Trainer solves in CPython after SYMMETRY_SWEEPS sweeps (the paper:
# 1,425; seeds 0-24 solve in 376 to 2,923 sweeps or not within 1,700, 20 the nearest).
SYMMETRY_SEED, SYMMETRY_SWEEPS = 20, 1499
SYMMETRY = (f"dataset=symmetry&hidden=2&activation=sigmoid&lr=0.1&momentum=0.9&init=0.3"
            f"&update=batch&seed={SYMMETRY_SEED}")


# --- The page's Python side, on the desktop ---------------------------------------------


def test_a_session_starts_from_a_query_and_trains_as_the_trainer_does():
    started = json.loads(training_api.start("dataset=xor&hidden=3&lr=0.4&seed=2"))
    assert started["state"]["step"] == 0 and started["state"]["loss"] is None
    assert {"loss", "gradients", "layer 1", "layer 2"} <= set(started["pictures"])
    answer = json.loads(training_api.step(4, True))
    twin = Trainer.from_query("dataset=xor&hidden=3&lr=0.4&seed=2")
    twin.step(4)
    assert answer["state"]["step"] == 4 and answer["state"]["loss"] == twin.loss()
    assert answer["state"]["patterns"] == 4 and 0 <= answer["state"]["right"] <= 4
    assert "pictures" not in json.loads(training_api.step(1))  # drawn only when asked


@pytest.mark.parametrize("query, words", [
    ("lr=abc", "lr='abc' is not a number"),
    ("dataset=<b>x</b>", "dataset must be one of"),
    ("hidden=999", "hidden width"),
    ("momentum=1", "momentum must be in"),
    ("seed=1&seed=2", "more than once"),
    ("code=__import__('os')", "setting must be one of"),
])
def test_a_bad_query_value_is_one_message_and_the_session_stays(query, words):
    json.loads(training_api.start("dataset=xor"))
    refused = json.loads(training_api.start(query))
    assert set(refused) == {"error"} and words in refused["error"]
    assert "\n" not in refused["error"]
    assert json.loads(training_api.step(1))["state"]["settings"]["dataset"] == "xor"


def test_one_call_trains_a_bounded_number_of_sweeps():
    training_api.start("dataset=xor")
    too_many = training_api.MOST_SWEEPS + 1
    assert "from 0 to" in json.loads(training_api.step(too_many))["error"]
    assert set(json.loads(training_api.choices())["datasets"]) >= {"symmetry", "encoder"}


def steps_data(html: str) -> dict:
    """The data of a step viewer's page (its one JSON block)."""
    found = re.search(r'<script id="steps-data" type="application/json">(.*?)</script>',
                      html, re.S)
    return json.loads(found[1])


def test_a_patterns_backward_pass_is_the_trainers_at_the_same_sweep():
    query = "dataset=xor&hidden=2&seed=1"
    started = json.loads(training_api.start(query))
    assert started["pattern_names"][1] == "2: (0, 1) → 1"
    training_api.step(3)
    shown = json.loads(training_api.explain(1))
    twin = Trainer.from_query(query)
    twin.step(3)
    assert (shown["pattern"], shown["step"]) == (1, 3)
    assert steps_data(shown["html"]) == steps_data(twin.explain_page(1))
    assert json.loads(training_api.explain("1"))["html"] == shown["html"]  # a link's text
    assert json.loads(training_api.step(0))["state"]["step"] == 3  # nothing trained


@pytest.mark.parametrize("pattern, words", [
    (4, "got 4"), (-1, "got -1"), ("9", "got 9"), ("abc", "got 'abc'"), (1.5, "got 1.5"),
    (True, "got True"), (None, "got None"), ("1" * 5000, "got '111"),
])
def test_a_bad_pattern_number_is_one_message_and_the_session_stays(pattern, words):
    training_api.start("dataset=xor&seed=1")
    training_api.step(2)
    refused = json.loads(training_api.explain(pattern))
    assert set(refused) == {"error"} and "\n" not in refused["error"]
    assert refused["error"].startswith("pattern must be a whole number from 0 to 3")
    assert words in refused["error"]
    assert json.loads(training_api.step(0))["state"]["step"] == 2


def test_the_policy_allows_the_step_viewers_script_and_no_other_inline_one():
    from autograd_mini.site.policy import CONTENT_SECURITY_POLICY
    from autograd_mini.viz.steps import script_hash

    training_api.start("dataset=xor&seed=1")
    page = json.loads(training_api.explain(0))["html"]
    scripts = re.findall(r"<script( [^>]*)?>(.*?)</script>", page, re.S)
    executed = [text for attributes, text in scripts if "application/json" not in attributes]
    assert len(executed) == 1
    digest = __import__("hashlib").sha256(executed[0].encode()).digest()
    assert script_hash() == f"'sha256-{__import__('base64').b64encode(digest).decode()}'"
    script_src = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))[
        "script-src"]
    assert script_hash() in script_src and script_src.count("'sha256-") == 1


def test_the_trainer_makes_the_symmetry_demos_net():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "demos"))
    try:
        import symmetry
    finally:
        sys.path.pop(0)
    trainer = Trainer.from_query(SYMMETRY)
    demo = symmetry.make_model(SYMMETRY_SEED)
    assert [p.data for p in trainer.model.parameters()] == [p.data for p in demo.parameters()]
    assert trainer.inputs == symmetry.symmetry(6)[0]


# --- The page in Chromium -----------------------------------------------------------------


def number(page, selector: str) -> int:
    """The whole number a line of the page shows (``sweep 12``)."""
    return int(page.inner_text(selector).split()[-1])


def settle(page) -> None:
    page.evaluate("autograd_mini.train.settled().then(() => true)")


def pictures(page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries([...document.querySelectorAll('#pictures "
                         "figure')].map((f) => [f.dataset.picture, f.innerHTML]))")


def no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("device", WIDTHS)
def test_play_advances_pause_stops_step_adds_one_and_the_page_answers(open_tab, device):
    width = WIDTHS[device]
    page = open_tab("train.html?dataset=circles&hidden=4&seed=1", width=width,
                    height=800).page
    assert number(page, "#sweep") == 0
    before = pictures(page)
    assert {"loss", "gradients", "boundary"} <= set(before)
    page.evaluate("window.gaps = autograd_mini.watchFrames(); true")
    page.locator("#play").click()
    wait_until(page, "autograd_mini.train.run.state.step >= 5")
    clicked = time.monotonic()
    page.locator("#pause").click()
    answered = time.monotonic() - clicked
    settle(page)
    largest = page.evaluate("window.gaps.largest")
    paused = number(page, "#sweep")
    figure(f"train page, {device}: largest frame gap while training {largest:.0f} ms, "
           f"Pause answered in {answered * 1e3:.0f} ms, {paused} sweeps")
    assert largest < GENEROUS_GAP_MS
    time.sleep(0.5)
    assert number(page, "#sweep") == paused  # paused: nothing more trains
    page.locator("#step").click()
    settle(page)
    assert number(page, "#sweep") == paused + 1
    after = pictures(page)
    assert after["loss"] != before["loss"] and after["boundary"] != before["boundary"]
    no_sideways_scroll(page, width)
    every_control_in_reach(page, 800)


def every_control_in_reach(page, height: int) -> None:
    controls = page.locator("main input, main select, main button, nav a")
    for i in range(controls.count()):
        control = controls.nth(i)
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box and box["width"] > 0 and 0 <= box["y"] and box["y"] + box["height"] <= height
        hit = page.evaluate("([x, y]) => document.elementFromPoint(x, y)?.closest("
                            "'input, select, button, a, label') !== null",
                            [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
        assert hit, control.evaluate("e => e.outerHTML")


@pytest.mark.browser
@pytest.mark.slow
def test_a_link_opens_the_same_settings_and_the_same_first_sweeps(open_tab):
    page = open_tab("train.html", width=WIDTHS["desktop"]).page
    for key, value in {"dataset": "moons", "hidden": "3,2", "lr": "0.3", "seed": "7",
                       "update": "pattern"}.items():
        page.locator(f"#setting-{key}").fill(value) if key in ("hidden", "lr", "seed") \
            else page.locator(f"#setting-{key}").select_option(value)
        page.locator(f"#setting-{key}").dispatch_event("change")
        settle(page)
    link = page.input_value("#share-link")
    settings = dict(parse_qsl(urlsplit(link).query))
    assert settings["dataset"] == "moons" and settings["hidden"] == "3,2"
    assert settings["update"] == "pattern" and settings["seed"] == "7"
    first = sweeps(page, 3)
    fresh = open_tab(link.split("/", 3)[3], width=WIDTHS["phone"], height=800).page
    for key, value in settings.items():
        assert fresh.input_value(f"#setting-{key}") == value, key
    assert sweeps(fresh, 3) == first
    no_sideways_scroll(fresh, WIDTHS["phone"])


def sweeps(page, n: int) -> list[str]:
    """The numbers the page shows after each of ``n`` Steps."""
    shown = []
    for _ in range(n):
        page.locator("#step").click()
        settle(page)
        shown.append(page.inner_text("#numbers"))
    return shown


@pytest.mark.browser
@pytest.mark.parametrize("device", WIDTHS)
def test_a_bad_link_value_gets_a_message_and_nothing_trains(open_tab, device):
    page = open_tab("train.html?dataset=xor&lr=abc", width=WIDTHS[device], height=800).page
    assert "lr='abc' is not a number" in page.inner_text("#message")
    assert page.locator("#play").is_disabled() and page.locator("#step").is_disabled()
    assert page.inner_text("#sweep") == "" and pictures(page) == {}
    assert page.input_value("#setting-lr") == "abc"  # as given: the student mends it
    page.locator("#setting-lr").fill("0.5")
    page.locator("#setting-lr").dispatch_event("change")
    settle(page)
    assert page.inner_text("#message") == "" and number(page, "#sweep") == 0
    assert page.locator("#play").is_enabled()
    no_sideways_scroll(page, WIDTHS[device])


@pytest.mark.browser
def test_the_page_says_what_it_loads_before_the_engine_is_ready(offline_browser, server):
    context = offline_browser.new_context(viewport={"width": WIDTHS["phone"], "height": 800})
    held = []  # the list of wheels: never answered, so the engine never gets ready
    context.route("**/site.json", lambda route: held.append(route))
    try:
        page = context.new_page()
        page.goto(f"{server}/train.html?dataset=symmetry&hidden=2")
        wait_until(page, "document.querySelector('#setting-seed') !== null")
        assert "Loading the engine" in page.inner_text("#status")
        assert "press Play" in page.inner_text("#intro")
        assert page.input_value("#setting-dataset") == "symmetry"
        assert page.input_value("#setting-hidden") == "2"
        assert page.locator("#play").is_disabled() and held
        index = page.goto(f"{server}/index.html") and page
        assert index.locator("header nav a[href*='train.html']").count() == 1  # ?lang= kept
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_paper_symmetry_net_is_solved_in_the_page(open_tab):
    page = open_tab(f"train.html?{SYMMETRY}", width=WIDTHS["desktop"]).page
    page.evaluate("window.gaps = autograd_mini.watchFrames(); true")
    started = time.monotonic()
    page.locator("#play").click()
    wait_until(page, "autograd_mini.train.run.solvedAt !== null", timeout=180)
    seconds = time.monotonic() - started
    solved_at = page.evaluate("autograd_mini.train.run.solvedAt")
    figure(f"train page: symmetry seed {SYMMETRY_SEED} solved by sweep {solved_at} in "
           f"{seconds:.1f} s (largest frame gap {page.evaluate('window.gaps.largest'):.0f} ms)")
    # Checked after each request of a few sweeps: at the first request's end past it.
    assert SYMMETRY_SWEEPS <= solved_at <= SYMMETRY_SWEEPS + training_api.MOST_SWEEPS
    assert "Solved by sweep" in page.inner_text("#solved")
    assert page.locator("#play").is_enabled()  # paused; Play trains on
    assert seconds < 60  # the aim is 30 s; a shared machine gets room


# --- Paused: one pattern's backward pass, step by step ------------------------------------

WALK = "dataset=xor&hidden=2&seed=1"


def walk_frame(page):
    """The shown step viewer's frame, once its script has drawn the first step."""
    wait_until(page, "!document.querySelector('#walk-frame').hidden")
    frame = page.locator("#walk-frame").element_handle().content_frame()
    deadline = time.monotonic() + 30
    while not frame.evaluate("document.querySelector('#step-title')?.textContent.length > 0"):
        assert time.monotonic() < deadline, "the step viewer's script did not run"
        time.sleep(0.05)
    return frame


def last_step_lines(frame) -> list[str]:
    """The step viewer's lines at its last step (the backward pass's last product)."""
    frame.evaluate("""() => { const s = document.querySelector('#slider');
        s.value = s.max; s.dispatchEvent(new Event('input')); return true; }""")
    return frame.evaluate("""Array.from(document.querySelectorAll('#step-lines li'),
                             (li) => li.textContent)""")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("device", WIDTHS)
def test_paused_the_backward_pass_of_a_pattern_is_shown_with_cpythons_numbers(open_tab,
                                                                           device):
    width = WIDTHS[device]
    page = open_tab(f"train.html?{WALK}", width=width, height=800).page
    assert page.locator("#walk-show").is_enabled()  # before Play, too
    page.locator("#play").click()
    assert page.locator("#walk-show").is_disabled()  # not while training
    wait_until(page, "autograd_mini.train.run.state.step >= 5")
    page.locator("#pause").click()
    settle(page)
    sweeps_done = number(page, "#sweep")
    page.locator("#walk-pattern").select_option("1")
    page.locator("#walk-show").click()
    frame = walk_frame(page)
    twin = Trainer.from_query(WALK)
    twin.step(sweeps_done)
    expected = steps_data(twin.explain_page(1))
    assert page.inner_text("#walk-title") == f"Pattern 2, sweep {sweeps_done}"
    assert frame.evaluate("document.title") == expected["title"]
    assert f"Pattern 2, step {sweeps_done}" in expected["title"]
    assert frame.evaluate("JSON.parse(document.querySelector('#steps-data').textContent)"
                          )["frames"] == expected["frames"]
    lines = last_step_lines(frame)
    assert lines[:len(expected["frames"][-1]["lines"])] == expected["frames"][-1]["lines"]
    assert any("∂out/∂" in line and re.search(r"\d\.\d", line) for line in lines)
    assert page.locator("#walk-frame").get_attribute("sandbox") == "allow-scripts"
    no_sideways_scroll(page, width)
    page.locator("#step").click()  # a Step keeps the pass, titled with its sweep
    settle(page)
    assert page.inner_text("#walk-title") == f"Pattern 2, sweep {sweeps_done}"
    page.locator("#play").click()  # Play clears it, and trains on
    assert page.locator("#walk-frame").is_hidden() and page.inner_text("#walk-title") == ""
    wait_until(page, f"autograd_mini.train.run.state.step > {sweeps_done + 2}")
    page.locator("#pause").click()
    settle(page)
    every_control_in_reach(page, 800)


@pytest.mark.browser
def test_a_bad_pattern_in_a_link_is_said_once_and_the_page_goes_on(open_tab):
    page = open_tab(f"train.html?{WALK}&pattern=9", width=WIDTHS["phone"], height=800).page
    settle(page)
    assert page.inner_text("#walk-message") == \
        "This pattern cannot be shown: pattern must be a whole number from 0 to 3, got 9"
    assert page.locator("#walk-frame").is_hidden() and page.inner_text("#message") == ""
    assert page.locator("#play").is_enabled() and number(page, "#sweep") == 0
    assert "pattern=" not in page.input_value("#share-link")
    page.locator("#walk-pattern").select_option("3")  # the chooser still works
    page.locator("#walk-show").click()
    walk_frame(page)
    assert page.inner_text("#walk-message") == ""
    assert page.inner_text("#walk-title") == "Pattern 4, sweep 0"


@pytest.mark.browser
def test_in_korean_the_backward_pass_control_speaks_korean(open_tab):
    page = open_tab(f"train.html?{WALK}&lang=ko&pattern=1", width=WIDTHS["phone"],
                    height=844).page
    assert page.inner_text("#walk-show") == "역전파 보기"
    assert page.inner_text("#walk-label") == "패턴"
    frame = walk_frame(page)
    assert page.inner_text("#walk-title") == "패턴 2, 0회차"
    assert frame.evaluate("document.documentElement.lang") == "ko"
    assert re.search("[\uac00-\ud7a3]", frame.evaluate("document.title"))
