"""The notebooks' figures: each described once as plain data, drawn by matplotlib where it
is installed, and as the package's own SVG where it is not (a browser).  The SVG is parsed
and its content checked: the ticks of a log axis, one line per series, squares whose area
follows the weight, labels escaped, the figure falling back to it when matplotlib is
missing; and both back-ends are checked to draw the one description."""

from __future__ import annotations

import base64
import dataclasses
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograd_mini.viz import chart, plots, svgplot
from autograd_mini.viz.plots import (
    Activity,
    Boundary,
    Chart,
    Figure,
    Hinton,
    Series,
    loss_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[1]


def parsed(figure: Figure) -> ET.Element:
    """The figure's SVG, parsed (it must be well-formed XML)."""
    return ET.fromstring(figure.svg())


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_nice_ticks_are_round_and_inside_the_range():
    assert svgplot.nice_ticks(0.0, 10.0) == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert svgplot.nice_ticks(-0.37, 0.52) == pytest.approx([-0.2, 0.0, 0.2, 0.4])
    assert svgplot.nice_ticks(3.0, 3.0) == [3.0]


def test_a_log_axis_has_a_tick_at_each_power_of_ten():
    ys = [10.0 ** -k for k in range(1, 6)]  # 0.1 ... 1e-5
    root = parsed(Figure(Chart([Series(range(5), ys, style="o-")], log="y")))
    labels = texts(root)
    for k in range(1, 6):
        assert "10" + f"-{k}".translate(svgplot.SUPERSCRIPT) in labels
    # the points fall on a straight line: equal steps in log10 are equal steps in pixels
    ys_px = [float(c.get("cy")) for c in root.iter(f"{SVG}circle")]
    gaps = [b - a for a, b in zip(ys_px, ys_px[1:])]
    assert max(gaps) - min(gaps) < 0.2 and gaps[0] > 0  # smaller values lower down


def test_each_series_is_a_line_with_its_markers_and_a_legend_entry():
    chart = Chart([Series([1, 2, 3], [1, 4, 9], "squares", "o-"),
                   Series([1, 2, 3], [1, 2, 3], "line", "s--")], xlabel="n", ylabel="size")
    root = parsed(Figure(chart))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 2
    assert lines[1].get("stroke-dasharray") == plots.DASHES["--"]
    assert len(list(root.iter(f"{SVG}circle"))) == 3 + 1  # three points, one in the legend
    assert {"squares", "line", "n", "size"} <= set(texts(root))


def test_invert_x_puts_the_first_point_on_the_right():
    root = parsed(Figure(Chart([Series([1, 2], [1, 2], style="o")], invert_x=True)))
    first, second = (float(c.get("cx")) for c in root.iter(f"{SVG}circle"))
    assert first > second


def test_a_point_that_a_log_axis_cannot_show_breaks_the_line():
    root = parsed(Figure(Chart([Series([1, 2, 3, 4, 5], [1, 2, 0, 4, 5])], log="y")))
    assert len(list(root.iter(f"{SVG}polyline"))) == 2


def test_labels_are_escaped():
    hostile = "<script>alert(1)</script> & \"quotes\""
    root = parsed(Figure(Chart([Series([1, 2], [3, 4], hostile)], title=hostile),
                         title=hostile))
    assert texts(root).count(hostile) == 3  # shown as written, as text
    assert "<script>" not in Figure(Chart([], title=hostile)).svg()


def test_hinton_squares_have_area_proportional_to_the_weight():
    root = parsed(Figure(Hinton([[1.0, -0.25, 0.0]], max_weight=1.0, col_labels=["a", "b", "c"])))
    squares = [r for r in root.iter(f"{SVG}rect")  # the page itself has no x
               if r.get("fill") in ("white", "black") and r.get("x") is not None]
    full, quarter = (float(s.get("width")) for s in squares[:2])
    assert (quarter / full) ** 2 == pytest.approx(0.25, rel=1e-3)  # area ∝ |w|
    assert [s.get("fill") for s in squares[:2]] == ["white", "black"]  # + white, − black
    assert float(squares[2].get("width")) == 0.0
    assert {"a", "b", "c"} <= set(texts(root))


def test_activity_rows_run_from_the_bottom_and_mark_the_answers():
    rows = [("input", [1.0, 0.0], ["p", "q"]), ("output", [0.25, 1.0], ["r", "s"])]
    root = parsed(Figure(Activity(rows, marked=[1], title="one\ntwo")))
    y_of = {t.text: float(t.get("y")) for t in root.iter(f"{SVG}text")}
    assert y_of["input"] > y_of["output"]  # input at the bottom
    assert {"one", "two"} <= set(y_of)
    outlined = [r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#dc2626"]
    assert len(outlined) == 1


def test_a_decision_boundary_colours_each_side_and_its_points():
    boundary = Boundary(lambda x, y: x - y, [(0, 0), (1, 2), (2, 1)], [1, -1, 1], steps=12)
    root = parsed(Figure(boundary))
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert set(plots.REGION_COLOURS) <= set(fills)
    assert len(fills) < 12 * 12  # a run of equal cells is one rectangle
    points = [c.get("fill") for c in root.iter(f"{SVG}circle")]
    assert points == [plots.POINT_COLOURS[1], plots.POINT_COLOURS[0], plots.POINT_COLOURS[1]]


def test_rows_of_panels_share_the_figure():
    figure = Figure([[loss_chart([1, 0.1]), loss_chart([1, 0.5])], [loss_chart([2, 1])]],
                    size=(8, 6), heights=[2, 1], title="three")
    root = parsed(figure)
    assert (root.get("width"), root.get("height")) == ("768", "576")
    assert texts(root).count("training error") == 3
    with pytest.raises(ValueError, match="heights gives 1 rows, the figure has 2"):
        Figure([[loss_chart([1])], [loss_chart([1])]], heights=[1])
    with pytest.raises(ValueError, match="as many x as y"):
        Series([1, 2], [1])


def test_without_matplotlib_a_figure_shows_the_packages_svg(monkeypatch):
    monkeypatch.setattr(plots, "has_matplotlib", lambda: False)
    figure = Figure(Chart([Series([1, 2], [3, 4], "a")]))
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"] == figure.svg()
    assert bundle["text/plain"] == "<autograd_mini figure: 1 panel(s)>"


def test_with_matplotlib_a_figure_shows_matplotlibs_svg_and_a_png():
    pytest.importorskip("matplotlib")
    bundle = Figure([Chart([Series([1, 10, 100], [1, 2, 3], "a", "o-")], log="x"),
                     Hinton([[1, -1]]), Activity([("x", [0.5], ["u"])]),
                     Boundary(lambda x, y: x, [(0, 0), (1, 1)], [1, -1], steps=5)],
                    size=(9, 3))._repr_mimebundle_()
    assert "Matplotlib" in bundle["image/svg+xml"]
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_the_matplotlib_figure_has_one_axes_per_panel_and_its_scales():
    pytest.importorskip("matplotlib")
    fig = Figure([[Chart([Series([1, 10], [1, 100])], log="xy", title="t")],
                  [loss_chart([3, 2, 1]), Hinton([[1]])]]).matplotlib()
    axes = [ax for ax in fig.get_axes() if ax.get_title() in ("t", "training error", "")]
    assert len(fig.get_axes()) == 3
    assert (axes[0].get_xscale(), axes[0].get_yscale()) == ("log", "log")
    assert any(ax.get_title() == "training error" and ax.get_yscale() == "log" for ax in axes)


def test_the_legend_goes_to_the_corner_with_fewest_points():
    rising = Chart([Series(range(10), range(10), "rising", "o-")])  # fills two corners
    root = parsed(Figure(rising))
    legend = next(r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#ccc")
    frame = next(r for r in root.iter(f"{SVG}rect") if r.get("stroke") == "#333")
    assert float(legend.get("x")) < float(frame.get("x")) + 10  # on the left ...
    assert float(legend.get("y")) < float(frame.get("y")) + 10  # ... at the top


# --- One description, two back-ends --------------------------------------------------------


def test_each_panel_is_described_once_as_plain_data():
    hinton = Hinton([[1.0, -0.25]], max_weight=1.0, row_labels=["r"], col_labels=["a", "b"])
    squares = hinton.describe()
    assert isinstance(squares, chart.Squares)
    assert [(s.x, s.y, s.fill) for s in squares.squares] == [(0, 0, "white"), (1, 0, "black")]
    assert [s.side for s in squares.squares] == pytest.approx([0.9, 0.45])  # area ∝ |w|
    assert {(a.words, a.side) for a in squares.labels} == {("r", "left"), ("a", "below"),
                                                            ("b", "below")}
    boundary = Boundary(lambda x, y: x - y, [(0, 0), (1, 2)], [1, -1], steps=4).describe()
    assert isinstance(boundary, Chart) and len(boundary.regions.kinds) == 4
    assert boundary.regions.colours == plots.REGION_COLOURS
    layout = Figure([loss_chart([1, 0]), hinton], title="t").layout()
    assert dataclasses.asdict(layout)["rows"][0][0]["series"][0]["ys"] == [1.0, 1e-12]
    assert layout.rows[0][1] == squares  # described once, the same for both back-ends


def test_both_back_ends_draw_the_squares_of_one_description():
    pytest.importorskip("matplotlib")
    from matplotlib.patches import Rectangle

    activity = Activity([("in", [1.0, 0.5, 0.0], ["a", "b", "c"]), ("out", [0.2, 0.9], [])],
                        marked=[1])
    described = activity.describe()
    (ax,) = Figure(activity).matplotlib().get_axes()
    drawn = [p for p in ax.patches if isinstance(p, Rectangle)]
    svg = [r for r in parsed(Figure(activity)).iter(f"{SVG}rect") if r.get("x") is not None]
    assert len(drawn) == len(svg) == len(described.bands) + len(described.squares) == 8
    words = {t.get_text() for t in ax.texts}
    assert words == set(texts(parsed(Figure(activity)))) == {"in", "out", "a", "b", "c"}


def test_the_svg_back_end_needs_no_matplotlib():
    """As in a browser's Pyodide: every kind of panel drawn with matplotlib unimportable."""
    program = """
import sys
sys.modules["matplotlib"] = None  # importing it fails
from autograd_mini.viz.plots import (Activity, Boundary, Chart, Figure, Hinton, Series,
                                     has_matplotlib, loss_chart)
figure = Figure([Chart([Series([1, 2], [3, 4], "a", "o-")]), loss_chart([2, 1]),
                 Hinton([[1, -1]]), Activity([("x", [0.5], ["u"])]),
                 Boundary(lambda x, y: x, [(0, 0), (1, 1)], [1, -1], steps=5)])
print(figure._repr_mimebundle_()["image/svg+xml"][:4])
"""
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "<svg"
