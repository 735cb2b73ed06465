"""A training record: what a network does while it learns, step by step.

Wrap any training loop -- the package's ``MLP`` and optimizers, or weights and updates
written by hand -- and call :meth:`TrainingRecord.record` once per step, after the
update::

    >>> import random
    >>> from autograd_mini import watch
    >>> from autograd_mini.nn import MLP
    >>> from autograd_mini.losses import sum_squared_error
    >>> net = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid",
    ...           rng=random.Random(0))
    >>> run = watch(net, probes=[[0, 1]])
    >>> for _ in range(3):
    ...     E = sum_squared_error([net([0, 1])], [1.0])
    ...     net.zero_grad(); E.backward()
    ...     for p in net.parameters(): p.data -= 0.5 * p.grad
    ...     run.record(E)
    >>> [s.step for s in run.history], sorted(run.history[-1].grad_norm)
    ([0, 1, 2, 3], ['layer 1', 'layer 2'])

Each kept step (a :class:`Snapshot`) holds, per layer: the gradient's norm
``‖∂E/∂W‖ = sqrt(Σ (∂E/∂w)²)``, the update-to-weight ratio ``‖ΔW‖ / ‖W‖`` (a healthy
step changes the weights by about a thousandth), the weights themselves, and the
units' activity for the chosen input patterns (``probes``).  Step 0 is the start.

Memory is bounded however long the run: at most ``capacity`` snapshots are kept.  When
the record is full every other one is dropped and from then on only every second step
is kept (then every fourth, ...), so the record always spans the whole run evenly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..core.engine import Value
from ..core.language import _
from ..core.valuebase import number
from ..nn import Layer, Module
from .units import layer_names, layer_stack

__all__ = ["watch", "TrainingRecord", "Snapshot"]

# A layer of a network as the record sees it: its units, each a list of parameters
# (the weights into the unit, then its bias).
Units = list[list[Value]]


@dataclass(frozen=True)
class Snapshot:
    """One kept step of a run (``step`` 0: before training; no loss or gradient yet).

    Attributes:
        step: how many updates came before this snapshot.
        loss: the error of the step (NaN for step 0).
        grad_norm: per layer, ``‖∂E/∂W‖`` at this step (NaN for step 0).
        update_ratio: per layer, ``‖ΔW‖ / ‖W‖`` of this step's update (NaN for step 0).
        weights: per layer, one row per unit: its weights, then its bias.
        activity: per layer, one row per probe: each unit's output.
    """

    step: int
    loss: float
    grad_norm: dict[str, float]
    update_ratio: dict[str, float]
    weights: dict[str, list[list[float]]]
    activity: dict[str, list[list[float]]] = field(default_factory=dict)


class TrainingRecord:
    """The record of one training run; make it with :func:`watch`.

    Attributes:
        history: the kept snapshots, oldest first (``history[0]`` is step 0).
        step: how many steps were recorded.
        layers: the layers' names, input side first.
    """

    def __init__(self, layers: Mapping[str, Units],
                 activity: Callable[[Sequence[float]], dict[str, list[float]]] | None = None,
                 probes: Sequence[object] = (), capacity: int = 1000) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 2:
            raise ValueError(_("capacity must be a whole number of at least 2, got {capacity}",
                               capacity=repr(capacity)))
        if probes and activity is None:
            raise ValueError(_("probes need a way to read the units' activity: watch an MLP, "
                               "or pass activity="))
        self._units = dict(layers)
        self.layers = list(self._units)
        self._activity, self._probes = activity, list(probes)
        self.capacity, self.step, self._stride = capacity, 0, 1
        self._last = self._flat_weights()  # the weights before the next update
        nan = {name: math.nan for name in self.layers}
        self.history: list[Snapshot] = [self._snapshot(math.nan, nan, nan)]

    def record(self, loss: Value | float) -> None:
        """Record the step just taken: call after the update, with that step's error
        (``.grad`` must still hold the step's gradients)."""
        self.step += 1
        before, self._last = self._last, self._flat_weights()
        if self.step % self._stride:
            return  # between the kept steps: only the weights were read (for the next Δw)
        ratios = {name: _ratio(_norm(map(float.__sub__, self._last[name], before[name])),
                               _norm(before[name])) for name in self.layers}
        grads = {name: _norm(number(p.grad) for unit in units for p in unit)
                 for name, units in self._units.items()}
        self.history.append(self._snapshot(number(loss), grads, ratios))
        if len(self.history) > self.capacity:
            self._thin()

    def _thin(self) -> None:
        """Keep every other snapshot (step 0 always), and from now on every other step."""
        self._stride *= 2
        self.history = [s for s in self.history if s.step % self._stride == 0]

    def _flat_weights(self) -> dict[str, list[float]]:
        return {name: [p.data for unit in units for p in unit]
                for name, units in self._units.items()}

    def _snapshot(self, loss: float, grads: dict, ratios: dict) -> Snapshot:
        weights = {name: [[p.data for p in unit] for unit in units]
                   for name, units in self._units.items()}
        activity: dict[str, list[list[float]]] = {}
        for probe in self._probes if self._activity else ():
            for name, outputs in self._activity(probe).items():
                activity.setdefault(name, []).append(list(outputs))
        return Snapshot(self.step, loss, grads, ratios, weights, activity)

    def series(self, what: str, layer: str | None = None) -> tuple[list[int], list[float]]:
        """The steps and values of ``what`` over the run: ``"loss"``, or ``"grad_norm"``
        or ``"update_ratio"`` of ``layer`` (step 0, which has none, left out)."""
        if what not in ("loss", "grad_norm", "update_ratio"):
            raise ValueError(_("a record's series are loss, grad_norm and update_ratio, "
                               "not {what}", what=repr(what)))
        if what != "loss" and layer not in self._units:
            raise ValueError(_("no layer {layer}: the layers are {layers}", layer=repr(layer),
                               layers=", ".join(self.layers)))
        kept = self.history[1:]
        values = [s.loss if what == "loss" else getattr(s, what)[layer] for s in kept]
        return [s.step for s in kept], values

    def at(self, step: int) -> Snapshot:
        """The kept snapshot nearest to ``step`` (the record thins a long run)."""
        return min(self.history, key=lambda s: (abs(s.step - step), s.step))

    def __repr__(self) -> str:
        return (f"<TrainingRecord: {self.step} steps, {len(self.history)} kept, "
                f"layers {', '.join(self.layers)}>")


def watch(model: object, probes: Sequence[object] = (), *,
          activity: Callable[[object], dict[str, list[float]]] | None = None,
          capacity: int = 1000) -> TrainingRecord:
    """Start recording a training run of ``model``.

    Args:
        model: a network of the package's layers (an ``MLP``: layers ``layer 1``,
            ``layer 2``, ...; a model with named layers, like the family-trees net: each
            by its name), or layers written out by hand: ``{"hidden": [[w11, w12, b1],
            [w21, w22, b2]], "output": ...}``, each unit a list of parameter Values (a
            flat list is read as one unit).
        probes: input patterns whose units' activity is recorded at each kept step.
        activity: ``activity(probe)`` -> ``{layer name: its units' outputs}``; by default,
            for an ``MLP``, each layer's outputs for the pattern.
        capacity: the most snapshots kept (see the module's note on thinning).
    """
    if isinstance(model, Module):
        names = layer_names(model)
        if not names:
            raise TypeError(_("watch() found no layers in {kind}", kind=type(model).__name__))
        layers = {name: [[*n.w, n.b] for n in layer.neurons] for layer, name in names.items()}
        if activity is None and layer_stack(model):
            activity = _layer_outputs(layer_stack(model))
        return TrainingRecord(layers, activity, probes, capacity)
    if not isinstance(model, Mapping) or not model:
        raise TypeError(_("watch() takes a network of layers (an MLP) or a dict of layers "
                          "{{name: [[parameters of a unit], ...]}}, got {kind}",
                          kind=type(model).__name__))
    return TrainingRecord({str(name): _as_units(name, units) for name, units in model.items()},
                          activity, probes, capacity)


def _as_units(name: object, units: object) -> Units:
    rows = list(units) if isinstance(units, Sequence) else []
    if rows and all(isinstance(p, Value) for p in rows):
        rows = [rows]  # a flat list of parameters: one unit
    if not rows or not all(isinstance(u, Sequence) and u and all(isinstance(p, Value) for p in u)
                           for u in rows):
        raise TypeError(_("layer {name} must be a list of units, each a list of Values",
                          name=repr(name)))
    return [list(u) for u in rows]


def _layer_outputs(stack: list[Layer]) -> Callable[[Sequence[float]], dict[str, list[float]]]:
    """What each layer of a stack puts out for one input pattern."""
    def outputs(pattern: Sequence[float]) -> dict[str, list[float]]:
        out, seen = list(pattern), {}
        for k, layer in enumerate(stack, 1):
            out = layer(out)
            seen[f"layer {k}"] = [v.data for v in out]
        return seen
    return outputs


def _norm(numbers) -> float:
    """The Euclidean norm ``sqrt(Σ x²)``, without overflow for large entries."""
    return math.hypot(*numbers)


def _ratio(change: float, size: float) -> float:
    """``change / size``; a change of weights that were all 0 is infinitely large."""
    return change / size if size else (math.inf if change else 0.0)

