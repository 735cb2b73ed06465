"""A training session: a network, a dataset and the paper's update rule, made from
plain settings, trained a sweep at a time and pictured as it goes.

    >>> from autograd_mini.viz.session import Trainer
    >>> t = Trainer.from_query("dataset=xor&hidden=4&lr=0.5&momentum=0.9&seed=1")
    >>> t.step(3)
    >>> t.step_count, sorted(t.pictures())
    (3, ['boundary', 'gradients', 'layer 1', 'layer 2', 'loss'])
    >>> Trainer.from_query(t.query()).settings == t.settings
    True

Everything a page needs goes in and out as data: the settings as a dict or a URL
query (settings only, never code; nothing is evaluated), :meth:`Trainer.state` and
:meth:`Trainer.pictures` (SVG strings) out, so a notebook widget or a web page can
drive a session with JSON messages.

One sweep is one pass over the whole dataset: with ``update="batch"`` one weight
change from the gradient summed over all the patterns, with ``update="pattern"`` one
change after each pattern (the paper tried both).  Each sweep is recorded with
:func:`~autograd_mini.explain.watch.watch` (its error: the sum over the sweep's
patterns, its gradient norms: the last change's).
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from urllib.parse import parse_qsl, urlencode

from .. import datasets
from ..core.engine import Value
from ..core.language import _
from ..core.naming import fmt
from ..core.sums import sum as value_sum
from ..explain.trace import Trace, trace
from ..explain.watch import Snapshot, TrainingRecord, watch
from ..losses import sum_squared_error
from ..nn import MLP, activations
from ..optim import SGD
from .watching import run_pictures

__all__ = ["Settings", "Trainer", "DATASETS", "ACTIVATIONS", "UPDATES"]

Patterns = tuple[list[list[float]], list[list[float]]]


def _two_d(make: Callable) -> Callable[[int], Patterns]:
    """A 2-D set of 100 points, its labels -1/+1 made the sigmoid's targets 0/1."""
    def patterns(seed: int) -> Patterns:
        points, labels = make(100, seed=seed)
        return points, [[float(label > 0)] for label in labels]
    return patterns


def _as_rows(make: Callable) -> Callable[[int], Patterns]:
    """A fixed set (the seed picks only the weights), each target as a row of outputs."""
    def patterns(seed: int) -> Patterns:
        inputs, targets = make()
        return inputs, [t if isinstance(t, list) else [t] for t in targets]
    return patterns


# Each dataset by its name: the patterns, inputs and target rows, for a seed.
DATASETS: dict[str, Callable[[int], Patterns]] = {
    "xor": _as_rows(datasets.xor),
    "circles": _two_d(datasets.circles),
    "moons": _two_d(datasets.two_moons),
    "spiral": _two_d(datasets.spiral),
    "symmetry": _as_rows(datasets.symmetry),
    "encoder": _as_rows(datasets.encoder),
}
# The hidden units' squashing: what a neuron can use (the table's one-input ops, or
# linear); the output units have the paper's sigmoid, whose targets are 0 and 1.
ACTIVATIONS = activations()
UPDATES = ("batch", "pattern")
MOST_LAYERS, WIDEST_LAYER = 4, 64  # a network the page can still train and draw live
HISTORY = 500  # snapshots a session keeps however long it runs (watch thins them evenly)


@dataclass(frozen=True)
class Settings:
    """What makes a session: every field a plain number, word or list of widths.

    Attributes:
        dataset: one of :data:`DATASETS`.
        hidden: the hidden layers' widths, input side first (``()``: no hidden layer).
        activation: the hidden units' squashing function, one of :data:`ACTIVATIONS`.
        lr: ε, the learning rate, in (0, 10].
        momentum: α, the fraction of the last change carried on, in [0, 1).
        init: the initial weights' range: weights and biases drawn from U(-init, init).
        update: ``"batch"`` (a change per sweep) or ``"pattern"`` (per pattern).
        seed: the seed of the initial weights and of the 2-D datasets' points.
    """

    dataset: str = "xor"
    hidden: tuple[int, ...] = (4,)
    activation: str = "sigmoid"
    lr: float = 0.5
    momentum: float = 0.9
    init: float = 0.5
    update: str = "batch"
    seed: int = 0

    def __post_init__(self) -> None:
        _choose("dataset", self.dataset, DATASETS)
        _choose("activation", self.activation, ACTIVATIONS)
        _choose("update", self.update, UPDATES)
        object.__setattr__(self, "hidden", _widths(self.hidden))
        object.__setattr__(self, "lr", _number("lr", self.lr, 0.0, 10.0, low_open=True))
        object.__setattr__(self, "momentum", _number("momentum", self.momentum, 0.0, 1.0,
                                                     high_open=True))
        object.__setattr__(self, "init", _number("init", self.init, 0.0, 10.0, low_open=True))
        object.__setattr__(self, "seed", _seed(self.seed))

    @classmethod
    def from_dict(cls, settings: Mapping[str, object]) -> Settings:
        """Settings from a dict (as JSON gives it); an unknown key is an error."""
        if not isinstance(settings, Mapping):
            raise TypeError(_("settings must be a dict, got {kind}", kind=type(settings).__name__))
        known = [f.name for f in fields(cls)]
        for key in settings:
            _choose(_("setting"), key, known)
        return cls(**dict(settings))

    @classmethod
    def from_query(cls, query: str) -> Settings:
        """Settings from a URL query ``dataset=xor&hidden=4,4&lr=0.5``: each value read
        as the text it is (widths split at commas, numbers by ``float``/``int``)."""
        if not isinstance(query, str):
            raise TypeError(_("a query must be a string, got {kind}", kind=type(query).__name__))
        pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
        keys = [key for key, _text_ in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(_("the query gives {keys} more than once", keys=", ".join(repeated)))
        return cls.from_dict({key: _read(key, text) for key, text in pairs})

    def as_dict(self) -> dict[str, object]:
        """The settings as JSON-ready data (``hidden`` a list)."""
        return {**asdict(self), "hidden": list(self.hidden)}

    def query(self) -> str:
        """The settings as a URL query; :meth:`from_query` reads it back unchanged."""
        texts = {**self.as_dict(), "hidden": ",".join(map(str, self.hidden))}
        return urlencode({key: _text(value) for key, value in texts.items()})


def _choose(what: str, choice: object, choices) -> None:
    if not isinstance(choice, str) or choice not in choices:
        raise ValueError(_("{what} must be one of {choices}; got {choice}", what=what,
                           choices=", ".join(choices), choice=repr(choice)))


def _number(what: str, x: object, low: float, high: float, *, low_open: bool = False,
            high_open: bool = False) -> float:
    """``x`` as a float within its range (an open end: the bound itself not allowed)."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(_("{what} must be a number, got {kind}", what=what, kind=type(x).__name__))
    x = float(x)
    too_low = x < low or (low_open and x == low)
    too_high = x > high or (high_open and x == high)
    if math.isnan(x) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(_("{what} must be in {range}, got {x}", what=what,
                           range=f"{left}{low:g}, {high:g}{right}", x=repr(x)))
    return x


def _widths(hidden: object) -> tuple[int, ...]:
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple)):
        raise TypeError(_("hidden must be a list of layer widths, got {kind}",
                          kind=type(hidden).__name__))
    if len(hidden) > MOST_LAYERS:
        raise ValueError(_("hidden may have at most {most} layers, got {count}", most=MOST_LAYERS,
                           count=len(hidden)))
    for width in hidden:
        if isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= WIDEST_LAYER:
            raise ValueError(_("each hidden width must be a whole number from 1 to {widest}, "
                               "got {width}", widest=WIDEST_LAYER, width=repr(width)))
    return tuple(hidden)


def _seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(_("seed must be a whole number from 0 to {last}, got {seed}",
                           last=2**32 - 1, seed=repr(seed)))
    return seed


def _read(key: str, text: str) -> object:
    """One query value as its setting's type: widths, a whole number, a number or a word."""
    try:
        if key == "hidden":
            return tuple(int(w) for w in text.split(",")) if text else ()
        if key == "seed":
            return int(text)
        if key in ("lr", "momentum", "init"):
            return float(text)
    except ValueError:
        raise ValueError(_("{key}={text} is not a number of the kind {key} takes", key=key,
                           text=repr(text))) from None
    return text


def _text(value: object) -> str:
    return repr(value) if isinstance(value, float) else str(value)  # repr: exact round trip


class Trainer:
    """A training session (see the module's note).

    ``Trainer(dataset="moons", hidden=[8, 8])``, ``Trainer.from_query(text)`` or
    ``Trainer(Settings(...))``.

    Attributes:
        settings: the :class:`Settings` it was made from.
        model: the network, an :class:`~autograd_mini.nn.MLP` with a sigmoid output.
        inputs, targets: the dataset's patterns and each one's target row.
        record: the :class:`~autograd_mini.explain.watch.TrainingRecord` of the run.
    """

    def __init__(self, settings: Settings | None = None, **changes: object) -> None:
        base = settings.as_dict() if isinstance(settings, Settings) else {}
        if settings is not None and not isinstance(settings, Settings):
            raise TypeError(_("Trainer takes Settings or keywords, got {kind}",
                              kind=type(settings).__name__))
        self.settings = Settings.from_dict({**base, **changes})
        s = self.settings
        self.inputs, self.targets = DATASETS[s.dataset](s.seed)
        widths = [*s.hidden, len(self.targets[0])]
        self.model = MLP(len(self.inputs[0]), widths, activation=s.activation,
                         output_activation="sigmoid", init="paper", scale=s.init,
                         rng=random.Random(s.seed))
        self.optimizer = SGD(self.model, lr=s.lr, momentum=s.momentum)
        self.record: TrainingRecord = watch(self.model, capacity=HISTORY)

    @classmethod
    def from_query(cls, query: str) -> Trainer:
        """A session from a URL query (see :meth:`Settings.from_query`)."""
        return cls(Settings.from_query(query))

    def query(self) -> str:
        """The session's settings as a URL query."""
        return self.settings.query()

    @property
    def step_count(self) -> int:
        """How many sweeps have been trained."""
        return self.record.step

    @property
    def history(self) -> list[Snapshot]:
        """The kept snapshots of the run, oldest first (step 0: the start)."""
        return self.record.history

    def error(self, pattern: int) -> Value:
        """The paper's error ``E = ½ Σ_j (y_j − d_j)²`` of one pattern, as a graph."""
        output = self.model(self.inputs[pattern])
        outputs = output if isinstance(output, list) else [output]
        return sum_squared_error(outputs, self.targets[pattern])

    def step(self, n: int = 1) -> None:
        """Train ``n`` sweeps over the dataset, recording each."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(_("n must be a whole number of sweeps, got {n}", n=repr(n)))
        for _sweep in range(n):
            self.record.record(self._sweep())

    def _sweep(self) -> float:
        """One sweep: one change from the summed gradient, or one per pattern.
        Returns the sweep's error, summed over its patterns."""
        count = range(len(self.inputs))
        if self.settings.update == "batch":
            return self._change(value_sum([self.error(k) for k in count]))
        return sum(self._change(self.error(k)) for k in count)

    def _change(self, error: Value) -> float:
        self.optimizer.zero_grad()
        error.backward()
        self.optimizer.step()
        return error.data

    def loss(self) -> float:
        """The error of the last sweep (NaN before the first)."""
        return self.history[-1].loss

    def state(self) -> dict[str, object]:
        """Where the session is, as JSON-ready data."""
        return {"step": self.step_count, "loss": _json_number(self.loss()),
                "settings": self.settings.as_dict(), "query": self.query(),
                "patterns": len(self.inputs), "layers": list(self.record.layers),
                "kept": len(self.history)}

    def pictures(self) -> dict[str, str]:
        """The run so far as SVG pictures by name: ``loss``, ``gradients`` (per layer),
        each layer's weights as a Hinton diagram (``layer 1``, ...), and for the 2-D
        datasets the decision ``boundary``."""
        two_d = len(self.inputs[0]) == 2 and len(self.targets[0]) == 1
        labels = [t[0] - 0.5 for t in self.targets]  # the boundary is where y = 0.5
        return run_pictures(self.record, (self._centred, self.inputs, labels) if two_d else None)

    def _centred(self, x: list[float]) -> Value:
        """The network's output less ½: positive on the side it calls 1."""
        return self.model(x) - 0.5

    def pattern_names(self) -> list[str]:
        """Each pattern as a chooser lists it, ``2: (0, 1) → 1`` (numbered from 1; the
        pattern's number for :meth:`explain` is one less)."""
        def numbers(xs: list[float]) -> str:
            return ", ".join(fmt(x) for x in xs)
        return [f"{k + 1}: ({numbers(x)}) → {numbers(d)}"
                for k, (x, d) in enumerate(zip(self.inputs, self.targets))]

    def explain(self, pattern: int = 0) -> Trace:
        """The step-by-step record of one pattern's forward and backward pass at the
        current weights, made on a copy of the network (this one is left untouched)."""
        if isinstance(pattern, bool) or not isinstance(pattern, int) or \
                not 0 <= pattern < len(self.inputs):
            raise ValueError(_("pattern must be a whole number from 0 to {last}, got {pattern}",
                               last=len(self.inputs) - 1, pattern=repr(pattern)))
        twin = copy.copy(self)
        twin.model = copy.deepcopy(self.model)
        return trace(twin.error(pattern))

    def explain_page(self, pattern: int = 0) -> str:
        """:meth:`explain` as the step viewer's self-contained HTML page."""
        from .steps import steps_html  # needs graphviz; the session's other pictures do not

        return steps_html(self.explain(pattern), title=_(
            "Pattern {number}, step {step}: backpropagation, step by step",
            number=pattern + 1, step=self.step_count))

    def __repr__(self) -> str:
        return f"<Trainer {self.query()}: {self.step_count} sweeps>"


def _json_number(x: float) -> float | None:
    return x if math.isfinite(x) else None  # JSON has no NaN
