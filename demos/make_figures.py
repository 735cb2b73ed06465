"""Regenerate the figures committed in demos/figures: every demo at its full setting.

    python demos/make_figures.py                 # all of them (about 10 minutes)
    python demos/make_figures.py family-trees    # only these demos

A demo run writes only where --out says (by default a new folder in the working
directory); this script is the one command that writes into demos/figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograd_mini.cli import main as autograd_mini

FIGURES = Path(__file__).resolve().parent / "figures"
# demo name ("" is the tour: tanh(x*w + b), graph.svg and steps.html) -> its options
RUNS: dict[str, list[str]] = {
    "": [],
    "xor": [],
    "symmetry": ["--seeds", "100"],  # the distribution docs/reproducing-1986.md reports
    "family-trees": [],
    "bptt": [],
    "vanishing": [],
    "moons": [],
    "newton": [],
    "modes": [],
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("demos", nargs="*", metavar="NAME",
                   help="only these demos (default: all, and the tour)")
    args = p.parse_args(argv)
    unknown = [name for name in args.demos if name not in RUNS or not name]
    if unknown:
        p.error(f"no demo named {unknown[0]!r}; demos: {', '.join(n for n in RUNS if n)}")
    for name in args.demos or list(RUNS):
        command = ["demo", *([name] if name else []), "--out", str(FIGURES), *RUNS[name]]
        print(f"$ autograd-mini {' '.join(command)}", flush=True)
        status = autograd_mini([*command, *(["--no-progress"] if name else [])])
        if status:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
