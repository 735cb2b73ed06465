"""autograd_mini: a scalar reverse-mode automatic differentiation engine for learning.

    >>> from autograd_mini import Value
    >>> x = Value(2.0, label="x")
    >>> y = x * x + 3 * x
    >>> y.backward()
    >>> x.grad  # dy/dx = 2x + 3
    7.0
"""

import importlib
import sys

from .bridges.saving import load, save
from .core.anomaly import AnomalyError, detect_anomaly
from .core.checks import StaleGraphError
from .core.collector import gc_paused
from .core.engine import Value, apply, grad, gradients, topological_order
from .core.interpret import interpret
from .core.language import current_language, set_language
from .core.naming import display_names
from .core.ops import PRIMITIVES, Primitive, register
from .core.sums import dot, sum  # noqa: F401  (autograd_mini.sum; not in __all__)
from .core.transforms import hessian, jvp, vjp
from .explain.trace import trace
from .explain.watch import TrainingRecord, watch

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
    "watch",
    "set_language",
    "current_language",
    "TrainingRecord",
    "save",
    "load",
    "draw_dot",
    "explore",
]
# autograd_mini.sum is left out of __all__: ``from autograd_mini import *`` must not
# replace the built-in sum (autograd_mini.sum([]) raises, sum([]) is 0).
__version__ = "0.1.0"

# Where modules lived before the package was laid out as core/, explain/, bridges/: code
# written against the old paths (``from autograd_mini.engine import Value``) keeps working.
MOVED = {
    "engine": "core.engine", "ops": "core.ops", "checks": "core.checks",
    "anomaly": "core.anomaly", "collector": "core.collector", "naming": "core.naming",
    "functional": "core.transforms", "functions": "core.sums", "handwritten": "core.handwritten",
    "trace": "explain.trace", "quiz": "explain.quiz", "expression": "explain.expression",
    "export": "bridges", "compile": "bridges.compile", "saving": "bridges.saving",
    "files": "bridges.files", "torch_bridge": "bridges.pytorch", "sympy_bridge": "bridges.symbolic",
}
for _old, _new in MOVED.items():
    sys.modules.setdefault(f"{__name__}.{_old}", importlib.import_module(f".{_new}", __name__))


def __getattr__(name: str):
    # Pictures need the graphviz package and the explorer anywidget; the engine needs
    # only the standard library, so they are imported the first time they are asked for.
    if name == "draw_dot":
        from .viz.graph import draw_dot

        return draw_dot
    if name == "explore":  # the notebook explorer needs anywidget
        from .viz.explorer import explore

        return explore
    if name in MOVED:  # autograd_mini.engine, as a module of its old name
        return sys.modules[f"{__name__}.{name}"]
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")
