"""No value that goes into a URL path segment can change the request path: ids from the
service or the store, account options and draft context values are each one quoted
segment (or refused before any request when no quoting can keep them in place)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import BodyMode, Draft
from composer.sync.adapters import adapter_class
from composer.sync.adapters.base import Adapter
from composer.sync.errors import SyncError, SyncErrorKind
from composer.sync.http import make_client
from tests.sync.files import MemoryFiles

HOSTILE = ["../x", "a/b", "%2e%2e", "?q=1#", "..", ".", "x/../../y", "a b", "#frag",
           "%2F", "\\..\\x", "é/ü"]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _capture(account: Account) -> tuple[Adapter, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(500, json={})

    client = make_client(account.base_url, transport=httpx.MockTransport(handler))
    adapter: Adapter = adapter_class(account.kind)(account, "secret", client, lambda: NOW)
    return adapter, seen


def _segments(request: httpx.Request) -> list[str]:
    assert request.url.query == b"" or b"limit" in request.url.query
    assert request.url.fragment == ""
    return [unquote(s) for s in request.url.raw_path.decode("ascii").split("?")[0]
            .split("/")[1:]]


def _run(call: Callable[[], object]) -> SyncError | None:
    try:
        call()
    except SyncError as err:
        return err
    return None


def _mykaarma(value: str, where: str) -> Account:
    options = {"department_uuid": "d-1", "user_uuid": "u-1"}
    if where != "customer":
        options[where] = value
    return Account("dealer", "mykaarma", "https://mk.example/communications",
                   username="svc", options=options)


def _draft(customer: str = "c-1") -> Draft:
    return Draft(to=tuple(parse_addresses("pat@customer.example")), subject="s",
                 body_mode=BodyMode.HTML, html="<p>b</p>",
                 context={"customer_uuid": customer},
                 schedule=None).evolve(updated_at=NOW - timedelta(minutes=1))


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("where", ["customer", "department_uuid", "user_uuid"])
def test_mykaarma_context_and_options_stay_one_segment(value: str, where: str) -> None:
    adapter, seen = _capture(_mykaarma(value, where))
    try:
        err = _run(lambda: adapter.create(_draft(value if where == "customer" else "c-1"),
                                          MemoryFiles(), "m"))
        assert err is not None
        if not seen:  # refused before any request: a dot segment
            assert value in (".", "..") and err.kind is SyncErrorKind.VALIDATION
            return
        (request,) = seen
        parts = _segments(request)
        expected = {"department_uuid": "d-1", "user_uuid": "u-1", "customer": "c-1"}
        expected[where] = value
        assert parts == ["communications", "department", expected["department_uuid"], "user",
                         expected["user_uuid"], "customer", expected["customer"], "message"]
    finally:
        adapter.close()


ACCOUNTS = {
    "datamotion": Account("secure", "datamotion", "https://dm.example/SecureMessagingApi",
                          username="u"),
    "onlyoffice": Account("office", "onlyoffice", "https://oo.example", username="u",
                          address="u@oo.example"),
    "exante": Account("work", "exante", "https://ex.example",
                      options={"from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"}),
    "rebilly": Account("billing", "rebilly", "https://rb.example", address="b@rb.example",
                       options={"organization_id": "org-acme"}),
    "mykaarma": _mykaarma("d-1", "department_uuid"),
}
PREFIX = {"exante": ["api", "email", "drafts"],
          "rebilly": ["organizations", "org-acme", "email-messages"],
          "mykaarma": ["communications", "department", "d-1", "user", "u-1", "customer"]}


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(ACCOUNTS)),
       value=st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=20)),
       op=st.sampled_from(["fetch", "delete", "send"]))
def test_remote_ids_never_change_the_path(kind: str, value: str, op: str) -> None:
    remote_id = f"c-1/{value}" if kind == "mykaarma" else value
    adapter, seen = _capture(ACCOUNTS[kind])
    try:
        err = _run(lambda: getattr(adapter, op)(remote_id))
        assert err is not None
        for request in seen:
            parts = _segments(request)
            if kind in ("datamotion", "onlyoffice"):
                # int ids only: anything else is refused before a request
                assert "authentication" in parts[-1] or parts[-1] == "Logon"
            elif kind == "exante" and op == "send":
                assert parts == ["api", "email", "send"]
            elif kind == "mykaarma" and op == "send":
                assert parts == ["communications", "department", "d-1", "message", value]
            elif kind == "mykaarma":
                assert parts[:len(PREFIX[kind])] == PREFIX[kind] and parts[6] == "c-1"
                assert parts[7:] in (["message", "list"], ["message", value])
            else:
                assert parts == [*PREFIX[kind], value]
        if not seen:
            assert err.kind in (SyncErrorKind.NOT_FOUND, SyncErrorKind.VALIDATION)
    finally:
        adapter.close()
