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
from dataclasses import dataclass, field

from ..core.naming import fmt
from ..core.ops import PRIMITIVES
from ..nn import MLP, Layer, Neuron
from .units import Sweep, layer_stack, record_sweep, slope_rule

__all__ = ["layer_view", "LayerView", "LayerStep", "Matrix", "Vector", "transpose",
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


def _forward(sweep: Sweep, layer: Layer, index: int) -> LayerStep:
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
    return LayerStep(index, activation, slope_rule(activation, superscript(index)),
                     [[w.data for w in n.w] for n in neurons], [n.b.data for n in neurons],
                     inputs, totals, outputs, slopes,
                     sweep_dE_dW=[[sweep.grads.get(w, 0.0) for w in n.w] for n in neurons],
                     sweep_dE_db=[sweep.grads.get(n.b, 0.0) for n in neurons],
                     sweep_dE_dy=[[sweep.grads.get(u.output, 0.0) for u in row]
                                  for row in nodes])


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


def layer_view(model: MLP, inputs: Sequence, targets: Sequence) -> LayerView:
    """One backward pass of ``E = ½ Σ_c ‖y_c − d_c‖²`` through the stack of layers of
    ``model``, in vectors and matrices (plain lists), beside the scalar sweep's gradients.

    Raises:
        TypeError: ``model`` is not a stack of layers (an ``MLP``).
    """
    stack = layer_stack(model)
    if not stack:
        raise TypeError("layer_view needs a stack of layers (an MLP); "
                        "paper_view shows any network unit by unit")
    sweep = record_sweep(model, inputs, targets)
    steps = [_forward(sweep, layer, k) for k, layer in enumerate(stack, 1)]
    wanted = [[float(d) for d in t] for t in targets]
    dE_dy = [[y - d for y, d in zip(ys, ds)] for ys, ds in zip(steps[-1].outputs, wanted)]
    for k in range(len(steps) - 1, -1, -1):  # top layer first: δ flows down
        steps[k] = _backward(steps[k], dE_dy)
        dE_dy = [steps[k].vjp(c) for c in range(len(wanted))]
    return LayerView(steps, wanted, sweep)


def _vector(v: Vector) -> str:
    return "[" + ", ".join(fmt(x) for x in v) + "]"


def _step_lines(view: LayerView, case: int) -> list[str]:
    top = len(view.layers)
    lines = []
    for step in reversed(view.layers):
        l, up = superscript(step.index), superscript(step.index + 1)
        cause = (f"(y{l} − d)" if step.index == top else f"(W{up}ᵀ δ{up})")
        slope = step.slope_rule if " " not in step.slope_rule else f"({step.slope_rule})"
        lines.append(f"δ{l} = {cause} ⊙ {slope} = {_vector(step.dE_dy[case])} ⊙ "
                     f"{_vector(step.slopes[case])} = {_vector(step.delta[case])}")
        if step.index < top:
            lines.append(f"    W{up}ᵀ δ{up} is the vector–Jacobian product: entry i is "
                         f"Σ_j w_ji δ_j, what the sweep added into unit i "
                         f"({_vector(step.sweep_dE_dy[case])})")
        below = f"y{superscript(step.index - 1)}" if step.index > 1 else "x"
        n, m = step.shape
        lines.append(f"∂E/∂W{l} = Σ_c δ{l}_c {below}_cᵀ  ({n}×{m}, {len(step.inputs)} "
                     f"case{'s' * (len(step.inputs) != 1)}) = "
                     + "[" + ", ".join(_vector(row) for row in step.dE_dW) + "]")
    lines.append(f"largest difference from the scalar sweep: {view.largest_gap():.1e}")
    return lines
