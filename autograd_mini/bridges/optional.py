"""Optional packages: imported where they are used, with one install hint.

``import autograd_mini`` needs the standard library only; torch, sympy and friends are
imported the first time a function needs them, through :func:`require`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..core.language import _

__all__ = ["require"]


def require(name: str, who: str, extra: str) -> ModuleType:
    """The package ``name``, or an ImportError saying that ``who`` (a message marked
    with ``N_``) needs it and how to install it (the project's extra ``extra``, or the
    package alone)."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(_("{who} needs {name}: pip install -e '.[{extra}]' "
                            "(or pip install {name})", who=_(who), name=name,
                            extra=extra)) from error
