"""The generated datasets: counts and facts checked by hand."""

import math

import pytest

from autograd_mini.datasets import (
    circles,
    encoder,
    family_trees,
    is_mirror,
    spiral,
    symmetry,
    two_moons,
    xor,
)


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


@pytest.mark.parametrize("make", [circles, spiral])
def test_the_two_dimensional_sets_are_seeded_and_balanced(make):
    points, labels = make(100, seed=3)
    assert len(points) == 100 and all(len(p) == 2 for p in points)
    assert labels.count(-1.0) == 50 and labels.count(1.0) == 50
    assert make(100, seed=3) == (points, labels)  # the same seed, the same points
    assert make(100, seed=4)[0] != points
    with pytest.raises(ValueError, match="at least 2"):
        make(1)


def test_circles_inner_ring_is_inside_the_outer_one():
    points, labels = circles(200, noise=0.0, factor=0.4)
    radii = {label: {round(math.hypot(*p), 9) for p, t in zip(points, labels) if t == label}
             for label in (-1.0, 1.0)}
    assert radii == {-1.0: {1.0}, 1.0: {0.4}}


def test_spiral_arms_are_each_others_half_turn():
    points, labels = spiral(100, noise=0.0)
    first = [p for p, t in zip(points, labels) if t < 0]
    second = [p for p, t in zip(points, labels) if t > 0]
    assert all(a == pytest.approx([-b[0], -b[1]], abs=1e-12) for a, b in zip(first, second))


def test_encoder_patterns_are_one_hot_and_their_own_targets():
    patterns, targets = encoder()
    assert len(patterns) == 8 and patterns == targets
    assert all(sum(p) == 1.0 for p in patterns) and len(set(map(tuple, patterns))) == 8
    with pytest.raises(ValueError):
        encoder(1)
