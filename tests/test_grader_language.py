"""check_engine speaks the reader's language: the diagnoses, the report's lines and
headings, the verdicts of the child process and the load errors, in Korean as in English;
the child process speaks as the grader does; a student's own words (any language, any
braces) are quoted as they are, never formatted."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_mini.core.language import set_language, speaking
from autograd_mini.testing import check_engine, check_engine_file
from autograd_mini.testing.grader import CheckResult, EngineReport, Failure
from autograd_mini.testing.loading import EngineLoadError, load_engine
from autograd_mini.testing.report_formats import gradescope

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "tests" / "engines" / "student_engine.py").read_text()
ADD = "            self.grad += out.grad\n            other.grad += out.grad"
OVERWRITES = "            self.grad = out.grad\n            other.grad = out.grad"
OVERWRITTEN_KO = ("기울기가 더해지지 않고 덮어쓰입니다: 두 번 쓰인 노드가 한 경로의 기울기만 "
                  "받습니다 — `self.grad = …`는 `self.grad += …`여야 합니다")
OVERWRITTEN_EN = ("the gradient is overwritten instead of added: a node used twice gets one "
                  "path only — `self.grad = …` should be `self.grad += …`")
# What the student's engine says itself (its assert of ``**``): quoted as it is.
STUDENTS_OWN = "only int/float powers"
HOSTILE = "{x} 학생의 오류 {0} {} {oops!r} — l'erreur ünïcödé"


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language(None)


def _engine(tmp_path: Path, old: str = ADD, new: str = OVERWRITES, name="engine.py") -> Path:
    assert SOURCE.count(old) == 1
    path = tmp_path / name
    path.write_text(SOURCE.replace(old, new))
    return path


def _english_sentences(text: str) -> list[str]:
    """Runs of three English words or more, once code (`...`), the engine's path and
    the student's own words are taken out: what a Korean report should not hold."""
    text = re.sub(r"`[^`]*`", "", text.replace(STUDENTS_OWN, ""))
    text = re.sub(r"\S*engine\.py:Value", "", text)
    return re.findall(r"[A-Za-z]{2,}(?:[ ,']+[A-Za-z]{2,}){2,}", text)


def test_a_korean_report_gives_the_korean_diagnosis_and_no_english_sentence(tmp_path):
    kind = load_engine(f"{_engine(tmp_path)}:Value")
    with speaking("ko"):
        report = check_engine(kind, max_examples=10)
        text, results = str(report), gradescope(report)
    assert report.failures[0].diagnosis == OVERWRITTEN_KO
    assert f"진단    {OVERWRITTEN_KO}" in text
    assert "실패 목록" in text and "두 번 쓰인 노드  add: x1 + x1" in text
    assert re.search(r"검사 \d+개 중 \d+개 통과, \d+개 해당 없음 \(모두 \d+개\); 실패 6개",
                     text.splitlines()[0])
    assert _english_sentences(text) == []
    # the machine-readable keys stay English: the JSON's categories, names and statuses
    data = json.loads(report.to_json())
    assert "used twice" in data["categories"] and data["failures"][0]["op"] == "add"
    assert {"category": "used twice", "name": "add: x1 + x1", "status": "fail",
            "note": ""} in data["checks"]
    assert data["failures"][0]["diagnosis"] == OVERWRITTEN_KO  # a message field: Korean
    assert results["tests"][0]["status"] in ("passed", "failed")
    assert _english_sentences(results["output"]) == []


def test_the_same_engine_in_english(tmp_path):
    report = check_engine(load_engine(f"{_engine(tmp_path)}:Value"), max_examples=10)
    text = str(report)
    assert report.failures[0].diagnosis == OVERWRITTEN_EN
    assert f"   diagnosis {OVERWRITTEN_EN}" in text and "Failures" in text
    assert not re.search(r"[가-힣]", text)


def test_the_child_process_speaks_the_graders_language(tmp_path):
    """The variable says English (tests/conftest.py), the grader speaks Korean: what the
    child writes (its diagnoses, its notes) is Korean, as what the grader adds is."""
    assert os.environ["AUTOGRAD_MINI_LANG"] == "en"
    engine = _engine(tmp_path)
    with speaking("ko"):
        report = check_engine_file(f"{engine}:Value", max_examples=5, total_budget=30)
        text = str(report)
    assert report.failures[0].diagnosis == OVERWRITTEN_KO  # written by the child
    assert report.notes and report.notes[0].startswith("backward()를 연이어 두 번")
    assert "자식 프로세스에서 실행했습니다" in text
    assert _english_sentences(text) == []
    english = check_engine_file(f"{engine}:Value", max_examples=5, total_budget=30)
    assert english.failures[0].diagnosis == OVERWRITTEN_EN
    assert "Ran in a child process" in str(english)


def test_the_command_speaks_korean_with_the_variable(tmp_path):
    _engine(tmp_path)
    env = {**os.environ, "AUTOGRAD_MINI_LANG": "ko",
           "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "check-engine",
                             "engine.py:Value", "--max-examples", "5"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert OVERWRITTEN_KO in result.stdout and "분류" in result.stdout
    assert _english_sentences(result.stdout) == []
    missing = subprocess.run([sys.executable, "-m", "autograd_mini", "check-engine",
                              "nothing.py:Value"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "그런 파일이 없습니다: 'nothing.py'" in missing.stderr


def _report(failed: int) -> EngineReport:
    failure = Failure("ops", "add: x1 + x2", "add", "x1 + x2", {"x1": 0.5},
                      {"d/dx1": 1.0, "d/dx1 by finite differences": 1.0}, {"error": "E: {x}"},
                      "why")
    return EngineReport("engine.py:Value", [
        CheckResult("ops", f"add: x1 + x{k}", "fail", [failure]) for k in range(failed)], [])


@pytest.mark.parametrize("failed, english, korean", [
    (1, "0 of 1 check passes, 0 do not apply (1 in all); 1 failure",
     "검사 1개 중 0개 통과, 0개 해당 없음 (모두 1개); 실패 1개"),
    (3, "0 of 3 checks pass, 0 do not apply (3 in all); 3 failures",
     "검사 3개 중 0개 통과, 0개 해당 없음 (모두 3개); 실패 3개"),
])
def test_counts_take_their_plural_form(failed, english, korean):
    report = _report(failed)
    assert str(report).splitlines()[0] == f"check_engine: engine.py:Value — {english}"
    assert "d/dx1 by finite differences = 1" in str(report)
    with speaking("ko"):
        assert str(report).splitlines()[0] == f"check_engine: engine.py:Value — {korean}"
        assert "d/dx1 (유한 차분) = 1" in str(report) and "오류 = E: {x}" in str(report)


def test_forks_are_counted_in_each_language():
    from autograd_mini.testing.grader import Check
    from autograd_mini.testing.isolation import _forked

    check = Check("ops", "add: x1 + x2", lambda: [], op="add")
    assert _forked(check, 1).got["error"] == "os.fork() called 1 time"
    assert _forked(check, 4).got["error"] == "os.fork() called 4 times"
    with speaking("ko"):
        assert _forked(check, 4).got["error"] == "os.fork()를 4번 불렀습니다"


# -- the student's own words: quoted, never formatted ----------------------------------------

RAISES = ("        def _backward():\n" + ADD,
          "        def _backward():\n            print(" + repr(HOSTILE) + ")\n"
          "            raise ValueError(" + repr(HOSTILE) + ")")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_an_engine_that_prints_and_raises_any_text_is_quoted_as_it_is(tmp_path, language):
    path = _engine(tmp_path, *RAISES)
    path.write_text(f"print({HOSTILE!r})\n" + path.read_text())
    with speaking(language):
        report = check_engine(load_engine(f"{path}:Value"), max_examples=5)
        text = str(report)
        isolated = check_engine_file(f"{path}:Value", max_examples=5, total_budget=30)
    assert not report.passed and not isolated.passed and not isolated.stopped
    said = f"ValueError: {HOSTILE}"
    for diagnosis in (report.failures[0].diagnosis, isolated.failures[0].diagnosis):
        assert said in diagnosis, diagnosis
    assert said in text and said in str(isolated)
    korean = "발생했습니다" in report.failures[0].diagnosis
    assert korean == (language == "ko")


@pytest.mark.parametrize("language, words", [("en", "raised RuntimeError: "),
                                             ("ko", "실행하다가 RuntimeError: ")])
def test_a_load_error_quotes_the_engines_words_as_they_are(tmp_path, language, words):
    path = tmp_path / "broken.py"
    path.write_text(f"raise RuntimeError({HOSTILE!r})\n")
    with speaking(language):
        with pytest.raises(EngineLoadError) as inside:
            load_engine(f"{path}:Value")
        with pytest.raises(EngineLoadError) as child:
            check_engine_file(f"{path}:Value")
    for error in (inside.value, child.value):
        assert f"{words}{HOSTILE}" in str(error)
