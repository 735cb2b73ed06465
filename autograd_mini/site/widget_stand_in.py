"""A stand-in for anywidget in the course page, where there is no Jupyter: the notebook
explorer (:func:`autograd_mini.explore`) is an anywidget, and stays live there.

:func:`use_widget_stand_in` registers a small module under anywidget's name.  Its widgets
keep their synced traits here; the page loads the widget's own ES module (``_esm``) and
hands its ``render`` a model whose ``get``/``set``/``save_changes``/``send``/``on`` are
these calls -- :func:`widget_state`, :func:`widget_update`, :func:`widget_message` -- and
:func:`widget_pending` carries what Python changed back (a cell that sets ``ex.inputs``
moves the explorer above it, as in JupyterLab).  Where the module cannot load, the page
shows the explorer's picture instead, with :data:`WIDGET_NOTE`.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from .entry import reported

__all__ = ["use_widget_stand_in", "shown_widget", "widget_state", "widget_update",
           "widget_message", "widget_pending", "WIDGET_NOTE"]

WIDGET_NOTE = ("The explorer's picture: its live view could not be loaded in this page. Its "
               "Python side works: set ex.inputs = {...} in a cell and read ex.grads (or run "
               "the notebook in JupyterLab).")


class _StandInWidget:
    """Marks the stand-in's widgets (see :func:`use_widget_stand_in`)."""

    _widget_id = ""


_WIDGETS: dict[str, object] = {}          # id -> widget, for the page's calls
_CHANGED: dict[str, set[str]] = {}        # id -> synced traits Python changed since asked
_MESSAGES: dict[str, list[object]] = {}   # id -> what Python sent (widget.send) since asked


@reported
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


def shown_widget(value: object, picture: dict) -> dict | None:
    """A stand-in widget as a cell's output: the live widget, with ``picture`` for where
    its module cannot load; None for any other value."""
    if not isinstance(value, _StandInWidget):
        return None
    return {"type": "widget", "data": value._widget_id, "fallback": picture,
            "note": WIDGET_NOTE}


def _text_of(source: object) -> str:
    """A widget's ``_esm`` or ``_css``: the text itself, or the file it names."""
    return source.read_text(encoding="utf-8") if isinstance(source, Path) else str(source or "")


@reported
def widget_state(widget_id: str) -> str:
    """The page's call when it draws a widget: every synced trait, its module and style."""
    widget = _WIDGETS[widget_id]
    state = {name: getattr(widget, name) for name in widget.trait_names(sync=True)}
    return json.dumps({"state": state, "esm": _text_of(getattr(widget, "_esm", "")),
                       "css": _text_of(getattr(widget, "_css", ""))}, ensure_ascii=False)


@reported
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


@reported
def widget_message(widget_id: str, content: str) -> str:
    """The page's ``model.send(content)``: the widget's ``on_msg`` callbacks hear it."""
    widget = _WIDGETS[widget_id]
    for listener in list(widget._listeners):
        listener(widget, json.loads(content), [])
    return widget_pending()


@reported
def widget_pending() -> str:
    """What changed in Python since the page last asked: ``{"changes": {id: {trait:
    value}}, "messages": {id: [content, ...]}}`` (asked after every call and every cell)."""
    changes = {wid: {name: getattr(_WIDGETS[wid], name) for name in sorted(names)}
               for wid, names in _CHANGED.items()}
    messages = dict(_MESSAGES)
    _CHANGED.clear()
    _MESSAGES.clear()
    return json.dumps({"changes": changes, "messages": messages}, ensure_ascii=False)
