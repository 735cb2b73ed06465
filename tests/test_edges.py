"""Edges found by using the library as a careless or hostile user would: each test is
the reproducer of a defect that once gave a silent wrong answer or an unclear error."""

import math
import subprocess
import sys

import pytest

from autograd_mini import (
    PRIMITIVES,
    AnomalyError,
    Value,
    apply,
    detect_anomaly,
    grad,
    hessian,
    vjp,
)
from autograd_mini.nn import MLP
from autograd_mini.ops import Primitive, register
from autograd_mini.optim import SGD
from autograd_mini.viz.graph import dot_text


def test_division_by_a_tiny_number_has_a_derivative():
    a, b = Value(1e-300), Value(1e-170)
    assert grad(a / b, [a, b]) == [1e170, pytest.approx(-1e40, rel=1e-12)]
    y = Value(1e-200)
    assert grad(Value(1.0) / y, [y]) == [-math.inf]  # overflow is -inf, as in PyTorch


def test_value_power_at_zero_is_the_same_in_higher_order():
    x, y = Value(0.0), Value(2.0)
    assert grad(x**y, [x, y]) == [0.0, 0.0]
    assert [g.data for g in grad(x**y, [x, y], create_graph=True)] == [0.0, 0.0]
    assert hessian(lambda x, y: x**y, [0.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]


@pytest.fixture
def registered():
    names = []

    def add(primitive):
        names.append(primitive.name)
        return register(primitive, replace=True)

    yield add
    for name in names:
        PRIMITIVES.pop(name, None)


def test_a_rule_on_floats_only_refuses_higher_order_instead_of_a_wrong_hessian(registered):
    registered(Primitive("cube", "cube", value=lambda a: a**3,
                         derivative=lambda out, a: (3 * math.pow(a, 2),)))
    x = Value(2.0)
    assert grad(apply("cube", x), [x]) == [12.0]
    with pytest.raises(TypeError, match="'cube' runs on floats only"):
        hessian(lambda x: apply("cube", x), [2.0])


@pytest.mark.parametrize("rule, count", [(lambda out, a, b: (b,), "1"),
                                         (lambda out, a, b: (b, a, 1.0), "3"),
                                         (lambda out, a, b: b, "not a tuple of")])
def test_a_rule_with_the_wrong_number_of_partials_is_refused(registered, rule, count):
    with pytest.raises(ValueError, match=f"returns {count} local derivatives for 2 inputs"):
        registered(Primitive("mul2", "*", value=lambda a, b: a * b, derivative=rule,
                             layout=PRIMITIVES["mul"].layout))


@pytest.mark.parametrize("name, count", [("dot", 3), ("affine", 2), ("sum", 0)])
def test_a_variadic_op_with_a_wrong_number_of_inputs_is_refused(name, count):
    with pytest.raises(ValueError, match=f"{name} cannot take {count} inputs"):
        apply(name, *[Value(float(k)) for k in range(count)])


def test_wrong_operands_of_apply_are_named():
    with pytest.raises(TypeError, match="exp expects Values as inputs, got float"):
        apply("exp", 2.0)
    with pytest.raises(TypeError, match="add takes 2 inputs, got 1"):
        apply("add", Value(1.0))


def test_sgd_after_a_create_graph_pass_keeps_numbers():
    model = MLP(2, [2, 1], rng=__import__("random").Random(0))
    model([0.5, -0.5]).backward(create_graph=True)
    SGD(model.parameters(), lr=0.1).step()
    assert all(type(p.data) is float for p in model.parameters())


def test_anomaly_mode_sees_a_sum_of_finite_gradients_turn_infinite():
    with detect_anomaly():
        c, d = Value(1.0), Value(1e-300)
        y = (c * d) * 1e308 + (c * d) * 1e308 + (c * d) * 1e308 + (c * d) * 1e308
        with pytest.raises(AnomalyError, match="summed to inf"):
            y.backward()
    assert d.grad == 0.0


def test_vjp_of_several_outputs_with_the_default_cotangent():
    values, total = vjp(lambda x, y: [x * y, x + y], [2.0, 3.0])
    assert values == [6.0, 5.0] and total == [4.0, 3.0]


def test_control_characters_in_labels_are_drawn_as_escapes():
    assert dot_text("a\x00b\nc") == "a\\\\x00b\\\\nc"


def test_cli_columns_count_characters_not_bytes():
    run = subprocess.run([sys.executable, "-m", "autograd_mini.cli", "steps", "éééé^2",
                          "--at", "éééé=1"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip() == ("autograd-mini: error: ^ (column 5) is not a power: "
                                  "use ** for powers: éééé**2")


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    from autograd_mini import save

    with pytest.raises(FileNotFoundError, match="the folder .* does not exist"):
        save(MLP(2, [1]), tmp_path / "missing" / "model.json")
