"""The step-by-step record: contributions add up to backward()'s gradients."""

import math

import pytest
from conftest import lecture

from autograd_mini import PRIMITIVES, Value
from autograd_mini.explain.trace import fmt, trace


def _sum_of_contributions(record):
    totals = {record.output: 1.0}
    for step in record.backward:
        for c in step.contributions:
            totals[c.parent] = totals.get(c.parent, 0.0) + c.contribution
    return totals


def test_lecture_contributions_sum_to_backward():
    L, nodes = lecture()
    record = trace(L)
    totals = _sum_of_contributions(record)
    L2, nodes2 = lecture()
    L2.backward()
    for node, twin in zip(nodes, nodes2):
        assert totals[node] == twin.grad == node.grad
    assert [s.name for s in record.backward] == ["L", "d", "e"]


def test_reused_node_has_two_contributions():
    a = Value(3.0, label="a")
    c = a * a
    record = trace(c)
    (step,) = record.backward
    assert [x.contribution for x in step.contributions] == [3.0, 3.0]
    assert [x.grad_after for x in step.contributions] == [3.0, 6.0]
    assert a.grad == 6.0


def test_sentences_and_formulas_come_from_the_op_table():
    L, (a, b, c, f, d, e) = lecture()
    record = trace(L)
    e_step = record.backward[-1]
    assert e_step.formula == PRIMITIVES["mul"].formula
    first = e_step.contributions[0]
    assert first.local_formula == "∂e/∂a = b"
    assert first.sentence == "∂L/∂a += ∂L/∂e · ∂e/∂a = -2 · -3 = 6"
    tanh_step = trace(Value(0.5, label="x").tanh()).backward[0]
    assert tanh_step.contributions[0].local_formula == "∂out/∂x = 1 - tanh(x)**2"
    assert tanh_step.formula == PRIMITIVES["tanh"].formula


def test_forward_steps_and_tables():
    L, _ = lecture()
    record = trace(L)
    sentences = [s.sentence for s in record.forward]
    assert "e = a * b = -6" in sentences and sentences[-1] == "L = d * f = -8"
    table = record.backward_table()
    lines = table.splitlines()
    assert lines[0].split() == ["step", "node", "∂L/∂node", "parent", "local", "derivative",
                                "contribution", "grad", "after"]
    assert len(lines) == 2 + 6  # header, rule, one row per product
    assert "∂e/∂a = b = -3" in table
    assert "Forward pass" in str(record) and "Backward pass" in str(record)


def test_dot_and_pow_explained_with_names():
    w, x = Value(0.5, label="w"), Value(4.0, label="x")
    from autograd_mini import dot

    y = dot([w], [x]) ** 2
    record = trace(y)
    forward = [s.sentence for s in record.forward]
    assert "n1 = w*x = 2" in forward and "out = n1**2 = 4" in forward
    texts = [c.local_text for s in record.backward for c in s.contributions]
    assert "∂out/∂n1 = 2 * n1 = 4" in texts  # the exponent is a known number: n1**1 is n1
    assert "∂n1/∂w = x = 4" in texts and "∂n1/∂x = w = 0.5" in texts


def test_fmt():
    assert fmt(3.0) == "3" and fmt(-0.0) == "0" and fmt(0.70710678) == "0.7071"
    assert fmt(Value(2.5)) == "2.5"


def test_trace_rejects_non_values():
    with pytest.raises(TypeError, match="trace expects a Value"):
        trace(3.0)


def test_a_parent_taken_twice_is_named_by_its_slot_with_its_total():
    x = Value(2.0, label="x")
    record = trace(x * x + 3 * x)
    square = record.backward[-1]  # n1 = x * x
    assert [c.slot for c in square.contributions] == ["as the left input a",
                                                      "as the right input b"]
    assert [c.local_text for c in square.contributions] == [
        "∂n1/∂x = x = 2, as the left input a", "∂n1/∂x = x = 2, as the right input b"]
    (total,) = square.totals
    assert total.local_text == "∂n1/∂x = 2·x = 4 in all"  # d(x²)/dx = 2x, by hand
    assert total.contribution == 4.0 and total.grad_after == x.grad == 2 * 2 + 3
    assert "x as the right input b" in square.contributions[1].sentence
    table = record.backward_table()
    assert "∂n1/∂x = 2·x = 4 in all" in table and "as the left input a" in table
    assert "∂n1/∂x = 2·x = 4 in all" in record._repr_html_()
    # a parent taken once is not named by a slot, and gets no total
    assert [c.slot for c in record.backward[1].contributions] == [""]
    assert record.backward[1].totals == []


def test_totals_add_different_partials_and_match_backward():
    x = Value(1.5, label="x")
    record = trace(x ** x)  # d/dx x^x = x·x^(x-1) + x^x·log x, one partial per slot
    (total,) = record.backward[0].totals
    assert total.local_formula.count(" + ") >= 1 and total.local_text.endswith(" in all")
    assert total.local == pytest.approx(1.5 ** 1.5 * (1 + math.log(1.5)))
    assert total.local == pytest.approx(x.grad)
