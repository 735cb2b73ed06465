"""The layer view (explain/layers.py): the matrices' backward pass equals the scalar
sweep's gradients and PyTorch's matrix autograd."""

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini.core.language import speaking
from autograd_mini.explain.layers import hadamard, layer_view, matvec, outer, superscript, transpose
from autograd_mini.explain.units import paper_view
from autograd_mini.nn import MLP

ACTIVATIONS = ["sigmoid", "tanh", "relu"]


def test_the_list_algebra_by_hand():
    a = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert transpose(a) == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert matvec(a, [1.0, 0.0, -1.0]) == [-2.0, -2.0]
    assert outer([1.0, 2.0], [3.0, 4.0]) == [[3.0, 4.0], [6.0, 8.0]]
    assert hadamard([1.0, 2.0], [3.0, 4.0]) == [3.0, 8.0]
    assert superscript(12) == "¹²"


@st.composite
def networks(draw):
    sizes = [draw(st.integers(1, 16)) for _ in range(draw(st.integers(2, 3)))]
    activation = draw(st.sampled_from(ACTIVATIONS))
    batch = draw(st.integers(1, 8))
    seed = draw(st.integers(0, 2**16))
    rng = random.Random(seed)
    net = MLP(sizes[0], sizes[1:], activation=activation, output_activation=activation, rng=rng)
    inputs = [[rng.uniform(-2, 2) for _ in range(sizes[0])] for _ in range(batch)]
    targets = [[rng.uniform(-1, 1) for _ in range(sizes[-1])] for _ in range(batch)]
    return net, inputs, targets


@settings(max_examples=30, deadline=None)
@given(networks())
def test_the_matrices_equal_the_scalar_sweep(case):
    net, inputs, targets = case
    view = layer_view(net, inputs, targets)
    assert view.largest_gap() <= 1e-12
    for step, layer in zip(view.layers, net.layers):
        assert step.shape == (len(layer.neurons), len(layer.neurons[0].w))


@settings(max_examples=30, deadline=None)
@given(networks())
def test_the_matrices_equal_pytorchs_matrix_autograd(case):
    torch = pytest.importorskip("torch")
    net, inputs, targets = case
    view = layer_view(net, inputs, targets)
    weights = [torch.tensor(step.W, dtype=torch.float64, requires_grad=True)
               for step in view.layers]
    biases = [torch.tensor(step.b, dtype=torch.float64, requires_grad=True)
              for step in view.layers]
    y = torch.tensor(inputs, dtype=torch.float64)  # the batch as rows: Y W^T + b
    squash = getattr(torch, view.layers[0].activation)
    for W, b in zip(weights, biases):
        y = squash(y @ W.T + b)
    error = 0.5 * ((y - torch.tensor(targets, dtype=torch.float64)) ** 2).sum()
    error.backward()
    for step, W, b in zip(view.layers, weights, biases):
        assert torch.allclose(torch.tensor(step.dE_dW, dtype=torch.float64), W.grad,
                              rtol=0, atol=1e-12)
        assert torch.allclose(torch.tensor(step.dE_db, dtype=torch.float64), b.grad,
                              rtol=0, atol=1e-12)


def test_the_jacobian_and_its_vector_product_by_hand():
    net = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
              rng=random.Random(3))
    view = layer_view(net, [[0.5, -1.0]], [[1.0]])
    top, hidden = view.layers[1], view.layers[0]
    y = top.outputs[0][0]
    assert top.jacobian(0) == [[y * (1 - y) * w for w in top.W[0]]]
    # the VJP Wᵀδ is what the scalar sweep added into each hidden unit's node
    assert top.vjp(0) == pytest.approx(hidden.sweep_dE_dy[0], abs=1e-15)
    units = paper_view(net, [[0.5, -1.0]], [[1.0]])
    assert [units.unit(f"hidden unit {k}").rows[0].dE_dx for k in (1, 2)] == pytest.approx(
        hidden.delta[0], abs=1e-15)


def test_the_step_walk_reads_like_the_equations():
    net = MLP(2, [3, 1], activation="sigmoid", output_activation="sigmoid",
              rng=random.Random(1))
    view = layer_view(net, [[1.0, 0.0], [0.0, 1.0]], [[1.0], [0.0]])
    lines = view.steps()
    assert lines[0].startswith("δ² = (y² − d) ⊙ (y² * (1 - y²)) = [")
    assert any(line.startswith("δ¹ = (W²ᵀ δ²) ⊙ (y¹ * (1 - y¹)) = [") for line in lines)
    assert any("∂E/∂W¹ = Σ_c δ¹_c x_cᵀ  (3×2, 2 cases)" in line for line in lines)


def test_a_network_that_is_not_a_stack_is_refused():
    from autograd_mini.nn import Neuron

    with pytest.raises(TypeError, match="stack of layers"):
        layer_view(Neuron(2), [[1.0, 2.0]], [[1.0]])


def test_in_korean_the_step_walk_says_the_same_numbers():
    net = MLP(2, [3, 2, 1], activation="tanh", output_activation="sigmoid",
              rng=random.Random(2))
    cases = [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], [[1.0], [0.0], [1.0]]
    english = layer_view(net, *cases).steps()
    with speaking("ko"):
        korean = layer_view(net, *cases).steps()
    assert len(korean) == len(english) == 3 * 2 + 2 + 1  # δ, Wᵀδ, ∂E/∂W; the gap
    number = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")
    for said, meant in zip(korean, english):
        assert sorted(number.findall(said)) == sorted(number.findall(meant)), said
        assert not re.search(r"[A-Za-z]{4,}", said), said  # no English word is left
    assert korean[0] == english[0]  # δ³ = (y³ − d) ⊙ …: a formula, the same in both
    assert "∂E/∂W³ = Σ_c δ³_c y²_cᵀ  (1×2, 사례 3개) = [[" in korean[1]
    assert korean[3].startswith("    벡터–야코비안 곱 W³ᵀ δ³: i번째 성분 Σ_j w_ji δ_j는 ")
    assert korean[-1].startswith("스칼라 역전파와의 최대 차이: ")


def test_in_korean_a_network_that_is_not_a_stack_is_refused_in_korean():
    from autograd_mini.nn import Neuron

    with speaking("ko"), pytest.raises(TypeError, match="층으로 이루어진 신경망"):
        layer_view(Neuron(2), [[1.0, 2.0]], [[1.0]])
