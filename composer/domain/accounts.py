"""An account: which service, where, and as whom. The secret is never part of it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Account:
    name: str
    kind: str
    base_url: str
    username: str = ""
    address: str = ""
    options: dict[str, str] = field(default_factory=dict)
