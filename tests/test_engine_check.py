"""check_engine (autograd_mini.testing.grader) grades a student's engine: a corpus of
micrograd-style engines, each with one classic bug, is caught bug by bug with the right op
named and a diagnosis that fits; micrograd 0.1.0 fails only its documented recursion limit;
the compatibility layer passes all.  The command and the pytest plugin run as a student
would run them, in subprocesses."""

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd_mini.micrograd import Value as CompatValue
from autograd_mini.testing import Adapter, EngineReport, check_engine
from autograd_mini.testing.grader import CATEGORIES, load_engine
from autograd_mini.testing.loading import EngineLoadError

ROOT = Path(__file__).resolve().parents[1]
ENGINE = Path(__file__).resolve().parent / "engines" / "student_engine.py"
SOURCE = ENGINE.read_text()

# name: (the text replaced, its replacement, the op to blame, words the diagnosis must hold)
MUTANTS = {
    "add overwrites instead of accumulating": (
        "            self.grad += out.grad\n            other.grad += out.grad",
        "            self.grad = out.grad\n            other.grad = out.grad",
        "add", "overwritten instead of added"),
    "mul overwrites instead of accumulating": (
        "            self.grad += other.data * out.grad\n            other.grad += self.data",
        "            self.grad = other.data * out.grad\n            other.grad = self.data",
        "mul", "overwritten instead of added"),
    "no topological order (a breadth-first walk)": (
        "        self.grad = 1.0\n        for node in reversed(topo):\n"
        "            node._backward()",
        "        self.grad = 1.0\n        queue = [self]\n        while queue:\n"
        "            node = queue.pop(0)\n            node._backward()\n"
        "            queue.extend(node._prev)",
        "backward", "counted more than once"),
    "topological order not reversed": (
        "for node in reversed(topo):", "for node in topo:",
        "backward", "passes no gradient on as an inner node"),
    "tanh's rule from the input instead of the output": (
        "self.grad += (1 - t**2) * out.grad", "self.grad += (1 - self.data**2) * out.grad",
        "tanh", "uses the input where it needs the output"),
    "tanh forgets out.grad": (
        "self.grad += (1 - t**2) * out.grad", "self.grad += 1 - t**2",
        "tanh", "out.grad is forgotten"),
    "the sign of __rsub__": (
        "return other + (-self)", "return self + (-other)",
        "sub", "operands are swapped"),
    "__rtruediv__ upside down": (
        "return other * self**-1", "return self * other**-1",
        "div", "operands are swapped"),
    "** rule off by one in the exponent": (
        "other * self.data**(other - 1) * out.grad", "other * self.data**other * out.grad",
        "pow", "exponent off by one"),
    "relu passes the gradient at negative inputs": (
        "self.grad += (out.data > 0) * out.grad", "self.grad += out.grad",
        "relu", "passes through where the derivative is 0"),
    "exp's rule uses the input": (
        "self.grad += out.data * out.grad", "self.grad += self.data * out.grad",
        "exp", "uses the input where it needs the output"),
    "backward() does not seed 1": (
        "        self.grad = 1.0\n", "", "backward", "seed"),
    "recursion fails past 1,000 nodes of depth": (
        "        topo, visited = [], set()\n        stack = [(self, False)]\n"
        "        while stack:\n            node, done = stack.pop()\n            if done:\n"
        "                topo.append(node)\n            elif node not in visited:\n"
        "                visited.add(node)\n                stack.append((node, True))\n"
        "                stack.extend((child, False) for child in node._prev)\n",
        "        topo, visited = [], set()\n\n        def build_topo(v):\n"
        "            if v not in visited:\n                visited.add(v)\n"
        "                for child in v._prev:\n                    build_topo(child)\n"
        "                topo.append(v)\n        build_topo(self)\n",
        "backward", "RecursionError"),
    "mul gives each input its own value": (
        "            self.grad += other.data * out.grad\n            other.grad += self.data",
        "            self.grad += self.data * out.grad\n            other.grad += other.data",
        "mul", "gradients are swapped"),
    "add forgets its second input": (
        "            self.grad += out.grad\n            other.grad += out.grad",
        "            self.grad += out.grad", "add", "no gradient reaches x2"),
    "add forgets out.grad": (
        "            self.grad += out.grad\n            other.grad += out.grad",
        "            self.grad += 1.0\n            other.grad += 1.0",
        "add", "out.grad is forgotten"),
    "mul forgets its children": (
        "out = Value(self.data * other.data, (self, other), \"*\")",
        "out = Value(self.data * other.data)", "mul", "not linked to its inputs"),
    "** forgets the exponent's factor": (
        "other * self.data**(other - 1) * out.grad", "self.data**(other - 1) * out.grad",
        "pow", "a factor of the number"),
    "sigmoid's rule from the input": (
        "self.grad += s * (1 - s) * out.grad",
        "self.grad += self.data * (1 - self.data) * out.grad",
        "sigmoid", "uses the input where it needs the output"),
    "log's rule from the output": (
        "self.grad += (1 / self.data) * out.grad", "self.grad += (1 / out.data) * out.grad",
        "log", "uses the output where it needs the input"),
    "__neg__ keeps the sign": (
        "return self * -1", "return self * 1", "neg", "sign of the value is flipped"),
    "__rsub__ returns a number": (
        "return other + (-self)", "return other + (-self.data)", "sub", "not a Value"),
    "zero_grad does nothing": (
        "        for p in self.parameters():\n            p.grad = 0.0",
        "        pass", "nn", "zero_grad() does not reset"),
    "tanh's rule overflows to infinity": (
        "self.grad += (1 - t**2) * out.grad", "self.grad += (1 - t**2) * 1e308 * 10 * out.grad",
        "tanh", "not the finite"),
    "exp's backward raises": (
        "self.grad += out.data * out.grad", "self.grad += out.data * out.grad[0]",
        "exp", "backward() raised TypeError"),
    "backward() never ends": (
        "node, done = stack.pop()", "node, done = stack[-1]", "backward", "time budget"),
    # the misses and misdiagnoses of an independent corpus, and more of the same kind
    "exp overwrites (= for +=, the lecture's slip)": (
        "self.grad += out.data * out.grad", "self.grad = out.data * out.grad",
        "exp", "overwritten instead of added"),
    "tanh by the lecture's formula overflows": (
        "t = math.tanh(self.data)",
        "t = (math.exp(2 * self.data) - 1) / (math.exp(2 * self.data) + 1)",
        "tanh", "overflowed: engine.py:57: `t = (math.exp(2 * self.data) - 1) / "
        "(math.exp(2 * self.data) + 1)`"),
    "sigmoid by the lecture's formula overflows": (
        "s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))",
        "s = 1 / (1 + math.exp(-x))", "sigmoid",
        "overflowed: engine.py:83: `s = 1 / (1 + math.exp(-x))`"),
    "add overwrites its first input only": (
        "            self.grad += out.grad\n            other.grad += out.grad",
        "            self.grad = out.grad\n            other.grad += out.grad",
        "add", "overwritten instead of added"),
    "add forgets its children": (
        'out = Value(self.data + other.data, (self, other), "+")',
        "out = Value(self.data + other.data)", "add", "not linked to its inputs"),
    "the visited set is keyed by .data": (
        "            elif node not in visited:\n                visited.add(node)",
        "            elif node.data not in visited:\n                visited.add(node.data)",
        "backward", "keyed by `.data`"),
    "grad starts at 1 in __init__": (
        "        self.grad = 0.0\n        self._backward", "        self.grad = 1.0\n"
        "        self._backward", "backward", "starts with grad = 1"),
    "__radd__ as other + self": (
        "    def __radd__(self, other):\n        return self + other",
        "    def __radd__(self, other):\n        return other + self",
        "add", "__radd__ computes it with the number on the left again"),
    "relu's gradient condition never true (out.data < 0)": (
        "(out.data > 0) * out.grad", "(out.data < 0) * out.grad", "relu", "never flows"),
    "relu's gradient condition reversed (self.data < 0)": (
        "(out.data > 0) * out.grad", "(self.data < 0) * out.grad", "relu",
        "condition of the gradient is reversed"),
    "relu's forward comparison reversed": (
        "0.0 if self.data < 0 else self.data", "0.0 if self.data > 0 else self.data", "relu",
        "comparison in the forward pass is reversed"),
    "__rsub__ as other - self": (
        "return other + (-self)", "return other - self", "sub",
        "`return (-self) + other`"),
    "relu's gradient condition always true (out.data >= 0)": (
        "(out.data > 0) * out.grad", "(out.data >= 0) * out.grad", "relu",
        "condition is always true"),
    "tanh overwrites": (
        "self.grad += (1 - t**2) * out.grad", "self.grad = (1 - t**2) * out.grad",
        "tanh", "overwritten instead of added"),
    "log overwrites": (
        "self.grad += (1 / self.data) * out.grad", "self.grad = (1 / self.data) * out.grad",
        "log", "overwritten instead of added"),
    "** overwrites": (
        "self.grad += other * self.data**(other - 1) * out.grad",
        "self.grad = other * self.data**(other - 1) * out.grad",
        "pow", "overwritten instead of added"),
    "sigmoid forgets out.grad": (
        "self.grad += s * (1 - s) * out.grad", "self.grad += s * (1 - s)",
        "sigmoid", "out.grad is forgotten"),
    "__neg__ builds a new leaf": (
        "return self * -1", "return Value(-self.data)", "neg", "no gradient reaches x1"),
    "no __rmul__": (
        "    def __rmul__(self, other):\n        return self * other\n\n", "",
        "mul", "no __rmul__"),
    "backward() loops on a node reached twice": (
        "            elif node not in visited:\n",
        "            else:\n                while node in visited:\n                    pass\n",
        "backward", "reached a second time"),
}
# Engines too slow for the quick loop (a hang per check): their tests are marked slow.
SLOW = {"backward() never ends", "backward() loops on a node reached twice"}


def _mutant(tmp_path: Path, name: str) -> Path:
    old, new, _, _ = MUTANTS[name]
    assert SOURCE.count(old) == 1, f"the mutation {name!r} no longer applies"
    path = tmp_path / "engine.py"
    path.write_text(SOURCE.replace(old, new))
    return path


def _load(path: Path) -> type:
    spec = importlib.util.spec_from_file_location(f"mutant_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.Value


def test_the_corpus_is_large_enough():
    assert len(MUTANTS) >= 35


# Correct engines written unlike the corpus's seed, each of micrograd's API.
CORRECT = ["correct_kahn_slots.py", "correct_closures_direct.py", "correct_property_grad.py"]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_engines_written_differently_pass_with_no_failure(name):
    start = time.monotonic()
    report = check_engine(load_engine(f"{ENGINE.parent / name}:Value"))
    assert report.passed and not report.failures, str(report)
    assert report.counts()["fail"] == 0 and time.monotonic() - start < 10.0
    statuses = {r.name: r.status for r in report.results}
    assert statuses["tanh: x1 + tanh(x1)"] == "pass"
    assert statuses["tanh: tanh(x1) at |x1| up to 800"] == "pass"


def test_the_correct_student_engine_passes_every_check():
    report = check_engine(_load(ENGINE))
    assert report.passed, str(report)
    statuses = {r.name: r.status for r in report.results}
    assert statuses["two MLP training steps"] == "pass"  # its nn is found and trained
    assert statuses["tanh: tanh(x1)"] == "pass" and statuses["pow: c**x1"] == "skip"


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
                                  for n in sorted(MUTANTS)])
def test_every_mutant_is_caught_with_the_right_op_and_diagnosis(name, tmp_path):
    _, _, op, words = MUTANTS[name]
    start = time.monotonic()
    report = check_engine(_load(_mutant(tmp_path, name)), time_budget=1.0, max_examples=10,
                          total_budget=20.0)
    seconds = time.monotonic() - start
    assert not report.passed
    first = report.failures[0]
    assert first.op == op, str(report)
    assert words in first.diagnosis, str(report)
    assert first.expression and isinstance(first.inputs, dict)
    assert seconds < (15.0 if name in SLOW else 5.0), seconds


def test_a_hang_stops_after_the_budget_and_the_rest_is_skipped(tmp_path):
    report = check_engine(_load(_mutant(tmp_path, "backward() never ends")), time_budget=0.5)
    assert [r.status for r in report.results][:2] == ["fail", "skip"]
    assert all(r.status == "skip" for r in report.results[1:])


@pytest.mark.parametrize("on_a_thread", [False, True])
def test_the_time_budget_stops_an_endless_loop_on_any_thread(on_a_thread):
    import threading

    from autograd_mini.testing.budget import CheckTimeout, within

    stop = threading.Event()  # so that an abandoned thread does not spin for the rest of the run

    def endless():
        while not stop.is_set():
            pass

    outcome = []

    def run():
        try:
            within(0.2, endless)
        except CheckTimeout:
            outcome.append("stopped")
        outcome.append(within(5.0, lambda: 42))

    if on_a_thread:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join(10)
    else:
        run()
    stop.set()
    assert outcome == ["stopped", 42]


def test_a_failure_names_the_smallest_expression_and_the_numbers(tmp_path):
    report = check_engine(_load(_mutant(tmp_path, "tanh's rule from the input instead of "
                                               "the output")))
    (failure,) = [f for f in report.failures if f.category == "ops"]
    assert (failure.op, failure.expression, failure.inputs) == ("tanh", "tanh(x1)", {"x1": 0.5})
    assert failure.expected["d/dx1"] == pytest.approx(1 - 0.46211715726000974**2)
    assert failure.expected["d/dx1 by finite differences"] == pytest.approx(
        failure.expected["d/dx1"], rel=1e-6)
    assert failure.got["d/dx1"] == pytest.approx(1 - 0.5**2)


def test_the_random_expressions_shrink_to_a_small_failing_one(tmp_path):
    report = check_engine(_load(_mutant(tmp_path, "no topological order (a breadth-first "
                                               "walk)")))
    (found,) = [f for f in report.failures if f.category == "expressions"]
    assert found.op == "backward"
    assert found.expression.count("(") <= 2 and len(found.inputs) <= 2, found.expression


def test_micrograd_passes_all_but_its_documented_recursion_limit():
    micrograd = pytest.importorskip("micrograd.engine")
    report = check_engine(micrograd.Value)
    assert [(f.category, f.op) for f in report.failures] == [("deep graph", "backward")]
    assert "RecursionError" in report.failures[0].diagnosis
    statuses = {r.name: r.status for r in report.results}
    assert statuses["two MLP training steps"] == "pass"  # micrograd.nn, found by itself
    assert statuses["relu: relu(x1)"] == "pass" and statuses["tanh: tanh(x1)"] == "skip"
    assert any("more than twice" in note for note in report.notes)  # its semantics


def test_the_compat_layer_passes_everything():
    report = check_engine(CompatValue)
    assert report.passed, str(report)
    assert all(r.status == "pass" for r in report.results)


def test_the_report_gives_points_per_category_and_a_table(tmp_path):
    report = check_engine(_load(_mutant(tmp_path, "add overwrites instead of accumulating")))
    data = json.loads(report.to_json())
    assert data["passed"] is False and list(data["categories"]) == list(CATEGORIES)
    twice = data["categories"]["used twice"]
    assert 0 < twice["points"] < twice["of"]
    assert data["points"] == sum(c["points"] for c in data["categories"].values())
    assert data["failures"][0]["op"] == "add"
    text = str(report)
    assert text.splitlines()[0].startswith("check_engine: ")
    assert "used twice    add: x1 + x1" in text and "FAILED" in text
    # the header's counts are the table's rows
    n = report.counts()
    rows = [line for line in text.split("\n\n")[1].splitlines()[2:]]
    assert len(rows) == len(report.results) == sum(n.values())
    assert f"{n['pass']} of {n['pass'] + n['fail']} checks pass, {n['skip']} do not apply " \
        f"({len(report.results)} in all)" in text.splitlines()[0]
    assert sum(row.rstrip().endswith("ok") for row in rows) == n["pass"] == data["points"]
    assert data["counts"] == n and data["of"] == n["pass"] + n["fail"]


def test_failures_of_backward_itself_are_labelled_by_what_they_test(tmp_path):
    report = check_engine(_load(_mutant(tmp_path, "no topological order (a breadth-first "
                                               "walk)")), time_budget=1.0, max_examples=5)
    shared = [f for f in report.failures if f.category == "shared nodes"]
    assert shared and all(str(f).startswith("shared nodes: ") for f in shared)


def test_a_slow_engine_is_cut_short_by_the_whole_run_budget(tmp_path):
    start = time.monotonic()
    report = check_engine(_load(_mutant(tmp_path, "backward() loops on a node reached twice")),
                          time_budget=1.0, total_budget=2.5)
    assert time.monotonic() - start < 5.0
    cut = [r for r in report.results if "whole run's time budget" in r.note]
    assert cut and all(r.status == "fail" for r in cut) and not report.passed
    assert "whole run's time budget" in str(report)


def test_the_seed_and_max_examples_reach_the_random_expressions(tmp_path):
    engine = _load(_mutant(tmp_path, "no topological order (a breadth-first walk)"))
    names = [r.name for r in check_engine(engine, max_examples=7, seed=3).results]
    assert "random expressions (7 tried, the failing one shrunk)" in names
    one, two = (check_engine(engine, max_examples=20, seed=s) for s in (5, 5))
    shown = [[f.expression for f in r.failures if f.category == "expressions"]
             for r in (one, two)]
    assert shown[0] == shown[1]  # a seed draws the same expressions every run


def test_without_hypothesis_the_random_expressions_are_not_run_and_not_failed(monkeypatch):
    """A grader installed without hypothesis (``.[demos]`` only) cannot draw random
    expressions: that check is skipped with the way to install it, and a right engine
    still passes."""
    import builtins

    real_import = builtins.__import__

    def no_hypothesis(name, *args, **kwargs):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_hypothesis)
    monkeypatch.setattr(importlib, "import_module", lambda name, *a: no_hypothesis(name))
    report = check_engine(CompatValue)
    (expressions,) = [r for r in report.results if r.category == "expressions"]
    assert expressions.status == "skip", expressions
    assert "needs hypothesis: pip install -e '.[testing]'" in expressions.note
    assert report.passed


def test_two_backward_calls_are_a_note_not_a_failure():
    from autograd_mini import Value

    report = check_engine(Value)
    assert report.passed
    assert any("exactly twice" in note for note in report.notes)


def test_an_adapter_speaks_to_another_spelling():
    class Scalar:  # item() for its value, a function for tanh, grads in a dict
        def __init__(self, x):
            self.v = CompatValue(x)

    def wrap(v):
        s = object.__new__(Scalar)
        s.v = v
        return s

    for name in ("__add__", "__sub__", "__mul__", "__truediv__", "__pow__"):
        method = getattr(CompatValue, name)
        setattr(Scalar, name, lambda a, b, m=method: wrap(m(a.v, b.v if isinstance(b, Scalar)
                                                              else b)))
    for name in ("__radd__", "__rsub__", "__rmul__", "__rtruediv__"):
        method = getattr(CompatValue, name)
        setattr(Scalar, name, lambda a, b, m=method: wrap(m(a.v, b)))
    Scalar.__neg__ = lambda a: wrap(-a.v)
    adapter = Adapter(data=lambda s: s.v.data, grad=lambda s: s.v.grad,
                      backward=lambda s: s.v.backward(),
                      functions={"tanh": lambda s: wrap(s.v.tanh())})
    report = check_engine(Scalar, adapter)
    assert report.passed, str(report)
    assert {r.name: r.status for r in report.results}["tanh: tanh(x1)"] == "pass"


def test_load_engine_reads_files_and_modules_and_says_what_is_wrong(tmp_path):
    assert load_engine(f"{ENGINE}:Value").__name__ == "Value"
    assert load_engine("autograd_mini.micrograd:Value") is CompatValue
    (tmp_path / "broken.py").write_text("raise ValueError('oops')\n")
    for target, message in [("engine.py", "expected FILE.py:CLASS"),
                            (f"{tmp_path}/nothing.py:Value", "no such file"),
                            (f"{ENGINE}:Nothing", "has no 'Nothing'"),
                            (f"{ENGINE}:math", "not a class"),
                            ("no_such_module_here:Value", "cannot import"),
                            (f"{tmp_path}/broken.py:Value", "raised ValueError: oops")]:
        with pytest.raises(EngineLoadError, match=message):
            load_engine(target)


# -- the command and the plugin, as a student runs them ---------------------------------------


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def _command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd_mini", "check-engine", *args],
                          cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300)


def test_the_command_exits_0_when_all_pass_1_when_some_fail_2_for_a_bad_argument(tmp_path):
    good = _command(f"{ENGINE}:Value", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("check_engine: ") and "FAILED" not in good.stdout
    bad = _command(f"{_mutant(tmp_path, 'exp' + chr(39) + 's rule uses the input')}:Value",
                   "--json", "--max-examples", "10", cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    data = json.loads(bad.stdout)
    assert data["passed"] is False and data["failures"][0]["op"] == "exp"
    assert data["categories"]["ops"]["points"] == data["categories"]["ops"]["of"] - 1
    for args in [["engine.py"], ["missing.py:Value"], ["autograd_mini.micrograd:Nope"],
                 [f"{ENGINE}:Value", "--budget", "0"],
                 [f"{ENGINE}:Value", "--max-examples", "0"],
                 [f"{ENGINE}:Value", "--total-budget", "-1"]]:
        wrong = _command(*args, cwd=tmp_path)
        assert wrong.returncode == 2 and wrong.stdout == ""
        assert len(wrong.stderr.strip().splitlines()) == 1
        assert wrong.stderr.startswith("autograd-mini: error: ")


@pytest.mark.parametrize("engine", ["autograd_mini.micrograd.engine:Value", "autograd_mini:Value"])
def test_the_packages_own_engines_pass_in_their_own_process(tmp_path, engine):
    """The package's own engines run the package's code, whose running state (the version
    clock a .data write ticks) changes as they train: that is not the engine patching the
    checker, and they pass."""
    result = _command(engine, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout and "changed the checker" not in result.stdout


def _plugin_args() -> list[str]:
    """``-p`` loads the plugin when the installed metadata predates its entry point."""
    from importlib.metadata import entry_points

    names = [e.value for e in entry_points(group="pytest11")]
    return [] if "autograd_mini.testing.pytest_plugin" in names else [
        "-p", "autograd_mini.testing.pytest_plugin"]


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                           *_plugin_args(), *args], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_the_plugin_runs_the_checks_as_test_cases_in_any_folder(tmp_path):
    (tmp_path / "engine.py").write_text(SOURCE)
    good = _pytest("--check-engine=engine.py:Value", "--check-engine-max-examples=5",
                   "--check-engine-seed=2", "--check-engine-total-budget=30", "-v",
                   cwd=tmp_path)
    assert "random expressions (5 tried" in good.stdout
    assert good.returncode == 0, good.stdout + good.stderr
    assert " passed" in good.stdout and "failed" not in good.stdout
    folder = tmp_path / "course"
    folder.mkdir()
    _mutant(folder, "relu passes the gradient at negative inputs")
    bad = _pytest("--check-engine=engine.py:Value", "-v", "--check-engine-max-examples=10",
                  cwd=folder)
    assert bad.returncode == 1
    failed = [line for line in bad.stdout.splitlines() if line.startswith("FAILED")]
    assert failed and "relu" in failed[0], bad.stdout
    assert "passes through where the derivative is 0" in bad.stdout
    assert "PASSED" in bad.stdout and "add: x1 + x2" in bad.stdout  # one case per check
    nothing = _pytest("-q", cwd=folder)  # without the option: no checks, no tests
    assert nothing.returncode == 5 and "no tests ran" in nothing.stdout


def test_the_plugin_is_registered_as_an_entry_point():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {
        "autograd_mini": "autograd_mini.testing.pytest_plugin"}


def test_the_report_type():
    assert isinstance(check_engine(CompatValue, max_examples=5), EngineReport)


def test_the_readme_example_prints_what_it_says():
    pytest.importorskip("micrograd.engine")
    import contextlib
    import io
    import re

    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S)
                 if "check_engine" in b)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {})  # the README's own example code
    shown = [line.split("# ", 1)[1] for line in block.splitlines() if line.startswith("# ")]
    printed = out.getvalue().splitlines()
    assert printed[0] == "False" and printed[1] == shown[0]
    assert printed[2] == "{'points': 15, 'of': 15}"


# -- report formats -----------------------------------------------------------------------


def _valid_gradescope(results: dict) -> None:
    """The structure of Gradescope's results.json, as its autograder documents it."""
    visibilities = {"hidden", "after_due_date", "after_published", "visible"}
    assert set(results) <= {"score", "max_score", "execution_time", "output", "output_format",
                            "test_output_format", "test_name_format", "visibility",
                            "stdout_visibility", "extra_data", "tests", "leaderboard"}
    assert isinstance(results["score"], (int, float)) and results["stdout_visibility"] in \
        visibilities
    assert 0 <= results["score"] <= results["max_score"]
    for test in results["tests"]:
        assert set(test) <= {"score", "max_score", "status", "name", "name_format", "number",
                             "output", "output_format", "tags", "visibility", "extra_data"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"] and test["visibility"] in visibilities
        assert test["status"] in {"passed", "failed"}
    assert abs(sum(t["score"] for t in results["tests"]) - results["score"]) < 1e-4
    assert abs(sum(t["max_score"] for t in results["tests"]) - results["max_score"]) < 1e-4


def test_the_gradescope_format_has_a_test_per_check_and_the_failures_as_output(tmp_path):
    from autograd_mini.testing.report_formats import formatted, gradescope

    report = check_engine(_load(_mutant(tmp_path, "exp overwrites (= for +=, the lecture's "
                                                   "slip)")), max_examples=10)
    results = gradescope(report)
    _valid_gradescope(results)
    n = report.counts()
    assert len(results["tests"]) == n["pass"] + n["fail"] and results["score"] == n["pass"]
    (failed,) = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed["name"] == "used twice: exp: x1 + exp(x1)" and failed["score"] == 0
    assert "overwritten instead of added" in failed["output"]
    scaled = json.loads(formatted(report, "gradescope", max_score=10, visibility="hidden"))
    _valid_gradescope(scaled)
    assert scaled["max_score"] == 10 and scaled["score"] == pytest.approx(
        10 * n["pass"] / (n["pass"] + n["fail"]))
    with pytest.raises(ValueError, match="format"):
        formatted(report, "xml")


def test_the_command_writes_gradescope_results_with_its_options(tmp_path):
    out = tmp_path / "results.json"
    run = _command(f"{ENGINE}:Value", "--format", "gradescope", "--max-examples", "5",
                   "--seed", "1", "--total-budget", "30", "-o", str(out), cwd=tmp_path)
    assert run.returncode == 0 and run.stdout == "", run.stderr
    results = json.loads(out.read_text())
    _valid_gradescope(results)
    assert results["score"] == results["max_score"] > 30
    assert any(t["name"] == "expressions: random expressions (5 tried, the failing one "
               "shrunk)" for t in results["tests"])
