"""A pytest plugin: ``pytest --check-engine=path/to/engine.py:Value`` in any folder runs
:func:`~autograd_mini.testing.check_engine`'s checks as test cases, one per op and
property, each failing with its expression, numbers and diagnosis.  The checks run in
a child process with a time and a memory limit (``--check-engine-time-limit``,
``--check-engine-memory-limit``): an engine that exits, crashes or hangs is a failing
test case that says so, not a silent end of pytest.

It is registered through the entry point ``pytest11`` (pyproject.toml), so installing
autograd_mini is enough.  Without ``--check-engine`` it does nothing: it imports nothing
of the engine and adds no test.
"""

from __future__ import annotations

import pytest

__all__ = ["pytest_addoption", "pytest_collection_modifyitems", "EngineCheckItem",
           "EngineProcessItem", "EngineChecks"]


def pytest_addoption(parser) -> None:
    group = parser.getgroup("autograd_mini")
    group.addoption("--check-engine", metavar="FILE.py:CLASS", default=None,
                    help="check an engine with micrograd's API (engine.py:Value or "
                         "module:Value): one test case per op and property")
    group.addoption("--check-engine-budget", metavar="SECONDS", type=float, default=5.0,
                    help="the time each engine check may take (default 5)")
    group.addoption("--check-engine-max-examples", metavar="N", type=int, default=150,
                    help="how many random expressions the engine check tries (default 150)")
    group.addoption("--check-engine-seed", metavar="N", type=int, default=None,
                    help="the seed of the random expressions (default: the same fixed "
                         "draw every run)")
    group.addoption("--check-engine-total-budget", metavar="SECONDS", type=float,
                    default=60.0, help="the time all the engine checks may take together; "
                                       "checks left when it is spent fail (default 60)")
    group.addoption("--check-engine-time-limit", metavar="SECONDS", type=float,
                    default=120.0, help="the time the engine's child process may take in "
                                        "all; then it is killed (default 120)")
    group.addoption("--check-engine-memory-limit", metavar="SIZE", default="2G",
                    help="the memory the engine's child process may use: 2G, 512M or "
                         "none (default 2G)")


class EngineCheckItem(pytest.Item):
    """One check of the engine as a test case: its result, from the report of the child
    process that ran the checks."""

    def __init__(self, *, result, **kwargs) -> None:
        super().__init__(**kwargs)
        self.result = result

    def runtest(self) -> None:
        result = self.result
        if result.status == "skip":
            pytest.skip(result.note or "does not apply to this engine")
        if result.status == "fail":
            raise EngineCheckFailed("\n\n".join(str(f) for f in result.failures)
                                    or result.note or "failed")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, EngineCheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.parent.name, None, f"{self.result.category}: {self.result.name}"


class EngineProcessItem(pytest.Item):
    """The engine's process, when it ended outside any check (at its import, say): the
    one test case that says what happened."""

    def __init__(self, *, stopped: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stopped = stopped

    def runtest(self) -> None:
        raise EngineCheckFailed(self.stopped)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, EngineCheckFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.parent.name, None, "the engine's process"


class EngineCheckFailed(AssertionError):
    """A check found a bug; the message is the failure as the report shows it."""


def pytest_collection_modifyitems(session, config, items) -> None:
    """With ``--check-engine``: the engine's checks, appended to what was collected.
    They run once, here, in a child process (pytest's own process never imports the
    engine); each test case then tells its check's result."""
    target = config.getoption("check_engine")
    if not target:
        return
    from .isolation import check_engine_file, memory_size
    from .loading import EngineLoadError

    try:
        report = check_engine_file(
            target, time_budget=config.getoption("check_engine_budget"),
            max_examples=config.getoption("check_engine_max_examples"),
            seed=config.getoption("check_engine_seed"),
            total_budget=config.getoption("check_engine_total_budget"),
            time_limit=config.getoption("check_engine_time_limit"),
            memory_limit=memory_size(config.getoption("check_engine_memory_limit")))
    except (EngineLoadError, ValueError) as error:
        raise pytest.UsageError(f"--check-engine: {error}") from None
    engine = EngineChecks.from_parent(session, name=target)  # test ids: engine.py:Value::…
    for result in report.results:
        name = f"{result.category}: {result.name}"
        items.append(EngineCheckItem.from_parent(engine, name=name, result=result))
    told = any(f.diagnosis == report.stopped for f in report.failures)
    if report.stopped and not told:
        items.append(EngineProcessItem.from_parent(engine, name="the engine's process",
                                                   stopped=report.stopped))


class EngineChecks(pytest.Collector):
    """The engine under check, as the parent of its test cases."""

    def collect(self):  # its items are made by pytest_collection_modifyitems
        return []
