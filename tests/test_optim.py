"""Optimizers: SGD with the 1986 paper's momentum, weight decay and Adam, by hand."""

import random

import pytest

from autograd_mini import Value
from autograd_mini.nn import MLP
from autograd_mini.optim import SGD, Adam


def test_sgd_momentum_is_the_papers_rule_over_three_steps():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    grads = [2.0, -1.0, 0.5]
    expected_w, change = 1.0, 0.0
    for g in grads:
        w.grad = g
        opt.step()
        change = -0.1 * g + 0.9 * change  # Δw(t) = -ε ∂E/∂w(t) + α Δw(t-1)
        expected_w += change
        assert w.data == pytest.approx(expected_w, rel=1e-15)
    # by hand: Δw = -0.2, then 0.1 - 0.18 = -0.08, then -0.05 - 0.072 = -0.122
    assert w.data == pytest.approx(1.0 - 0.2 - 0.08 - 0.122)


def test_sgd_changing_lr_scales_only_new_gradients():
    w = Value(0.0)
    opt = SGD([w], lr=1.0, momentum=0.5)
    w.grad = 1.0
    opt.step()  # Δw = -1
    opt.lr = 0.1
    opt.step()  # Δw = -0.1 + 0.5 · -1 = -0.6  (PyTorch's form would give -0.15)
    assert w.data == pytest.approx(-1.6)


def test_weight_decay_and_adam():
    w = Value(1.0)
    opt = SGD([w], lr=0.0, weight_decay=0.002)
    opt.step()
    assert w.data == pytest.approx(0.998)
    x = Value(3.0)
    adam = Adam([x], lr=0.1)
    for _ in range(200):
        adam.zero_grad()
        (x * x).backward()
        adam.step()
    assert abs(x.data) < 0.05
    x.grad = 1.0  # first step of a fresh Adam moves by lr, whatever the gradient's size
    fresh = Adam([x], lr=0.1)
    before = x.data
    fresh.step()
    assert before - x.data == pytest.approx(0.1, rel=1e-6)
    with pytest.raises(ValueError, match="momentum"):
        SGD([w], lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)


def test_sgd_after_a_create_graph_pass_keeps_numbers():
    model = MLP(2, [2, 1], rng=random.Random(0))
    model([0.5, -0.5]).backward(create_graph=True)
    SGD(model.parameters(), lr=0.1).step()
    assert all(type(p.data) is float for p in model.parameters())
