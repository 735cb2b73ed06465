"""The one rendering seam: DOT text in, a picture out.

Everything that needs a picture -- :func:`autograd_mini.viz.graph.save`, a graph shown in
Jupyter, the step viewer's frames, the notebook explorer, the command line -- calls
:func:`render`.  Here it runs graphviz's ``dot`` program; in a browser (Pyodide) the same
function can be served by WASM graphviz instead, with nothing else changed:

    >>> render("digraph { a -> b }", "dot")
    b'digraph { a -> b }'

Callers reach it as ``rendering.render`` (looked up at each call), so replacing this one
name replaces the renderer everywhere.  Its errors are the three below, each one line; a
missing ``dot`` gets :data:`INSTALL_HINT`, the one install hint of the package.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["render", "FORMATS", "INSTALL_HINT", "GraphvizNotFound", "GraphvizError",
           "GraphvizTimeout", "graphviz_errors"]

FORMATS = ("svg", "png", "pdf", "dot")
INSTALL_HINT = (
    "graphviz is not installed, so no picture can be drawn. Install it: "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install graphviz`, or https://graphviz.org/download/"
)


class GraphvizNotFound(RuntimeError):
    """The ``dot`` program is missing; the message says how to install it (the DOT text
    itself needs no ``dot``: a graph's ``.source``, or the format ``"dot"``)."""


class GraphvizError(RuntimeError):
    """``dot`` failed (crashed, ran out of memory) or did not finish in the time given."""


class GraphvizTimeout(GraphvizError):
    """``dot`` did not finish in the time given (it was stopped)."""


def render(source: str, format: str = "svg", *, timeout: float | None = None,
           size: tuple[int, int] | None = None) -> bytes:
    """The DOT text ``source`` drawn as ``format`` (``"dot"``: the text itself, as bytes).

    Args:
        source: DOT text, as ``draw_dot(...).source``.
        format: one of :data:`FORMATS`.
        timeout: seconds ``dot`` may take; then it is stopped.
        size: ``(nodes, edges)`` of the graph, named in the message when ``dot`` is too slow.

    Raises:
        GraphvizNotFound: ``dot`` is not installed.
        GraphvizError: ``dot`` failed.
        GraphvizTimeout: ``dot`` took more than ``timeout`` seconds.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    if format == "dot":
        return source.encode()
    program = shutil.which("dot")
    if program is None:
        raise GraphvizNotFound(INSTALL_HINT)
    try:
        result = subprocess.run([program, f"-T{format}"], input=source.encode(),
                                capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        drawing = f" drawing {size[0]} nodes and {size[1]} edges" if size else ""
        raise GraphvizTimeout(f"graphviz `dot` did not finish within {timeout:g} s{drawing}; "
                              "draw a smaller graph") from None
    if result.returncode != 0:
        raise GraphvizError(failure(result.returncode, result.stderr))
    return result.stdout


@contextmanager
def graphviz_errors() -> Iterator[None]:
    """Turn the ``graphviz`` package's own errors (when it runs ``dot`` itself, as
    ``Digraph.render`` does) into this module's, each in one line."""
    import graphviz

    try:
        yield
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(INSTALL_HINT) from None
    except graphviz.CalledProcessError as error:
        raise GraphvizError(failure(error.returncode, error.stderr)) from None


def failure(returncode: int, stderr: bytes | str | None) -> str:
    """One line on a failed ``dot``: how it ended and the first line it wrote."""
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    why = f" ({lines[0][:200]})" if lines else ""
    status = f"was stopped by signal {-returncode}" if returncode < 0 \
        else f"exited with status {returncode}"
    return f"graphviz `dot` failed: it {status}{why}"
