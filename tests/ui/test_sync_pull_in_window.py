"""The window's sync pulls: a draft written on the service (not in this app) shows in
the window's list after one sync pass, for each service that can list its drafts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from pytestqt.qtbot import QtBot

from composer.paths import Paths
from composer.secrets import SecretStore
from composer.settings import Settings, SettingsFile
from composer.sync.adapters import adapter_class
from composer.sync.http import make_client
from composer.ui.main_window import MainWindow
from tests.sync.files import MemoryFiles
from tests.sync.services import SECRETS, Service, five_services
from tests.ui.conftest import open_window


@pytest.fixture(scope="module")
def services() -> Iterator[dict[str, Service]]:
    with five_services() as running:
        yield running


def _write_on_the_service(service: Service, subject: str) -> str:
    account = service.account
    adapter = adapter_class(account.kind)(
        account, SECRETS[account.name], make_client(account.base_url,
                                                    timeout=httpx.Timeout(2.0)),
        lambda: datetime.now(UTC))
    try:
        return adapter.create(service.draft(subject, "written in the web app"), MemoryFiles(),
                              "elsewhere").remote_id
    finally:
        adapter.close()


def _subjects(window: MainWindow) -> list[str]:
    return [window.model.summary(r).subject for r in range(window.model.rowCount())]


@pytest.mark.parametrize("name", ["secure", "office", "work", "billing"])
def test_a_draft_written_on_the_service_appears_after_one_pass(
        qtbot: QtBot, paths: Paths, services: dict[str, Service], name: str) -> None:
    service = services[name]
    subject = f"Written on {name} itself"
    _write_on_the_service(service, subject)
    SettingsFile(paths.settings_file).save(Settings(accounts=(service.account,),
                                                    default_account=name))
    SecretStore().set(name, SECRETS[name])
    window: MainWindow = open_window(qtbot, paths)
    try:
        qtbot.waitUntil(lambda: not window.model.loading, timeout=5000)
        assert subject not in _subjects(window)
        passes: list[object] = []
        window.attach_sync()
        assert window.sync is not None
        window.sync.sync_finished.connect(passes.append)
        with qtbot.waitSignal(window.sync.sync_finished, timeout=15_000):
            window.sync.sync_now()
        qtbot.waitUntil(lambda: subject in _subjects(window), timeout=5000)
        assert len(passes) == 1
    finally:
        window.close()
