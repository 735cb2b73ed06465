"""Forward mode against reverse mode: who pays for many inputs, who for many outputs.

For ``f: R^n -> R`` reverse mode (backprop) gets the whole gradient in one backward
sweep, forward mode needs one sweep per input.  For ``f: R -> R^m`` it is the other way
round.  Both sweeps read the same local derivatives from the op table; this demo
counts the node visits and times the sweeps for growing n and m, and plots them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from autograd_mini import Value, gradients, topological_order
from autograd_mini.core.language import N_, _
from autograd_mini.core.transforms import forward_sweep
from autograd_mini.demos.common import (
    output_folder,
    parser,
    progress,
    pyplot,
    right,
    save_figure,
    widths,
)


def many_to_one(xs: Sequence[Value]) -> Value:
    """``f(x) = Σ_i sin(x_i) · x_{i+1}`` (cyclically): n inputs, one output."""
    n = len(xs)
    terms = [xs[i].sin() * xs[(i + 1) % n] for i in range(n)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def one_to_many(x: Value, m: int) -> list[Value]:
    """The states ``h_k = sin(h_{k-1} · x)``, ``h_0 = x``, of a recurrence: one input,
    m outputs that share all the work before them (the mirror image of ``many_to_one``)."""
    states, h = [], x
    for _step in range(m):
        h = (h * x).sin()
        states.append(h)
    return states


def _timed(function) -> tuple[float, int]:
    start = time.perf_counter()
    visits = function()
    return time.perf_counter() - start, visits


def cost_many_to_one(n: int) -> dict[str, float]:
    """Full gradient of ``many_to_one`` in n variables, by each mode."""
    xs = [Value(0.1 * (i + 1)) for i in range(n)]
    y = many_to_one(xs)
    nodes = len(topological_order(y))

    def forward():  # one sweep per input direction e_i
        for x in xs:
            forward_sweep([y], {v: (1.0 if v is x else 0.0) for v in xs})
        return n * nodes

    def reverse():  # one backward sweep
        gradients(y)
        return nodes

    (tf, vf), (tr, vr) = _timed(forward), _timed(reverse)
    return {"n": n, "forward_time": tf, "forward_visits": vf,
            "reverse_time": tr, "reverse_visits": vr}


def cost_one_to_many(m: int) -> dict[str, float]:
    """All m derivatives of ``one_to_many``, by each mode."""
    x = Value(0.3)
    ys = one_to_many(x, m)
    joint = len(topological_order(*ys))

    def forward():  # one sweep carries the tangent to every output
        forward_sweep(ys, {x: 1.0})
        return joint

    def reverse():  # one backward sweep per output
        return sum(len(gradients(y)) for y in ys)

    (tf, vf), (tr, vr) = _timed(forward), _timed(reverse)
    return {"n": m, "forward_time": tf, "forward_visits": vf,
            "reverse_time": tr, "reverse_visits": vr}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser("modes").parse_args(argv)
    sizes = [1, 3, 10, 30, 100] if args.quick else [1, 3, 10, 30, 100, 300, 1000]
    show = not args.no_progress
    rows_in = [cost_many_to_one(n) for n in progress(sizes, show, desc="f: R^n -> R")]
    rows_out = [cost_one_to_many(m) for m in progress(sizes, show, desc="f: R -> R^m")]
    for title, rows, var in [(N_("f: R^n -> R (the gradient)"), rows_in, "n"),
                             (N_("f: R -> R^m (all m derivatives)"), rows_out, "m")]:
        print(f"\n{_(title)}")
        print(table(rows, var))
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, rows, title, var in [(axes[0], rows_in, _("many inputs, one output"), _("n inputs")),
                                 (axes[1], rows_out, _("one input, many outputs"),
                                  _("m outputs"))]:
        xs = [r["n"] for r in rows]
        ax.loglog(xs, [r["forward_time"] * 1e3 for r in rows], "o-",
                  label=_("forward mode (JVP)"))
        ax.loglog(xs, [r["reverse_time"] * 1e3 for r in rows], "s-",
                  label=_("reverse mode (backprop)"))
        ax.set(title=title, xlabel=var, ylabel=_("time for all derivatives (ms)"))
        ax.grid(True, which="major", alpha=0.3)
        ax.legend()
    fig.suptitle(_("The same local derivatives, swept in two directions"))
    path = save_figure(fig, output_folder(args), "forward_vs_reverse.png")
    print("\n" + _("figure: {path}", path=path))
    return 0


def table(rows: list[dict], var: str) -> str:
    """Each size's node visits and milliseconds, forward mode against reverse mode."""
    headers = [var, _("forward visits"), _("reverse visits"), _("forward ms"), _("reverse ms")]
    size, *cells = widths(headers, [6, 15, 15, 11, 11])
    lines = [" ".join(right(h, w) for h, w in zip(headers, [size, *cells]))]
    for r in rows:
        forward_visits, reverse_visits, forward_ms, reverse_ms = cells
        lines.append(f"{r['n']:>{size}} {r['forward_visits']:>{forward_visits},} "
                     f"{r['reverse_visits']:>{reverse_visits},} "
                     f"{1e3 * r['forward_time']:>{forward_ms}.2f} "
                     f"{1e3 * r['reverse_time']:>{reverse_ms}.2f}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
