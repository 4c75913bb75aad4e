"""Attachment file names reduced to a safe basename, valid on Windows, macOS and Linux.

No path parts (``/``, ``\\``, drive letters), no control characters, none of Windows'
reserved characters ``< > : " / \\ | ? *``, no trailing dots or spaces, no reserved
device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension),
undecodable bytes as U+FFFD, NFC-normalized, at most 255 UTF-8 bytes with the
extension kept, never empty.
"""

from __future__ import annotations

import re
import unicodedata

_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])(\..*)?$", re.IGNORECASE)
_BAD_CHARS = re.compile(r'[<>:"/\\|?*]')
MAX_BYTES = 255
FALLBACK = "attachment"


def valid_text(value: str) -> str:
    """``value`` with undecodable bytes (surrogate escapes from a non-UTF-8 file name or
    argument) shown as U+FFFD, so it can be stored and printed."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", valid_text(name))
    name = re.split(r"[/\\]", name)[-1]
    if re.match(r"^[A-Za-z]:", name):
        name = name[2:]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"))
    name = _BAD_CHARS.sub("_", name)
    name = name.strip().rstrip(". ")
    name = name.lstrip(" ")
    if not name or set(name) <= {".", "_"}:
        return FALLBACK
    if _RESERVED.match(name):
        name = "_" + name
    return _cap(name)


def _cap(name: str) -> str:
    if len(name.encode("utf-8")) <= MAX_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext.encode("utf-8")) > 32:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    budget = MAX_BYTES - len(suffix.encode("utf-8"))
    out = stem.encode("utf-8")[:budget].decode("utf-8", errors="ignore").rstrip(". ")
    return (out or FALLBACK) + suffix
