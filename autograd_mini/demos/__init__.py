"""The demos behind ``autograd-mini demo NAME``: one file each, in the top-level
``demos/`` folder -- ``demos/xor.py`` is the demo ``xor``, module
``autograd_mini.demos.xor``, and ``python demos/xor.py`` runs the same file.

In a checkout (an editable install, or ``PYTHONPATH`` at the checkout) the folder
``demos/`` beside the package is part of this package's path; a wheel carries the same
files inside this package (pyproject.toml's ``force-include``).  What every demo shares
(options, output folder, figures) is :mod:`autograd_mini.demos.common`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path

from ..core.language import N_, _

_CHECKOUT = Path(__file__).resolve().parents[2]
if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "demos" / "xor.py").is_file():
    __path__.append(str(_CHECKOUT / "demos"))

__all__ = ["DEMOS", "run_demo"]

# name -> (module, one-line description)
DEMOS: dict[str, tuple[str, str]] = {
    "xor": ("autograd_mini.demos.xor",
            N_("XOR with a 2-2-1 sigmoid net, and what its hidden units do")),
    "symmetry": ("autograd_mini.demos.symmetry",
                 N_("the 1986 paper's symmetry detection, with a Hinton diagram")),
    "family-trees": ("autograd_mini.demos.family_trees",
                     N_("the 1986 paper's family trees: generalising to held-out queries")),
    "bptt": ("autograd_mini.demos.bptt",
             N_("backprop through time: a recurrent net unrolled, and the vanishing gradient")),
    "vanishing": ("autograd_mini.demos.vanishing",
                  N_("vanishing gradients watched: a 6-layer net, sigmoid against tanh and relu")),
    "moons": ("autograd_mini.demos.moons", N_("micrograd's two-moons classifier")),
    "newton": ("autograd_mini.demos.newton",
               N_("Newton's method with the Hessian against gradient descent")),
    "modes": ("autograd_mini.demos.modes",
              N_("forward against reverse mode: the cost of n inputs, of m outputs")),
}


class UnknownDemo(ValueError):
    """No demo has that name."""


def run_demo(name: str, argv: Sequence[str] = ()) -> int:
    """Run the demo ``name`` with command-line arguments ``argv``; returns the exit status."""
    if name not in DEMOS:
        known = ", ".join(sorted(DEMOS))
        raise UnknownDemo(_("no demo named {name}; demos: {known}", name=repr(name), known=known))
    module = importlib.import_module(DEMOS[name][0])
    return module.main(list(argv))
