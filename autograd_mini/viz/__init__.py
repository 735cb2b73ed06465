"""Pictures: graphviz graphs of Values, the step-by-step HTML viewer."""

from .graph import FORMATS, Graph, GraphvizError, GraphvizNotFound, draw_dot, save

__all__ = ["draw_dot", "save", "Graph", "GraphvizNotFound", "GraphvizError", "FORMATS"]
