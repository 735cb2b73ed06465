"""autograd_mini: a scalar reverse-mode automatic differentiation engine for learning.

    >>> from autograd_mini import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad  # dy/dx = 2x + 3
    7.0
"""

from .anomaly import AnomalyError, detect_anomaly
from .checks import StaleGraphError
from .collector import gc_paused
from .engine import Value, apply, grad, gradients, interpret, topological_order
from .functional import hessian, jvp, vjp
from .functions import dot, sum  # noqa: F401  (autograd_mini.sum; not in __all__)
from .naming import display_names
from .ops import PRIMITIVES, Primitive, register
from .saving import load, save
from .trace import trace

__all__ = [
    "Value",
    "apply",
    "detect_anomaly",
    "AnomalyError",
    "StaleGraphError",
    "dot",
    "gc_paused",
    "grad",
    "gradients",
    "display_names",
    "hessian",
    "jvp",
    "vjp",
    "topological_order",
    "interpret",
    "PRIMITIVES",
    "Primitive",
    "register",
    "trace",
    "save",
    "load",
    "draw_dot",
    "explore",
]
# autograd_mini.sum is left out of __all__: ``from autograd_mini import *`` must not
# replace the built-in sum (autograd_mini.sum([]) raises, sum([]) is 0).
__version__ = "0.1.0"


def __getattr__(name: str):
    # Pictures need the graphviz package and the explorer anywidget; the engine needs
    # only the standard library, so they are imported the first time they are asked for.
    if name == "draw_dot":
        from .viz.graph import draw_dot

        return draw_dot
    if name == "explore":  # the notebook explorer needs anywidget
        from .viz.explorer import explore

        return explore
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")
