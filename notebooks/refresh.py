"""Run the course's notebooks top to bottom in a fresh kernel and store what they show.

    python notebooks/refresh.py            # run them all, write each back with its outputs
    python notebooks/refresh.py 02 05      # only these (a number or a file name)
    python notebooks/refresh.py ko/02 ko   # a Korean one (notebooks/ko/), or all of them
    python notebooks/refresh.py --check    # run them all, write nothing; fail on an error

The one command that regenerates every committed output of the notebooks: the text and
pictures of each cell (each graph as SVG and PNG, so a notebook opened before it is run
still shows it) and the saved state of the explorers, which carries the package's own
module (``explorer.js`` with ``stepviewer.js`` written in) and ``explorer.css``
(``tests/test_notebooks.py`` holds them to it).  The Korean notebooks in ``notebooks/ko/``
(the same code cells, the prose in Korean) run with ``AUTOGRAD_MINI_LANG=ko``, so the
package's own messages appear in Korean there; the English ones with ``en``.  Run it
after changing the package, in an environment that has the course
(``pip install -e '.[notebooks]'``) and graphviz's ``dot``.

A notebook is written only if it ran without an error, and whole or not at all.  What a
run stores is what the text of the notebook quotes, and nothing that changes from run to
run without reason: no execution times, and matplotlib's SVG without a date or random ids.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
KOREAN = HERE / "ko"
NOTEBOOKS = sorted(HERE.glob("[0-9][0-9]_*.ipynb")) + sorted(KOREAN.glob("[0-9][0-9]_*.ipynb"))
SECONDS_A_CELL = 300  # the longest cell (training the family-trees net) takes ~30 s


class NotebookFailed(RuntimeError):
    """A notebook stopped at a cell: the message names the notebook, the cell and why."""


def _require(name: str):
    try:
        return __import__(name)
    except ImportError:
        raise SystemExit(f"refresh.py needs {name} (it comes with "
                         f"pip install -e '.[notebooks]')") from None


def language(path: Path) -> str:
    """The language the package speaks in the notebook at ``path``: ``ko`` in
    ``notebooks/ko/``, else ``en`` (whatever the locale of the machine that runs it)."""
    return "ko" if path.parent.name == "ko" else "en"


def quiet_environment(folder: Path, lang: str = "en") -> dict[str, str]:
    """Environment variables for the kernel: matplotlib's settings in ``folder`` (a
    fixed salt for SVG ids, no cache elsewhere), a fixed date for its metadata and the
    package's language ``lang``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "matplotlibrc").write_text("svg.hashsalt: autograd-mini\n")
    return {"MPLCONFIGDIR": str(folder), "SOURCE_DATE_EPOCH": "0",
            "AUTOGRAD_MINI_LANG": lang}


def run(path: Path, timeout: int = SECONDS_A_CELL):
    """Execute the notebook at ``path`` in a fresh kernel (its folder as the working
    directory) and return it with its new outputs; raise :class:`NotebookFailed` at the
    first cell that fails."""
    nbformat, nbclient = _require("nbformat"), _require("nbclient")
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as scratch:
        quiet = quiet_environment(Path(scratch) / "mpl", language(path))
        saved = {key: os.environ.get(key) for key in quiet}
        os.environ.update(quiet)  # the kernel inherits it
        try:
            client = nbclient.NotebookClient(
                notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
            client.execute()
        except nbclient.exceptions.CellExecutionError as error:
            raise NotebookFailed(f"{_name(path)}: {_first_line(str(error))}") from error
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return notebook


def _name(path: Path) -> str:
    """``02_….ipynb``, or ``ko/02_….ipynb`` for a Korean notebook."""
    return f"ko/{path.name}" if language(path) == "ko" else path.name


def _first_line(text: str) -> str:
    """The error itself from nbclient's long report (its last non-empty line, without
    the terminal's colour codes)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text


def write(notebook, path: Path) -> None:
    """Write ``notebook`` to ``path`` whole or not at all (a temporary file, then renamed)."""
    nbformat = _require("nbformat")
    for cell in notebook.cells:  # nbclient's bookkeeping, which changes every run
        cell.metadata.pop("execution", None)
    fold_solutions(notebook)
    temporary = path.with_name(f".{path.name}.tmp")
    nbformat.write(notebook, temporary)
    os.replace(temporary, path)


def fold_solutions(notebook) -> None:
    """Store each solution cell (tagged ``solution``) folded and without its outputs, so
    neither the notebook on a code host nor JupyterLab shows an answer before it is asked
    for: JupyterLab shows a folded cell's first line, ``# Solution 1 (click to show)``."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            cell.outputs, cell.execution_count = [], None
            cell.metadata.setdefault("jupyter", {}).update(source_hidden=True,
                                                           outputs_hidden=True)


def chosen(names: Sequence[str]) -> list[Path]:
    """The notebooks named (``02``, ``02_chain_rule_as_an_algorithm.ipynb``; ``ko/02``
    for the Korean one; ``ko`` for all the Korean ones), or all."""
    if not names:
        return list(NOTEBOOKS)
    paths = []
    for name in names:
        if name.rstrip("/") == "ko":
            paths.extend(p for p in NOTEBOOKS if language(p) == "ko")
            continue
        matches = [p for p in NOTEBOOKS if _name(p) == name or _name(p).startswith(f"{name}_")
                   or _name(p).removesuffix(".ipynb") == name]
        if len(matches) != 1:
            raise SystemExit(f"no notebook {name!r}: give a number (01 to "
                             f"{NOTEBOOKS[-1].name[:2]}), ko/ and a number, or a file "
                             f"name in {HERE}")
        paths.append(matches[0])
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python notebooks/refresh.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="00 ... 09, ko/00 ... ko/09, ko or file names "
                        "(default: all)")
    parser.add_argument("--check", action="store_true",
                        help="run the notebooks and write nothing: exit 1 if one fails")
    args = parser.parse_args(argv)
    failed = []
    for path in chosen(args.notebooks):
        try:
            notebook = run(path)
        except NotebookFailed as error:
            print(f"FAILED {error}", file=sys.stderr, flush=True)
            failed.append(_name(path))
            continue
        if not args.check:
            write(notebook, path)
        print(f"{'ran' if args.check else 'refreshed'} {_name(path)}", flush=True)
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
