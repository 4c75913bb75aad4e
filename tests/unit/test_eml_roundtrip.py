"""Draft -> .eml -> draft, and draft -> store -> draft, for generated drafts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.domain.addresses import parse_address
from composer.domain.eml import draft_to_eml, eml_to_draft
from composer.domain.models import (
    Address,
    Attachment,
    BodyMode,
    Draft,
    Importance,
    Schedule,
)
from composer.errors import InvalidInputError
from composer.store.drafts import DraftStore

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)
_name = st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Zs"),
                                       whitelist_characters=",.'\"-"), max_size=20)
_local = st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True).filter(
    lambda s: ".." not in s)
_addr = st.builds(lambda local, host, name: parse_address(
    f'"{name.strip()}" <{local}@{host}.example>'.replace('""', "").replace('"', '"')
    if name.strip() and '"' not in name else f"{local}@{host}.example"),
    _local, st.from_regex(r"[a-z]{1,10}", fullmatch=True), _name)
_files = st.lists(st.tuples(st.from_regex(r"[a-zA-Z0-9 éü_-]{1,20}\.(txt|pdf|png)",
                                          fullmatch=True), st.binary(min_size=1, max_size=300)),
                  max_size=3, unique_by=lambda t: t[0])


@st.composite
def drafts(draw: st.DrawFn) -> tuple[Draft, dict[str, bytes]]:
    mode = draw(st.sampled_from(list(BodyMode)))
    body = draw(_text)
    blobs: dict[str, bytes] = {}
    atts = []
    for name, data in draw(_files):
        sha = hashlib.sha256(data).hexdigest()
        blobs[sha] = data
        ctype = {"txt": "text/plain", "pdf": "application/pdf", "png": "image/png"}[name[-3:]]
        atts.append(Attachment(name.strip() or "x.txt", len(data), ctype, sha))
    schedule = None
    if draw(st.booleans()):
        schedule = Schedule(datetime(2031, 1, 1, tzinfo=UTC) + timedelta(
            minutes=draw(st.integers(0, 10**6))), "Europe/Berlin")
    draft = Draft(
        to=tuple(draw(st.lists(_addr, max_size=4))),
        cc=tuple(draw(st.lists(_addr, max_size=2))),
        bcc=tuple(draw(st.lists(_addr, max_size=2))),
        subject=" ".join(draw(_text).split()),
        body_mode=mode,
        html=f"<p>{body.replace('<', '').replace('&', '')}</p>" if mode is BodyMode.HTML
        and body.strip() else "",
        text=body.replace("\r", "") if mode is BodyMode.TEXT else "",
        attachments=tuple(a for a in atts if a.name),
        schedule=schedule,
        importance=draw(st.sampled_from(list(Importance))),
        context=draw(st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
                                     st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True),
                                     max_size=2)),
    )
    return draft, blobs


@given(drafts())
@settings(max_examples=80, deadline=None)
def test_eml_round_trip(item: tuple[Draft, dict[str, bytes]]) -> None:
    draft, blobs = item
    from composer.domain.html import sanitize_html

    draft = draft.evolve(html=sanitize_html(draft.html))
    parsed = eml_to_draft(draft_to_eml(draft, blobs.__getitem__))
    assert parsed.draft.content_key() == draft.content_key()
    assert parsed.original_id == draft.id
    assert {a.sha256: data for a, data in parsed.files} == {
        a.sha256: blobs[a.sha256] for a in draft.attachments}


@given(drafts())
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_store_round_trip(tmp_path: Path, item: tuple[Draft, dict[str, bytes]]) -> None:
    draft, blobs = item
    path = tmp_path / "rt.sqlite3"
    store = DraftStore.open(path)
    try:
        for data in blobs.values():
            store.blobs.put_bytes("f", data)
        saved = store.save(draft)
        assert store.get(draft.id) == saved
        assert saved.content_key() == draft.content_key()
    finally:
        store.close()


def test_foreign_message_with_encoded_words_and_latin1_body() -> None:
    raw = (b"From: =?utf-8?q?J=C3=BCrgen?= <j@x.test>\r\nTo: a@x.test, bad@@\r\n"
           b"Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n"
           b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\nGr\xfc\xdfe\r\n")
    parsed = eml_to_draft(raw)
    d = parsed.draft
    assert d.from_addr == "Jürgen <j@x.test>" and d.subject == "Grüße"
    assert d.text == "Grüße" and d.body_mode is BodyMode.TEXT
    assert [a.valid for a in d.to] == [True, False] and d.to[1].raw == "bad@@"
    assert parsed.original_id is None


def test_foreign_html_is_sanitized_and_inline_images_become_attachments() -> None:
    raw = (b"From: a@x.test\r\nSubject: pic\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/related; boundary="B"\r\n\r\n--B\r\n'
           b"Content-Type: text/html; charset=utf-8\r\n\r\n"
           b'<p onclick="x()">Hi <img src="cid:logo"><img src="http://t.example/p.gif"></p>'
           b"\r\n--B\r\nContent-Type: image/png\r\nContent-ID: <logo>\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--B--\r\n")
    d = eml_to_draft(raw).draft
    assert d.body_mode is BodyMode.HTML
    assert "onclick" not in d.html and "t.example" not in d.html and "cid:logo" in d.html
    assert len(d.attachments) == 1 and d.attachments[0].content_type == "image/png"


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"), (b"\x00\x01\x02binary", "binary"), (b"just text\nno headers", "no email"),
])
def test_not_an_email_is_refused(data: bytes, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        eml_to_draft(data)


def test_header_injection_in_export_is_refused() -> None:
    bad = Draft(subject="x", to=(Address("a@x.test", "Evil\r\nBcc: e@x.test"),
                                 Address("ok@x.test")))
    data = draft_to_eml(bad, lambda sha: b"")
    head = data.split(b"\r\n\r\n")[0]
    assert b"e@x.test" not in head and b"Bcc" not in head
    assert head.startswith(b"To: ok@x.test\r\n")
    with pytest.raises(InvalidInputError):
        draft_to_eml(Draft(subject="x\r\nBcc: e@x.test"), lambda sha: b"")
