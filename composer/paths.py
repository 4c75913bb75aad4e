"""Where things live: platformdirs locations, overridable with --data-dir / COMPOSER_DATA_DIR.

With an override, everything (database, settings, logs, window state) lives under that
one folder, which makes portable installs and tests hermetic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from composer import APP_SLUG

ENV_DATA_DIR = "COMPOSER_DATA_DIR"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "drafts.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def window_state_file(self) -> Path:
        return self.config_dir / "window-state.ini"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "mail-composer.log"

    def ensure(self) -> None:
        for folder in (self.data_dir, self.config_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                folder.chmod(0o700)


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    override = data_dir or os.environ.get(ENV_DATA_DIR)
    if override:
        root = Path(override).expanduser().resolve()
        return Paths(data_dir=root, config_dir=root / "config", log_dir=root / "logs")
    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_SLUG, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_SLUG, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_SLUG, appauthor=False)),
    )
