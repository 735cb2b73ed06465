"""Pictures: graphviz graphs of Values, the step-by-step HTML viewer.

``draw_dot`` builds DOT text from a graph and a :class:`View`; turning DOT text into a
picture is :func:`autograd_mini.viz.rendering.render`, the one rendering seam.
"""

from .graph import (
    FORMATS,
    Graph,
    GraphvizError,
    GraphvizNotFound,
    GraphvizTimeout,
    View,
    draw_dot,
    save,
)

__all__ = ["draw_dot", "View", "save", "Graph", "GraphvizNotFound", "GraphvizError",
           "GraphvizTimeout", "FORMATS"]
