"""The core's composition root: paths -> logging -> settings -> store -> secrets.

The one place that builds the core's object graph; everything else gets its collaborators
through constructors. It imports no Qt and nothing of ``ui/``: the command line launches
the window (``composer.ui.launch``), which opens the core through ``open_core``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from composer.domain.models import utcnow
from composer.errors import StorageError, StorageProblem
from composer.log import setup_logging
from composer.paths import Paths, resolve_paths
from composer.secrets import SecretStore
from composer.settings import SettingsFile
from composer.store.drafts import DraftStore
from composer.store.recovery import RecoveryReport, open_store, recover_store

log = logging.getLogger(__name__)


@dataclass
class Core:
    paths: Paths
    settings_file: SettingsFile
    store: DraftStore
    secrets: SecretStore
    clock: Callable[[], datetime]
    recovery: RecoveryReport | None = None

    def close(self) -> None:
        self.store.close()


def open_core(
    data_dir: str | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    keyring_backend: Any | None = None,
    log_to_file: bool = True,
) -> Core:
    paths = resolve_paths(data_dir)
    paths.ensure()
    if log_to_file:
        setup_logging(paths.log_file)
    store, report = open_store(paths.database, clock)
    try:
        store.purge_old_tombstones()
    except StorageError as exc:
        if exc.problem is not StorageProblem.CORRUPT:
            store.close()
            raise
        # Damage a query found after opening: move aside, salvage, go on.
        store.close()
        store, report = recover_store(paths.database, clock, str(exc.__cause__ or exc))
    if report is not None:
        log.warning(
            "draft database was damaged; moved to %s; recovered %d drafts",
            report.moved_to, report.drafts_recovered,
        )
    return Core(
        paths=paths,
        settings_file=SettingsFile(paths.settings_file),
        store=store,
        secrets=SecretStore(keyring_backend),
        clock=clock,
        recovery=report,
    )
