"""--self-test checks the image plugins, and without a display the self-test and the GUI
say so in one line and exit 1 instead of Qt's abort (SIGABRT, 134)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer.ui import selftest
from composer.ui.selftest import no_display_reason, run_self_test

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("env", "system", "ok"), [
    ({}, "linux", False),
    ({"DISPLAY": ":0"}, "linux", True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", True),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", False),
    ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"}, "linux", True),
    ({"QT_QPA_PLATFORM": "wayland;xcb", "DISPLAY": ":1"}, "linux", True),
    ({"QT_QPA_PLATFORM": "wayland"}, "freebsd14", False),
    ({}, "win32", True),
    ({}, "darwin", True),
])
def test_no_display_reason(env: dict[str, str], system: str, ok: bool) -> None:
    assert (no_display_reason(env, system) is None) is ok


def test_self_test_draws_every_inline_image_format(qapp: object) -> None:
    # (qapp: pytest-qt's QApplication, which the self-test reuses; a QGuiApplication of
    # its own would stop later widget tests of the same run from starting)
    out = io.StringIO()
    run_self_test(out)  # the keychain may warn here; the images line is what counts
    assert "  ok   images: jpeg, gif, webp, svg\n" in out.getvalue()


def test_self_test_fails_when_a_format_does_not_draw(
        monkeypatch: pytest.MonkeyPatch, qapp: object) -> None:
    samples = dict(selftest._SAMPLES)
    samples["webp"] = (samples["webp"][0], "UklGRh4AAABXRUJQ")  # truncated WebP
    monkeypatch.setattr(selftest, "_SAMPLES", samples)
    out = io.StringIO()
    assert run_self_test(out) == 1
    assert "FAIL images: RuntimeError: not drawn (image plugin missing?): webp" in out.getvalue()


def _without_display(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "composer", "--data-dir",
                           str(tmp_path / "data"), *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland systems")
def test_gui_without_a_display_says_so_in_one_line(tmp_path: Path) -> None:
    out = _without_display(tmp_path=tmp_path)
    assert out.returncode == 1, out
    assert out.stdout == ""
    assert out.stderr.startswith("mail-composer: error: cannot open a window: no display")
    assert out.stderr.count("\n") == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland systems")
def test_gui_with_an_unreachable_display_says_so_in_one_line(tmp_path: Path) -> None:
    env_display = {"DISPLAY": ":97"}  # no X server there
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(env_display, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "composer", "--data-dir",
                          str(tmp_path / "data")], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1, out
    assert out.stderr.startswith("mail-composer: error: cannot open a window:")
    assert "could not connect to display :97" in out.stderr
    assert out.stderr.count("\n") == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland systems")
def test_self_test_without_a_display_reports_and_fails(tmp_path: Path) -> None:
    out = _without_display("--self-test", tmp_path=tmp_path)
    assert out.returncode == 1, out
    assert "  FAIL qt: RuntimeError: no display" in out.stdout
    assert out.stdout.rstrip().endswith("self-test FAILED")
