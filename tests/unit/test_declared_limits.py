"""Every limit a service declares in its ``Capabilities`` is what its ``check`` enforces:
a draft just over each one is refused before any request, with the limit's code, and a
draft at the limit is not."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Attachment, BodyMode, Draft
from composer.domain.services import KINDS
from composer.sync.adapters import adapter_class
from composer.sync.adapters.base import Adapter

OPTIONS = {"from_account_id": "acc-1", "department_uuid": "d-1", "user_uuid": "default",
           "organization_id": "org-1"}


def _adapter(kind: str) -> Adapter:
    account = Account("a", kind, "" if kind == "imap" else "https://service.example",
                      username="me", address="me@x.example",
                      options={} if kind == "imap" else OPTIONS)
    adapter: Adapter = adapter_class(kind)(account, "secret", httpx.Client(),
                                           lambda: datetime.now(UTC))
    return adapter


def _base() -> Draft:
    return Draft(to=tuple(parse_addresses("pat@x.example")), subject="Hello",
                 body_mode=BodyMode.TEXT, text="words", context={"customer_uuid": "c-1"})


def _files(*sizes: int) -> tuple[Attachment, ...]:
    return tuple(Attachment(f"f{n}.bin", size, "application/octet-stream", f"{n:064x}")
                 for n, size in enumerate(sizes))


def _codes(adapter: Adapter, draft: Draft) -> set[str]:
    return {p.code for p in adapter.check(draft)}


@pytest.mark.parametrize("kind", KINDS)
def test_each_declared_limit_is_checked(kind: str) -> None:
    adapter = _adapter(kind)
    try:
        caps = adapter.capabilities
        base = _base()
        assert _codes(adapter, base) == set()          # a plain draft passes
        cases: list[tuple[Draft, Draft, str]] = []
        if caps.max_subject_chars is not None:
            n = caps.max_subject_chars
            cases.append((base.evolve(subject="s" * n), base.evolve(subject="s" * (n + 1)),
                          "subject_too_long"))
        if not caps.file_attachments:
            cases.append((base, base.evolve(attachments=_files(10)),
                          "attachments_unsupported"))
        if caps.max_attachment_bytes is not None and caps.file_attachments and (
                caps.max_total_bytes is None or
                caps.max_attachment_bytes < caps.max_total_bytes):
            n = caps.max_attachment_bytes
            cases.append((base.evolve(attachments=_files(n)),
                          base.evolve(attachments=_files(n + 1)), "attachment_too_large"))
        if caps.max_total_bytes is not None and caps.file_attachments:
            half = caps.max_total_bytes // 2
            cases.append((base.evolve(attachments=_files(half, caps.max_total_bytes - half)),
                          base.evolve(attachments=_files(half, caps.max_total_bytes - half
                                                         + 1)), "attachments_too_large"))
        if caps.max_body_chars is not None:
            cases.append((base, base.evolve(text="w" * (caps.max_body_chars + 1)),
                          "body_too_long"))
        if caps.max_recipients_to is not None:
            over = ", ".join(f"p{n}@x.example" for n in range(caps.max_recipients_to + 1))
            cases.append((base, base.evolve(to=tuple(parse_addresses(over))),
                          "one_recipient" if caps.max_recipients_to == 1
                          else "too_many_recipients"))
        for at_limit, over_limit, code in cases:
            assert code not in _codes(adapter, at_limit), (kind, code)
            assert code in _codes(adapter, over_limit), (kind, code)
    finally:
        adapter.close()
