"""The course with no install: a static site where this package runs in the browser.

    autograd-mini site build site/     # once, with npm and pip at hand (then cached)
    autograd-mini site serve site/     # http://127.0.0.1:8000/

The pages (``pages/``: the playground with its quiz, and "check your op") load Pyodide and
WASM graphviz from the site's own folder into a Web Worker (``pages/worker.js``), install
this package's wheel into Pyodide and compute every number with it
(:mod:`autograd_mini.site.page_api`, what the pages call).
The course page runs the notebooks there: :mod:`~autograd_mini.site.notebook` (a
notebook's cells), :mod:`~autograd_mini.site.kernel` (cells run as Jupyter runs them),
:mod:`~autograd_mini.site.markdown` (text cells as safe HTML) and
:mod:`~autograd_mini.site.widget_stand_in` (anywidget's stand-in, for the explorer).
Pictures go through the one rendering seam, :mod:`autograd_mini.viz.rendering`, which
draws with WASM graphviz there.  Every call a page makes into Python is guarded by
:mod:`~autograd_mini.site.entry` (an error comes back as data, never kills the page), and
:mod:`~autograd_mini.site.policy` holds the Content-Security-Policy that the server sends
and each built page carries.
"""

import importlib

__all__ = ["build", "serve", "make_server", "BuildError", "NPM_PACKAGES", "WHEELS"]


def __getattr__(name: str):
    # Building and serving need subprocess and http.server; the pages' Python side
    # (site.page_api and the course page's modules, in Pyodide) needs neither, so they
    # are imported when asked for.
    homes = {"build": "builder", "BuildError": "builder", "NPM_PACKAGES": "builder",
             "WHEELS": "builder", "serve": "server", "make_server": "server"}
    if name not in homes:
        raise AttributeError(f"module 'autograd_mini.site' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{homes[name]}", __name__), name)
