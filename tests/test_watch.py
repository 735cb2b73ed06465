"""The training record (autograd_mini.watch) and the pictures of a run."""

from __future__ import annotations

import math
import random
import re
import statistics
import tracemalloc
from pathlib import Path

import pytest

from autograd_mini import TrainingRecord, Value, watch
from autograd_mini.datasets import xor
from autograd_mini.losses import sum_squared_error
from autograd_mini.nn import MLP
from autograd_mini.viz import watching


def sigmoid_net(depth: int = 2, width: int = 2, activation: str = "sigmoid", seed: int = 0) -> MLP:
    return MLP(2, [width] * (depth - 1) + [1], activation=activation,
               output_activation="sigmoid", rng=random.Random(seed))


def train_per_pattern(net: MLP, run: TrainingRecord, sweeps: int, lr: float = 0.5) -> None:
    """XOR, one update per pattern (the paper's 'after each pattern' regime)."""
    patterns, targets = xor()
    for _ in range(sweeps):
        for x, d in zip(patterns, targets):
            error = sum_squared_error([net(x)], [d])
            net.zero_grad()
            error.backward()
            for p in net.parameters():
                p.data -= lr * p.grad
            run.record(error)


def norm(numbers) -> float:
    return math.sqrt(sum(x * x for x in numbers))


# -- what a step records -----------------------------------------------------------------


def test_each_step_records_the_loss_the_gradient_norms_and_the_update_ratio():
    """A hand-written loop over a dict of layers: every figure checked against the
    numbers the loop itself had at that step."""
    rng = random.Random(1)
    hidden = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(2)]
    output = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    run = watch({"hidden": hidden, "output": output})
    assert run.layers == ["hidden", "output"]
    start = run.history[0]
    assert start.step == 0 and math.isnan(start.loss)
    assert start.weights["hidden"] == [[p.data for p in unit] for unit in hidden]
    for x1, x2, d in [(0, 1, 1), (1, 1, 0), (1, 0, 1)]:
        h = [(u[0] * x1 + u[1] * x2 + u[2]).tanh() for u in hidden]
        y = (output[0] * h[0] + output[1] * h[1] + output[2]).sigmoid()
        error = 0.5 * (y - d) ** 2
        params = [*[p for u in hidden for p in u], *output]
        for p in params:
            p.grad = 0.0
        error.backward()
        before = {"hidden": [p.data for u in hidden for p in u], "output": [p.data for p in output]}
        grads = {"hidden": [p.grad for u in hidden for p in u], "output": [p.grad for p in output]}
        for p in params:
            p.data -= 0.3 * p.grad
        run.record(error)
        got = run.history[-1]
        assert got.loss == error.data
        for name in run.layers:
            assert got.grad_norm[name] == pytest.approx(norm(grads[name]), rel=1e-12)
            change = norm(0.3 * g for g in grads[name])
            assert got.update_ratio[name] == pytest.approx(change / norm(before[name]), rel=1e-9)
        assert got.weights["output"] == [[p.data for p in output]]
    assert run.step == 3 and [s.step for s in run.history] == [0, 1, 2, 3]


def test_probes_record_what_each_layer_puts_out_at_that_step():
    net = sigmoid_net(depth=3, width=3)
    patterns, _ = xor()
    run = watch(net, probes=patterns[:2])
    train_per_pattern(net, run, sweeps=2)
    last = run.history[-1]
    assert list(last.activity) == ["layer 1", "layer 2", "layer 3"]
    for k, pattern in enumerate(patterns[:2]):
        out = pattern
        for layer in net.layers:
            out = layer(out)
            assert last.activity[f"layer {net.layers.index(layer) + 1}"][k] == \
                [v.data for v in out]


def test_a_long_run_is_thinned_evenly_and_keeps_memory_flat():
    unit = [Value(0.5), Value(-0.25)]
    run = watch({"one": [unit]}, capacity=16)

    def steps(n: int) -> None:
        for k in range(n):
            unit[0].grad, unit[1].grad = 0.1, -0.1
            unit[0].data -= 0.001
            run.record(float(k))

    steps(10_000)
    kept = [s.step for s in run.history]
    assert len(kept) <= 16 and kept[0] == 0
    spacing = {b - a for a, b in zip(kept, kept[1:])}
    assert len(spacing) == 1  # evenly spread over the run
    assert kept[-1] > 10_000 - spacing.pop()
    tracemalloc.start()
    steps(10_000)
    first, _ = tracemalloc.get_traced_memory()
    steps(90_000)
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert run.step == 110_000 and len(run.history) <= 16
    assert second - first < 20_000, (first, second)  # bytes: flat, not growing per step


def test_the_series_leave_out_step_0_and_at_finds_the_nearest_kept_step():
    net = sigmoid_net()
    run = watch(net, capacity=4)
    train_per_pattern(net, run, sweeps=3)  # 12 steps, 4 kept at most
    steps, losses = run.series("loss")
    assert steps == [s.step for s in run.history[1:]] and len(losses) == len(steps)
    assert run.at(steps[0] + 1).step in (steps[0], steps[1])
    assert run.at(10_000) is run.history[-1]


@pytest.mark.parametrize("call, message", [
    (lambda: watch(3), "network of layers"),
    (lambda: watch({"a": [1.0, 2.0]}), "list of units"),
    (lambda: watch({}), "dict of layers"),
    (lambda: watch({"a": [Value(1.0)]}, probes=[[1.0]]), "probes need"),
    (lambda: watch({"a": [Value(1.0)]}, capacity=1), "capacity"),
    (lambda: watch({"a": [Value(1.0)]}).series("loss_curve"), "series are"),
    (lambda: watch({"a": [Value(1.0)]}).series("grad_norm", "b"), "no layer 'b'"),
])
def test_wrong_arguments_get_one_clear_message(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


# -- what the record shows ------------------------------------------------------------------


def test_vanishing_gradients_are_seen_in_a_six_layer_sigmoid_net():
    """Per-pattern updates on XOR: the first layer's gradient is far below the last's
    with sigmoid (each layer multiplies by σ' ≤ 1/4), much less so with tanh or relu."""
    gaps = {}
    for activation in ("sigmoid", "tanh", "relu"):
        net = sigmoid_net(depth=6, width=4, activation=activation)
        run = watch(net)
        train_per_pattern(net, run, sweeps=25)
        first = statistics.median(run.series("grad_norm", "layer 1")[1])
        last = statistics.median(run.series("grad_norm", "layer 6")[1])
        gaps[activation] = last / first
    assert gaps["sigmoid"] >= 100, gaps
    assert gaps["tanh"] < 100 and gaps["relu"] < 100, gaps


def test_the_boundary_at_a_step_uses_that_steps_weights_and_leaves_the_model_alone():
    net = sigmoid_net(depth=3, width=4, activation="tanh")
    start = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", rng=random.Random(0))
    patterns, targets = xor()
    run = watch(net)
    train_per_pattern(net, run, sweeps=5)
    now = [p.data for p in net.parameters()]
    panel = watching.boundary_panel(run, net, patterns, [2 * t - 1 for t in targets], step=0,
                                    steps=5)
    assert [p.data for p in net.parameters()] == now
    expected = watching.Boundary(lambda x, y: start([x, y]).data, patterns,
                                 [2 * t - 1 for t in targets], 5)
    assert panel.regions == expected.regions and panel.title.endswith("step 0")


def test_the_pictures_name_every_layer_and_draw_in_both_back_ends(tmp_path):
    net = sigmoid_net(depth=3, width=3, activation="relu")
    patterns, _ = xor()
    run = watch(net, probes=patterns)
    train_per_pattern(net, run, sweeps=4)
    figure = watching.run_figure(run)
    svg = figure.svg()
    for name in run.layers:
        assert name in svg
    assert "‖∂E/∂W‖ per layer" in svg
    activity = watching.Figure(watching.activity_panel(run, probe=1)).svg()
    assert "probe 2 at step" in activity
    pytest.importorskip("matplotlib")
    figure.matplotlib()  # draws, log scales and all, where a relu layer's gradient was 0


def test_a_run_page_is_one_self_contained_file_with_a_frame_per_picked_step(tmp_path):
    net = sigmoid_net(depth=2, width=2)
    run = watch(net)
    train_per_pattern(net, run, sweeps=10)
    page = watching.write_run_page(run, tmp_path / "run.html", frames=5, title="XOR <learning>")
    text = page.read_text()
    steps = [int(s) for s in re.findall(r'<figure data-step="(\d+)"', text)]
    assert steps == [1, 11, 21, 30, 40]
    assert "XOR &lt;learning&gt;" in text and "<learning>" not in text
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched from anywhere
    with pytest.raises(ValueError, match="frames"):
        watching.write_run_page(run, tmp_path / "other.html", frames=1)
    assert not (tmp_path / "other.html").exists()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_run_pages_pictures_name_the_layers_in_the_readers_language(tmp_path, language):
    """The record's keys stay "layer 1" in every language (code indexes by them); its
    pictures -- legends, the weights' titles, the units' rows -- say 층 1 in Korean."""
    from autograd_mini.core.language import speaking

    net = sigmoid_net(depth=3, width=2)
    patterns, _ = xor()
    run = watch(net, probes=patterns)
    train_per_pattern(net, run, sweeps=2)
    with speaking(language):
        text = watching.write_run_page(run, tmp_path / "run.html", frames=2).read_text()
        activity = watching.Figure(watching.activity_panel(run)).svg()
    assert run.layers == ["layer 1", "layer 2", "layer 3"]
    assert run.series("grad_norm", "layer 1")[1]  # the keys code reads by
    if language == "ko":
        assert not re.search("layer", text + activity, re.I)
        assert "층 1" in text and "8단계의 층 3" in text and "층 2" in activity
        assert 'aria-label="단계"' in text
    else:
        assert "layer 1" in text and "layer 3 at step 8" in text and "layer 2" in activity
        assert 'aria-label="step"' in text


def test_a_layers_shown_name_is_the_readers_and_other_names_stay():
    from autograd_mini.core.language import speaking
    from autograd_mini.explain.units import shown_layer

    with speaking("ko"):
        assert [shown_layer(n) for n in ("layer 1", "layer 12", "person", "layer x")] == \
            ["층 1", "층 12", "person", "layer x"]
    with speaking("en"):
        assert shown_layer("layer 2") == "layer 2"


@pytest.mark.slow
@pytest.mark.browser
def test_the_run_page_plays_in_a_browser_at_both_widths(tmp_path, browser):
    net = sigmoid_net(depth=2, width=2)
    run = watch(net)
    train_per_pattern(net, run, sweeps=10)
    page_file = watching.write_run_page(run, tmp_path / "run.html", frames=4)
    for width in (1280, 390):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(page_file.as_uri())
        assert page.inner_text("#step") == "step 1"
        assert page.locator("figure:not([hidden])").count() == 1
        page.click("#play")
        page.wait_for_function("document.getElementById('step').textContent === 'step 40'")
        assert page.inner_text("#play") == "Play"  # stopped at the last frame
        shown = page.locator("figure:not([hidden]) svg").first.bounding_box()
        assert shown["width"] <= width  # a panel fits the screen
        page.close()


def test_the_readme_example_runs_and_writes_its_page(tmp_path, monkeypatch):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Watching a network learn")[1]
    block = section.split("```python\n")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(block, "README.md", "exec"), names)  # the README's own code
    run = names["run"]
    assert run.step == 200 and len(run.history) == 201
    assert (tmp_path / "run.html").read_text().count("<figure data-step=") == 40


def test_a_net_with_named_layers_is_watched_layer_by_layer_name():
    """The family-trees net: not a stack, its layers named as in the paper's Fig. 2;
    its probes are (person, relation) pairs, read by an activity function."""
    from autograd_mini.demos.family_trees import FamilyNet, one_hot

    net = FamilyNet(rng=random.Random(0))
    probe = (one_hot(0, 24), one_hot(3, 12))

    def activity(pair):
        codes = net.layers(*pair)[2:]
        return {name: [v.data for v in row] for name, row in
                zip(["person", "relation", "central", "decode", "output"], codes)}

    run = watch(net, probes=[probe], activity=activity)
    assert run.layers == ["person", "relation", "central", "decode", "output"]
    assert len(run.history[0].weights["person"]) == 6
    assert len(run.history[0].weights["person"][0]) == 25  # 24 weights and the bias
    assert len(run.history[0].activity["output"][0]) == 24
