"""Sync states in the window against fakes on 127.0.0.1: failures in words with the way
out, capability problems on switching accounts, conflicts resolved each way, and
send-later done by the app for a service that cannot schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, DraftStatus, Schedule, utcnow
from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.store.sync_state import SyncStatus
from composer.sync.engine import SyncEngine
from composer.sync.service import AdapterPool
from composer.ui.main_window import MainWindow
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.fakes.rebilly import FakeRebilly
from tests.ui.conftest import open_window, wait_open

FROM_ID = "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"


@pytest.fixture
def fakes() -> Iterator[tuple[FakeExante, FakeRebilly, str, str]]:
    exante, rebilly = FakeExante(), FakeRebilly()
    with serve(exante) as eurl, serve(rebilly) as rurl:
        yield exante, rebilly, eurl, rurl


def _accounts(paths: Paths, eurl: str, rurl: str, undo: int = 0) -> SettingsFile:
    settings = SettingsFile(paths.settings_file)
    settings.save(Settings(accounts=(
        Account("Work", "exante", eurl, options={"from_account_id": FROM_ID}),
        Account("Billing", "rebilly", rurl, address="billing@acme.example",
                options={"organization_id": "org-acme"})),
        default_account="Work", undo_send_seconds=undo))
    SecretStore().set("Work", "ex_live_testkey")
    SecretStore().set("Billing", "sk_sandbox_testkey")
    return settings


def _sync_once(paths: Paths) -> None:
    store = DraftStore.open(paths.database)
    pool = AdapterPool(SettingsFile(paths.settings_file), SecretStore(), utcnow)
    try:
        SyncEngine(store, pool, utcnow).run_once()
    finally:
        pool.close()
        store.close()


def _summary_words(window: MainWindow, draft_id: str) -> str:
    from composer.ui.widgets.draft_list import sync_words

    row = window.model.row_of(draft_id)
    return sync_words(window.model.summary(row)) if row >= 0 else ""


def test_auth_failure_reads_as_words_with_the_way_out(
    qtbot: QtBot, paths: Paths, fakes: tuple[FakeExante, FakeRebilly, str, str]
) -> None:
    _, _, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    SecretStore().set("Work", "ex_live_WRONG")
    store = DraftStore.open(paths.database)
    draft = store.save(Draft(account="Work", to=tuple(parse_addresses("b@x.example")),
                             subject="s"))
    store.close()
    _sync_once(paths)
    window = open_window(qtbot, paths)
    qtbot.waitUntil(lambda: window.model.row_of(draft.id) >= 0, timeout=5000)
    words = _summary_words(window, draft.id)
    assert "sign-in refused" in words and "Accounts" in words
    assert "Invalid or expired API key" in words
    window.close()


def test_switching_to_an_account_that_cannot_carry_files_says_so(
    qtbot: QtBot, paths: Paths, fakes: tuple[FakeExante, FakeRebilly, str, str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _, _, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    window = open_window(qtbot, paths)
    qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
    window.new_draft()
    wait_open(qtbot, window)
    doc = tmp_path / "invoice.pdf"
    doc.write_bytes(b"%PDF")
    window.attach_files([doc])
    qtbot.waitUntil(lambda: len(window.editor.attachments.attachments()) == 1, timeout=5000)
    window.editor.from_box.setCurrentIndex(window.editor.from_box.findData("Billing"))
    qtbot.waitUntil(lambda: window.editor.problems.isVisible(), timeout=5000)
    text = window.editor.problems.text()
    assert "Attachments:" in text and '"invoice.pdf"' in text and "Subject:" in text
    window.editor.from_box.setCurrentIndex(window.editor.from_box.findData("Work"))
    qtbot.waitUntil(lambda: not window.editor.problems.isVisible(), timeout=5000)
    window.close()


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_conflict_resolved_from_the_window(
    qtbot: QtBot, paths: Paths, fakes: tuple[FakeExante, FakeRebilly, str, str], choice: str
) -> None:
    exante, _, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    store = DraftStore.open(paths.database)
    draft = store.save(Draft(account="Work", to=tuple(parse_addresses("b@x.example")),
                             subject="mine v1"))
    store.close()
    _sync_once(paths)
    [uid] = exante.drafts
    exante.touch(uid, subject="theirs (edited on the web)")
    store = DraftStore.open(paths.database)
    store.save(store.get(draft.id).evolve(subject="mine v2"))
    store.close()
    _sync_once(paths)
    window = open_window(qtbot, paths)
    window.attach_sync()
    window.open_draft(draft.id)
    qtbot.waitUntil(lambda: window.editor.conflict_button.isVisible(), timeout=5000)
    window.show_conflict()
    qtbot.waitUntil(lambda: getattr(window, "conflict_dialog", None) is not None, timeout=5000)
    dialog = window.conflict_dialog
    assert dialog.differing == ["Subject"]
    getattr(dialog, f"keep_{choice}").click()

    def remote_subjects() -> list[str]:
        return sorted(d["subject"] for d in exante.drafts.values())

    expected = {"mine": ["mine v2"], "theirs": ["theirs (edited on the web)"],
                "both": ["mine v2", "theirs (edited on the web)"]}[choice]
    qtbot.waitUntil(lambda: remote_subjects() == expected, timeout=10_000)
    window.close()


def test_send_later_for_a_service_that_cannot_schedule(
    qtbot: QtBot, paths: Paths, fakes: tuple[FakeExante, FakeRebilly, str, str]
) -> None:
    _, rebilly, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    store = DraftStore.open(paths.database)
    now = utcnow()
    missed = store.save(Draft(account="Billing", to=tuple(parse_addresses("b@x.example")),
                              subject="missed", schedule=Schedule(now - timedelta(hours=3),
                                                                  "UTC")))
    kept = store.save(Draft(account="Billing", to=tuple(parse_addresses("c@x.example")),
                            subject="keep me", schedule=Schedule(now - timedelta(hours=2),
                                                                 "UTC")))
    store.close()
    _sync_once(paths)
    window = open_window(qtbot, paths)
    asked: list[int] = []

    def ask(count: int) -> bool:
        asked.append(count)
        return len(asked) == 1   # first start: send them

    window.send_later.ask_missed = ask
    window.attach_sync()
    qtbot.waitUntil(lambda: asked == [2], timeout=5000)

    def sent() -> bool:
        s = DraftStore.open(paths.database)
        try:
            return {s.get(missed.id).status, s.get(kept.id).status} == {DraftStatus.SENT}
        finally:
            s.close()

    qtbot.waitUntil(sent, timeout=10_000)
    assert sorted(m["status"] for m in rebilly.messages.values()) == ["sent", "sent"]
    window.close()


def test_missed_send_later_can_be_kept_as_a_draft(
    qtbot: QtBot, paths: Paths, fakes: tuple[FakeExante, FakeRebilly, str, str]
) -> None:
    _, rebilly, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    store = DraftStore.open(paths.database)
    draft = store.save(Draft(account="Billing", to=tuple(parse_addresses("b@x.example")),
                             subject="not now", schedule=Schedule(
                                 utcnow() - timedelta(hours=3), "UTC")))
    store.close()
    window = open_window(qtbot, paths)
    window.send_later.ask_missed = lambda count: False
    window.attach_sync()

    def kept() -> bool:
        s = DraftStore.open(paths.database)
        try:
            d = s.get(draft.id)
            return d.schedule is None and d.status is DraftStatus.DRAFT
        finally:
            s.close()

    qtbot.waitUntil(kept, timeout=5000)
    assert all(m["status"] == "draft" for m in rebilly.messages.values())
    window.close()


def test_synced_state_shows_in_the_editor(qtbot: QtBot, paths: Paths,
                                          fakes: tuple[FakeExante, FakeRebilly, str, str]
                                          ) -> None:
    _, _, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    store = DraftStore.open(paths.database)
    draft = store.save(Draft(account="Work", to=tuple(parse_addresses("b@x.example")),
                             subject="fine"))
    store.close()
    _sync_once(paths)
    s = DraftStore.open(paths.database)
    state = s.sync_states.get(draft.id)
    s.close()
    assert state is not None and state.state is SyncStatus.SYNCED
    window = open_window(qtbot, paths)
    window.open_draft(draft.id)
    qtbot.waitUntil(lambda: "synced" in window.editor.sync_label.text(), timeout=5000)
    window.close()


def test_every_kind_of_account_added_and_tested_through_the_dialog(qtbot: QtBot,
                                                                   tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from composer.ui.dialogs.accounts_dialog import AccountsDialog, default_tester
    from tests.sync.services import SECRETS, five_services

    settings = SettingsFile(tmp_path / "settings.json")
    with five_services() as services:
        dialog = AccountsDialog(settings, SecretStore(), default_tester(utcnow))
        qtbot.addWidget(dialog)
        for name, service in services.items():
            account = service.account
            dialog.start_new()
            dialog.set_kind(account.kind)
            qtbot.keyClicks(dialog._name, name)
            values = {"base_url": account.base_url, "username": account.username,
                      "address": account.address, "secret": SECRETS[name],
                      **{f"option:{k}": v for k, v in account.options.items()}}
            for key, value in values.items():
                if value:
                    dialog.field(key).setText(value)
            qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: dialog.message.text().startswith("Connected"),
                            timeout=10_000)
            assert dialog.save_account()
        dialog.wait_for_tests()
    saved = settings.load()
    assert [a.kind for a in saved.accounts] == [s.account.kind for s in services.values()]
    assert all(SecretStore().get(n) == SECRETS[n] for n in services)


def test_wrong_key_then_fixed_in_the_dialog_syncs(
    qtbot: QtBot, paths: Paths, fakes: tuple[FakeExante, FakeRebilly, str, str]
) -> None:
    exante, _, eurl, rurl = fakes
    _accounts(paths, eurl, rurl)
    SecretStore().set("Work", "ex_live_WRONG")
    store = DraftStore.open(paths.database)
    draft = store.save(Draft(account="Work", to=tuple(parse_addresses("b@x.example")),
                             subject="held back"))
    store.close()
    window = open_window(qtbot, paths)
    window.attach_sync()
    assert window.sync is not None
    window.sync.sync_now()
    qtbot.waitUntil(lambda: "Work: sign-in needed" in window.sync_status.text(),
                    timeout=10_000)
    from composer.ui.dialogs.accounts_dialog import AccountsDialog

    window.show_accounts()
    dialog = window.findChildren(AccountsDialog)[0]
    dialog.edit(SettingsFile(paths.settings_file).load().account("Work"))  # type: ignore[arg-type]
    dialog.field("secret").setText("ex_live_testkey")
    assert dialog.save_account()
    window.sync.sync_now()
    qtbot.waitUntil(lambda: any(d["subject"] == "held back" for d in exante.drafts.values()),
                    timeout=10_000)
    qtbot.waitUntil(lambda: "synced" in _summary_words(window, draft.id), timeout=10_000)
    window.close()
