"""The packaging recipes are well-formed (the Linux build itself runs in .ci/run)."""

from __future__ import annotations

import ast
import configparser
import re
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


def _spec_regex(name: str) -> re.Pattern[str]:
    """A module-level `NAME = re.compile("...")` of the spec (it only runs under PyInstaller)."""
    tree = ast.parse((ROOT / "packaging" / "mail-composer.spec").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            assert isinstance(node.value, ast.Call)
            return re.compile(ast.literal_eval(node.value.args[0]))
    raise AssertionError(f"{name} not in the spec")


def test_spec_keeps_the_plugins_a_linux_desktop_needs() -> None:
    drop = _spec_regex("_DROP_PLUGINS")
    for kept in ("platforms/libqxcb.so", "platforms/libqwayland.so",
                 "platforms/libqoffscreen.so", "platformthemes/libqxdgdesktopportal.so",
                 "wayland-shell-integration/libxdg-shell.so",
                 "wayland-decoration-client/libadwaita.so", "iconengines/libqsvgicon.so",
                 "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
                 "platforminputcontexts/libibusplatforminputcontextplugin.so",
                 "imageformats/libqsvg.so", "xcbglintegrations/libqxcb-glx-integration.so"):
        assert not drop.search(f"PySide6/Qt/plugins/{kept}"), kept
    assert drop.search("PySide6/Qt/plugins/platformthemes/libqgtk3.so")


def test_deb_depends_on_the_system_libraries_the_spec_does_not_bundle() -> None:
    system = _spec_regex("_LINUX_SYSTEM_LIBS")
    build = (ROOT / "packaging" / "linux" / "build.sh").read_text()
    listed = build.split("depends_list=(")[1].split("\n)")[0]
    depends = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", listed))
    package = {  # a library of each family -> its Debian package (check.sh checks them all)
        "libstdc++.so.6": "libstdc++6", "libgcc_s.so.1": "libgcc-s1", "libssl.so.3": "libssl3",
        "libcrypto.so.3": "libssl3", "libglib-2.0.so.0": "libglib2.0-0",
        "libgthread-2.0.so.0": "libglib2.0-0", "libdbus-1.so.3": "libdbus-1-3",
        "libX11.so.6": "libx11-6", "libX11-xcb.so.1": "libx11-xcb1",
        "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1",
        "libxcb-cursor.so.0": "libxcb-cursor0", "libxkbcommon.so.0": "libxkbcommon0",
        "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libfontconfig.so.1": "libfontconfig1",
        "libfreetype.so.6": "libfreetype6", "libz.so.1": "zlib1g", "libzstd.so.1": "libzstd1",
        "liblzma.so.5": "liblzma5", "libbz2.so.1.0": "libbz2-1.0", "libuuid.so.1": "libuuid1",
    }
    for lib, pkg in package.items():
        if system.fullmatch(lib):
            assert pkg in depends, (lib, pkg)
    assert system.fullmatch("libxcb-icccm.so.4") and not system.fullmatch("libpython3.11.so.1.0")
    assert not system.fullmatch("libicudata.so.73") and not system.fullmatch("libsqlite3.so.0")
