"""micrograd code runs unchanged on autograd_mini.micrograd (its README and tests)."""

import math
import random

import pytest
from conftest import lecture_tanh

from autograd_mini.micrograd.engine import Value
from autograd_mini.micrograd.nn import MLP, Layer, Neuron


def test_micrograd_sanity_check():
    # micrograd's test_engine.py; the expected numbers are PyTorch's.
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_more_ops():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    tol = 1e-6
    assert abs(g.data - 24.70408163265306) < tol
    assert abs(a.grad - 138.83381924198252) < tol
    assert abs(b.grad - 645.5772594752186) < tol


def test_lecture_style_hand_written_op():
    tanh = lecture_tanh()  # the lecture's code: a _backward closure on micrograd's Value
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(6.8813735870195432)
    n = x1 * w1 + b
    o = tanh(n)
    assert o._op == "tanh" and o._prev == {n}
    o.backward()
    assert o.data == pytest.approx(0.7071067811865476)
    assert x1.grad == pytest.approx(-1.5) and w1.grad == pytest.approx(1.0)


def test_lecture_manual_backward_steps():
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + Value(10.0)
    d.grad = 1.0
    d._backward()
    c._backward()
    assert (a.grad, b.grad) == (-3.0, 2.0)
    assert c._op == "*" and d._op == "+"


def test_readme_mlp_matches_micrograd_weights_for_the_same_seed():
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    out = model([1.0, 2.0])
    assert isinstance(out, Value)
    assert len(model.parameters()) == 337
    # micrograd 0.1.0 prints Value(data=-1.530358061910418) for the same seed and input.
    assert out.data == pytest.approx(-1.530358061910418, rel=1e-12)
    assert str(model).startswith("MLP of [Layer of [ReLUNeuron(2)")
    assert str(Neuron(3, nonlin=False)) == "LinearNeuron(3)"


def test_training_step_like_the_demo():
    random.seed(0)
    model = MLP(2, [4, 1])
    xs, ys = [[1.0, 0.5], [-1.0, 0.2]], [1.0, -1.0]
    losses = []
    for _ in range(20):
        scores = [model(x) for x in xs]
        loss = sum((1 + -y * s).relu() for y, s in zip(ys, scores))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < losses[0]


def test_width_one_hidden_layer_works():
    # micrograd 0.1.0 crashes here: a width-1 layer returns a bare Value.
    random.seed(3)
    model = MLP(3, [1, 4, 1])
    out = model([1.0, 2.0, 3.0])
    out.backward()
    assert all(isinstance(p.grad, float) for p in model.parameters())
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)


def test_deep_graph_does_not_hit_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(20_000):  # micrograd's recursive sort fails near 1,000
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_against_real_micrograd_when_installed():
    micrograd = pytest.importorskip("micrograd.engine")
    for V in (Value, micrograd.Value):
        x = V(-4.0)
        z = 2 * x + 2 + x
        y = (z * z).relu() + z * x
        y.backward()
        if V is Value:
            ours = (y.data, x.grad)
    assert ours == (y.data, x.grad)


def test_lecture_draw_dot_shows_hand_written_ops():
    from autograd_mini import draw_dot

    x = Value(0.5, label="x")
    t = math.tanh(x.data)
    out = Value(t, (x,), "tanh")
    out.label = "out"
    out._backward = lambda: None
    source = draw_dot(out).source
    assert "label=tanh" in source and source.count("->") == 2  # x -> tanh -> out


def test_micrograd_trace_graph_walk_over_a_compat_neuron():
    # micrograd's trace_graph.ipynb, cells 1-4, with the compatibility module.
    from autograd_mini.micrograd import nn
    from autograd_mini.micrograd.engine import Value as MValue

    def walk(root):
        nodes, edges = set(), set()

        def build(v):
            if v not in nodes:
                nodes.add(v)
                for child in v._prev:
                    edges.add((child, v))
                    build(child)
        build(root)
        return nodes, edges

    random.seed(1337)
    n = nn.Neuron(2)
    x = [MValue(1.0), MValue(-2.0)]
    y = n(x)
    y.backward()
    nodes, edges = walk(y)
    labels = ["{ data %.4f | grad %.4f }" % (v.data, v.grad) for v in nodes]  # noqa: UP031
    ops = {v._op for v in nodes if v._op}
    assert len(nodes) == 2 + 2 + 1 + 1 + 1  # w, x, b, Σ w·x + b, relu
    assert len(edges) == 5 + 1 and ops == {"Σ w·x + b", "ReLU"} and len(labels) == 7
    for w, xi in zip(n.w, x):
        assert w.grad == (xi.data if y.data > 0 else 0.0)
