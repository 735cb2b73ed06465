"""A student's typical mistakes with the public API get errors in the reader's language:
in Korean the message is the catalog's, the value that was wrong quoted as it was given;
in English the text is as it always was."""

from __future__ import annotations

import pytest

from autograd_mini import Primitive, Value, register, set_language, watch
from autograd_mini.bridges.saving import ModelFileError, load
from autograd_mini.core.language import speaking
from autograd_mini.datasets import encoder, symmetry
from autograd_mini.losses import binary_cross_entropy, hinge, mse
from autograd_mini.nn import MLP
from autograd_mini.optim import SGD


@pytest.fixture(autouse=True)
def english_after():
    yield
    set_language(None)


def corrupt_weights(tmp_path):
    path = tmp_path / "weights.json"
    path.write_text('{"format": "autograd_mini", "version": ')  # cut off mid-write
    return load(path)


def draw_with(**options):
    pytest.importorskip("graphviz")
    from autograd_mini import draw_dot

    return draw_dot(Value(1.0) * 2, **options)


def bad_op():
    return register(Primitive("my op", "m", value=lambda a: a, derivative=lambda out, a: (1.0,)))


# (the mistake, the error, its English text, its Korean text)
MISTAKES = {
    "an MLP with a layer of no units": (
        lambda tmp: MLP(2, [3, 0]), ValueError,
        "a layer needs a positive whole number of units, got 0",
        "층에는 양의 정수 개의 유닛이 필요한데 0을(를) 받았습니다"),
    "an MLP with a width that is text": (
        lambda tmp: MLP("2", [3]), ValueError,
        "a neuron needs a positive whole number of inputs, got '2'",
        "뉴런에는 양의 정수 개의 입력이 필요한데 '2'을(를) 받았습니다"),
    "a loss of two predictions and one target": (
        lambda tmp: mse([Value(1.0), Value(2.0)], [1.0]), ValueError,
        "2 predictions but 1 targets", "예측값은 2개인데 목표값은 1개입니다"),
    "a hinge loss with 0/1 labels": (
        lambda tmp: hinge([Value(0.5)], [0.0]), ValueError,
        "hinge needs labels -1 or +1, got 0.0",
        "hinge의 정답 레이블은 -1 또는 +1이어야 하는데 0.0입니다"),
    "cross-entropy with a target of 2": (
        lambda tmp: binary_cross_entropy([Value(0.5)], [2.0]), ValueError,
        "binary_cross_entropy needs targets in [0, 1], got 2.0",
        "binary_cross_entropy의 목표값은 [0, 1] 안에 있어야 하는데 2.0입니다"),
    "SGD with a negative learning rate": (
        lambda tmp: SGD(MLP(2, [1]), lr=-0.5), ValueError,
        "lr must be in [0.0, inf), got -0.5", "lr은(는) [0.0, inf) 안에 있어야 하는데 -0.5입니다"),
    "SGD given a single Value": (
        lambda tmp: SGD(Value(1.0), lr=0.1), TypeError,
        "SGD expects the Values to train, such as model.parameters(), got Value",
        "SGD에는 model.parameters()처럼 학습할 Value들이 와야 하는데 Value을(를) 받았습니다"),
    "a saved-weights file cut off": (
        corrupt_weights, ModelFileError, "weights.json: not a model file (",
        "weights.json: 모델 파일이 아닙니다 ("),
    "draw_dot with an unknown direction": (
        lambda tmp: draw_with(rankdir="up"), ValueError,
        "rankdir must be LR, TB, RL or BT, got 'up'",
        "rankdir은 LR, TB, RL, BT 중 하나여야 하는데 'up'입니다"),
    "an encoder of one pattern": (
        lambda tmp: encoder(1), ValueError, "n must be a whole number of at least 2, got 1",
        "n은 2 이상의 정수여야 하는데 1입니다"),
    "a symmetry task of no bits": (
        lambda tmp: symmetry(0), ValueError, "n must be at least 1, got 0",
        "n은 1 이상이어야 하는데 0입니다"),
    "an op whose name has a space": (
        lambda tmp: bad_op(), ValueError,
        "a primitive's name must be a Python identifier in NFKC form, got 'my op'",
        "연산의 이름은 NFKC 형태의 파이썬 식별자여야 하는데 'my op'입니다"),
    "an op registered over mul": (
        lambda tmp: register(Primitive("mul", "*", value=lambda a, b: a * b,
                                       derivative=lambda out, a, b: (b, a))), ValueError,
        "a primitive named 'mul' exists already; pass replace=True to redefine it",
        "'mul'(이)라는 연산이 이미 있습니다. 다시 정의하려면 replace=True를 넘기세요"),
    "a label that is a number": (
        lambda tmp: Value(1.0, label=3), TypeError, "a label must be text, got int",
        "레이블은 문자열이어야 하는데 int입니다"),
    "watch() given a list": (
        lambda tmp: watch([Value(1.0)]), TypeError,
        "a dict of layers {name: [[parameters of a unit], ...]}, got list",
        "층의 dict {이름: [[유닛의 매개변수], ...]}가 와야 하는데 list을(를) 받았습니다"),
    "a language that is not there": (
        lambda tmp: set_language("fr"), ValueError, "no language 'fr': the languages are en, ko",
        "'fr'(이)라는 언어가 없습니다: 언어는 en, ko입니다"),
}


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_students_mistake_is_told_in_the_readers_language(mistake, language, tmp_path):
    make, kind, english, korean = MISTAKES[mistake]
    with speaking(language), pytest.raises(kind) as error:
        make(tmp_path)
    assert (english if language == "en" else korean) in str(error.value)
