"""Reading and writing the user's own files safely (exports and imports).

- Writing: the data goes to a new temporary file next to the target, created
  exclusively (``O_CREAT|O_EXCL|O_NOFOLLOW``: never through a symlink or over a file that
  is already there), synced, then renamed over the target. A target that exists and is
  not a regular file (a symlink, FIFO, device, socket or folder) is refused.
- Reading: only a regular file is read (a FIFO would block forever, ``/dev/zero`` never
  ends), opened without following a FIFO's writer (``O_NONBLOCK``) and checked again on
  the open descriptor; at most ``limit`` bytes are read, and a larger file is refused
  before its content is read.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from composer.errors import InvalidInputError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@contextmanager
def atomic_writer(target: Path, field: str = "path") -> Iterator[BinaryIO]:
    """A binary file that replaces ``target`` when the block ends without an error (and
    is removed otherwise), as described above."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise InvalidInputError(field, f"cannot write {target}: {exc.strerror}") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise InvalidInputError(field, f"{target} is {_kind(mode)}; give the name of a "
                                "regular file")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
    for _ in range(16):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
        try:
            fd = os.open(tmp, flags, 0o600)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise InvalidInputError(field, f"cannot write {target}: {exc.strerror}") from None
    else:
        raise InvalidInputError(field, f"cannot create a temporary file next to {target}")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InvalidInputError(field, f"cannot write {target}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_file(target: Path, data: bytes, field: str = "path") -> None:
    """Replace ``target`` with ``data`` atomically, as described above."""
    with atomic_writer(target, field) as out:
        out.write(data)


def read_file(path: Path, limit: int, field: str = "path") -> bytes:
    """The content of the regular file ``path``, at most ``limit`` bytes."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY)
    except FileNotFoundError:
        raise InvalidInputError(field, f"{path} does not exist") from None
    except IsADirectoryError:
        raise InvalidInputError(field, f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise InvalidInputError(field, f"cannot read {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as src:
        info = os.fstat(src.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise InvalidInputError(field, f"{path} is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInputError(field, f"{path} is {_kind(info.st_mode)}, not a file")
        if info.st_size > limit:
            raise InvalidInputError(field, f"{path} is larger than the {limit // 2**20} MB "
                                    "limit")
        try:
            data = src.read(limit + 1)
        except OSError as exc:
            raise InvalidInputError(field, f"cannot read {path}: {exc.strerror}") from None
    if len(data) > limit:
        raise InvalidInputError(field, f"{path} is larger than the {limit // 2**20} MB limit")
    return data
