"""The generated datasets: counts and facts checked by hand."""

import pytest

from autograd_mini.datasets import family_trees, is_mirror, symmetry, two_moons, xor


def test_xor():
    inputs, targets = xor()
    assert inputs == [[0, 0], [0, 1], [1, 0], [1, 1]] and targets == [0, 1, 1, 0]


def test_symmetry_patterns():
    patterns, targets = symmetry(6)
    assert len(patterns) == 64 and len(set(map(tuple, patterns))) == 64
    assert sum(targets) == 8  # 2^3 mirror images
    assert is_mirror([1, 0, 1, 1, 0, 1]) and not is_mirror([1, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError):
        symmetry(0)


def test_family_tree_counts():
    trees = family_trees()
    assert len(trees.people) == 24 and len(trees.relations) == 12
    assert len(trees.facts) == 104
    assert sum(len(answers) for answers in trees.facts.values()) == 112


def test_family_tree_facts_by_hand():
    trees = family_trees()
    assert trees.answers("Colin", "aunt") == {"Jennifer", "Margaret"}
    assert trees.answers("Colin", "uncle") == {"Arthur", "Charles"}
    assert trees.answers("Charlotte", "uncle") == {"Arthur", "Charles"}
    assert trees.answers("Alfonso", "aunt") == {"Angela", "Gina"}  # the Italian twin
    assert trees.answers("Victoria", "husband") == {"James"}
    assert trees.answers("Penelope", "daughter") == {"Victoria"}
    assert trees.answers("Arthur", "niece") == {"Charlotte"}  # his sister's daughter
    assert trees.answers("Margaret", "nephew") == {"Colin"}  # her husband's sister's son
    assert trees.answers("James", "brother") == frozenset()  # only a sister
    no_father = {p for p in trees.people if not trees.answers(p, "father")}
    assert no_father == {"Christopher", "Penelope", "Andrew", "Christine", "Margaret",
                         "Charles", "Roberto", "Maria", "Pierro", "Francesca", "Gina",
                         "Tomaso"}


def test_two_moons():
    points, labels = two_moons(100, seed=3)
    assert len(points) == 100 and labels.count(1.0) == 50 and labels.count(-1.0) == 50
    assert two_moons(100, seed=3) == (points, labels)
    assert two_moons(100, seed=4) != (points, labels)
