"""Display names (naming.py): unique, built from the graph, clear of the user's labels."""

from autograd_mini import Value, display_names, topological_order
from autograd_mini.core.naming import repeated_parents, slot_names, slot_phrase


def test_display_names_are_unique_and_keep_clear_of_labels():
    a, b, c = Value(1.0, "x"), Value(2.0, "x"), Value(3.0)
    d = Value(4.0, "x1")  # a label that looks like a generated name
    names = display_names(a * b + c * d)
    assert len(set(names.values())) == len(names)
    assert names[a] == "x" and names[b] == "x#2" and names[d] == "x1" and names[c] == "x2"


def test_inputs_count_from_one_everywhere():
    import random

    from autograd_mini.core.transforms import jvp
    from autograd_mini.nn import MLP

    out = MLP(2, [1], rng=random.Random(0))([1.0, -2.0])
    assert sorted(n.label for n in topological_order(out) if n.label.startswith("x")) == \
        ["x1", "x2"]
    assert list(display_names(Value(1.0) * Value(2.0)).values()) == ["x1", "x2", "out"]
    seen = []
    jvp(lambda a, b: seen.extend([a.label, b.label]) or a * b, [1.0, 2.0], [1.0, 0.0])
    assert seen == ["x1", "x2"]


def test_slots_are_named_from_the_op_tables_layout():
    from autograd_mini import dot

    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    square = x * x
    assert slot_names(square) == ["a", "b"] and repeated_parents(square) == {x}
    assert [slot_phrase(square, k) for k in (0, 1)] == ["as the left input a",
                                                          "as the right input b"]
    both = dot([w, x], [x, w])
    assert slot_names(both) == ["w_1", "w_2", "x_1", "x_2"]
    assert slot_phrase(both, 2) == "as x_1" and repeated_parents(both) == {x, w}
    assert repeated_parents(x * w) == set()
