"""Save a model's architecture and weights as JSON, and load it back.

    >>> import random, tempfile, os
    >>> from autograd_mini.nn import MLP
    >>> from autograd_mini.bridges.saving import save, load
    >>> model = MLP(2, [3, 1], rng=random.Random(0))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> _ = save(model, path)
    >>> load(path).state_dict() == model.state_dict()
    True

Writing is atomic (see :mod:`autograd_mini.bridges.files`), so a failure leaves any older file
whole, and a model with a non-finite weight is refused before anything is written.
Reading checks the file before building anything: a corrupt, hostile or mismatched file
raises :class:`ModelFileError`, at a cost proportional to the file's size, and changes
nothing.
"""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

from ..core.language import _
from ..nn import MLP, Layer, Module, Neuron
from .files import MissingFolderError, NotARegularFileError, write_atomically

__all__ = ["save", "load", "ModelFileError", "MODEL_TYPES"]

FORMAT = "autograd_mini.model"
VERSION = 1
MODEL_TYPES: dict[str, type[Module]] = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}


class ModelFileError(ValueError):
    """A model file cannot be written as asked, or is not a model this library wrote,
    or does not fit the model given."""


def save(model: Module, path: str | os.PathLike) -> Path:
    """Write ``model`` (its type, shape and weights) to ``path`` as JSON.

    Raises:
        TypeError: ``model`` is not a Neuron, Layer or MLP.
        ModelFileError: a weight is NaN or infinite (the model diverged: the file on disk,
            if any, is kept), ``path`` is something other than a regular file, or it
            cannot be written (a link loop, a name too long, a NUL in it, a full disk, no
            permission): the message names the path and the reason; nothing is written.
        FileNotFoundError: the folder of ``path`` does not exist (the message names it).
    """
    name = type(model).__name__
    if MODEL_TYPES.get(name) is not type(model):
        raise TypeError(_("cannot save a {kind}: save() knows {known}; for other modules "
                          "save model.state_dict() yourself", kind=name,
                          known=", ".join(MODEL_TYPES)))
    parameters = model.state_dict()
    bad = next((k for k, v in parameters.items() if not math.isfinite(v)), None)
    if bad is not None:
        raise ModelFileError(_("cannot save {path}: parameter {name} is {number} (the model "
                               "has diverged); nothing was written", path=repr(str(path)),
                               name=repr(bad), number=parameters[bad]))
    document = {"format": FORMAT, "version": VERSION, "type": name,
                "config": model.config(), "parameters": parameters}
    text = json.dumps(document, indent=1, allow_nan=False)
    try:
        return write_atomically(path, text)
    except NotARegularFileError as error:
        raise ModelFileError(_("cannot save: {error}", error=error)) from None
    except MissingFolderError:
        raise  # as load's missing file: a FileNotFoundError, naming the folder
    except (OSError, ValueError) as error:  # a link loop, a name too long, a NUL, a full disk
        raise ModelFileError(_("cannot save {path}: {reason}; nothing was written",
                               path=_short(str(path)), reason=_reason(error))) from None


def load(path: str | os.PathLike, into: Module | None = None) -> Module:
    """Read a model written by :func:`save`.

    The file's declared shape is checked against the parameters it holds before any
    model is built, so rejecting a file costs time and memory in proportion to its size.

    Args:
        path: the file.
        into: an existing model of the same type and shape to receive the weights;
            it is left untouched if anything is wrong with the file.

    Returns:
        The model (``into`` itself, or a new one).

    Raises:
        ModelFileError: the path is not a regular file, or the file is not valid JSON, not
            a model file, of an unknown type or version, declares a shape its parameters do
            not have, or does not fit ``into``.
        FileNotFoundError: nothing is at ``path``.
    """
    path = Path(path)
    document = _read_json(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(_("{path}: not an autograd_mini model file", path=str(path)))
    version = document.get("version")
    if type(version) is not int or version != VERSION:  # `true == 1` in Python
        raise ModelFileError(_("{path}: model file version {version}, this library reads "
                               "version {known}", path=str(path), version=_short(version),
                               known=VERSION))
    kind, config, parameters = (document.get(k) for k in ("type", "config", "parameters"))
    if not isinstance(kind, str) or kind not in MODEL_TYPES or not isinstance(config, dict) \
            or not isinstance(parameters, dict):
        raise ModelFileError(_("{path}: unknown model type {kind} or missing "
                               "config/parameters", path=str(path), kind=_short(kind)))
    try:  # the type's own description of its shape, read before anything is built
        declared = MODEL_TYPES[kind].parameter_count(config)
    except ValueError as error:
        raise ModelFileError(_("{path}: bad config {config} for a {kind}: {error}",
                               path=str(path), config=_short(config), kind=kind,
                               error=error)) from None
    if declared != len(parameters):
        raise ModelFileError(_("{path}: the config declares {declared} parameters but the "
                               "file holds {count}", path=str(path), declared=_short(declared),
                               count=len(parameters)))
    model = _receiver(path, MODEL_TYPES[kind], config, into)
    try:
        model.load_state_dict(parameters)
    except (ValueError, OverflowError) as error:  # OverflowError: an int beyond any float
        raise ModelFileError(f"{path}: {_short(error)}") from None
    return model


def _read_json(path: Path) -> object:
    """The parsed file; every way of not being a JSON file is a ModelFileError (a
    missing file stays a FileNotFoundError)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as error:  # a link loop, a path through a file, a NUL
        raise ModelFileError(_("{path}: cannot be read: {reason}", path=repr(str(path)),
                               reason=_reason(error))) from None
    if not stat.S_ISREG(mode):  # never open a FIFO or a device
        raise ModelFileError(_("{path}: not a regular file", path=str(path)))
    try:
        return json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError, MemoryError, OSError) as error:
        # ValueError covers bad JSON, bad UTF-8 and integers of over 4,300 digits.
        raise ModelFileError(_("{path}: not a model file ({error})", path=str(path),
                               error=_short(error))) from None


def _receiver(path: Path, cls: type[Module], config: dict, into: Module | None) -> Module:
    """The model to receive the file's weights: ``into`` if it has the file's type and
    shape, else a new one built from ``config``."""
    if into is None:
        try:
            return cls.from_config(config)
        except (TypeError, ValueError) as error:
            raise ModelFileError(_("{path}: bad config {config}: {error}", path=str(path),
                                   config=_short(config), error=error)) from None
    if type(into) is not cls or into.config() != config:
        raise ModelFileError(_("{path}: holds a {kind} {config}, which does not fit the "
                               "{given} {shape} given", path=str(path), kind=cls.__name__,
                               config=_short(config), given=type(into).__name__,
                               shape=into.config()))
    return into


def _reason(error: BaseException) -> str:
    """What the system said, without the path (the message gives it once)."""
    return getattr(error, "strerror", None) or str(error)


def _short(thing: object, limit: int = 200) -> str:
    """``repr(thing)`` cut to ``limit`` characters (a hostile file can hold huge values)."""
    try:
        text = repr(thing) if not isinstance(thing, BaseException) else str(thing)
    except ValueError:  # an integer too long to print
        text = f"<a {type(thing).__name__} too long to show>"
    return text if len(text) <= limit else text[:limit] + "..."
