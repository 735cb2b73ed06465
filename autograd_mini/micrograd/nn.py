"""micrograd's ``nn`` (Module, Neuron, Layer, MLP), built on :mod:`autograd_mini.nn`.

Weights come from the global ``random`` module, so ``random.seed(1337)`` gives the
same starting weights as micrograd does.
"""

from __future__ import annotations

from .. import nn
from .engine import Value

__all__ = ["Module", "Neuron", "Layer", "MLP"]

Module = nn.Module


class Neuron(nn.Neuron):
    """``Neuron(nin, nonlin=True)``: relu of ``Σ w_i x_i + b``, weights U(-1, 1), bias 0."""

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        super().__init__(nin, nonlin=nonlin)
        # The parameters become micrograd Values, so _prev/_op/_backward exist on them.
        self.w = [Value(w.data) for w in self.w]
        self.b = Value(self.b.data)

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(nn.Layer):
    """micrograd's Layer: returns a single Value when it has one neuron."""

    def __init__(self, nin: int, nout: int, **kwargs) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = super().__call__(x)
        return out[0] if len(out) == 1 else out


class MLP(nn.MLP):
    """micrograd's MLP: relu hidden layers, a linear output layer."""

    def __init__(self, nin: int, nouts: list[int]) -> None:
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
