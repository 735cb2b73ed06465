"""Display names (naming.py): unique, built from the graph, clear of the user's labels."""

from autograd_mini import Value, display_names


def test_display_names_are_unique_and_keep_clear_of_labels():
    a, b, c = Value(1.0, "x"), Value(2.0, "x"), Value(3.0)
    d = Value(4.0, "x1")  # a label that looks like a generated name
    names = display_names(a * b + c * d)
    assert len(set(names.values())) == len(names)
    assert names[a] == "x" and names[b] == "x#2" and names[d] == "x1" and names[c] == "x2"
