"""Figures for the demos and the notebooks: line charts, loss curves, Hinton diagrams,
activity diagrams, decision boundaries.

Each figure is described once, as plain data (:mod:`autograd_mini.viz.chart`), and drawn
by one of two back-ends that only render a description: matplotlib
(:mod:`~autograd_mini.viz.chart_matplotlib`) or this package's SVG
(:mod:`~autograd_mini.viz.chart_svg`).

The functions that take an ``ax`` (``loss_curve(ax, ...)``, ``hinton(ax, ...)``) draw on
a matplotlib Axes, for the demos' files.  The notebooks use :class:`Figure`, made of
panels (:class:`Chart`, :class:`Hinton`, :class:`Activity`, :class:`Boundary`): shown in
Jupyter it is drawn by matplotlib where matplotlib is importable (the desktop), and
otherwise as SVG -- in a browser's Pyodide, where no matplotlib exists.  The same cell
works in both::

    Figure(Chart([Series(xs, ys, "central", "s-")], xlabel="ε", log="xy"))
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core.language import _
from . import chart_matplotlib, chart_svg
from .chart import (
    Band,
    Chart,
    Description,
    Label,
    Layout,
    Regions,
    Series,
    Square,
    Squares,
    square_side,
)
from .chart_svg import DASHES, PIXELS_PER_INCH

__all__ = ["loss_curve", "hinton", "activity_diagram", "decision_boundary", "Figure",
           "Series", "Chart", "Hinton", "Activity", "Boundary", "loss_chart",
           "has_matplotlib", "DASHES", "PIXELS_PER_INCH", "REGION_COLOURS", "POINT_COLOURS"]

REGION_COLOURS = ("#fca5a5", "#93c5fd")  # predict(x, y) <= 0, > 0
POINT_COLOURS = ("#b91c1c", "#1d4ed8")   # label < 0, >= 0
ANSWER_COLOUR = "#dc2626"                # the outline of a right answer


def has_matplotlib() -> bool:
    """Whether matplotlib can be imported here (not in a browser's Pyodide)."""
    return importlib.util.find_spec("matplotlib") is not None


# -- the panels: each describes itself once -------------------------------------------------


def loss_chart(losses: Sequence[float], title: str | None = None, log: bool = True,
               ylabel: str | None = None) -> Chart:
    """The error after each sweep, on a log scale by default (0 shown as 1e-12); the
    title and the axes' words (default "training error", "sweep", "error E") in the
    reader's language."""
    curve = Series(range(1, len(losses) + 1), [max(v, 1e-12) for v in losses], style="-")
    return Chart([curve], title=_("training error") if title is None else title,
                 xlabel=_("sweep"), ylabel=_("error E") if ylabel is None else ylabel,
                 log="y" if log else "", grid=True)


@dataclass
class Hinton:
    """A Hinton diagram, as in Rumelhart, Hinton & Williams (1986): each weight is a
    square on grey, white if positive and black if negative, its area proportional
    to the weight's magnitude.

    Args:
        max_weight: the |w| drawn as a full cell.  Pass the same value to every diagram
            of a figure so that their squares compare; by default the matrix's own
            largest |w|, which makes any matrix look equally strong.
        col_labels, top_labels: column names below and above the diagram.
    """

    matrix: Sequence[Sequence[float]]
    max_weight: float | None = None
    title: str = ""
    row_labels: Sequence[str] = ()
    col_labels: Sequence[str] = ()
    top_labels: Sequence[str] = ()

    def describe(self) -> Squares:
        """Row 0 on top; one cell a weight."""
        rows, cols = len(self.matrix), max(len(r) for r in self.matrix)
        biggest = self.max_weight or max((abs(w) for r in self.matrix for w in r),
                                         default=1.0) or 1.0
        squares = [Square(j, rows - 1 - i, square_side(abs(w) / biggest),
                          "white" if w > 0 else "black")
                   for i, row in enumerate(self.matrix) for j, w in enumerate(row)]
        labels = [Label(-0.5, rows - 1 - i, words, "left")
                  for i, words in enumerate(self.row_labels) if words]
        labels += _column_labels(self.col_labels, -0.5, "below")
        labels += _column_labels(self.top_labels, rows - 0.5, "above")
        return Squares([Band(-0.5, -0.5, cols, rows)], squares, labels, self.title)


def _column_labels(names: Sequence[str], y: float, side: str) -> list[Label]:
    """A name for each column, turned to read upward if any is long or they are many."""
    turned = any(len(name) > 3 for name in names) or len(names) > 16
    return [Label(j, y, name, side, size=7 if turned else 8, turned=turned)
            for j, name in enumerate(names)]


@dataclass
class Activity:
    """Every unit's activity as a white square on grey, area ∝ activity in [0, 1], one
    layer a row, the first row at the bottom and each row centred (the paper's Fig. 3).

    Args:
        rows: ``(name, activities, unit labels)`` for each layer, input first.
        marked: units of the last row to outline (the right answers).
    """

    rows: Sequence[tuple[str, Sequence[float], Sequence[str]]]
    marked: Sequence[int] = ()
    title: str = ""

    def describe(self) -> Squares:
        width = max(len(acts) for _name, acts, _labels in self.rows)
        bands, squares, labels = [], [], []
        y = 0.0
        for i, (name, acts, units) in enumerate(self.rows):
            if i:  # a gap, with room under the row for its unit labels
                y += 1.6 + (2.4 if units else 0.0)
            x0 = (width - len(acts)) / 2
            bands.append(Band(x0 - 0.5, y - 0.5, len(acts), 1))
            squares += [Square(x0 + j, y, square_side(a)) for j, a in enumerate(acts)]
            if i == len(self.rows) - 1:
                squares += [Square(x0 + j, y, 0.94, "none", ANSWER_COLOUR)
                            for j in range(len(acts)) if j in self.marked]
            labels += [Label(x0 + j, y - 0.5, unit, "below", size=7, turned=True)
                       for j, unit in enumerate(units)]
            labels.append(Label(-0.5, y, name, "left"))
        return Squares(bands, squares, labels, self.title)


@dataclass
class Boundary:
    """The plane coloured by the sign of ``predict(x, y)``, with the labelled points
    (label < 0 red, else blue).  ``predict`` is called on a ``steps`` × ``steps`` grid
    once, when the panel is made."""

    predict: Callable[[float, float], float]
    points: Sequence[Sequence[float]]
    labels: Sequence[float]
    steps: int = 60
    title: str = "decision boundary"
    regions: Regions = field(init=False, repr=False)

    def __post_init__(self) -> None:
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        gx, gy = (_even(min(v) - 0.5, max(v) + 0.5, self.steps) for v in (xs, ys))
        kinds = tuple(tuple(int(self.predict(x, y) > 0) for x in gx) for y in gy)
        self.regions = Regions(gx, gy, kinds, REGION_COLOURS)

    def describe(self) -> Chart:
        points = Series([p[0] for p in self.points], [p[1] for p in self.points], style="o",
                        colours=[POINT_COLOURS[t >= 0] for t in self.labels])
        return Chart([points], self.title, "x₁", "x₂", regions=self.regions)


def _even(lo: float, hi: float, n: int) -> tuple[float, ...]:
    return tuple(lo + (hi - lo) * i / (n - 1) for i in range(n))


# -- on a matplotlib Axes (the demos) ---------------------------------------------------------


def loss_curve(ax, losses: Sequence[float], title: str | None = None, log: bool = True,
               ylabel: str | None = None) -> None:
    """:func:`loss_chart` on the matplotlib Axes ``ax``."""
    chart_matplotlib.draw(ax, loss_chart(losses, title, log, ylabel))


def hinton(ax, matrix: Sequence[Sequence[float]], max_weight: float | None = None,
           title: str = "", row_labels: Sequence[str] = (), col_labels: Sequence[str] = (),
           top_labels: Sequence[str] = ()) -> None:
    """:class:`Hinton` on the matplotlib Axes ``ax``."""
    chart_matplotlib.draw(ax, Hinton(matrix, max_weight, title, row_labels, col_labels,
                                     top_labels).describe())


def activity_diagram(ax, rows: Sequence[tuple[str, Sequence[float], Sequence[str]]],
                     marked: Sequence[int] = ()) -> None:
    """:class:`Activity` on the matplotlib Axes ``ax``."""
    chart_matplotlib.draw(ax, Activity(rows, marked).describe())


def decision_boundary(ax, predict: Callable[[float, float], float],
                      points: Sequence[Sequence[float]], labels: Sequence[float],
                      steps: int = 60, title: str = "decision boundary") -> None:
    """:class:`Boundary` on the matplotlib Axes ``ax``."""
    chart_matplotlib.draw(ax, Boundary(predict, points, labels, steps, title).describe())


# -- a figure: drawn with matplotlib where it exists, and as SVG elsewhere -------------------

Panel = Chart | Squares | Hinton | Activity | Boundary


class Figure:
    """Panels in rows, with a title: drawn by matplotlib where it can be imported, and
    as this package's SVG where it cannot (a browser).  Jupyter shows it as a cell's
    value (SVG, and PNG beside it when matplotlib draws).

    Args:
        rows: one panel, a list of panels (one row), or a list of rows.
        size: (width, height) in inches, as matplotlib's ``figsize``.
        heights: the rows' relative heights (equal by default).
    """

    def __init__(self, rows: Panel | Sequence[Panel] | Sequence[Sequence[Panel]],
                 title: str = "", size: tuple[float, float] = (6.0, 3.6),
                 heights: Sequence[float] | None = None) -> None:
        if not isinstance(rows, Sequence):
            rows = [rows]
        if rows and not isinstance(rows[0], Sequence):
            rows = [rows]
        self.rows = [list(row) for row in rows]
        self.title, self.size = title, size
        self.heights = list(heights) if heights else [1.0] * len(self.rows)
        if len(self.heights) != len(self.rows):
            raise ValueError(_("heights gives {heights} rows, the figure has {rows}",
                               heights=len(self.heights), rows=len(self.rows)))

    def __repr__(self) -> str:
        return f"<autograd_mini figure: {sum(map(len, self.rows))} panel(s)>"

    def layout(self) -> Layout:
        """What the figure shows, as plain data: every panel described."""
        rows: tuple[tuple[Description, ...], ...] = tuple(
            tuple(panel.describe() for panel in row) for row in self.rows)
        return Layout(rows, tuple(self.heights), tuple(self.size), self.title)

    def matplotlib(self):
        """The figure as a matplotlib Figure (not registered with pyplot, so a notebook
        shows it once: as the cell's value)."""
        return chart_matplotlib.figure(self.layout())

    def svg(self) -> str:
        """The figure as SVG written by this package (no matplotlib needed)."""
        return chart_svg.document(self.layout())

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs) -> dict:
        if not has_matplotlib():
            return {"image/svg+xml": self.svg(), "text/plain": repr(self)}
        import base64

        fig = self.matplotlib()
        return {"image/svg+xml": _saved(fig, "svg").decode(),
                "image/png": base64.b64encode(_saved(fig, "png")).decode("ascii"),
                "text/plain": repr(self)}


def _saved(fig, format: str) -> bytes:
    picture = io.BytesIO()
    fig.savefig(picture, format=format, bbox_inches="tight", dpi=72)
    return picture.getvalue()
