"""Attachments: streamed into content-addressed blobs; the 32 MB guard; clear refusals."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from composer.domain.models import MAX_ATTACHMENT_BYTES, Draft
from composer.errors import AttachmentError, AttachmentProblem
from composer.store.drafts import DraftStore


def _file(tmp_path: Path, name: str, size: int, fill: bytes = b"a") -> Path:
    path = tmp_path / name
    with path.open("wb") as out:
        out.truncate(0)
        block = (fill * (1 << 16))[: 1 << 16]
        remaining = size
        while remaining:
            n = min(remaining, len(block))
            out.write(block[:n])
            remaining -= n
    return path


def test_attach_streams_content_and_reads_it_back(store: DraftStore, tmp_path: Path) -> None:
    draft = store.save(Draft(subject="with file"))
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "report final.pdf"
    path.write_bytes(data)
    seen: list[int] = []
    saved = store.attach_file(draft.id, path, progress=lambda done, total: seen.append(done))
    [att] = saved.attachments
    assert att.name == "report final.pdf" and att.size == len(data)
    assert att.content_type == "application/pdf"
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert store.blobs.read_bytes(att.sha256) == data
    assert seen[-1] == len(data) and seen == sorted(seen) and len(seen) >= 8
    out = tmp_path / "out.bin"
    store.blobs.export(att.sha256, out)
    assert out.read_bytes() == data


def test_exactly_32_mb_is_accepted_and_one_byte_more_refused(
    store: DraftStore, tmp_path: Path
) -> None:
    draft = store.save(Draft(subject="big"))
    ok = _file(tmp_path, "exact.bin", MAX_ATTACHMENT_BYTES)
    saved = store.attach_file(draft.id, ok)
    assert saved.attachments[0].size == MAX_ATTACHMENT_BYTES
    wal = Path(str(store.path) + "-wal")
    assert wal.stat().st_size < 8 * 1024 * 1024  # checkpointed after the large write

    big = _file(tmp_path, "holiday video.mp4", MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(AttachmentError) as caught:
        store.attach_file(draft.id, big)
    err = caught.value
    assert err.problem is AttachmentProblem.TOO_LARGE
    assert str(err) == ('"holiday video.mp4" is 32.0 MB, larger than the 32.0 MB limit for one '
                        "attachment; it was not attached")
    assert store.get(draft.id) == saved


def test_forty_megabytes_refused_before_reading(store: DraftStore, tmp_path: Path) -> None:
    draft = store.save(Draft(subject="x"))
    big = tmp_path / "forty.iso"
    with big.open("wb") as f:
        f.truncate(40 * 1024 * 1024)  # sparse: refusing must not read it
    with pytest.raises(AttachmentError, match=r'"forty.iso" is 40.0 MB, larger than the 32.0 MB'):
        store.attach_file(draft.id, big)
    assert store.connection.execute("SELECT count(*) FROM blobs").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("kind", "problem", "message"),
    [
        ("missing", AttachmentProblem.MISSING, "does not exist"),
        ("empty", AttachmentProblem.EMPTY, "is empty (0 bytes)"),
        ("folder", AttachmentProblem.DIRECTORY, "is a folder, not a file"),
        ("unreadable", AttachmentProblem.UNREADABLE, "cannot be read"),
    ],
)
def test_bad_paths_get_their_own_message(
    store: DraftStore, tmp_path: Path, kind: str, problem: AttachmentProblem, message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    draft = store.save(Draft(subject="x", html="<p>keep me</p>"))
    path = tmp_path / f"{kind}.txt"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "folder":
        path.mkdir()
    elif kind == "unreadable":
        path.write_bytes(b"secret")
        path.chmod(0)
        if os.geteuid() == 0:  # root reads anything: make the OS refusal explicit
            real_open = Path.open

            def refuse(self: Path, *args: object, **kwargs: object) -> object:
                if self == path:
                    raise PermissionError(13, "Permission denied")
                return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

            monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(AttachmentError) as caught:
        store.attach_file(draft.id, path)
    assert caught.value.problem is problem
    assert message in str(caught.value)
    assert store.get(draft.id) == draft


def test_same_content_is_stored_once(store: DraftStore, tmp_path: Path) -> None:
    a = store.save(Draft(subject="a"))
    b = store.save(Draft(subject="b"))
    one = _file(tmp_path, "one.txt", 5000, b"z")
    two = _file(tmp_path, "two.txt", 5000, b"z")
    store.attach_file(a.id, one)
    store.attach_file(b.id, two)
    assert store.connection.execute("SELECT count(*) FROM blobs").fetchone()[0] == 1


def test_removed_attachment_survives_in_history_and_orphans_are_collected(
    store: DraftStore, tmp_path: Path
) -> None:
    d = store.save(Draft(subject="a"))
    d = store.attach_file(d.id, _file(tmp_path, "one.txt", 10, b"q"))
    d = store.remove_attachment(d.id, "one.txt")
    assert d.attachments == ()
    old = store.revisions.revision(d.id, 2)
    assert store.blobs.read_bytes(old.attachments[0].sha256) == b"q" * 10
    store.blobs.put_bytes("orphan.txt", b"left by a crash mid-attach")
    assert store.blobs.collect_garbage() == 1
    assert store.blobs.exists(old.attachments[0].sha256)
    with pytest.raises(AttachmentError):
        store.remove_attachment(d.id, "one.txt")


def test_attachment_name_is_reduced_to_a_safe_basename(store: DraftStore) -> None:
    att = store.blobs.put_bytes("../../etc/passwd", b"x")
    assert att.name == "passwd"
    att = store.blobs.put_bytes("CON.txt", b"x")
    assert att.name != "CON.txt" and att.name.endswith(".txt")
