"""The matplotlib back-end: a figure's description (:mod:`autograd_mini.viz.chart`) drawn on
matplotlib Axes (the desktop: the demos' files, the notebooks in Jupyter).  It decides
nothing about what is shown.  matplotlib is imported only when something is drawn, so
that importing this module costs nothing where matplotlib is missing."""

from __future__ import annotations

from .chart import GAP, GREY, Chart, Label, Layout, Regions, Square, Squares

__all__ = ["figure", "draw"]

TITLE_SIZE = 10  # a Hinton or activity diagram's title, smaller than a chart's


def figure(layout: Layout):
    """The figure as a matplotlib Figure (not registered with pyplot, so a notebook shows
    it once: as the cell's value)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=layout.size, layout="constrained")
    parts = [fig] if len(layout.rows) == 1 else \
        fig.subfigures(len(layout.rows), 1, height_ratios=layout.heights)
    for part, row in zip(parts, layout.rows):
        for ax, panel in zip(part.subplots(1, len(row), squeeze=False)[0], row):
            draw(ax, panel)
    if layout.title:
        fig.suptitle(layout.title)
    return fig


def draw(ax, panel: Chart | Squares) -> None:
    """One panel on the matplotlib Axes ``ax``."""
    (chart if isinstance(panel, Chart) else squares)(ax, panel)


def chart(ax, c: Chart) -> None:
    """Regions, series, scales, labels, grid and legend."""
    if c.regions:
        _regions(ax, c.regions)
    for k, s in enumerate(c.series):
        if s.colours:
            ax.scatter(s.xs, s.ys, c=list(s.colours), s=18, edgecolors="white",
                       linewidths=0.5, label=s.label or None)
        else:
            ax.plot(s.xs, s.ys, s.style, color=c.colour(k), lw=1.5, label=s.label or None)
    for axis in c.log:
        getattr(ax, f"set_{axis}scale")("log")
    ax.set(title=c.title, xlabel=c.xlabel, ylabel=c.ylabel)
    if c.invert_x:
        ax.invert_xaxis()
    if c.grid:
        ax.grid(True, alpha=0.3)
    if c.labelled():
        ax.legend(fontsize=c.legend_size)


def _regions(ax, regions: Regions) -> None:
    levels = [k - 0.5 for k in range(len(regions.colours) + 1)]
    ax.contourf(regions.xs, regions.ys, regions.kinds, levels=levels,
                colors=list(regions.colours), alpha=regions.opacity)


def squares(ax, d: Squares) -> None:
    """Bands, squares and labels, one cell a unit on both axes, without axes."""
    from matplotlib.patches import Rectangle

    for band in d.bands:
        ax.add_patch(Rectangle((band.x, band.y), band.width, band.height, facecolor=GREY,
                               edgecolor="none"))
    for square in d.squares:
        ax.add_patch(_square(Rectangle, square))
    for label in d.labels:
        _label(ax, label)
    x0, x1, y0, y1 = d.limits()
    ax.set_xlim(x0 - 0.1, x1 + 0.1)
    ax.set_ylim(y0 - 0.1, y1 + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if d.title:
        ax.set_title(d.title, fontsize=TITLE_SIZE, pad=6 + d.room("above"))


def _square(rectangle, square: Square):
    half = square.side / 2
    return rectangle((square.x - half, square.y - half), square.side, square.side,
                     facecolor=square.fill, edgecolor=square.edge or square.fill,
                     linewidth=1.5 if square.edge else 1.0)


# where a label's text goes from its point: (offset in points, alignment)
PLACES = {"left": ((-GAP, 0), {"ha": "right", "va": "center"}),
          "below": ((0, -GAP), {"ha": "center", "va": "top"}),
          "above": ((0, GAP), {"ha": "center", "va": "bottom"})}


def _label(ax, label: Label) -> None:
    offset, align = PLACES[label.side]
    ax.annotate(label.words, (label.x, label.y), xytext=offset, textcoords="offset points",
                fontsize=label.size, rotation=90 if label.turned else 0,
                annotation_clip=False, **align)
