"""A small SVG writer, the ground of the SVG back-end (:mod:`autograd_mini.viz.chart_svg`),
used where matplotlib is missing (a browser's Pyodide).

It knows what the course's figures need and nothing more: axes on a linear or a log
scale with their ticks, boxes for panels, and text.  Every string is escaped, so a label
is always shown as written.  A :class:`Box` is one panel's drawing area;
:func:`document` puts panels together into one ``<svg>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

__all__ = ["Box", "Scale", "document", "text", "nice_ticks", "log_ticks", "attribute"]

FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def text(x: float, y: float, words: str, *, size: float = 11, anchor: str = "middle",
         rotate: float = 0, weight: str = "normal", colour: str = "#222") -> str:
    """``words`` at (x, y) in pixels, escaped; ``anchor`` is start, middle or end."""
    turn = f" transform='rotate({rotate:g} {x:.1f} {y:.1f})'" if rotate else ""
    return (f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size:g}' text-anchor='{anchor}' "
            f"font-weight='{weight}' fill='{colour}'{turn}>{escape(words)}</text>")


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round numbers (1, 2 or 5 times a power of ten apart) in [lo, hi]."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / count
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9)
    ticks = [k * step for k in range(first, int(math.floor(hi / step + 1e-9)) + 1)]
    return [0.0 if abs(t) < step * 1e-9 else t for t in ticks]


def log_ticks(lo: float, hi: float) -> list[float]:
    """The exponents k (ticks at 10**k) in [lo, hi], given as log10s; thinned to <= 8."""
    ks = list(range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1))
    stride = max(1, math.ceil(len(ks) / 8))
    return [float(k) for k in ks[::stride]] or [lo]


def tick_label(value: float, log: bool) -> str:
    if log:
        return "10" + f"{int(round(value))}".translate(SUPERSCRIPT)
    return f"{value:g}"


@dataclass
class Scale:
    """One axis: data ``lo`` to ``hi`` (log10s on a log axis) onto pixels ``start`` to
    ``end`` (``end`` < ``start`` for a y axis, whose pixels grow downward)."""

    lo: float
    hi: float
    start: float
    end: float
    log: bool = False

    @classmethod
    def fitting(cls, values: Sequence[float], start: float, end: float, log: bool = False,
                pad: float = 0.05) -> Scale:
        """A scale that shows every finite ``values`` (> 0 on a log axis), with a margin."""
        data = [math.log10(v) if log else v for v in values
                if math.isfinite(v) and (v > 0 or not log)]
        lo, hi = (min(data), max(data)) if data else (0.0, 1.0)
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        margin = (hi - lo) * pad
        return cls(lo - margin, hi + margin, start, end, log)

    def shows(self, value: float) -> bool:
        return math.isfinite(value) and (value > 0 or not self.log)

    def __call__(self, value: float) -> float:
        v = math.log10(value) if self.log else value
        return self.start + (v - self.lo) / (self.hi - self.lo) * (self.end - self.start)

    def ticks(self) -> list[tuple[float, str]]:
        """(pixel, label) of each tick."""
        found = log_ticks(self.lo, self.hi) if self.log else nice_ticks(self.lo, self.hi)
        pixel = (lambda k: self(10.0 ** k)) if self.log else self
        return [(pixel(k), tick_label(k, self.log)) for k in found]


@dataclass
class Box:
    """One panel: its place in the figure (pixels) and the SVG elements drawn in it."""

    left: float
    top: float
    width: float
    height: float
    parts: list[str] = field(default_factory=list)

    def add(self, element: str) -> None:
        self.parts.append(element)

    def title(self, words: str) -> None:
        if words:
            self.add(text(self.left + self.width / 2, self.top + 15, words, size=12,
                          weight="bold"))


def document(width: float, height: float, boxes: Sequence[Box], title: str = "") -> str:
    """The whole figure as one SVG document: a white page, the title, every box."""
    head = (f"<svg xmlns='http://www.w3.org/2000/svg' class='autograd-mini-figure' "
            f"width='{width:.0f}' height='{height:.0f}' viewBox='0 0 {width:.0f} {height:.0f}' "
            f"{FONT}>")
    body = [f"<rect width='{width:.0f}' height='{height:.0f}' fill='white'/>"]
    if title:
        body.append(text(width / 2, 18, title, size=13, weight="bold"))
    for box in boxes:
        body.extend(box.parts)
    return head + "\n".join(body) + "</svg>\n"


def attribute(value: str) -> str:
    """A quoted, escaped attribute value (for colours given by a caller)."""
    return quoteattr(value)
