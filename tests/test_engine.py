"""The engine: values, hand-derived gradients, accumulation, deep graphs, errors."""

import math

import pytest

import autograd_mini as am
from autograd_mini import Value


def test_value_basics_and_repr():
    x = Value(2, label="x")
    assert x.data == 2.0 and isinstance(x.data, float)
    assert x.grad == 0.0 and x.op == "" and x.parents == ()
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert repr(Value(True)) == "Value(data=1.0, grad=0.0)"
    y = x * 3
    assert y.op == "mul" and y.parents[0] is x and y.parents[1].data == 3.0


def test_lecture_classic():
    # L = (a*b + c) * f, derived by hand: dL/da = b*f, dL/db = a*f, dL/dc = f, dL/df = a*b + c
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    L = (a * b + c) * f
    L.backward()
    assert L.data == -8.0
    assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)
    assert L.grad == 1.0


def test_reused_node_accumulates():
    a = Value(3.0)
    b = a + a  # db/da = 2
    b.backward()
    assert a.grad == 2.0
    a2 = Value(3.0)
    c = a2 * a2  # dc/da = 2a
    c.backward()
    assert a2.grad == 6.0
    assert len(c.parents) == 2  # order and multiplicity are kept


def test_backward_twice_accumulates_like_pytorch():
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0


def test_backward_with_seed_gradient():
    x = Value(2.0)
    (x * 5).backward(0.5)
    assert x.grad == 2.5


def test_paper_sigmoid_unit_with_squared_error():
    # One unit: x_j = Σ y_i w_ji, y_j = σ(x_j), E = ½ (y_j - d_j)^2.
    # The paper: dE/dw_ji = (y_j - d_j) y_j (1 - y_j) y_i.
    ys = [0.5, -1.0, 2.0]
    ws = [Value(w) for w in (0.1, -0.4, 0.3)]
    d = 1.0
    y_j = am.dot(ws, ys).sigmoid()
    E = 0.5 * (y_j - d) ** 2
    E.backward()
    yj = y_j.data
    for w, y_i in zip(ws, ys):
        assert w.grad == pytest.approx((yj - d) * yj * (1 - yj) * y_i, rel=1e-12)


def test_all_operators_against_hand_derivatives():
    x = Value(1.5)
    y = 2 - x + 3 / x - x / 4 + (-x) + x ** 3 + 2 ** x + x ** Value(2.0)
    y.backward()
    expected = -1 - 3 / 1.5**2 - 0.25 - 1 + 3 * 1.5**2 + math.log(2) * 2**1.5 + 2 * 1.5
    assert x.grad == pytest.approx(expected, rel=1e-12)
    assert y.data == pytest.approx(2 - 1.5 + 2 - 0.375 - 1.5 + 1.5**3 + 2**1.5 + 2.25)


@pytest.mark.parametrize("method, derivative", [
    ("exp", math.exp),
    ("log", lambda a: 1 / a),
    ("tanh", lambda a: 1 - math.tanh(a) ** 2),
    ("sigmoid", lambda a: math.exp(-a) / (1 + math.exp(-a)) ** 2),
    ("relu", lambda a: 1.0),
    ("sin", math.cos),
    ("cos", lambda a: -math.sin(a)),
    ("sqrt", lambda a: 0.5 / math.sqrt(a)),
    ("abs", lambda a: 1.0),
])
def test_unary_methods(method, derivative):
    x = Value(0.7)
    getattr(x, method)().backward()
    assert x.grad == pytest.approx(derivative(0.7), rel=1e-12)


def test_relu_and_abs_conventions_at_zero_and_below():
    for method in ("relu", "abs"):
        x = Value(0.0)
        getattr(x, method)().backward()
        assert x.grad == 0.0  # like PyTorch
    x = Value(-2.0)
    x.relu().backward()
    assert x.grad == 0.0
    x = Value(-2.0)
    abs(x).backward()
    assert x.grad == -1.0


def test_negative_base_integer_power():
    x = Value(-3.0)
    (x ** 2).backward()
    assert x.grad == -6.0
    assert (Value(-2.0) ** 3).data == -8.0


def test_sum_and_dot_are_single_nodes():
    xs = [Value(float(i)) for i in range(1, 5)]
    ws = [Value(0.5 * i) for i in range(1, 5)]
    s = am.sum(xs)
    assert s.op == "sum" and len(s.parents) == 4 and s.data == 10.0
    d = am.dot(ws, xs)
    assert d.op == "dot" and d.data == sum(0.5 * i * i for i in range(1, 5))
    d.backward()
    assert [w.grad for w in ws] == [1.0, 2.0, 3.0, 4.0]
    assert [x.grad for x in xs] == [0.5, 1.0, 1.5, 2.0]
    assert am.sum([1, 2, Value(3.0)]).data == 6.0
    with pytest.raises(ValueError, match="as many weights as inputs"):
        am.dot(ws, xs[:2])
    with pytest.raises(ValueError, match="at least one"):
        am.sum([])


def test_large_inputs_do_not_overflow():
    t = Value(1000.0)
    y = t.tanh()
    y.backward()
    assert y.data == 1.0 and t.grad == 0.0
    s = Value(-1000.0)
    z = s.sigmoid()
    z.backward()
    assert z.data == 0.0 and s.grad == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    # exp follows IEEE 754 and PyTorch: too large a result is inf, never an exception.
    assert Value(1000.0).exp().data == math.inf
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf


def test_grad_leaves_dot_grad_untouched():
    x, y = Value(2.0), Value(3.0)
    z = x * y + x
    gx, gy = am.grad(z, [x, y])
    assert (gx, gy) == (4.0, 2.0)
    assert x.grad == 0.0 and y.grad == 0.0 and z.grad == 0.0
    assert am.grad(z, [Value(1.0)]) == [0.0]  # not in the graph


def test_grad_agrees_with_backward():
    x, y = Value(0.3), Value(-1.2)
    z = (x * y).tanh() * x.exp() + y ** 2
    expected = am.grad(z, [x, y])
    z.backward()
    assert [x.grad, y.grad] == expected


def test_million_node_chain():
    x = Value(1.0)
    y = x
    for _ in range(10**6):
        y = y * 1.000001
    y.backward()
    assert x.grad == pytest.approx(1.000001 ** 10**6, rel=1e-9)
    assert len(am.topological_order(y)) == 2 * 10**6 + 1  # plus one constant per step


def test_topological_order_puts_parents_first():
    a = Value(1.0)
    b = a * 2
    c = b + a
    d = c * b
    order = am.topological_order(d)
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for p in node.parents:
            assert position[id(p)] < position[id(node)]
    assert order[-1] is d and len(order) == 5  # a, 2, b, c, d


def test_domain_errors_name_op_value_and_label():
    with pytest.raises(ValueError, match=r"log\(0\.0 \(label 'z'\)\): log is only defined"):
        Value(0.0, label="z").log()
    with pytest.raises(ValueError, match=r"log\(-1\.0 \(label 'n'\)\)"):
        Value(-1.0, label="n").log()
    with pytest.raises(ZeroDivisionError, match=r"div\(1\.0, 0\.0 \(label 'q'\)\): division by"):
        Value(1.0) / Value(0.0, label="q")
    with pytest.raises(ZeroDivisionError, match=r"div\(2\.0, 0\.0\)"):
        2 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"pow\(0\.0 \(label 'b'\), -1\.0\): 0 cannot"):
        Value(0.0, label="b") ** -1
    with pytest.raises(ValueError, match=r"sqrt\(-4\.0 \(label 's'\)\): sqrt is only defined"):
        Value(-4.0, label="s").sqrt()
    with pytest.raises(ValueError, match="fractional power"):
        Value(-2.0) ** 0.5


@pytest.mark.parametrize("bad", ["3", None, [1.0], 1 + 2j])
def test_type_errors_say_what_was_expected(bad):
    with pytest.raises(TypeError, match="expects a real number"):
        Value(bad)


def test_type_error_for_bad_operand():
    with pytest.raises(TypeError, match=r"expects a real number \(int or float\), got 'a'"):
        Value(2) + "a"
    with pytest.raises(TypeError, match="got None"):
        None * Value(2)
    with pytest.raises(TypeError, match="grad expects a Value"):
        am.grad(3.0, [])


def test_comparisons_look_at_data():
    assert Value(2.0) > 1 and Value(1.0) < Value(2.0) and Value(2.0) >= 2.0 and Value(2.0) <= 2
    assert Value(2.0) != Value(2.0)  # equality is identity: nodes are dict keys
    assert float(Value(2.5)) == 2.5


def test_backward_twice_through_inner_nodes():
    x = Value(0.7)
    y = (x * x).tanh() * 3
    y.backward()
    first = x.grad
    y.backward()  # the inner nodes hold gradients now; they must not be sent back twice
    assert x.grad == pytest.approx(2 * first, rel=1e-12)


def test_backward_adds_to_a_leafs_earlier_gradient():
    x = Value(2.0)
    x.grad = 5.0
    (x * 3).backward()
    assert x.grad == 8.0
    leaf = Value(1.0)
    leaf.backward()
    leaf.backward()
    assert leaf.grad == 2.0


def test_backward_where_the_derivative_is_undefined_says_where():
    x = Value(0.0, label="x")
    with pytest.raises(ZeroDivisionError, match=r"no derivative at sqrt\(0\.0 \(label 'x'\)\)"):
        x.sqrt().backward()
    assert x.grad == 0.0  # nothing was added
    w = Value(3.0, label="w")
    with pytest.raises(ZeroDivisionError):
        (x.sqrt() + w * 2).backward()  # w gets its gradient first, then sqrt fails
    assert w.grad == 0.0 and x.grad == 0.0
    with pytest.raises(ZeroDivisionError, match=r"d/da sqrt\(a\) = 1 / \(2 \* sqrt\(a\)\)"):
        am.grad(x.sqrt() * 2, [x])
