"""The Python side of the course page: a notebook's cells run one by one in the page's
Pyodide, and its markdown shown as safe HTML.

:class:`Kernel` is a small stand-in for Jupyter's: one namespace for the whole notebook,
a cell's last expression shown as Jupyter shows it (``_repr_mimebundle_``,
``_repr_html_``, ``_repr_svg_``, else its ``repr``), ``print`` and errors as text,
``display(...)`` for pictures in the middle of a cell.  The code run is the course's own
notebooks, or what the student types into a cell in their own tab -- as in Jupyter, it is
Python, and is run as Python; nothing from a link or the network is ever run.

:func:`markdown_html` writes a safe subset of markdown as HTML: every character of the
notebook is escaped first, so a ``<script>`` in a notebook's text shows as text.

The notebook explorer (:func:`autograd_mini.explore`) is an anywidget, and the page has
no Jupyter: :func:`use_widget_stand_in` puts a small stand-in for anywidget in its place.
Its widgets keep their synced traits here; the page loads the widget's own ES module
(``_esm``) and hands its ``render`` a model whose ``get``/``set``/``save_changes``/``send``/
``on`` are these calls -- :func:`widget_state`, :func:`widget_update`,
:func:`widget_message` -- and :func:`widget_pending` carries what Python changed back (a
cell that sets ``ex.inputs`` moves the explorer above it, as in JupyterLab).  Where the
module cannot load, the page shows the explorer's picture instead, with a note.
"""

from __future__ import annotations

import ast
import html
import json
import re
import sys
import traceback
import types
from collections.abc import Callable
from contextlib import contextmanager, redirect_stderr, redirect_stdout

from ..core.ops import PRIMITIVES

__all__ = ["Kernel", "kernel", "run_cell", "restart", "markdown_html", "notebook_cells",
           "notebook_cells_json", "use_widget_stand_in", "widget_state", "widget_update",
           "widget_message", "widget_pending", "WIDGET_NOTE"]

WIDGET_NOTE = ("The explorer's picture: its live view could not be loaded in this page. Its "
               "Python side works: set ex.inputs = {...} in a cell and read ex.grads (or run "
               "the notebook in JupyterLab).")
MAGIC = re.compile(r"^\s*[%!]", re.MULTILINE)


# -- running cells ----------------------------------------------------------------------------


class _Stream:
    """``sys.stdout`` or ``sys.stderr`` while a cell runs: text goes to the cell's outputs,
    joined to the output before it when that is the same stream (as Jupyter shows it)."""

    def __init__(self, name: str, outputs: list[dict]) -> None:
        self.name, self.outputs = name, outputs

    def write(self, text: str) -> int:
        last = self.outputs[-1] if self.outputs else None
        if last and last["type"] == "stream" and last["name"] == self.name:
            last["text"] += text
        elif text:
            self.outputs.append({"type": "stream", "name": self.name, "text": text})
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
        ``{"type": "html" | "svg" | "png" | "text", "data"[, "note"]}``, and on an error
        ``{"type": "error", "text"}`` (Python's traceback, without this module's frames)."""
        self.count += 1
        self.outputs = outputs = []
        with redirect_stdout(_Stream("stdout", outputs)), \
                redirect_stderr(_Stream("stderr", outputs)):
            try:
                self._execute(source, f"<cell {self.count}>")
            except BaseException as error:  # the cell's own error, shown as Python writes it
                outputs.append({"type": "error", "text": _traceback(error)})
        return outputs

    def _execute(self, source: str, name: str) -> None:
        magic = MAGIC.search(source)
        if magic:
            line = source[magic.start():].strip().splitlines()[0]
            raise SyntaxError(f"{line!r} is an IPython command (a magic or a shell line); "
                              "they run in Jupyter, not in this page")
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
    """``value`` as Jupyter would show it: the richest of HTML, SVG, PNG, else text."""
    bundle = {} if isinstance(value, type) else _bundle(value)
    picture = _richest(bundle, value)
    if isinstance(value, _StandInWidget):  # the live widget, its picture where it cannot load
        return {"type": "widget", "data": value._widget_id, "fallback": picture,
                "note": WIDGET_NOTE}
    return picture


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


kernel = Kernel()


def run_cell(source: str) -> str:
    """The page's call: one cell run in :data:`kernel`; its outputs as JSON text."""
    return json.dumps({"outputs": kernel.run(source), "count": kernel.count},
                      ensure_ascii=False)


def restart() -> None:
    """The page's call before "Run all": a fresh namespace."""
    kernel.restart()


# -- the explorer without a widget manager -------------------------------------------------


class _StandInWidget:
    """Marks the stand-in's widgets (see :func:`use_widget_stand_in`)."""

    _widget_id = ""


_WIDGETS: dict[str, object] = {}          # id -> widget, for the page's calls
_CHANGED: dict[str, set[str]] = {}        # id -> synced traits Python changed since asked
_MESSAGES: dict[str, list[object]] = {}   # id -> what Python sent (widget.send) since asked


def use_widget_stand_in() -> bool:
    """Where ``anywidget`` cannot be imported (the page's Pyodide), register a stand-in
    module under its name, whose widgets talk to the page through this module's calls.
    Returns whether the stand-in was put in place (never where anywidget exists)."""
    try:
        import anywidget  # noqa: F401
        return False
    except ImportError:
        pass
    import traitlets

    class AnyWidget(traitlets.HasTraits, _StandInWidget):
        """anywidget's AnyWidget for the course page: state here, the view in the page."""

        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            self._widget_id = f"w{len(_WIDGETS) + 1}"
            self._listeners: list[Callable] = []
            _WIDGETS[self._widget_id] = self
            self.observe(self._synced_change)

        def _synced_change(self, change) -> None:
            if self.trait_metadata(change["name"], "sync"):
                _CHANGED.setdefault(self._widget_id, set()).add(change["name"])

        @contextmanager
        def hold_sync(self):
            yield  # every change reaches the page when the call returns: held anyway

        def send_state(self, key=None) -> None:
            names = [key] if isinstance(key, str) else key or self.trait_names(sync=True)
            _CHANGED.setdefault(self._widget_id, set()).update(names)

        def send(self, content, buffers=None) -> None:
            _MESSAGES.setdefault(self._widget_id, []).append(content)

        def on_msg(self, callback: Callable, remove: bool = False) -> None:
            if remove:
                self._listeners.remove(callback)
            else:
                self._listeners.append(callback)

        def _repr_mimebundle_(self, **kwargs) -> dict:
            return {"text/plain": repr(self)}

    module = types.ModuleType("anywidget", "A stand-in for anywidget (the course page).")
    module.AnyWidget = AnyWidget
    sys.modules["anywidget"] = module
    return True


def _text_of(source: object) -> str:
    """A widget's ``_esm`` or ``_css``: the text itself, or the file it names."""
    from pathlib import Path

    return source.read_text(encoding="utf-8") if isinstance(source, Path) else str(source or "")


def widget_state(widget_id: str) -> str:
    """The page's call when it draws a widget: every synced trait, its module and style."""
    widget = _WIDGETS[widget_id]
    state = {name: getattr(widget, name) for name in widget.trait_names(sync=True)}
    return json.dumps({"state": state, "esm": _text_of(getattr(widget, "_esm", "")),
                       "css": _text_of(getattr(widget, "_css", ""))}, ensure_ascii=False)


def widget_update(widget_id: str, changes: str) -> str:
    """The page's ``model.save_changes()``: the traits it set, each checked by the widget
    (a value it refuses is sent back as it is); then :func:`widget_pending`."""
    widget = _WIDGETS[widget_id]
    for name, value in json.loads(changes).items():
        if name not in widget.trait_names(sync=True):
            continue
        try:
            setattr(widget, name, value)
        except Exception:  # refused (a step out of range): the page gets Python's value back
            _CHANGED.setdefault(widget_id, set()).add(name)
    return widget_pending()


def widget_message(widget_id: str, content: str) -> str:
    """The page's ``model.send(content)``: the widget's ``on_msg`` callbacks hear it."""
    widget = _WIDGETS[widget_id]
    for listener in list(widget._listeners):
        listener(widget, json.loads(content), [])
    return widget_pending()


def widget_pending() -> str:
    """What changed in Python since the page last asked: ``{"changes": {id: {trait:
    value}}, "messages": {id: [content, ...]}}`` (asked after every call and every cell)."""
    changes = {wid: {name: getattr(_WIDGETS[wid], name) for name in sorted(names)}
               for wid, names in _CHANGED.items()}
    messages = dict(_MESSAGES)
    _CHANGED.clear()
    _MESSAGES.clear()
    return json.dumps({"changes": changes, "messages": messages}, ensure_ascii=False)


# -- the notebook as the page reads it -----------------------------------------------------


def notebook_cells(notebook: dict) -> list[dict]:
    """A notebook's cells without their outputs: ``{"type": "markdown" | "code",
    "source", "hidden"}`` (``hidden``: a solution, shown folded)."""
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") not in ("markdown", "code"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        hidden = bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))
        cells.append({"type": cell["cell_type"], "source": source, "hidden": hidden})
    return cells


def notebook_cells_json(text: str) -> str:
    """The page's call: :func:`notebook_cells` of a notebook's JSON text, as JSON text."""
    return json.dumps(notebook_cells(json.loads(text)), ensure_ascii=False)


# -- markdown, safely -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_SAFE_URL = re.compile(r"^(https?://[^\s]+|#[\w-]*|[\w./-]+(#[\w-]*)?)$")
_NOTEBOOK_LINK = re.compile(r"^(?:\./)?(\d\d)_[\w-]+\.ipynb$")


def markdown_html(text: str) -> str:
    """A safe subset of markdown as HTML: headings, paragraphs, lists, quotes, tables,
    fenced code, ``code``, **bold**, *italic*, $math$ (shown as written) and links
    (``http(s)``, in-page and relative only; a course notebook's link opens its page).
    Everything else -- raw HTML included -- is shown as the text it is."""
    lines = _CONTROL.sub("", text.replace("\r\n", "\n")).split("\n")
    blocks: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.lstrip().startswith("```"):
            i = _fenced(lines, i, blocks)
        elif re.match(r"^#{1,6}\s", line):
            level = len(line) - len(line.lstrip("#"))
            blocks.append(f"<h{level}>{inline(line[level:].strip())}</h{level}>")
            i += 1
        elif re.match(r"^\s*([-*_])(\s*\1){2,}\s*$", line):
            blocks.append("<hr>")
            i += 1
        elif line.lstrip().startswith("|"):
            i = _table(lines, i, blocks)
        elif line.lstrip().startswith(">"):
            quoted = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(lines[i].lstrip()[1:].removeprefix(" "))
                i += 1
            blocks.append(f"<blockquote>{markdown_html(chr(10).join(quoted))}</blockquote>")
        elif _LIST_ITEM.match(line):
            i = _list(lines, i, blocks)
        else:
            paragraph = []
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]):
                paragraph.append(lines[i].strip())
                i += 1
            blocks.append(f"<p>{inline(' '.join(paragraph))}</p>")
    return "\n".join(blocks)


def _starts_block(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped.startswith(("```", "|", ">")) or re.match(r"^#{1,6}\s", line)
                or _LIST_ITEM.match(line))


def _fenced(lines: list[str], i: int, blocks: list[str]) -> int:
    body = []
    i += 1
    while i < len(lines) and not lines[i].lstrip().startswith("```"):
        body.append(lines[i])
        i += 1
    blocks.append(f"<pre><code>{html.escape(chr(10).join(body))}</code></pre>")
    return i + 1


def _list(lines: list[str], i: int, blocks: list[str]) -> int:
    ordered = _LIST_ITEM.match(lines[i]).group(2)[0].isdigit()
    items: list[str] = []
    while i < len(lines):
        match = _LIST_ITEM.match(lines[i])
        if match:
            items.append(match.group(3).strip())
        elif lines[i].strip() and items and lines[i].startswith((" ", "\t")):
            items[-1] += " " + lines[i].strip()  # an item's next line
        else:
            break
        i += 1
    tag = "ol" if ordered else "ul"
    blocks.append(f"<{tag}>" + "".join(f"<li>{inline(item)}</li>" for item in items)
                  + f"</{tag}>")
    return i


def _table(lines: list[str], i: int, blocks: list[str]) -> int:
    rows = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        cells = _cells(lines[i].strip())
        if not all(re.fullmatch(r":?-+:?", c.strip()) for c in cells if c.strip()):
            rows.append(cells)
        i += 1
    head, *body = rows or [[]]
    html_rows = ["<tr>" + "".join(f"<th>{inline(c.strip())}</th>" for c in head) + "</tr>"]
    html_rows += ["<tr>" + "".join(f"<td>{inline(c.strip())}</td>" for c in row) + "</tr>"
                  for row in body]
    blocks.append("<table>" + "".join(html_rows) + "</table>")
    return i


def _cells(row: str) -> list[str]:
    """A table row's cells: split at each ``|`` outside a code span (``a|b`` stays)."""
    cells, current, in_code = [], "", False
    for k, char in enumerate(row):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code and (k == 0 or row[k - 1] != "\\"):
            cells.append(current)
            current = ""
        else:
            current += char
    cells.append(current)
    return cells[1:-1] if row.endswith("|") else cells[1:]


def inline(text: str) -> str:
    """One line of markdown as HTML: escaped first, then code, math, bold, italic, links."""
    kept: list[str] = []

    def keep(fragment: str) -> str:  # a finished piece of HTML, safe from later rules
        kept.append(fragment)
        return f"\x00{len(kept) - 1}\x00"

    text = re.sub(r"`([^`]+)`", lambda m: keep(f"<code>{html.escape(m.group(1))}</code>"),
                  text)
    text = re.sub(r"\$\$([^$]+)\$\$",
                  lambda m: keep(f"<span class='math display'>{html.escape(m.group(1))}</span>"),
                  text)
    text = re.sub(r"\$([^$\n]+)\$",
                  lambda m: keep(f"<span class='math'>{html.escape(m.group(1))}</span>"), text)
    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]*)\)", lambda m: m.group(1), text)  # no fetching
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: keep(_link(m.group(1), m.group(2))),
                  text)
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: f"<strong>{m.group(1) or m.group(2)}"
                  "</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])|(?<!\w)_(?!\s)(.+?)(?<!\s)_(?!\w)",
                  lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)
    while "\x00" in text:  # a kept piece may hold another (a code span in a link's words)
        text = re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)
    return text


def _link(words: str, url: str) -> str:
    """A link, if its address is http(s), in-page or relative; else its words as text."""
    notebook = _NOTEBOOK_LINK.match(url)
    if notebook:
        url = f"course.html?nb={notebook.group(1)}"
    elif not _SAFE_URL.match(url):
        return html.escape(words)
    return f'<a href="{html.escape(url)}">{html.escape(words)}</a>'
