"""The demos behind ``autograd-mini demo NAME`` and the scripts in ``demos/``."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

__all__ = ["DEMOS", "run_demo"]

# name -> (module, one-line description)
DEMOS: dict[str, tuple[str, str]] = {
    "xor": ("autograd_mini.demos.xor",
            "XOR with a 2-2-1 sigmoid net, and what its hidden units do"),
    "symmetry": ("autograd_mini.demos.symmetry",
                 "the 1986 paper's symmetry detection, with a Hinton diagram"),
    "family-trees": ("autograd_mini.demos.family_trees",
                     "the 1986 paper's family trees: generalising to held-out queries"),
    "bptt": ("autograd_mini.demos.bptt",
             "backprop through time: a recurrent net unrolled, and the vanishing gradient"),
    "moons": ("autograd_mini.demos.moons", "micrograd's two-moons classifier"),
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
