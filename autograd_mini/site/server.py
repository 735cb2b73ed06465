"""``autograd-mini site serve OUT``: the built site on http://127.0.0.1 (this machine only).

Files only: a folder is served by its ``index.html`` or not at all (404: no listing), a
path with a NUL byte, a ``..`` part or bytes that are not UTF-8 is refused with 400, and
every answer carries the site's Content-Security-Policy and, unless told not to, the two
headers that isolate the page so that Stop keeps Python's state (:mod:`.policy`).  Nothing is
printed per request, and no error of a request prints a traceback.
"""

from __future__ import annotations

import functools
import http.server
import os
import urllib.parse
from http import HTTPStatus
from pathlib import Path

from ..core.language import _
from .policy import CONTENT_SECURITY_POLICY, ISOLATION

__all__ = ["serve", "make_server", "HOST"]

HOST = "127.0.0.1"  # never all interfaces: the site is for the person at this machine
# Types the browser insists on: WebAssembly is compiled as it streams only as application/wasm.
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".whl": "application/zip", ".zip": "application/zip",
         ".svg": "image/svg+xml"}


def bad_path(raw: str) -> str | None:
    """Why the request path ``raw`` is refused, or None: a NUL or control character, a
    ``..`` part, a backslash, or %-escapes that are not UTF-8."""
    path = raw.split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = urllib.parse.unquote(path, errors="strict")
    except UnicodeDecodeError:
        return "the path is not UTF-8"
    if any(ord(c) < 32 or ord(c) == 127 for c in decoded):
        return "the path holds a control character"
    if "\\" in decoded or ".." in decoded.split("/"):
        return "the path leaves the site"
    return None


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    isolated = True  # send the isolation headers (a plain static host may not)

    def log_message(self, format: str, *args) -> None:  # quiet: one line per request is noise
        pass

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (ISOLATION.items() if self.isolated else ()):
            self.send_header(name, value)
        super().end_headers()

    def send_head(self):
        why = bad_path(self.path)
        if why:
            self.send_error(HTTPStatus.BAD_REQUEST, why)
            return None
        try:
            path = self.translate_path(self.path)
            if os.path.isdir(path) and not os.path.isfile(os.path.join(path, "index.html")):
                self.send_error(HTTPStatus.NOT_FOUND, "no such page")  # never a listing
                return None
            return super().send_head()
        except (OSError, ValueError):
            self.send_error(HTTPStatus.BAD_REQUEST, "the path cannot be served")
            return None

    def list_directory(self, path):  # never reached (send_head refuses); never a listing
        self.send_error(HTTPStatus.NOT_FOUND, "no such page")
        return None

    def translate_path(self, path: str) -> str:
        translated = super().translate_path(path)
        root = os.path.realpath(self.directory)
        real = os.path.realpath(translated)
        if real != root and not real.startswith(root + os.sep):
            raise ValueError("outside the site")
        return translated


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A request that fails (a browser that stops reading, a malformed request) ends
        # that request alone; nothing is printed.
        pass


def make_server(folder: str | os.PathLike, port: int = 8000, *,
                isolated: bool = True) -> http.server.ThreadingHTTPServer:
    """A server of ``folder`` on 127.0.0.1:``port`` (0: any free port), not yet running;
    ``isolated=False`` leaves out the isolation headers (as a plain static host would)."""
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(_("{folder} holds no built site (no index.html); make one "
                                  "with `autograd-mini site build OUT`",
                                  folder=repr(str(folder))))
    handler = type("Handler", (_Handler,), {"isolated": isolated})
    handler = functools.partial(handler, directory=str(folder))
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
