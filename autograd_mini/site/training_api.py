"""What the Train page calls in Pyodide: one training session
(:class:`autograd_mini.viz.session.Trainer`), made from the page's settings and trained a
few sweeps per call, so that the page can pause between two calls.

Every function takes and returns plain text (JSON), as :mod:`.page_api`'s do, and runs on
a desktop too:

    >>> import json
    >>> json.loads(start("dataset=xor&hidden=2&seed=3"))["state"]["step"]
    0
    >>> json.loads(step(5))["state"]["step"]
    5
    >>> sorted(json.loads(explain(1)))  # pattern 1's backward pass, at sweep 5
    ['html', 'pattern', 'step']

The settings come from a URL query (a link anyone may write); :meth:`Trainer.from_query`
reads them as numbers and words only and refuses anything else with one message.
"""

from __future__ import annotations

import json
import re

from ..explain.units import shown_layer
from ..viz.session import ACTIVATIONS, DATASETS, MOST_LAYERS, UPDATES, WIDEST_LAYER, Trainer
from .entry import reported

__all__ = ["start", "step", "pictures", "explain", "choices", "MOST_SWEEPS"]

MOST_SWEEPS = 200  # one call trains at most this many: the page asks again, or pauses
session: Trainer | None = None  # the page's one session


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


@reported
def choices() -> str:
    """What the page's controls offer: the datasets, squashing functions, update rules,
    the defaults, and the limits the settings are checked against."""
    defaults = Trainer().settings.as_dict()
    return _json({"datasets": list(DATASETS), "activations": list(ACTIVATIONS),
                  "updates": list(UPDATES), "defaults": defaults,
                  "most_layers": MOST_LAYERS, "widest_layer": WIDEST_LAYER})


@reported
def start(query: str) -> str:
    """A new session from ``query`` (``dataset=xor&hidden=4&lr=0.5...``): its state and
    pictures; a bad value gives ``{"error": message}`` and the old session stays."""
    global session
    try:
        fresh = Trainer.from_query(query)
    except (TypeError, ValueError) as error:  # the settings' own words, said as they are
        return _json({"error": str(error)})
    session = fresh
    return _json({"state": _state(fresh), "pictures": fresh.pictures(),
                  "pattern_names": fresh.pattern_names(),
                  "layer_names": {name: shown_layer(name) for name in fresh.record.layers}})


@reported
def step(n: int, draw: bool = False) -> str:
    """Train ``n`` more sweeps (at most :data:`MOST_SWEEPS`); the state after them, and
    the pictures when ``draw`` (drawing them costs more than a sweep of a small net)."""
    if session is None:
        raise RuntimeError("no session yet: start one first")
    n = int(n)
    if not 0 <= n <= MOST_SWEEPS:
        raise ValueError(f"one call trains from 0 to {MOST_SWEEPS} sweeps, not {n}")
    session.step(n)
    answer = {"state": _state(session)}
    if draw:
        answer["pictures"] = session.pictures()
    return _json(answer)


@reported
def pictures() -> str:
    """The session's pictures now, SVG text by name."""
    if session is None:
        raise RuntimeError("no session yet: start one first")
    return _json(session.pictures())


@reported
def explain(pattern: object) -> str:
    """The step viewer's page of ``pattern``'s backward pass at the current weights
    (:meth:`Trainer.explain_page`), with the pattern and the sweep it is of.  ``pattern``
    is the pattern's number from 0, as a number or as a link's text (``"2"``); any other
    gives ``{"error": message}``, one line, and the session is left as it was."""
    if session is None:
        raise RuntimeError("no session yet: start one first")
    if isinstance(pattern, str) and re.fullmatch(r"\s*-?[0-9]{1,9}\s*", pattern):
        pattern = int(pattern)
    try:
        page = session.explain_page(pattern)  # checks the pattern's number first
    except (TypeError, ValueError) as error:  # its own words, said as they are
        return _json({"error": str(error)})
    return _json({"html": page, "pattern": pattern, "step": session.step_count})


def _state(trainer: Trainer) -> dict:
    """The session's state, with how many patterns the net gets right (every output on
    the right side of 0.5, as the paper's symmetry net is judged)."""
    right = sum(_right(trainer, k) for k in range(len(trainer.inputs)))
    return {**trainer.state(), "right": right, "solved": right == len(trainer.inputs)}


def _right(trainer: Trainer, pattern: int) -> bool:
    output = trainer.model(trainer.inputs[pattern])
    outputs = output if isinstance(output, list) else [output]
    return all((y.data > 0.5) == (d > 0.5) for y, d in zip(outputs, trainer.targets[pattern]))
