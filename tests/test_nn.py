"""Neurons, layers, MLPs (nn.py): against finite differences and by hand.  Their files
are in test_saving.py, losses in test_losses.py, optimizers in test_optim.py."""

import math
import random

import pytest

from autograd_mini import Value, grad, topological_order
from autograd_mini.losses import mse, softmax_cross_entropy, sum_squared_error
from autograd_mini.nn import MLP, Layer, Neuron
from autograd_mini.testing import gradcheck


def _check_module_gradients(module, x, loss=lambda out: out):
    """gradcheck every parameter of `module` through `loss(module(x))`."""
    start = [p.data for p in module.parameters()]
    assert gradcheck(lambda *values: _rebuild(module, values, x, loss), start)


def _rebuild(module, values, x, loss):
    """loss(module(x)) with the parameters swapped for `values` (then put back)."""
    params = module.parameters()
    _put(module, values)
    try:
        return loss(module(x))
    finally:
        _put(module, params)


def _put(module, values):
    """Put ``values`` into the module's parameter slots, in the order of parameters()."""
    for (owner, name, index), v in zip(list(_slots(module)), values):
        if index is None:
            setattr(owner, name, v)
        else:
            getattr(owner, name)[index] = v


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
    assert len(leaves) == len(model.parameters()) + 2  # the parameters and x1, x2
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
