"""micrograd's API on autograd_mini's engine: swap the import, keep the code.

    from autograd_mini.micrograd.engine import Value   # was: from micrograd.engine import Value
    from autograd_mini.micrograd.nn import MLP         # was: from micrograd.nn import MLP

Differences from micrograd 0.1.0, all deliberate fixes:

* ``backward`` walks the graph iteratively, so deep graphs do not hit Python's
  recursion limit;
* a layer of width one inside an MLP works (micrograd crashes on it);
* the arithmetic comes from the op table, so ``tanh``, ``exp``, ``log``, ``sigmoid``,
  division and friends all exist; the lecture's way of adding an op by hand
  (``out = Value(t, (self,), 'tanh')`` and ``out._backward = ...``) still works.
"""

from .engine import Value
from .nn import MLP, Layer, Module, Neuron

__all__ = ["Value", "Module", "Neuron", "Layer", "MLP"]
