"""The layer view: the same backward pass as vectors and matrices, beside the scalar sweep.

A layer l of n units fed by m inputs holds a weight matrix W (n × m, row j = unit j's
weights w_j·) and a bias vector b.  For one case, its units' scalar equations
(:mod:`.units`) stacked into vectors read:

    x^l = W^l y^(l−1) + b^l                 eq. 1 for every unit at once
    y^l = σ(x^l)                            eq. 2, element by element
    δ^L = (y^L − d) ⊙ σ′(x^L)               eqs. 4 and 5 at the output layer L
    δ^l = (W^(l+1)ᵀ δ^(l+1)) ⊙ σ′(x^l)      eqs. 7 and 5 below it
    ∂E/∂W^l = Σ_c δ^l_c y^(l−1)_cᵀ          eq. 6, summed over the cases c (eq. 3)

where δ = ∂E/∂x.  The layer's Jacobian ∂y^l/∂y^(l−1) = diag(σ′(x^l)) W^l, and the
backward pass never builds it: ``W^(l+1)ᵀ δ^(l+1)`` is the vector–Jacobian product, and
its entry i, ``Σ_j w_ji δ_j``, is exactly what the scalar sweep added into unit i's node,
one product per unit j above.  :func:`layer_view` computes the matrices with plain lists
(``σ′`` by the op table's rule, the numbers of the forward pass read from the nodes) and
keeps the scalar sweep's gradients beside them, so the two can be compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..core.language import _, ngettext
from ..core.naming import fmt
from ..core.ops import PRIMITIVES
from ..nn import Layer, Module, Neuron
from .units import Sweep, layer_names, layer_stack, record_sweep, slope_rule

__all__ = ["layer_view", "layer_lines", "LayerView", "LayerStep", "Matrix", "Vector", "transpose",
           "matvec", "outer", "hadamard", "superscript"]

Vector = list[float]
Matrix = list[list[float]]


# -- linear algebra on lists ---------------------------------------------------------------


def transpose(a: Matrix) -> Matrix:
    """Aᵀ: rows become columns."""
    return [list(column) for column in zip(*a)]


def matvec(a: Matrix, v: Vector) -> Vector:
    """A v: entry j is Σ_i a_ji v_i."""
    return [sum(a_ji * v_i for a_ji, v_i in zip(row, v)) for row in a]


def outer(u: Vector, v: Vector) -> Matrix:
    """u vᵀ: entry (j, i) is u_j v_i."""
    return [[u_j * v_i for v_i in v] for u_j in u]


def hadamard(u: Vector, v: Vector) -> Vector:
    """u ⊙ v: entry by entry."""
    return [a * b for a, b in zip(u, v)]


def _sum_matrices(matrices: list[Matrix]) -> Matrix:
    return [[sum(entries) for entries in zip(*rows)] for rows in zip(*matrices)]


def _sum_vectors(vectors: list[Vector]) -> Vector:
    return [sum(entries) for entries in zip(*vectors)]


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(n: int) -> str:
    """``12`` as ``¹²``: the layer index the way the equations write it."""
    return str(n).translate(_SUPERSCRIPTS)


# -- one layer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerStep:
    """Layer ``index`` (1 = the first above the inputs) over a batch, lists per case c.

    Attributes:
        W, b: the weights (n × m) and biases.
        inputs, totals, outputs: y^(l−1)_c, x^l_c, y^l_c (the forward pass's numbers).
        slopes: σ′(x^l_c), by the op table's rule of the layer's activation.
        dE_dy: ∂E/∂y^l_c: y − d at the top, W^(l+1)ᵀ δ^(l+1) below (a VJP).
        delta: δ^l_c = ∂E/∂y^l_c ⊙ σ′(x^l_c).
        dE_dW, dE_db: Σ_c δ_c y^(l−1)_cᵀ and Σ_c δ_c.
        sweep_dE_dW, sweep_dE_db, sweep_dE_dy: the scalar sweep's gradients of the same
            weights, biases and output nodes, for comparison.
        name, tag: the layer's name (``layer 2``, ``central``) and how the equations
            mark it (``²``; ``[central]`` in a network that is not a stack).
        cause, below: the equations' words for ∂E/∂y^l (``(W³ᵀ δ³)``) and for what
            feeds the layer (``y¹``, ``x``), read from how the layers are wired.
    """

    index: int
    activation: str
    slope_rule: str
    W: Matrix
    b: Vector
    inputs: list[Vector]
    totals: list[Vector]
    outputs: list[Vector]
    slopes: list[Vector]
    dE_dy: list[Vector] = field(default_factory=list)
    delta: list[Vector] = field(default_factory=list)
    dE_dW: Matrix = field(default_factory=list)
    dE_db: Vector = field(default_factory=list)
    sweep_dE_dW: Matrix = field(default_factory=list)
    sweep_dE_db: Vector = field(default_factory=list)
    sweep_dE_dy: list[Vector] = field(default_factory=list)
    name: str = ""
    tag: str = ""
    cause: str = ""
    below: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        """(units, inputs): W is n × m."""
        return len(self.W), len(self.W[0])

    def jacobian(self, case: int = 0) -> Matrix:
        """∂y^l/∂y^(l−1) for one case: diag(σ′(x^l)) W, entry (j, i) = σ′(x_j) w_ji."""
        return [[s * w for w in row] for s, row in zip(self.slopes[case], self.W)]

    def vjp(self, case: int = 0) -> Vector:
        """∂E/∂y^(l−1) = Jᵀ ∂E/∂y^l = Wᵀ δ^l, without forming J (what backprop does)."""
        return matvec(transpose(self.W), self.delta[case])

    def largest_gap(self) -> float:
        """The largest difference between the matrices' gradients and the sweep's."""
        pairs = [*zip(_flat(self.dE_dW), _flat(self.sweep_dE_dW)),
                 *zip(self.dE_db, self.sweep_dE_db),
                 *zip(_flat(self.dE_dy), _flat(self.sweep_dE_dy))]
        return max(abs(a - b) for a, b in pairs)


def _flat(rows: list[list[float]]) -> list[float]:
    return [x for row in rows for x in row]


def _slope(activation: str, x: float, y: float) -> float:
    """σ′(x) by the op table's rule (``rule(out, input)``); 1 for a linear layer."""
    primitive = PRIMITIVES.get(activation)
    return 1.0 if primitive is None else float(primitive.derivative(y, x)[0])


def _forward(sweep: Sweep, layer: Layer, index: int, name: str, tag: str) -> LayerStep:
    """The layer's matrices and its forward numbers, read from the sweep's nodes."""
    neurons: list[Neuron] = layer.neurons
    cases = range(len(sweep.inputs))
    nodes = [[sweep.units[n][c] for n in neurons] for c in cases]
    width = len(neurons[0].w)
    inputs = [[x.data for x in row[0].total.parents[width:-1]] for row in nodes]
    totals = [[u.total.data for u in row] for row in nodes]
    outputs = [[u.output.data for u in row] for row in nodes]
    activation = neurons[0].activation
    slopes = [[_slope(activation, x, y) for x, y in zip(xs, ys)]
              for xs, ys in zip(totals, outputs)]
    return LayerStep(index, activation, slope_rule(activation, tag),
                     [[w.data for w in n.w] for n in neurons], [n.b.data for n in neurons],
                     inputs, totals, outputs, slopes,
                     sweep_dE_dW=[[sweep.grads.get(w, 0.0) for w in n.w] for n in neurons],
                     sweep_dE_db=[sweep.grads.get(n.b, 0.0) for n in neurons],
                     sweep_dE_dy=[[sweep.grads.get(u.output, 0.0) for u in row]
                                  for row in nodes], name=name, tag=tag)


def _backward(step: LayerStep, dE_dy: list[Vector]) -> LayerStep:
    """The layer's δ and weight gradients, given ∂E/∂y for each case."""
    delta = [hadamard(g, s) for g, s in zip(dE_dy, step.slopes)]
    return LayerStep(**{**step.__dict__, "dE_dy": dE_dy, "delta": delta,
                        "dE_dW": _sum_matrices([outer(d, y) for d, y in
                                                zip(delta, step.inputs)]),
                        "dE_db": _sum_vectors(delta)})


# -- the whole network ----------------------------------------------------------------------


@dataclass
class LayerView:
    """A backward pass layer by layer (:func:`layer_view`); ``layers[0]`` is layer 1."""

    layers: list[LayerStep]
    targets: list[Vector]
    sweep: Sweep = field(repr=False)

    def largest_gap(self) -> float:
        """How far the matrices' gradients are from the scalar sweep's, at most."""
        return max(step.largest_gap() for step in self.layers)

    def steps(self, case: int = 0) -> list[str]:
        """The backward pass in words, top layer first, with case ``case``'s numbers."""
        return _step_lines(self, case)

    def __str__(self) -> str:
        return "\n".join(self.steps())


def layer_view(model: Module, inputs: Sequence, targets: Sequence) -> LayerView:
    """One backward pass of ``E = ½ Σ_c ‖y_c − d_c‖²`` through the layers of ``model``,
    in vectors and matrices (plain lists), beside the scalar sweep's gradients.

    ``model`` is a network of :class:`~autograd_mini.nn.Layer` s: a stack (an ``MLP``)
    or layers wired otherwise (the family-trees net: two encodings meet in a central
    layer).  A layer whose outputs feed several layers, or part of one, gets the sum
    of the slices of their ``Wᵀ δ`` that fall on its units.

    Raises:
        TypeError: ``model`` has no layers, or lists one after a layer it feeds.
    """
    names = layer_names(model)
    if not names:
        raise TypeError(_("layer_view needs a network of layers (a stack of layers such as "
                          "an MLP, or named layers); paper_view shows any network unit by unit"))
    sweep = record_sweep(model, inputs, targets)
    layers = [layer for layer in names if sweep.units[layer.neurons[0]]]  # the ones used
    tags = _tags(model, layers, names)
    wiring = _wiring(sweep, layers)
    steps = [_forward(sweep, layer, k, names[layer], tag)
             for k, (layer, tag) in enumerate(zip(layers, tags), 1)]
    wanted = [[float(d) for d in t] for t in targets]
    dE_dy = _errors(sweep, layers, wanted)  # (y − d) where a unit is an output
    for k in range(len(steps) - 1, -1, -1):  # top layer first: δ flows down
        steps[k] = _backward(steps[k], dE_dy[k])
        for c in range(len(wanted)):  # hand Wᵀδ's entries to the units that fed them
            for source, entry in zip(wiring[k], steps[k].vjp(c)):
                if source is not None:
                    dE_dy[source[0]][c][source[1]] += entry
    steps = [replace(step, cause=_cause(k, wiring, tags, dE_dy_from_output),
                     below=_below(wiring[k], tags))
             for k, (step, dE_dy_from_output) in
             enumerate(zip(steps, _is_output(sweep, layers)))]
    return LayerView(steps, wanted, sweep)


def _tags(model: Module, layers: list[Layer], names: dict[Layer, str]) -> list[str]:
    """How the equations mark each layer: ``¹``, ``²``, … in a stack; else its name in
    brackets, ``[central]``."""
    if layer_stack(model):
        return [superscript(k) for k in range(1, len(layers) + 1)]
    return [f"[{names[layer]}]" for layer in layers]


def _wiring(sweep: Sweep, layers: list[Layer]) -> list[list[tuple[int, int] | None]]:
    """For each layer, what feeds each of its inputs: ``(layer k, unit j)`` (positions
    in ``layers``) or None for an input of the network; read from the first case."""
    made = {sweep.units[n][0].output: (k, j) for k, layer in enumerate(layers)
            for j, n in enumerate(layer.neurons)}
    wiring = []
    for k, layer in enumerate(layers):
        width = len(layer.neurons[0].w)
        sources = [made.get(x) for x in sweep.units[layer.neurons[0]][0].total.parents[width:-1]]
        if any(s is not None and s[0] >= k for s in sources):
            raise TypeError(_("layer {k} is fed by a layer listed after it; "
                              "layer_view needs the layers in the order they run", k=k + 1))
        wiring.append(sources)
    return wiring


def _errors(sweep: Sweep, layers: list[Layer], wanted: list[Vector]) -> list[list[Vector]]:
    """∂E/∂y of each layer's units from eq. 4 alone: y − d at an output, else 0 (the
    layers above add the rest)."""
    target = {y: d for ys, ds in zip(sweep.outputs, wanted) for y, d in zip(ys, ds)}
    return [[[u.output.data - target[u.output] if u.output in target else 0.0
              for u in (sweep.units[n][c] for n in layer.neurons)]
             for c in range(len(wanted))] for layer in layers]


def _is_output(sweep: Sweep, layers: list[Layer]) -> list[bool]:
    outputs = set(sweep.outputs[0])
    return [any(sweep.units[n][0].output in outputs for n in layer.neurons)
            for layer in layers]


def _cause(k: int, wiring: list, tags: list[str], is_output: bool) -> str:
    """∂E/∂y^l in symbols: ``(y² − d)`` at the output, ``(W³ᵀ δ³)`` below, a slice
    ``(W[central]ᵀ δ[central])[1…6]`` where the layer feeds part of a layer above."""
    parts = [f"(y{tags[k]} − d)"] if is_output else []
    for above, sources in enumerate(wiring):
        mine = [i for i, s in enumerate(sources, 1) if s is not None and s[0] == k]
        if mine:
            whole = len(mine) == len(sources)
            parts.append(f"(W{tags[above]}ᵀ δ{tags[above]})"
                         + ("" if whole else f"[{mine[0]}…{mine[-1]}]"))
    return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"


def _below(sources: list[tuple[int, int] | None], tags: list[str]) -> str:
    """What feeds a layer, in symbols: ``x`` (the inputs), ``y¹``, or the layers it
    joins, ``[y[person]; y[relation]]``."""
    parts = list(dict.fromkeys("x" if s is None else f"y{tags[s[0]]}" for s in sources))
    return parts[0] if len(parts) == 1 else "[" + "; ".join(parts) + "]"


def _vector(v: Vector) -> str:
    return "[" + ", ".join(fmt(x) for x in v) + "]"


def layer_lines(step: LayerStep, case: int) -> list[str]:
    """One layer's step of the backward pass in words, with case ``case``'s numbers:
    its δ, where ∂E/∂y came from, and its ∂E/∂W."""
    l = step.tag
    slope = step.slope_rule if " " not in step.slope_rule else f"({step.slope_rule})"
    lines = [f"δ{l} = {step.cause} ⊙ {slope} = {_vector(step.dE_dy[case])} ⊙ "
             f"{_vector(step.slopes[case])} = {_vector(step.delta[case])}"]
    if "ᵀ" in step.cause:  # a layer above sent it back
        whole = step.cause.count("(") == 1 and step.cause.endswith(")")
        sent = step.cause[1:-1] if whole else step.cause
        lines.append("    " + _("{product} is the vector–Jacobian product: entry i is "
                                 "Σ_j w_ji δ_j, what the sweep added into unit i ({sums})",
                                 product=sent, sums=_vector(step.sweep_dE_dy[case])))
    n, m = step.shape
    lines.append(ngettext("∂E/∂W{layer} = Σ_c δ{layer}_c {below}_cᵀ  ({n}×{m}, {count} case)"
                          " = {matrix}",
                          "∂E/∂W{layer} = Σ_c δ{layer}_c {below}_cᵀ  ({n}×{m}, {count} cases)"
                          " = {matrix}",
                          len(step.inputs), layer=l, below=step.below, n=n, m=m,
                          matrix="[" + ", ".join(_vector(row) for row in step.dE_dW) + "]"))
    return lines


def _step_lines(view: LayerView, case: int) -> list[str]:
    lines = [line for step in reversed(view.layers) for line in layer_lines(step, case)]
    lines.append(_("largest difference from the scalar sweep: {gap}",
                   gap=f"{view.largest_gap():.1e}"))
    return lines
