"""Bridges out: a trained MLP to PyTorch and back, and a graph to SymPy.

What a student trains or differentiates here should carry over to the tools used next.
Each bridge has its own module; this one gathers their names:

* :func:`to_torch` and :func:`from_torch` (:mod:`autograd_mini.bridges.pytorch`): an
  :class:`~autograd_mini.nn.MLP` as a float64 ``torch.nn.Sequential``, and back;
* :func:`to_sympy` (:mod:`autograd_mini.bridges.symbolic`): a graph as one SymPy
  expression, so that ``sympy.diff`` can be set beside ``grad``.

torch and sympy are optional (``pip install -e '.[bridges]'``): each is imported when a
bridge runs, so ``import autograd_mini`` works without them.
"""

from .pytorch import from_torch, to_torch
from .symbolic import to_sympy

__all__ = ["to_torch", "from_torch", "to_sympy"]
