"""What users reach for first: the names they guess, the mistakes they make."""

import random

import pytest

from autograd_mini.nn import MLP
from autograd_mini.optim import SGD, Adam


def test_save_and_load_at_the_top(tmp_path):
    from autograd_mini import load, save

    model = MLP(2, [3, 1], rng=random.Random(0))
    save(model, tmp_path / "m.json")
    assert load(tmp_path / "m.json").state_dict() == model.state_dict()


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_an_optimizer_takes_a_model_for_its_parameters(optimizer):
    model = MLP(2, [3, 1], rng=random.Random(0))
    opt = optimizer(model, lr=0.1)
    assert opt.params == model.parameters()
    for p in model.parameters():
        p.grad = 1.0
    before = [p.data for p in model.parameters()]
    opt.step()
    assert all(p.data < b for p, b in zip(model.parameters(), before))


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_an_optimizer_given_something_else_says_pass_model_parameters(optimizer):
    with pytest.raises(TypeError, match=r"such as model.parameters\(\), got float"):
        optimizer(0.5, lr=0.1)
