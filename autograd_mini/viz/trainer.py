"""Watch a network learn, live in the notebook: Play, Pause, one sweep at a time.

    >>> from autograd_mini.viz.trainer import train
    >>> w = train("dataset=xor&hidden=4&lr=0.5&seed=1")
    >>> w.steps(3)
    >>> w.step, len(w.history), sorted(w.pictures)
    (3, 4, ['boundary', 'gradients', 'layer 1', 'layer 2', 'loss'])

The widget shows a :class:`~autograd_mini.viz.session.Trainer`'s pictures (the error,
each layer's gradient norm, each layer's weights as a Hinton diagram, the decision
boundary of a 2-D problem) and redraws them after each request.  The page sets the pace:
while it plays it asks for ``speed`` sweeps, waits for the answer, and asks again, so the
kernel is never flooded and Pause always gets through.  Paused, it can show the
step-by-step backward pass of one chosen pattern at the current weights (the step
viewer's page, :func:`~autograd_mini.viz.steps.steps_html`, in a sandboxed frame).

Python reads and drives the same session: ``w.step`` (sweeps done), ``w.history``,
``w.settings``, ``w.play()`` / ``w.pause()`` (the page plays), ``w.steps(n)``,
``w.explain(pattern)``.  Every number and word is made here and reaches the page as text;
the pictures are the package's own SVG.
"""

from __future__ import annotations

from pathlib import Path

from ..core.language import _, page_words

try:
    import anywidget
    import traitlets
except ImportError:  # the engine works without it; only the widget needs it
    raise ImportError(_("the training widget needs anywidget: pip install anywidget "
                        "(or pip install 'autograd_mini[notebooks]')")) from None

from ..core.naming import fmt
from ..explain.watch import Snapshot
from .session import Settings, Trainer
from .steps import with_viewer

__all__ = ["train", "TrainerWidget", "MOST_SWEEPS"]

MOST_SWEEPS = 1000  # sweeps one request from the page may ask for
_HERE = Path(__file__).parent


def train(session: str | Settings | Trainer | None = None, **settings: object) -> TrainerWidget:
    """A notebook widget that trains a network and shows it learning.

    Args:
        session: a URL query of settings (``"dataset=moons&hidden=8,8"``), a
            :class:`~autograd_mini.viz.session.Settings`, a running ``Trainer``, or
            nothing (then ``settings`` as keywords: ``train(dataset="xor", hidden=[4])``).
    """
    if isinstance(session, Trainer):
        if settings:
            raise TypeError(_("train() takes a Trainer or settings, not both"))
        return TrainerWidget(session)
    if isinstance(session, str):
        session = Settings.from_query(session)
    return TrainerWidget(Trainer(session, **settings))


class TrainerWidget(anywidget.AnyWidget):
    """The widget :func:`train` returns; see there."""

    # One module for anywidget: trainer.js with the step viewer's module written in.
    _esm = with_viewer((_HERE / "trainer.js").read_text(encoding="utf-8"))
    _css = _HERE / "trainer.css"

    # What the page shows (all made here).
    query = traitlets.Unicode().tag(sync=True)
    pictures = traitlets.Dict().tag(sync=True)       # name -> SVG text
    loss_text = traitlets.Unicode().tag(sync=True)
    pattern_names = traitlets.List().tag(sync=True)  # each pattern, as text
    explain_html = traitlets.Unicode("").tag(sync=True)
    explain_step = traitlets.Int(-1).tag(sync=True)  # the sweep the shown pass is of
    error = traitlets.Unicode("").tag(sync=True)
    words = traitlets.Dict().tag(sync=True)          # the page's words, in the language
    # What Python and the page both read and write.
    step = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    speed = traitlets.Int(1).tag(sync=True)          # sweeps per request while playing
    pattern = traitlets.Int(0).tag(sync=True)

    def __init__(self, trainer: Trainer) -> None:
        if not isinstance(trainer, Trainer):
            raise TypeError(_("TrainerWidget takes a Trainer, got {kind}",
                              kind=type(trainer).__name__))
        self.trainer = trainer
        super().__init__()
        self.on_msg(self._on_page_message)
        with self.hold_sync():
            self.words = page_words(self._esm)
            self.query = trainer.query()
            self.pattern_names = trainer.pattern_names()
            self._show()

    @property
    def settings(self) -> dict[str, object]:
        """The session's settings, as a dict."""
        return self.trainer.settings.as_dict()

    @property
    def history(self) -> list[Snapshot]:
        """The kept snapshots of the run (see :attr:`Trainer.history`)."""
        return self.trainer.history

    def play(self) -> None:
        """Let the page train: it asks for ``speed`` sweeps at a time until paused."""
        self.playing = True

    def pause(self) -> None:
        """Stop the page asking for sweeps."""
        self.playing = False

    def steps(self, n: int = 1) -> None:
        """Train ``n`` sweeps now and show the result."""
        self.trainer.step(n)
        self._show()

    def explain(self, pattern: int | None = None) -> None:
        """Show the backward pass of ``pattern`` (by default the chosen one) at the
        current weights, step by step."""
        pattern = self.pattern if pattern is None else pattern
        page = self.trainer.explain_page(pattern)  # checks the pattern's number first
        with self.hold_sync():
            self.pattern, self.explain_html, self.explain_step = pattern, page, self.step

    @traitlets.validate("speed")
    def _check_speed(self, proposal) -> int:
        speed = proposal["value"]
        if not 1 <= speed <= MOST_SWEEPS:
            raise traitlets.TraitError(f"speed must be 1 to {MOST_SWEEPS} sweeps, got {speed}")
        return speed

    @traitlets.validate("step")
    def _check_step(self, proposal) -> int:
        if proposal["value"] != self.trainer.step_count:
            raise traitlets.TraitError("step counts the sweeps done; train with steps(n)")
        return proposal["value"]

    def _show(self) -> None:
        """Send the session as it is now to the page (one message)."""
        with self.hold_sync():
            self.pictures = self.trainer.pictures()
            self.step = self.trainer.step_count
            self.loss_text = "" if not self.trainer.step_count else fmt(self.trainer.loss())
            self.error = ""

    def _on_page_message(self, widget, content, buffers) -> None:
        """The page asks for sweeps or for a pattern's backward pass.  Nothing it sends
        makes this raise (the error is shown on the page), and every request is answered
        with ``done``, so a playing page always asks again or stops."""
        kind = content.get("kind") if isinstance(content, dict) else None
        try:
            if kind == "sweeps":
                self.steps(_sweeps(content.get("n")))
            elif kind == "explain":
                self.explain(_whole(content.get("pattern"), "pattern"))
            else:
                raise ValueError(f"the page sent a message the trainer does not know: "
                                 f"{str(content)[:80]}")
        except Exception as error:  # noqa: BLE001 - told to the page, never raised
            self.playing = False
            self.error = str(error)
        self.send({"kind": "done", "step": self.step})

    def __repr__(self) -> str:
        return f"<autograd_mini trainer: {self.trainer.query()}, {self.step} sweeps>"


def _whole(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{what} must be a whole number, got {n!r}")
    return n


def _sweeps(n: object) -> int:
    n = _whole(n, "sweeps")
    if not 1 <= n <= MOST_SWEEPS:
        raise ValueError(f"a request may train 1 to {MOST_SWEEPS} sweeps, got {n}")
    return n

