"""The child process of :func:`~autograd_mini.testing.isolation.check_engine_file`: it
imports the student's engine, runs the checks and writes what it finds, as JSON lines,
to a pipe the grader reads.  Run as ``python -m autograd_mini.testing.child`` with the
job on stdin; nothing in it decides a verdict (the grader does, from these lines).

Each line is an event: ``start`` (of the import, of a check by its index, of the
notes) before the student's code runs, so that the grader can name where the process
died; ``result`` after a check, with its raw status and failure records; ``fork`` when
the engine forks (the forked process ends at once); ``tampered`` when the engine has
changed the checker's own code; ``phase`` into the engine's ``backward()`` and out of
it; ``load_error``; ``notes``; ``done``.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from typing import Any

FORKED_STATUS = 71  # the status a process forked by the engine ends with, at once
FORK_BOMB_STATUS = 72  # this process's, once the engine has forked MAX_FORKS times
MAX_FORKS = 100


class _Channel:
    """The write end of the pipe, with its own references to what it needs: the
    engine's code, imported later, may patch ``json`` or ``os`` as it likes."""

    def __init__(self, fd: int, token: str) -> None:
        self.fd, self.write, self.dumps = fd, os.write, json.dumps
        self.token = token

    def send(self, event: str, **fields: Any) -> None:
        data = (self.dumps({"event": event, **fields, "token": self.token}, default=str)
                + "\n").encode()
        while data:
            data = data[self.write(self.fd, data):]


def _limit(memory: int | None) -> None:
    """The limits set on this process before the engine's code runs."""
    try:
        import resource
    except ImportError:  # no rlimits here (Windows): the grader's time limit still holds
        return
    wanted = [(resource.RLIMIT_CORE, 0)]  # a crash leaves no core file
    if memory:
        wanted.append((resource.RLIMIT_AS, int(memory)))
    for kind, value in wanted:
        try:
            _, hard = resource.getrlimit(kind)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(kind, (value, hard))
        except (ValueError, OSError):  # pragma: no cover - a platform without this limit
            pass


# What the package itself changes as it runs, whichever engine runs it (the package's own
# engine may be the one checked): the version clock ticks on every write to a .data.
RUNNING_STATE = {("autograd_mini.core.valuebase", "clock")}


def _snapshot() -> dict[tuple, Any]:
    """Every attribute of this package's modules and of their classes (and each
    function's code), less its running state: what an engine that patches the checker
    would change."""
    seen: dict[tuple, Any] = {}
    for name, module in list(sys.modules.items()):
        if not (name == "autograd_mini" or name.startswith("autograd_mini.")):
            continue
        for attr, value in list(vars(module).items()):
            if (name, attr) in RUNNING_STATE:
                continue
            seen[(name, attr)] = value
            _code(seen, (name, attr), value)
            if isinstance(value, type) and value.__module__ == name:
                for member, inner in list(vars(value).items()):
                    seen[(name, attr, member)] = inner
                    _code(seen, (name, attr, member), inner)
    return seen


def _code(seen: dict[tuple, Any], key: tuple, value: Any) -> None:
    for part, function in (("", value), ("fget", getattr(value, "fget", None))):
        code = getattr(function, "__code__", None)
        if code is not None:
            seen[(*key, part, "__code__")] = code


def _changed(before: dict[tuple, Any]) -> list[str]:
    now = _snapshot()
    return sorted({".".join(k[:3]).replace("autograd_mini.", "", 1) for k, v in before.items()
                   if k in now and now[k] is not v or k not in now})


def _told(checker: type, channel: _Channel) -> type:
    """The checker, telling the grader each time it goes into the engine's
    ``backward()`` and out of it: a process that dies there is said to have died in
    ``backward()``."""
    backward = checker.backward

    class Told(checker):
        def backward(self, node: Any) -> None:
            channel.send("phase", phase="backward")
            try:
                backward(self, node)
            finally:
                channel.send("phase", phase="")

    Told.__name__ = Told.__qualname__ = checker.__name__
    return Told


def main() -> None:
    job = json.loads(sys.stdin.readline())
    channel = _Channel(int(job.pop("fd")), job.pop("token"))
    sys.stdin.close()
    sys.path[:0] = [p for p in job["path"] if p not in sys.path]
    _limit(job.get("memory_limit"))

    from ..core.language import set_language
    from . import grader
    from .loading import EngineLoadError, load_engine

    set_language(job.get("language"))  # the grader's language: what it writes is shown

    where = {"stage": "import"}
    forks = []

    def forked() -> None:  # in this process, after os.fork(): told, and a bomb defused
        forks.append(1)
        channel.send("fork", **where)
        if len(forks) >= MAX_FORKS:
            os._exit(FORK_BOMB_STATUS)

    os.register_at_fork(after_in_child=lambda: os._exit(FORKED_STATUS),
                        after_in_parent=forked)
    run, semantics = grader.EngineChecker.run, grader.EngineChecker.semantics
    before = _snapshot()

    channel.send("start", **where)
    try:
        kind = load_engine(job["target"])
    except EngineLoadError as error:
        channel.send("load_error", message=str(error))
        return
    if changed := _changed(before):
        channel.send("tampered", what=changed, **where)
        return
    checker = _told(grader.EngineChecker, channel)(kind, **job["options"])
    channel.send("loaded", engine=checker.name)
    for index, check in enumerate(checker.checks()):
        where = {"stage": "check", "index": index}
        channel.send("start", **where)
        result = run(checker, check)
        if changed := _changed(before):
            channel.send("tampered", what=changed, **where)
            return
        channel.send("result", index=index, category=result.category, name=result.name,
                     status=result.status, note=result.note,
                     failures=[asdict(f) for f in result.failures])
    where = {"stage": "notes"}
    channel.send("start", **where)
    notes = semantics(checker)
    if changed := _changed(before):
        channel.send("tampered", what=changed, **where)
        return
    channel.send("notes", notes=[str(n) for n in notes])
    _reap()
    channel.send("done")


def _reap() -> None:
    """Wait for the processes the engine forked and that ended (at once, by the fork
    hook), so that the grader sees only those still running."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _run() -> None:
    """``main()``, then out at once: no atexit handler or thread of the engine's runs
    after the checks.  An exit of the engine's own (``sys.exit`` where nothing catches
    it) keeps its status, for the grader to tell."""
    status = 0
    try:
        main()
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(status)


if __name__ == "__main__":
    _run()
