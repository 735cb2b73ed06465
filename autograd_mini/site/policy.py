"""The site's Content-Security-Policy: the one text that the server sends as a header and
the builder writes into each page as ``<meta http-equiv>`` (for any static host).

Scripts come from the site's own folder only ('self'); Pyodide and graphviz compile their
WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval': no JavaScript ``eval``); the course
page imports a widget's module from a ``blob:`` it made itself.  Requests go to the site
alone (connect-src 'self'): code typed into "check your op" or a course cell cannot send
anything to another origin.  Styles may be inline (a widget brings its CSS as text), and
pictures may be ``data:`` (a notebook's PNG).  The course's formulas need nothing more:
KaTeX writes them as MathML (``output: "mathml"``), which the browser typesets itself, so no
KaTeX stylesheet, no web fonts and no ``style`` attribute -- KaTeX's HTML output would need
inline styles on every formula, and would keep 'unsafe-inline' in style-src for good once the
widgets' CSS no longer needs it.  The engine runs in a Web Worker from the
site's own folder (worker-src 'self').  One inline script is allowed, by its hash: the step
viewer's page (:func:`autograd_mini.viz.steps.script_hash`), which the Train page shows in
a sandboxed ``srcdoc`` frame -- such a frame is under its parent's policy, and the page's
script, the same in every page the package makes, is its only script (its data is JSON).

:data:`ISOLATION` are the two headers that make a page cross-origin isolated, so that Stop
can interrupt Python and keep its state (shared memory between the page and the worker);
without them Stop restarts the engine.  The server sends them; :func:`headers_file` is the
``_headers`` file the builder writes for static hosts that read one (Netlify, Cloudflare
Pages).  A ``<meta>`` tag cannot carry them.
"""

from __future__ import annotations

from ..viz.steps import script_hash

__all__ = ["CONTENT_SECURITY_POLICY", "ISOLATION", "meta_tag", "headers_file"]

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    f"script-src 'self' 'wasm-unsafe-eval' blob: {script_hash()}",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
])

ISOLATION = {"Cross-Origin-Opener-Policy": "same-origin",
             "Cross-Origin-Embedder-Policy": "require-corp"}


def meta_tag() -> str:
    """The policy as a page's ``<meta http-equiv="Content-Security-Policy">``."""
    return f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'


def headers_file() -> str:
    """The ``_headers`` file of a static host: every path gets the policy and isolation."""
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, **ISOLATION,
               "X-Content-Type-Options": "nosniff"}
    return "/*\n" + "".join(f"  {name}: {value}\n" for name, value in headers.items())
