"""constraints.txt is the lock every install uses (CI, installers, the README's commands):
it must pin every dependency the project declares, at a version the declaration allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        reqs += [Requirement(r) for r in extra]
    return reqs


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    pins = _pins()
    for req in _declared():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"{req.name}=={pins[name]} is outside {req.specifier}"


def test_the_pyside6_release_that_aborts_is_never_allowed() -> None:
    pyside = next(r for r in _declared() if canonicalize_name(r.name) == "pyside6-essentials")
    assert not pyside.specifier.contains("6.12.0")
    assert _pins()["pyside6-essentials"] != "6.12.0"
    assert _pins()["shiboken6"] == _pins()["pyside6-essentials"]


def test_every_install_step_uses_the_lock() -> None:
    steps = [ROOT / ".ci" / "run", *sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
    for path in steps:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "pip install" in line and not line.lstrip().startswith("#") \
                    and ("-e ." in line or "-e \"." in line or " ." in line):
                assert "-c constraints.txt" in line, f"{path.name}: {line.strip()}"
