"""The SVG back-end: a figure's description (:mod:`autograd_mini.viz.chart`) drawn as this
package's own SVG, with :mod:`autograd_mini.viz.svgplot` -- where matplotlib is missing
(a browser's Pyodide).  It decides nothing about what is shown, only where in pixels."""

from __future__ import annotations

from . import svgplot
from .chart import GAP, GREY, Chart, Label, Layout, Regions, Series, Square, Squares
from .svgplot import Box, Scale

__all__ = ["document", "draw", "DASHES", "PIXELS_PER_INCH"]

PIXELS_PER_INCH = 96  # a figure of size (w, h) inches is w*96 by h*96 pixels
DASHES = {"-": "", "--": "6 3", ":": "1.5 2.5", "-.": "6 2 1.5 2"}  # stroke-dasharray


def document(layout: Layout) -> str:
    """The whole figure as one ``<svg>``: its panels in rows, each in its own box."""
    width, height = (d * PIXELS_PER_INCH for d in layout.size)
    top = 28 if layout.title else 0
    boxes, y = [], float(top)
    for row, share in zip(layout.rows, layout.heights):
        row_height = (height - top) * share / sum(layout.heights)
        for k, panel in enumerate(row):
            box = Box(width * k / len(row), y, width / len(row), row_height)
            draw(box, panel)
            boxes.append(box)
        y += row_height
    return svgplot.document(width, height, boxes, layout.title)


def draw(box: Box, panel: Chart | Squares) -> None:
    """One panel into ``box``."""
    (chart if isinstance(panel, Chart) else squares)(box, panel)


# -- a chart: axes, regions, series, legend -----------------------------------------------


def chart(box: Box, c: Chart) -> None:
    """Frame, ticks, regions, series, axis labels and legend, fitted to ``box``."""
    left, right = box.left + 62, box.left + box.width - 12
    top, bottom = box.top + (26 if c.title else 10), box.top + box.height - 42
    cells = _cells(c.regions) if c.regions else []
    xs = [x for s in c.series for x in s.xs] + [x for cell in cells for x in cell[:2]]
    ys = [y for s in c.series for y in s.ys] + [y for cell in cells for y in cell[2:4]]
    pad = 0 if cells else 0.05  # a coloured plane fills the axes
    start, end = (right, left) if c.invert_x else (left, right)
    sx = Scale.fitting(xs, start, end, "x" in c.log, pad)
    sy = Scale.fitting(ys, bottom, top, "y" in c.log, pad)
    box.title(c.title)
    for x0, x1, y0, y1, colour in cells:
        px, py = sorted((sx(x0), sx(x1))), sorted((sy(y0), sy(y1)))
        box.add(f"<rect x='{px[0]:.1f}' y='{py[0]:.1f}' width='{px[1] - px[0] + 0.3:.1f}' "
                f"height='{py[1] - py[0] + 0.3:.1f}' fill={svgplot.attribute(colour)} "
                f"fill-opacity='{c.regions.opacity:g}'/>")
    _axes(box, sx, sy, (left, right, top, bottom), c.grid)
    for k, s in enumerate(c.series):
        _series(box, s, sx, sy, c.colour(k))
    box.add(svgplot.text((left + right) / 2, bottom + 34, c.xlabel))
    box.add(svgplot.text(box.left + 14, (top + bottom) / 2, c.ylabel, rotate=-90))
    if c.labelled():
        points = [(sx(x), sy(y)) for s in c.series for x, y in zip(s.xs, s.ys)
                  if sx.shows(x) and sy.shows(y)]
        _legend(box, c, (min(left, right), max(left, right), top, bottom), points)


def _cells(regions: Regions) -> list[tuple[float, float, float, float, str]]:
    """The grid as rectangles (x0, x1, y0, y1, colour), one per run of equal cells in a
    row: few, not n²."""
    dx, dy = regions.half_cell()
    xs, cells = regions.xs, []
    for y, row in zip(regions.ys, regions.kinds):
        start = 0
        for i in range(1, len(row) + 1):
            if i == len(row) or row[i] != row[start]:
                cells.append((xs[start] - dx, xs[i - 1] + dx, y - dy, y + dy,
                              regions.colours[row[start]]))
                start = i
    return cells


def _axes(box: Box, sx: Scale, sy: Scale, frame: tuple[float, float, float, float],
          grid: bool) -> None:
    """Ticks with their numbers (lines across the axes with ``grid``), and the frame."""
    left, right, top, bottom = frame
    opacity = 0.3 if grid else 1
    for px, label in sx.ticks():
        if min(left, right) - 0.5 <= px <= max(left, right) + 0.5:
            box.add(f"<line x1='{px:.1f}' y1='{bottom:.1f}' x2='{px:.1f}' "
                    f"y2='{(top if grid else bottom + 4):.1f}' stroke='#999' "
                    f"stroke-opacity='{opacity}'/>")
            box.add(svgplot.text(px, bottom + 16, label, size=10))
    for py, label in sy.ticks():
        if top - 0.5 <= py <= bottom + 0.5:
            box.add(f"<line x1='{(right if grid else left - 4):.1f}' y1='{py:.1f}' "
                    f"x2='{left:.1f}' y2='{py:.1f}' stroke='#999' "
                    f"stroke-opacity='{opacity}'/>")
            box.add(svgplot.text(left - 6, py + 3.5, label, size=10, anchor="end"))
    box.add(f"<rect x='{left:.1f}' y='{top:.1f}' width='{right - left:.1f}' "
            f"height='{bottom - top:.1f}' fill='none' stroke='#333'/>")


def _series(box: Box, s: Series, sx: Scale, sy: Scale, colour: str) -> None:
    """A series' line (broken where a point cannot be shown, e.g. 0 on a log axis) and
    its markers."""
    shown = [(sx(x), sy(y)) if sx.shows(x) and sy.shows(y) else None
             for x, y in zip(s.xs, s.ys)]
    if s.line and not s.colours:
        runs, run = [], []
        for point in shown + [None]:
            if point is None:
                runs, run = (runs + [run] if len(run) > 1 else runs), []
            else:
                run.append(point)
        for run in runs:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            box.add(f"<polyline points='{points}' fill='none' {_stroke(colour, s.line)}/>")
    marker = s.marker or ("o" if s.colours else "")
    for k, point in enumerate(shown):
        if point is not None and marker:
            fill = s.colours[k] if s.colours else colour
            box.add(_marker(marker, *point, svgplot.attribute(fill)))


def _stroke(colour: str, line: str) -> str:
    """The attributes of a series' line: its colour, width and dashes."""
    dash = DASHES[line]
    return (f"stroke={svgplot.attribute(colour)} stroke-width='1.5'"
            + (f" stroke-dasharray='{dash}'" if dash else ""))


def _marker(kind: str, x: float, y: float, fill: str, r: float = 3.2) -> str:
    if kind == "s":
        return (f"<rect x='{x - r:.1f}' y='{y - r:.1f}' width='{2 * r:.1f}' "
                f"height='{2 * r:.1f}' fill={fill}/>")
    if kind == "^":
        return (f"<polygon points='{x:.1f},{y - r - 0.6:.1f} {x - r:.1f},{y + r:.1f} "
                f"{x + r:.1f},{y + r:.1f}' fill={fill}/>")
    return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' fill={fill} stroke='white' " \
           "stroke-width='0.5'/>"


def _legend(box: Box, c: Chart, frame: tuple[float, float, float, float],
            points: list[tuple[float, float]]) -> None:
    """The legend in the corner of the axes that covers the fewest points (as
    matplotlib's "best"), top right when they tie."""
    left, right, top, bottom = frame
    labelled, size = c.labelled(), c.legend_size
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
        if s.line:
            box.add(f"<line x1='{x0 + 6:.1f}' y1='{y:.1f}' x2='{x0 + 26:.1f}' y2='{y:.1f}' "
                    f"{_stroke(c.colour(k), s.line)}/>")
        if s.marker:
            box.add(_marker(s.marker, x0 + 16, y, svgplot.attribute(c.colour(k))))
        box.add(svgplot.text(x0 + 30, y + size * 0.35, s.label, size=size, anchor="start"))


# -- squares on grey: Hinton and activity diagrams ----------------------------------------


def squares(box: Box, d: Squares) -> None:
    """The bands, squares and labels, at the largest cell that fits ``box`` with the
    title above and the labels' room around; centred across, from the top down."""
    x0, x1, y0, y1 = d.limits()
    left = 8 + d.room("left")
    top = _title(box, d.title) + d.room("above")
    below = 4 + d.room("below")
    unit = min((box.width - left - 8) / (x1 - x0), (box.height - top - below) / (y1 - y0))
    left += (box.width - left - 8 - unit * (x1 - x0)) / 2

    def pixel(x: float, y: float) -> tuple[float, float]:
        return box.left + left + (x - x0) * unit, box.top + top + (y1 - y) * unit

    for band in d.bands:
        bx, by = pixel(band.x, band.y + band.height)
        box.add(f"<rect x='{bx:.1f}' y='{by:.1f}' width='{band.width * unit:.1f}' "
                f"height='{band.height * unit:.1f}' fill='{GREY}'/>")
    for square in d.squares:
        box.add(_square(*pixel(square.x, square.y), square.side * unit, square))
    for label in d.labels:
        box.add(_label(*pixel(label.x, label.y), label))


def _title(box: Box, title: str) -> float:
    """A one-line title as every panel's; a longer caption in smaller lines.  Returns the
    pixels it takes from the top of the box."""
    if "\n" not in title:
        box.title(title)
        return 22 if title else 4
    lines = title.split("\n")
    for k, line in enumerate(lines):
        box.add(svgplot.text(box.left + box.width / 2, box.top + 16 + 16 * k, line, size=10))
    return 8 + 16 * len(lines)


def _square(cx: float, cy: float, side: float, square: Square) -> str:
    """A square centred at (cx, cy) in pixels: filled, or outlined."""
    paint = (f"fill='none' stroke={svgplot.attribute(square.edge)} stroke-width='1.5'"
             if square.edge else f"fill={svgplot.attribute(square.fill)}")
    return (f"<rect x='{cx - side / 2:.2f}' y='{cy - side / 2:.2f}' width='{side:.2f}' "
            f"height='{side:.2f}' {paint}/>")


def _label(x: float, y: float, label: Label) -> str:
    """A label beside the point (x, y) in pixels; a turned one reads upward."""
    size, words = label.size, label.words
    if label.side == "left":
        return svgplot.text(x - GAP, y + 0.375 * size, words, size=size, anchor="end")
    if label.turned:
        below = label.side == "below"
        return svgplot.text(x + 0.4 * size, y + (GAP if below else -GAP), words, size=size,
                            rotate=-90, anchor="end" if below else "start")
    return svgplot.text(x, y + (GAP + 1.1 * size if label.side == "below" else -GAP), words,
                        size=size)
