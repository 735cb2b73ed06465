"""A graph used after its numbers changed is refused, never silently differentiated.

Every write of ``.data`` advances a version; a sweep refuses a node one of whose inputs
is newer than the node (PyTorch's version counters catch the same training-loop slip)."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_mini as am
from autograd_mini import StaleGraphError, Value, grad, gradients, jvp, trace
from autograd_mini.bridges import to_sympy
from autograd_mini.bridges.compile import compile_graph
from autograd_mini.core.transforms import forward_sweep
from autograd_mini.micrograd import Value as MicrogradValue
from autograd_mini.nn import MLP
from autograd_mini.optim import SGD


def test_a_leaf_changed_after_the_forward_pass_is_named_with_the_remedy():
    x = Value(2.0, label="x")
    y = x * x
    x.data = 3.0
    with pytest.raises(StaleGraphError, match=r"'x' had its \.data changed to 3\.0") as caught:
        grad(y, [x])
    assert "forward pass again" in str(caught.value) and "optimizer step" in str(caught.value)
    assert y.data == 4.0  # the old point, which is why no gradient through it can be right


def test_reusing_the_loss_after_the_optimizer_step_raises():
    model = MLP(2, [4, 1], rng=random.Random(0))
    loss = (model([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    SGD(model.parameters(), lr=0.5).step()
    with pytest.raises(StaleGraphError):
        grad(loss, model.parameters())
    with pytest.raises(StaleGraphError):
        loss.backward()


def test_the_normal_training_loop_builds_a_new_graph_and_works():
    model = MLP(2, [4, 1], rng=random.Random(0))
    optimizer = SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(20):
        loss = (model([0.5, -1.0]) - 1.0) ** 2
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    assert losses[-1] < losses[0] / 10


def stale_pair():
    x = Value(2.0, label="x")
    y = (x * 3.0).tanh() + x
    x.data = 0.5
    return x, y


@pytest.mark.parametrize("sweep", [
    lambda x, y: y.backward(),
    lambda x, y: grad(y, [x]),
    lambda x, y: grad(y, [x], create_graph=True),
    lambda x, y: gradients([y]),
    lambda x, y: trace(y),
    lambda x, y: jvp(lambda t: t * y, [1.0], [1.0]),
    lambda x, y: forward_sweep([y], {x: 1.0}),
    lambda x, y: compile_graph(y, [x]),
    lambda x, y: to_sympy(y),
], ids=["backward", "grad", "grad-create-graph", "gradients", "trace", "jvp",
        "forward_sweep", "compile_graph", "to_sympy"])
def test_every_sweep_refuses_a_stale_graph(sweep):
    x, y = stale_pair()
    before = x.grad
    with pytest.raises(StaleGraphError):
        sweep(x, y)
    assert x.grad == before  # nothing was written


def test_explore_refuses_a_stale_graph():
    pytest.importorskip("anywidget")
    x, y = stale_pair()
    with pytest.raises(StaleGraphError):
        am.explore(y)


def test_a_node_written_by_hand_no_longer_follows_from_its_inputs():
    x = Value(2.0)
    y = x * x
    y.data = 5.0
    with pytest.raises(StaleGraphError, match="no longer follows from them"):
        grad(y, [x])
    z = y * 2.0  # built on it later: still refused
    with pytest.raises(StaleGraphError):
        grad(z, [x])


def test_a_write_between_two_parts_of_one_graph_is_caught():
    # x feeds y, is written, then feeds z with y: the output is newer than x, but y is not.
    x = Value(2.0)
    y = x * x
    x.data = 3.0
    z = y + x
    with pytest.raises(StaleGraphError):
        grad(z, [x])


def test_the_micrograd_compat_layer_refuses_too_and_its_loop_runs():
    a = MicrogradValue(2.0)
    b = a * a + a
    a.data = 1.0
    with pytest.raises(StaleGraphError):
        b.backward()
    b = a * a + a  # run the forward pass again
    b.backward()
    assert a.grad == 3.0


def test_copies_keep_staleness():
    import copy
    import pickle

    x, y = stale_pair()
    for copied in (copy.deepcopy(y), pickle.loads(pickle.dumps(y))):
        with pytest.raises(StaleGraphError):
            copied.backward()


# -- the property: every sweep raises, or equals the sweep of a freshly built graph --------

UNARY = ["tanh", "sigmoid", "sin", "exp"]
BINARY = ["+", "*", "-"]


def build(values, program):
    """The graph a program describes: each step combines two earlier nodes (or one)."""
    nodes = [Value(v, label=f"x{k + 1}") for k, v in enumerate(values)]
    leaves = list(nodes)
    for op, i, j in program:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        if op in UNARY:
            nodes.append(getattr(a * 0.5, op)())
        else:
            nodes.append({"+": a + b, "*": a * b, "-": a - b}[op])
    return leaves, nodes


programs = st.lists(st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 50),
                              st.integers(0, 50)), min_size=1, max_size=12)


@given(values=st.lists(st.floats(-2, 2), min_size=1, max_size=4), program=programs,
       first=programs, changes=st.lists(st.tuples(st.integers(0, 60), st.floats(-2, 2)),
                                        max_size=3))
def test_a_sweep_after_random_writes_raises_or_equals_a_fresh_graph(values, program, first,
                                                                    changes):
    leaves, nodes = build(values, first)
    for k, number in changes:  # write some nodes (leaves or not) after the graph was built
        nodes[k % len(nodes)].data = number
    more = [nodes[-1]]
    for op, _, j in program:  # and build more on top of what is there now
        a, b = more[-1], nodes[j % len(nodes)]
        more.append(a * b if op == "*" else a + b if op in BINARY else getattr(a * 0.5, op)())
    output = more[-1]
    try:
        got = grad(output, leaves)
    except StaleGraphError:
        return
    # No error: the graph must be what a fresh forward pass from today's numbers builds.
    fresh_leaves, fresh_nodes = build([x.data for x in leaves], first)
    fresh = [fresh_nodes[-1]]
    for op, _, j in program:
        a, b = fresh[-1], fresh_nodes[j % len(fresh_nodes)]
        fresh.append(a * b if op == "*" else a + b if op in BINARY else getattr(a * 0.5, op)())
    assert fresh[-1].data == pytest.approx(output.data, nan_ok=True)
    assert grad(fresh[-1], fresh_leaves) == pytest.approx(got, nan_ok=True)


def test_a_write_from_another_thread_never_mixes_two_points_into_one_gradient():
    """One thread writes w.data in a loop while another builds w*w*w and asks its
    gradient: each gradient is 3 w² at one of the two points, or StaleGraphError --
    never a mix (the setter writes the version before the number, the clock after it,
    and apply reads the clock before the numbers)."""
    import sys
    import threading
    w, stop = Value(1.0), threading.Event()

    def write() -> None:
        k = 0
        while not stop.is_set():
            w.data = (1.0, 2.0)[k % 2]
            k += 1

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the threads take turns often: a gap is found if there is one
    writer = threading.Thread(target=write)
    writer.start()
    try:
        results = []
        for _ in range(20_000):  # under a second
            try:
                results.append(grad(w * w * w, [w])[0])
            except StaleGraphError:
                pass
    finally:
        stop.set()
        writer.join()
        sys.setswitchinterval(interval)
    assert set(results) <= {3.0, 12.0}
    assert results  # most sweeps run between two writes
