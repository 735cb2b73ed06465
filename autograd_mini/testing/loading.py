"""Find an engine's class from a command line's words: ``path/to/engine.py:Value`` or
``package.module:Value``.  Importing the file runs it, as pytest runs a test file."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path

from ..core.language import _

__all__ = ["load_engine", "split_target", "EngineLoadError", "FILE_MODULE_PREFIX"]

FILE_MODULE_PREFIX = "_autograd_mini_engine_"  # the module a file is imported as


class EngineLoadError(ValueError):
    """The target names no class that can be loaded; the message says why, in one line."""


def load_engine(target: str) -> type:
    """The class ``target`` names: ``FILE.py:NAME`` (a file, imported with its folder on
    the import path, so that its own imports work) or ``MODULE:NAME``."""
    where, name = split_target(target)
    module = _from_file(Path(where)) if where.endswith(".py") else _from_module(where)
    found = getattr(module, name, None)
    if found is None:
        raise EngineLoadError(_("{where} has no {name}", where=where, name=repr(name)))
    if not isinstance(found, type):
        raise EngineLoadError(_("{where}:{name} is a {kind}, not a class", where=where,
                                name=name, kind=type(found).__name__))
    return found


def split_target(target: str) -> tuple[str, str]:
    """``(where, name)`` of ``FILE.py:NAME`` or ``MODULE:NAME``, the file's existence
    checked, without running anything: a grader checks its arguments before it starts
    the process that imports the student's code."""
    where, sep, name = str(target).rpartition(":")
    if not sep or not where or not name.isidentifier():
        raise EngineLoadError(_("expected FILE.py:CLASS or MODULE:CLASS (say "
                                "engine.py:Value), got {target}", target=repr(target)))
    if where.endswith(".py") and not Path(where).is_file():
        raise EngineLoadError(_("no such file: {path}", path=repr(where)))
    return where, name


def _from_module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise EngineLoadError(_("cannot import {name}: {error}", name=repr(name),
                                error=str(error))) from None
    except Exception as error:  # the module's own code failed as it ran
        raise EngineLoadError(_("importing {name} raised {error}", name=repr(name),
                                error=f"{type(error).__name__}: {error}")) from None


def _from_file(path: Path):
    if not path.is_file():
        raise EngineLoadError(_("no such file: {path}", path=repr(str(path))))
    path = path.resolve()
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    name = f"{FILE_MODULE_PREFIX}{path.stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    sys.path.insert(0, folder)  # its own imports (from nn import MLP) find their files
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as error:
        del sys.modules[name]
        if isinstance(error, KeyboardInterrupt):
            raise
        raise EngineLoadError(_("running {path} raised {error}", path=repr(str(path)),
                                error=f"{type(error).__name__}: {error}")) from None
    finally:
        sys.path.remove(folder)
    return module
