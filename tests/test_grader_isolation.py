"""A student's engine runs in a child process: a hostile corpus of engines -- each exits,
crashes, hangs with the timer switched off, eats memory, forks, patches the checker or
forges the checker's messages -- is graded a failure that says what happened, within the
time limit, by check_engine on a file target, by the command and by the pytest plugin.
The grader's own process never imports the engine."""

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd_mini.testing import check_engine, check_engine_file, isolation
from autograd_mini.testing.loading import FILE_MODULE_PREFIX, EngineLoadError

ROOT = Path(__file__).resolve().parents[1]
ENGINE = Path(__file__).resolve().parent / "engines" / "student_engine.py"
SOURCE = ENGINE.read_text()
SEED = "        self.grad = 1.0\n"  # the line of backward() after which the hostile code runs
LIMIT = 6.0  # the time limit the grader gets here, in seconds
SLACK = 5.0  # what grading may take beyond it

PATCH_THE_CHECKER = """\
from autograd_mini.testing import grader
grader.EngineReport.passed = property(lambda self: True)
_run = grader.EngineChecker.run
def _passing(self, check):
    result = _run(self, check)
    result.status, result.failures = ("pass" if result.status == "fail" else result.status), []
    return result
grader.EngineChecker.run = _passing
"""
FORGE = """\
import os
for fd in range(3, 64):
    try:
        os.write(fd, b'{"event": "done"}\\n{"event": "result", "status": "pass"}\\n')
    except OSError:
        pass
"""

# name: (code at import, code in backward(), the words the verdict must hold)
HOSTILE = {
    "sys.exit(0) in backward": (
        "", "import sys; sys.exit(0)", "the check raised SystemExit: 0"),
    "os._exit(0) in backward": (
        "", "import os; os._exit(0)",
        "exited with status 0 during backward() in the check 'backward: the seed: "
        "backward() on a single"),
    "os._exit(0) at import": (
        "import os; os._exit(0)\n", "", "exited with status 0 while the engine's file was "
                                        "imported"),
    "EngineReport.passed and the checker's run patched at import": (
        PATCH_THE_CHECKER, "self.grad = 0.5 * self.grad",
        "changed the checker's own code while the engine's file was imported"),
    "the checker patched in backward": (
        "", "from autograd_mini.testing import grader; "
            "grader.EngineReport.passed = property(lambda s: True)",
        "changed the checker's own code during the check 'backward: the seed"),
    "setitimer(0) and an endless loop": (
        "", "import signal; signal.setitimer(signal.ITIMER_REAL, 0)\n"
            "        while True: pass",
        f"did not finish within the time limit of {LIMIT:g} s during backward() in the "
        "check 'backward: the seed"),
    "a memory bomb (50 GB in a loop)": (
        "", "blocks = [bytes(10**9) for _ in range(50)]", "ran out of memory"),
    "os.fork() in backward, its child sleeping forever": (
        "FORKED = []\n", "import os, time\n"
        "        if not FORKED and os.fork() == 0: time.sleep(10**6)\n"
        "        FORKED.append(1)",
        "the engine started a process (os.fork) during this check"),
    "libc's fork() in backward, its child sleeping forever": (
        "FORKED = []\n", "import ctypes, time\n"
        "        if not FORKED and ctypes.CDLL(None).fork() == 0: time.sleep(10**6)\n"
        "        FORKED.append(1)",
        "started processes that were still running"),
    "a fork bomb": (
        "", "import os\n        while True: os.fork()",
        "called os.fork() over and over during backward() in the check 'backward: the seed"),
    "SIGSEGV sent to itself": (
        "", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)",
        "killed by SIGSEGV (a segmentation fault: a crash) during backward() in the check "
        "'backward: the seed"),
    "a megabyte on stderr, then os._exit(3)": (
        "", "import os, sys; sys.stderr.write('x' * 10**6 + '\\nboom\\n'); "
            "sys.stderr.flush(); os._exit(3)",
        "exited with status 3 during backward() in the check 'backward: the seed: "
        "backward() on a single Value': boom"),
    "forged events on every open file descriptor": (
        FORGE, "", "sent output the grader cannot trust"),
}
SLOW = {"setitimer(0) and an endless loop"}  # it runs to the time limit


def _engine(folder: Path, name: str) -> Path:
    at_import, in_backward, _ = HOSTILE[name]
    assert SOURCE.count(SEED) == 1
    source = at_import + SOURCE.replace(SEED, SEED + (f"        {in_backward}\n"
                                                      if in_backward else ""))
    path = folder / "engine.py"
    path.write_text(source)
    return path


def _imported() -> set[str]:
    """The engines imported from files in this process."""
    return {m for m in sys.modules if m.startswith(FILE_MODULE_PREFIX)}


def _cases():
    return [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else [])
            for name in HOSTILE]


@pytest.mark.parametrize("name", _cases())
def test_a_hostile_engine_is_a_failure_that_says_what_happened(name, tmp_path):
    path = _engine(tmp_path, name)
    imported = _imported()
    start = time.monotonic()
    report = check_engine_file(f"{path}:Value", time_limit=LIMIT, time_budget=2.0,
                               max_examples=20)
    seconds = time.monotonic() - start
    assert not report.passed
    assert not json.loads(report.to_json())["passed"]
    assert HOSTILE[name][2] in str(report), str(report)
    assert seconds < LIMIT + SLACK
    assert "Ran in a child process" in report.isolation
    assert _imported() == imported  # the engine was never imported here


def test_a_correct_engine_still_passes_in_its_child_process():
    imported = _imported()
    report = check_engine_file(f"{ENGINE}:Value", time_limit=60)
    assert _imported() == imported
    assert report.passed and not report.stopped, str(report)
    assert len(report.results) == len(isolation.EngineRun(f"{ENGINE}:Value").plan)
    spec = importlib.util.spec_from_file_location("isolation_test_engine", ENGINE)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    here = check_engine(module.Value)  # the same checks, in this process
    assert [(r.name, r.status) for r in report.results] == [
        (r.name, r.status) for r in here.results]
    assert report.notes == here.notes and report.points() == here.points()
    assert str(report).splitlines()[-1].startswith("Ran in a child process (limits: 60 s, "
                                                   "2 GiB)")


def test_a_bug_is_reported_as_in_process(tmp_path):
    path = tmp_path / "engine.py"
    path.write_text(SOURCE.replace("self.grad += (out.data > 0) * out.grad",
                                   "self.grad += out.grad"))
    report = check_engine_file(str(path) + ":Value", time_limit=60, max_examples=20)
    assert not report.passed and not report.stopped
    assert [f.op for f in report.failures][:1] == ["relu"]
    assert "passes through where the derivative is 0" in report.failures[0].diagnosis


def test_sys_exit_in_backward_is_a_failure_in_place_too(tmp_path):
    path = _engine(tmp_path, "sys.exit(0) in backward")
    spec = importlib.util.spec_from_file_location("isolation_test_exit", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = check_engine(module.Value, max_examples=10)  # no SystemExit out of it
    assert not report.passed
    assert report.notes == ["two backward() calls in a row raised SystemExit: 0"]


def test_a_target_that_names_nothing_is_a_load_error_and_limits_are_checked(tmp_path):
    for target, words in [(f"{tmp_path}/missing.py:Value", "no such file"),
                          (f"{ENGINE}:Nothing", "has no 'Nothing'"),
                          ("engine.py", "expected FILE.py:CLASS")]:
        with pytest.raises(EngineLoadError, match=words):
            check_engine_file(target)
    for limits in [{"time_limit": 0}, {"time_limit": float("inf")}, {"memory_limit": -1}]:
        with pytest.raises(ValueError):
            check_engine_file(f"{ENGINE}:Value", **limits)
    with pytest.raises(TypeError, match="use check_engine_file"):
        check_engine(f"{ENGINE}:Value")
    assert isolation.memory_size("2G") == 2 * 1024**3
    assert isolation.memory_size("512M") == isolation.memory_size("512") == 512 * 1024**2


def test_where_no_process_can_be_started_it_runs_in_place_and_says_so(monkeypatch):
    monkeypatch.setattr(isolation, "can_isolate", lambda: False)
    report = check_engine_file(f"{ENGINE}:Value", max_examples=20)
    assert report.passed and report.isolation.startswith("Ran in place")


def test_forged_or_short_output_is_never_a_pass():
    run = isolation.EngineRun(f"{ENGINE}:Value")
    lines = [{"event": "start", "stage": "import"}, {"event": "loaded", "engine": "x"}]
    for index, check in enumerate(run.plan):
        lines += [{"event": "start", "stage": "check", "index": index},
                  {"event": "result", "index": index, "category": check.category,
                   "name": check.name, "status": "pass", "note": "", "failures": []}]
    lines += [{"event": "start", "stage": "notes"}, {"event": "notes", "notes": []},
              {"event": "done"}]

    def verdict(events, status=0, token="secret"):
        seen = isolation._Events(run, "secret")
        seen.feed(b"".join(json.dumps({**e, "token": token}).encode() + b"\n"
                           for e in events))
        return seen.report(status, False, False, "")

    assert verdict(lines).passed  # the whole protocol, as a correct child writes it
    assert "cannot trust" in verdict(lines, token="guessed").stopped  # not the child's
    assert "exited with status 0" in verdict(lines[:-1]).stopped  # no done: short
    assert "exited with status 0" in verdict(lines[:7]).stopped
    wrong = json.loads(json.dumps(lines))
    wrong[3]["status"] = "fail"  # a failure without its record
    assert "cannot trust" in verdict(wrong).stopped
    wrong = json.loads(json.dumps(lines))
    wrong[3]["name"] = "something else"
    assert "cannot trust" in verdict(wrong).stopped
    assert "cannot trust" in verdict(lines[:1] + lines[3:]).stopped  # a check before loading
    assert "killed by SIGKILL" in verdict(lines[:5], status=-signal.SIGKILL).stopped


# -- the command and the plugin, as a course runs them -----------------------------------------


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}


def _command(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograd_mini", "check-engine", *args],
                          cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", _cases())
def test_the_command_fails_a_hostile_engine_in_one_clear_line(name, tmp_path):
    path = _engine(tmp_path, name)
    start = time.monotonic()
    done = _command(f"{path}:Value", "--time-limit", f"{LIMIT:g}", "--budget", "2",
                    cwd=tmp_path)
    assert time.monotonic() - start < LIMIT + SLACK + 3  # the command's own start included
    assert done.returncode == 1, done.stdout + done.stderr
    assert HOSTILE[name][2] in done.stdout, done.stdout
    first = done.stdout.splitlines()[0]
    assert first.startswith("check-engine: FAILED: ") or first.startswith("check_engine: ")


def test_the_command_reports_a_hostile_engine_in_json_too(tmp_path):
    path = _engine(tmp_path, "os._exit(0) at import")
    done = _command(f"{path}:Value", "--json", cwd=tmp_path)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["passed"] is False and "exited with status 0" in data["stopped"]


def test_the_command_takes_its_limits_and_refuses_bad_ones(tmp_path):
    for args in [["--time-limit", "0"], ["--memory-limit", "lots"], ["--memory-limit", "1K"]]:
        wrong = _command(f"{ENGINE}:Value", *args, cwd=tmp_path)
        assert wrong.returncode == 2 and wrong.stdout == "", wrong.stderr
        assert wrong.stderr.startswith("autograd-mini: error: ")
    path = _engine(tmp_path, "a memory bomb (50 GB in a loop)")
    done = _command(f"{path}:Value", "--memory-limit", "512M", "--time-limit", "30",
                    cwd=tmp_path)
    assert done.returncode == 1 and "may use 512 MiB" in done.stdout, done.stdout


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    from importlib.metadata import entry_points

    names = [e.value for e in entry_points(group="pytest11")]
    plugin = [] if "autograd_mini.testing.pytest_plugin" in names else [
        "-p", "autograd_mini.testing.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin,
                           *args], cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name", ["sys.exit(0) in backward", "os._exit(0) in backward",
                                  "os._exit(0) at import", "SIGSEGV sent to itself",
                                  pytest.param("setitimer(0) and an endless loop",
                                               marks=pytest.mark.slow)])
def test_the_plugin_fails_a_hostile_engine_in_a_test_case(name, tmp_path):
    _engine(tmp_path, name)
    start = time.monotonic()
    done = _pytest("--check-engine=engine.py:Value", f"--check-engine-time-limit={LIMIT:g}",
                   "-q", "-rf", cwd=tmp_path)
    assert time.monotonic() - start < LIMIT + SLACK + 5  # pytest's own start included
    assert done.returncode == 1, done.stdout + done.stderr
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert failed, done.stdout
    assert HOSTILE[name][2] in done.stdout, done.stdout
    if name != "sys.exit(0) in backward":  # the process ended: one case says so
        assert len(failed) == 1, done.stdout


@pytest.mark.slow
def test_the_plugin_refuses_a_bad_limit_or_target(tmp_path):
    (tmp_path / "engine.py").write_text(SOURCE)
    for option in ["--check-engine-memory-limit=lots", "--check-engine-time-limit=0"]:
        done = _pytest("--check-engine=engine.py:Value", option, cwd=tmp_path)
        assert done.returncode == 4 and "--check-engine: " in done.stderr, done.stderr
    done = _pytest("--check-engine=engine.py:Nope", cwd=tmp_path)
    assert done.returncode == 4 and "has no 'Nope'" in done.stderr, done.stderr
