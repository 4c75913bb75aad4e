"""What the window says about sync states, and the ways out it offers: synced with a
time, a refusal on the field it concerns, sign-in fixes, and dialogs that say which
account they show."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, DraftStatus, utcnow
from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore, DraftSummary
from composer.store.sync_state import SyncStatus
from composer.sync.engine import SyncEngine
from composer.sync.service import AdapterPool
from composer.ui.dialogs.conflict_dialog import ConflictDialog
from composer.ui.dialogs.settings_dialog import SettingsDialog
from composer.ui.widgets.draft_list import short_sync_words, sync_words
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.ui.conftest import open_window

FROM_ID = "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"


def _summary(**changes: object) -> DraftSummary:
    base = DraftSummary(id="d1", subject="s", recipients="b@x.example", account="Work",
                        status=DraftStatus.DRAFT, updated_at=utcnow(), revision=1,
                        send_at=None, attachment_count=0, sync=SyncStatus.SYNCED,
                        sync_error=None)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_words_name_the_field_and_the_time() -> None:
    refused = _summary(sync=SyncStatus.FAILED, sync_error_kind="validation",
                       sync_error="Validation error", sync_field="to")
    assert "To: Validation error" in sync_words(refused) and " in to" not in sync_words(refused)
    assert short_sync_words(refused) == "not accepted"
    when = utcnow() - timedelta(minutes=5)
    synced = _summary(last_synced_at=when)
    assert sync_words(synced) == f"synced at {when.astimezone():%H:%M}"
    assert short_sync_words(synced) == f"synced {when.astimezone():%H:%M}"
    later = utcnow() + timedelta(days=2)
    assert short_sync_words(_summary(send_at=later)).startswith("sends ")
    assert short_sync_words(_summary(sync=SyncStatus.FAILED, sync_error_kind="auth",
                                     send_at=later)) == "sign-in refused"


@pytest.fixture
def exante() -> Iterator[tuple[FakeExante, str]]:
    fake = FakeExante()
    with serve(fake) as url:
        yield fake, url


def _work(paths: Paths, url: str, key: str = "ex_live_testkey") -> None:
    SettingsFile(paths.settings_file).save(Settings(accounts=(
        Account("Work", "exante", url, options={"from_account_id": FROM_ID}),),
        default_account="Work"))
    SecretStore().set("Work", key)


def _draft_synced_once(paths: Paths, subject: str) -> Draft:
    store = DraftStore.open(paths.database)
    draft = store.save(Draft(account="Work", to=tuple(parse_addresses("b@x.example")),
                             subject=subject))
    store.close()
    store = DraftStore.open(paths.database)
    pool = AdapterPool(SettingsFile(paths.settings_file), SecretStore(), utcnow)
    try:
        SyncEngine(store, pool, utcnow).run_once()
    finally:
        pool.close()
        store.close()
    return draft


def test_a_refusal_shows_the_services_words_on_the_field(
    qtbot: QtBot, paths: Paths, exante: tuple[FakeExante, str]
) -> None:
    fake, url = exante
    _work(paths, url)
    fake.inject(422, times=20, match="/api/email/drafts", method="POST")
    draft = _draft_synced_once(paths, "Price list")
    window = open_window(qtbot, paths)
    window.open_draft(draft.id)
    qtbot.waitUntil(lambda: window.editor.problems.isVisible(), timeout=5000)
    text = window.editor.problems.text()
    assert text.startswith("⚠ To:") and "Validation error (e.g., invalid email format)" in text
    assert "change To" in window.editor.sync_label.text()
    assert window.editor.sync_label.property("problem") is True
    window.close()


def test_a_refused_sign_in_offers_the_fix(qtbot: QtBot, paths: Paths,
                                          exante: tuple[FakeExante, str]) -> None:
    _, url = exante
    _work(paths, url, key="ex_live_WRONG")
    draft = _draft_synced_once(paths, "held back")
    window = open_window(qtbot, paths)
    window.attach_sync()
    window.open_draft(draft.id)
    qtbot.waitUntil(lambda: window.editor.sign_in_button.isVisible(), timeout=5000)
    window.editor.sign_in_button.click()
    from composer.ui.dialogs.accounts_dialog import AccountsDialog

    qtbot.waitUntil(lambda: bool(window.findChildren(AccountsDialog)), timeout=5000)
    dialog = window.findChildren(AccountsDialog)[0]
    assert dialog._name.text() == "Work" and dialog.save_button.isDefault()
    assert dialog._list.currentItem() is not None
    dialog.start_new()
    assert dialog._list.currentItem() is None and not dialog._remove.isEnabled()
    dialog.reject()
    window.close()


def test_conflict_compares_people_by_address(qtbot: QtBot) -> None:
    mine = Draft(to=tuple(parse_addresses("Ana Silva <ana@x.test>")), subject="Plan")
    theirs = mine.evolve(to=tuple(parse_addresses("ana@x.test")), subject="Plan (web)")
    dialog = ConflictDialog(mine, theirs, "Work (Exante)")
    qtbot.addWidget(dialog)
    assert dialog.differing == ["Subject"]


def test_settings_autosave_in_seconds(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(autosave_idle_ms=1000))
    qtbot.addWidget(dialog)
    assert dialog.autosave.value() == 1.0
    dialog.autosave.setValue(1.5)
    assert dialog.result_settings().autosave_idle_ms == 1500


def test_keeping_a_missed_send_as_a_draft_is_not_undone_by_the_open_draft(
    qtbot: QtBot, paths: Paths
) -> None:
    from composer.domain.models import Schedule
    from tests.fakes.rebilly import FakeRebilly

    with serve(FakeRebilly()) as url:
        SettingsFile(paths.settings_file).save(Settings(accounts=(
            Account("Billing", "rebilly", url, address="billing@acme.example",
                    options={"organization_id": "org-acme"}),), default_account="Billing"))
        SecretStore().set("Billing", "sk_sandbox_testkey")
        store = DraftStore.open(paths.database)
        draft = store.save(Draft(account="Billing", to=tuple(parse_addresses("b@x.example")),
                                 subject="not now", schedule=Schedule(
                                     utcnow() - timedelta(hours=3), "UTC")))
        store.close()
        window = open_window(qtbot, paths)
        window.send_later.ask_missed = lambda count: False
        window.attach_sync()
        # The newest draft opens by itself; once the choice is applied it is shown anew.
        qtbot.waitUntil(lambda: window.editor.draft is not None
                        and window.editor.draft.schedule is None, timeout=5000)
        qtbot.waitUntil(lambda: window.bridge.pending == 0, timeout=5000)
        assert window.editor.schedule.schedule() is None
        store = DraftStore.open(paths.database)
        try:
            assert store.get(draft.id).schedule is None
        finally:
            store.close()
        window.close()
