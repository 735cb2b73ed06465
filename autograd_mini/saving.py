"""Save a model's architecture and weights as JSON, and load it back.

    >>> import random, tempfile, os
    >>> from autograd_mini.nn import MLP
    >>> from autograd_mini.saving import save, load
    >>> model = MLP(2, [3, 1], rng=random.Random(0))
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> _ = save(model, path)
    >>> load(path).state_dict() == model.state_dict()
    True

Writing is atomic (a temporary file, then a rename), so a failure leaves any older file
whole; a corrupt or mismatched file raises :class:`ModelFileError` and changes nothing.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path

from .nn import MLP, Layer, Module, Neuron

__all__ = ["save", "load", "ModelFileError", "MODEL_TYPES"]

FORMAT = "autograd_mini.model"
VERSION = 1
MODEL_TYPES: dict[str, type[Module]] = {"Neuron": Neuron, "Layer": Layer, "MLP": MLP}


class ModelFileError(ValueError):
    """The file is not a model this library wrote, or does not fit the model given."""


def save(model: Module, path: str | os.PathLike) -> Path:
    """Write ``model`` (its type, shape and weights) to ``path`` as JSON."""
    name = type(model).__name__
    if MODEL_TYPES.get(name) is not type(model):
        raise TypeError(f"cannot save a {name}: save() knows {', '.join(MODEL_TYPES)}; "
                        "for other modules save model.state_dict() yourself")
    document = {"format": FORMAT, "version": VERSION, "type": name,
                "config": model.config(), "parameters": model.state_dict()}
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(document, file, indent=1)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def load(path: str | os.PathLike, into: Module | None = None) -> Module:
    """Read a model written by :func:`save`.

    Args:
        path: the file.
        into: an existing model of the same type and shape to receive the weights;
            it is left untouched if anything is wrong with the file.

    Returns:
        The model (``into`` itself, or a new one).

    Raises:
        ModelFileError: the file is not valid JSON, not a model file, of an unknown type,
            or does not fit ``into``.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelFileError(f"{path}: not a model file ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an autograd_mini model file")
    if document.get("version") != VERSION:
        raise ModelFileError(f"{path}: model file version {document.get('version')!r}, "
                             f"this library reads version {VERSION}")
    cls = MODEL_TYPES.get(document.get("type"))
    config, parameters = document.get("config"), document.get("parameters")
    if cls is None or not isinstance(config, dict) or not isinstance(parameters, dict):
        raise ModelFileError(f"{path}: unknown model type {document.get('type')!r} "
                             "or missing config/parameters")
    if into is not None:
        if type(into) is not cls or into.config() != config:
            raise ModelFileError(f"{path}: holds a {cls.__name__} {config}, which does not fit "
                                 f"the {type(into).__name__} {into.config()} given")
        model = into
    else:
        try:
            model = cls(**config, rng=random.Random(0))  # weights are overwritten below
        except (TypeError, ValueError) as error:
            raise ModelFileError(f"{path}: bad config {config}: {error}") from None
    try:
        model.load_state_dict(parameters)
    except ValueError as error:
        raise ModelFileError(f"{path}: {error}") from None
    return model
