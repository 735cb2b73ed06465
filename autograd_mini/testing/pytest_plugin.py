"""A pytest plugin: ``pytest --check-engine=path/to/engine.py:Value`` in any folder runs
:func:`~autograd_mini.testing.check_engine`'s checks as test cases, one per op and
property, each failing with its expression, numbers and diagnosis.

It is registered through the entry point ``pytest11`` (pyproject.toml), so installing
autograd_mini is enough.  Without ``--check-engine`` it does nothing: it imports nothing
of the engine and adds no test.
"""

from __future__ import annotations

import pytest

__all__ = ["pytest_addoption", "pytest_collection_modifyitems", "EngineCheckItem",
           "EngineChecks"]


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


class EngineCheckItem(pytest.Item):
    """One check of the engine as a test case."""

    def __init__(self, *, checker, check, **kwargs) -> None:
        super().__init__(**kwargs)
        self.checker, self.check = checker, check

    def runtest(self) -> None:
        result = self.checker.run(self.check)
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
        return self.checker.name, None, f"{self.check.category}: {self.check.name}"


class EngineCheckFailed(AssertionError):
    """A check found a bug; the message is the failure as the report shows it."""


def pytest_collection_modifyitems(session, config, items) -> None:
    """With ``--check-engine``: the engine's checks, appended to what was collected."""
    target = config.getoption("check_engine")
    if not target:
        return
    from .grader import EngineChecker
    from .loading import EngineLoadError, load_engine

    try:
        kind = load_engine(target)
    except EngineLoadError as error:
        raise pytest.UsageError(f"--check-engine: {error}") from None
    checker = EngineChecker(kind, time_budget=config.getoption("check_engine_budget"),
                            max_examples=config.getoption("check_engine_max_examples"),
                            seed=config.getoption("check_engine_seed"),
                            total_budget=config.getoption("check_engine_total_budget"))
    engine = EngineChecks.from_parent(session, name=target)  # test ids: engine.py:Value::…
    for check in checker.checks():
        name = f"{check.category}: {check.name}"
        items.append(EngineCheckItem.from_parent(engine, name=name, checker=checker,
                                                 check=check))


class EngineChecks(pytest.Collector):
    """The engine under check, as the parent of its test cases."""

    def collect(self):  # its items are made by pytest_collection_modifyitems
        return []
