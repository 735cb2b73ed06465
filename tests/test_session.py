"""The training session (autograd_mini.viz.session.Trainer): settings in, sweeps,
pictures and one pattern's backward pass out."""

from __future__ import annotations

import math
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini.core.language import speaking
from autograd_mini.viz.session import (
    ACTIVATIONS,
    DATASETS,
    HISTORY,
    UPDATES,
    Settings,
    Trainer,
)

settings_strategy = st.builds(
    Settings,
    dataset=st.sampled_from(sorted(DATASETS)),
    hidden=st.lists(st.integers(1, 64), max_size=4).map(tuple),
    activation=st.sampled_from(ACTIVATIONS),
    lr=st.floats(0.0, 10.0, exclude_min=True),
    momentum=st.floats(0.0, 1.0, exclude_max=True),
    init=st.floats(0.0, 10.0, exclude_min=True),
    update=st.sampled_from(UPDATES),
    seed=st.integers(0, 2**32 - 1),
)


# -- settings ------------------------------------------------------------------------------


@given(settings_strategy)
def test_settings_round_trip_through_a_query_and_a_dict(settings):
    assert Settings.from_query(settings.query()) == settings
    assert Settings.from_query("?" + settings.query()) == settings
    assert Settings.from_dict(settings.as_dict()) == settings


def test_a_query_reads_every_setting():
    s = Settings.from_query("dataset=moons&hidden=8,8&activation=tanh&lr=0.05&momentum=0.5"
                            "&init=1&update=pattern&seed=7")
    assert s == Settings("moons", (8, 8), "tanh", 0.05, 0.5, 1.0, "pattern", 7)
    assert Settings.from_query("hidden=").hidden == ()  # no hidden layer
    assert Settings.from_query("") == Settings()


@pytest.mark.parametrize("query, message", [
    ("dataset=mnist", "dataset must be one of xor, circles, moons, spiral, symmetry, encoder"),
    ("activation=softmax", "activation must be one of .*tanh, sigmoid, relu.*linear"),
    ("update=online", "update must be one of batch, pattern"),
    ("learning_rate=1", "setting must be one of dataset, hidden, activation, lr"),
    ("lr=0", r"lr must be in \(0, 10\]"),
    ("lr=11", r"lr must be in \(0, 10\]"),
    ("lr=nan", r"lr must be in \(0, 10\]"),
    ("lr=inf", r"lr must be in \(0, 10\]"),
    ("lr=__import__('os')", "is not a number of the kind lr takes"),
    ("momentum=1", r"momentum must be in \[0, 1\)"),
    ("momentum=-0.1", r"momentum must be in \[0, 1\)"),
    ("init=0", r"init must be in \(0, 10\]"),
    ("hidden=4,0", "each hidden width must be a whole number from 1 to 64"),
    ("hidden=65", "each hidden width must be a whole number from 1 to 64"),
    ("hidden=4,x", "hidden='4,x' is not a number"),
    ("hidden=1,1,1,1,1", "at most 4 layers"),
    ("seed=-1", "seed must be a whole number from 0"),
    ("seed=1.5", "seed='1.5' is not a number"),
    ("lr=1&lr=2", "the query gives lr more than once"),
])
def test_a_wrong_setting_gets_one_clear_error(query, message):
    with pytest.raises(ValueError, match=message):
        Trainer.from_query(query)


def test_wrong_types_are_refused():
    with pytest.raises(TypeError, match="hidden must be a list"):
        Settings(hidden="4")
    with pytest.raises(TypeError, match="lr must be a number"):
        Settings(lr="0.5")
    with pytest.raises(TypeError, match="settings must be a dict"):
        Settings.from_dict([("lr", 1)])
    with pytest.raises(ValueError, match="n must be a whole number"):
        Trainer().step(-1)


@pytest.mark.parametrize("query, message", [
    ("lr=11", r"lr은\(는\) \(0, 10\] 안에 있어야 하는데 11.0입니다"),
    ("learning_rate=1",
     r"설정은 dataset, hidden, .* 중 하나여야 하는데 'learning_rate'입니다"),  # 설정 + 은
    ("hidden=4,x", r"hidden='4,x'은\(는\) hidden이\(가\) 받는 종류의 수가 아닙니다"),
    ("lr=1&lr=2", r"쿼리에 lr이\(가\) 두 번 이상 있습니다"),
])
def test_a_wrong_setting_is_told_in_korean_with_the_value_as_given(query, message):
    with speaking("ko"), pytest.raises(ValueError, match=message):
        Trainer.from_query(query)
    with speaking("ko"), pytest.raises(ValueError, match="pattern은 0부터 3까지의 정수"):
        Trainer().explain(4)


# -- training ------------------------------------------------------------------------------

RUNS = {  # settings, sweeps, and how far the error falls over a short seeded run
    "xor": ("dataset=xor&hidden=4&lr=0.5&momentum=0.9&init=1&seed=1", 150, 0.8),
    "circles": ("dataset=circles&hidden=8&activation=tanh&lr=0.02&momentum=0.9&seed=0", 40, 0.8),
    "moons": ("dataset=moons&hidden=8&activation=tanh&lr=0.02&momentum=0.9&seed=0", 40, 0.8),
    # the spiral first loses what a straight line can take off, then waits on a plateau
    "spiral": ("dataset=spiral&hidden=16&activation=tanh&lr=0.02&momentum=0.9&seed=0", 40, 0.85),
    "symmetry": ("dataset=symmetry&hidden=2&lr=0.1&momentum=0.9&init=0.3&seed=0", 40, 0.8),
    "encoder": ("dataset=encoder&hidden=3&lr=0.5&momentum=0.9&init=1&update=pattern", 80, 0.8),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_dataset_trains_and_its_error_falls(name):
    query, sweeps, fall = RUNS[name]
    trainer = Trainer.from_query(query)
    trainer.step()
    first = trainer.loss()
    trainer.step(sweeps)
    assert trainer.step_count == sweeps + 1
    assert trainer.loss() < fall * first, (first, trainer.loss())
    assert trainer.state()["loss"] == trainer.loss()


def test_the_same_settings_train_the_same_way():
    a, b = (Trainer.from_query("dataset=moons&hidden=4&seed=3") for _ in range(2))
    a.step(3)
    b.step(3)
    assert [s.loss for s in a.history][1:] == [s.loss for s in b.history][1:]
    assert a.model.state_dict() == b.model.state_dict()


def test_a_batch_sweep_is_one_change_from_the_summed_error():
    """One batch sweep moves each weight by −ε ∂E/∂w, E summed over all the patterns."""
    trainer = Trainer(dataset="xor", hidden=[2], lr=0.5, momentum=0.0)
    before = [p.data for p in trainer.model.parameters()]
    total = trainer.error(0) + trainer.error(1) + trainer.error(2) + trainer.error(3)
    trainer.model.zero_grad()
    total.backward()
    expected = [w - 0.5 * p.grad for w, p in zip(before, trainer.model.parameters())]
    trainer.step()
    assert [p.data for p in trainer.model.parameters()] == pytest.approx(expected, rel=1e-12)
    assert trainer.loss() == pytest.approx(total.data)


def test_per_pattern_updates_change_the_weights_once_a_pattern():
    trainer = Trainer(dataset="xor", hidden=[2], lr=0.5, momentum=0.0, update="pattern")
    changes = []
    step = trainer.optimizer.step
    trainer.optimizer.step = lambda: (changes.append(1), step())
    trainer.step(2)
    assert len(changes) == 8 and trainer.step_count == 2


def test_the_state_is_plain_data():
    trainer = Trainer.from_query("dataset=encoder&hidden=3")
    state = trainer.state()
    assert state["step"] == 0 and state["loss"] is None  # no sweep yet: no error
    trainer.step(2)
    state = trainer.state()
    assert state["step"] == 2 and state["patterns"] == 8
    assert state["layers"] == ["layer 1", "layer 2"]
    assert Trainer.from_query(state["query"]).settings == trainer.settings


# -- pictures and the backward pass ---------------------------------------------------------


def test_pictures_show_the_loss_the_gradients_every_layer_and_a_2d_boundary():
    trainer = Trainer(dataset="moons", hidden=[3, 2], activation="tanh", lr=0.05)
    trainer.step(2)
    pictures = trainer.pictures()
    assert list(pictures) == ["loss", "gradients", "layer 1", "layer 2", "layer 3", "boundary"]
    assert all(svg.startswith("<svg") for svg in pictures.values())
    assert "layer 3 at step 2" in pictures["layer 3"]
    assert "decision boundary at step 2" in pictures["boundary"]
    trainer.step()
    assert trainer.pictures()["boundary"] != pictures["boundary"]


def test_only_the_2d_datasets_have_a_boundary():
    pictures = Trainer(dataset="encoder", hidden=[3]).pictures()
    assert sorted(pictures) == ["gradients", "layer 1", "layer 2", "loss"]


def test_explain_is_the_engines_backward_pass_on_a_copy():
    trainer = Trainer(dataset="xor", hidden=[3], seed=2)
    trainer.step(5)
    weights = trainer.model.state_dict()
    grads = [p.grad for p in trainer.model.parameters()]
    record = trainer.explain(pattern=2)
    assert trainer.model.state_dict() == weights  # the trainer's net is untouched
    assert [p.grad for p in trainer.model.parameters()] == grads
    error = trainer.error(2)  # the engine's own sweep, on the trainer's net
    trainer.model.zero_grad()
    error.backward()
    assert record.output.data == error.data
    # the copy's parameters, each known by its label and its (random, so distinct) weight
    copied = {(node.label, node.data): record.grads[node] for node in record.names
              if not node.parents and (node.label == "b" or node.label.startswith("w"))}
    params = trainer.model.parameters()
    assert len(copied) == len(params) == 13
    assert [copied[p.label, p.data] for p in params] == [p.grad for p in params]
    with pytest.raises(ValueError, match="pattern must be a whole number from 0 to 3"):
        trainer.explain(4)


def test_the_explain_page_walks_that_pass():
    pytest.importorskip("graphviz")
    trainer = Trainer(dataset="xor", hidden=[2])
    page = trainer.explain_page(1)
    assert page.startswith("<!DOCTYPE html>") and "Pattern 2, step 0" in page
    with speaking("ko"):
        page = trainer.explain_page(1)
    assert "<title>패턴 2, 0단계: 역전파, 단계별로</title>" in page


def test_memory_stays_bounded_over_a_long_run():
    trainer = Trainer(dataset="xor", hidden=[2], lr=0.5)
    trainer.step(HISTORY)
    tracemalloc.start()
    try:
        trainer.step(2 * HISTORY)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert trainer.step_count == 3 * HISTORY and len(trainer.history) <= HISTORY
    assert trainer.history[0].step == 0 and trainer.history[-1].step == 3 * HISTORY
    assert held < 2_000_000, held  # the kept snapshots, not one per sweep
    assert math.isfinite(trainer.loss())
