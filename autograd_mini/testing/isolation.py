"""Grade a student's engine without running its code in the grader's process:
``check_engine_file("engine.py:Value")``.

A child process (:mod:`autograd_mini.testing.child`) imports the engine and runs the
checks; it writes what it finds, check by check, as JSON lines on a pipe.  This process
never imports the student's code.  It reads the lines, checks each against the plan it
made itself, and decides the verdict from the raw statuses and failure records: a
patched ``EngineReport`` or checker in the child changes nothing here.  Whatever the
engine does, the verdict is a report, never a pass it did not earn and never a hang:

* the child has a wall-clock time limit it cannot switch off (this process kills it,
  with every process it started: its process group) and a memory limit (``RLIMIT_AS``);
* an exit (``sys.exit``, ``os._exit``), a signal, a crash, a fork, a change to the
  checker's code, output that is missing, short or malformed: each is a failure that
  says what happened and in which check, from the child's ``start`` lines.

The events carry a token of the run, so that lines from anything but the child are
refused, and the child compares the checker's code with what it was before the engine
was imported.  Both raise the bar; neither is a proof: the engine runs in the child's
process, and code that searches that process's memory can find the token.

Where no process can be started (Pyodide, ``sys.platform == "emscripten"``), the engine
is loaded and checked in place, as :func:`check_engine` does with a class, and the
report says so.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import signal
import sys
import time
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

from ..core.language import N_, _, current_language, ngettext
from .child import FORK_BOMB_STATUS, MAX_FORKS
from .grader import CheckResult, EngineChecker, EngineReport, Failure, check_engine
from .loading import EngineLoadError, load_engine, split_target

__all__ = ["check_engine_file", "EngineRun", "DEFAULT_TIME_LIMIT", "DEFAULT_MEMORY_LIMIT",
           "can_isolate", "memory_size"]

DEFAULT_TIME_LIMIT = 120.0          # seconds for the whole run, import included
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for the child
_MAX_OUTPUT = 64 * 1024**2          # bytes of events read before the child is cut off
_GRACE = 2.0                        # seconds the child may take to exit once it is done
_STATUSES = ("pass", "fail", "skip")


def can_isolate() -> bool:
    """Whether the engine can be checked in a child process here: POSIX (its process
    group, its pipes, its limits), not a browser's Pyodide."""
    return os.name == "posix" and sys.platform not in ("emscripten", "wasi")


def memory_size(text: str) -> int | None:
    """Bytes from ``"2G"``, ``"512M"``, ``"300K"`` or a number of MiB (``"2048"``);
    None (no limit) from ``"none"``."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}
    text = str(text).strip().upper().removesuffix("B").removesuffix("I")
    if text == "NONE":
        return None
    unit = units.get(text[-1:], None)
    try:
        number = float(text[:-1] if unit else text)
    except ValueError:
        raise ValueError(_("a memory size is a number of MiB or ends in K, M or G (say 2G), "
                           "got {text}", text=repr(text))) from None
    size = number * (unit or 1024**2)
    if not (math.isfinite(size) and size >= 64 * 1024**2):
        raise ValueError(_("the memory limit must be at least 64M, got {text}",
                           text=repr(text)))
    return int(size)


def _shown_size(size: int) -> str:
    return f"{size / 1024**3:g} GiB" if size >= 1024**3 else f"{size / 1024**2:g} MiB"


def check_engine_file(target: str, *, time_budget: float = 5.0, max_examples: int = 150,
                      seed: int | None = None, total_budget: float = 60.0,
                      time_limit: float = DEFAULT_TIME_LIMIT,
                      memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> EngineReport:
    """Check the engine ``target`` names (``path/engine.py:Value`` or ``module:Value``)
    in a child process; the verdict is decided here.

    Args:
        target: the engine's class, as ``FILE.py:CLASS`` or ``MODULE:CLASS``.
        time_budget, max_examples, seed, total_budget: as for :func:`check_engine` (each
            check's budget, which the child keeps itself, the random expressions tried,
            their seed, and the budget of all the checks).
        time_limit: seconds the child may run in all, its import included; then it is
            killed and the report says in which check it was.
        memory_limit: bytes of address space the child may use (``RLIMIT_AS``), or None.

    Raises:
        EngineLoadError: the target names no class (no such file, no such name, its
            import raised): a bad argument, not a verdict.
        ValueError: a budget or a limit that is not a positive number.
    """
    return EngineRun(target, time_budget=time_budget, max_examples=max_examples, seed=seed,
                     total_budget=total_budget, time_limit=time_limit,
                     memory_limit=memory_limit).report()


class EngineRun:
    """One grading of a target: the plan, known before the child starts, and the report,
    made once, on demand (the pytest plugin asks its test cases' results from it)."""

    def __init__(self, target: str, *, time_budget: float = 5.0, max_examples: int = 150,
                 seed: int | None = None, total_budget: float = 60.0,
                 time_limit: float = DEFAULT_TIME_LIMIT,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> None:
        split_target(target)
        for wrong, value in ((N_("the time limit must be a positive number of seconds, "
                                 "got {value}"), time_limit),
                             (N_("the time budget must be a positive number of seconds, "
                                 "got {value}"), time_budget)):
            if not (isinstance(value, (int, float)) and 0 < value < float("inf")):
                raise ValueError(_(wrong, value=repr(value)))
        if memory_limit is not None and not (isinstance(memory_limit, int)
                                             and memory_limit > 0):
            raise ValueError(_("the memory limit must be a positive number of bytes, "
                               "got {value}", value=repr(memory_limit)))
        self.target, self.time_limit, self.memory_limit = target, float(time_limit), memory_limit
        # what the checker is given, here and in the child alike
        self.options = {"time_budget": time_budget, "max_examples": max_examples,
                        "seed": seed, "total_budget": total_budget}
        # The plan of checks, made here from the checker's own table (no engine needed).
        self.plan = EngineChecker(_Nothing, **self.options).checks()
        self.seconds: float | None = None  # how long the run took
        self._report: EngineReport | None = None

    def report(self) -> EngineReport:
        if self._report is None:
            start = time.monotonic()
            self._report = self._in_place() if not can_isolate() else self._in_a_child()
            self.seconds = time.monotonic() - start
        return self._report

    # -- where there is no process to start ----------------------------------------------

    def _in_place(self) -> EngineReport:
        report = check_engine(load_engine(self.target), **self.options)
        report.isolation = _("Ran in place: the grader cannot check an engine in a child "
                             "process on {platform}, so the engine's code ran in the "
                             "grader's own process, without a time or memory limit of its "
                             "own.", platform=sys.platform)
        return report

    # -- in a child process ----------------------------------------------------------------

    def _limits(self) -> str:
        memory = _shown_size(self.memory_limit) if self.memory_limit else _("no memory limit")
        return f"{self.time_limit:g} s, {memory}"

    def _in_a_child(self) -> EngineReport:
        import subprocess  # not in Pyodide's way: only where a process can be started

        reader, writer = os.pipe()
        token = secrets.token_hex(16)  # each event carries it: lines from elsewhere do not
        job = {"target": self.target, "fd": writer, "path": [os.getcwd(), *sys.path],
               "options": self.options, "memory_limit": self.memory_limit, "token": token,
               "language": current_language()}  # the child speaks as this process does
        package = str(Path(__file__).resolve().parents[2])  # this autograd_mini, not another
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
        events = _Events(self, token)
        try:
            child = subprocess.Popen(
                # -P: the folder it starts in (the student's, perhaps) cannot stand in
                # for the checker's own modules
                [sys.executable, *(["-P"] if sys.version_info >= (3, 11) else []), "-m",
                 "autograd_mini.testing.child"], stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(writer,),
                env=env, start_new_session=True)
        except BaseException:
            os.close(reader)
            raise
        finally:
            os.close(writer)
        stream = _Stream(child.stderr.fileno())
        try:
            try:
                child.stdin.write((json.dumps(job) + "\n").encode())
                child.stdin.close()
            except OSError:  # it died before reading its job: told below by its status
                pass
            timed_out = self._read(child, _Stream(reader, events), stream, events)
        finally:
            leftover = _end(child)
            os.close(reader)
            child.stderr.close()
        return events.report(child.returncode, timed_out, leftover,
                             stream.tail.decode("utf-8", "replace"))

    def _read(self, child: subprocess.Popen, pipe: _Stream, stderr: _Stream,
              events: _Events) -> bool:
        """Read the child's events (and the tail of its stderr) until it exits, its output
        cannot be trusted or the time limit runs out; True for the last."""
        import select

        deadline = time.monotonic() + self.time_limit
        while True:
            now = time.monotonic()
            if events.done:
                deadline = min(deadline, now + _GRACE)
            if now >= deadline:
                return not events.done
            if events.bad:
                return False
            streams = [s for s in (pipe, stderr) if s.open]
            if streams:
                ready = select.select(streams, [], [], min(deadline - now, 0.1))[0]
                for stream in ready:
                    stream.read()
            else:
                time.sleep(min(deadline - now, 0.05))
            if child.poll() is not None:
                for stream in (pipe, stderr):
                    stream.drain()
                pipe.end()
                return False


class _Stream:
    """One pipe from the child: events, fed to ``_Events`` line by line, or stderr, of
    which the tail is kept."""

    def __init__(self, fd: int, events: _Events | None = None) -> None:
        self.fd, self.events, self.open = fd, events, True
        self.buffer = self.tail = b""

    def fileno(self) -> int:
        return self.fd

    def read(self) -> bool:
        """Take what is there; False at its end."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.open = False
        elif self.events is None:
            self.tail = (self.tail + chunk)[-4000:]
        else:
            self.buffer = self.events.feed(self.buffer + chunk)
            if len(self.buffer) > _MAX_OUTPUT or self.events.total > _MAX_OUTPUT:
                self.events.invalid(_("it wrote more than 64 MiB of events"))
                self.open = False
        return self.open

    def drain(self) -> None:
        """What is left once the child has exited (a process it forked may hold the pipe
        open, with nothing more in it)."""
        if not self.open:
            return
        os.set_blocking(self.fd, False)
        try:
            while self.read():
                pass
        except OSError:  # BlockingIOError: nothing more for now
            pass

    def end(self) -> None:
        if self.events is not None and self.buffer and not self.events.bad:
            self.events.feed(self.buffer + b"\n")  # a last line without its newline


class _Nothing:
    """The class the parent's plan is made with: the plan does not depend on the engine."""


def _end(child: subprocess.Popen) -> bool:
    """Kill the child and every process of its group; True when the group outlived it
    (processes the engine started and left running)."""
    leftover = False
    if child.poll() is not None:
        try:
            os.killpg(child.pid, 0)
            leftover = _running_in(child.pid)
        except (ProcessLookupError, PermissionError, OSError):
            pass
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    if child.poll() is None:
        child.kill()
    child.wait()
    return leftover


def _running_in(group: int) -> bool:
    """Whether a process of ``group`` is still running (not a zombie waiting to be
    reaped); where there is no /proc to tell, any process of the group counts."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").is_file():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields_) > 2 and fields_[2] == str(group) and fields_[0] not in "ZX":
            return True
    return False


class _Events:
    """The child's events, checked one by one against the plan; what is not as the
    protocol says is invalid, and an invalid run is a failure."""

    def __init__(self, run: EngineRun, token: str = "") -> None:
        self.run, self.plan, self.token = run, run.plan, token
        self.results: dict[int, CheckResult] = {}
        self.where: dict[str, Any] | None = None   # the stage last started
        self.forks: dict[int | None, int] = {}     # forks per check (None: outside one)
        self.notes: list[str] | None = None
        self.engine = run.target
        self.load_error = self.tampered = self.bad = ""
        self.done = self.loaded = False
        self.phase = ""  # "backward" while the engine's backward() runs
        self.total = 0

    def invalid(self, why: str) -> None:
        self.bad = self.bad or why

    def feed(self, data: bytes) -> bytes:
        """Take every whole line of ``data``; the rest is returned, to be continued."""
        *lines, rest = data.split(b"\n")
        self.total += len(data) - len(rest)
        for line in lines:
            if line.strip() and not self.bad:
                self._take(line)
        return rest

    def _take(self, line: bytes) -> None:
        try:
            event = json.loads(line)
            kind = event["event"]
            if not isinstance(kind, str) or event.pop("token") != self.token:
                raise ValueError
        except (ValueError, TypeError, KeyError, AttributeError):
            return self.invalid(_("a line that is not one of its events: {line}",
                                  line=repr(line[:80])))
        if self.done or self.load_error or self.tampered:
            return self.invalid(_("an event after the end: {kind}", kind=repr(kind)))
        try:
            getattr(self, f"_on_{kind}")(event)
        except (AttributeError, TypeError, KeyError, ValueError, IndexError) as error:
            self.invalid(_("a {kind} event that is not as the protocol says ({error})",
                           kind=repr(kind), error=str(error)))

    def _stage(self, event: dict) -> dict[str, Any]:
        stage = event["stage"]
        if stage == "check":
            index = event["index"]
            if not (isinstance(index, int) and 0 <= index < len(self.plan)):
                raise ValueError(f"no check {index!r}")
            return {"stage": stage, "index": index}
        if stage not in ("import", "notes"):
            raise ValueError(f"no stage {stage!r}")
        return {"stage": stage}

    def _on_start(self, event: dict) -> None:
        where = self._stage(event)
        if self.where is None:
            expected = {"stage": "import"}
        elif not self.loaded:
            raise ValueError("a check started before the engine was loaded")
        elif len(self.results) < len(self.plan):
            expected = {"stage": "check", "index": len(self.results)}
        else:
            expected = {"stage": "notes"}
        if where != expected:
            raise ValueError(f"{where} out of order")
        self.where, self.phase = where, ""

    def _on_phase(self, event: dict) -> None:
        if event["phase"] not in ("backward", "") or (self.where or {}).get(
                "stage") not in ("check", "notes"):
            raise ValueError(f"phase {event['phase']!r}")
        self.phase = event["phase"]

    def _on_loaded(self, event: dict) -> None:
        if self.where != {"stage": "import"} or self.loaded or not isinstance(
                event["engine"], str):
            raise ValueError("not after the import")
        self.engine, self.loaded = event["engine"][:500], True

    def _on_fork(self, event: dict) -> None:
        where = self._stage(event)
        key = where.get("index")
        self.forks[key] = self.forks.get(key, 0) + 1

    def _on_load_error(self, event: dict) -> None:
        if self.where != {"stage": "import"} or not isinstance(event["message"], str):
            raise ValueError("not during the import")
        self.load_error = event["message"][:2000]

    def _on_tampered(self, event: dict) -> None:
        what = event["what"]
        if not (isinstance(what, list) and all(isinstance(w, str) for w in what)):
            raise ValueError("not a list of names")
        self._stage(event)
        self.tampered = ", ".join(what[:8]) + (", ..." if len(what) > 8 else "")

    def _on_result(self, event: dict) -> None:
        index = event["index"]
        if self.where != {"stage": "check", "index": index} or index in self.results:
            raise ValueError(f"a result for check {index!r} that is not running")
        check = self.plan[index]
        if (event["category"], event["name"]) != (check.category, check.name):
            raise ValueError(f"check {index} is {check.name!r}, not {event['name']!r}")
        status, note = event["status"], event["note"]
        if status not in _STATUSES or not isinstance(note, str):
            raise ValueError(f"status {status!r}")
        failures = [_failure(record, check.category, check.name) for record in event["failures"]]
        if (status == "fail") != bool(failures):
            raise ValueError(f"status {status!r} with {len(failures)} failure records")
        self.results[index] = CheckResult(check.category, check.name, status, failures,
                                          note[:2000])

    def _on_notes(self, event: dict) -> None:
        notes = event["notes"]
        if self.where != {"stage": "notes"} or not (
                isinstance(notes, list) and all(isinstance(n, str) for n in notes)):
            raise ValueError("not after the notes' start")
        self.notes = [n[:2000] for n in notes[:50]]

    def _on_done(self, event: dict) -> None:
        if self.notes is None or len(self.results) != len(self.plan):
            raise ValueError("before every check and the notes")
        self.done = True

    # -- the verdict ------------------------------------------------------------------------

    def _place(self) -> str:
        where = self.where
        if where is None:
            return _("before it started importing the engine")
        if where["stage"] == "import":
            return _("while the engine's file was imported")
        if where["stage"] == "notes":
            return _("while two backward() calls in a row were tried (the notes)")
        check = self.plan[where["index"]]
        named = f"{_(check.category)}: {check.shown}"
        if self.phase == "backward":
            return _("during backward() in the check '{check}'", check=named)
        return _("during the check '{check}'", check=named)

    def report(self, status: int | None, timed_out: bool, leftover: bool,
               errors: str) -> EngineReport:
        run = self.run
        if self.load_error:
            raise EngineLoadError(self.load_error)
        stopped = self._stopped(status, timed_out, leftover, errors)
        results = []
        for index, check in enumerate(self.plan):
            result = self.results.get(index)
            running = self.where == {"stage": "check", "index": index}
            if result is None and running and stopped:
                result = CheckResult(check.category, check.name, "fail", [Failure(
                    check.category, check.name, check.op, check.shown, {}, {},
                    {"error": _("the process ended")}, stopped)])
            elif result is None:
                result = CheckResult(check.category, check.name, "skip",
                                     note=_("not run: the engine's process had ended"))
            elif running and stopped:  # tampered after it ran: its own result is void
                result = CheckResult(check.category, check.name, "fail", [Failure(
                    check.category, check.name, check.op, check.shown, {}, {},
                    {"error": _("the checker was changed")}, stopped)])
            if self.forks.get(index):
                result = CheckResult(check.category, check.name, "fail",
                                     [*result.failures, _forked(check, self.forks[index])])
            results.append(check.named(_memory_said(result, run.memory_limit)))
        if self.forks.get(None) and not stopped:
            stopped = _("the engine started a process (os.fork) outside the checks "
                        "(the forked process was ended at once)")
        return EngineReport(self.engine, results, list(self.notes or []), stopped,
                            _("Ran in a child process (limits: {limits}); the grader's "
                              "process did not import the engine.", limits=run._limits()))

    def _stopped(self, status: int | None, timed_out: bool, leftover: bool,
                 errors: str) -> str:
        """Why the checks ended early, in words; "" if they ran to the end."""
        run = self.run
        if timed_out:
            return _("the engine did not finish within the time limit of {seconds:g} s "
                     "{place}: its process was killed", seconds=run.time_limit,
                     place=self._place())
        if self.bad:
            return _("the engine's process sent output the grader cannot trust {place}: "
                     "{why}", place=self._place(), why=self.bad)
        if self.tampered:
            return _("the engine changed the checker's own code {place} ({what}): no "
                     "verdict of its checks can be trusted", place=self._place(),
                     what=self.tampered)
        if not self.done and status == FORK_BOMB_STATUS and self.forks:
            return _("the engine called os.fork() over and over {place}: its process was "
                     "stopped after {count} forks", place=self._place(), count=MAX_FORKS)
        if not self.done:
            return _ending(status, run.memory_limit, errors, self._place())
        if leftover:
            return _("the engine started processes that were still running when the "
                     "checks ended (they were killed)")
        return ""


def _forked(check, times: int) -> Failure:
    """The failure of a check during which the engine forked ``times`` times."""
    return Failure(check.category, check.name, check.op, check.shown, {}, {},
                   {"error": ngettext("os.fork() called {count} time",
                                      "os.fork() called {count} times", times)},
                   _("the engine started a process (os.fork) during this check; an engine "
                     "must not start processes (the forked process was ended at once)"))


def _failure(record: Any, category: str, name: str) -> Failure:
    """A failure record from the child, its fields and their types checked."""
    if not isinstance(record, dict) or set(record) != {f.name for f in fields(Failure)}:
        raise ValueError("a failure record without Failure's fields")
    for key in ("op", "expression", "diagnosis"):
        if not isinstance(record[key], str):
            raise ValueError(f"a failure's {key} is not text")
    for key in ("inputs", "expected", "got"):
        if not (isinstance(record[key], dict) and all(isinstance(k, str) for k in record[key])):
            raise ValueError(f"a failure's {key} is not a table")
    if (record["category"], record["check"]) != (category, name):
        raise ValueError("a failure of another check")
    return Failure(category, name, record["op"], record["expression"], record["inputs"],
                   record["expected"], record["got"], record["diagnosis"])


def _memory_said(result: CheckResult, limit: int | None) -> CheckResult:
    """A MemoryError's diagnosis names the child's memory limit."""
    if not limit or not any(str(f.got.get("error", "")).startswith("MemoryError")
                            for f in result.failures):
        return result
    said = _(" (the engine ran out of memory: the child process may use {size})",
             size=_shown_size(limit))
    return CheckResult(result.category, result.name, result.status, [
        Failure(f.category, f.check, f.op, f.expression, f.inputs, f.expected, f.got,
                f.diagnosis + said) if str(f.got.get("error", "")).startswith("MemoryError")
        else f for f in result.failures], result.note, result.title)


_KILLED_WHY = {"SIGSEGV": N_(" (a segmentation fault: a crash)"), "SIGBUS": N_(" (a crash)"),
               "SIGABRT": N_(" (an abort)"), "SIGFPE": N_(" (a crash)"),
               "SIGKILL": N_(" (by the engine itself, or by the system, perhaps for memory)")}


def _ending(status: int | None, memory_limit: int | None, errors: str, place: str) -> str:
    """How the child's process ended, in words, from its exit status and its last words
    on stderr (quoted as they are: never formatted)."""
    if status is None:
        return _("the engine's process ended in a way the grader could not see {place}",
                 place=place)
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = _("signal {number}", number=-status)
        why = _(_KILLED_WHY[name]) if name in _KILLED_WHY else ""
        return _("the engine's process was killed by {signal}{why} {place}", signal=name,
                 why=why, place=place)
    last = [line.strip() for line in errors.splitlines() if line.strip()][-1:]
    if status != 0 and last and "MemoryError" in last[0]:
        return _("the engine's process ran out of memory {place} (the limit is {size}) and "
                 "exited with status {status}", place=place,
                 size=_shown_size(memory_limit or 0), status=status)
    if status != 0 and last:
        return _("the engine's process exited with status {status} {place}: {last}",
                 status=status, place=place, last=last[0][:200])
    return _("the engine exited with status {status} {place} (its code called sys.exit() "
             "or os._exit(): the checks could not finish)", status=status, place=place)
