"""What every demo shares: its command-line options, an output folder, figures, progress."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..bridges.files import write_atomically
from ..core.language import _, current_language, display_width
from . import DEMOS

__all__ = ["parser", "new_folder", "output_folder", "pyplot", "save_figure", "progress",
           "right", "widths"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line on stderr, exit status 2
        self.exit(2, _("{program}: error: {message} (see --help)", program=self.prog,
                       message=message) + "\n")


def _folder(text: str) -> Path:
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise argparse.ArgumentTypeError(_("{folder} exists and is not a folder",
                                           folder=repr(text)))
    return folder


def parser(name: str, description: str | None = None) -> argparse.ArgumentParser:
    """A parser with the options all demos take: --seed, --out, --quick, --no-progress;
    its description is the demo's line of :data:`~autograd_mini.demos.DEMOS` unless given
    (in the reader's language, as its options' help)."""
    if description is None:
        description = _(DEMOS[name][1])
    p = _Parser(prog=f"autograd-mini demo {name}", description=description)
    p.add_argument("--seed", type=int, default=0, help=_("random seed (default 0)"))
    p.add_argument("--out", type=_folder, default=None,
                   help=_("folder for the figures (default: a new folder ./{name}-figures)",
                          name=name))
    p.add_argument("--quick", action="store_true", help=_("a small, fast setting (for tests)"))
    p.add_argument("--no-progress", action="store_true", help=_("no progress bar"))
    p.set_defaults(demo=name)
    return p


def right(text: str, width: int) -> str:
    """``text`` right-aligned in ``width`` terminal columns (a Hangul syllable takes two),
    as ``f"{text:>{width}}"`` aligns English."""
    return " " * (width - display_width(text)) + text


def widths(headers: Iterable[str], least: Iterable[int]) -> list[int]:
    """Each column's width: the least its numbers need, or its header's, if wider."""
    return [max(n, display_width(h)) for h, n in zip(headers, least)]


def new_folder(base: str) -> Path:
    """``base`` in the working directory, or ``base-2``, ``base-3``, ... if it exists."""
    folder, n = Path(base), 1
    while folder.exists():
        n += 1
        folder = Path(f"{base}-{n}")
    return folder


def output_folder(args: argparse.Namespace) -> Path:
    """Where a demo writes, made if need be: ``--out`` if given, else a new folder
    ``./NAME-figures`` in the working directory.

    A demo writes only here -- never into the installed package or a checkout's
    committed figures (``python demos/make_figures.py`` regenerates those, on request).
    """
    folder = args.out if args.out is not None else new_folder(f"{args.demo}-figures")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pyplot():
    """matplotlib's pyplot, drawing to files only (no window, no display needed) --
    unless pyplot is already in use (a notebook's inline figures), which is left as it is."""
    if "matplotlib.pyplot" in sys.modules:
        plt = sys.modules["matplotlib.pyplot"]
    else:
        os.environ.setdefault("MPLCONFIGDIR",
                              os.path.join(tempfile.gettempdir(), "mpl-autograd-mini"))
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    if current_language() == "ko":
        _with_hangul(plt.rcParams)
    return plt


# Fonts with Hangul, the first one installed drawing what matplotlib's own font lacks.
HANGUL_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic",
                "Apple SD Gothic Neo", "AppleGothic")


def _with_hangul(settings) -> None:
    """A Korean figure's words drawn, not as empty boxes: the first Hangul font installed
    goes after the usual family (matplotlib takes a glyph from the next font that has it)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    found = next((name for name in HANGUL_FONTS if name in installed), None)
    if found is not None and found not in settings["font.family"]:
        settings["font.family"] = [*settings["font.family"], found]


def save_figure(fig, folder: Path, name: str) -> Path:
    """Save ``fig`` as ``folder/name`` (whole or not at all) and close it."""
    path = folder / name
    picture = io.BytesIO()
    fig.savefig(picture, format=path.suffix.lstrip("."), bbox_inches="tight", dpi=110,
                metadata={"Date": None} if path.suffix == ".svg" else None)
    pyplot().close(fig)
    return write_atomically(path, picture.getvalue())


# Where progress goes where no terminal shows a bar: the course page's kernel sets this
# while a cell runs, and a long loop's "seed 8: 1200/5001" shows under the running cell.
report: Callable[[str], None] | None = None


def progress(items: Iterable, enabled: bool, **kwargs) -> Iterable:
    """``items`` with a tqdm progress bar when enabled; told to :data:`report`, if set,
    whether enabled or not (it is a status line, not the cell's output)."""
    if report is not None:
        return _reported(items, report, kwargs.get("desc", ""), kwargs.get("total"))
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, **kwargs)


def _reported(items: Iterable, say: Callable[[str], None], desc: str,
              total: int | None) -> Iterator:
    """``items``, saying after each one how many are done (as tqdm's ``desc: k/n``)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    of = f"/{total}" if total is not None else ""
    for done, item in enumerate(items, 1):
        yield item
        say(f"{desc}: {done}{of}" if desc else f"{done}{of}")
