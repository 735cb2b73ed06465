"""Newton's method with the Hessian against gradient descent, in 1-D and 2-D.

Newton's step solves ``H Δx = -∇f``: it uses the curvature (second derivatives, here
from reverse-over-reverse ``hessian``) and converges in a handful of steps near the
minimum, where gradient descent crawls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd_mini import Value, grad, hessian
from autograd_mini.core.language import N_, _, ngettext
from autograd_mini.demos.common import output_folder, parser, pyplot, right, save_figure, widths

TOLERANCE = 1e-8


def bowl_1d(x: Value) -> Value:
    """``f(x) = x^2 + e^x``: its minimum is where ``2x + e^x = 0`` (x ≈ -0.3517)."""
    return x * x + x.exp()


def rosenbrock(x: Value, y: Value) -> Value:
    """``f(x, y) = (1 - x)^2 + 100 (y - x^2)^2``: a curved valley, minimum at (1, 1)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def gradient(f: Callable[..., Value], point: Sequence[float]) -> list[float]:
    leaves = [Value(p) for p in point]
    return grad(f(*leaves), leaves)


def solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve ``matrix · x = rhs`` by Gaussian elimination with partial pivoting."""
    n = len(rhs)
    a = [row[:] + [b] for row, b in zip(matrix, rhs)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if a[pivot][col] == 0.0:
            raise ZeroDivisionError(_("the Hessian is singular: no Newton step"))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            a[r] = [x - factor * y for x, y in zip(a[r], a[col])]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def newton(f, start, max_steps=100) -> list[list[float]]:
    """Newton's iterates ``x ← x - H⁻¹ ∇f`` until ``|∇f| < 1e-8``."""
    path = [list(start)]
    for _step in range(max_steps):
        g = gradient(f, path[-1])
        if max(abs(v) for v in g) < TOLERANCE:
            break
        step = solve(hessian(f, path[-1]), [-v for v in g])
        path.append([p + s for p, s in zip(path[-1], step)])
    return path


def gradient_descent(f, start, lr, max_steps) -> list[list[float]]:
    """Gradient descent's iterates ``x ← x - lr ∇f`` until ``|∇f| < 1e-8``."""
    path = [list(start)]
    for _step in range(max_steps):
        g = gradient(f, path[-1])
        if max(abs(v) for v in g) < TOLERANCE:
            break
        path.append([p - lr * v for p, v in zip(path[-1], g)])
    return path


def _grad_norms(f, path):
    return [max(abs(v) for v in gradient(f, p)) for p in path]


def main(argv: Sequence[str] | None = None) -> int:
    args = parser("newton").parse_args(argv)
    gd_limit = 2_000 if args.quick else 50_000
    problems = [(N_("1-D: x² + eˣ from x = 2"), bowl_1d, [2.0], 0.1),
                (N_("2-D: Rosenbrock from (-1.2, 1)"), rosenbrock, [-1.2, 1.0], 0.001)]
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, (title, f, start, lr) in zip(axes, problems):
        n_path = newton(f, start)
        g_path = gradient_descent(f, start, lr, gd_limit)
        n_norms, g_norms = _grad_norms(f, n_path), _grad_norms(f, g_path)
        print(f"\n{_(title)}")
        print(table(n_norms, g_norms))
        descent = (ngettext("{count:,} step", "{count:,} steps", len(g_path) - 1)
                   if g_norms[-1] < TOLERANCE else
                   _("not there after {steps:,} steps (|∇f| = {norm:.1e})", steps=gd_limit,
                     norm=g_norms[-1]))
        print(_("to |∇f| < 1e-8: Newton {newton}, gradient descent (lr {lr}) {descent}; "
                "Newton ends at {point}", lr=lr, descent=descent,
                newton=ngettext("{count:,} step", "{count:,} steps", len(n_path) - 1),
                point=[round(v, 6) for v in n_path[-1]]))
        ax.semilogy(range(len(g_norms)), [max(v, 1e-16) for v in g_norms],
                    label=_("gradient descent (lr {lr})", lr=lr))
        ax.semilogy(range(len(n_norms)), [max(v, 1e-16) for v in n_norms], "o-",
                    label=_("Newton (Hessian)"))
        ax.set_xscale("symlog", linthresh=10)
        ax.set(title=_(title), xlabel=_("step"), ylabel="max |∂f/∂x_i|")
        ax.legend()
    path = save_figure(fig, output_folder(args), "newton.png")
    print("\n" + _("figure: {path}", path=path))
    return 0


def table(n_norms: list[float], g_norms: list[float]) -> str:
    """Each step's largest |∂f/∂x_i|, for Newton and for gradient descent side by side."""
    headers = [_("step"), _("Newton |∇f|"), _("gradient descent |∇f|")]
    step, newton_width, descent_width = widths(headers, [6, 14, 22])
    rows = ["  ".join(right(h, w) for h, w in zip(headers, (step, newton_width,
                                                           descent_width)))]
    for k in range(max(len(n_norms), 8)):
        newton_cell = f"{n_norms[k]:{newton_width}.3e}" if k < len(n_norms) \
            else " " * newton_width
        gd_cell = f"{g_norms[k]:{descent_width}.3e}" if k < len(g_norms) else ""
        rows.append(f"{k:>{step}}  {newton_cell}  {gd_cell}")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
