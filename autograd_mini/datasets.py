"""Small datasets, generated in code (nothing is downloaded).

* :func:`xor` -- the four patterns of exclusive or;
* :func:`symmetry` -- the 64 six-bit patterns of Rumelhart et al.'s Fig. 1;
* :func:`family_trees` -- the two isomorphic family trees of their Figs. 2-4, with the
  facts derived from the trees by rules;
* :func:`two_moons` -- two interleaved half circles (micrograd's demo data);
* :func:`circles` -- a ring around a disc;
* :func:`spiral` -- two interleaved spiral arms;
* :func:`encoder` -- the 8-3-8 encoder problem: each one-of-eight pattern is its own target.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

from .core.language import _

__all__ = ["xor", "symmetry", "is_mirror", "FamilyTrees", "family_trees", "RELATIONS",
           "two_moons", "circles", "spiral", "encoder"]


def xor() -> tuple[list[list[float]], list[float]]:
    """The inputs (0/1 pairs) and targets of exclusive or."""
    inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return inputs, [float(a != b) for a, b in inputs]


def is_mirror(bits: list[float]) -> bool:
    """Whether the pattern reads the same from both ends (symmetric about its centre)."""
    return list(bits) == list(reversed(bits))


def symmetry(n: int = 6) -> tuple[list[list[float]], list[float]]:
    """All 2^n binary patterns, with target 1 for the mirror-symmetric ones."""
    if n < 1:
        raise ValueError(_("n must be at least 1, got {n}", n=n))
    patterns = [list(map(float, bits)) for bits in itertools.product((0, 1), repeat=n)]
    return patterns, [float(is_mirror(p)) for p in patterns]


RELATIONS = ("father", "mother", "husband", "wife", "son", "daughter",
             "uncle", "aunt", "brother", "sister", "nephew", "niece")

# Each tree as couples (husband, wife, children); the Italian tree has the same shape.
_ENGLISH = [("Christopher", "Penelope", ["Arthur", "Victoria"]),
            ("Andrew", "Christine", ["James", "Jennifer"]),
            ("Arthur", "Margaret", []),
            ("James", "Victoria", ["Colin", "Charlotte"]),
            ("Charles", "Jennifer", [])]
_ITALIAN = [("Roberto", "Maria", ["Emilio", "Lucia"]),
            ("Pierro", "Francesca", ["Marco", "Angela"]),
            ("Emilio", "Gina", []),
            ("Marco", "Lucia", ["Alfonso", "Sophia"]),
            ("Tomaso", "Angela", [])]
_MALE = {"Christopher", "Andrew", "Arthur", "James", "Charles", "Colin",
         "Roberto", "Pierro", "Emilio", "Marco", "Tomaso", "Alfonso"}


@dataclass(frozen=True)
class FamilyTrees:
    """The people, the relationships, and every fact ``(person, relation) -> answers``."""

    people: tuple[str, ...]
    relations: tuple[str, ...]
    facts: dict[tuple[str, str], frozenset[str]]

    @property
    def queries(self) -> list[tuple[str, str]]:
        return list(self.facts)

    def answers(self, person: str, relation: str) -> frozenset[str]:
        return self.facts.get((person, relation), frozenset())


def _tree_facts(couples) -> dict[tuple[str, str], set[str]]:
    spouse, parents = {}, {}
    for husband, wife, children in couples:
        spouse[husband], spouse[wife] = wife, husband
        for child in children:
            parents[child] = (husband, wife)
    people = set(spouse) | set(parents)
    male = lambda p: p in _MALE  # noqa: E731
    children = {p: {c for c, ps in parents.items() if p in ps} for p in people}
    siblings = {p: {q for q in people if q != p and parents.get(q) and parents.get(q)
                    == parents.get(p)} for p in people}
    # A parent's siblings, and the spouses of those siblings (uncles and aunts by marriage).
    elders = {p: {s for par in parents.get(p, ()) for s in siblings[par]} for p in people}
    elders = {p: es | {spouse[s] for s in es if s in spouse} for p, es in elders.items()}
    # Children of one's siblings, and of one's spouse's siblings.
    youngers = {p: {c for s in siblings[p] | (siblings[spouse[p]] if p in spouse else set())
                    for c in children[s]} for p in people}
    rules = {
        "father": lambda p: {q for q in parents.get(p, ()) if male(q)},
        "mother": lambda p: {q for q in parents.get(p, ()) if not male(q)},
        "husband": lambda p: {spouse[p]} if p in spouse and not male(p) else set(),
        "wife": lambda p: {spouse[p]} if p in spouse and male(p) else set(),
        "son": lambda p: {c for c in children[p] if male(c)},
        "daughter": lambda p: {c for c in children[p] if not male(c)},
        "uncle": lambda p: {q for q in elders[p] if male(q)},
        "aunt": lambda p: {q for q in elders[p] if not male(q)},
        "brother": lambda p: {q for q in siblings[p] if male(q)},
        "sister": lambda p: {q for q in siblings[p] if not male(q)},
        "nephew": lambda p: {q for q in youngers[p] if male(q)},
        "niece": lambda p: {q for q in youngers[p] if not male(q)},
    }
    return {(p, r): answers for p in sorted(people) for r in RELATIONS
            if (answers := rules[r](p))}


def family_trees() -> FamilyTrees:
    """The English and Italian trees: 24 people, 12 relations, 104 queries, 112 answers."""
    people: list[str] = []
    for couples in (_ENGLISH, _ITALIAN):
        for husband, wife, children in couples:
            for person in (husband, wife, *children):
                if person not in people:
                    people.append(person)
    facts = {**_tree_facts(_ENGLISH), **_tree_facts(_ITALIAN)}
    ordered = {(p, r): frozenset(facts[(p, r)]) for p in people for r in RELATIONS
               if (p, r) in facts}
    return FamilyTrees(tuple(people), RELATIONS, ordered)


def two_moons(n: int = 100, noise: float = 0.1, seed: int = 0
              ) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles, labels -1 and +1 (like scikit-learn's make_moons)."""
    if n < 2:
        raise ValueError(_("n must be at least 2, got {n}", n=n))
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        upper = i < n // 2
        k = i if upper else i - n // 2
        count = n // 2 if upper else n - n // 2
        angle = math.pi * k / max(count - 1, 1)
        x, y = (math.cos(angle), math.sin(angle)) if upper else (1 - math.cos(angle),
                                                                 0.5 - math.sin(angle))
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append(-1.0 if upper else 1.0)
    return points, labels


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(_("n must be a whole number of at least 2, got {n}", n=repr(n)))


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0
            ) -> tuple[list[list[float]], list[float]]:
    """Points on a circle of radius 1 (label -1) around points on one of radius
    ``factor`` (label +1), jittered by ``noise`` (like scikit-learn's make_circles).
    No straight line separates them: a hidden layer has to bend the boundary round."""
    _check_count(n)
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        inner = i >= n // 2
        k, count = (i - n // 2, n - n // 2) if inner else (i, n // 2)
        angle = 2 * math.pi * k / count
        radius = factor if inner else 1.0
        points.append([radius * math.cos(angle) + rng.gauss(0, noise),
                       radius * math.sin(angle) + rng.gauss(0, noise)])
        labels.append(1.0 if inner else -1.0)
    return points, labels


def spiral(n: int = 100, turns: float = 1.0, noise: float = 0.05, seed: int = 0
           ) -> tuple[list[list[float]], list[float]]:
    """Two spiral arms wound ``turns`` times round the origin, one the other turned by
    half a circle (labels -1 and +1): the hardest of the 2-D problems here."""
    _check_count(n)
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        second = i >= n // 2
        k, count = (i - n // 2, n - n // 2) if second else (i, n // 2)
        along = (k + 1) / count  # 0 at the centre, 1 at the end of the arm
        angle = 2 * math.pi * turns * along + (math.pi if second else 0.0)
        points.append([along * math.cos(angle) + rng.gauss(0, noise),
                       along * math.sin(angle) + rng.gauss(0, noise)])
        labels.append(1.0 if second else -1.0)
    return points, labels


def encoder(n: int = 8) -> tuple[list[list[float]], list[list[float]]]:
    """The encoder problem (Rumelhart et al. 1986; Ackley, Hinton & Sejnowski 1985): the
    ``n`` one-hot patterns, each its own target, so a net with fewer hidden units than
    ``n`` (3 for 8) must find a code for them."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(_("n must be a whole number of at least 2, got {n}", n=repr(n)))
    patterns = [[float(i == j) for j in range(n)] for i in range(n)]
    return patterns, [list(p) for p in patterns]
