"""Where the app's resources (icons, desktop files) are, in every way it can be run:
from the source tree, installed from a wheel (shipped as the ``composer.resources``
package, mapped from the top-level ``resources/`` folder), or frozen by PyInstaller."""

from __future__ import annotations

import contextlib
import sys
from functools import cache
from pathlib import Path


@cache
def resource_dir() -> Path:
    candidates: list[Path] = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.append(Path(frozen) / "resources")
    candidates.append(Path(__file__).resolve().parents[1] / "resources")  # source tree
    with contextlib.suppress(ModuleNotFoundError, TypeError):  # not installed as a wheel
        import importlib.resources

        candidates.append(Path(str(importlib.resources.files("composer.resources"))))
    for folder in candidates:
        if (folder / "app" / "mail-composer.svg").exists():
            return folder
    raise FileNotFoundError("the app's resources folder is missing from this installation")


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
