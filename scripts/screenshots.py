"""Grab the window to PNGs for a look by eye, light and dark:

- ``empty``: no drafts, no account;
- ``busy-draft``: 12 recipients (one invalid), 5 attachments, formatted body, send-later,
  a 300-draft list;
- ``synced``: an Exante account ("Work") and a Rebilly one ("Billing"), drafts synced;
- ``auth-failed``: Work's API key is wrong (sign-in refused, what to do), and
  ``auth-waiting``: another Work draft held back behind it;
- ``validation-failed``: Exante refused a draft (the service's words, on the field);
- ``conflict`` and ``conflict-dialog``: changed on both sides, keep mine/theirs/both;
- ``accounts-list``, ``accounts-test-failed``, ``accounts-add-<kind>``: the accounts
  dialog with one account of each of the five kinds, a failed test, add forms;
- ``settings``: the settings dialog;
- ``first-start``, ``composing`` (chips with a reason, bold, a link), ``no-results``,
  ``sent-view``: the journeys of issue 9, typed;
- ``send-pending``: a send held for the undo delay, "Undo" in the status bar, then
  ``send-cancelled``: after pressing it.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py OUT_DIR [SCENE]

SCENE picks the scenes whose function name contains it (e.g. ``conflict``).

The services are the test fakes on 127.0.0.1; secrets go to an in-memory keyring;
every data folder is a fresh temporary one.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the user's keychain: the in-memory test backend, set before keyring is imported.
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.memory_keyring.MemoryKeyring"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from composer.domain.accounts import Account
from composer.domain.addresses import parse_addresses
from composer.domain.models import Draft, Schedule, utcnow
from composer.paths import Paths, resolve_paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.store.drafts import DraftStore
from composer.sync.engine import SyncEngine
from composer.sync.service import AdapterPool
from composer.ui.main_window import MainWindow
from composer.ui.theme import apply_theme
from composer.ui.wiring import build_window
from tests.fakes.base import serve
from tests.fakes.exante import FakeExante
from tests.fakes.rebilly import FakeRebilly
from tests.sync.services import SECRETS, five_services

FROM_ID = "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        settle(20)


def shoot(widget: QWidget, path: Path, ms: int = 400) -> None:
    settle(ms)
    widget.grab().save(str(path))
    print(path)


def fresh_paths(scheme: str, name: str) -> Paths:
    paths = resolve_paths(Path(tempfile.mkdtemp(prefix=f"shots-{scheme}-{name}-")))
    paths.ensure()
    return paths


def open_window(paths: Paths, *, sync: bool = False) -> MainWindow:
    window = build_window(paths, SettingsFile(paths.settings_file), utcnow,
                          default_tz="Europe/Berlin")
    window.resize(1200, 800)
    window.show()
    wait_until(lambda: not window.model.loading, "the draft list")
    if sync:
        window.attach_sync()
        assert window.sync is not None
        controller = window.sync
        wait_until(lambda: controller.last_summary is not None, "a sync pass")
    return window


def close_window(window: MainWindow) -> None:
    window.close()
    QCoreApplication.processEvents()


def show_draft(window: MainWindow, draft_id: str) -> None:
    window.open_draft(draft_id)
    wait_until(lambda: window.editor.draft is not None and window.editor.draft.id == draft_id,
               "the draft to open")


def sync_once(paths: Paths) -> None:
    store = DraftStore.open(paths.database)
    pool = AdapterPool(SettingsFile(paths.settings_file), SecretStore(), utcnow)
    try:
        SyncEngine(store, pool, utcnow).run_once()
    finally:
        pool.close()
        store.close()


@contextmanager
def exante_and_rebilly() -> Iterator[tuple[FakeExante, str, str]]:
    exante, rebilly = FakeExante(), FakeRebilly()
    with serve(exante) as eurl, serve(rebilly) as rurl:
        yield exante, eurl, rurl


def two_accounts(paths: Paths, eurl: str, rurl: str, *, undo: int = 10) -> None:
    """Work (Exante) and Billing (Rebilly), as tests/ui/test_sync_states.py sets them."""
    SettingsFile(paths.settings_file).save(Settings(accounts=(
        Account("Work", "exante", eurl, address="me@acme.example",
                options={"from_account_id": FROM_ID}),
        Account("Billing", "rebilly", rurl, address="billing@acme.example",
                options={"organization_id": "org-acme"})),
        default_account="Work", undo_send_seconds=undo))
    SecretStore().set("Work", "ex_live_testkey")
    SecretStore().set("Billing", "sk_sandbox_testkey")


def save_drafts(paths: Paths, drafts: list[Draft]) -> list[Draft]:
    store = DraftStore.open(paths.database)
    try:
        return [store.save(d) for d in drafts]
    finally:
        store.close()


def work_draft(to: str, subject: str, body: str, **extra: object) -> Draft:
    return Draft(account="Work", from_addr="me@acme.example",
                 to=tuple(parse_addresses(to)), subject=subject, html=f"<p>{body}</p>",
                 **extra)  # type: ignore[arg-type]


def everyday_drafts() -> list[Draft]:
    return [
        Draft(to=tuple(parse_addresses("Mum <mum@family.example>")),
              subject="Sunday lunch", html="<p>Shall I bring dessert?</p>"),
        work_draft("Ana Silva <ana@client.example>", "Contract renewal — questions",
                   "A few points before we sign."),
        Draft(account="Billing", from_addr="billing@acme.example",
              to=tuple(parse_addresses("accounts@customer.example")),
              subject="Invoice INV-2041 is due", html="<p>A friendly reminder.</p>"),
        work_draft("team@acme.example", "Weekly status", "Done, doing, blocked."),
    ]


# -- scenes ---------------------------------------------------------------------------
def scene_empty_and_busy(scheme: str, out: Path) -> None:
    paths = fresh_paths(scheme, "busy")
    window = open_window(paths)
    shoot(window, out / f"{scheme}-empty.png")
    close_window(window)
    store = DraftStore.open(paths.database)
    for n in range(300):
        store.save(Draft(to=tuple(parse_addresses(f"Person {n} <p{n}@example.org>")),
                         subject=f"Draft number {n}: quarterly planning notes",
                         html=f"<p>Body {n}</p>"))
    blobs = [store.blobs.put_bytes(name, os.urandom(size)) for name, size in (
        ("report.pdf", 2_400_000), ("photo.jpg", 880_000), ("budget.xlsx", 150_000),
        ("notes.txt", 2_000), ("slides.pptx", 6_100_000))]
    recipients = ", ".join(f'"Colleague {n}, Team" <c{n}@example.org>' for n in range(10))
    busy = store.save(Draft(
        to=tuple(parse_addresses(recipients + ", not-an-address, x@example.org")),
        cc=tuple(parse_addresses("boss@example.org")),
        subject="Quarterly report — numbers, slides and photos",
        html="<p>Hello all,</p><p>Here are the <b>numbers</b> and <i>slides</i>:</p>"
             "<ul><li>Revenue up 12%</li><li>Costs flat</li></ul>"
             "<p>See <a href='https://example.org/q3'>the dashboard</a>.</p>",
        attachments=tuple(blobs)))
    store.close()
    window = open_window(paths)
    settle(200)
    show_draft(window, busy.id)
    settle(300)
    window.editor.schedule.choose(datetime(2031, 3, 30, 2, 30), "Europe/Berlin")
    shoot(window, out / f"{scheme}-busy-draft.png")
    close_window(window)


def scene_synced_and_send(scheme: str, out: Path) -> None:
    with exante_and_rebilly() as (_, eurl, rurl):
        paths = fresh_paths(scheme, "synced")
        two_accounts(paths, eurl, rurl)
        drafts = save_drafts(paths, [
            *everyday_drafts(),
            work_draft("Dev Team <dev@acme.example>", "Release 2.4 — go/no-go",
                       "Send-later for Monday morning.",
                       schedule=Schedule(utcnow() + timedelta(days=3), "Europe/Berlin")),
            work_draft("Ana Silva <ana@client.example>, Tom <tom@client.example>",
                       "Meeting notes, 12 March",
                       "Thanks for your time today. <b>Next steps</b> below."),
        ])
        sync_once(paths)
        window = open_window(paths, sync=True)
        show_draft(window, drafts[-1].id)
        wait_until(lambda: "synced" in window.editor.sync_label.text(), "synced words")
        shoot(window, out / f"{scheme}-synced.png")
        window.send()
        wait_until(window.undo_button.isVisible, "the undo button")
        shoot(window, out / f"{scheme}-send-pending.png", 200)
        window.status.undo()
        wait_until(lambda: "cancelled" in window.save_status.text(), "the cancelled send")
        shoot(window, out / f"{scheme}-send-cancelled.png", 200)
        close_window(window)


def scene_auth_failed(scheme: str, out: Path) -> None:
    with exante_and_rebilly() as (_, eurl, rurl):
        paths = fresh_paths(scheme, "auth")
        two_accounts(paths, eurl, rurl)
        SecretStore().set("Work", "ex_live_WRONG")
        drafts = save_drafts(paths, [
            *everyday_drafts(),
            work_draft("Ana Silva <ana@client.example>", "Proposal for the spring campaign",
                       "Attached the figures we discussed."),
        ])
        sync_once(paths)
        window = open_window(paths, sync=True)
        wait_until(lambda: "sign-in" in window.sync_status.text(), "sign-in needed")
        show_draft(window, drafts[1].id)   # the first one pushed: refused
        wait_until(lambda: "sign-in" in window.editor.sync_label.text(), "auth words")
        shoot(window, out / f"{scheme}-auth-failed.png")
        show_draft(window, drafts[-1].id)  # held back behind the refused sign-in
        wait_until(lambda: "needs its" in window.editor.sync_label.text(), "waiting words")
        shoot(window, out / f"{scheme}-auth-waiting.png")
        close_window(window)


def scene_validation_failed(scheme: str, out: Path) -> None:
    with exante_and_rebilly() as (exante, eurl, rurl):
        paths = fresh_paths(scheme, "validation")
        two_accounts(paths, eurl, rurl)
        # The service refuses every create and update of this draft while the shot is taken.
        exante.inject(422, times=50, match="/api/email/drafts", method="POST")
        drafts = save_drafts(paths, [
            work_draft("Ana Silva <ana@client.example>", "Price list 2027",
                       "Our new prices, valid from January."),
        ])
        sync_once(paths)
        save_drafts(paths, everyday_drafts()[:1])
        window = open_window(paths, sync=True)
        show_draft(window, drafts[0].id)
        wait_until(lambda: "not accepted" in window.editor.sync_label.text(), "validation words")
        shoot(window, out / f"{scheme}-validation-failed.png")
        close_window(window)


def scene_conflict(scheme: str, out: Path) -> None:
    with exante_and_rebilly() as (exante, eurl, rurl):
        paths = fresh_paths(scheme, "conflict")
        two_accounts(paths, eurl, rurl)
        [draft] = save_drafts(paths, [work_draft(
            "Ana Silva <ana@client.example>", "Offer for the new office",
            "Dear Ana, here is our offer for the fit-out of the new office.")])
        save_drafts(paths, everyday_drafts()[:2])
        sync_once(paths)
        [uid] = [k for k, d in exante.drafts.items() if d["subject"] == draft.subject]
        exante.touch(uid, subject="Offer for the new office (edited by Sam)",
                     cc=["sam@acme.example"],
                     body_html="<p>Dear Ana, here is our revised offer for the fit-out.</p>",
                     body_text="Dear Ana, here is our revised offer for the fit-out.")
        store = DraftStore.open(paths.database)
        store.save(store.get(draft.id).evolve(
            subject="Offer for the new office — final",
            html="<p>Dear Ana, here is our final offer for the fit-out of the new "
                 "office, valid until Friday.</p>"))
        store.close()
        sync_once(paths)
        window = open_window(paths, sync=True)
        show_draft(window, draft.id)
        wait_until(window.editor.conflict_button.isVisible, "the conflict button")
        shoot(window, out / f"{scheme}-conflict.png")
        window.show_conflict()
        wait_until(lambda: getattr(window, "conflict_dialog", None) is not None,
                   "the conflict dialog")
        shoot(window.conflict_dialog, out / f"{scheme}-conflict-dialog.png")
        window.conflict_dialog.reject()
        close_window(window)


def scene_accounts_and_settings(scheme: str, out: Path) -> None:
    from composer.ui.dialogs.accounts_dialog import AccountsDialog
    from composer.ui.dialogs.settings_dialog import SettingsDialog

    nice = {"secure": "Secure mail", "office": "Office", "work": "Work",
            "dealer": "Dealership", "billing": "Billing"}
    with five_services() as services:
        paths = fresh_paths(scheme, "accounts")
        accounts = tuple(dataclasses.replace(s.account, name=nice[n])
                         for n, s in services.items())
        settings_file = SettingsFile(paths.settings_file)
        settings_file.save(Settings(accounts=accounts, default_account="Work"))
        for name, secret in SECRETS.items():
            SecretStore().set(nice[name], secret)
        save_drafts(paths, everyday_drafts())
        window = open_window(paths)
        window.show_accounts()
        dialog = window.findChildren(AccountsDialog)[-1]
        dialog.select("Work")
        dialog.run_test()
        wait_until(lambda: dialog.message.text().startswith("Connected"), "a test")
        shoot(dialog, out / f"{scheme}-accounts-list.png")
        dialog.field("secret").setText("ex_live_WRONG")
        dialog.run_test()
        wait_until(lambda: dialog.test_button.isEnabled()
                   and not dialog.message.text().startswith("Testing"), "a failed test")
        shoot(dialog, out / f"{scheme}-accounts-test-failed.png")
        for kind in ("datamotion", "mykaarma"):
            dialog.start_new()
            dialog.set_kind(kind)
            shoot(dialog, out / f"{scheme}-accounts-add-{kind}.png")
        dialog.wait_for_tests()
        dialog.reject()
        settings = SettingsDialog(settings_file.load(), window)
        settings.show()
        shoot(settings, out / f"{scheme}-settings.png")
        settings.reject()
        close_window(window)


def scene_journeys(scheme: str, out: Path) -> None:
    """Issue 9's journeys, typed: first start, chips with a reason, formatting and a link,
    a search with no results, a sent message in the Sent view."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from composer.ui.widgets.draft_list import SENT

    with exante_and_rebilly() as (exante, eurl, rurl):
        paths = fresh_paths(scheme, "journeys")
        two_accounts(paths, eurl, rurl, undo=0)
        window = open_window(paths, sync=True)
        wait_until(lambda: window.editor.draft is not None, "the first-start draft")
        window.activateWindow()
        shoot(window, out / f"{scheme}-first-start.png")
        ctrl = Qt.KeyboardModifier.ControlModifier
        to = window.editor.to.line_edit()
        QTest.keyClicks(to, '"Silva, Ana" <ana@client.example>, tom@client, ')
        QTest.keyClicks(to, "bo@client.example")
        QTest.keyClick(to, Qt.Key.Key_Tab)
        QTest.keyClicks(window.editor.subject, "Offer: next steps")
        QTest.keyClick(window.editor.subject, Qt.Key.Key_Tab)
        body = window.editor.rich
        QTest.keyClicks(body, "Hello Ana, the ")
        QTest.keyClick(body, Qt.Key.Key_B, ctrl)
        QTest.keyClicks(body, "final figures")
        QTest.keyClick(body, Qt.Key.Key_B, ctrl)
        QTest.keyClicks(body, " are on ")
        window.editor.insert_link("example.com/offer", "our offer page")
        QTest.keyClicks(body, ". See you Friday.")
        QTest.keyClick(body, Qt.Key.Key_Left)
        shoot(window, out / f"{scheme}-composing.png", 1500)  # after its autosave
        window.search.setFocus()
        QTest.keyClicks(window.search, "zebra")
        wait_until(window.no_results.isVisible, "no results")
        shoot(window, out / f"{scheme}-no-results.png")
        QTest.keyClick(window.search, Qt.Key.Key_Escape)
        # A sent message: out of the drafts, read-only, "Edit as new draft".
        [sent] = save_drafts(paths, [work_draft("Ana Silva <ana@client.example>",
                                                "Signed contract", "Attached, signed.")])
        show_draft(window, sent.id)
        wait_until(window.send_action.isEnabled, "Send enabled")
        window.send()
        wait_until(lambda: window.save_status.text().startswith("Sent"), "sent", 20)
        window.show_view(SENT)
        wait_until(lambda: window.model.row_of(sent.id) >= 0, "the Sent view")
        window.list.setCurrentIndex(window.model.index(window.model.row_of(sent.id)))
        wait_until(lambda: window.editor.read_only, "read-only")
        shoot(window, out / f"{scheme}-sent-view.png")
        assert exante.sent
        close_window(window)


SCENES = (scene_journeys, scene_empty_and_busy, scene_synced_and_send, scene_auth_failed,
          scene_validation_failed, scene_conflict, scene_accounts_and_settings)


def main(out: Path, only: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    for scheme in ("light", "dark"):
        apply_theme(scheme)  # the app's own Fusion palettes, as Settings → Theme sets them
        for scene in SCENES:
            if only and only not in scene.__name__:
                continue
            scene(scheme, out)
            clear_keyring()
    app.processEvents()
    os._exit(0)  # skip interpreter teardown of Qt objects (a screenshot script)


def clear_keyring() -> None:
    import keyring

    backend = keyring.get_keyring()
    clear = getattr(backend, "clear", None)
    if callable(clear):
        clear()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots"),
         sys.argv[2] if len(sys.argv) > 2 else "")
