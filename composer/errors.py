"""Typed errors shared by every layer.

Each error carries structured fields (what went wrong, with which value) and a plain
English ``str()`` used by the command line and logs. The GUI turns the structured
fields into translated words in ``composer.ui.messages``; nothing else parses text.
Secrets never appear in an error: callers pass names and sizes, never credentials.
"""

from __future__ import annotations

import enum


class ComposerError(Exception):
    """Base of every error the application expects and can explain."""


class InvalidInputError(ComposerError):
    """Bad input from the user: a field, what was wrong with it, nothing changed."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AttachmentProblem(enum.Enum):
    TOO_LARGE = "too_large"
    MISSING = "missing"
    UNREADABLE = "unreadable"
    EMPTY = "empty"
    DIRECTORY = "directory"
    NOT_ATTACHED = "not_attached"


def format_size(size: int) -> str:
    """Human size with binary units, as file managers show it (1.0 MB = 1024*1024 bytes)."""
    if size < 1024:
        return f"{size} bytes" if size != 1 else "1 byte"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


class AttachmentError(ComposerError):
    """A file could not be attached; the draft is unchanged."""

    def __init__(
        self, problem: AttachmentProblem, name: str, size: int | None = None,
        limit: int | None = None, detail: str = "",
    ) -> None:
        self.problem = problem
        self.name = name
        self.size = size
        self.limit = limit
        self.detail = detail
        super().__init__(self._describe())

    def _describe(self) -> str:
        if self.problem is AttachmentProblem.TOO_LARGE:
            assert self.size is not None and self.limit is not None
            return (
                f'"{self.name}" is {format_size(self.size)}, larger than the '
                f"{format_size(self.limit)} limit for one attachment; it was not attached"
            )
        if self.problem is AttachmentProblem.MISSING:
            return f'"{self.name}" does not exist; nothing was attached'
        if self.problem is AttachmentProblem.UNREADABLE:
            extra = f" ({self.detail})" if self.detail else ""
            return f'"{self.name}" cannot be read{extra}; nothing was attached'
        if self.problem is AttachmentProblem.EMPTY:
            return f'"{self.name}" is empty (0 bytes); nothing was attached'
        if self.problem is AttachmentProblem.DIRECTORY:
            return f'"{self.name}" is a folder, not a file; attach the files inside it instead'
        return f'"{self.name}" is not attached to this draft'


class StorageProblem(enum.Enum):
    DISK_FULL = "disk_full"
    LOCKED = "locked"
    READ_ONLY = "read_only"
    CORRUPT = "corrupt"
    IO = "io"


class StorageError(ComposerError):
    """The local draft cache could not do what was asked; what was saved before is intact."""

    def __init__(self, problem: StorageProblem, detail: str = "") -> None:
        self.problem = problem
        self.detail = detail
        text = {
            StorageProblem.DISK_FULL: "the disk is full; free some space and try again",
            StorageProblem.LOCKED: "the draft database is busy (another Mail Composer may be "
            "running); try again",
            StorageProblem.READ_ONLY: "the draft database is read-only; check its permissions",
            StorageProblem.CORRUPT: "the draft database is damaged",
            StorageProblem.IO: "the disk reported an input/output error",
        }[problem]
        super().__init__(f"{text}{': ' + detail if detail else ''}")


class NotFoundError(ComposerError):
    """No such draft, revision or account."""

    def __init__(self, what: str, key: str) -> None:
        super().__init__(f"no {what} {key!r}")
        self.what = what
        self.key = key


class SecretStoreError(ComposerError):
    """The OS keychain is unavailable or refused; local work goes on."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"the system keychain is not available: {detail}")
        self.detail = detail
