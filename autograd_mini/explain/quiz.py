"""The quiz of the backward pass: predict each local derivative and contribution.

One implementation for every place that quizzes: the site's playground and the notebook
explorer (``explore(out, quiz=True)``) both ask and check through :class:`Quiz`, and only
draw its questions their own way.

    >>> from autograd_mini import Value
    >>> from autograd_mini.explain.trace import trace
    >>> x = Value(0.5, label="x")
    >>> quiz = Quiz(trace(x.tanh()))
    >>> [quiz.prompt(q) for q in quiz.questions.values()]
    ['local derivative ∂out/∂x', 'contribution ∂out/∂out · ∂out/∂x']
    >>> first = next(iter(quiz.questions.values())).id
    >>> print(quiz.answer(first, "2")["hint"])  # doctest: +NORMALIZE_WHITESPACE
    The rule of tanh: d/da tanh(a) = 1 - tanh(a)**2. Here: ∂out/∂x = 1 - tanh(x)**2,
    with out = 0.4621, x = 0.5.
    >>> quiz.answer(first, "1 - 0.4621**2")["ok"]
    True

An answer is a number or arithmetic on numbers (``1 - 0.5**2``), read by the package's
whitelist parser (:mod:`autograd_mini.explain.expression`, never ``eval``), and right within
:data:`QUIZ_TOLERANCE` of the engine's own number.  A wrong one is told the op table's
formula, the same rule with the node's names, and the numbers it needs -- so any op of the
table is quizzed, one a student registers too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.language import _
from ..core.naming import fmt
from .expression import ExpressionError, UnknownName, as_typed, parse
from .trace import BackwardStep, Step, Trace, walk

__all__ = ["Quiz", "Question", "QUIZ_TOLERANCE"]

QUIZ_TOLERANCE = 1e-3  # relative: an answer within 0.1 % of the engine's number is right
KINDS = ("local", "contribution")  # the two blanks of a chain-rule product, in this order


@dataclass
class Question:
    """One blank of the quiz: a local derivative or a contribution, and how it went."""

    step: int          # index in the walk
    contribution: int  # which parent of the step's node
    kind: str          # "local" or "contribution"
    truth: float
    attempts: int = 0
    right: bool = False
    shown: bool = False  # the student asked for the answer

    @property
    def done(self) -> bool:
        return self.right or self.shown

    @property
    def id(self) -> str:
        """How a page names the blank: ``"STEP:CONTRIBUTION:KIND"``."""
        return f"{self.step}:{self.contribution}:{self.kind}"


class Quiz:
    """The blanks of one traced pass, two per chain-rule product, and their score.

    ``steps`` is the walk of ``record`` (:func:`autograd_mini.explain.trace.walk`); a question's
    ``step`` is its index there.
    """

    def __init__(self, record: Trace, steps: list[Step] | None = None) -> None:
        self.record = record
        self.steps = walk(record) if steps is None else steps
        first = len(self.steps) - len(record.backward)  # the walk ends with the backward steps
        self.questions: dict[tuple[int, int, str], Question] = {}
        for k, step in enumerate(record.backward):
            for j, c in enumerate(step.contributions):
                for kind, truth in zip(KINDS, (c.local, c.contribution)):
                    self.questions[first + k, j, kind] = Question(first + k, j, kind, truth)

    @property
    def seed_index(self) -> int:
        """The seed's place in the walk: the backward steps follow it, to the end."""
        return len(self.steps) - len(self.record.backward) - 1

    def chain_rule_step(self, index: int) -> BackwardStep:
        """The trace's record of the backward step at ``index`` of the walk."""
        return self.record.backward[index - self.seed_index - 1]

    def asked(self, index: int) -> list[Question]:
        """The blanks of step ``index`` of the walk (none before the backward pass)."""
        return [q for q in self.questions.values() if q.step == index]

    def hidden(self, index: int) -> bool:
        """Whether step ``index`` keeps its numbers back: a blank of it is still open."""
        return any(not q.done for q in self.asked(index))

    def first_open(self) -> int | None:
        """The first step of the walk with an open blank; None when all are done."""
        return min((q.step for q in self.questions.values() if not q.done), default=None)

    def question(self, question: str) -> Question:
        """The blank a page names ``"STEP:CONTRIBUTION:KIND"``, or a KeyError saying so."""
        try:
            step, contribution, kind = question.split(":")
            return self.questions[int(step), int(contribution), kind]
        except (ValueError, KeyError, AttributeError):
            raise KeyError(_("no quiz question {question}", question=repr(question))) from None

    def prompt(self, q: Question) -> str:
        """What the blank asks for, in the trace's names."""
        backward = self.chain_rule_step(q.step)
        c = backward.contributions[q.contribution]
        out = self.record.names[self.record.output]
        if q.kind == "local":
            return _("local derivative ∂{node}/∂{parent}", node=backward.name,
                     parent=c.parent_name)
        return _("contribution ∂{output}/∂{node} · ∂{node}/∂{parent}", output=out,
                 node=backward.name, parent=c.parent_name)

    def ask(self, q: Question) -> dict:
        """The blank as a page shows it: its id, prompt, and the answer once it is done."""
        return {"id": q.id, "prompt": self.prompt(q), "kind": q.kind, "done": q.done,
                "right": q.right, "answer": fmt(q.truth) if q.done else None}

    def answer(self, question: str, text: str) -> dict:
        """Check the student's answer to ``question``: right within
        :data:`QUIZ_TOLERANCE`, or wrong with a :meth:`hint`.  Text the parser cannot
        read gets its message, and is not counted as an attempt (a typo is not a guess)."""
        q = self.question(question)
        try:
            given = _not_finite(text)
            if given is None:
                given = parse(text, {}).data
        except (ExpressionError, ValueError, ZeroDivisionError, OverflowError) as error:
            return {"ok": False, "error": _for_the_quiz(error), "hint": "",
                    "score": self.score(), "answer": None}
        q.attempts += 1
        q.right = q.right or _agrees(given, q.truth)
        return {"ok": q.right, "error": "", "hint": "" if q.right else self.hint(q),
                "score": self.score(), "answer": fmt(q.truth) if q.right else None}

    def show(self, question: str) -> dict:
        """Give up on ``question``: its answer is shown, and it does not score."""
        q = self.question(question)
        q.shown = True
        return {"answer": fmt(q.truth), "score": self.score()}

    def hint(self, q: Question) -> str:
        """What a wrong answer is told: the op table's formula, the same rule with this
        node's names, and the numbers the rule needs."""
        backward = self.chain_rule_step(q.step)
        c = backward.contributions[q.contribution]
        out = self.record.names[self.record.output]
        if q.kind == "local":
            node = backward.node
            known = [(backward.name, node.data)] + [
                (self.record.names[p], p.data) for p in node.parents if not p.is_constant]
            numbers = ", ".join(f"{name} = {fmt(x)}" for name, x in dict(known).items())
            return _("The rule of {op}: {formula}. Here: {here}, with {numbers}.",
                     op=backward.op, formula=backward.formula, here=c.local_formula,
                     numbers=numbers)
        return _("A contribution is the upstream gradient times the local derivative: "
                 "∂{output}/∂{node} · ∂{node}/∂{parent}, with ∂{output}/∂{node} = {upstream} "
                 "and ∂{node}/∂{parent} = {local}.", output=out, node=backward.name,
                 parent=c.parent_name, upstream=fmt(backward.upstream), local=fmt(c.local))

    def score(self) -> dict:
        """Blanks right at the first try, out of all the blanks; and how many are done."""
        qs = list(self.questions.values())
        return {"right": sum(q.right and q.attempts == 1 for q in qs), "total": len(qs),
                "done": sum(q.done for q in qs)}

    @property
    def finished(self) -> bool:
        return all(q.done for q in self.questions.values())


def _not_finite(text: str) -> float | None:
    """``nan``, ``inf`` or ``-inf`` (any case, ``infinity`` too) as a whole answer: a
    number the quiz checks like any other (a blank can hold one: exp(1000)'s slope is inf).
    None for any other text."""
    word = as_typed(text).strip().lower()
    return float(word) if word.lstrip("+-") in ("nan", "inf", "infinity") else None


def _agrees(given: float, truth: float) -> bool:
    """Right within :data:`QUIZ_TOLERANCE`; NaN is right for NaN, inf for the same inf."""
    if math.isnan(given) or math.isnan(truth):
        return math.isnan(given) and math.isnan(truth)
    return math.isclose(given, truth, rel_tol=QUIZ_TOLERANCE, abs_tol=1e-12)


def _for_the_quiz(error: Exception) -> str:
    """The parser's message, but a name is told in the quiz's words: an answer has no
    names, only numbers."""
    if not isinstance(error, UnknownName):
        return str(error)
    return _("{name} is not a number the quiz can check: an answer is a number or "
             "arithmetic on numbers (1 - 0.4621**2), with no names; nan and inf are read "
             "only as a whole answer", name=repr(error.name))
