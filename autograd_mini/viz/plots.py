"""Figures for the demos and the notebooks: line charts, loss curves, Hinton diagrams,
activity diagrams, decision boundaries.

Two layers.  The functions that take an ``ax`` (``loss_curve(ax, ...)``, ``hinton(ax, ...)``)
draw on a matplotlib Axes, for the demos' files.  The notebooks use :class:`Figure`, made of
panels (:class:`Chart`, :class:`Hinton`, :class:`Activity`, :class:`Boundary`): shown in
Jupyter it is drawn by matplotlib where matplotlib is importable (the desktop), and
otherwise as SVG written by this package (:mod:`autograd_mini.viz.svgplot`) -- in a
browser's Pyodide, where no matplotlib exists.  The same cell works in both::

    Figure(Chart([Series(xs, ys, "central", "s-")], xlabel="ε", log="xy"))
"""

from __future__ import annotations

import importlib.util
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import svgplot
from .svgplot import Box, Scale

__all__ = ["loss_curve", "hinton", "activity_diagram", "decision_boundary", "Figure",
           "Series", "Chart", "Hinton", "Activity", "Boundary", "loss_chart",
           "has_matplotlib"]

PIXELS_PER_INCH = 96  # an SVG figure of figsize (w, h) inches is w*96 by h*96 pixels


def has_matplotlib() -> bool:
    """Whether matplotlib can be imported here (not in a browser's Pyodide)."""
    return importlib.util.find_spec("matplotlib") is not None


def loss_curve(ax, losses: Sequence[float], title: str = "training error", log: bool = True,
               ylabel: str = "error E") -> None:
    """The error after each sweep, on a log scale by default."""
    loss_chart(losses, title, log, ylabel).draw(ax)


def loss_chart(losses: Sequence[float], title: str = "training error", log: bool = True,
               ylabel: str = "error E") -> Chart:
    """:func:`loss_curve` as a panel of a :class:`Figure`."""
    curve = Series(range(1, len(losses) + 1), [max(v, 1e-12) for v in losses], style="-")
    return Chart([curve], title=title, xlabel="sweep", ylabel=ylabel,
                 log="y" if log else "", grid=True)


def hinton(ax, matrix: Sequence[Sequence[float]], max_weight: float | None = None,
           title: str = "", row_labels: Sequence[str] = (), col_labels: Sequence[str] = (),
           top_labels: Sequence[str] = ()) -> None:
    """A Hinton diagram, as in Rumelhart, Hinton & Williams (1986): each weight is a
    square on grey, white if positive and black if negative, its area proportional
    to the weight's magnitude.

    Args:
        max_weight: the |w| drawn as a full cell.  Pass the same value to every diagram
            of a figure so that their squares compare; by default the matrix's own
            largest |w|, which makes any matrix look equally strong.
        col_labels, top_labels: column names below and above the diagram.
    """
    rows, cols = len(matrix), max(len(r) for r in matrix)
    biggest = max_weight or max((abs(w) for r in matrix for w in r), default=1.0) or 1.0
    ax.set_facecolor("#808080")
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.set_aspect("equal")
    for i, row in enumerate(matrix):
        for j, w in enumerate(row):
            side = math.sqrt(min(abs(w) / biggest, 1.0)) * 0.9
            ax.add_patch(_square(j - side / 2, i - side / 2, side,
                                 "white" if w > 0 else "black"))
    _column_labels(ax, cols, col_labels)
    if top_labels:
        _column_labels(ax.secondary_xaxis("top"), cols, top_labels)
    ax.set_yticks(range(rows), list(row_labels) or [""] * rows, fontsize=8)
    ax.tick_params(length=0)
    if title:
        ax.set_title(title, fontsize=10, pad=40 if top_labels else 6)


def _column_labels(axis, cols: int, labels: Sequence[str]) -> None:
    axis.set_xticks(range(cols), list(labels) or [""] * cols, fontsize=7,
                    rotation=90 if any(len(c) > 3 for c in labels) else 0)
    axis.tick_params(length=0)


def activity_diagram(ax, rows: Sequence[tuple[str, Sequence[float], Sequence[str]]],
                     marked: Sequence[int] = ()) -> None:
    """Every unit's activity as a white square on grey, area ∝ activity in [0, 1], one
    layer a row, the first row at the bottom and each row centred (the paper's Fig. 3).

    Args:
        rows: ``(name, activities, unit labels)`` for each layer, input first.
        marked: units of the last row to outline (the right answers).
    """
    from matplotlib.patches import Rectangle

    width = max(len(acts) for _, acts, _ in rows)
    y = 0.0
    for i, (name, acts, labels) in enumerate(rows):
        if i:  # a gap, with room under the row for its unit labels
            y += 1.6 + (2.4 if labels else 0.0)
        x0 = (width - len(acts)) / 2
        ax.add_patch(Rectangle((x0 - 0.5, y - 0.5), len(acts), 1, facecolor="#808080"))
        for j, a in enumerate(acts):
            side = math.sqrt(min(max(a, 0.0), 1.0)) * 0.9
            ax.add_patch(_square(x0 + j - side / 2, y - side / 2, side, "white"))
            if i == len(rows) - 1 and j in marked:
                ax.add_patch(_square(x0 + j - 0.47, y - 0.47, 0.94, "none", edge="#dc2626"))
            if labels:
                ax.text(x0 + j, y - 0.6, labels[j], rotation=90, ha="center", va="top",
                        fontsize=7)
        ax.text(-1, y, name, ha="right", va="center", fontsize=8)
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-3.0 if rows[0][2] else -0.6, y + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")


def _square(x: float, y: float, side: float, colour: str, edge: str | None = None):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), side, side, facecolor=colour, edgecolor=edge or colour,
                     linewidth=1.5 if edge else 1.0)


def decision_boundary(ax, predict: Callable[[float, float], float],
                      points: Sequence[Sequence[float]], labels: Sequence[float],
                      steps: int = 60, title: str = "decision boundary") -> None:
    """Colour the plane by the sign of ``predict(x, y)`` and draw the labelled points."""
    Boundary(predict, points, labels, steps, title).draw(ax)


# -- figures that draw with matplotlib where it exists, and as SVG elsewhere -----------------

REGION_COLOURS = ("#fca5a5", "#93c5fd")  # predict(x, y) <= 0, > 0
POINT_COLOURS = ("#b91c1c", "#1d4ed8")   # label < 0, >= 0
DASHES = {"-": "", "--": "6 3", ":": "1.5 2.5", "-.": "6 2 1.5 2"}


@dataclass
class Series:
    """One line or set of points of a :class:`Chart`.

    Args:
        style: matplotlib's short form: a marker (``o`` circle, ``s`` square, ``^``
            triangle) and/or a line (``-``, ``--``, ``:``), e.g. ``"o-"``, ``"s--"``, ``"o"``.
        colours: one colour per point, for a scatter plot of labelled points.
    """

    xs: Sequence[float]
    ys: Sequence[float]
    label: str = ""
    style: str = "-"
    colours: Sequence[str] = ()

    def __post_init__(self) -> None:
        self.xs, self.ys = [float(x) for x in self.xs], [float(y) for y in self.ys]
        if len(self.xs) != len(self.ys):
            raise ValueError(f"a series needs as many x as y values, got {len(self.xs)} x "
                             f"and {len(self.ys)} y")

    @property
    def marker(self) -> str:
        return next((m for m in "os^" if m in self.style), "")

    @property
    def line(self) -> str:
        rest = "".join(c for c in self.style if c not in "os^")
        return rest if rest in DASHES else ""


@dataclass
class Chart:
    """Axes with lines and points: ``log`` is ``"x"``, ``"y"`` or ``"xy"`` for the axes on
    a log scale; ``invert_x`` runs x from right to left; a legend is drawn when a series
    has a label."""

    series: Sequence[Series]
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    log: str = ""
    invert_x: bool = False
    grid: bool = False
    legend_size: float = 10
    # (x0, x1, y0, y1, colour): rectangles under the series (a decision boundary's regions)
    cells: Sequence[tuple[float, float, float, float, str]] = ()

    def draw(self, ax) -> None:
        """On a matplotlib Axes."""
        for s in self.series:
            if s.colours:
                ax.scatter(s.xs, s.ys, c=list(s.colours), s=18, edgecolors="white",
                           linewidths=0.5, label=s.label or None)
            else:
                ax.plot(s.xs, s.ys, s.style, lw=1.5, label=s.label or None)
        for axis in self.log:
            getattr(ax, f"set_{axis}scale")("log")
        ax.set(title=self.title, xlabel=self.xlabel, ylabel=self.ylabel)
        if self.invert_x:
            ax.invert_xaxis()
        if self.grid:
            ax.grid(True, alpha=0.3)
        if any(s.label for s in self.series):
            ax.legend(fontsize=self.legend_size)

    def svg(self, box: Box) -> None:
        """Into ``box``, as SVG: frame, ticks, cells, series, labels, legend."""
        left, right = box.left + 62, box.left + box.width - 12
        top, bottom = box.top + (26 if self.title else 10), box.top + box.height - 42
        xs = [x for s in self.series for x in s.xs] + [c[i] for c in self.cells for i in (0, 1)]
        ys = [y for s in self.series for y in s.ys] + [c[i] for c in self.cells for i in (2, 3)]
        sx = Scale.fitting(xs, right, left, "x" in self.log, 0 if self.cells else 0.05) \
            if self.invert_x else Scale.fitting(xs, left, right, "x" in self.log,
                                                0 if self.cells else 0.05)
        sy = Scale.fitting(ys, bottom, top, "y" in self.log, 0 if self.cells else 0.05)
        box.title(self.title)
        for x0, x1, y0, y1, colour in self.cells:
            px, py = sorted((sx(x0), sx(x1))), sorted((sy(y0), sy(y1)))
            box.add(f"<rect x='{px[0]:.1f}' y='{py[0]:.1f}' width='{px[1] - px[0] + 0.3:.1f}' "
                    f"height='{py[1] - py[0] + 0.3:.1f}' fill={svgplot.attribute(colour)} "
                    "fill-opacity='0.6'/>")
        _axes(box, sx, sy, left, right, top, bottom, self.grid)
        for k, s in enumerate(self.series):
            _series(box, s, sx, sy, svgplot.COLOURS[k % len(svgplot.COLOURS)])
        box.add(svgplot.text((left + right) / 2, bottom + 34, self.xlabel))
        box.add(svgplot.text(box.left + 14, (top + bottom) / 2, self.ylabel, rotate=-90))
        labelled = [(k, s) for k, s in enumerate(self.series) if s.label]
        if labelled:
            points = [(sx(x), sy(y)) for s in self.series for x, y in zip(s.xs, s.ys)
                      if sx.shows(x) and sy.shows(y)]
            _legend(box, labelled, (min(left, right), max(left, right), top, bottom), points,
                    self.legend_size)


def _axes(box: Box, sx: Scale, sy: Scale, left: float, right: float, top: float,
          bottom: float, grid: bool) -> None:
    for px, label in sx.ticks():
        if min(left, right) - 0.5 <= px <= max(left, right) + 0.5:
            box.add(f"<line x1='{px:.1f}' y1='{bottom:.1f}' x2='{px:.1f}' "
                    f"y2='{(top if grid else bottom + 4):.1f}' stroke='#999' "
                    f"stroke-opacity='{0.3 if grid else 1}'/>")
            box.add(svgplot.text(px, bottom + 16, label, size=10))
    for py, label in sy.ticks():
        if top - 0.5 <= py <= bottom + 0.5:
            box.add(f"<line x1='{(right if grid else left - 4):.1f}' y1='{py:.1f}' "
                    f"x2='{left:.1f}' y2='{py:.1f}' stroke='#999' "
                    f"stroke-opacity='{0.3 if grid else 1}'/>")
            box.add(svgplot.text(left - 6, py + 3.5, label, size=10, anchor="end"))
    box.add(f"<rect x='{left:.1f}' y='{top:.1f}' width='{right - left:.1f}' "
            f"height='{bottom - top:.1f}' fill='none' stroke='#333'/>")


def _series(box: Box, s: Series, sx: Scale, sy: Scale, colour: str) -> None:
    """A series' line (broken where a point cannot be shown, e.g. 0 on a log axis) and
    its markers."""
    shown = [(sx(x), sy(y)) if sx.shows(x) and sy.shows(y) else None
             for x, y in zip(s.xs, s.ys)]
    if s.line and not s.colours:
        dash = DASHES[s.line]
        runs, run = [], []
        for point in shown + [None]:
            if point is None:
                runs, run = (runs + [run] if len(run) > 1 else runs), []
            else:
                run.append(point)
        for run in runs:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            box.add(f"<polyline points='{points}' fill='none' stroke='{colour}' "
                    f"stroke-width='1.5'" + (f" stroke-dasharray='{dash}'" if dash else "")
                    + "/>")
    marker = s.marker or ("o" if s.colours else "")
    for k, point in enumerate(shown):
        if point is not None and marker:
            fill = s.colours[k] if s.colours else colour
            box.add(_marker(marker, *point, svgplot.attribute(fill)))


def _marker(kind: str, x: float, y: float, fill: str, r: float = 3.2) -> str:
    if kind == "s":
        return (f"<rect x='{x - r:.1f}' y='{y - r:.1f}' width='{2 * r:.1f}' "
                f"height='{2 * r:.1f}' fill={fill}/>")
    if kind == "^":
        return (f"<polygon points='{x:.1f},{y - r - 0.6:.1f} {x - r:.1f},{y + r:.1f} "
                f"{x + r:.1f},{y + r:.1f}' fill={fill}/>")
    return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' fill={fill} stroke='white' " \
           "stroke-width='0.5'/>"


def _legend(box: Box, labelled: list[tuple[int, Series]],
            frame: tuple[float, float, float, float], points: list[tuple[float, float]],
            size: float) -> None:
    """The legend in the corner of the axes that covers the fewest points (as
    matplotlib's "best"), top right when they tie."""
    left, right, top, bottom = frame
    width = 34 + 0.6 * size * max(len(s.label) for _, s in labelled)
    line = size + 6
    height = line * len(labelled) + 6
    corners = [(right - width - 6, top + 6), (left + 6, top + 6),
               (right - width - 6, bottom - height - 6), (left + 6, bottom - height - 6)]

    def covered(corner: tuple[float, float]) -> int:
        x0, y0 = corner
        return sum(x0 <= x <= x0 + width and y0 <= y <= y0 + height for x, y in points)

    x0, y0 = min(corners, key=covered)
    box.add(f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{width:.1f}' height='{height:.1f}' "
            "fill='white' fill-opacity='0.85' stroke='#ccc'/>")
    for row, (k, s) in enumerate(labelled):
        y = y0 + 6 + line * row + line / 2
        colour = svgplot.COLOURS[k % len(svgplot.COLOURS)]
        if s.line:
            dash = DASHES[s.line]
            box.add(f"<line x1='{x0 + 6:.1f}' y1='{y:.1f}' x2='{x0 + 26:.1f}' y2='{y:.1f}' "
                    f"stroke='{colour}' stroke-width='1.5'"
                    + (f" stroke-dasharray='{dash}'" if dash else "") + "/>")
        if s.marker:
            box.add(_marker(s.marker, x0 + 16, y, f"'{colour}'"))
        box.add(svgplot.text(x0 + 30, y + size * 0.35, s.label, size=size, anchor="start"))


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
    grid: list[list[float]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        xs, ys = [p[0] for p in self.points], [p[1] for p in self.points]
        x0, x1 = min(xs) - 0.5, max(xs) + 0.5
        y0, y1 = min(ys) - 0.5, max(ys) + 0.5
        n = self.steps
        self.gx = [x0 + (x1 - x0) * i / (n - 1) for i in range(n)]
        self.gy = [y0 + (y1 - y0) * j / (n - 1) for j in range(n)]
        self.grid = [[1.0 if self.predict(x, y) > 0 else 0.0 for x in self.gx]
                     for y in self.gy]

    def _points(self) -> Series:
        return Series([p[0] for p in self.points], [p[1] for p in self.points], style="o",
                      colours=[POINT_COLOURS[t >= 0] for t in self.labels])

    def draw(self, ax) -> None:
        ax.contourf(self.gx, self.gy, self.grid, levels=[-0.5, 0.5, 1.5],
                    colors=list(REGION_COLOURS), alpha=0.6)
        points = self._points()
        ax.scatter(points.xs, points.ys, c=list(points.colours), s=18, edgecolors="white",
                   linewidths=0.5)
        ax.set(title=self.title, xlabel="x₁", ylabel="x₂")

    def svg(self, box: Box) -> None:
        Chart([self._points()], self.title, "x₁", "x₂", cells=self._cells()).svg(box)

    def _cells(self) -> list[tuple[float, float, float, float, str]]:
        """The grid as rectangles, one per run of equal cells in a row (few, not n²)."""
        dx, dy = (self.gx[1] - self.gx[0]) / 2, (self.gy[1] - self.gy[0]) / 2
        cells = []
        for j, row in enumerate(self.grid):
            start = 0
            for i in range(1, len(row) + 1):
                if i == len(row) or row[i] != row[start]:
                    cells.append((self.gx[start] - dx, self.gx[i - 1] + dx, self.gy[j] - dy,
                                  self.gy[j] + dy, REGION_COLOURS[int(row[start])]))
                    start = i
        return cells


@dataclass
class Hinton:
    """:func:`hinton` as a panel of a :class:`Figure` (same arguments)."""

    matrix: Sequence[Sequence[float]]
    max_weight: float | None = None
    title: str = ""
    row_labels: Sequence[str] = ()
    col_labels: Sequence[str] = ()
    top_labels: Sequence[str] = ()

    def draw(self, ax) -> None:
        hinton(ax, self.matrix, self.max_weight, self.title, self.row_labels,
               self.col_labels, self.top_labels)

    def svg(self, box: Box) -> None:
        rows, cols = len(self.matrix), max(len(r) for r in self.matrix)
        biggest = self.max_weight or max((abs(w) for r in self.matrix for w in r),
                                         default=1.0) or 1.0
        below, above = _label_room(self.col_labels), _label_room(self.top_labels)
        left = 8 + 6.5 * max((len(r) for r in self.row_labels), default=0)
        top = (22 if self.title else 4) + above
        cell = min((box.width - left - 8) / cols, (box.height - top - below - 4) / rows)
        x0 = box.left + left + (box.width - left - 8 - cell * cols) / 2
        y0 = box.top + top
        box.title(self.title)
        box.add(f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{cell * cols:.1f}' "
                f"height='{cell * rows:.1f}' fill='#808080'/>")
        for i, row in enumerate(self.matrix):
            for j, w in enumerate(row):
                side = math.sqrt(min(abs(w) / biggest, 1.0)) * 0.9 * cell
                box.add(_svg_square(x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell, side,
                                "white" if w > 0 else "black"))
        for i, label in enumerate(self.row_labels):
            box.add(svgplot.text(x0 - 4, y0 + (i + 0.5) * cell + 3, label, size=8,
                                 anchor="end"))
        _column_text(box, self.col_labels, x0, cell, y0 + rows * cell + 4, below=True)
        _column_text(box, self.top_labels, x0, cell, y0 - 4, below=False)


def _label_room(labels: Sequence[str]) -> float:
    if not labels:
        return 0.0
    return 6 + 5 * max(len(c) for c in labels) if any(len(c) > 3 for c in labels) else 14


def _column_text(box: Box, labels: Sequence[str], x0: float, cell: float, y: float,
                 below: bool) -> None:
    turned = any(len(c) > 3 for c in labels)
    for j, label in enumerate(labels):
        x = x0 + (j + 0.5) * cell
        if turned:  # read upward, as matplotlib's rotation=90
            box.add(svgplot.text(x + 3, y, label, size=7, rotate=-90,
                                 anchor="end" if below else "start"))
        else:
            box.add(svgplot.text(x, y + (9 if below else 0), label, size=8))


def _svg_square(cx: float, cy: float, side: float, fill: str, edge: str = "") -> str:
    """A square centred at (cx, cy) in pixels."""
    stroke = f"fill='none' stroke='{edge}' stroke-width='1.5'" if edge else f"fill='{fill}'"
    return (f"<rect x='{cx - side / 2:.2f}' y='{cy - side / 2:.2f}' width='{side:.2f}' "
            f"height='{side:.2f}' {stroke}/>")


@dataclass
class Activity:
    """:func:`activity_diagram` as a panel of a :class:`Figure`, with a title."""

    rows: Sequence[tuple[str, Sequence[float], Sequence[str]]]
    marked: Sequence[int] = ()
    title: str = ""

    def draw(self, ax) -> None:
        activity_diagram(ax, self.rows, self.marked)
        if self.title:
            ax.set_title(self.title, fontsize=10)

    def svg(self, box: Box) -> None:
        """The rows from the bottom up, as :func:`activity_diagram` places them (in units
        of one square), scaled to fit ``box`` below the title."""
        width = max(len(acts) for _, acts, _ in self.rows)
        heights, y = [], 0.0
        for i, (_, _, labels) in enumerate(self.rows):
            if i:
                y += 1.6 + (2.4 if labels else 0.0)
            heights.append(y)
        lines = self.title.count("\n") + 1 if self.title else 0
        top, left = 8 + 16 * lines, 130
        bottom_room = 3.0 if self.rows[0][2] else 0.6
        unit = min((box.width - left - 10) / width,
                   (box.height - top - 8) / (y + 0.6 + bottom_room))
        base = box.top + top + (y + 0.6) * unit  # the pixel of row 0's centre
        left += (box.width - left - 10 - width * unit) / 2  # centred, as in matplotlib
        for k, line in enumerate(self.title.split("\n") if self.title else []):
            box.add(svgplot.text(box.left + box.width / 2, box.top + 16 + 16 * k, line,
                                 size=10))
        for i, (name, acts, labels) in enumerate(self.rows):
            cy = base - heights[i] * unit
            x0 = box.left + left + (width - len(acts)) / 2 * unit
            box.add(f"<rect x='{x0:.1f}' y='{cy - unit / 2:.1f}' width='{len(acts) * unit:.1f}' "
                    f"height='{unit:.1f}' fill='#808080'/>")
            for j, a in enumerate(acts):
                side = math.sqrt(min(max(a, 0.0), 1.0)) * 0.9 * unit
                cx = x0 + (j + 0.5) * unit
                box.add(_svg_square(cx, cy, side, "white"))
                if i == len(self.rows) - 1 and j in self.marked:
                    box.add(_svg_square(cx, cy, 0.94 * unit, "none", edge="#dc2626"))
                if labels:
                    box.add(svgplot.text(cx + 2.5, cy + 0.6 * unit, labels[j], size=7,
                                         rotate=-90, anchor="end"))
            box.add(svgplot.text(box.left + left - 8, cy + 3, name, size=8, anchor="end"))


Panel = Chart | Boundary | Hinton | Activity


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
            raise ValueError(f"heights gives {len(self.heights)} rows, the figure has "
                             f"{len(self.rows)}")

    def __repr__(self) -> str:
        return f"<autograd_mini figure: {sum(map(len, self.rows))} panel(s)>"

    def matplotlib(self):
        """The figure as a matplotlib Figure (not registered with pyplot, so a notebook
        shows it once: as the cell's value)."""
        from matplotlib.figure import Figure as MatplotlibFigure

        fig = MatplotlibFigure(figsize=self.size, layout="constrained")
        parts = [fig] if len(self.rows) == 1 else \
            fig.subfigures(len(self.rows), 1, height_ratios=self.heights)
        for part, row in zip(parts, self.rows):
            for ax, panel in zip(part.subplots(1, len(row), squeeze=False)[0], row):
                panel.draw(ax)
        if self.title:
            fig.suptitle(self.title)
        return fig

    def svg(self) -> str:
        """The figure as SVG written by this package (no matplotlib needed)."""
        width, height = (d * PIXELS_PER_INCH for d in self.size)
        top = 28 if self.title else 0
        boxes, y = [], float(top)
        for row, share in zip(self.rows, self.heights):
            row_height = (height - top) * share / sum(self.heights)
            for k, panel in enumerate(row):
                box = Box(width * k / len(row), y, width / len(row), row_height)
                panel.svg(box)
                boxes.append(box)
            y += row_height
        return svgplot.document(width, height, boxes, self.title)

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
