"""The one guard of every call a page makes from JavaScript into Python.

A page's Python runs in the page's engine (Pyodide, in a Web Worker): an exception that
escapes into JavaScript -- a RecursionError or a MemoryError above all -- can leave that
Python dead until the page is reloaded.  So each entry point (:mod:`.page_api`'s functions, the
course kernel's, the notebook's, the widget stand-in's) is wrapped by :func:`reported`:
whatever goes wrong comes back as data, ``{"error": message}`` in JSON text.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TypeVar

__all__ = ["reported", "message"]

F = TypeVar("F", bound=Callable)


def message(error: BaseException) -> str:
    """One line for the page: the error's own words, with its kind where they need it."""
    from ..explain.expression import ExpressionError, UnknownName

    text = str(error).splitlines()[0][:300] if str(error).strip() else ""
    if isinstance(error, UnknownName):  # a page has a box per name
        return f"{text} (give it a value: {error.name} = a number)"
    if isinstance(error, ExpressionError):
        return text
    if isinstance(error, RecursionError):
        return "the input is nested too deeply for this page"
    if isinstance(error, MemoryError):
        return "the input needs more memory than this page has"
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def reported(function: F) -> F:
    """``function``, as an entry point of the pages: an exception (any ``Exception``,
    RecursionError and MemoryError included) is returned as ``{"error": message}``."""

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 -- reported to the page as data
            return json.dumps({"error": message(error)}, ensure_ascii=False)

    return guarded  # type: ignore[return-value]
