"""matplotlib figures for the demos: loss curves, Hinton diagrams, decision boundaries."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = ["loss_curve", "hinton", "activity_diagram", "decision_boundary"]


def loss_curve(ax, losses: Sequence[float], title: str = "training error", log: bool = True,
               ylabel: str = "error E") -> None:
    """The error after each sweep, on a log scale by default."""
    ax.plot(range(1, len(losses) + 1), [max(v, 1e-12) for v in losses], lw=1.5)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="sweep", ylabel=ylabel)
    ax.grid(True, alpha=0.3)


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
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs) - 0.5, max(xs) + 0.5
    y0, y1 = min(ys) - 0.5, max(ys) + 0.5
    gx = [x0 + (x1 - x0) * i / (steps - 1) for i in range(steps)]
    gy = [y0 + (y1 - y0) * j / (steps - 1) for j in range(steps)]
    grid = [[1.0 if predict(x, y) > 0 else 0.0 for x in gx] for y in gy]
    ax.contourf(gx, gy, grid, levels=[-0.5, 0.5, 1.5], colors=["#fca5a5", "#93c5fd"], alpha=0.6)
    ax.scatter(xs, ys, c=["#b91c1c" if t < 0 else "#1d4ed8" for t in labels], s=18,
               edgecolors="white", linewidths=0.5)
    ax.set(title=title, xlabel="x₁", ylabel="x₂")
