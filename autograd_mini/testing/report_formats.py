"""An engine report in the formats graders read: Gradescope's ``results.json``.

    >>> from autograd_mini.micrograd import Value
    >>> from autograd_mini.testing import check_engine
    >>> results = gradescope(check_engine(Value, max_examples=5))
    >>> results["score"] == results["max_score"], sorted(results)
    (True, ['max_score', 'output', 'score', 'stdout_visibility', 'tests'])

Each check that applies is one test of one point (or ``max_score`` shared among them):
its ``output`` is the failure as the text report shows it (expression, numbers,
diagnosis), or why it was not run.  Checks that do not apply to the engine are listed in
the top-level ``output``, with the notes on the engine's semantics.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.language import _, ngettext

__all__ = ["gradescope", "gradescope_json", "formatted", "FORMATS", "VISIBILITIES"]

FORMATS = ("text", "json", "gradescope")
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def gradescope(report, *, max_score: float | None = None,
               visibility: str = "visible") -> dict[str, Any]:
    """``report`` (an :class:`~autograd_mini.testing.grader.EngineReport`) as Gradescope's
    results: ``score``, ``max_score``, ``output``, ``stdout_visibility`` and ``tests``, one
    per check that applies (``name``, ``score``, ``max_score``, ``status``, ``output``,
    ``visibility``).  ``max_score`` scales the points (default: one per check)."""
    if visibility not in VISIBILITIES:
        raise ValueError(_("visibility must be one of {choices}, got {value}",
                           choices=", ".join(VISIBILITIES), value=repr(visibility)))
    graded = [r for r in report.results if r.status != "skip"]
    each = 1.0 if max_score is None or not graded else float(max_score) / len(graded)
    tests = []
    for result in graded:
        passed = result.status == "pass"
        output = "\n\n".join(str(f) for f in result.failures) or result.note or \
            ("" if passed else _("failed"))
        tests.append({"name": f"{_(result.category)}: {result.shown}",
                      "score": round(each if passed else 0.0, 6),
                      "max_score": round(each, 6),
                      "status": "passed" if passed else "failed",
                      "output": output, "visibility": visibility})
    skipped = [r for r in report.results if r.status == "skip"]
    counts = report.counts()
    lines = [ngettext("check_engine: {engine} — {passed} of {count} check passes",
                      "check_engine: {engine} — {passed} of {count} checks pass",
                      counts["pass"] + counts["fail"], engine=report.engine,
                      passed=counts["pass"])]
    if skipped:
        lines.append(_("Not applicable to this engine: {checks}", checks="; ".join(
            f"{_(r.category)}: {r.shown}" + (f" ({r.note})" if r.note else "")
            for r in skipped)))
    lines += [_("Note: {note}", note=note) for note in report.notes]
    top = float(len(graded)) if max_score is None else float(max_score)
    passed = sum(r.status == "pass" for r in graded)
    return {"score": round(top * passed / len(graded), 6) if graded else 0.0,
            "max_score": top,
            "output": "\n".join(lines), "stdout_visibility": visibility, "tests": tests}


def gradescope_json(report, **options: Any) -> str:
    """:func:`gradescope` as the text of ``results.json``."""
    return json.dumps(gradescope(report, **options), indent=2, ensure_ascii=False)


def formatted(report, format: str = "text", **options: Any) -> str:
    """The report as ``text`` (the table), ``json`` (points per category) or
    ``gradescope`` (``results.json``; ``max_score`` and ``visibility`` apply)."""
    if format == "text":
        return str(report)
    if format == "json":
        return report.to_json()
    if format == "gradescope":
        return gradescope_json(report, **{k: v for k, v in options.items()
                                          if k in ("max_score", "visibility")})
    raise ValueError(_("the format must be one of {choices}, got {value}",
                       choices=", ".join(FORMATS), value=repr(format)))
