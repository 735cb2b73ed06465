"""One honest graph: constness belongs to the node, grad() is pure, backward() is atomic,
generated names come from identity, and the op table owns each op's shape and words."""

import _thread
import math
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import PRIMITIVES, Value, apply, display_names, grad, gradients, trace
from autograd_mini.compile import compile_graph
from autograd_mini.engine import HandWrittenNodeError
from autograd_mini.losses import mse
from autograd_mini.nn import MLP
from autograd_mini.ops import Primitive, register

PACKAGE = Path(__file__).resolve().parents[1] / "autograd_mini"


# -- 1. a label does not decide whether a leaf is a constant ----------------------------


def test_an_unlabelled_input_is_an_input_not_a_constant():
    x = Value(2.0, label="x")
    w = Value(3.0)
    record = trace(x * w)
    text = str(record)
    assert "out = x * x1 = 6" in text
    parents = [c.parent_name for step in record.backward for c in step.contributions]
    assert parents == ["x", "x1"]  # a backward row for w too
    assert w.grad == 2.0 and record.grads[w] == 2.0


def test_a_number_lifted_by_an_operator_is_a_constant():
    x = Value(2.0)
    y = x * 3
    three = y.parents[1]
    assert three.is_constant and not x.is_constant
    assert gradients(y).get(three) is None  # a constant receives no gradient
    assert display_names(y)[three] == "3"


def test_display_names_are_unique_and_keep_clear_of_labels():
    a, b, c = Value(1.0, "x"), Value(2.0, "x"), Value(3.0)
    d = Value(4.0, "x1")  # a label that looks like a generated name
    names = display_names(a * b + c * d)
    assert len(set(names.values())) == len(names)
    assert names[a] == "x" and names[b] == "x#2" and names[d] == "x1" and names[c] == "x2"


# -- 2. grad() is pure; backward() is atomic -------------------------------------------


def _model_loss(seed=0):
    rng = random.Random(seed)
    model = MLP(3, [8, 8, 1], activation="tanh", rng=rng)
    points = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(10)]
    loss = mse([model(p) for p in points], [rng.uniform(-1, 1) for _ in points])
    return model.parameters(), loss


def test_two_threads_calling_grad_on_one_graph_agree_and_write_nothing():
    params, loss = _model_loss()
    expected = grad(loss, params)
    failures = []

    def work():
        for _ in range(30):
            if grad(loss, params) != expected:
                failures.append(1)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert all(p.grad == 0.0 for p in params)


@pytest.fixture
def interrupt_me():
    """A primitive whose derivative raises KeyboardInterrupt on its ``after``-th call
    from now: ``interrupt_me(after=5)``."""
    state = {"calls": 0, "after": None}

    def derivative(out, a):
        state["calls"] += 1
        if state["calls"] == state["after"]:
            raise KeyboardInterrupt
        return (1.0,)

    def arm(after):
        state.update(calls=0, after=after)

    register(Primitive("interrupt_me", "!", lambda a: a, derivative))
    yield arm
    del PRIMITIVES["interrupt_me"]


def test_an_interrupt_during_grad_leaves_every_grad_as_it_was(interrupt_me):
    interrupt_me(after=5)
    x = Value(1.0)
    y = x
    for _ in range(10):
        y = apply("interrupt_me", y * 1.5)
    before = {id(n): n.grad for n in _nodes(y)}
    with pytest.raises(KeyboardInterrupt):
        grad(y, [x])
    assert {id(n): n.grad for n in _nodes(y)} == before


def test_an_interrupted_second_backward_is_not_half_added(interrupt_me):
    x = Value(1.0)
    y = x
    for _ in range(10):
        y = apply("interrupt_me", y * 1.5)
    y.backward()
    after_first = [n.grad for n in _nodes(y)]
    interrupt_me(after=5)
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert [n.grad for n in _nodes(y)] == after_first


def test_a_real_interrupt_leaves_backward_all_or_nothing():
    # SIGINT at a moment during the sweep or the write: every node holds the old
    # gradient, or every node the new one.
    x = Value(0.5)
    y = x
    for _ in range(20_000):
        y = (y * 1.0001).tanh()
    nodes = [n for n in _nodes(y) if not n.is_constant]
    y.backward()
    first = [n.grad for n in nodes]
    for delay in [0.0, 0.005, 0.01, 0.02, 0.04, 0.08]:
        before = [n.grad for n in nodes]
        timer = threading.Timer(delay, _thread.interrupt_main)
        try:
            timer.start()
            y.backward()
            while timer.is_alive():  # the interrupt lands here if backward finished first
                time.sleep(0.001)
            time.sleep(0.01)
        except KeyboardInterrupt:
            pass
        timer.join()
        now = [n.grad for n in nodes]
        assert now == before or now == [b + f for b, f in zip(before, first)]


def _nodes(y):
    from autograd_mini import topological_order

    return topological_order(y)


def test_one_sweep_serves_several_outputs_with_their_seeds():
    x, y = Value(3.0), Value(-2.0)
    outs = [x * y, x * x, y.exp()]
    g = gradients(outs, [1.0, 10.0, 0.5])
    assert g[x] == -2.0 + 10.0 * 6.0
    assert g[y] == pytest.approx(3.0 + 0.5 * math.exp(-2.0), rel=1e-15)
    assert x.grad == 0.0 and y.grad == 0.0


# -- 3. hand-written nodes: a clear error, never a silent zero -----------------------------


def _hand_written():
    from autograd_mini.micrograd.engine import Value as MValue

    x = MValue(0.5, label="x")
    n = x * 2
    t = math.tanh(n.data)
    o = MValue(t, (n,), "tanh")

    def _backward():
        n.grad += (1 - t**2) * o.grad

    o._backward = _backward
    return x, o


def test_grad_of_a_hand_written_node_is_a_clear_error():
    x, o = _hand_written()
    with pytest.raises(HandWrittenNodeError, match=r"'tanh'.*made by hand.*backward\(\)"):
        grad(o, [x])
    with pytest.raises(HandWrittenNodeError):
        trace(o)
    assert x.grad == 0.0
    o.backward()  # micrograd's own backward runs the hand-written step
    assert x.grad == pytest.approx(2 * (1 - math.tanh(1.0) ** 2))


# -- 4. generated code names nodes by identity -------------------------------------------


def test_compiled_code_does_not_confuse_a_label_with_its_nfkc_twin():
    a = Value(1.0, "x")
    b = Value(10.0, "ｘ")  # fullwidth x: the same identifier to Python
    assert compile_graph(a * 2.0 + b * 3.0, [a, b])([1.0, 10.0]) == (32.0, [2.0, 3.0])


@pytest.mark.parametrize("label", ["𝐝", "ｍｕｌ", "𝑔_x", "__debug__", "x²", "d", "seed",
                                   "g_x0", "x0", "v1", "op_mul", "# \n import os",
                                   "\u2028", "\\", "'''", "\x00"])
def test_any_label_compiles(label):
    a, b = Value(1.5, label), Value(-2.0, label)
    out = (a * b + a).tanh()
    replay = compile_graph(out, [a, b])
    assert replay([1.5, -2.0]) == (out.data, grad(out, [a, b]))


@given(st.lists(st.text(max_size=4), min_size=3, max_size=3),
       st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_compiled_replay_equals_the_engine_whatever_the_labels(labels, numbers):
    xs = [Value(v, label) for v, label in zip(numbers, labels)]
    out = (xs[0] * xs[1] + xs[2] * 3.0 - xs[0]).sigmoid()
    value, grads = compile_graph(out, xs)(numbers)
    assert value == out.data and grads == grad(out, xs)


# -- 5. the op table owns each op's layout: nobody else tests an op's name -----------------


def test_no_module_outside_the_op_table_tests_an_op_name():
    pattern = re.compile(r"""\.op\s*(==|!=|in\b)|\bop\s*==\s*["']""")
    offenders = [f"{path.relative_to(PACKAGE)}:{i}"
                 for path in PACKAGE.rglob("*.py") if path.name != "ops.py"
                 for i, line in enumerate(path.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


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


# -- 7. the engine does not need graphviz -------------------------------------------------


def test_the_engine_imports_and_works_without_graphviz():
    code = """
import sys
sys.modules["graphviz"] = None  # as if it were not installed
import autograd_mini
from autograd_mini import Value, grad, trace
from autograd_mini.ops import PRIMITIVES
from autograd_mini.compile import compile_graph
x = Value(2.0, label="x")
y = (x * x).tanh()
assert grad(y, [x])[0] > 0
print(trace(y).forward_table().splitlines()[-1])
try:
    from autograd_mini import draw_dot
except ImportError as error:
    print("ImportError:", error)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert "out = tanh(n1)" in result.stdout
    assert "ImportError: drawing graphs needs the graphviz Python package" in result.stdout
