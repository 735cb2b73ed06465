"""Anomaly mode: the first value or gradient that turns NaN or ±inf from finite numbers
is named with its op, operands, formula and the user's line that made it."""

import math

import pytest

from autograd_mini import AnomalyError, Value, detect_anomaly, trace


def test_an_exp_that_overflows_is_named_with_its_line():
    x = Value(1000.0)
    with pytest.raises(AnomalyError) as caught, detect_anomaly():
        y = x.exp() - x.exp()  # noqa: F841 - the line the error must name
    message = str(caught.value)
    assert message.startswith("exp(1000.0) = inf from finite inputs")
    assert "test_anomaly.py" in message and "y = x.exp() - x.exp()" in message
    assert "d/da exp(a) = exp(a)" in message


def test_without_the_mode_the_same_code_runs_silently():
    x = Value(1000.0)
    y = x.exp() - x.exp()
    assert math.isnan(y.data)


def test_a_gradient_that_overflows_in_backward_is_named():
    x = Value(1e-320, label="x")
    with detect_anomaly():
        y = x.sqrt()
        with pytest.raises(AnomalyError, match=r"gradient through sqrt\(1e-320 \(label 'x'\)\) "
                                               r"turned inf.*y = x.sqrt\(\)"):
            y.backward(1e200)
    assert x.grad == 0.0  # backward is atomic: nothing was written


def test_nan_already_in_the_inputs_is_not_an_anomaly_of_this_node():
    with detect_anomaly():
        y = Value(float("nan")) * 2.0  # NaN in, NaN out: the source is elsewhere
    assert math.isnan(y.data)


def test_the_mode_ends_with_the_block():
    with detect_anomaly():
        pass
    assert math.isinf(Value(1000.0).exp().data)


def test_trace_marks_numbers_that_are_not_finite():
    x = Value(800.0, label="x")
    text = str(trace(x.exp()))
    assert "out = exp(x) = inf ⚠" in text


def test_anomaly_mode_sees_a_sum_of_finite_gradients_turn_infinite():
    with detect_anomaly():
        c, d = Value(1.0), Value(1e-300)
        y = (c * d) * 1e308 + (c * d) * 1e308 + (c * d) * 1e308 + (c * d) * 1e308
        with pytest.raises(AnomalyError, match="summed to inf"):
            y.backward()
    assert d.grad == 0.0


def test_anomaly_mode_memory_stays_flat_over_many_steps():
    """Each node keeps where it was made, and goes with it: the mode holds no node."""
    import gc
    import random
    import tracemalloc

    from autograd_mini.nn import MLP
    from autograd_mini.optim import SGD

    tracemalloc.start()  # before the model: its weights are counted from the start
    model = MLP(2, [16, 16, 1], rng=random.Random(0))
    optimizer = SGD(model.parameters(), lr=0.01)
    sizes = []
    try:
        with detect_anomaly():
            for step in range(300):
                loss = (model([0.5, -1.0]) - 1.0) ** 2
                model.zero_grad()
                loss.backward()
                optimizer.step()
                if step in (50, 299):
                    gc.collect()
                    sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert sizes[1] <= 1.10 * sizes[0], sizes  # a mode that kept every node: 40 times more
