"""``autograd-mini site serve OUT``: the built site on http://127.0.0.1 (this machine only)."""

from __future__ import annotations

import functools
import http.server
import os
import sys
from pathlib import Path

__all__ = ["serve", "make_server", "HOST"]

HOST = "127.0.0.1"  # never all interfaces: the site is for the person at this machine
# Types the browser insists on: WebAssembly is compiled as it streams only as application/wasm.
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip",
         ".svg": "image/svg+xml"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def log_message(self, format: str, *args) -> None:  # quiet: one line per request is noise
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        # A browser that stops reading (a page closed mid-download) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(folder: str | os.PathLike, port: int = 8000) -> http.server.ThreadingHTTPServer:
    """A server of ``folder`` on 127.0.0.1:``port`` (0: any free port), not yet running."""
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(f"{str(folder)!r} holds no built site (no index.html); "
                                "make one with `autograd-mini site build OUT`")
    handler = functools.partial(_Handler, directory=str(folder))
    return _Server((HOST, port), handler)


def serve(folder: str | os.PathLike, port: int = 8000, say=print) -> None:
    """Serve ``folder`` until interrupted (Ctrl+C)."""
    server = make_server(folder, port)
    say(f"serving {folder} at http://{HOST}:{server.server_address[1]}/ (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
