"""A time budget for code that may never return: a student's ``backward()`` with an
endless loop must become a failure of its check, not a hang of the checker.

On the main thread a timer signal interrupts the code where it is (pure Python loops
included); elsewhere the code runs in a thread of its own, abandoned if it overruns;
where there are no threads either (a browser's Pyodide), it runs without a budget.
"""

from __future__ import annotations

import contextvars
import signal
import threading
from collections.abc import Callable
from typing import TypeVar

from ..core.language import _

__all__ = ["CheckTimeout", "within"]

T = TypeVar("T")


class CheckTimeout(BaseException):
    """The budget ran out.  A BaseException, so that the checked code's own
    ``except Exception`` cannot swallow it."""


def within(seconds: float, function: Callable[[], T]) -> T:
    """``function()``, or :class:`CheckTimeout` once it has run ``seconds``."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        if signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # inside a budget already: it holds
            return function()
        return _with_timer(seconds, function)
    return _in_a_thread(seconds, function)


def _with_timer(seconds: float, function: Callable[[], T]) -> T:
    said = _("over the budget of {seconds:g} s", seconds=seconds)  # said before it rings

    def ring(signum, frame):
        raise CheckTimeout(said)

    previous = signal.signal(signal.SIGALRM, ring)
    # It rings again every 50 ms: a ring that lands in a callback whose exceptions are
    # ignored (the garbage collector's) is not the last.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        return function()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_a_thread(seconds: float, function: Callable[[], T]) -> T:
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    # run in a copy of this thread's context: the check speaks the caller's language
    worker = threading.Thread(target=contextvars.copy_context().run, args=(run,), daemon=True,
                              name="autograd-mini-check")
    try:
        worker.start()
    except RuntimeError:  # no threads at all (a browser's Pyodide): no budget can be kept,
        return function()  # so the code runs as it is -- as any loop in that tab would
    worker.join(seconds)
    if worker.is_alive():  # it cannot be stopped; it is left to finish or not, unseen
        raise CheckTimeout(_("over the budget of {seconds:g} s", seconds=seconds))
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
