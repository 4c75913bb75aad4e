"""The packaging recipes are well-formed (the Linux build itself runs in .ci/run)."""

from __future__ import annotations

import ast
import configparser
import os
import re
import shutil
import struct
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


def test_tests_run_on_three_systems_and_installers_on_each_own_runner() -> None:
    ci = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    for needle in ("ubuntu-", "windows-", "macos-", "scripts/test.sh"):
        assert needle in ci
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    for needle in ("ubuntu-", "windows-", "macos-", "packaging/smoke.py",
                   "upload-artifact", "packaging/linux/check.sh"):
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


def _workflow(name: str) -> dict:  # type: ignore[type-arg]
    from ruamel.yaml import YAML  # check-jsonschema's YAML reader

    loaded = YAML(typ="safe").load((ROOT / ".github" / "workflows" / name).read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_installers_build_on_every_push_to_main_and_on_tags() -> None:
    workflow = _workflow("release.yml")
    on = workflow["on"]
    assert on["push"]["branches"] == ["main"] and on["push"]["tags"] == ["v*"]
    jobs = workflow["jobs"]
    assert {"linux", "windows", "macos", "publish"} <= set(jobs)
    for name in ("linux", "windows", "macos"):
        assert "if" not in jobs[name], name  # not only on tags
        steps = jobs[name]["steps"]
        assert any("upload-artifact" in s.get("uses", "") for s in steps), name
        # smoke-tested on its own runner, output checked by packaging/smoke.py
        assert any("packaging/smoke.py" in s.get("run", "") for s in steps), name
    assert jobs["publish"]["if"] == "startsWith(github.ref, 'refs/tags/v')"
    assert set(jobs["publish"]["needs"]) == {"linux", "windows", "macos"}
    archs = {(m["runner"], m["arch"]) for m in jobs["macos"]["strategy"]["matrix"]["include"]}
    assert archs == {("macos-15", "arm64"), ("macos-15-intel", "x86_64")}
    build = next(s for s in jobs["macos"]["steps"] if "build_dmg.sh" in s.get("run", ""))
    assert build["env"]["REQUIRE_SIGNING"] == "${{ startsWith(github.ref, 'refs/tags/v') }}"
    windows = "\n".join(s.get("run", "") for s in jobs["windows"]["steps"])
    for needle in ("signtool", "/DUseSignTool", "/DOutputSuffix=-unsigned", "iscc",
                   "Mail Composer.exe", "unins000.exe", "$LASTEXITCODE"):
        assert needle in windows, needle


def test_every_pip_install_uses_the_lock_file() -> None:
    for name in ("ci.yml", "release.yml"):
        text = (ROOT / ".github" / "workflows" / name).read_text()
        installs = re.findall(r"pip install[^\n]*", text)
        assert installs, name
        for line in installs:
            assert "-c constraints.txt" in line, (name, line)


def test_macos_build_signs_through_pyinstaller_and_refuses_unsigned_tags() -> None:
    script = (ROOT / "packaging" / "macos" / "build_dmg.sh").read_text()
    assert "--deep --sign" not in script and "codesign --force" not in script
    for needle in ("security create-keychain", "security import", "delete-keychain",
                   "notarytool submit", "stapler staple", "REQUIRE_SIGNING", "::error::",
                   "ln -s /Applications", "-unsigned", "icon_${size}x${size}@2x.png",
                   "lipo -archs", '"Accepted"'):
        assert needle in script, needle
    spec = (ROOT / "packaging" / "mail-composer.spec").read_text()
    for needle in ("codesign_identity=", "entitlements_file=", "target_arch=",
                   '"MACOS_SIGN_IDENTITY"', '"MACOS_TARGET_ARCH"'):
        assert needle in spec, needle


def test_inno_setup_follows_the_install_mode_and_cleans_upgrades() -> None:
    iss = (ROOT / "packaging" / "windows" / "mail-composer.iss").read_text()
    registry = [line for line in iss.splitlines() if line.startswith("Root:")]
    assert registry and all(line.startswith("Root: HKA;") for line in registry)
    for needle in ("DefaultDirName={autopf}\\", "ArchitecturesAllowed=x64compatible",
                   "ArchitecturesInstallIn64BitMode=x64compatible",
                   'Type: filesandordirs; Name: "{app}\\_internal"',
                   "SetupIconFile=..\\out\\mail-composer.ico", '#define AppExe "Mail Composer.exe"',
                   "\\DefaultIcon", '"ApplicationIcon"', "SignTool=mcsign"):
        assert needle in iss, needle
    handlers = [line for line in registry if "shell\\open\\command" in line]
    assert len(handlers) == 3 and all("{app}\\{#AppExe}" in line for line in handlers)


def test_spec_keeps_the_inline_image_plugins_and_the_local_socket() -> None:
    tree = ast.parse((ROOT / "packaging" / "mail-composer.spec").read_text())
    assigned = {node.targets[0].id: node.value for node in tree.body  # type: ignore[attr-defined]
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}
    assert set(ast.literal_eval(assigned["_IMAGE_FORMATS"])) == {"svg", "jpeg", "gif", "webp"}
    excludes = ast.literal_eval(assigned["QT_EXCLUDES"])
    assert "PySide6.QtNetwork" not in excludes  # QLocalServer: one instance per data folder
    drop = _spec_regex("_DROP_PLUGINS")
    for fmt in ("jpeg", "gif", "webp"):
        assert not drop.search(f"PySide6/Qt/plugins/imageformats/libq{fmt}.so")


def test_render_icons_writes_every_png_and_a_windows_ico(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "render_icons.py"),
                          str(tmp_path / "icons")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "icons" / "1024x1024" / "mail-composer.png").is_file()
    ico = (tmp_path / "mail-composer.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    sides = []
    for i in range(count):
        width, height, _, _, planes, bits, size, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i:22 + 16 * i])
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size <= len(ico)
        assert (planes, bits) == (1, 32) and width == height
        sides.append(width or 256)
    assert sides == [16, 24, 32, 48, 64, 128, 256]


def _launcher_dir(tmp_path: Path, status: int) -> Path:
    app = tmp_path / "mail-composer"
    app.mkdir()
    shutil.copy(ROOT / "packaging" / "linux" / "launcher.sh", app / "mail-composer")
    (app / "mail-composer-bin").write_text(f"#!/bin/sh\necho ran \"$@\"\nexit {status}\n")
    for f in ("mail-composer", "mail-composer-bin"):
        (app / f).chmod(0o755)
    fake = tmp_path / "ldd"
    fake.write_text("#!/bin/sh\nprintf '\\tlibxcb-cursor.so.0 => not found\\n"
                    "\\tlibxcb-randr.so.0 => not found\\n\\tlibfoo.so.9 => not found\\n"
                    "\\tlibc.so.6 => /lib/libc.so.6\\n'\n")
    fake.chmod(0o755)
    return app


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_tarball_launcher_names_the_missing_packages(tmp_path: Path) -> None:
    app = _launcher_dir(tmp_path, status=1)
    env = {"PATH": "/usr/bin:/bin", "MAIL_COMPOSER_LDD": str(tmp_path / "ldd")}
    out = subprocess.run([str(app / "mail-composer"), "--self-test"], env=env,
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stdout == "ran --self-test\n"
    assert "missing system library libxcb-cursor.so.0 (Debian/Ubuntu package: libxcb-cursor0)" \
        in out.stderr
    assert "missing system library libfoo.so.9\n" in out.stderr
    assert "sudo apt install libxcb-cursor0 libxcb-randr0\n" in out.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_tarball_launcher_is_silent_when_the_app_runs(tmp_path: Path) -> None:
    app = _launcher_dir(tmp_path, status=0)
    env = {"PATH": "/usr/bin:/bin", "MAIL_COMPOSER_LDD": str(tmp_path / "ldd")}
    out = subprocess.run([str(app / "mail-composer"), "a b"], env=env, capture_output=True,
                         text=True)
    assert (out.returncode, out.stdout, out.stderr) == (0, "ran a b\n", "")


def test_smoke_checks_what_the_app_prints(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    good = subprocess.run([sys.executable, str(ROOT / "packaging" / "smoke.py"), "--",
                           sys.executable, "-m", "composer"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.rstrip().endswith("smoke: all checks passed")
    liar = tmp_path / "liar.py"  # exits 0 to everything, prints nothing useful
    liar.write_text("print('mail-composer 0.1.0')\n")
    bad = subprocess.run([sys.executable, str(ROOT / "packaging" / "smoke.py"), "--",
                          sys.executable, str(liar)], env=env, capture_output=True,
                         text=True, timeout=600)
    assert bad.returncode == 1
    assert "smoke: FAILED: --self-test: expected" in bad.stderr


def test_licence_notices_cover_the_bundled_python_packages(tmp_path: Path) -> None:
    out = tmp_path / "python-packages.txt"
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "collect_licenses.py"),
                           str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    for name in ("PySide6_Essentials", "keyring", "httpx", "platformdirs", "nh3"):
        assert re.search(rf"^{name} \d", text, re.MULTILINE | re.IGNORECASE), name
    assert not re.search(r"^(pytest|hypothesis|mypy|pyinstaller) \d", text,
                         re.MULTILINE | re.IGNORECASE)  # test and build tools are not bundled
    assert "Permission is hereby granted" in text  # texts, not only names


def test_windows_gets_a_console_and_a_windowed_program() -> None:
    spec = (ROOT / "packaging" / "mail-composer.spec").read_text()
    windows = spec.split('if sys.platform == "win32":\n    # A console program')[1]
    assert "name=APP_NAME, console=False" in windows.split("coll = COLLECT")[0]
    assert 'name="mail-composer",\n    console=not sys.platform == "darwin"' in spec
    assert "COLLECT(*executables" in spec


def test_check_validates_the_packaged_files_not_the_sources() -> None:
    check = (ROOT / "packaging" / "linux" / "check.sh").read_text()
    assert 'desktop-file-validate "$desktop"' in check
    assert 'desktop="$scratch/root/usr/share/applications/' in check
    assert "resources/linux/" not in check
    assert "lintian --fail-on error" in check and "interleaved" in check


def test_the_wheel_carries_every_module(tmp_path: Path) -> None:
    """`pip install .` (the README's way to run the app) ships what the source tree has:
    pyproject lists the packages by hand, and a sub-package missing from that list made
    the installed app fail at start (ModuleNotFoundError: composer.ui.controllers)."""
    import zipfile

    src = tmp_path / "src"  # built from a copy: the build writes next to its sources
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("composer", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(tmp_path / "wheel"), str(src)],
        capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    [wheel] = (tmp_path / "wheel").glob("*.whl")
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".py")}
    source = {p.relative_to(ROOT).as_posix() for p in (ROOT / "composer").rglob("*.py")}
    assert source - shipped == set()
