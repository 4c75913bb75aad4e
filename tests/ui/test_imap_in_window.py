"""The IMAP account in the window against a real Dovecot: a draft written in the window
reaches the server's Drafts folder once; edited on a second IMAP client and here too, it
becomes a conflict kept side by side (the phone's copy is never overwritten)."""

from __future__ import annotations

import pytest
from imapclient import IMAPClient
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.domain.eml import eml_to_draft
from composer.domain.models import Draft
from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.ui.main_window import MainWindow
from tests.servers.dovecot import TestCertificate
from tests.servers.smtp import SmtpServer
from tests.ui.conftest import open_window, wait_open, wait_saved


def _state(paths: Paths, draft_id: str) -> SyncStatus | None:
    store = DraftStore.open(paths.database)
    try:
        state = store.sync_states.get(draft_id)
        return state.state if state else None
    finally:
        store.close()


def _subjects(client: IMAPClient) -> list[str]:
    client.select_folder("Drafts")
    client.noop()
    uids = client.search(["NOT", "DELETED"])
    return sorted(eml_to_draft(item[b"BODY[]"]).draft.subject
                  for item in client.fetch(uids, [b"BODY.PEEK[]"]).values()) if uids else []


def _written_and_synced(qtbot: QtBot, paths: Paths, account: Account, imap_user: object,
                        certificate: TestCertificate, other_client: IMAPClient,
                        monkeypatch: pytest.MonkeyPatch, subject: str
                        ) -> tuple[MainWindow, Draft]:
    """The IMAP account set up as a user would have it, a draft written in the window
    (recipient, typed subject) and synced: one copy in Dovecot's Drafts folder."""
    from tests.servers.dovecot import MailUser

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))  # trust the test servers
    settings = SettingsFile(paths.settings_file)
    settings.save(Settings(accounts=(account,), default_account=account.name))
    assert isinstance(imap_user, MailUser)
    SecretStore().set(account.name, imap_user.password)
    window: MainWindow = open_window(qtbot, paths)
    window.attach_sync()
    assert window.sync is not None
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.new_draft()
    draft = wait_open(qtbot, window)
    assert window.editor.from_box.currentData() == account.name
    window.editor.to.add_text("bob@example.org")
    qtbot.keyClicks(window.editor.subject, subject)
    window.sync.sync_now()
    qtbot.waitUntil(lambda: _state(paths, draft.id) is SyncStatus.SYNCED and
                    _subjects(other_client) == [subject], timeout=15_000)
    return window, draft


def test_write_sync_then_edit_on_a_second_client_is_a_conflict(
        qtbot: QtBot, paths: Paths, account: Account, imap_user: object,
        smtp_server: SmtpServer, certificate: TestCertificate, other_client: IMAPClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    window, draft = _written_and_synced(qtbot, paths, account, imap_user, certificate,
                                        other_client, monkeypatch, "Offsite agenda")
    assert window.sync is not None

    # The phone edits the draft (its own save: a new message, ours removed) ...
    [uid] = other_client.search(["NOT", "DELETED"])
    stored = other_client.fetch([uid], [b"BODY.PEEK[]"])[uid][b"BODY[]"]
    theirs = stored.replace(b"Subject: Offsite agenda", b"Subject: Offsite agenda (phone)")
    theirs = theirs.replace(b"@mail-composer.invalid>", b"@phone.example>")
    other_client.append("Drafts", theirs, flags=[b"\\Draft"])
    other_client.delete_messages([uid])
    other_client.uid_expunge([uid])
    # ... and so does the person here.
    qtbot.keyClicks(window.editor.subject, ", final")
    wait_saved(qtbot, window, lambda d: d.subject == "Offsite agenda, final")
    window.sync.sync_now()
    qtbot.waitUntil(lambda: _state(paths, draft.id) is SyncStatus.CONFLICT, timeout=15_000)
    assert _subjects(other_client) == ["Offsite agenda (phone)"]
    store = DraftStore.open(paths.database)
    try:
        subjects = sorted(d.subject for d in store.summaries())
    finally:
        store.close()
    assert subjects == ["Offsite agenda (phone)", "Offsite agenda, final"]
    window.close()


@pytest.mark.parametrize("choice", ["again", "delete"])
def test_a_draft_deleted_on_a_second_client_asks_in_the_window(
        qtbot: QtBot, paths: Paths, account: Account, imap_user: object,
        smtp_server: SmtpServer, certificate: TestCertificate, other_client: IMAPClient,
        monkeypatch: pytest.MonkeyPatch, choice: str) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    window, draft = _written_and_synced(qtbot, paths, account, imap_user, certificate,
                                        other_client, monkeypatch, "Budget")
    assert window.sync is not None
    [uid] = other_client.search(["NOT", "DELETED"])
    other_client.delete_messages([uid])       # deleted on the phone
    other_client.uid_expunge([uid])
    qtbot.keyClicks(window.editor.subject, " v2")
    wait_saved(qtbot, window, lambda d: d.subject == "Budget v2")
    window.sync.sync_now()
    qtbot.waitUntil(lambda: _state(paths, draft.id) is SyncStatus.CONFLICT, timeout=15_000)
    assert _subjects(other_client) == []       # nothing re-created behind the user
    button = window.editor.conflict_button
    qtbot.waitUntil(button.isVisible, timeout=5000)
    assert button.text() == "Keep or delete…"
    assert "deleted on the service" in window.editor.sync_label.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.conflicts.question is not None and
                    window.conflicts.question.isVisible(), timeout=5000)
    box = window.conflicts.question
    assert box is not None and "Budget v2" in box.text()
    wanted = "Save it there again" if choice == "again" else "Delete it here too"
    [target] = [b for b in box.buttons() if b.text() == wanted]
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
    if choice == "again":
        qtbot.waitUntil(lambda: _state(paths, draft.id) is not SyncStatus.CONFLICT,
                        timeout=5000)
        window.sync.sync_now()
        qtbot.waitUntil(lambda: _state(paths, draft.id) is SyncStatus.SYNCED and
                        _subjects(other_client) == ["Budget v2"], timeout=15_000)
    else:
        qtbot.waitUntil(lambda: window.editor.draft is None, timeout=5000)
        store = DraftStore.open(paths.database)
        try:
            assert [d.id for d in store.summaries(deleted=True)] == [draft.id]   # restorable
            assert store.summaries() == []
            assert store.outbox.pending_for(draft.id) == []   # no delete for the service
        finally:
            store.close()
        assert "Undo" in [b.text() for b in window.findChildren(QPushButton)
                          if b.isVisible()]
    window.close()
