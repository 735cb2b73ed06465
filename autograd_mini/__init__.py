"""autograd_mini: a scalar reverse-mode automatic differentiation engine for learning.

    >>> from autograd_mini import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad  # dy/dx = 2x + 3
    7.0
"""

from .engine import Value, apply, dot, gc_paused, grad, sum, topological_order
from .functional import hessian, jvp, vjp
from .ops import PRIMITIVES, Primitive, register
from .trace import trace
from .viz.graph import draw_dot

__all__ = [
    "Value",
    "apply",
    "dot",
    "gc_paused",
    "grad",
    "hessian",
    "jvp",
    "vjp",
    "sum",
    "topological_order",
    "PRIMITIVES",
    "Primitive",
    "register",
    "trace",
    "draw_dot",
]
__version__ = "0.1.0"
