"""What a figure shows, as plain data: each of the course's figures is described once,
here, and drawn by one of two back-ends that only render a description --
:mod:`autograd_mini.viz.chart_matplotlib` on a matplotlib Axes (the desktop) and
:mod:`autograd_mini.viz.chart_svg` as this package's own SVG (a browser, where no
matplotlib exists).  Nothing here draws, and nothing here imports a drawing library.

A panel is described as one of two things:

- a :class:`Chart`: axes in data coordinates with lines and points (:class:`Series`),
  each axis linear or log, and under them, optionally, the plane coloured cell by cell
  (:class:`Regions`: a decision boundary);
- :class:`Squares`: squares on grey strips, in units of one cell (:class:`Square`,
  :class:`Band`), with words beside them (:class:`Label`): Hinton and activity diagrams.

A :class:`Layout` puts panels in rows, with a title, at a size in inches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.language import _

__all__ = ["Series", "Chart", "Regions", "Square", "Band", "Label", "Squares", "Layout",
           "Description", "square_side", "PALETTE", "MARKERS", "LINES", "GREY", "GAP"]

# matplotlib's colours, in its order: a series' colour is the next of these
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
MARKERS = "os^"                    # circle, square, triangle
LINES = ("-", "--", ":", "-.")     # solid, dashed, dotted, dash-dot
GREY = "#808080"                   # the ground of a Hinton or activity diagram
GAP = 4.0                          # between a label and what it names, in points


@dataclass
class Series:
    """One line or set of points of a :class:`Chart`.

    Args:
        style: matplotlib's short form: a marker (``o`` circle, ``s`` square, ``^``
            triangle) and/or a line (``-``, ``--``, ``:``, ``-.``), e.g. ``"o-"``,
            ``"s--"``, ``"o"``.
        colours: one colour per point, for a scatter plot of labelled points.
        colour: the series' colour; by default the next of :data:`PALETTE`.
    """

    xs: Sequence[float]
    ys: Sequence[float]
    label: str = ""
    style: str = "-"
    colours: Sequence[str] = ()
    colour: str = ""

    def __post_init__(self) -> None:
        self.xs, self.ys = [float(x) for x in self.xs], [float(y) for y in self.ys]
        if len(self.xs) != len(self.ys):
            raise ValueError(_("a series needs as many x as y values, got {xs} x and {ys} y",
                               xs=len(self.xs), ys=len(self.ys)))

    @property
    def marker(self) -> str:
        """Its marker (one of :data:`MARKERS`), or "" for none."""
        return next((m for m in MARKERS if m in self.style), "")

    @property
    def line(self) -> str:
        """Its line (one of :data:`LINES`), or "" for none."""
        rest = "".join(c for c in self.style if c not in MARKERS)
        return rest if rest in LINES else ""


@dataclass(frozen=True)
class Regions:
    """The plane on a grid, each cell coloured (a decision boundary): the cell centred at
    ``(xs[i], ys[j])`` has the colour ``colours[kinds[j][i]]``."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    kinds: tuple[tuple[int, ...], ...]
    colours: tuple[str, ...]
    opacity: float = 0.6

    def half_cell(self) -> tuple[float, float]:
        """Half a cell's width and height (the grid is even)."""
        return (self.xs[1] - self.xs[0]) / 2, (self.ys[1] - self.ys[0]) / 2


@dataclass
class Chart:
    """Axes with lines and points: ``log`` is ``"x"``, ``"y"`` or ``"xy"`` for the axes on
    a log scale; ``invert_x`` runs x from right to left; a legend is drawn when a series
    has a label; ``regions`` colours the plane under the series."""

    series: Sequence[Series]
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    log: str = ""
    invert_x: bool = False
    grid: bool = False
    legend_size: float = 10
    regions: Regions | None = None

    def describe(self) -> Chart:
        return self

    def colour(self, k: int) -> str:
        """The colour of the k-th series: its own, else the k-th of :data:`PALETTE`."""
        return self.series[k].colour or PALETTE[k % len(PALETTE)]

    def labelled(self) -> list[tuple[int, Series]]:
        """The series that have a label (the legend's), with their places."""
        return [(k, s) for k, s in enumerate(self.series) if s.label]


def square_side(fraction: float) -> float:
    """The side of a square whose area is ``fraction`` (clamped to [0, 1]) of 0.9² cells:
    so a square's area shows a number, and a full one leaves a rim of grey."""
    return math.sqrt(min(max(fraction, 0.0), 1.0)) * 0.9


@dataclass(frozen=True)
class Square:
    """A square centred at (x, y), ``side`` cells wide: filled, or only outlined (``fill``
    "none" and an ``edge`` colour)."""

    x: float
    y: float
    side: float
    fill: str = "white"
    edge: str = ""


@dataclass(frozen=True)
class Band:
    """A grey strip under squares: its lower left corner, width and height in cells."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Label:
    """Words beside the point (x, y), in cells: to its ``"left"``, ``"below"`` or
    ``"above"`` it, ``turned`` to read upward (long column names)."""

    x: float
    y: float
    words: str
    side: str
    size: float = 8
    turned: bool = False

    def room(self) -> float:
        """About how far it reaches from its point, in points (a character ~0.6 em)."""
        across = self.side == "left" or self.turned
        return GAP + (0.6 * self.size * len(self.words) if across else self.size)


@dataclass
class Squares:
    """Squares on grey bands, with labels, in units of one cell, y upward."""

    bands: Sequence[Band]
    squares: Sequence[Square]
    labels: Sequence[Label] = ()
    title: str = ""

    def describe(self) -> Squares:
        return self

    def limits(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1): the cells the bands cover."""
        return (min(b.x for b in self.bands), max(b.x + b.width for b in self.bands),
                min(b.y for b in self.bands), max(b.y + b.height for b in self.bands))

    def room(self, side: str) -> float:
        """How far the labels at that edge of the bands reach out, in points."""
        x0, _x1, y0, y1 = self.limits()
        edge = {"left": lambda a: a.x <= x0 + 1e-9, "below": lambda a: a.y <= y0 + 1e-9,
                "above": lambda a: a.y >= y1 - 1e-9}[side]
        return max((a.room() for a in self.labels if a.side == side and edge(a)), default=0.0)


Description = Chart | Squares


@dataclass(frozen=True)
class Layout:
    """A whole figure: rows of panels side by side, the rows' relative heights, the size
    in inches (as matplotlib's ``figsize``) and a title."""

    rows: tuple[tuple[Description, ...], ...]
    heights: tuple[float, ...]
    size: tuple[float, float]
    title: str = ""
