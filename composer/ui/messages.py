"""The one place where errors become words for the window (through ``tr()``)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from composer.domain.services import SERVICES
from composer.errors import (
    AttachmentError,
    AttachmentProblem,
    ComposerError,
    InvalidInputError,
    SecretStoreError,
    StorageError,
    StorageProblem,
    format_size,
)
from composer.sync.errors import SyncError, SyncErrorKind


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


#: the services by their own names (brand names: not translated), from the registry
KIND_TITLES = {s.kind: s.title for s in SERVICES}


def kind_title(kind: str) -> str:
    return KIND_TITLES.get(kind, kind)


def field_label(field: str) -> str:
    """A draft field as the editor labels it (``to`` -> "To")."""
    labels = {"to": _tr("To"), "cc": _tr("Cc"), "bcc": _tr("Bcc"), "subject": _tr("Subject"),
              "body": _tr("Body"), "attachments": _tr("Attachments"),
              "schedule": _tr("Send later"), "from": _tr("From"), "context": _tr("Customer")}
    return labels.get(field, field)


def error_color(window: QColor) -> QColor:
    """A red legible on ``window`` (contrast above 4.5:1 on light and dark backgrounds)."""
    return QColor("#f28b82" if window.lightness() < 128 else "#b3261e")


def describe(error: BaseException) -> str:
    if isinstance(error, AttachmentError):
        name = error.name
        if error.problem is AttachmentProblem.TOO_LARGE:
            return _tr("“%1” is %2 — larger than the %3 limit for one attachment. It was not "
                       "attached; everything else in the draft is unchanged.") \
                .replace("%1", name).replace("%2", format_size(error.size or 0)) \
                .replace("%3", format_size(error.limit or 0))
        attachment_texts = {
            AttachmentProblem.MISSING: _tr("“%1” no longer exists, so it was not attached."),
            AttachmentProblem.UNREADABLE: _tr("“%1” cannot be read, so it was not attached."),
            AttachmentProblem.EMPTY: _tr("“%1” is empty (0 bytes), so it was not attached."),
            AttachmentProblem.DIRECTORY: _tr("“%1” is a folder; attach the files inside it."),
            AttachmentProblem.NOT_ATTACHED: _tr("“%1” is not attached to this draft."),
        }
        return attachment_texts[error.problem].replace("%1", name)
    if isinstance(error, StorageError):
        storage_texts = {
            StorageProblem.DISK_FULL: _tr("the disk is full — free some space; your text is "
                                          "still here"),
            StorageProblem.LOCKED: _tr("the draft database is busy — retrying"),
            StorageProblem.READ_ONLY: _tr("the draft database cannot be written"),
            StorageProblem.CORRUPT: _tr("the draft database is damaged"),
            StorageProblem.IO: _tr("the disk reported an error"),
        }
        return storage_texts[error.problem]
    if isinstance(error, InvalidInputError):
        return f"{error.field}: {error.reason}"
    if isinstance(error, SecretStoreError):
        return _tr("The system keychain is not available (%1). Mail Composer keeps working "
                   "on this computer.").replace("%1", error.detail)
    if isinstance(error, SyncError):
        return describe_sync(error.kind.value, error.service_message or error.message)
    if isinstance(error, ComposerError):
        return str(error)
    return _tr("Something went wrong (%1).").replace("%1", type(error).__name__)


def describe_sync(kind: str | None, detail: str | None) -> str:
    words = detail or ""
    texts = {
        SyncErrorKind.AUTH.value: _tr("sign-in refused — re-enter the password or key"),
        SyncErrorKind.VALIDATION.value: _tr("the service refused it: %1"),
        SyncErrorKind.FORBIDDEN.value: _tr("not allowed by the service: %1"),
        SyncErrorKind.RATE_LIMITED.value: _tr("the service asked to wait"),
        SyncErrorKind.TRANSIENT.value: _tr("could not reach the service"),
        SyncErrorKind.CONFLICT.value: _tr("changed in two places"),
        SyncErrorKind.NOT_FOUND.value: _tr("gone from the service"),
        SyncErrorKind.UNSUPPORTED.value: _tr("the service cannot do this: %1"),
        SyncErrorKind.PROTOCOL.value: _tr("the service answered in a way this version does "
                                          "not understand"),
    }
    return texts.get(kind or "", "%1").replace("%1", words)
