"""A draft's context: the service-specific ids (``customer_uuid``, ``context_id``, ...)
a draft carries. They end up in service URLs and request bodies, so they are checked
on every way in (command line, .eml import, window, store) with one rule:

- a key is 1-64 characters: letters, digits, ``_``, ``-`` or ``.`` (not first);
- a value is 1-256 characters of one line, with no control, format or separator
  characters, none of ``/ \\ ? # %`` (they change a URL path) and not ``.`` or ``..``;
- at most 32 entries.

The adapters still quote path segments; this keeps hostile values out of the draft.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from composer.errors import InvalidInputError

MAX_ENTRIES = 32
MAX_VALUE = 256
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
_URL_CHARS = frozenset("/\\?#%")


def context_value_problem(value: str) -> str | None:
    if not value:
        return "is empty"
    if len(value) > MAX_VALUE:
        return f"is longer than {MAX_VALUE} characters"
    if value in (".", ".."):
        return "cannot be '.' or '..'"
    for ch in value:
        if ch in _URL_CHARS:
            return f"cannot contain {ch!r} (it would change a service address)"
        category = unicodedata.category(ch)
        if category[0] in "CZ" and ch != " ":
            return f"contains a control, format or separator character (U+{ord(ch):04X})"
    if value != value.strip():
        return "starts or ends with a space"
    return None


def check_context(context: Mapping[str, str]) -> dict[str, str]:
    """``context`` as a plain dict, or InvalidInputError naming the first bad entry."""
    if len(context) > MAX_ENTRIES:
        raise InvalidInputError("context", f"at most {MAX_ENTRIES} entries are allowed")
    out: dict[str, str] = {}
    for key, value in context.items():
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise InvalidInputError(
                "context", f"{str(key)[:80]!r} is not a valid key (letters, digits, "
                "'_', '-' or '.'; at most 64)")
        if not isinstance(value, str):
            raise InvalidInputError("context", f"{key}: the value must be text")
        problem = context_value_problem(value)
        if problem is not None:
            raise InvalidInputError("context", f"{key}: the value {problem}")
        out[key] = value
    return out
