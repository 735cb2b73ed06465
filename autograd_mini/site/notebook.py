"""A course notebook as the site reads it: the builder copies each one in without its
outputs and lists it by its title; the course page asks for its cells.

    >>> notebook_cells({"cells": [{"cell_type": "code", "source": ["x = 1\\n", "x"]}]})
    [{'type': 'code', 'source': 'x = 1\\nx', 'hidden': False}]
"""

from __future__ import annotations

import json

from .entry import reported

__all__ = ["notebook_cells", "notebook_cells_json", "cell_source", "title", "without_outputs"]


def cell_source(cell: dict) -> str:
    """A cell's text (a notebook file keeps it as one string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def notebook_cells(notebook: dict) -> list[dict]:
    """A notebook's cells without their outputs: ``{"type": "markdown" | "code",
    "source", "hidden"}`` (``hidden``: a solution, shown folded)."""
    return [{"type": cell["cell_type"], "source": cell_source(cell),
             "hidden": bool(cell.get("metadata", {}).get("jupyter", {}).get("source_hidden"))}
            for cell in notebook.get("cells", [])
            if cell.get("cell_type") in ("markdown", "code")]


@reported
def notebook_cells_json(text: str) -> str:
    """The course page's call: :func:`notebook_cells` of a notebook's JSON text, as JSON."""
    return json.dumps(notebook_cells(json.loads(text)), ensure_ascii=False)


def title(notebook: dict) -> str:
    """The first heading of a notebook's markdown (without its #s)."""
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "markdown":
            for line in cell_source(cell).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip().replace("`", "")
    return "a notebook"


def without_outputs(notebook: dict) -> dict:
    """The notebook with no outputs, execution counts or saved widget state (the course
    page runs every cell itself); changed in place, and returned."""
    notebook.get("metadata", {}).pop("widgets", None)
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook
