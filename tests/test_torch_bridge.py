"""An MLP to PyTorch and back: same outputs, same gradients, same weights."""

import random
import subprocess
import sys

import pytest

from autograd_mini.losses import sum_squared_error
from autograd_mini.nn import MLP, Layer

torch = pytest.importorskip("torch")
from autograd_mini.bridges import from_torch, to_torch  # noqa: E402

MODELS = {
    "sigmoid 3-4-2 (the paper's units)": lambda rng: MLP(3, [4, 2], activation="sigmoid",
                                                         output_activation="sigmoid",
                                                         init="paper", rng=rng),
    "tanh/relu/linear 2-5-3-1": lambda rng: MLP(2, [5, 3, 1],
                                                activation=["tanh", "relu", "linear"], rng=rng),
    "one linear layer 4-1": lambda rng: MLP(4, [1], rng=rng),
}


def _batch(rng: random.Random, n: int, width: int) -> list[list[float]]:
    return [[rng.uniform(-2.0, 2.0) for _ in range(width)] for _ in range(n)]


def _ours(model: MLP, batch: list[list[float]]) -> list[list]:
    outs = [model(x) for x in batch]
    return [out if isinstance(out, list) else [out] for out in outs]


def _torch_parameter_grads(module) -> list[float]:
    """The gradients of the torch module in the order of the MLP's parameters."""
    grads = []
    linears = [m for m in module if isinstance(m, torch.nn.Linear)]
    for linear in linears:
        for row, b in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
            grads += [*row, b]  # a neuron: its weights, then its bias
    return grads


def _neuron_order_grads(model: MLP) -> list[float]:
    return [p.grad for layer in model.layers for n in layer.neurons for p in [*n.w, n.b]]


@pytest.fixture(params=sorted(MODELS), ids=str)
def model(request):
    return MODELS[request.param](random.Random(7))


def test_to_torch_is_float64_linear_layers_and_the_same_activations():
    module = to_torch(MLP(2, [3, 1], activation="tanh", rng=random.Random(0)))
    assert [type(m).__name__ for m in module] == ["Linear", "Tanh", "Linear", "Identity"]
    assert all(p.dtype == torch.float64 for p in module.parameters())
    assert module[0].weight.shape == (3, 2) and module[2].bias.shape == (1,)


def test_weights_are_copied_row_per_neuron():
    model = MLP(2, [2, 1], rng=random.Random(1))
    module = to_torch(model)
    first = model.layers[0].neurons[1]
    assert module[0].weight[1].tolist() == [w.data for w in first.w]
    assert module[0].bias[1].item() == first.b.data


def test_outputs_match_to_1e_12(model):
    batch = _batch(random.Random(3), 50, len(model.layers[0].neurons[0].w))
    theirs = to_torch(model)(torch.tensor(batch, dtype=torch.float64)).tolist()
    ours = [[v.data for v in out] for out in _ours(model, batch)]
    worst = max(abs(a - b) for r, s in zip(ours, theirs) for a, b in zip(r, s))
    assert worst <= 1e-12


def test_parameter_gradients_of_the_same_loss_match(model):
    rng = random.Random(5)
    batch = _batch(rng, 20, len(model.layers[0].neurons[0].w))
    targets = [[rng.uniform(0.0, 1.0) for _ in model.layers[-1].neurons] for _ in batch]
    module = to_torch(model)

    model.zero_grad()
    sum_squared_error(_ours(model, batch), targets).backward()
    y = module(torch.tensor(batch, dtype=torch.float64))
    (0.5 * ((y - torch.tensor(targets, dtype=torch.float64)) ** 2).sum()).backward()

    ours, theirs = _neuron_order_grads(model), _torch_parameter_grads(module)
    assert len(ours) == len(theirs) == len(model.parameters())
    for a, b in zip(ours, theirs):
        assert a == pytest.approx(b, rel=1e-10, abs=1e-12)


def test_from_torch_of_to_torch_gives_back_the_same_state(model):
    back = from_torch(to_torch(model))
    assert back.state_dict() == model.state_dict()
    assert back.config() == model.config()


def test_from_torch_reads_a_module_built_in_torch():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(),
                                 torch.nn.Linear(4, 2), torch.nn.Sigmoid(),
                                 torch.nn.Linear(2, 1))  # float32, last layer linear
    model = from_torch(module)
    assert model.config() == {"nin": 3, "nouts": [4, 2, 1],
                              "activation": ["relu", "sigmoid", "linear"]}
    x = [0.3, -1.2, 0.7]
    expected = module.double()(torch.tensor([x], dtype=torch.float64)).item()
    assert model(x).data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_to_torch_of_from_torch_gives_back_the_same_weights():
    module = torch.nn.Sequential(torch.nn.Linear(2, 3, dtype=torch.float64), torch.nn.Tanh(),
                                 torch.nn.Linear(3, 1, dtype=torch.float64), torch.nn.Identity())
    again = to_torch(from_torch(module))
    for a, b in zip(module.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)


@pytest.mark.parametrize("bad, message", [
    (lambda: Layer(2, 3), "expects an autograd_mini MLP, got Layer"),
    (lambda: "mlp", "expects an autograd_mini MLP, got str"),
])
def test_to_torch_refuses_what_is_not_an_mlp(bad, message):
    with pytest.raises(TypeError, match=message):
        to_torch(bad())


def test_to_torch_refuses_a_layer_of_mixed_activations():
    model = MLP(2, [2, 1], rng=random.Random(0))
    model.layers[0].neurons[1].activation = "tanh"
    with pytest.raises(ValueError, match="one activation, but this layer's neurons use relu, tanh"):
        to_torch(model)


def test_from_torch_refuses_a_module_that_is_not_a_sequential():
    with pytest.raises(TypeError, match="expects a torch.nn.Sequential .* got Linear"):
        from_torch(torch.nn.Linear(2, 1))


@pytest.mark.parametrize("layers, message", [
    (lambda nn: [nn.Linear(2, 3), nn.Conv1d(1, 1, 1)],
     r"module 1 \(Conv1d\) cannot be converted: use Linear layers"),
    (lambda nn: [nn.Linear(2, 3), nn.GELU()], r"module 1 \(GELU\) cannot be converted"),
    (lambda nn: [nn.Linear(2, 3, bias=False)], r"module 0 \(Linear\) has no bias"),
    (lambda nn: [nn.Linear(2, 3), nn.Linear(4, 1)],
     r"module 1 \(Linear\) takes 4 inputs but the layer before gives 3"),
    (lambda nn: [nn.Tanh(), nn.Linear(2, 1)], r"module 0 \(Tanh\) must follow a Linear"),
    (lambda nn: [nn.Linear(2, 1), nn.Tanh(), nn.Sigmoid()],
     r"module 2 \(Sigmoid\) must follow a Linear"),
    (lambda nn: [], "at least one Linear layer"),
])
def test_from_torch_refuses_what_it_cannot_convert(layers, message):
    with pytest.raises(ValueError, match=message):
        from_torch(torch.nn.Sequential(*layers(torch.nn)))


def test_from_torch_refuses_a_weight_that_is_not_finite():
    module = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with torch.no_grad():
        module[0].weight[0, 1] = float("nan")
    with pytest.raises(ValueError, match=r"'layers.0.neurons.0.w.1' must be a finite number"):
        from_torch(module)


def test_the_engine_imports_without_torch_and_sympy():
    code = ("import sys; sys.modules['torch'] = None; sys.modules['sympy'] = None\n"
            "import autograd_mini, autograd_mini.bridges, autograd_mini.nn\n"
            "try:\n"
            "    autograd_mini.bridges.to_torch(autograd_mini.nn.MLP(1, [1]))\n"
            "except ImportError as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "this bridge needs torch: pip install -e '.[bridges]'" in out


def test_an_activation_without_a_torch_module_runs_the_tables_torch_form(monkeypatch):
    """sin has a PyTorch form in the op table but no torch.nn module: the bridge makes one."""
    import autograd_mini.nn as nn

    monkeypatch.setattr(nn, "ACTIVATIONS", (*nn.ACTIVATIONS, "sin"))
    model = MLP(2, [3, 1], activation="sin", rng=random.Random(2))
    module = to_torch(model)
    assert [type(m).__name__ for m in module] == ["Linear", "Sin", "Linear", "Identity"]
    batch = _batch(random.Random(4), 10, 2)
    theirs = module(torch.tensor(batch, dtype=torch.float64)).flatten().tolist()
    assert max(abs(model(x).data - y) for x, y in zip(batch, theirs)) <= 1e-12
    back = from_torch(module)
    assert back.config() == model.config() and back.state_dict() == model.state_dict()
