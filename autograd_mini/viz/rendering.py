"""The one rendering seam: DOT text in, a picture out.

Everything that needs a picture -- :func:`autograd_mini.viz.graph.save`, a graph shown in
Jupyter, the step viewer's frames, the notebook explorer, the command line -- calls
:func:`render`.  On a desktop it runs graphviz's ``dot`` program; in a browser (Pyodide,
where ``sys.platform == "emscripten"`` and no program can be started) it draws with WASM
graphviz (``@hpcc-js/wasm-graphviz``), which the page loads and leaves at
``globalThis.autograd_mini_graphviz`` -- the site's pages do, and a notebook in JupyterLite
does it with ``await use_wasm_graphviz(URL)``.  Nothing else changes:

    >>> render("digraph { a -> b }", "dot")
    b'digraph { a -> b }'

Callers reach it as ``rendering.render`` (looked up at each call), so replacing this one
name replaces the renderer everywhere.  Its errors are the three below, each one line; a
missing ``dot`` gets :data:`INSTALL_HINT`, the one install hint of the package.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ..core.language import N_, _

__all__ = ["render", "FORMATS", "INSTALL_HINT", "GraphvizNotFound", "GraphvizError",
           "GraphvizTimeout", "graphviz_errors", "in_browser", "can_draw", "use_wasm_graphviz",
           "BROWSER_GRAPHVIZ"]

FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_HINT = N_(
    "graphviz is not installed, so no picture can be drawn. Install it: "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install graphviz`, or https://graphviz.org/download/"
)

# The name under which a page leaves its loaded WASM graphviz (``await Graphviz.load()``).
BROWSER_GRAPHVIZ = "autograd_mini_graphviz"
BROWSER_HINT = N_(
    "in a browser (Pyodide) pictures are drawn by WASM graphviz, which is not loaded; "
    "load it first: `await autograd_mini.viz.rendering.use_wasm_graphviz(URL)` with the URL "
    "of @hpcc-js/wasm-graphviz's dist/index.js (the site's pages load it themselves)"
)


class GraphvizNotFound(RuntimeError):
    """The ``dot`` program is missing; the message says how to install it (the DOT text
    itself needs no ``dot``: a graph's ``.source``, or the format ``"dot"``)."""


class GraphvizError(RuntimeError):
    """``dot`` failed (crashed, ran out of memory) or did not finish in the time given."""


class GraphvizTimeout(GraphvizError):
    """``dot`` did not finish in the time given (it was stopped)."""


# Not a picture: the layout itself (each node's position and size), which a later
# render with the engine ``nop2`` reuses as it is instead of laying the graph out again.
LAYOUT_FORMAT = "json"


def render(source: str, format: str = "svg", *, timeout: float | None = None,
           size: tuple[int, int] | None = None, engine: str = "dot") -> bytes:
    """The DOT text ``source`` drawn as ``format`` (``"dot"``: the text itself, as bytes).

    Args:
        source: DOT text, as ``draw_dot(...).source``.
        format: one of :data:`FORMATS`.
        timeout: seconds ``dot`` may take; then it is stopped.
        size: ``(nodes, edges)`` of the graph, named in the message when ``dot`` is too slow.
        engine: graphviz's layout engine: ``dot``, or ``nop2`` for a graph whose every
            node has its ``pos`` already (no layout, only drawing).

    Raises:
        GraphvizNotFound: ``dot`` is not installed.
        GraphvizError: ``dot`` failed.
        GraphvizTimeout: ``dot`` took more than ``timeout`` seconds.
    """
    if format not in FORMATS and format != LAYOUT_FORMAT:
        raise ValueError(_("format must be one of {formats}, got {format}",
                           formats=", ".join(FORMATS), format=repr(format)))
    if format == "dot":
        return source.encode()
    if in_browser():
        return _render_in_browser(source, format, engine)
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFound(_(INSTALL_HINT))
    try:
        result = subprocess.run([program, f"-K{engine}", f"-T{format}"], input=source.encode(),
                                capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        drawing = _(" drawing {nodes} nodes and {edges} edges", nodes=size[0],
                    edges=size[1]) if size else ""
        raise GraphvizTimeout(_("graphviz `dot` did not finish within {seconds} s{drawing}; "
                                "draw a smaller graph", seconds=f"{timeout:g}",
                                drawing=drawing)) from None
    if result.returncode != 0:
        raise GraphvizError(failure(result.returncode, result.stderr))
    return result.stdout


def in_browser() -> bool:
    """Whether this Python runs in a browser (Pyodide): no ``dot`` program there."""
    return sys.platform == "emscripten"


def can_draw(format: str) -> bool:
    """Whether pictures of ``format`` can be drawn here: any with the ``dot`` program,
    SVG only in a browser (WASM graphviz draws no PNG)."""
    return format in ("svg", LAYOUT_FORMAT) or not in_browser()


def _render_in_browser(source: str, format: str, engine: str = "dot") -> bytes:
    """``source`` drawn by the page's WASM graphviz (synchronous once it is loaded;
    it cannot be stopped midway, so there is no timeout here)."""
    import js  # Pyodide's view of the page's JavaScript globals

    graphviz = getattr(js.globalThis, BROWSER_GRAPHVIZ, None)
    if graphviz is None:
        raise GraphvizNotFound(_(BROWSER_HINT))
    if not can_draw(format):
        raise GraphvizError(_("in a browser pictures are drawn as SVG only, not {format}; "
                              "use .svg (or the DOT text itself, .dot)", format=format))
    try:
        return str(graphviz.layout(source, format, engine)).encode()
    except Exception as error:  # a JavaScript error from graphviz, e.g. a syntax error
        raise GraphvizError(_("WASM graphviz failed: {error}",
                              error=str(error).splitlines()[0][:200])) from None


async def use_wasm_graphviz(url: str) -> None:
    """Load WASM graphviz from ``url`` (``@hpcc-js/wasm-graphviz``'s ``dist/index.js``,
    served beside the page) for :func:`render`, in Pyodide: ``await use_wasm_graphviz(...)``
    in a notebook cell of JupyterLite, once."""
    import js
    from pyodide.code import run_js

    module = await run_js(f"import({json.dumps(url)})")
    setattr(js.globalThis, BROWSER_GRAPHVIZ, await module.Graphviz.load())


@contextmanager
def graphviz_errors() -> Iterator[None]:
    """Turn the ``graphviz`` package's own errors (when it runs ``dot`` itself, as
    ``Digraph.render`` does) into this module's, each in one line."""
    import graphviz

    try:
        yield
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(_(INSTALL_HINT)) from None
    except graphviz.CalledProcessError as error:
        raise GraphvizError(failure(error.returncode, error.stderr)) from None


def failure(returncode: int, stderr: bytes | str | None) -> str:
    """One line on a failed ``dot``: how it ended and the first line it wrote."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    why = f" ({lines[0][:200]})" if lines else ""
    if returncode < 0:
        return _("graphviz `dot` failed: it was stopped by signal {signal}{why}",
                 signal=-returncode, why=why)
    return _("graphviz `dot` failed: it exited with status {status}{why}", status=returncode,
             why=why)
