"""What every demo shares: its command-line options, an output folder, figures, progress."""

from __future__ import annotations

import argparse
import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..files import write_atomically

__all__ = ["parser", "output_folder", "pyplot", "save_figure", "progress"]

# Demo figures land here unless --out says otherwise (the repository's demos/figures
# when run from a checkout, else a folder in the working directory).
_REPO_FIGURES = Path(__file__).resolve().parents[2] / "demos" / "figures"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line on stderr, exit status 2
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def parser(name: str, description: str) -> argparse.ArgumentParser:
    """A parser with the options all demos take: --seed, --out, --quick, --no-progress."""
    p = _Parser(prog=f"autograd-mini demo {name}", description=description)
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for the figures (default: demos/figures, or ./figures)")
    p.add_argument("--quick", action="store_true", help="a small, fast setting (for tests)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def output_folder(out: Path | None) -> Path:
    folder = out if out is not None else (
        _REPO_FIGURES if _REPO_FIGURES.parent.is_dir() else Path("figures"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pyplot():
    """matplotlib's pyplot, drawing to files only (no window, no display needed)."""
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "mpl-autograd-mini"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, folder: Path, name: str) -> Path:
    """Save ``fig`` as ``folder/name`` (whole or not at all) and close it."""
    path = folder / name
    picture = io.BytesIO()
    fig.savefig(picture, format=path.suffix.lstrip("."), bbox_inches="tight", dpi=110,
                metadata={"Date": None} if path.suffix == ".svg" else None)
    pyplot().close(fig)
    return write_atomically(path, picture.getvalue())


def progress(items: Iterable, enabled: bool, **kwargs) -> Iterable:
    """``items`` with a tqdm progress bar when enabled."""
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, **kwargs)
