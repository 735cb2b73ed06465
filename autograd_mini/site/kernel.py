"""A notebook kernel for the course page: a notebook's cells run one by one in the page's
Pyodide, as Jupyter's kernel runs them.

:class:`Kernel` is a small stand-in for Jupyter's: one namespace for the whole notebook,
a cell's last expression shown as Jupyter shows it (``_repr_mimebundle_``,
``_repr_html_``, ``_repr_svg_``, else its ``repr``), ``print`` and errors as text,
``display(...)`` for pictures in the middle of a cell.  The code run is the course's own
notebooks, or what the student types into a cell in their own tab -- as in Jupyter, it is
Python, and is run as Python; nothing from a link or the network is ever run.

The page calls :func:`run_cell` and :func:`restart`, on :data:`page_kernel`.  While a cell
runs, the page hears how far it is through :attr:`Kernel.live` (the engine's worker sets
it): the last line the cell printed, and the demos' progress (``seed 8: 1200/5001``).
Stop raises KeyboardInterrupt in the cell: it is shown as the cell's error, the namespace
is kept, and the cell's answer says ``"stopped": true``.
"""

from __future__ import annotations

import ast
import json
import re
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from ..core.language import _
from ..core.ops import PRIMITIVES
from ..demos import common as demos
from . import widget_stand_in
from .entry import reported

__all__ = ["Kernel", "page_kernel", "run_cell", "restart", "shown"]

MAGIC = re.compile(r"^\s*[%!]", re.MULTILINE)
LIVE_SECONDS = 0.1  # progress lines reach the page at most this often (a loop may print
                    # thousands; the page needs a few a second)


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` while a cell runs: text goes to the cell's outputs,
    joined to the output before it when that is the same stream (as Jupyter shows it)."""

    def __init__(self, name: str, outputs: list[dict], say: Callable[[str], None]) -> None:
        self.name, self.outputs, self.say = name, outputs, say

    def write(self, text: str) -> int:
        last = self.outputs[-1] if self.outputs else None
        if last and last["type"] == "stream" and last["name"] == self.name:
            last["text"] += text
        elif text:
            self.outputs.append({"type": "stream", "name": self.name, "text": text})
        if "\n" in text or "\r" in text:  # a line is done (a bar redraws itself after \r)
            line = re.split(r"[\r\n]", self.outputs[-1]["text"].rstrip("\r\n"))[-1]
            if line.strip():
                self.say(line)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class Kernel:
    """One notebook's namespace; :meth:`run` runs a cell in it."""

    def __init__(self) -> None:
        self.count = 0
        self.outputs: list[dict] = []
        self.namespace: dict = {}
        self._table = dict(PRIMITIVES)  # the op table before any notebook added to it
        self.live: Callable[[str], None] | None = None  # the page's ear, while a cell runs
        self.stopped = False  # whether the last cell was ended by Stop
        self._said = 0.0
        self.restart()

    def restart(self) -> None:
        """A fresh namespace and the op table as it was, as in a new Jupyter kernel (so a
        notebook that registers an op runs again); the modules stay imported."""
        PRIMITIVES.clear()
        PRIMITIVES.update(self._table)
        self.count = 0
        self.namespace = {"__name__": "__main__", "display": self.display}

    def display(self, *values: object) -> None:
        """Jupyter's ``display``: each value shown now, richly."""
        self.outputs.extend(shown(value) for value in values)

    def run(self, source: str) -> list[dict]:
        """Run one cell; its outputs, in order: ``{"type": "stream", "name", "text"}``,
        ``{"type": "html" | "svg" | "png" | "text", "data"[, "note"]}``, a stand-in
        widget's ``{"type": "widget", ...}``, and on an error ``{"type": "error",
        "text"}`` (Python's traceback, without this module's frames)."""
        self.count += 1
        self.stopped = False
        self.outputs = outputs = []
        with redirect_stdout(_Stream("stdout", outputs, self.say)), \
                redirect_stderr(_Stream("stderr", outputs, self.say)), self._reporting():
            try:
                self._execute(source, f"<cell {self.count}>")
            except BaseException as error:  # the cell's own error, shown as Python writes it
                self.stopped = isinstance(error, KeyboardInterrupt)
                outputs.append({"type": "error", "text": _traceback(error)})
        return outputs

    def say(self, line: str) -> None:
        """Tell the page how far the running cell is (a few times a second at most)."""
        now = time.monotonic()
        if self.live is not None and now - self._said >= LIVE_SECONDS:
            self._said = now
            self.live(line[:200])

    @contextmanager
    def _reporting(self):
        """The demos' progress loops report to the page while a cell runs."""
        demos.report = self.say
        try:
            yield
        finally:
            demos.report = None

    def _execute(self, source: str, name: str) -> None:
        magic = MAGIC.search(source)
        if magic:
            line = source[magic.start():].strip().splitlines()[0]
            raise SyntaxError(_("{line} is an IPython command (a magic or a shell line); "
                                "they run in Jupyter, not in this page", line=repr(line)))
        tree = ast.parse(source, name)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and \
                not source.rstrip().endswith(";"):  # a last ';' hides the value, as in Jupyter
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, name, "exec"), self.namespace)
        if last is not None:
            value = eval(compile(last, name, "eval"), self.namespace)
            if value is not None:
                self.namespace["_"] = value
                self.outputs.append(shown(value))


def _traceback(error: BaseException) -> str:
    """The error as Python writes it, from the cell's own frames on."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip()


def shown(value: object) -> dict:
    """``value`` as Jupyter would show it: the richest of HTML, SVG, PNG, else text (a
    stand-in widget: the live widget, with that picture for where it cannot load)."""
    bundle = {} if isinstance(value, type) else _bundle(value)
    picture = _richest(bundle, value)
    return widget_stand_in.shown_widget(value, picture) or picture


def _richest(bundle: dict, value: object) -> dict:
    for mime, kind in (("text/html", "html"), ("image/svg+xml", "svg"), ("image/png", "png")):
        if bundle.get(mime):
            data = bundle[mime]
            return {"type": kind, "data": "".join(data) if isinstance(data, list) else str(data)}
    return {"type": "text", "data": str(bundle.get("text/plain") or repr(value))}


def _bundle(value: object) -> dict:
    bundle: dict = {}
    method = getattr(value, "_repr_mimebundle_", None)
    if callable(method):
        got = method()
        bundle.update((got[0] if isinstance(got, tuple) else got) or {})
    for mime, name in (("text/html", "_repr_html_"), ("image/svg+xml", "_repr_svg_")):
        method = getattr(value, name, None)
        if mime not in bundle and callable(method):
            got = method()
            if got:
                bundle[mime] = got
    return bundle


page_kernel = Kernel()


@reported
def run_cell(source: str) -> str:
    """The page's call: one cell run in :data:`page_kernel`; its outputs as JSON text."""
    outputs = page_kernel.run(source)
    return json.dumps({"outputs": outputs, "count": page_kernel.count,
                       "stopped": page_kernel.stopped}, ensure_ascii=False)


@reported
def restart() -> None:
    """The page's call before "Run all": a fresh namespace."""
    page_kernel.restart()
