"""The notebook explorer as a quiz: ``explore(out, quiz=True)``.

Its Python side (answers checked against the engine's numbers, hints from the op table,
the score, numbers held back until a step's blanks are done), one implementation shared
with the site's playground, and its page in headless Chromium wired to the widget's
Python side, where answers are typed and checked.

Set AUTOGRAD_MINI_SCREENSHOTS=folder to keep the screenshots (desktop and phone).
"""

import json
import math
import os
from pathlib import Path

import pytest
from conftest import graph_of_every_op

anywidget = pytest.importorskip("anywidget")

from autograd_mini import PRIMITIVES, Value, apply, explore  # noqa: E402
from autograd_mini.core.naming import fmt  # noqa: E402
from autograd_mini.explain.quiz import QUIZ_TOLERANCE, Quiz  # noqa: E402
from autograd_mini.explain.trace import trace  # noqa: E402
from autograd_mini.site import page_api as site  # noqa: E402
from autograd_mini.viz.explorer import Explorer  # noqa: E402

ESM = Path(__file__).resolve().parents[1] / "autograd_mini" / "viz" / "explorer.js"
MODULE = Explorer._esm  # what anywidget loads: explorer.js, the step viewer written in
HOSTILE = '<img src=x onerror="window.pwned=1">&amp;'


def neuron(label: str = "x"):
    x, w, b = Value(2.0, label=label), Value(-3.0, label="w"), Value(6.8813735870195432,
                                                                     label="b")
    return (x * w + b).tanh()


def blanks(ex, step=None):
    """The quiz's questions, or those of one page step."""
    qs = ex.quiz_state["questions"]
    return [q for q in qs if step is None or q["step"] == step]


def truth(ex, question: dict) -> float:
    return ex._quiz.question(question["id"]).truth


# --- Python: checking, hints, score --------------------------------------------------


def test_a_right_answer_is_accepted_a_wrong_one_gets_the_rule_and_its_numbers():
    ex = explore(neuron(), quiz=True)
    first = blanks(ex)[0]  # tanh at out: ∂out/∂n2 = 1 - tanh(n2)**2 = 0.5
    assert first["prompt"] == "local derivative ∂out/∂n2" and first["step"] == ex._reach()
    wrong = ex.answer(first["id"], "2")
    assert not wrong["ok"]
    assert wrong["hint"] == ("The rule of tanh: d/da tanh(a) = 1 - tanh(a)**2. Here: "
                             "∂out/∂n2 = 1 - tanh(n2)**2, with out = 0.7071, n2 = 0.8814.")
    said = blanks(ex)[0]
    assert (said["said"], said["tone"], said["typed"], said["done"]) == \
        (wrong["hint"], "wrong", "2", False)
    # arithmetic is read by the whitelist parser: 1 - 0.7071**2 is 0.5 within 1e-3
    right = ex.answer(first["id"], "1 - 0.7071**2")
    assert right["ok"] and right["answer"] == "0.5"
    assert blanks(ex)[0]["said"] == "right: 0.5" and blanks(ex)[0]["done"]
    contribution = blanks(ex)[1]  # ∂out/∂out · ∂out/∂n2 = 1 · 0.5
    hint = ex.answer(contribution["id"], "-0.5")["hint"]
    assert hint == ("A contribution is the upstream gradient times the local derivative: "
                    "∂out/∂out · ∂out/∂n2, with ∂out/∂out = 1 and ∂out/∂n2 = 0.5.")
    assert ex.answer(contribution["id"], "0.5")["ok"]
    assert ex.score == {"right": 0, "total": 10, "done": 2}  # each took two tries


def test_the_tolerance_is_relative_one_in_a_thousand():
    ex = explore(neuron(), quiz=True)
    q = blanks(ex)[0]
    exact = truth(ex, q)
    assert not ex.answer(q["id"], repr(exact * (1 + 3 * QUIZ_TOLERANCE)))["ok"]
    assert ex.answer(q["id"], repr(exact * (1 + 0.5 * QUIZ_TOLERANCE)))["ok"]


def test_a_typo_is_not_an_attempt_and_code_is_never_run():
    ex = explore(neuron(), quiz=True)
    q = blanks(ex)[0]
    for text in ["1 - 0.7**", "__import__('os').system('true')", "x + 1", ""]:
        verdict = ex.answer(q["id"], text)
        assert not verdict["ok"] and verdict["error"] and verdict["hint"] == ""
        assert blanks(ex)[0]["tone"] == "wrong" and blanks(ex)[0]["said"] == verdict["error"]
    assert ex._quiz.question(q["id"]).attempts == 0
    assert ex.answer(q["id"], "0.5")["ok"]
    assert ex.score["right"] == 1  # right at the first real try


@pytest.mark.parametrize("text", ["x", "pi/2", "0*inf", "x*y"])
def test_a_name_in_an_answer_is_told_in_the_quizs_words_not_the_command_lines(text):
    quiz = Quiz(trace(neuron()))
    q = next(iter(quiz.questions.values()))
    verdict = quiz.answer(q.id, text)
    assert not verdict["ok"] and "--at" not in verdict["error"]
    assert "not a number the quiz can check" in verdict["error"] or \
        "not numbers the quiz can check" in verdict["error"]
    assert "number or arithmetic on numbers" in verdict["error"] and q.attempts == 0


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", " Infinity "])
def test_nan_and_inf_are_answers_checked_as_numbers(text):
    quiz = Quiz(trace(neuron()))  # every blank here is finite: nan and inf are wrong
    q = next(iter(quiz.questions.values()))
    verdict = quiz.answer(q.id, text)
    assert not verdict["ok"] and verdict["error"] == "" and verdict["hint"]
    assert q.attempts == 1  # a guess, not a typo


def test_nan_and_inf_are_right_where_the_blank_holds_them():
    x = Value(1000.0, label="x")
    quiz = Quiz(trace(x.exp()))  # d/dx exp(x) overflows: inf
    q = next(iter(quiz.questions.values()))
    assert q.truth == math.inf
    assert not quiz.answer(q.id, "-inf")["ok"] and not quiz.answer(q.id, "nan")["ok"]
    assert quiz.answer(q.id, "inf")["ok"]
    q.truth = math.nan  # a blank holding NaN: only nan is right
    q.right = False
    assert not quiz.answer(q.id, "inf")["ok"] and quiz.answer(q.id, "nan")["ok"]


def test_the_score_counts_first_tries_and_the_quiz_ends_with_everything_shown():
    ex = explore(neuron(), quiz=True)
    for k, q in enumerate(blanks(ex)):
        if k % 3 == 0:
            ex.show_answer(q["id"])  # given up: done, not scored
        else:
            if k % 3 == 2:
                ex.answer(q["id"], "12345")
            assert ex.answer(q["id"], repr(truth(ex, q)))["ok"]
    assert ex.score == {"right": 3, "total": 10, "done": 10}
    state = ex.quiz_state
    assert state["finished"] and state["reach"] == len(ex.steps)
    assert all(q["answer"] == fmt(truth(ex, q)) for q in state["questions"])
    # finished: the overview, the steps and the input rows show every gradient again
    plain = explore(neuron())
    assert (ex.steps, ex.nodes, ex.grad_text, ex.overview, ex.legend) == \
        (plain.steps, plain.nodes, plain.grad_text, plain.overview, plain.legend)


def test_numbers_stay_back_until_the_steps_blanks_are_done():
    ex = explore(neuron(), quiz=True)
    first = ex._reach()  # the first backward step (tanh at out), page index
    assert ex.steps[first - 1]["lines"] == ["Upstream gradient ∂out/∂out = 1"]
    assert ex.steps[first - 1]["formula"] == "" and ex.steps[first - 1]["grads"] == {}
    assert all(s["lines"] == [] and s["grads"] == {} for s in ex.steps[first:])
    assert all(node["grad"] == "?" and node["fill"] == "" for node in ex.nodes)
    assert set(ex.grad_text.values()) == {"?"} and ex.legend == []
    assert "∂out/∂x = ?" in ex.overview["lines"]
    ex.step = first  # the walk goes as far as the first open blank ...
    with pytest.raises(ValueError, match="answer its blanks before step"):
        ex.step = first + 1  # ... and no further
    for q in blanks(ex, first):
        ex.answer(q["id"], repr(truth(ex, q)))
    assert ex._reach() == first + 1
    step = ex.steps[first - 1]
    assert step["formula"] == "d/da tanh(a) = 1 - tanh(a)**2"
    assert "∂out/∂n2 += ∂out/∂out · ∂out/∂n2 = 1 · 0.5 = 0.5" in step["lines"]
    assert step["grads"] == {"v4": "0.5"}
    ex.step = first + 1
    # Python's own numbers are not held back (ex.grads is the API, not the page)
    assert ex.grads["x"] == pytest.approx(-1.5)


def test_new_inputs_start_a_new_quiz_on_the_new_numbers():
    ex = explore(neuron(), quiz=True)
    for q in blanks(ex, ex._reach()):
        ex.answer(q["id"], repr(truth(ex, q)))
    ex.step = ex._reach()
    ex.inputs = {"x": 1.0, "w": 0.5, "b": 0.0}
    assert ex.score == {"right": 0, "total": 10, "done": 0}
    assert ex.step == ex._reach() == len(ex.steps) - 2  # back at the first backward step
    t = math.tanh(0.5)
    first = blanks(ex)[0]
    assert blanks(ex)[0]["said"] == ""
    assert ex.answer(first["id"], repr(1 - t * t))["ok"]


def test_page_messages_answer_and_give_up_and_a_bad_id_is_told():
    ex = explore(neuron(), quiz=True)
    q = blanks(ex)[0]
    ex._on_page_message(ex, {"kind": "answer", "question": q["id"], "text": "0.5"}, [])
    assert blanks(ex)[0]["done"] and ex.score["right"] == 1
    ex._on_page_message(ex, {"kind": "show", "question": blanks(ex)[1]["id"]}, [])
    assert blanks(ex)[1]["said"] == "the answer: 0.5" and ex.score["done"] == 2
    ex._on_page_message(ex, {"kind": "answer", "question": "99:0:local", "text": "1"}, [])
    assert ex.error == "no quiz question '99:0:local'"
    plain = explore(neuron())
    with pytest.raises(ValueError, match=r"not a quiz: make one with explore\(out, quiz=True\)"):
        plain.answer("7:0:local", "1")
    assert plain.quiz_state == {} and plain.score is None


@pytest.mark.parametrize("name, out", list(graph_of_every_op()))
def test_every_op_of_the_table_is_quizzed_with_its_formula(name, out):
    ex = explore(out, quiz=True)
    formula = PRIMITIVES[name].formula
    while not ex.quiz_state["finished"]:
        ex.step = ex._reach()
        for q in blanks(ex, ex.step):
            wrong = ex.answer(q["id"], repr(truth(ex, q) * 1.01 + 0.5))
            assert not wrong["ok"] and wrong["hint"]
            if q["kind"] == "local" and ex._quiz.chain_rule_step(q["step"] - 1).op == name:
                assert formula in wrong["hint"]
            assert ex.answer(q["id"], repr(truth(ex, q) * (1 + 5e-4)))["ok"]
    assert ex.score["done"] == ex.score["total"] > 0 and ex.score["right"] == 0


def test_an_op_the_student_registers_is_quizzed_too(register_op):
    from autograd_mini.core.ops import Primitive

    register_op(Primitive("cube", "³", value=lambda a: a ** 3,
                          derivative=lambda out, a: (3.0 * a * a,)))
    x = Value(2.0, label="x")
    ex = explore(apply("cube", x) + x, quiz=True)
    ex.step = ex._reach()
    for q in blanks(ex, ex.step):
        ex.answer(q["id"], repr(truth(ex, q)))
    ex.step = ex._reach()
    local = blanks(ex, ex.step)[0]
    hint = ex.answer(local["id"], "5")["hint"]
    assert "The rule of cube: d/da cube(a) = 3 * a * a" in hint and "x = 2" in hint
    assert ex.answer(local["id"], "3 * 2**2")["ok"]


def test_the_explorer_and_the_playground_ask_through_one_quiz():
    """Same expression, same numbers: the same prompts, hints and verdicts, because both
    are autograd_mini.explain.quiz.Quiz (one implementation)."""
    playground = site.Playground()
    playground.load("tanh(x*w + b)", json.dumps({"x": 2, "w": -3, "b": 6.8813735870195432}))
    ex = explore(neuron(), quiz=True)
    assert isinstance(playground.quiz, Quiz) and isinstance(ex._quiz, Quiz)
    ours = [(q["prompt"], ex.answer(q["id"], "7")["hint"]) for q in blanks(ex)]
    theirs = [(playground.quiz.prompt(q), json.loads(playground.answer(q.id, "7"))["hint"])
              for q in playground.questions.values()]
    assert ours == theirs


# --- The page, in headless Chromium, wired to the widget's Python side -----------------

_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><style>%s</style></head>
<body style="margin: 8px"><div id="root"></div></body></html>"""

# The widget model anywidget gives render(), its messages and saved step going to Python
# (window.python, a Playwright binding) and Python's changed state coming back.
_WIRED_MODEL = """
async ([source, state]) => {
  const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
  const widget = (await import(url)).default;
  const listeners = {};
  const fire = (name, arg) => (listeners[name] || []).forEach(f => f(arg));
  const apply = (changed) => {
    Object.assign(state, changed);
    for (const key of Object.keys(changed)) fire("change:" + key);
  };
  window.replies = 0;
  const ask = async (message) => { apply(await window.python(message)); window.replies++; };
  const model = {
    get: (key) => state[key],
    set: (key, value) => { state[key] = value; fire("change:" + key); },
    on: (name, f) => { (listeners[name] = listeners[name] || []).push(f); },
    off: () => {},
    save_changes: () => ask({kind: "step", step: state.step}),
    send: (message) => ask(message),
  };
  widget.render({model, el: document.getElementById("root")});
}
"""

_NAMES = ["svg", "svg_tall", "nodes", "steps", "overview", "legend", "leaves", "output_name",
          "grad_text", "input_text", "error", "inputs", "grads", "values", "step", "quiz_state"]


def _state(ex) -> dict:
    return json.loads(json.dumps({name: getattr(ex, name) for name in _NAMES}))


def _wire(page, ex) -> None:
    """Open the explorer in ``page``, its messages answered by ``ex`` itself."""
    sent = _state(ex)

    def python(message):
        if message.get("kind") == "step":
            ex.step = message["step"]
        else:
            ex._on_page_message(ex, message, [])
        now = _state(ex)
        changed = {k: v for k, v in now.items() if sent.get(k) != v}
        sent.update(now)
        return changed

    page.expose_function("python", python)
    page.set_content(_PAGE % (ESM.parent / "explorer.css").read_text())
    page.evaluate(_WIRED_MODEL, [MODULE, sent])
    page.wait_for_selector(".am-explorer[data-ready=true]")


def _reply(page, count: int) -> None:
    page.wait_for_function(f"window.replies >= {count}")


@pytest.mark.browser
@pytest.mark.parametrize("width, height", [(1000, 700),
                                           pytest.param(390, 844, marks=pytest.mark.slow)])
def test_the_quiz_page_checks_typed_answers_and_scores(browser, width, height, tmp_path):
    folder = Path(os.environ.get("AUTOGRAD_MINI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    ex = explore(neuron(HOSTILE), quiz=True)
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _wire(page, ex)
    replies = 0
    assert page.inner_text(".am-explain .am-title") == \
        "Quiz: the forward pass is computed, the backward pass is yours"
    assert "Quiz: 10 blanks in the backward pass" in page.inner_text(".am-lines")
    assert page.is_hidden(".am-quiz") and "grad ?" in page.text_content(".am-graph svg")
    # Next walks to the first backward step and no further: its blanks are open
    first = ex._reach()
    for _ in range(first):
        page.click(".am-next")
        replies += 1
        _reply(page, replies)
    assert ex.step == first and page.is_disabled(".am-next")
    page.fill(".am-scrub", str(first + 2))  # the scrubber stops at the quiz's step too
    replies += 1
    _reply(page, replies)
    assert ex.step == first
    assert page.inner_text(".am-lines") == "Upstream gradient ∂out/∂out = 1"
    assert page.inner_text(".am-formula") == ""
    prompts = page.locator(".am-blank legend").all_inner_texts()
    assert prompts == ["local derivative ∂out/∂n2", "contribution ∂out/∂out · ∂out/∂n2"]
    # a wrong answer: rejected, with the op table's rule and the numbers it needs
    page.locator(".am-answer").first.fill("2")
    page.locator(".am-check").first.click()
    replies += 1
    _reply(page, replies)
    said = page.locator(".am-said").first
    assert said.inner_text().startswith("The rule of tanh: d/da tanh(a) = 1 - tanh(a)**2.")
    assert "with out = 0.7071, n2 = 0.8814" in said.inner_text()
    assert "wrong" in said.get_attribute("class")
    assert page.locator(".am-answer").first.input_value() == "2"  # kept, to be corrected
    page.screenshot(path=folder / f"explorer-quiz-{width}-hint.png")
    # right answers, typed as arithmetic, and Enter: the step shows its numbers
    page.locator(".am-answer").first.fill("1 - 0.7071**2")
    page.locator(".am-answer").first.press("Enter")
    replies += 1
    _reply(page, replies)
    assert page.locator(".am-said").first.inner_text() == "right: 0.5"
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
        "contribution ∂out/∂out · ∂out/∂n2"  # the next open blank has the focus
    page.locator(".am-answer").nth(1).fill("1 * 0.5")
    page.locator(".am-check").nth(1).click()
    replies += 1
    _reply(page, replies)
    assert "∂out/∂n2 += ∂out/∂out · ∂out/∂n2 = 1 · 0.5 = 0.5" in page.inner_text(".am-lines")
    assert "From the op table: d/da tanh(a)" in page.inner_text(".am-formula")
    assert page.locator(".am-answer:disabled").count() == 2 and page.is_enabled(".am-next")
    # the rest: typed right (by the engine's own numbers) or given up, up to the score
    while not ex.quiz_state["finished"]:
        page.click(".am-next")
        replies += 1
        _reply(page, replies)
        for k, q in enumerate(blanks(ex, ex.step)):
            if k == 0 and ex.step == len(ex.steps):
                page.locator(".am-show").nth(k).click()
            else:
                page.locator(".am-answer").nth(k).fill(repr(truth(ex, q)))
                page.locator(".am-check").nth(k).click()
            replies += 1
            _reply(page, replies)
    assert page.inner_text(".am-score") == "Score: 8 of 10 right at the first try"
    assert ex.score == {"right": 8, "total": 10, "done": 10}
    assert page.locator(".am-said").first.inner_text().startswith("the answer: ")
    assert page.evaluate("window.pwned") is None and page.locator("img").count() == 0
    # every control reachable: nothing wider than the page
    wide = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.am-explorer button, .am-explorer input')).filter(e => {
        const r = e.getBoundingClientRect(); return r.right > window.innerWidth + 0.5
        || r.left < -0.5; }).length""")
    assert wide == 0
    page.screenshot(path=folder / f"explorer-quiz-{width}-score.png", full_page=True)
    page.click(".am-prev")  # back to a finished step: its answers stay shown
    replies += 1
    _reply(page, replies)
    assert page.locator(".am-said").first.inner_text().startswith("right: ")
    assert errors == []
    page.close()


def test_the_readme_quiz_example_runs_and_its_answer_is_right():
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    explorer = next(b for b in blocks if "ex = explore(" in b)
    quiz = next(b for b in blocks if "quiz=True" in b)
    names: dict = {}
    exec(compile(explorer + quiz, "README.md", "exec"), names)  # the README's own code
    assert names["quiz"].score == {"right": 1, "total": 10, "done": 1}


def test_the_static_fallback_of_a_quiz_gives_no_gradient_away():
    data, _ = explore(neuron(), quiz=True)._repr_mimebundle_()
    assert "data 0.7071" in data["image/svg+xml"] and "grad" not in data["image/svg+xml"]
