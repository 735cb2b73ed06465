"""A trained MLP to PyTorch and back.

:func:`to_torch` turns an :class:`~autograd_mini.nn.MLP` into a float64
``torch.nn.Sequential`` of ``Linear`` layers, each followed by the same activation
(``Identity`` for a linear layer); :func:`from_torch` is the way back.

The activations are ops of the table, and each op's PyTorch form
(:attr:`~autograd_mini.core.ops.Primitive.torch`) says what it computes: the bridge uses the
``torch.nn`` module of the op's name (``Tanh`` for tanh, ``ReLU`` for relu) when it
computes that form, and otherwise a module that applies the form itself.

torch is optional (``pip install -e '.[bridges]'``): it is imported when a function
here runs, so ``import autograd_mini`` works without it.
"""

from __future__ import annotations

import functools
import random
from typing import TYPE_CHECKING, Any

from .. import nn
from ..core.engine import Value
from ..core.language import N_, _
from ..core.ops import PRIMITIVES
from ..nn import MLP, Layer
from .optional import require

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import torch

__all__ = ["to_torch", "from_torch"]

LINEAR = "linear"  # nn's name for "no activation": torch's Identity


def _torch() -> Any:
    return require("torch", N_("this bridge"), "bridges")


def to_torch(model: MLP) -> torch.nn.Sequential:
    """The same network as a float64 ``torch.nn.Sequential``.

    Layer ``i`` of the MLP becomes ``Linear(nin, nout)`` at index ``2i`` -- its weight
    row ``j`` is neuron ``j``'s weights ``w``, its bias entry ``j`` the neuron's ``b``
    -- followed at index ``2i + 1`` by the layer's activation (``Sigmoid``, ``Tanh``,
    ``ReLU``, ..., or ``Identity`` for a linear layer).  It computes
    ``y = act(W x + b)`` layer by layer, exactly what the MLP computes one unit at a time,
    on a batch of inputs of shape ``(batch, nin)``.

    Raises:
        TypeError: ``model`` is not an MLP.
        ValueError: the neurons of a layer do not share one activation.
    """
    torch = _torch()
    if not isinstance(model, MLP):
        raise TypeError(_("to_torch expects an autograd_mini MLP, got {kind}",
                          kind=type(model).__name__))
    modules = activation_modules(torch)
    stack = []
    for layer in model.layers:
        activation = _layer_activation(layer)
        neurons = layer.neurons
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        stack += [linear, modules[activation]()]
    return torch.nn.Sequential(*stack)


def _layer_activation(layer: Layer) -> str:
    activations = {n.activation for n in layer.neurons}
    if len(activations) != 1:
        raise ValueError(_("a torch Linear layer has one activation, but this layer's "
                           "neurons use {activations}", activations=", ".join(sorted(activations))))
    return activations.pop()


def activation_modules(torch: Any) -> dict[str, type]:
    """Each activation name of :func:`~autograd_mini.nn.activations` -> a ``torch.nn``
    module class (made with no arguments) that computes it.

    ``"linear"`` is ``Identity``.  Any other activation is an op of the table: its
    ``torch_layer`` class (``Tanh``) where the table names one, else a module that runs
    the op's PyTorch form.  An op with neither cannot be converted.
    """
    modules: dict[str, type] = {LINEAR: torch.nn.Identity}
    for name in nn.activations():
        primitive = PRIMITIVES.get(name)
        if primitive is None or primitive.torch is None:
            continue  # linear, or an op without a PyTorch form
        layer = primitive.torch_layer
        modules[name] = (getattr(torch.nn, layer) if layer
                         else _form_module(torch, name, primitive.torch))
    return modules


@functools.cache  # one class per op, so that from_torch knows the modules to_torch made
def _form_module(torch: Any, name: str, form: Any) -> type:
    """A ``torch.nn`` module class named after the op that applies its PyTorch form."""
    return type(name.capitalize(), (torch.nn.Module,),
                {"forward": lambda self, x: form(torch, x),
                 "__doc__": f"The op {name!r} of autograd_mini's table, in PyTorch."})


def from_torch(module: torch.nn.Module) -> MLP:
    """An MLP with the weights of ``module``, a ``torch.nn.Sequential`` of ``Linear``
    layers (with bias), each followed by at most one activation module (``Sigmoid``,
    ``Tanh``, ``ReLU``, ``Identity``, ...; none means linear).  The inverse of
    :func:`to_torch`.

    Raises:
        TypeError: ``module`` is not a ``torch.nn.Sequential``.
        ValueError: it holds something other than such layers (a convolution, a layer
            without bias, two activations in a row, widths that do not chain), or a
            weight that is not finite.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(_("from_torch expects a torch.nn.Sequential of Linear layers and "
                          "activations, got {kind}", kind=type(module).__name__))
    linears, activations = _read_stack(torch, module)
    sizes = [linear.out_features for linear in linears]
    model = MLP(linears[0].in_features, sizes, activation=activations,
                rng=random.Random(0))  # its own generator: the weights are overwritten
    values: dict[Value, float] = {}
    for layer, linear in zip(model.layers, linears):
        weight = linear.weight.detach().tolist()
        bias = linear.bias.detach().tolist()
        for neuron, row, b in zip(layer.neurons, weight, bias):
            values.update(zip(neuron.w, row))
            values[neuron.b] = b
    model.load_state_dict({name: values[p] for name, p in model.named_parameters()})
    return model


def _read_stack(torch: Any, module: torch.nn.Sequential) -> tuple[list, list[str]]:
    """The Linear layers of ``module`` and the activation name after each."""
    names = {cls: ours for ours, cls in activation_modules(torch).items()}
    linears: list = []
    activations: list[str] = []
    for index, child in enumerate(module):
        where = _("module {index} ({kind})", index=index, kind=type(child).__name__)
        if type(child) is torch.nn.Linear:  # a subclass may compute something else
            if child.bias is None:
                raise ValueError(_("{where} has no bias; an MLP neuron always has one",
                                   where=where))
            if linears and child.in_features != linears[-1].out_features:
                raise ValueError(_("{where} takes {inputs} inputs but the layer before gives "
                                   "{outputs}", where=where, inputs=child.in_features,
                                   outputs=linears[-1].out_features))
            linears.append(child)
            activations.append(LINEAR)
        elif type(child) in names:
            if index == 0 or type(module[index - 1]) is not torch.nn.Linear:
                raise ValueError(_("{where} must follow a Linear layer directly", where=where))
            activations[-1] = names[type(child)]
        else:
            raise ValueError(_("{where} cannot be converted: use Linear layers, each followed "
                               "by at most one of {activations}", where=where,
                               activations=", ".join(sorted(cls.__name__ for cls in names))))
    if not linears:
        raise ValueError(_("from_torch needs at least one Linear layer"))
    return linears, activations
