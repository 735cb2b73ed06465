"""Write a file whole or not at all, as ``open()`` would have made it.

    >>> import os, tempfile
    >>> from autograd_mini.files import write_atomically
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
* the temporary file is removed if writing fails, if the process is stopped with
  SIGTERM, or -- when the process was killed outright -- by the next write to the
  same path, which removes stale temporary files of its own naming.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["write_atomically", "NotARegularFileError"]


class NotARegularFileError(OSError):
    """The path exists and is not a regular file (a folder, a FIFO, a device, ...)."""


def write_atomically(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` (text is encoded as UTF-8) to ``path``: whole or not at all.

    A symbolic link is followed, as ``open()`` would: its target is replaced.

    Raises:
        NotARegularFileError: something other than a regular file is at ``path``.
        OSError: the folder is missing or not writable, the disk is full, ...
    """
    path = Path(path)
    target = Path(os.path.realpath(path))
    if not target.parent.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: the folder "
                                f"{str(target.parent)!r} does not exist")
    mode = _existing_mode(target)
    _remove_stale_temporaries(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _removed_on_sigterm(temporary):
        try:
            # O_EXCL: never write through a file or link someone else put there.
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(handle, "wb") as file:
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
        raise NotARegularFileError(f"{str(target)!r} exists and is not a regular file; "
                                   "refusing to replace it")
    return stat.S_IMODE(info.st_mode) & 0o777


def _temporary_pattern(target: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(target.name)}\.(\d+)-[0-9a-f]{{8}}\.tmp")


def _remove_stale_temporaries(target: Path) -> None:
    """Remove temporary files of ``target``'s naming whose writing process is gone."""
    pattern = _temporary_pattern(target)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return  # the write itself reports a missing or unreadable folder
    for name in names:
        match = pattern.fullmatch(name)
        if match and not _process_alive(int(match.group(1))):
            _unlink_quietly(target.parent / name)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of ours may be writing it now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or not a process id we can ask about
    return True


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# Temporary files being written now, removed by the SIGTERM handler below.
_writing: set[Path] = set()
_lock = threading.Lock()


@contextmanager
def _removed_on_sigterm(temporary: Path) -> Iterator[None]:
    """While the block runs, SIGTERM removes ``temporary`` before the process ends.

    The handler is installed only where SIGTERM would otherwise end the process at once
    (its default action) and only from the main thread (Python's rule for handlers); it
    removes the files being written, restores the default action and re-sends the
    signal, so the process still ends the way its sender asked.
    """
    with _lock:
        _writing.add(temporary)
        installed = len(_writing) == 1 and _install_handler()
    try:
        yield
    finally:
        with _lock:
            _writing.discard(temporary)
            if installed:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _install_handler() -> bool:
    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False  # the program handles SIGTERM itself
    signal.signal(signal.SIGTERM, _on_sigterm)
    return True


def _on_sigterm(signum: int, frame: object) -> None:
    for temporary in list(_writing):
        _unlink_quietly(temporary)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
