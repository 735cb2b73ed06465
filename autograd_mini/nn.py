"""Neurons, layers and multi-layer perceptrons built from Values.

A unit of Rumelhart, Hinton & Williams (1986) takes the weighted sum of its inputs,
``x_j = Σ_i y_i w_ji`` (the bias is the weight of an input that is always 1), and
squashes it, ``y_j = 1 / (1 + exp(-x_j))``.  Here the weighted sum with its bias is one
``affine`` node (``Σ_i w_i x_i + b``: partials ``x_i``, ``w_i`` and 1) and the
squashing one activation node, so backprop through a network is just ``backward()``
on its loss.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterator, Sequence
from typing import Union

from .core.collector import gc_paused
from .core.engine import Number, Value, apply
from .core.language import _
from .core.naming import input_label
from .core.ops import PRIMITIVES

__all__ = ["Module", "Neuron", "Layer", "MLP", "ACTIVATIONS", "INITS", "activations"]

LINEAR = "linear"  # no activation: the neuron's output is its weighted sum


def activations() -> tuple[str, ...]:
    """What a neuron can squash with: any one-input op of the table, or ``"linear"``."""
    return (*[name for name, p in PRIMITIVES.items() if p.arity == 1], LINEAR)


ACTIVATIONS = activations()  # the built-in ones; a registered one-input op works too
INITS = ("uniform", "paper", "xavier", "lecun")
Inputs = Union[Value, Number, Sequence[Union[Value, Number]]]


class Module:
    """Base class: finds its parameters in its attributes (Values, Modules, lists)."""

    def __call__(self, x: Inputs):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def _members(self) -> Iterator[tuple[str, Value | Module]]:
        """The Values and Modules among the attributes, items of lists named ``name.i``."""
        for name, attr in vars(self).items():
            yield from _members(name, attr)

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a fixed order, e.g. ``layers.0.neurons.1.w.0``."""
        for name, member in self._members():
            if isinstance(member, Value):
                yield name, member
            else:
                for sub, p in member.named_parameters():
                    yield f"{name}.{sub}", p

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module (name ``prefix``) and every module inside."""
        yield prefix, self
        for name, member in self._members():
            if isinstance(member, Module):
                yield from member.named_modules(f"{prefix}.{name}" if prefix else name)

    def parameters(self) -> list[Value]:
        return [p for _name, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The parameters' values by name."""
        return {name: p.data for name, p in self.named_parameters()}

    @classmethod
    def from_config(cls, config: dict) -> Module:
        """A new module of the shape ``config`` describes (as ``config()`` gives it), its
        weights drawn from a generator of its own, to be overwritten (``load_state_dict``)."""
        return cls(**config, rng=random.Random(0))

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Set the parameters from ``state``; checks everything before changing anything.

        Raises:
            ValueError: names missing or unexpected, or a value is not a finite number.
        """
        # Names are compared as they are made, with no second table of them: a big model
        # loads in little more memory than the model and the file's numbers take.
        missing = [name for name, _p in self.named_parameters() if name not in state]
        if missing or sum(1 for _pair in self.named_parameters()) != len(state):
            known = set(name for name, _p in self.named_parameters())
            unexpected = [name for name in state if name not in known]
            raise ValueError(_("state does not fit this {kind}: missing {missing}, "
                               "unexpected {unexpected}", kind=type(self).__name__,
                               missing=sorted(missing)[:5], unexpected=sorted(unexpected)[:5]))
        for name, number in state.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)) \
                    or not _finite(number):
                shown = repr(number) if len(repr(number)) < 40 else repr(number)[:30] + "..."
                raise ValueError(_("parameter {name} must be a finite number, got {shown}",
                                   name=repr(name), shown=shown))
        for name, p in self.named_parameters():
            p.data = float(state[name])


@functools.cache
def _weight_label(i: int) -> str:
    """``w0``, ``w1``, ...: one string for all neurons' i-th weights (a big model has many)."""
    return f"w{i}"


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond the float range, say 400 digits long
        return False


def _members(name: str, attr: object) -> Iterator[tuple[str, Value | Module]]:
    if isinstance(attr, (Value, Module)):
        yield name, attr
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            yield from _members(f"{name}.{i}", item)


def _as_list(x: Inputs) -> list:
    # A layer of width one hands on a single Value: accept it (micrograd crashes here).
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _as_values(x: Inputs) -> list[Value]:
    """The inputs as Values, plain numbers lifted once (labelled x1, x2, ...) so that
    all the neurons of a layer share the same input nodes."""
    xs = _as_list(x)
    for v in xs:
        if not isinstance(v, Value):
            return [v if isinstance(v, Value) else Value(v, input_label(k))
                    for k, v in enumerate(xs, 1)]
    return xs



def _fields(config: object, *names: str) -> dict:
    """``config`` if it is a dict with exactly the keys ``names``, else ValueError."""
    if not isinstance(config, dict) or set(config) != set(names):
        raise ValueError(_("a config has the keys {names}", names=", ".join(names)))
    return config


def _whole(n: object) -> int:
    """``n`` if it is a positive whole number (not a bool), else ValueError."""
    if type(n) is not int or n < 1:
        raise ValueError(_("sizes are positive whole numbers"))
    return n


def _check_width(expected: int, got: int) -> None:
    if got != expected:
        raise ValueError(_("this neuron takes {expected} inputs, got {got}", expected=expected,
                           got=got))


def _check_choice(what: str, choice: str, choices: Sequence[str]) -> None:
    if choice not in choices:
        raise ValueError(_("unknown {what} {choice}; choose one of {choices}", what=what,
                           choice=repr(choice), choices=", ".join(choices)))


class Neuron(Module):
    """One unit: ``activation(Σ_i w_i x_i + b)``.

    Args:
        nin: number of inputs.
        activation: the name of a one-input op of the table -- ``"sigmoid"`` (the
            paper's), ``"tanh"``, ``"relu"``, ... -- or ``"linear"`` (none).
        init: how weights start -- ``"uniform"``: U(-scale, scale), bias 0
            (micrograd's choice, scale 1); ``"paper"``: weights *and* bias
            U(-scale, scale) with scale 0.3, as in Rumelhart et al.; ``"xavier"``:
            U(±sqrt(6 / (nin + 1))), bias 0; ``"lecun"``: N(0, 1/nin), bias 0.
        scale: the range of the uniform inits (default 1.0, or 0.3 for "paper").
        rng: a ``random.Random`` for reproducible weights; ``None`` uses the global
            ``random`` module, so ``random.seed(...)`` works as in micrograd.
        nonlin: micrograd's spelling: ``True`` means relu, ``False`` linear.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "relu",
        *,
        init: str = "uniform",
        scale: float | None = None,
        rng: random.Random | None = None,
        nonlin: bool | None = None,
    ) -> None:
        if isinstance(nin, bool) or not isinstance(nin, int) or nin < 1:
            raise ValueError(_("a neuron needs a positive whole number of inputs, got {nin}",
                               nin=repr(nin)))
        if nonlin is not None:
            activation = "relu" if nonlin else LINEAR
        _check_choice("activation", activation, activations())
        _check_choice("init", init, INITS)
        rng = rng if rng is not None else random  # the module: random.seed() applies
        self.w = [Value(_initial_weight(init, nin, scale, rng), _weight_label(i))
                  for i in range(nin)]
        self.b = Value(_initial_weight(init, nin, scale, rng) if init == "paper" else 0.0, "b")
        self.activation = activation

    def __call__(self, x: Inputs) -> Value:
        xs = _as_values(x)
        _check_width(len(self.w), len(xs))
        return self.fire(xs)

    def fire(self, xs: list[Value]) -> Value:
        """The output for inputs that are already Values of the right number."""
        total = apply("affine", *self.w, *xs, self.b)  # one node for Σ_i w_i x_i + b
        return total if self.activation == LINEAR else apply(self.activation, total)

    def config(self) -> dict:
        """The arguments that rebuild this neuron's shape (used by ``save``)."""
        return {"nin": len(self.w), "activation": self.activation}

    @staticmethod
    def parameter_count(config: dict) -> int:
        """How many parameters a neuron of ``config`` has: ``nin`` weights and a bias.
        Reads the config alone (``load`` checks a file before building anything).

        Raises:
            ValueError: ``config`` is not of the form ``config()`` gives.
        """
        return _whole(_fields(config, "nin", "activation")["nin"]) + 1

    @property
    def nonlin(self) -> bool:
        return self.activation != LINEAR

    def __repr__(self) -> str:
        return f"{self.activation.capitalize()}Neuron({len(self.w)})"


def _initial_weight(init: str, nin: int, scale: float | None, rng: random.Random | object) -> float:
    if init == "lecun":
        return rng.gauss(0.0, 1.0 / math.sqrt(nin))
    if init == "xavier":
        limit = math.sqrt(6.0 / (nin + 1))
    else:
        limit = scale if scale is not None else (0.3 if init == "paper" else 1.0)
    return rng.uniform(-limit, limit)


class Layer(Module):
    """``nout`` neurons that all see the same inputs; returns a list of ``nout`` Values."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", **kwargs) -> None:
        if isinstance(nout, bool) or not isinstance(nout, int) or nout < 1:
            raise ValueError(_("a layer needs a positive whole number of units, got {nout}",
                               nout=repr(nout)))
        self.neurons = [Neuron(nin, activation, **kwargs) for _unit in range(nout)]

    def __call__(self, x: Inputs) -> list[Value]:
        xs = _as_values(x)  # lifted and checked once for all the layer's neurons
        _check_width(len(self.neurons[0].w), len(xs))
        return [n.fire(xs) for n in self.neurons]

    def config(self) -> dict:
        """The arguments that rebuild this layer's shape (used by ``save``)."""
        first = self.neurons[0]
        return {"nin": len(first.w), "nout": len(self.neurons), "activation": first.activation}

    @staticmethod
    def parameter_count(config: dict) -> int:
        """``nout`` neurons' parameters (see :meth:`Neuron.parameter_count`)."""
        fields = _fields(config, "nin", "nout", "activation")
        neuron = {"nin": fields["nin"], "activation": fields["activation"]}
        return _whole(fields["nout"]) * Neuron.parameter_count(neuron)

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A stack of layers: ``MLP(2, [16, 16, 1])`` has two hidden layers of 16.

    Args:
        nin: number of inputs.
        nouts: the width of each layer, the last being the output layer.
        activation: the hidden layers' activation (default relu, like micrograd), or a
            list with one activation per layer (output layer included).
        output_activation: the output layer's activation (default linear), unless
            ``activation`` is a list.
        **kwargs: passed to every :class:`Neuron` (``init``, ``scale``, ``rng``).

    Calling it returns a single Value when the output layer has one unit, else a list.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str | Sequence[str] = "relu",
        output_activation: str = "linear",
        **kwargs,
    ) -> None:
        nouts = list(nouts)
        if not nouts:
            raise ValueError(_("an MLP needs at least one layer"))
        if isinstance(activation, str):
            activations = [activation] * (len(nouts) - 1) + [output_activation]
        else:
            activations = list(activation)
            if len(activations) != len(nouts):
                raise ValueError(_("{layers} layers need {layers} activations, got {count}",
                                   layers=len(nouts), count=len(activations)))
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activations[i], **kwargs) for i in range(len(nouts))
        ]

    def __call__(self, x: Inputs) -> Value | list[Value]:
        # The network's nodes make no reference cycles, so the cyclic garbage collector
        # has nothing to find in them; left running, its young-generation passes would
        # walk every new node and free other libraries' cycles (micrograd's closures)
        # inside this forward pass.  Paused, the step stays as fast beside them as alone.
        with gc_paused():
            out = _as_list(x)
            for layer in self.layers:
                out = layer(out)
        return out[0] if len(out) == 1 else out

    def config(self) -> dict:
        """The arguments that rebuild this network's shape (used by ``save``)."""
        configs = [layer.config() for layer in self.layers]
        return {"nin": configs[0]["nin"], "nouts": [c["nout"] for c in configs],
                "activation": [c["activation"] for c in configs]}

    @staticmethod
    def parameter_count(config: dict) -> int:
        """Its layers' parameters (see :meth:`Layer.parameter_count`)."""
        fields = _fields(config, "nin", "nouts", "activation")
        nouts = fields["nouts"]
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(_("nouts must be a list of layer widths, not a {kind}",
                               kind=type(nouts).__name__))
        sizes = [fields["nin"], *nouts]
        return sum(Layer.parameter_count({"nin": sizes[i], "nout": sizes[i + 1],
                                          "activation": None}) for i in range(len(nouts)))

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
