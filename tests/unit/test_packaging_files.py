"""The packaging recipes are well-formed (the Linux build itself runs in .ci/run)."""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_workflows_match_the_github_schema() -> None:
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["ci.yml", "release.yml"]
    out = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", *map(str, workflows)],
        capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_release_matrix_builds_tests_and_smoke_tests_on_three_systems() -> None:
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    for needle in ("ubuntu-", "windows-", "macos-", "scripts/test.sh", "--self-test",
                   "--smoke-test", "upload-artifact", "packaging/linux/check.sh"):
        assert needle in text


def test_desktop_entry_registers_mailto() -> None:
    path = ROOT / "resources" / "linux" / "org.mailcomposer.MailComposer.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(path)
    desktop = entry["Desktop Entry"]
    assert "x-scheme-handler/mailto;" in desktop["MimeType"]
    assert desktop["Exec"] == "mail-composer %u"
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.skip("desktop-file-validate is not installed")
    out = subprocess.run([validator, str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_spec_and_scripts_parse() -> None:
    ast.parse((ROOT / "packaging" / "mail-composer.spec").read_text())
    for script in (ROOT / "packaging").rglob("*.sh"):
        out = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert out.returncode == 0, (script, out.stderr)
    iss = (ROOT / "packaging" / "windows" / "mail-composer.iss").read_text()
    assert "PrivilegesRequired=lowest" in iss and "mailto" in iss and ".eml" in iss
