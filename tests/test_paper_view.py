"""The paper's view of a backward pass (explain/units.py): every number in it is the
engine's, and each obeys the paper's equation it is shown beside."""

import random
import re

import pytest

from autograd_mini import PRIMITIVES, gradients
from autograd_mini.core.language import display_width, speaking
from autograd_mini.datasets import symmetry
from autograd_mini.explain.units import EQUATIONS, paper_view, record_sweep, unit_names
from autograd_mini.losses import sum_squared_error
from autograd_mini.nn import MLP, Neuron
from autograd_mini.optim import SGD


def symmetry_net(seed: int = 0) -> MLP:
    return MLP(6, [2, 1], activation="sigmoid", output_activation="sigmoid", init="paper",
               scale=0.3, rng=random.Random(seed))


def symmetry_cases(count: int = 64):
    xs, ds = symmetry(6)
    return xs[:count], [[d] for d in ds[:count]]


def test_units_are_named_as_in_the_paper_figures():
    assert list(unit_names(symmetry_net()).values()) == [
        "hidden unit 1", "hidden unit 2", "output unit"]
    deep = MLP(2, [3, 2, 2], activation="tanh")
    names = list(unit_names(deep).values())
    assert names[0] == "hidden unit 1 (layer 1)" and names[-1] == "output unit 2"


def test_every_number_obeys_its_equation_on_the_symmetry_net():
    net = symmetry_net()
    xs, ds = symmetry_cases()
    view = paper_view(net, xs, ds, lr=0.1, momentum=0.9)
    loss = sum_squared_error([net(x) for x in xs], ds)
    assert view.error == pytest.approx(loss.data, abs=1e-12)           # (3)
    engine = gradients(loss)
    params = dict(zip(net.parameters(), [engine[p] for p in net.parameters()]))
    out, hidden = view.unit("output unit"), view.unit("hidden unit 1")
    for row in out.rows:
        assert row.dE_dy == pytest.approx(row.y - row.target, abs=1e-15)  # (4)
    for unit in (out, hidden):
        for row in unit.rows:
            assert row.slope == pytest.approx(row.y * (1 - row.y), abs=1e-15)
            assert row.dE_dx == pytest.approx(row.dE_dy * row.y * (1 - row.y), abs=1e-15)  # (5)
    for row in hidden.rows:  # (7): the terms the sweep added from the unit above
        (above, dE_dx, w, product), = row.sent_back
        assert above == "output unit" and w == net.layers[1].neurons[0].w[0].data
        assert dE_dx == out.rows[row.case - 1].dE_dx and product == dE_dx * w
        assert row.dE_dy == pytest.approx(product, abs=1e-15)
    neuron = net.layers[0].neurons[0]
    for i, weight in enumerate(hidden.weights[:-1]):  # (6), summed over the 64 cases
        assert weight.source == f"x{i + 1}" and len(weight.terms) == 64
        for row, term, x in zip(hidden.rows, weight.terms, xs):
            assert term == pytest.approx(row.dE_dx * x[i], abs=1e-15)
        assert weight.dE_dw == params[neuron.w[i]]
        assert sum(weight.terms) == pytest.approx(weight.dE_dw, abs=1e-12)
        assert weight.change == pytest.approx(-0.1 * weight.dE_dw, abs=1e-15)  # (8)


def test_the_change_is_the_optimizers_own_momentum_rule():
    net = symmetry_net(1)
    xs, ds = symmetry_cases(8)
    opt = SGD(net.parameters(), lr=0.5, momentum=0.9)
    loss = sum_squared_error([net(x) for x in xs], ds)
    loss.backward()
    opt.step()
    net.zero_grad()
    view = paper_view(net, xs, ds, optimizer=opt)
    assert (view.epsilon, view.alpha) == (0.5, 0.9)
    weight = view.unit("output unit").weights[0]
    previous = opt.changes[net.parameters().index(net.layers[1].neurons[0].w[0])]
    assert weight.previous == previous != 0
    assert weight.change == pytest.approx(-0.5 * weight.dE_dw + 0.9 * previous, abs=1e-15)  # (9)
    before = [p.data for p in net.parameters()]
    for p in net.parameters():
        p.grad = view.sweep.grads[p]
    opt.step()  # the rule shown is the rule the optimizer then applies
    moved = net.layers[1].neurons[0].w[0]
    assert moved.data - before[net.parameters().index(moved)] == pytest.approx(
        weight.change, abs=1e-15)


def test_the_view_writes_no_gradient_and_matches_backward():
    net = symmetry_net(2)
    xs, ds = symmetry_cases(16)
    sweep = record_sweep(net, xs, ds)
    assert all(p.grad == 0.0 for p in net.parameters())
    sum_squared_error([net(x) for x in xs], ds).backward()
    assert [sweep.grads[p] for p in net.parameters()] == pytest.approx(
        [p.grad for p in net.parameters()], abs=1e-12)


def test_the_family_trees_net_is_shown_unit_by_unit():
    from demos import family_trees as ft

    trees = ft.family_trees()
    net = ft.FamilyNet(rng=random.Random(0))
    cases = ft.encode(trees, trees.queries[:3])
    view = paper_view(net, [(p, r) for p, r, _ in cases], [t for *_, t in cases], lr=0.02)
    names = [u.name for u in view.units]
    assert names[:2] == ["person unit 1", "person unit 2"] and "central unit 12" in names
    assert names[-1] == "output unit 24" and len(names) == 6 + 6 + 12 + 6 + 24
    person = view.unit("person unit 1")
    row = person.rows[0]
    assert len(row.sent_back) == 12  # eq. 7 over the 12 central units it feeds
    assert row.dE_dy == pytest.approx(sum(t[3] for t in row.sent_back), abs=1e-15)
    text = view.text(1)
    for number in range(1, 10):
        assert f"({number})" in text, number
    assert "(6) = Σ_c" in text and "(8, 9)" in text and "(7) ∂E/∂y_j" in text


def test_the_html_escapes_every_name():
    net = MLP(2, [1], activation="sigmoid")
    view = paper_view(net, [[1.0, 2.0]], [[1.0]],
                      names={net.layers[0].neurons[0]: "<b>j</b> & co"})
    html = view.html()
    assert "&lt;b&gt;j&lt;/b&gt; &amp; co" in html and "<b>j" not in html
    assert "(5) ∂E/∂x_j = ∂E/∂y_j · ∂y_j/∂x_j" in html and "(9) Δw(t)" in html


def test_the_equations_are_the_papers_nine():
    assert sorted(EQUATIONS) == list(range(1, 10))
    assert EQUATIONS[5] == "∂E/∂x_j = ∂E/∂y_j · y_j(1 − y_j)"


def test_a_linear_unit_has_slope_one():
    net = MLP(2, [2, 1], activation="tanh")
    view = paper_view(net, [[0.5, -1.0]], [[0.3]])
    out = view.unit("output unit")
    assert out.slope_rule == "1" and out.rows[0].dE_dx == out.rows[0].dE_dy
    hidden = view.unit("hidden unit 1")
    assert hidden.slope_rule == "1 - y_j**2"
    assert isinstance(net.layers[0].neurons[0], Neuron)


def test_a_single_output_may_have_its_target_as_a_number():
    net = symmetry_net(3)
    xs, ds = symmetry_cases(4)
    flat = paper_view(net, xs, [d for (d,) in ds])
    listed = paper_view(net, xs, ds)
    assert flat.error == listed.error and flat.units == listed.units
    with pytest.raises(ValueError, match="4 cases but 3 targets"):
        paper_view(net, xs, ds[:3])


# --- In Korean ------------------------------------------------------------------------------

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def numbers(text: str) -> list[str]:
    """Every number a text writes, in order of their value's text (a translation may put
    them in its own order)."""
    return sorted(NUMBER.findall(text))


def english_words(text: str) -> list[str]:
    """Words of four or more Latin letters that are not an op's name (``sigmoid``)."""
    return sorted(set(re.findall(r"[A-Za-z]{4,}", text)) - set(PRIMITIVES))


def cell_columns(line: str) -> set[int]:
    """The terminal columns where a cell of an aligned row starts (after two spaces)."""
    starts, column, before = set(), 0, ""
    for char in line:
        if char != " " and before.endswith("  "):
            starts.add(column)
        before, column = before[-1:] + char, column + display_width(char)
    return starts


def test_in_korean_the_paper_view_says_the_same_numbers_in_aligned_tables():
    net = symmetry_net()
    xs, ds = symmetry_cases(5)
    english = paper_view(net, xs, ds, lr=0.1, momentum=0.9).text(cases=2)
    with speaking("ko"):
        view = paper_view(net, xs, ds, lr=0.1, momentum=0.9)
        korean = view.text(cases=2)
    assert [u.name for u in view.units] == ["은닉 유닛 1", "은닉 유닛 2", "출력 유닛"]
    assert view.unit("출력 유닛").weights[0].source == "은닉 유닛 1"
    # code reads the same in every language: a unit is also found by its English name
    assert view.unit("output unit") is view.unit("출력 유닛")
    assert view.text(0, units=["hidden unit 2"]) == view.text(0, units=["은닉 유닛 2"])
    assert numbers(korean) == numbers(english)
    assert english_words(korean) == [] and english_words(english)
    for phrase in ("사례 5개에 대한 E", "사례 1:", "은닉 유닛 1에서 오는 가중치, 모든 사례:",
                   "(k는 역전파가 더한 순서대로: 출력 유닛)", "… 사례 3개 더", "(항 5개)",
                   "출력 유닛  (sigmoid, 가중치 2개와 편향 하나)", "보내는 유닛 i",
                   "편향 (y_i = 1)"):
        assert phrase in korean, phrase
    lines = korean.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("  -  ") or
             line.startswith("  ---")]
    assert len(rules) == 2 * len(view.units)  # each unit: its cases, its weights
    for i in rules:  # every row's cells start where the rule's dashes do, Hangul two wide
        shown = 2 if lines[i - 1].startswith("  c ") else 3  # 2 cases, or 2 weights and b
        columns = cell_columns(lines[i].replace("-", "x"))
        for row in [lines[i - 1], *lines[i + 1:i + 1 + shown]]:
            assert cell_columns(row) == columns, (row, lines[i])
    assert any(re.search("[\uac00-\ud7a3]", lines[r + 2]) for r in rules)  # Hangul cells


def test_in_korean_the_html_escapes_every_cell():
    net = MLP(2, [2, 1], activation="sigmoid", rng=random.Random(0))
    with speaking("ko"):
        html = paper_view(net, [[1.0, 2.0]], [[1.0]],
                          names={net.layers[0].neurons[0]: "<b>유닛</b> & co"}).html()
    assert "&lt;b&gt;유닛&lt;/b&gt; &amp; co" in html and "<b>" not in html
    assert "<th>보내는 유닛 i</th>" in html and "<caption" in html
    assert "사례 1개에 대한 E = ½ Σ_c Σ_j (y_jc − d_jc)²" in html
    assert "&lt;b&gt;유닛&lt;/b&gt; &amp; co에서 오는 가중치" in html  # a source named so
