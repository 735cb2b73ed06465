"""A real JupyterLab for the widget tests, driven through headless Chromium.

The server runs headless on a free port with a token, in its own process group, with
private config, runtime and settings folders; it dies with this process
(PR_SET_PDEATHSIG) and is shut down through its API, then by signal.  Its kernels import
the package from this checkout (PYTHONPATH), not whatever copy the environment installed.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

TOKEN = "autograd-mini-test"
CHECKOUT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:  # runs in the child before exec
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _get(url: str, timeout: float = 2.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def write_notebook(path: Path, cells: list) -> None:
    """A notebook of ``cells`` (source texts, or nbformat cells) with a Python kernel."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(c) if isinstance(c, str) else c for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)


def _settings(home: Path) -> Path:
    """The lab's user settings: no news pop-up."""
    settings = home / "settings"
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return settings


def _environment(home: Path) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
            "MPLCONFIGDIR": str(home / "mpl"), "PYTHONPATH": path}


def _wait_until_up(server: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(f"{base}/api/status?token={TOKEN}")
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + log.read_text()[-2000:])
            time.sleep(0.2)


def _shut_down(server: subprocess.Popen, base: str) -> None:
    try:
        request = urllib.request.Request(f"{base}/api/shutdown?token={TOKEN}", method="POST")
        urllib.request.urlopen(request, timeout=5)
        server.wait(timeout=10)
    except Exception:
        pass
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@contextlib.contextmanager
def serve_lab(tmp_path: Path, notebooks: dict[str, list]) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving ``notebooks`` (file name -> cells), as ``(base url, runtime
    folder)``; shut down on leaving."""
    root, home = tmp_path / "root", tmp_path / "home"
    settings = _settings(home)
    root.mkdir()
    for name, cells in notebooks.items():
        write_notebook(root / name, cells)
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               f"--IdentityProvider.token={TOKEN}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
               f"--LabApp.workspaces_dir={home / 'workspaces'}",
               f"--LabApp.user_settings_dir={settings}", "--LabApp.expose_app_in_browser=True"]
    log_path = tmp_path / "lab.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, env=_environment(home), stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True,
                                  preexec_fn=_die_with_parent)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, base, log_path)
            yield base, home / "runtime"
        finally:
            _shut_down(server, base)


def python(base: str, runtime: Path, expression: str):
    """Evaluate ``expression`` in the notebook's kernel, through a second client."""
    import jupyter_client

    (session,) = _get(f"{base}/api/sessions?token={TOKEN}")
    client = jupyter_client.BlockingKernelClient(
        connection_file=str(runtime / f"kernel-{session['kernel']['id']}.json"))
    client.load_connection_file()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=20)
        msg_id = client.execute("", silent=True, user_expressions={"r": expression})
        while True:
            reply = client.get_shell_msg(timeout=20)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        result = reply["content"]["user_expressions"]["r"]
        assert result["status"] == "ok", result
        return ast.literal_eval(result["data"]["text/plain"])  # a repr from our own kernel
    finally:
        client.stop_channels()


def open_notebook(page, base: str, name: str) -> None:
    """Open the lab's notebook ``name`` and wait until its kernel is idle and connected."""
    page.goto(f"{base}/lab/tree/{name}?reset&token={TOKEN}")
    page.wait_for_function("""() => {
        const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        const k = w && w.sessionContext && w.sessionContext.session
                  && w.sessionContext.session.kernel;
        return k && k.status === 'idle' && k.connectionStatus === 'connected'; }""")


def run_all_cells(page, base: str, name: str, ready: str):
    """Open the notebook ``name``, run every cell, and wait for the element ``ready``."""
    open_notebook(page, base, name)
    page.evaluate("c => { window.jupyterapp.commands.execute(c); }", "notebook:run-all-cells")
    shown = page.locator(ready)
    shown.wait_for()
    return shown


def watch_console(page) -> list[str]:
    """The page's console errors and warnings and its uncaught errors, as they come."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    return problems
