"""Bridges out: a trained MLP to PyTorch and back, and a graph to SymPy.

What a student trains or differentiates here should carry over to the tools used next:

* :func:`to_torch` turns an :class:`~autograd_mini.nn.MLP` into a float64
  ``torch.nn.Sequential`` of ``Linear`` layers, each followed by the same activation
  (``Identity`` for a linear layer); :func:`from_torch` is the way back.
* :func:`to_sympy` writes a graph as one SymPy expression, so that symbolic
  differentiation (``sympy.diff``) can be set beside automatic differentiation.

torch and sympy are optional (``pip install -e '.[bridges]'``): each is imported inside
the function that needs it, so ``import autograd_mini`` works without them.
"""

from __future__ import annotations

import importlib
import random
from typing import TYPE_CHECKING, Any

from .engine import Value
from .nn import MLP, Layer

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    import sympy
    import torch

__all__ = ["to_torch", "from_torch", "to_sympy"]

# Our activation names and the torch modules that compute the same function.
_TORCH_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "linear": "Identity"}


def _import(name: str) -> Any:
    """The optional package ``name``, or an ImportError that says how to get it."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(
            f"this bridge needs {name}: pip install -e '.[bridges]' "
            f"(or pip install {name})"
        ) from error


# -- PyTorch -------------------------------------------------------------------------


def to_torch(model: MLP) -> torch.nn.Sequential:
    """The same network as a float64 ``torch.nn.Sequential``.

    Layer ``i`` of the MLP becomes ``Linear(nin, nout)`` at index ``2i`` -- its weight
    row ``j`` is neuron ``j``'s weights ``w``, its bias entry ``j`` the neuron's ``b``
    -- followed at index ``2i + 1`` by the layer's activation (``Sigmoid``, ``Tanh``,
    ``ReLU``, or ``Identity`` for a linear layer).  It computes
    ``y = act(W x + b)`` layer by layer, exactly what the MLP computes one unit at a time,
    on a batch of inputs of shape ``(batch, nin)``.

    Raises:
        TypeError: ``model`` is not an MLP.
        ValueError: the neurons of a layer do not share one activation.
    """
    torch = _import("torch")
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch expects an autograd_mini MLP, got {type(model).__name__}")
    modules = []
    for layer in model.layers:
        activation = _layer_activation(layer)
        neurons = layer.neurons
        linear = torch.nn.Linear(len(neurons[0].w), len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules += [linear, getattr(torch.nn, _TORCH_ACTIVATIONS[activation])()]
    return torch.nn.Sequential(*modules)


def _layer_activation(layer: Layer) -> str:
    activations = {n.activation for n in layer.neurons}
    if len(activations) != 1:
        raise ValueError(
            f"a torch Linear layer has one activation, but this layer's neurons use "
            f"{', '.join(sorted(activations))}"
        )
    return activations.pop()


def from_torch(module: torch.nn.Module) -> MLP:
    """An MLP with the weights of ``module``, a ``torch.nn.Sequential`` of ``Linear``
    layers (with bias), each followed by at most one ``Sigmoid``, ``Tanh``, ``ReLU`` or
    ``Identity`` (none means linear).  The inverse of :func:`to_torch`.

    Raises:
        TypeError: ``module`` is not a ``torch.nn.Sequential``.
        ValueError: it holds something other than such layers (a convolution, a layer
            without bias, two activations in a row, widths that do not chain), or a
            weight that is not finite.
    """
    torch = _import("torch")
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"from_torch expects a torch.nn.Sequential of Linear layers and activations, "
            f"got {type(module).__name__}"
        )
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
    names = {getattr(torch.nn, cls): ours for ours, cls in _TORCH_ACTIVATIONS.items()}
    linears: list = []
    activations: list[str] = []
    for index, child in enumerate(module):
        where = f"module {index} ({type(child).__name__})"
        if type(child) is torch.nn.Linear:  # a subclass may compute something else
            if child.bias is None:
                raise ValueError(f"{where} has no bias; an MLP neuron always has one")
            if linears and child.in_features != linears[-1].out_features:
                raise ValueError(f"{where} takes {child.in_features} inputs but the layer "
                                 f"before gives {linears[-1].out_features}")
            linears.append(child)
            activations.append("linear")
        elif type(child) in names:
            if index == 0 or type(module[index - 1]) is not torch.nn.Linear:
                raise ValueError(f"{where} must follow a Linear layer directly")
            activations[-1] = names[type(child)]
        else:
            raise ValueError(
                f"{where} cannot be converted: use Linear layers, each followed by at most "
                f"one of {', '.join(sorted(_TORCH_ACTIVATIONS.values()))}"
            )
    if not linears:
        raise ValueError("from_torch needs at least one Linear layer")
    return linears, activations


# -- SymPy ---------------------------------------------------------------------------


def to_sympy(output: Value) -> sympy.Expr:
    """The graph of ``output`` as one SymPy expression.

    Each input becomes a real ``sympy.Symbol`` named by its display name (see
    :mod:`autograd_mini.naming`: its label -- ``x#2`` for a second input labelled ``x``
    -- or the generated name that pictures and traces show), each constant a number
    (``2``, ``0.5``), and each operation the SymPy form its primitive gives in the op table --
    so ``to_sympy((x * y + 1).tanh())`` is ``tanh(x*y + 1)``, and ``sympy.diff`` of it
    can be set beside ``grad``:

        >>> import sympy
        >>> from autograd_mini import Value, grad
        >>> x, y = Value(0.5, label="x"), Value(2.0, label="y")
        >>> f = (x * y + 1).tanh()
        >>> expression = to_sympy(f)
        >>> expression
        tanh(x*y + 1)
        >>> X, Y = sorted(expression.free_symbols, key=str)
        >>> symbolic = sympy.diff(expression, X).evalf(subs={X: 0.5, Y: 2.0})
        >>> abs(float(symbolic) - grad(f, [x])[0]) < 1e-15
        True

    A node used twice appears twice in the expression (SymPy shares it in memory).

    Raises:
        TypeError: ``output`` is not a Value.
        ValueError: the graph uses a primitive without a SymPy form (a user primitive
            registered without ``sympy=...``).
    """
    sp = _import("sympy")
    from .naming import display_names

    if not isinstance(output, Value):
        raise TypeError(f"to_sympy expects a Value, got {type(output).__name__}")
    names = display_names(output)  # one name per input, so one symbol per input
    expressions: dict[Value, Any] = {}
    for node in names:  # in topological order
        if node.primitive is not None:
            expressions[node] = _sympy_of(sp, node, [expressions[p] for p in node.parents])
        elif node.is_constant:
            expressions[node] = _number(sp, node.data)
        else:
            expressions[node] = sp.Symbol(names[node], real=True)
    return expressions[output]


def _sympy_of(sp: Any, node: Value, inputs: list) -> Any:
    """The op table's SymPy form of ``node``, applied to its inputs' expressions."""
    rule = node.primitive.sympy
    if rule is None:
        raise ValueError(
            f"the primitive {node.primitive.name!r} has no SymPy form: register it with "
            "sympy=lambda sp, *inputs: ... (its formula in SymPy) to export it"
        )
    return rule(sp, *inputs)


def _number(sp: Any, x: float) -> Any:
    """A constant as SymPy writes it: ``2`` for a whole number, else the float exactly."""
    return sp.Integer(int(x)) if x.is_integer() else sp.Float(x)
