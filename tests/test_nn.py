"""Neurons, layers, MLPs, losses, optimizers, saving: against finite differences and by hand."""

import json
import math
import os
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import Value, grad, topological_order
from autograd_mini.losses import (
    binary_cross_entropy,
    hinge,
    mse,
    softmax_cross_entropy,
    sum_squared_error,
)
from autograd_mini.nn import MLP, Layer, Neuron
from autograd_mini.optim import SGD, Adam
from autograd_mini.saving import ModelFileError, load, save
from autograd_mini.testing import gradcheck


def _check_module_gradients(module, x, loss=lambda out: out):
    """gradcheck every parameter of `module` through `loss(module(x))`."""
    start = [p.data for p in module.parameters()]
    assert gradcheck(lambda *values: _rebuild(module, values, x, loss), start)


def _rebuild(module, values, x, loss):
    """loss(module(x)) with the parameters swapped for `values` (then put back)."""
    params = module.parameters()
    originals = [(owner, name, index) for owner, name, index in _slots(module)]
    for (owner, name, index), v in zip(originals, values):
        if index is None:
            setattr(owner, name, v)
        else:
            getattr(owner, name)[index] = v
    try:
        return loss(module(x))
    finally:
        for (owner, name, index), p in zip(originals, params):
            if index is None:
                setattr(owner, name, p)
            else:
                getattr(owner, name)[index] = p


def _slots(module):
    neurons = [m for _, m in module.named_modules() if isinstance(m, Neuron)]
    for n in neurons:
        for i in range(len(n.w)):
            yield n, "w", i
        yield n, "b", None


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "linear"])
def test_neuron_gradients(activation):
    neuron = Neuron(3, activation, init="xavier", rng=random.Random(1))
    _check_module_gradients(neuron, [0.5, -1.0, 2.0])


def test_layer_and_mlp_gradients_with_losses():
    layer = Layer(2, 3, "tanh", rng=random.Random(2))
    _check_module_gradients(layer, [0.3, -0.7], lambda out: sum_squared_error(out, [1, 0, 1]))
    mlp = MLP(2, [4, 3, 1], activation=["tanh", "sigmoid", "linear"], rng=random.Random(3))
    _check_module_gradients(mlp, [0.3, -0.7], lambda out: mse(out, 0.5))
    multi = MLP(3, [4, 3], rng=random.Random(4))
    _check_module_gradients(multi, [1.0, 0.5, -0.5], lambda out: softmax_cross_entropy(out, 2))


def test_neuron_is_one_affine_node_and_paper_unit():
    n = Neuron(3, "sigmoid", init="paper", rng=random.Random(0))
    y = n([1.0, 0.0, 2.0])
    total = y.parents[0]
    assert y.op == "sigmoid" and total.op == "affine"
    assert total.parents[:3] == tuple(n.w) and total.parents[-1] is n.b  # w_i, x_i, b
    x_j = sum(w.data * x for w, x in zip(n.w, [1.0, 0.0, 2.0])) + n.b.data
    assert y.data == pytest.approx(1 / (1 + math.exp(-x_j)))
    assert all(-0.3 <= p.data <= 0.3 for p in n.parameters())
    assert n.b.data != 0.0  # the paper initialises thresholds too


def test_initialisations_are_seeded_and_documented():
    a = MLP(4, [8, 1], init="xavier", rng=random.Random(7)).state_dict()
    b = MLP(4, [8, 1], init="xavier", rng=random.Random(7)).state_dict()
    assert a == b
    limit = math.sqrt(6 / 5)
    assert all(abs(v) <= limit for k, v in a.items() if k.startswith("layers.0") and ".w." in k)
    lecun = Neuron(100, init="lecun", rng=random.Random(0))
    spread = math.sqrt(sum(w.data ** 2 for w in lecun.w) / 100)
    assert 0.07 < spread < 0.13  # N(0, 1/nin): standard deviation 0.1
    with pytest.raises(ValueError, match="unknown init"):
        Neuron(2, init="zeros")
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron(2, "softmax")
    with pytest.raises(ValueError, match="positive whole number"):
        Neuron(0)


def test_module_api():
    model = MLP(2, [3, 1], rng=random.Random(0))
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1",
                         "layers.0.neurons.0.b"]
    assert len(model.parameters()) == 3 * 3 + 4
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    assert str(model) == "MLP of [Layer of [ReluNeuron(2), ReluNeuron(2), ReluNeuron(2)], " \
                         "Layer of [LinearNeuron(3)]]"


def test_width_one_hidden_layer():
    model = MLP(2, [1, 1], rng=random.Random(0))
    assert isinstance(model([0.5, 0.5]), Value)


def test_losses_by_hand():
    y = [Value(0.9), Value(0.3)]
    E = sum_squared_error(y, [1.0, 0.0])
    assert E.data == pytest.approx(0.5 * (0.01 + 0.09))
    E.backward()
    assert [v.grad for v in y] == pytest.approx([-0.1, 0.3])  # ∂E/∂y = y - d
    assert sum_squared_error([Value(0.85), Value(0.1)], [1.0, 0.0], tolerance=0.2).data == 0.0
    # outside the band, the error is measured from its edge (0.8 for an on unit): continuous
    y = Value(0.5)
    E = sum_squared_error([y, Value(0.3)], [1.0, 0.0], tolerance=0.2)
    assert E.data == pytest.approx(0.5 * (0.3**2 + 0.1**2))
    E.backward()
    assert y.grad == pytest.approx(0.5 - 0.8)
    assert mse([Value(1.0), Value(3.0)], [0.0, 0.0]).data == 5.0
    assert hinge([Value(2.0), Value(0.5)], [1.0, -1.0]).data == pytest.approx(0.75)
    with pytest.raises(ValueError, match="labels -1 or \\+1"):
        hinge([Value(1.0)], [0.0])
    with pytest.raises(ValueError, match="2 predictions but 1 targets"):
        mse([1.0, 2.0], [1.0])


@given(st.floats(-800, 800), st.floats(0, 1))
def test_binary_cross_entropy_is_stable_and_right(z, t):
    logit = Value(z)
    loss = binary_cross_entropy([logit], [t])
    loss.backward()
    assert math.isfinite(loss.data)
    sigmoid = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
    assert logit.grad == pytest.approx(sigmoid - t, abs=1e-9)


def test_softmax_cross_entropy_stable_and_gradient():
    zs = [Value(1000.0), Value(999.0), Value(0.0)]
    loss = softmax_cross_entropy(zs, 1)
    loss.backward()
    e = [1.0, math.exp(-1.0), 0.0]
    p = [v / sum(e) for v in e]
    assert loss.data == pytest.approx(-math.log(p[1]))
    assert [z.grad for z in zs] == pytest.approx([p[0], p[1] - 1, p[2]], abs=1e-12)
    with pytest.raises(ValueError, match="class index"):
        softmax_cross_entropy(zs, 3)


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


def test_save_load_round_trip(tmp_path):
    model = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid", rng=random.Random(5))
    path = save(model, tmp_path / "m.json")
    loaded = load(path)
    assert loaded.state_dict() == model.state_dict() and loaded.config() == model.config()
    assert [v.data for v in loaded([1, 2, 3])] == [v.data for v in model([1, 2, 3])]
    other = MLP(3, [4, 2], activation="tanh", output_activation="sigmoid",
                rng=random.Random(9))
    assert load(path, into=other) is other and other.state_dict() == model.state_dict()


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    model = MLP(2, [2, 1], rng=random.Random(0))
    path = save(model, tmp_path / "m.json")
    before = path.read_text()

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dumps", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        save(MLP(2, [2, 1], rng=random.Random(1)), path)
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["m.json"]  # no temporary file left behind


@pytest.mark.parametrize("content, message", [
    ("{not json", "not a model file"),
    ('{"format": "other"}', "not an autograd_mini model file"),
    ('{"format": "autograd_mini.model", "version": 9}', "version 9"),
    ('{"format": "autograd_mini.model", "version": 1, "type": "Robot", "config": {}, '
     '"parameters": {}}', "unknown model type"),
])
def test_corrupt_files_raise_clear_errors(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ModelFileError, match=message):
        load(path)


def test_mismatched_or_tampered_file_leaves_model_untouched(tmp_path):
    path = save(MLP(2, [3, 1], rng=random.Random(0)), tmp_path / "m.json")
    other = MLP(2, [4, 1], rng=random.Random(1))
    before = other.state_dict()
    with pytest.raises(ModelFileError, match="does not fit"):
        load(path, into=other)
    assert other.state_dict() == before
    doc = json.loads(path.read_text())
    doc["parameters"]["layers.0.neurons.0.w.0"] = "NaN"
    path.write_text(json.dumps(doc))
    same_shape = MLP(2, [3, 1], rng=random.Random(2))
    before = same_shape.state_dict()
    with pytest.raises(ModelFileError, match="finite number"):
        load(path, into=same_shape)
    assert same_shape.state_dict() == before


def test_grad_of_mlp_output_matches_backward():
    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(0))
    out = model([0.5, -0.5])
    params = model.parameters()
    expected = grad(out, params)
    out.backward()
    assert [p.grad for p in params] == expected


def test_no_node_is_shared_between_networks_or_passes():
    # The bias is an input of the neuron's own affine node: no always-on leaf is shared,
    # so a create_graph pass leaves nothing behind for the next float pass.
    model = MLP(2, [3, 1], activation="tanh", rng=random.Random(0))
    x = [Value(0.5), Value(-0.5)]
    model(x).backward(create_graph=True)  # gradients as Values, through every neuron
    model.zero_grad()
    out = model([0.5, -0.5])
    out.backward()
    assert all(isinstance(p.grad, float) for p in model.parameters())
    leaves = [n for n in topological_order(out) if not n.parents]
    assert len(leaves) == len(model.parameters()) + 2  # the parameters and x0, x1
    assert not any(n.is_constant for n in leaves)


def test_a_forward_pass_pauses_the_collector_and_leaves_it_as_it_was():
    import gc

    model = MLP(2, [3, 1], rng=random.Random(0))
    seen = []
    model.layers[0].neurons[0].fire = lambda xs, fire=model.layers[0].neurons[0].fire: (
        seen.append(gc.isenabled()) or fire(xs))
    was = gc.isenabled()
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            model([0.5, -1.0])
            assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False]  # no collection walks the nodes as they are made
