"""The reader's language: the catalogs, choosing a language, and Korean text laid out right."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value, trace
from autograd_mini.core import language
from autograd_mini.core.language import (
    _,
    display_width,
    pad,
    placeholders,
    set_language,
    speaking,
)
from autograd_mini.explain.expression import ExpressionError, parse
from autograd_mini.viz.steps import VIEWER

babel_extract = pytest.importorskip("babel.messages.extract")
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KO = language.LOCALE / "ko" / "LC_MESSAGES"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "say": None}
METHODS = [("**.py", "python"), ("**.js", "javascript"), ("**.html", "javascript")]


def marked_messages() -> set[str]:
    """Every message the package and its demos (demos/*.py, the modules of
    autograd_mini.demos) mark, as Babel extracts them (docs/translating.md)."""
    found = [*babel_extract.extract_from_dir(ROOT / "autograd_mini", METHODS, keywords=KEYWORDS),
             *babel_extract.extract_from_dir(ROOT / "demos", [("*.py", "python")],
                                             keywords=KEYWORDS)]
    return {message if isinstance(message, str) else message[0]
            for _, _, message, _, _ in found}


def translating_modules() -> list[Path]:
    """The Python files whose messages are in the catalog: the package's and the demos'."""
    return sorted([*(ROOT / "autograd_mini").rglob("*.py"), *(ROOT / "demos").glob("*.py")])


def korean_catalog():
    with open(KO / "autograd_mini.po", "rb") as po:
        return read_po(po)


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language(None)


def test_every_marked_message_has_a_korean_translation_with_the_same_placeholders():
    catalog = korean_catalog()
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    assert marked_messages() == set(translated)  # no message left out, none left over
    for english, message in translated.items():
        korean = message.string if isinstance(message.string, str) else message.string[0]
        words = re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", english))
        assert korean and (korean != english or not words), english  # "E = {loss}" stays
        assert placeholders(korean) == placeholders(english), english
        assert not message.fuzzy, english


def test_the_compiled_catalog_is_the_po_file_compiled():
    compiled = io.BytesIO()
    write_mo(compiled, korean_catalog())
    assert (KO / "autograd_mini.mo").read_bytes() == compiled.getvalue(), \
        "run: pybabel compile -d autograd_mini/core/locale -D autograd_mini"


def test_english_unless_asked_and_korean_when_asked():
    try:
        Value(-1.0).log()
    except ValueError as error:
        assert str(error) == "log(-1.0): log is only defined for positive numbers"
    set_language("ko")
    with pytest.raises(ValueError, match="log는 양수에서만 정의됩니다"):
        Value(-1.0).log()
    assert _("node") == "노드"
    set_language("en")
    assert _("node") == "node"


@pytest.mark.parametrize("variables, expected", [
    ({"AUTOGRAD_MINI_LANG": "ko"}, "ko"),
    ({"AUTOGRAD_MINI_LANG": "ko_KR.UTF-8"}, "ko"),
    ({"LANG": "ko_KR.UTF-8"}, "ko"),
    ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"),  # LC_ALL=C command: English
    ({"LC_ALL": "C.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),
    ({"LC_ALL": "fr_FR.UTF-8", "LANG": "ko_KR.UTF-8"}, "en"),  # the first set decides
    ({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANGUAGE": "ko", "LANG": "en_US.UTF-8"}, "ko"),  # GNU's list comes first
    ({"LANGUAGE": "fr:ko:en", "LANG": "fr_FR.UTF-8"}, "ko"),  # its first one known
    ({"LANGUAGE": "ko", "LC_ALL": "C"}, "en"),  # ... except where the locale is C
    ({"LANGUAGE": "ko"}, "en"),  # no locale set is C too
    ({"AUTOGRAD_MINI_LANG": "ko", "LC_ALL": "C"}, "ko"),
    ({"AUTOGRAD_MINI_LANG": "en", "LANG": "ko_KR.UTF-8"}, "en"),
    ({"AUTOGRAD_MINI_LANG": "fr", "LANG": "ko_KR.UTF-8"}, "ko"),  # not a language: the locale
    ({}, "en"),
])
def test_the_environment_chooses_the_language(monkeypatch, variables, expected):
    for name in ("AUTOGRAD_MINI_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert language.current_language() == expected


def test_a_program_run_with_the_variable_speaks_korean():
    env = {**os.environ, "AUTOGRAD_MINI_LANG": "ko"}
    code = ("from autograd_mini import Value\nx = Value(2.0, label='가중치')\ny = x * x\n"
            "x.data = 3.0\ny.backward()")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60)
    # the particles chosen for their words: 노드가, '가중치'로; after 3.0 the pair stays
    assert "오래된 계산 그래프: 값이 4.0인 mul 노드가 '가중치'로부터 계산된 뒤에 " \
        "'가중치'의 .data가 3.0(으)로 바뀌어" in result.stderr


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(ValueError, match="no language 'fr': the languages are en, ko"):
        set_language("fr")
    assert language.current_language() in language.LANGUAGES


def test_a_trace_with_a_hangul_name_prints_an_aligned_table():
    """x*x with x named in Hangul: each column's cells start at the same terminal column in
    every line, Hangul counted two columns wide, in both languages."""
    for code in ("en", "ko"):
        set_language(code)
        x = Value(3.0, label="가중치")
        record = trace(x * x)
        lines = record.backward_table().splitlines()
        rows = record.backward_rows()
        del lines[1]  # the rule under the header
        assert len(lines) == len(rows) == 4
        starts = [cell_starts(line, row) for line, row in zip(lines, rows)]
        assert all(s == starts[0] for s in starts), (code, lines)


def cell_starts(line: str, cells: tuple[str, ...]) -> list[int]:
    """The terminal column where each cell of ``line`` starts."""
    found, at = [], 0
    for cell in cells:
        at = line.index(cell, at)
        found.append(display_width(line[:at]))
        at += len(cell)
    return found


def test_display_width_and_pad():
    assert display_width("가중치") == 6 and display_width("x1") == 2
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert pad("가", 4) == "가  " and display_width(pad("가중치", 8)) == 8


@pytest.mark.parametrize("typed, value", [
    ("３＊ｘ＋（１）", 7.0),       # what a Korean input method types in full-width mode
    ("ｘ　＊　２", 4.0),           # with ideographic spaces
    ("０．５＊ｘ", 1.0),
])
def test_full_width_input_is_read_as_the_ascii_it_stands_for(typed, value):
    assert parse(typed, {"x": 2.0}).data == value


def test_other_compatibility_characters_are_not_silently_rewritten():
    """NFKC would read 2² as the number 22: it stays a typeset power, told as such."""
    with pytest.raises(ExpressionError, match=r"² \(column 2\) is not Python's power"):
        parse("２²", {})


def test_an_error_column_counts_the_text_as_typed():
    with pytest.raises(ExpressionError, match=r"column 4"):
        parse("ｘ＊＊＊２", {"x": 1.0})


def test_no_module_that_translates_binds_the_name_of_the_translator():
    """``for _ in ...`` in a function that also calls ``_()`` makes ``_`` a local name of
    that function, and the call fails (UnboundLocalError) only when that line runs."""
    import ast

    for path in translating_modules():
        tree = ast.parse(path.read_text())
        imports_it = any(isinstance(n, ast.ImportFrom) and n.module and "language" in n.module
                         and any(a.name == "_" for a in n.names) for n in ast.walk(tree))
        if not imports_it:
            continue
        bound = [n.lineno for n in ast.walk(tree)
                 if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
        assert bound == [], f"{path.relative_to(ROOT)} binds _ at lines {bound}"


def commands(readme: str) -> list[str]:
    """The shell commands of a README's "two commands" block (comments left out)."""
    block = readme.split("```bash\n")[1].split("```")[0]
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_the_korean_readme_gives_the_same_two_commands_and_is_linked():
    english = (ROOT / "README.md").read_text()
    korean = (ROOT / "README.ko.md").read_text()
    assert commands(korean) == commands(english) and len(commands(english)) == 2
    assert "[한국어](README.ko.md)" in english.splitlines()[2]


def test_the_korean_readmes_example_prints_what_it_shows(monkeypatch):
    """The table README.ko.md shows is what the command prints in Korean."""
    korean = (ROOT / "README.ko.md").read_text()
    shown = korean.split("autograd-mini steps")[1].split("```\n")[2].split("```")[0]
    env = {**os.environ, "AUTOGRAD_MINI_LANG": "ko"}
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "steps", "가중치*가중치",
                             "--at", "가중치=3"], capture_output=True, text=True, env=env,
                            timeout=60)
    assert result.stdout == shown


def test_a_pages_words_are_every_message_its_script_says():
    """What Python hands a page (page_words: say("...") read from its script) is what
    Babel extracts from the same script: no message of a page misses the catalog."""
    pages = [*(ROOT / "autograd_mini").rglob("*.js"), *(ROOT / "autograd_mini").rglob("*.html")]
    assert len(pages) >= 5
    for path in pages:
        name = path.relative_to(ROOT)
        script = path.read_text()
        with open(path, "rb") as source:
            extracted = {m[1] for m in babel_extract.extract("javascript", source,
                                                             keywords={"say": None})}
        assert set(language.page_words(script)) == extracted, name


@pytest.mark.browser
def test_the_step_viewer_speaks_the_language_it_was_written_in(tmp_path, browser):
    from autograd_mini.viz.steps import save_steps_html

    x = Value(3.0, label="가중치")
    set_language("ko")
    path = save_steps_html(x * x, tmp_path / "steps.html")
    set_language("en")
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(path.as_uri())
    assert page.inner_text("#prev") == "← 이전" and page.inner_text("#next") == "다음 →"
    assert page.evaluate("document.documentElement.lang") == "ko"
    assert page.inner_text("#page-title") == "역전파, 단계별로"
    assert "순전파" in page.inner_text("#step-title")
    page.close()


def test_a_run_page_written_in_korean_speaks_korean(tmp_path):
    from autograd_mini import watch
    from autograd_mini.viz.watching import write_run_page

    w = Value(0.5)
    run = watch({"one": [w]})
    for _step in range(3):
        w.grad = 0.1
        w.data -= 0.01
        run.record(1.0)
    set_language("ko")
    text = write_run_page(run, tmp_path / "run.html", frames=2).read_text()
    assert '<html lang="ko">' in text and ">재생</button>" in text
    assert "배우고 있는 신경망" in text and "학습 오차 E" in text and '"일시 정지"' in text


def test_two_threads_each_speak_their_own_language_at_once():
    """speaking() changes its own thread's words only: two threads inside their blocks at
    the same moment (a barrier holds both there) each get their language's error."""
    barrier = threading.Barrier(2, timeout=10)
    said: dict[str, str] = {}

    def speak(code: str) -> None:
        with speaking(code):
            barrier.wait()  # both blocks entered
            try:
                Value(-1.0).log()
            except ValueError as error:
                said[code] = str(error)
            barrier.wait()  # neither leaves before the other has spoken

    threads = [threading.Thread(target=speak, args=(code,)) for code in ("ko", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert said == {"ko": "log(-1.0): log는 양수에서만 정의됩니다",
                    "en": "log(-1.0): log is only defined for positive numbers"}
    assert language.current_language() == "en"


def test_a_check_run_in_a_thread_speaks_the_callers_language():
    """check_engine's time budget runs a check in a worker thread where it cannot use a
    signal (not the main thread): the worker speaks the language of the block it is in."""
    from autograd_mini.testing.budget import within

    def log_error() -> str:
        try:
            Value(-1.0).log()
        except ValueError as error:
            return str(error)
        return ""

    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(_in_korean(within, log_error)))
    worker.start()
    worker.join()
    assert outcome == ["log(-1.0): log는 양수에서만 정의됩니다"]


def _in_korean(within, function) -> str:
    with speaking("ko"):
        return within(5.0, function)


# --- Korean particles chosen for the word they follow -----------------------------------

@pytest.mark.parametrize("word, paired, chosen", [
    ("가중치", "이(가)", "가"), ("층", "이(가)", "이"), ("노드", "은(는)", "는"),
    ("값", "을(를)", "을"), ("기울기", "을(를)", "를"), ("입력", "과(와)", "과"),
    ("노드", "와(과)", "와"), ("층", "(으)로", "으로"), ("출발", "(으)로", "로"),  # ㄹ: 로
    ("노드", "(으)로", "로"), ("'가중치'", "이(가)", "가"), ("「층」", "은(는)", "은"),
    ("x1", "이(가)", "이(가)"), ("4.0", "(으)로", "(으)로"), ("", "을(를)", "을(를)"),
])
def test_a_paired_particle_becomes_the_one_its_word_takes(word, paired, chosen):
    assert language.particle(word, paired) == chosen


def test_the_particles_are_chosen_in_filling_a_message_and_nothing_else_changes():
    fill = language._fill
    assert fill("{node}이(가) {parent}(으)로부터", {"node": "노드", "parent": "'가중치'"}) == \
        "노드가 '가중치'로부터"
    assert fill("{n:.1f}을(를) {x}와(과)", {"n": 2, "x": "x1"}) == "2.0을(를) x1와(과)"
    # an escaped brace is not a placeholder, a word's own braces are not read again
    assert fill("{{a}}이(가) {kind}을(를)", {"kind": "{b}"}) == "{a}이(가) {b}을(를)"
    assert fill("{a} and {b}", {"a": "노드", "b": "층"}) == "노드 and 층"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="가각갈노드층값x1.' ", max_size=4), min_size=1, max_size=8))
def test_the_pages_choose_the_particles_as_python_does(words):
    """The page's say() (stepviewer.js) picks each particle by the same rule."""
    cases = [(w, p) for w in words for p in language.PARTICLES]
    script = ("import { particle } from " + json.dumps(VIEWER.as_uri()) + ";\n"
              "const cases = JSON.parse(process.argv[1]);\n"
              "console.log(JSON.stringify(cases.map(([w, p]) => particle(w, p))));")
    result = subprocess.run(["node", "--input-type=module", "-e", script, json.dumps(cases)],
                            capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(result.stdout) == [language.particle(w, p) for w, p in cases]
