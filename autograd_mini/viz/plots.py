"""matplotlib figures for the demos: loss curves, Hinton diagrams, decision boundaries."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = ["loss_curve", "hinton", "decision_boundary"]


def loss_curve(ax, losses: Sequence[float], title: str = "training error", log: bool = True,
               ylabel: str = "error E") -> None:
    """The error after each sweep, on a log scale by default."""
    ax.plot(range(1, len(losses) + 1), [max(v, 1e-12) for v in losses], lw=1.5)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="sweep", ylabel=ylabel)
    ax.grid(True, alpha=0.3)


def hinton(ax, matrix: Sequence[Sequence[float]], max_weight: float | None = None,
           title: str = "", row_labels: Sequence[str] = (), col_labels: Sequence[str] = ()
           ) -> None:
    """A Hinton diagram, as in Rumelhart, Hinton & Williams (1986): each weight is a
    square on grey, white if positive and black if negative, its area proportional
    to the weight's magnitude."""
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
    ax.set_xticks(range(cols), list(col_labels) or [""] * cols, fontsize=7,
                  rotation=90 if any(len(c) > 3 for c in col_labels) else 0)
    ax.set_yticks(range(rows), list(row_labels) or [""] * rows, fontsize=8)
    ax.tick_params(length=0)
    if title:
        ax.set_title(title, fontsize=10)


def _square(x: float, y: float, side: float, colour: str):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), side, side, facecolor=colour, edgecolor=colour)


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
