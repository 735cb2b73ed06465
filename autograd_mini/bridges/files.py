"""Write a file whole or not at all, as ``open()`` would have made it.

    >>> import os, tempfile
    >>> from autograd_mini.bridges.files import write_atomically
    >>> path = write_atomically(os.path.join(tempfile.mkdtemp(), "notes.txt"), "hello")
    >>> path.read_text()
    'hello'

Every file the library writes (models, pictures, the step viewer, demo figures) goes
through :func:`write_atomically`:

* the data goes to a temporary file beside the target, which is then renamed over it,
  so a reader sees the old file or the new one, never half of one;
* a new file gets the mode ``open()`` would give it (``0o666`` less the umask: 0644
  under umask 022); a file replaced keeps its permission bits;
* anything at the path that is not a regular file (a folder, a FIFO, a device such
  as ``/dev/null``) is refused and left untouched;
* the temporary file is removed if writing fails.  A save killed outright (SIGKILL,
  SIGTERM, a power cut) may leave it behind: the next write into the same folder
  removes the temporary files of its naming that no writer holds.  The library installs no
  signal handler and asks about no other process: while a write runs, it holds a lock
  on its temporary file (``flock``), which the system drops when the writer dies.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from pathlib import Path

from ..core.language import _

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows, where an open file cannot be removed
    fcntl = None

__all__ = ["write_atomically", "NotARegularFileError", "MissingFolderError"]


class NotARegularFileError(OSError):
    """The path exists and is not a regular file (a folder, a FIFO, a device, ...)."""


class MissingFolderError(FileNotFoundError):
    """The folder the path names does not exist."""


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` (text is encoded as UTF-8) to ``path``: whole or not at all.

    A symbolic link is followed, as ``open()`` would: its target is replaced.

    Raises:
        NotARegularFileError: something other than a regular file is at ``path``.
        MissingFolderError: the folder of ``path`` does not exist (a FileNotFoundError).
        OSError: the folder is missing or not writable, the disk is full, ...
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise MissingFolderError(_("cannot write {path}: the folder {folder} does not exist",
                                   path=repr(str(path)), folder=repr(str(target.parent))))
    mode = _existing_mode(target)
    _remove_abandoned_temporaries(target)
    # A short name of its own (not the target's name plus a suffix): every name the file
    # system accepts for the target leaves room for it.
    temporary = target.with_name(f"{_TEMPORARY}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    # O_EXCL: never write through a file or link someone else put there.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            _hold(file.fileno())  # until it is renamed: no other write removes it
            if mode is not None:
                os.fchmod(file.fileno(), mode)
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
            os.replace(temporary, target)
    except BaseException:
        _unlink_quietly(temporary)
        raise
    return path


def _existing_mode(target: Path) -> int | None:
    """The permission bits of the regular file at ``target``, None if nothing is there."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFileError(_("{path} exists and is not a regular file; refusing to "
                                     "replace it", path=repr(str(target))))
    return stat.S_IMODE(info.st_mode) & 0o777


_TEMPORARY = ".autograd_mini-write"
_PATTERN = re.compile(rf"{re.escape(_TEMPORARY)}\.(\d+)-[0-9a-f]{{8}}\.tmp")


def _hold(handle: int) -> None:
    """Lock the temporary file being written, for as long as ``handle`` is open."""
    if fcntl is not None:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _remove_abandoned_temporaries(target: Path) -> None:
    """Remove temporary files of this module's naming beside ``target`` that no writer
    holds: what a killed write left.  This process's own are left to it (a thread of ours
    may have just made one and not locked it yet)."""
    try:
        names = os.listdir(target.parent)
    except OSError:
        return  # the write itself reports a missing or unreadable folder
    for name in names:
        match = _PATTERN.fullmatch(name)
        if match and int(match.group(1)) != os.getpid():
            _remove_if_abandoned(target.parent / name)


def _remove_if_abandoned(path: Path) -> None:
    if fcntl is None:  # pragma: no cover - Windows refuses to remove a file being written
        _unlink_quietly(path)
        return
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    try:
        if stat.S_ISREG(os.fstat(handle).st_mode):
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while a writer holds it
            os.unlink(path)
    except OSError:
        pass
    finally:
        os.close(handle)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
