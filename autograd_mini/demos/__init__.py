"""The demos behind ``autograd-mini demo NAME`` and the scripts in ``demos/``."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

__all__ = ["DEMOS", "run_demo"]

# name -> (module, one-line description)
DEMOS: dict[str, tuple[str, str]] = {
    "newton": ("autograd_mini.demos.newton",
               "Newton's method with the Hessian against gradient descent"),
    "modes": ("autograd_mini.demos.modes",
              "forward against reverse mode: the cost of n inputs, of m outputs"),
}


class UnknownDemo(ValueError):
    """No demo has that name."""


def run_demo(name: str, argv: Sequence[str] = ()) -> int:
    """Run the demo ``name`` with command-line arguments ``argv``; returns the exit status."""
    if name not in DEMOS:
        known = ", ".join(sorted(DEMOS)) or "none yet"
        raise UnknownDemo(f"no demo named {name!r}; demos: {known}")
    module = importlib.import_module(DEMOS[name][0])
    return module.main(list(argv))
