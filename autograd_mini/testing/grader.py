"""Check any engine with micrograd's API, graded as a course would: ``check_engine(Value)``.

    >>> from autograd_mini.micrograd import Value
    >>> report = check_engine(Value)
    >>> report.passed, len(report.failures)
    (True, 0)

The engine is a class with ``data``, ``grad``, ``backward()``, the arithmetic operators
on both sides (``2 - x``, ``2 / x``), ``**`` with a number, and whichever one-input ops of
the op table it has as methods (``relu``, ``tanh``, ``exp``, ``log``, ``sigmoid``, ...).
Every value and gradient it gives is held against this engine (the op table's rules) and
against finite differences of its own forward pass:

* a fresh node's ``grad`` is 0; two distinct nodes with equal values stay two nodes;
* each op, in each form, at a few points, with the gradient from above 1 and not 1, and
  its node linked to its inputs (``_prev``);
* the one-input ops far from 0 (``tanh(400)``, ``sigmoid(-800)``), where the lecture's
  formulas of ``exp`` overflow though the answer is finite;
* a node used twice (``a + a``, ``(a * b) + a``, ``a + a.exp()``, ``a.exp() * a``), and
  inner nodes shared by later ones;
* random expressions of the ops that passed (hypothesis), the failing one shrunk to the
  smallest;
* a chain 2,000 nodes deep, and, where the engine has ``nn``, two MLP training steps;
* two ``backward()`` calls in a row, reported as a note on the engine's semantics.

The student's code runs under guard: an exception, a ``RecursionError``, an infinite
value or a hang (each check has a time budget, halved after each hang, and the whole run
one too: checks left when it is spent fail as not run) is a failure with a diagnosis,
never a crash of the checker.  :class:`Adapter` covers other spellings.  That guard is for
code the caller trusts (a class already imported); a student's file is checked in a child
process with a time and a memory limit, the verdict decided outside it:
:func:`~autograd_mini.testing.isolation.check_engine_file`, as the command and the pytest
plugin do.
"""

from __future__ import annotations

import json
import operator
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..core.language import N_, _, display_width, ngettext, pad
from ..core.naming import fmt
from ..explain.trace import aligned
from . import diagnosis as words
from . import grader_checks as checks
from .budget import CheckTimeout, within
from .loading import FILE_MODULE_PREFIX, EngineLoadError, load_engine
from .op_forms import METHOD, NUMBER_RIGHT, VALUES, all_forms

__all__ = ["check_engine", "EngineReport", "Failure", "CheckResult", "Adapter",
           "EngineChecker", "load_engine", "EngineLoadError", "CATEGORIES"]


# The categories of checks, in the order they run and are reported (in English in the
# machine-readable reports; the text report shows each as _(category)).
CATEGORIES = (N_("backward"), N_("ops"), N_("large inputs"), N_("used twice"),
              N_("shared nodes"), N_("expressions"), N_("deep graph"), "nn")
# A failure's numbers, by their keys (which stay English in the JSON): the words shown.
_KEYS = {"value": N_("value"), "error": N_("error"), "loss": N_("loss"),
         "parameters": N_("parameters")}
_NUMERIC = " by finite differences"  # the suffix of a key of finite differences
EQUAL_VALUES = N_("distinct nodes with equal values")  # a check that reaches a node twice


@dataclass
class Adapter:
    """How to speak to an engine whose spelling is not micrograd's.

    Attributes:
        make: a leaf from a number (default: ``value_class(x)``; for another constructor,
            ``lambda x: Value(x, _children=())``).
        data, grad: read a node's value and gradient (``lambda v: v.item()``).
        backward: run the backward pass from a node (``lambda v: v.backward()``).
        functions: an op given as a function rather than a method, by the op table's
            name: ``{"tanh": my_engine.tanh}``.
        mlp: make a network, ``mlp(nin, nouts)``; default: the engine's own ``MLP``.
    """

    make: Callable[[float], Any] | None = None
    data: Callable[[Any], float] = operator.attrgetter("data")
    grad: Callable[[Any], float] = operator.attrgetter("grad")
    backward: Callable[[Any], None] = operator.methodcaller("backward")
    functions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    mlp: Callable[[int, list[int]], Any] | None = None


@dataclass(frozen=True)
class Failure:
    """One thing the engine got wrong: the smallest case that shows it and the likely bug."""

    category: str
    check: str
    op: str                      # the op to blame, or "backward", "nn"
    expression: str              # the smallest failing expression, as text
    inputs: dict[str, float]
    expected: dict[str, float]   # this engine's values and gradients (finite differences agree)
    got: dict[str, Any]          # the engine's, or {"error": ...}
    diagnosis: str               # the likely bug, in words

    @property
    def label(self) -> str:
        """What the failure is about: the op, or what the check tests where the op to blame
        is backward() itself (``shared nodes``, ``deep graph``)."""
        return {"backward": self.category}.get(self.op, self.op)

    def __str__(self) -> str:
        rows = [(_("inputs"), _table(self.inputs)), (_("expected"), _table(self.expected)),
                (_("got"), _table(self.got)), (_("diagnosis"), self.diagnosis)]
        width = max(display_width(name) for name, _text in rows)
        label = _(self.label) if self.label == self.category else self.label
        return "\n".join([f"{label}: {self.expression}"]
                         + [f"   {pad(name, width)} {text}" for name, text in rows])


def _shown(x: Any) -> str:
    return fmt(x) if isinstance(x, float) else str(x)


def _table(numbers: dict[str, Any]) -> str:
    return ", ".join(f"{_key(k)} = {_shown(v)}" for k, v in numbers.items()) or "-"


def _key(key: str) -> str:
    """A failure's key as the report shows it: ``value`` in the reader's language,
    ``d/dx1 by finite differences`` too; ``d/dx1``, ``grad`` and ``_prev`` as they are."""
    if key.endswith(_NUMERIC):
        return _("{name} by finite differences", name=key.removesuffix(_NUMERIC))
    return _(_KEYS[key]) if key in _KEYS else key


@dataclass
class CheckResult:
    """A check's verdict: ``"pass"``, ``"fail"`` or ``"skip"`` (not applicable)."""

    category: str
    name: str
    status: str
    failures: list[Failure] = field(default_factory=list)
    note: str = ""
    title: str = ""  # the check's name in the reader's language (default: its name)

    @property
    def shown(self) -> str:
        return self.title or self.name


@dataclass
class EngineReport:
    """What :func:`check_engine` found: ``passed``, ``failures``, ``notes``, ``results``."""

    engine: str
    results: list[CheckResult]
    notes: list[str]
    # Why the checks ended early, when the engine's process did not run them to the end
    # ("the engine exited with status 0 during the check ..."): a failure in itself.
    stopped: str = ""
    # Where the student's code ran: a child process with its limits, or in place.
    isolation: str = ""

    @property
    def passed(self) -> bool:
        return not self.stopped and all(r.status != "fail" for r in self.results)

    @property
    def failures(self) -> list[Failure]:
        """Every failure, the engine-wide ones (``backward``) first."""
        ordered = sorted(self.results, key=lambda r: CATEGORIES.index(r.category))
        return [f for r in ordered for f in r.failures]

    def points(self) -> dict[str, dict[str, int]]:
        """Per category, the checks passed (``points``) of those that apply (``of``)."""
        table = {}
        for category in CATEGORIES:
            graded = [r for r in self.results if r.category == category and r.status != "skip"]
            if graded:
                table[category] = {"points": sum(r.status == "pass" for r in graded),
                                   "of": len(graded)}
        return table

    def to_dict(self) -> dict[str, Any]:
        points = self.points()
        return {"engine": self.engine, "passed": self.passed,
                "points": sum(p["points"] for p in points.values()),
                "of": sum(p["of"] for p in points.values()), "counts": self.counts(),
                "categories": points,
                "failures": [asdict(f) for f in self.failures], "notes": self.notes,
                "checks": [{"category": r.category, "name": r.name, "status": r.status,
                            "note": r.note} for r in self.results],
                "stopped": self.stopped, "isolation": self.isolation}

    def to_json(self) -> str:
        """The report for a grader: points per category, each failure, the notes."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=str)

    def counts(self) -> dict[str, int]:
        """How many checks passed, failed and were skipped: together, the rows."""
        return {status: sum(r.status == status for r in self.results)
                for status in ("pass", "fail", "skip")}

    def __str__(self) -> str:
        n = self.counts()
        head = ngettext("check_engine: {engine} — {passed} of {count} check passes, {skipped} "
                        "do not apply ({total} in all)",
                        "check_engine: {engine} — {passed} of {count} checks pass, {skipped} "
                        "do not apply ({total} in all)", n["pass"] + n["fail"],
                        engine=self.engine, passed=n["pass"], skipped=n["skip"],
                        total=len(self.results))
        if not self.passed:
            head += ngettext("; {count} failure", "; {count} failures", len(self.failures))
        said = {"pass": _("ok"), "fail": _("FAILED"), "skip": _("skipped")}
        rows = [(_("category"), _("check"), _("result"))] + [
            (_(r.category), r.shown, said[r.status] + (f" ({r.note})" if r.note else ""))
            for r in self.results]
        parts = [head] + ([_("Stopped early: {why}", why=self.stopped)] if self.stopped
                          else []) + [aligned(rows, rule=True)]
        if self.failures:
            parts.append(_("Failures") + "\n" + "\n".join(
                f"{k}. {f}" for k, f in enumerate(self.failures, 1)))
        if self.notes:
            parts.append(_("Notes") + "\n" + "\n".join(f"- {n}" for n in self.notes))
        if self.isolation:
            parts.append(self.isolation)
        return "\n\n".join(parts)


def _engine_name(kind: type) -> str:
    """``micrograd.engine.Value``, or ``path/engine.py:Value`` for a class loaded from a file."""
    module = sys.modules.get(kind.__module__)
    if kind.__module__.startswith(FILE_MODULE_PREFIX) and getattr(module, "__file__", None):
        return f"{module.__file__}:{kind.__qualname__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def check_engine(value_class: type, adapter: Adapter | None = None, *,
                 time_budget: float = 5.0, max_examples: int = 150, seed: int | None = None,
                 total_budget: float = 60.0) -> EngineReport:
    """Property-test the engine whose node class is ``value_class``: every op it has
    against finite differences and this engine, then graphs that test ``backward`` itself.

    The checks run in this process: the class is already imported and its code is
    trusted (an engine that calls ``sys.exit``, patches the checker or switches off the
    timer can stop or fool them).  A student's engine is checked from its file with
    :func:`~autograd_mini.testing.isolation.check_engine_file` (``"engine.py:Value"``),
    in a child process with a time and a memory limit, as the command and the pytest
    plugin do.

    Args:
        value_class: the engine's ``Value`` (``Value(2.0)`` makes a leaf).
        adapter: how to speak to it, where it is not spelled as micrograd is.
        time_budget: seconds each check may take (the random expressions get six times
            as much); beyond it the check fails as a hang.
        max_examples: how many random expressions hypothesis tries.
        seed: the random expressions' seed; None (the default) draws the same ones every
            run, as any fixed seed does.
        total_budget: seconds the whole run may take: each check's budget shrinks to what
            is left, and once it is spent the remaining checks fail as not run.

    Returns:
        An :class:`EngineReport`: ``passed``, ``failures`` (each with ``op``,
        ``expression``, ``inputs``, ``expected``, ``got``, ``diagnosis``), ``to_json()``.
    """
    checker = EngineChecker(value_class, adapter, time_budget=time_budget,
                            max_examples=max_examples, seed=seed, total_budget=total_budget)
    return checker.report()


@dataclass
class Check:
    """One check of the plan: run it through :meth:`EngineChecker.run`."""

    category: str
    name: str
    function: Callable[[], list[checks.Found]] = field(repr=False)
    budget: float = 1.0  # a multiple of the checker's time budget
    op: str = "backward"
    title: str = ""  # the name in the reader's language (default: the name)

    @property
    def shown(self) -> str:
        return self.title or self.name

    def named(self, result: CheckResult) -> CheckResult:
        """``result`` with this check's name in the reader's language."""
        result.title = self.shown
        return result


def _named(message: str, **fields: Any) -> dict[str, str]:
    """A check's ``name`` (English: the key of its result, its test id) and ``title``
    (the reader's language), from one marked message."""
    return {"name": message.format(**fields), "title": _(message, **fields)}


class EngineChecker:
    """The plan of checks for one engine, each run once, on demand and in any order
    (the pytest plugin runs them as test cases; :func:`check_engine` runs them all)."""

    def __init__(self, value_class: type, adapter: Adapter | None = None, *,
                 time_budget: float = 5.0, max_examples: int = 150, seed: int | None = None,
                 total_budget: float = 60.0) -> None:
        if isinstance(value_class, (str, os.PathLike)):
            raise TypeError(_("check_engine expects a class (the engine's Value); to check "
                              "{path} from its file, in a child process, use "
                              "check_engine_file", path=repr(os.fspath(value_class))))
        if not isinstance(value_class, type):
            raise TypeError(_("check_engine expects a class (the engine's Value), got {kind}",
                              kind=type(value_class).__name__))
        if not (isinstance(time_budget, (int, float)) and 0 < time_budget < float("inf")):
            raise ValueError(_("the time budget must be a positive number of seconds, "
                               "got {value}", value=repr(time_budget)))
        self.kind, self.adapter = value_class, adapter or Adapter()
        if not (isinstance(total_budget, (int, float)) and 0 < total_budget < float("inf")):
            raise ValueError(_("the total time budget must be a positive number of seconds, "
                               "got {value}", value=repr(total_budget)))
        if not (isinstance(max_examples, int) and max_examples > 0):
            raise ValueError(_("max_examples must be a positive whole number, got {value}",
                               value=repr(max_examples)))
        self.time_budget, self.max_examples = time_budget, max_examples
        self.seed, self.total_budget = seed, total_budget
        self._started: float | None = None  # when the first check ran
        self._hangs = 0  # checks that ran out of time: each next one gets half as long
        self.name = _engine_name(value_class)
        self.results: dict[tuple[str, str], CheckResult] = {}  # by (category, name)
        self.notes: list[str] = []
        self.forms = all_forms()
        self.probe: str | None = None  # how backward() orders the steps (engine_checks)
        self._dead = ""  # set when backward() hangs on a single Value: nothing else can run
        self._checks = self._plan()

    # -- the plan -----------------------------------------------------------------------

    def _plan(self) -> list[Check]:
        forms = self.forms
        plan = [Check("backward", function=lambda: checks.seed(self),
                      **_named(N_("the seed: backward() on a single Value"))),
                Check("backward", function=lambda: checks.fresh_grad(self),
                      **_named(N_("a new Value starts with grad 0")))]
        plan += [Check("ops", checks.form_name(f), lambda f=f: checks.op(self, f), op=f.op)
                 for f in forms]
        plan.append(Check("backward", function=lambda: checks.inner_nodes(self),
                          **_named(N_("gradients pass through inner nodes"))))
        plan.append(Check("backward", function=lambda: checks.equal_values(self),
                          **_named(EQUAL_VALUES)))
        plan += [Check("large inputs", checks.large_name(f), lambda f=f: checks.large(self, f),
                       op=f.op, title=checks.large_name(f, shown=True))
                 for f in forms if f.kind == METHOD]
        plan += [Check("used twice", checks.twice_name(f), lambda f=f: checks.twice(self, f),
                       op=f.op) for f in forms if f.kind in (VALUES, METHOD)
                 or (f.kind == NUMBER_RIGHT and f.method == "__pow__")]
        plan += [Check("shared nodes", text, lambda k=k: checks.shared(self, k))
                 for k, (text, _build) in enumerate(checks.SHARED)]
        plan.append(Check("expressions", function=lambda: checks.expressions(self), budget=6.0,
                          **_named(N_("random expressions ({count} tried, the failing one "
                                      "shrunk)"), count=self.max_examples)))
        plan.append(Check("deep graph", function=lambda: checks.deep(self),
                          **_named(N_("a chain {depth} nodes deep"),
                                   depth=f"{checks.DEPTH:,}")))
        plan.append(Check("nn", function=lambda: checks.mlp(self), op="nn",
                          **_named(N_("two MLP training steps"))))
        return plan

    def checks(self) -> list[Check]:
        return list(self._checks)

    def report(self) -> EngineReport:
        results = [self.run(check) for check in self._checks]
        return EngineReport(self.name, results, self.semantics())

    def semantics(self) -> list[str]:
        """Notes on what the engine does that is a choice, not a bug (run once)."""
        if not self.notes and not self._dead:
            elapsed = time.monotonic() - (self._started or time.monotonic())
            seconds = min(self.check_seconds(), self.total_budget - elapsed)
            if seconds <= 0.05:
                return self.notes
            try:
                self.notes = within(seconds, lambda: checks.notes(self))
            except CheckTimeout:
                self.notes = [_("two backward() calls in a row did not finish within "
                                "{seconds:g} s", seconds=seconds)]
            except (Exception, SystemExit) as error:  # the engine's code: said, not raised
                self.notes = [_("two backward() calls in a row raised {error}",
                                error=f"{type(error).__name__}: {error}")]
        return self.notes

    def carrier_works(self, form) -> bool:
        """Whether ``out * 2.5`` can carry a gradient from above into ``form``'s node: the
        engine's ``x * number`` passed its own check (while it is being checked, its
        first round just has)."""
        carrier = next(f for f in self.forms if f.method == "__mul__" and f.kind == NUMBER_RIGHT)
        if form == carrier:
            return True
        result = self.result_of(checks.form_name(carrier))
        return result is not None and result.status == "pass"

    def result_of(self, name: str, category: str = "ops") -> CheckResult | None:
        """The result of the check called ``name``, running it if need be."""
        check = next((c for c in self._checks if (c.category, c.name) == (category, name)),
                     None)
        return self.run(check) if check is not None else None

    def run(self, check: Check) -> CheckResult:
        """The check's result, computed the first time it is asked for."""
        key = (check.category, check.name)
        if key in self.results:
            return self.results[key]
        if self._dead and check is not self._checks[0]:
            result = CheckResult(check.category, check.name, "skip", note=self._dead)
        else:
            result = self._guarded(check)
        self.results[key] = check.named(result)
        return result

    def _guarded(self, check: Check) -> CheckResult:
        """Run ``check`` within its time budget; whatever the engine does, a verdict."""
        now = time.monotonic()
        if self._started is None:
            self._started = now
        left = self.total_budget - (now - self._started)
        if left <= 0.05:
            return CheckResult(check.category, check.name, "fail",
                               note=_(words.CUT, seconds=self.total_budget))
        seconds = min(self.check_seconds(check.budget), left)
        try:
            failures = [Failure(check.category, check.name, *found)
                        for found in within(seconds, check.function)]
        except checks.Skip as skip:
            return CheckResult(check.category, check.name, "skip", note=str(skip))
        except CheckTimeout:
            self._hangs += 1
            reuse = self._loops_on_reuse(check)
            text = _(words.HANG, seconds=seconds)
            if reuse:
                text = _(words.HANG_ON_REUSE, hang=text)
            blame = "backward" if reuse else check.op  # the walk's loop
            failures = [self._failure(check, blame, check.shown, {}, {},
                                      {"error": _("did not finish")}, text)]
            if check is self._checks[0]:
                self._dead = _("not run: backward() did not finish on a single Value")
        except (Exception, SystemExit) as error:  # the engine's code failed: a failure
            failures = [self._failure(check, check.op, check.shown, {}, {},
                                      {"error": f"{type(error).__name__}: {error}"},
                                      words.raised(error, _("the check")))]
        return CheckResult(check.category, check.name, "fail" if failures else "pass", failures)

    def check_seconds(self, multiple: float = 1.0) -> float:
        """A check's budget: ``time_budget`` times its multiple, halved after each check
        that ran out of time (an endless loop seen once is met again), down to 0.5 s."""
        seconds = self.time_budget * multiple
        if self._hangs:
            seconds = max(seconds / 2 ** self._hangs, min(0.5, seconds))
        return seconds

    def _loops_on_reuse(self, check: Check) -> bool:
        """Whether a check that hung reaches a node twice where the ops' own checks,
        which reach each node once, passed: the walk loops on a node seen again."""
        reuses = check.category in ("used twice", "shared nodes") or \
            check.name == EQUAL_VALUES
        ops_pass = any(r.status == "pass" for r in self.results.values() if r.category == "ops")
        return reuses and ops_pass

    @staticmethod
    def _failure(check: Check, op: str, expression: str, inputs, expected, got,
                 diagnosis: str) -> Failure:
        return Failure(check.category, check.name, op, expression, dict(inputs),
                       dict(expected), dict(got), diagnosis)

    # -- talking to the engine ----------------------------------------------------------

    def leaf(self, x: float) -> Any:
        return (self.adapter.make or self.kind)(x)

    def data(self, node: Any) -> float:
        return float(self.adapter.data(node))

    def grad(self, node: Any) -> float:
        return float(self.adapter.grad(node))

    def backward(self, node: Any) -> None:
        self.adapter.backward(node)

    def is_node(self, x: Any, leaf: Any) -> bool:
        return isinstance(x, type(leaf))
