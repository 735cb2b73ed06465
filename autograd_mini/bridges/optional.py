"""Optional packages: imported where they are used, with one install hint.

``import autograd_mini`` needs the standard library only; torch, sympy and friends are
imported the first time a function needs them, through :func:`require`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["require"]


def require(name: str, who: str, extra: str) -> ModuleType:
    """The package ``name``, or an ImportError saying that ``who`` needs it and how to
    install it (the project's extra ``extra``, or the package alone)."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(f"{who} needs {name}: pip install -e '.[{extra}]' "
                          f"(or pip install {name})") from error
