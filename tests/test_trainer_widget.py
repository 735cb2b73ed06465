"""The training widget's Python side (autograd_mini.viz.trainer): what the page's
messages do, and what Python reads and drives.  In the browser: test_trainer_lab.py."""

from pathlib import Path

import pytest

anywidget = pytest.importorskip("anywidget")

import traitlets  # noqa: E402

from autograd_mini.viz.session import Settings, Trainer  # noqa: E402
from autograd_mini.viz.trainer import TrainerWidget, train  # noqa: E402


def answered(widget):
    sent = []
    widget.send = sent.append
    return sent


def test_train_takes_a_query_settings_keywords_or_a_session():
    assert train("dataset=encoder&hidden=3").settings["dataset"] == "encoder"
    assert train(Settings(dataset="moons")).settings["dataset"] == "moons"
    assert train(dataset="spiral", hidden=[4]).settings["hidden"] == [4]
    session = Trainer(dataset="xor")
    session.step(2)
    w = train(session)
    assert w.trainer is session and w.step == 2 and len(w.history) == 3
    with pytest.raises(TypeError, match="a Trainer or settings, not both"):
        train(session, lr=1.0)
    with pytest.raises(ValueError, match="dataset must be one of"):
        train("dataset=iris")


def test_the_page_asks_for_sweeps_and_is_answered_with_the_pictures():
    w = train("dataset=xor&hidden=2&seed=1")
    sent = answered(w)
    before = w.pictures
    w._on_page_message(w, {"kind": "sweeps", "n": 3}, [])
    assert sent == [{"kind": "done", "step": 3}]
    assert w.step == w.trainer.step_count == 3 and w.loss_text
    assert w.pictures != before and "step 3" in w.pictures["boundary"]
    assert w.pattern_names[1] == "2: (0, 1) → 1"


@pytest.mark.parametrize("content", [
    None, [1], {"kind": "run"}, {"kind": "sweeps"}, {"kind": "sweeps", "n": 0},
    {"kind": "sweeps", "n": 1001}, {"kind": "sweeps", "n": 2.0}, {"kind": "sweeps", "n": True},
    {"kind": "explain", "pattern": 4}, {"kind": "explain", "pattern": "0"},
], ids=repr)
def test_a_bad_message_is_answered_and_shown_never_raised(content):
    w = train("dataset=xor&hidden=2")
    w.playing = True
    sent = answered(w)
    w._on_page_message(w, content, [])
    assert sent == [{"kind": "done", "step": 0}] and w.step == 0
    assert w.error and not w.playing  # a playing page stops at an error
    w._on_page_message(w, {"kind": "sweeps", "n": 1}, [])
    assert w.error == "" and w.step == 1


def test_explain_shows_the_chosen_patterns_pass_at_this_step():
    pytest.importorskip("graphviz")
    w = train("dataset=xor&hidden=2")
    w.steps(2)
    answered(w)
    w._on_page_message(w, {"kind": "explain", "pattern": 3}, [])
    assert (w.pattern, w.explain_step) == (3, 2)
    assert "Pattern 4, step 2" in w.explain_html


def test_python_drives_the_session():
    w = train("dataset=moons&hidden=4")
    w.play()
    assert w.playing
    w.pause()
    assert not w.playing
    w.steps(4)
    assert w.step == 4 and [s.step for s in w.history] == [0, 1, 2, 3, 4]
    with pytest.raises(traitlets.TraitError, match="train with steps"):
        w.step = 10  # the count follows the training, never the other way
    with pytest.raises(traitlets.TraitError, match="speed must be 1 to 1000"):
        w.speed = 0
    with pytest.raises(TypeError, match="takes a Trainer"):
        TrainerWidget("dataset=xor")


# -- the page against a stand-in model (the explorer's), in Chromium ---------------------------

CSS = Path(__file__).resolve().parents[1] / "autograd_mini" / "viz" / "trainer.css"
HOSTILE = '<img src=x onerror="window.pwned=1">&amp;'
SYNCED = ["query", "pictures", "loss_text", "pattern_names", "explain_html", "explain_step",
          "error", "step", "playing", "speed", "pattern"]


@pytest.mark.browser
def test_the_page_asks_one_request_at_a_time_and_stops_on_pause(browser):
    from test_explorer import _FAKE_MODEL, _PAGE

    w = train("dataset=xor&hidden=2")
    w.steps(1)
    w.error = HOSTILE
    state = {name: getattr(w, name) for name in SYNCED}
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_content(_PAGE % CSS.read_text())
        page.evaluate(_FAKE_MODEL, [TrainerWidget._esm, state])
        page.wait_for_selector(".am-trainer[data-ready=true]")
        # every word is text: the error line shows the markup as it is
        assert page.inner_text(".am-error") == HOSTILE
        assert page.locator("img").count() == 0 and page.evaluate("window.pwned") is None
        assert page.locator(".am-picture svg").count() == 5
        assert page.inner_text(".am-count") == "sweep 1"
        # Play: one request; the next only after the answer, and none after Pause
        page.click(".am-play")
        assert page.evaluate("window.sent") == [{"kind": "sweeps", "n": 1}]
        assert page.is_disabled(".am-one") and page.inner_text(".am-play") == "Pause"
        page.wait_for_timeout(150)
        assert len(page.evaluate("window.sent")) == 1  # no answer yet: no second request
        page.evaluate("window.model.emit('msg:custom', {kind: 'done', step: 2})")
        page.wait_for_function("window.sent.length === 2")
        page.click(".am-play")  # Pause, with a request in flight
        assert page.evaluate("window.model.get('playing')") is False
        page.evaluate("window.model.emit('msg:custom', {kind: 'done', step: 3})")
        page.wait_for_timeout(150)
        assert len(page.evaluate("window.sent")) == 2  # paused: nothing more is asked
        # paused: the chosen pattern's pass is asked for and shown in a sandboxed frame
        page.select_option(".am-pattern", "2")
        page.click(".am-explain")
        assert page.evaluate("window.sent")[-1] == {"kind": "explain", "pattern": 2}
        assert page.is_hidden(".am-frame")
        page.evaluate("""() => { window.model.set('explain_html', '<p id=x>pass</p>');
                                 window.model.set('explain_step', 1); }""")
        assert page.is_visible(".am-frame")
        assert page.get_attribute(".am-frame", "sandbox") == "allow-scripts"
        assert page.frame_locator(".am-frame").locator("#x").inner_text() == "pass"
        assert errors == []
    finally:
        page.close()
