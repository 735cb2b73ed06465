"""A Korean reader's reports: the parser's and the engine's messages say everything in the
reader's language -- Python's own syntax errors, the constructs an expression may not use,
the operand of an op, a point without a derivative -- and an expression that starts with
``-`` gets its hint.  Each reproducer is the command the reader typed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from autograd_mini import Value
from autograd_mini.core.language import speaking
from autograd_mini.explain.expression import PYTHON_SAYS, ExpressionError, parse
from autograd_mini.testing.gradcheck import gradcheck


def run(*args, language="ko"):
    env = {**os.environ, "AUTOGRAD_MINI_LANG": language}
    return subprocess.run([sys.executable, "-m", "autograd_mini", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def error_line(result) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def said(text: str, language: str, values=None) -> str:
    with speaking(language), pytest.raises(ExpressionError) as caught:
        parse(text, {"x": 1.0} if values is None else values)
    return str(caught.value)


# -- 1. Python's syntax errors, in the reader's language ---------------------------------

SYNTAX = {  # expression: (Python's English, our English, our Korean)
    "(x": ("was never closed", "the bracket '(' (column 1) is never closed: add ')'",
           "괄호 '('(1번째 열)이(가) 닫히지 않았습니다"),
    "x)": ("unmatched", "the bracket ')' (column 2) closes nothing",
           "괄호 ')'(2번째 열)은(는) 짝이 되는 여는 괄호가 없습니다"),
    "x +": ("invalid syntax", "invalid syntax (column 4, at the end)",
            "문법이 올바르지 않습니다 (4번째 열, 끝)"),
    "x;1": ("invalid syntax", "invalid syntax (column 2)", "문법이 올바르지 않습니다 (2번째 열)"),
    '"x': ("unterminated string literal", "the quotation mark \" (column 1) starts a text",
           "따옴표 \" (1번째 열)(으)로 시작한 문자열이 닫히지 않았습니다"),
}


@pytest.mark.parametrize("expression", SYNTAX)
def test_python_syntax_errors_are_said_in_korean(expression):
    python, _english, korean = SYNTAX[expression]
    line = error_line(run("steps", expression, "--at", "x=1"))
    assert korean in line and python not in line


@pytest.mark.parametrize("expression", SYNTAX)
def test_python_syntax_errors_in_english_name_the_place(expression):
    assert SYNTAX[expression][1] in said(expression, "en")


@pytest.mark.parametrize("text, english, korean", [
    ("tanh((x", "the bracket '(' (column 6) is never closed", "'('(6번째 열)"),
    ("  (x]", "the bracket ']' (column 5) does not close '(' (column 3): close that with ')'",
     "괄호 ']'(5번째 열)은(는) '('(3번째 열)을(를) 닫을 수 없습니다"),
    ("x + €", "€ (U+20AC, column 5) cannot be part of an expression",
     "€(U+20AC, 5번째 열)은(는) 식에 쓸 수 없습니다"),
    ("x\u00a0+ 1", "an invisible character (U+00A0, column 2)",
     "보이지 않는 문자(U+00A0, 2번째 열)"),
    ("f(x y)", "invalid syntax. Perhaps you forgot a comma? (column 3)", "쉼표를 빠뜨렸나요?"),
])
def test_brackets_and_characters_are_named_with_their_column(text, english, korean):
    assert english in said(text, "en")
    assert korean in said(text, "ko")


def test_a_python_message_not_in_the_table_stays_as_python_said_it():
    assert "Missing parentheses in call to 'print'" in said("print x", "ko")
    assert all(message for message in PYTHON_SAYS)


# -- 2. constructs named in words, the column the reader counts ---------------------------

CONSTRUCTS = {  # expression: (English, Korean)
    "x // 2": ("the operator // (column 3) is not allowed",
               "연산자 //(3번째 열)은(는) 쓸 수 없습니다"),
    "x % 2": ("the operator % (column 3) is not allowed", "연산자 %(3번째 열)은(는)"),
    "x @ x": ("the operator @ (column 3) is not allowed", "연산자 @(3번째 열)은(는)"),
    "[x]": ("a list such as [a, b] (column 1) is not allowed", "[a, b] 같은 리스트 (1번째 열)"),
    "x,x": ("a tuple such as a, b (column 1) is not allowed", "a, b 같은 튜플 (1번째 열)"),
}


@pytest.mark.parametrize("expression", CONSTRUCTS)
def test_constructs_are_named_in_words(expression):
    english, korean = CONSTRUCTS[expression]
    line = error_line(run("steps", expression, "--at", "x=1"))
    assert korean in line and "BinOp" not in line and "List" not in line and "Tuple" not in line
    assert english in said(expression, "en")


@pytest.mark.parametrize("text, english", [
    ("(x) %(2)", "the operator % (column 5)"), ("~x", "the operator ~ (column 1)"),
    ("not x", "the operator not (column 1)"), ("{x}", "a set in curly brackets (column 1)"),
    ("2(x)", "a number (column 1) cannot be called"), ("(y:=x)", "an assignment with :="),
])
def test_other_constructs_are_named_in_words_too(text, english):
    assert english in said(text, "en")


# -- 3. the words passed into a message are the reader's too --------------------------------


@pytest.mark.parametrize("mistake, english, korean", [
    (lambda: Value(1) + "a", "an operation on Values expects a real number",
     "Value 연산에는 실수(int 또는 float)가 필요한데 str 형의 'a'을(를) 받았습니다"),
    (lambda: Value(1) < "a", "a comparison with a Value expects", "Value와의 비교에는 실수"),
    (lambda: Value(1).backward("x"), "a seed expects", "시드(seed)에는 실수"),
])
def test_the_taker_of_a_number_is_named_in_the_readers_language(mistake, english, korean):
    for language, words in (("en", english), ("ko", korean)):
        with speaking(language), pytest.raises(TypeError) as caught:
            mistake()
        assert words in str(caught.value)
    assert "an operation on Values" not in korean


# -- 4. a point without a derivative, said in words; the label in the reader's language ----


def test_sqrt_at_zero_says_its_slope_is_infinite():
    english = error_line(run("steps", "sqrt(x)", "--at", "x=0", language="en"))
    assert ("no derivative at sqrt(0.0 (label 'x')): the slope of sqrt(a) is infinite at "
            "a = 0, where its derivative 1/(2√a) is 1/0") in english
    korean = error_line(run("steps", "sqrt(x)", "--at", "x=0"))
    assert ("sqrt(0.0 (레이블 'x'))에서는 도함수가 없습니다: sqrt(a)의 기울기는 a = 0에서 "
            "무한대입니다") in korean
    assert "division by zero" not in korean + english and "label" not in korean


def test_the_label_of_an_operand_is_said_in_korean():
    korean = error_line(run("steps", "log(x)", "--at", "x=-1"))
    assert "log(-1.0 (레이블 'x')): log는 양수에서만 정의됩니다" in korean
    with speaking("ko"), pytest.raises(ValueError, match=r"log\(-1\.0 \(레이블 'x1'\)\)"):
        gradcheck(lambda x: x.log(), [-1.0])
    with speaking("en"), pytest.raises(ValueError, match=r"log\(-1\.0 \(label 'x1'\)\)"):
        gradcheck(lambda x: x.log(), [-1.0])


# -- 6. an expression that starts with - ---------------------------------------------------


@pytest.mark.parametrize("language, words", [
    ("en", "-x*x starts with -, so it reads as an option and the expression is missing: "
           "write it after the options and --, as in autograd-mini steps --at x=2 -- '-x*x', "
           "or with a space first: ' -x*x'"),
    ("ko", "-x*x은(는) -로 시작해서 옵션으로 읽히므로 식이 빠진 것이 됩니다"),
])
def test_an_expression_starting_with_minus_gets_the_hint(language, words):
    assert words in error_line(run("steps", "-x*x", "--at", "x=2", language=language))


@pytest.mark.parametrize("args", [("steps", "--at", "x=2", "--", "-x*x"),
                                  ("steps", " -x*x", "--at", "x=2")])
def test_the_hinted_forms_work(args):
    result = run(*args, language="en")
    assert result.returncode == 0, result.stderr
    assert "∂out/∂x" in result.stdout


def test_other_usage_errors_get_no_such_hint():
    assert "starts with -" not in error_line(run("steps", "x", "--foo", language="en"))
    assert "required: expression" in error_line(run("steps", "--at", "x=2", language="en"))


# -- 5. a stale graph names an unlabelled input as the trace and the pictures do -----------


@pytest.mark.parametrize("language, words", [
    ("en", "the input x2 had its .data changed to 5.0"),
    ("ko", "입력 x2의 .data가 5.0(으)로 바뀌어")])
def test_a_stale_graph_names_an_unlabelled_input_by_its_display_name(language, words):
    from autograd_mini import StaleGraphError
    from autograd_mini.core.naming import display_names

    a, b = Value(2.0), Value(3.0)
    y = a * b + a
    assert display_names(y)[b] == "x2"
    b.data = 5.0
    with speaking(language), pytest.raises(StaleGraphError) as caught:
        y.backward()
    assert words in str(caught.value)
