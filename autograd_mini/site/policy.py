"""The site's Content-Security-Policy: the one text that the server sends as a header and
the builder writes into each page as ``<meta http-equiv>`` (for any static host).

Scripts come from the site's own folder only ('self'); Pyodide and graphviz compile their
WebAssembly ('wasm-unsafe-eval', not 'unsafe-eval': no JavaScript ``eval``); the course
page imports a widget's module from a ``blob:`` it made itself.  Requests go to the site
alone (connect-src 'self'): code typed into "check your op" or a course cell cannot send
anything to another origin.  Styles may be inline (a widget brings its CSS as text), and
pictures may be ``data:`` (a notebook's PNG).
"""

from __future__ import annotations

__all__ = ["CONTENT_SECURITY_POLICY", "meta_tag"]

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
])


def meta_tag() -> str:
    """The policy as a page's ``<meta http-equiv="Content-Security-Policy">``."""
    return f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
