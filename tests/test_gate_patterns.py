"""Gate patterns named in the trace, softmax with cross-entropy giving p − t, and the
cost of a reverse sweep beside forward mode's, counted on the engine."""

import math

import pytest

from autograd_mini import PRIMITIVES, Value, gradients
from autograd_mini.core.transforms import forward_sweep
from autograd_mini.explain.patterns import (
    _Counted,
    cost_table,
    count_forward,
    count_reverse,
    softmax_cross_entropy_gradients,
)
from autograd_mini.explain.trace import trace, walk


def _patterns(record):
    return [line for step in walk(record) for line in step.lines if line.startswith("pattern:")]


def test_the_trace_names_each_pattern_where_it_is_met():
    x, y = Value(2.0, label="x"), Value(-3.0, label="y")
    record = trace((x * y + x).relu())
    lines = _patterns(record)
    assert lines[0].startswith("pattern: max routes")
    assert lines[1].startswith("pattern: add distributes")
    assert lines[2].startswith("pattern: mul swaps")
    assert lines[3] == ("pattern: copy sums: x is used more than once, so this product adds "
                        "to the 0 it had: 0")
    x.grad = 0.0
    record = trace(x * y + x)  # the relu open: the copy's two paths add y + 1 = -2
    assert _patterns(record)[-1].endswith("adds to the 1 it had: -2") and x.grad == -2.0


def test_patterns_come_from_the_table_and_nowhere_else():
    named = {p.pattern.split(":")[0] for p in PRIMITIVES.values() if p.pattern}
    assert {"add distributes", "mul swaps", "max routes"} <= named
    assert all(not step.patterns for step in trace(Value(1.0).exp().log()).backward)


def test_softmax_with_cross_entropy_gives_p_minus_t():
    pairs = softmax_cross_entropy_gradients([1.0, 2.0, -0.5, 30.0], 2)
    for engine, p_minus_t in pairs:
        assert engine == pytest.approx(p_minus_t, abs=1e-15)
    assert sum(engine for engine, _ in pairs) == pytest.approx(0.0, abs=1e-15)


def test_softmax_cross_entropy_against_pytorch():
    torch = pytest.importorskip("torch")
    z = torch.tensor([0.3, -1.2, 2.5], dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(z[None], torch.tensor([0])).backward()
    ours = [engine for engine, _ in softmax_cross_entropy_gradients([0.3, -1.2, 2.5], 0)]
    assert ours == pytest.approx(z.grad.tolist(), abs=1e-15)


def test_one_reverse_sweep_costs_one_forward_sweep_and_gives_every_derivative():
    rows = cost_table((1, 2, 4, 8))
    for row in rows:
        assert row.reverse == row.forward_one  # one product per edge, either way
        assert row.forward_all == row.parameters * row.reverse
        assert row.reverse <= 3 * row.parameters  # linear in the size of the net
    assert [r.parameters for r in rows] == [7, 15, 37, 105]  # 2w + w + (w² + w) + w + 1


def test_the_counts_are_the_engines_own_work():
    x, w = Value(3.0, label="x"), Value(2.0, label="w")
    out = (x * w + x).tanh()
    # one product per edge: tanh ← n2, n2 ← n1, n2 ← x, n1 ← x, n1 ← w
    assert count_reverse(out) == count_forward(out, x) == count_forward(out, w) == 5


def test_a_counted_tangent_gives_the_right_derivative():
    x, w = Value(3.0, label="x"), Value(0.5, label="w")
    out = (x * w + x).tanh()
    tally = [0]
    tangents = forward_sweep([out], {x: _Counted(1.0, tally), w: _Counted(0.0, tally)})
    assert float(tangents[out]) == pytest.approx(gradients(out)[x], abs=1e-15)
    assert math.isclose(float(tangents[out]), (1 - out.data ** 2) * 1.5)
    assert tally == [5]  # one product per edge
