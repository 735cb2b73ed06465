"""Optimizers: gradient descent with the 1986 paper's momentum, and Adam.

    model.zero_grad(); loss.backward(); optimizer.step()   # one update, as in PyTorch
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .core.engine import Value
from .core.language import _
from .core.valuebase import number

__all__ = ["SGD", "Adam"]


class _Optimizer:
    def __init__(self, params: Iterable[Value]) -> None:
        if callable(getattr(params, "parameters", None)):
            params = params.parameters()  # a model: train all its parameters
        elif not isinstance(params, Iterable):
            raise TypeError(_("{optimizer} expects the Values to train, such as "
                              "model.parameters(), got {kind}", optimizer=type(self).__name__,
                              kind=type(params).__name__))
        self.params = list(params)
        if not self.params:
            raise ValueError(_("the optimizer got no parameters"))
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(_("parameters must be Values, got {kind}", kind=type(p).__name__))

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (they accumulate otherwise)."""
        for p in self.params:
            p.grad = 0.0


def _check(name: str, value: float, low: float, high: float = math.inf) -> float:
    if not low <= value < high:
        raise ValueError(_("{name} must be in [{low}, {high}), got {value}", name=name, low=low,
                           high=high, value=repr(value)))
    return float(value)


class SGD(_Optimizer):
    """Gradient descent with momentum exactly as Rumelhart, Hinton & Williams (1986):

        Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1),     w ← w + Δw(t)

    with ε = ``lr`` and α = ``momentum``.  PyTorch's SGD instead keeps
    ``v(t) = α v(t−1) + ∂E/∂w`` and steps ``w ← w − ε v(t)``: the same while ε stays
    fixed, but here a change of ε (the family-trees schedule changes it after 20
    sweeps) scales only new gradients, not the velocity already built up.

    Args:
        params: the Values to train, such as ``model.parameters()`` (a model itself
            stands for all its parameters).
        lr: ε, the learning rate (may be changed between steps).
        momentum: α, the fraction of the last change carried on (0 = none).
        weight_decay: after each change every weight shrinks by this fraction,
            ``w ← (1 − weight_decay) w`` (the paper's "0.2 % per weight change" is 0.002).
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params)
        self.lr = _check("lr", lr, 0.0)
        self.momentum = _check("momentum", momentum, 0.0, 1.0)
        self.weight_decay = _check("weight_decay", weight_decay, 0.0, 1.0)
        self.changes = [0.0] * len(self.params)  # Δw(t−1) for each weight

    def change(self, index: int, gradient: float) -> float:
        """The change ``step`` would make to parameter ``index`` for this gradient,
        ``Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1)`` (the paper's eq. 9; eq. 8 is α = 0),
        without making it: the one place the rule is written."""
        return -self.lr * gradient + self.momentum * self.changes[index]

    def step(self) -> None:
        keep = 1.0 - self.weight_decay
        for i, p in enumerate(self.params):
            change = self.change(i, number(p.grad))
            self.changes[i] = change
            p.data = (p.data + change) * keep


class Adam(_Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running averages of the gradient (m)
    and of its square (v), with bias correction:

        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
        w ← w − lr · m̂ / (√v̂ + eps),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
    """

    def __init__(self, params: Iterable[Value], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params)
        self.lr = _check("lr", lr, 0.0)
        self.beta1 = _check("betas[0]", betas[0], 0.0, 1.0)
        self.beta2 = _check("betas[1]", betas[1], 0.0, 1.0)
        self.eps = eps
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        self.t += 1
        correct1, correct2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for i, p in enumerate(self.params):
            g = number(p.grad)  # a Value after backward(create_graph=True): its number
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g
            m_hat, v_hat = self.m[i] / correct1, self.v[i] / correct2
            p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)
