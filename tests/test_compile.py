"""The compiled replay path: same numbers as the engine, readable source, no nodes built."""

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_mini as am
from autograd_mini import PRIMITIVES, Value, apply, grad, gradients, topological_order
from autograd_mini.bridges.compile import compile_graph
from autograd_mini.core.ops import Argument
from autograd_mini.losses import sum_squared_error
from autograd_mini.nn import MLP
from autograd_mini.testing.strategies import expressions


@given(expressions(max_ops=10))
def test_replay_equals_the_engine_on_random_expressions(case):
    f, point = case
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
    out = f(*leaves)
    replay = compile_graph(out, leaves)
    moved = [x * 0.9 + 0.01 for x in point]
    fresh = [Value(x) for x in moved]
    try:
        expected_out = f(*fresh)
    except (ValueError, ZeroDivisionError):
        return  # the moved point left the domain
    expected = grad(expected_out, fresh)
    value, grads = replay(moved)
    assert value == pytest.approx(expected_out.data, rel=1e-12, abs=1e-12)
    assert grads == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_mlp_step_replayed_on_new_inputs_and_parameters():
    model = MLP(2, [4, 4, 1], activation="tanh", rng=random.Random(0))
    params = model.parameters()
    x1, x2 = Value(0.0, "x1"), Value(0.0, "x2")
    loss = sum_squared_error(model([x1, x2]), 0.5)
    replay = compile_graph(loss, [x1, x2, *params])
    for trial in range(3):
        for p in params:
            p.data += 0.1 * (trial + 1)
        point = [0.3 * trial - 0.2, 0.7]
        values = [p.data for p in params]
        value, grads = replay([*point, *values])
        engine_loss = sum_squared_error(model(point), 0.5)
        model.zero_grad()
        engine_loss.backward()
        assert value == pytest.approx(engine_loss.data, rel=1e-12)
        assert grads[2:] == pytest.approx([p.grad for p in params], rel=1e-12, abs=1e-15)


def test_several_outputs_and_a_seed_function():
    x = Value(2.0, label="x")
    ys = [x * x, x.sin()]
    replay = compile_graph(ys, [x])
    values, (g,) = replay([1.5], gradient=[1.0, 2.0])
    assert values[0] == 2.25 and g == pytest.approx(3.0 + 2 * 0.0707372016677029, rel=1e-9)
    seen = []
    values, (g2,) = replay([1.5], gradient=lambda outs: seen.append(outs) or [1.0, 2.0])
    assert seen == [values] and g2 == g


def test_source_is_readable_straight_line_code():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = (x * w + 1.0).tanh()
    source = compile_graph(out, [x, w]).source
    lines = source.splitlines()
    assert lines[0] == "def replay(inputs, gradient=1.0):"
    assert "    x0, x1 = inputs  # x0 is 'x', x1 is 'w'" in lines
    assert "    v1 = op_mul(x0, x1)  # n1 = x * w" in lines
    assert "    v2 = op_add(v1, 1.0)  # n2 = n1 + 1" in lines
    assert "    d = d_tanh(v3, v2)" in lines  # a partial the rule computes: d[slot]
    assert "    g_v2 = g_v3 * d[0]" in lines
    assert "    g_v1 = g_v2" in lines  # d/da (a + b) is 1.0: nothing to multiply
    assert "    g_x0 = g_v1 * x1" in lines  # a gradient's first product, stored as it is
    plain = compile_graph(out, [x, w], fold=False).source.splitlines()
    assert "    d = d_mul(v1, x0, x1)" in plain and "    g_x0 = g_v1 * d[0]" in plain
    x2 = x * x  # a parent taken twice: the second product is added
    twice = compile_graph(x2, [x]).source.splitlines()
    assert twice[-3:-1] == ["    g_x0 = g_v1 * x0", "    g_x0 += g_v1 * x0"]
    assert not any(line.strip().startswith(("for ", "while ")) for line in lines)
    assert len(topological_order(out)) == 6  # building the replay added no node


def test_bad_inputs():
    x = Value(1.0)
    y = x * 2
    with pytest.raises(ValueError, match="leaf"):
        compile_graph(y, [y])
    assert compile_graph(y, [x, Value(3.0)])([1.0, 5.0]) == (2.0, [2.0, 0.0])
    replay = compile_graph(y, [x])
    with pytest.raises(ValueError, match="takes 1 inputs, got 2"):
        replay([1.0, 2.0])


def test_labels_never_shadow_the_generated_code():
    names = ["gradient", "seed", "d", "inputs", "g_x", "mul", "tanh_derivative", "for", "2x"]
    leaves = [Value(float(i + 1), label=name) for i, name in enumerate(names)]
    out = leaves[0]
    for leaf in leaves[1:]:
        out = out * leaf
    replay = compile_graph(out, leaves)
    value, grads = replay([float(i + 1) for i in range(len(names))])
    assert value == out.data and grads == grad(out, leaves)


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


def test_an_output_that_is_a_leaf_compiles():
    step = compile_graph(Value(5.0), [Value(1.0)])
    assert step([3.0]) == (5.0, [0.0])


def test_a_big_graph_compiles_in_pieces_with_memory_in_proportion():
    import gc
    import tracemalloc

    from autograd_mini.bridges.compile import FUNCTION_LINES

    x, w = Value(0.3, label="x"), Value(0.999, label="w")
    y = x
    for _ in range(3000):
        y = (y * w).tanh() + 0.001 * x
    nodes = len(am.topological_order(y))
    gc.collect()
    tracemalloc.start()
    try:
        step = compile_graph(y, [x, w])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert step.source.count("\n") > FUNCTION_LINES  # it did take the script form
    assert peak / nodes < 1024, f"{peak / nodes:.0f} bytes a node at the peak"
    value, grads = step([0.2, 0.99])
    x.data, w.data = 0.2, 0.99
    fresh = x
    for _ in range(3000):
        fresh = (fresh * w).tanh() + 0.001 * x
    assert value == fresh.data and grads == am.grad(fresh, [x, w])


# -- folding: what the constants decide is written once, and products with 0 are skipped ----


def _same(a: float, b: float) -> bool:
    """Equal, a NaN equal to a NaN (and 0.0 to -0.0: a skipped product is a signed 0)."""
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_plain_partials_are_what_the_rule_returns(name):
    primitive = PRIMITIVES[name]
    count = primitive.layout.count(3) if primitive.layout.variadic else primitive.arity
    forms = primitive.plain_partials(count)
    rng = random.Random(name)
    for _ in range(5):
        args = [rng.uniform(*primitive.samples[min(k, len(primitive.samples) - 1)][0])
                for k in range(count)]
        out = primitive.value(*args)
        partials = primitive.derivative(out, *args)
        for form, partial in zip(forms, partials):
            if isinstance(form, Argument):
                assert partial == [out, *args][form.place]
            elif form is not None:
                assert partial == form
    assert len(forms) == count


def test_the_table_passes_the_products_partials_through():
    """mul, dot and affine: each weight's partial is its input and back, the bias's 1."""
    assert [f.place for f in PRIMITIVES["mul"].plain_partials(2)] == [2, 1]
    assert [f.place for f in PRIMITIVES["dot"].plain_partials(4)] == [3, 4, 1, 2]
    *wx, bias = PRIMITIVES["affine"].plain_partials(5)
    assert [f.place for f in wx] == [3, 4, 1, 2] and bias == 1.0
    assert PRIMITIVES["tanh"].plain_partials(1) == [None]  # computed: the rule runs


def test_a_product_with_a_constant_0_is_skipped_and_constants_are_folded():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    zero, two = Value(0.0, label="zero"), Value(2.0, label="two")
    out = (x * w + w * zero).tanh() + (two * 3.0).exp()
    folded = compile_graph(out, [x, w])
    lines = folded.source.splitlines()
    assert "    v2 = op_mul(x1, 0.0)  # n2 = w * zero" in lines  # the forward still runs it
    assert not any("op_exp" in line for line in lines)  # exp(2 * 3): a number, once
    assert "    v5 = op_add(v4, 403.4287934927351)  # out = n4 + n6" in lines
    assert sum(line.startswith("    g_x1 ") for line in lines) == 1  # w * zero sends none
    assert lines[-1].endswith("if all_finite(g_v2) else (UNFOLD, seed)")
    plain = compile_graph(out, [x, w], fold=False)
    for point in ([2.0, -3.0], [0.5, 0.0], [-0.0, 1e300]):
        assert folded(point) == plain(point)
    assert folded([2.0, -3.0]) == (out.data, grad(out, [x, w]))


def test_nan_and_inf_still_propagate_as_the_engines_backward_gives():
    """0 · g is 0 only for a finite g: an infinite upstream gradient makes the skipped
    product NaN, and the replay falls back on the unfolded code to give it."""
    a, x = Value(2.0, label="a"), Value(1.0, label="x")
    n = a * Value(0.0, label="zero")
    out = n * (x * 1000.0).exp()  # d out / d n = e^1000 = inf, from finite inputs
    replay = compile_graph(out, [a, x])
    value, grads = replay([2.0, 1.0])
    expected = gradients(out)
    assert _same(value, out.data) and math.isnan(grads[0]) and math.isnan(expected[a])
    assert all(map(_same, grads, [expected[a], expected[x]]))
    seeded = a * Value(0.0)
    replay = compile_graph(seeded, [a])
    for seed in (math.inf, -math.inf, math.nan, 1.0):
        (g,) = replay([3.0], seed)[1]
        assert _same(g, gradients(seeded, seed)[a])
    seen = []  # a seed function is asked once, the fallback replays its answer
    replay([3.0], lambda y: seen.append(y) or math.inf)
    assert seen == [0.0]
    inf_input = compile_graph(a * Value(0.0), [a])([math.inf])  # inf · 0: NaN forward
    assert math.isnan(inf_input[0]) and inf_input[1] == [0.0]  # and d/da = 0, as backward


@given(st.data())
def test_folded_replay_equals_the_unfolded_one_and_the_engine(data):
    """Random small graphs over leaves that are often 0, some of them constants, with a
    0-weighted affine on top: folded replay == unfolded replay == the engine's gradients."""
    n = data.draw(st.integers(1, 3))
    point = [data.draw(st.sampled_from([0.0, -0.0, 1.5]) | st.floats(-3, 3)) for _ in range(n)]
    f, point = data.draw(expressions(at=point, max_ops=6))
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(point)]
    weights = [Value(data.draw(st.sampled_from([0.0, -0.0, 0.5]))) for _ in leaves]
    out = apply("affine", *weights, *leaves, f(*leaves))
    inputs = [x for k, x in enumerate(leaves) if k == 0 or data.draw(st.booleans())]
    seed = data.draw(st.floats(-2, 2) | st.sampled_from([math.inf, -math.inf, math.nan]))
    by_node = gradients(out, seed)
    expected = [by_node.get(x, 0.0) for x in inputs]
    numbers = [x.data for x in inputs]
    for replay in (compile_graph(out, inputs), compile_graph(out, inputs, fold=False)):
        value, grads = replay(numbers, seed)
        assert _same(value, out.data) and all(map(_same, grads, expected)), replay.source


def test_a_node_whose_gradient_is_0_at_run_time_is_skipped_unless_a_partial_is_not_finite():
    """An output inside the loss's tolerance has gradient 0: its affine's products are
    skipped then -- but 0 · inf is NaN, so an infinite input falls back and gives NaN."""
    ws = [Value(0.1 * k, label=f"w{k}") for k in range(4)]
    xs = [Value(1.0 + k, label=f"x{k}") for k in range(4)]
    out = apply("affine", *ws, *xs, Value(0.5, label="b")).sigmoid()
    leaves = [*ws, *xs]
    replay = compile_graph(out, leaves)
    assert any(line.startswith("    if g_v1: ") for line in replay.source.splitlines())
    numbers = [x.data for x in leaves]
    for seed in (0.0, -0.0, 1.0, math.nan):
        expected = gradients(out, seed)
        assert all(map(_same, replay(numbers, seed)[1], [expected[x] for x in leaves]))
    ws[0].data = xs[2].data = math.inf  # d/dx0 = w0 = inf, d/dw2 = x2 = inf
    out = apply("affine", *ws, *xs, Value(0.5)).sigmoid()  # (the same graph, rebuilt)
    expected = gradients(out, 0.0)
    grads = replay([x.data for x in leaves], 0.0)[1]
    assert all(map(_same, grads, [expected[x] for x in leaves]))
    assert math.isnan(grads[4]) and math.isnan(grads[2])


@pytest.mark.parametrize("piece", [1, 2, 3, 7])
def test_pieces_pass_on_what_a_later_piece_reads(monkeypatch, piece):
    """A replay cut into pieces of a few statements (each a function, some holding a
    node skipped while its gradient is 0) gives what the one function gives."""
    from autograd_mini.bridges import compile as compiled

    model = MLP(3, [4, 2], activation="sigmoid", rng=random.Random(piece))
    xs = [Value(0.0, label=f"x{i}") for i in range(3)]
    outs = model(xs)
    whole = compile_graph(outs, [*xs, *model.parameters()])
    monkeypatch.setattr(compiled, "FUNCTION_LINES", 0)
    monkeypatch.setattr(compiled, "PIECE_LINES", piece)
    pieces = compile_graph(outs, [*xs, *model.parameters()])
    assert pieces.source.startswith("# replay(") and "    if g_v" in whole.source
    numbers = [0.5, -1.0, 0.0, *(p.data for p in model.parameters())]
    for seed in ([1.0, -0.5], [0.0, 0.0], [0.0, 2.0], [math.inf, 0.0]):
        assert all(map(_same, pieces(numbers, seed)[1], whole(numbers, seed)[1]))
        assert pieces(numbers, seed)[0] == whole(numbers, seed)[0]
