"""Long sessions typed as a person types: the process must survive them and end cleanly.

Both run the app as a child process, because what they check is how the process ends:
PySide6 6.12.0 dropped a reference to ``True`` on every signal emitted from Python, and the
interpreter aborted (``bool_dealloc``, exit 134) after a few hundred keystrokes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from composer.paths import resolve_paths
from tests.ui.conftest import open_window

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}


def _words(n: int) -> str:
    words = "the quick brown fox jumps over a lazy dog while we write to you".split()
    out, i = [], 0
    while sum(map(len, out)) + len(out) < n:
        out.append(words[i % len(words)])
        i += 1
    return " ".join(out)[:n].rstrip()


def test_signals_keep_their_references_to_true_and_false() -> None:
    """Thousands of emits of each kind the app uses (no argument, str, bool, int, object;
    to decorated slots, plain methods and lambdas) leave ``True``/``False`` as they were.
    Fails (or aborts the child) on PySide6 6.12.0."""
    done = subprocess.run([sys.executable, str(HERE / "signal_refs.py")], env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.stdout, done.stderr[-2000:])
    assert len(done.stdout.splitlines()) == 5, done.stdout


def _typed(tmp_path: Path, then: str, subject: str, body: str) -> subprocess.Popen[str]:
    (tmp_path / "subject.txt").write_text(subject, encoding="utf-8")
    (tmp_path / "body.txt").write_text(body, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(HERE / "typed_session.py"), str(tmp_path / "d"), then,
         str(tmp_path / "subject.txt"), str(tmp_path / "body.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)


def test_typing_5000_characters_then_quitting_exits_0(tmp_path: Path) -> None:
    subject, body = _words(5000), _words(5000)
    child = _typed(tmp_path, "quit", subject, body)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err[-3000:]
    assert "Fatal Python error" not in err
    assert out.startswith("autosaved "), (out, err[-2000:])
    draft_id = out.split()[1]
    shown = subprocess.run(
        [sys.executable, "-m", "composer", "--data-dir", str(tmp_path / "d"), "draft", "show",
         draft_id, "--json"], env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=60)
    stored = json.loads(shown.stdout)
    assert stored["subject"] == subject
    assert body in stored["html"]


def test_crash_recovery_after_sigkill(qtbot: QtBot, tmp_path: Path) -> None:
    text = "Nothing typed is ever lost"
    child = _typed(tmp_path, "wait", "Kill test", text)
    assert child.stdout is not None
    line = child.stdout.readline()          # the app says the text is on disk...
    child.send_signal(signal.SIGKILL)       # ...and is killed mid-session
    child.wait(timeout=30)
    child.stdout.close()
    assert child.stderr is not None
    child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert line.startswith("autosaved "), line
    draft_id = line.split()[1]
    window = open_window(qtbot, resolve_paths(tmp_path / "d"))   # the next start
    qtbot.waitUntil(lambda: window.editor.draft is not None
                    and window.editor.draft.id == draft_id, timeout=10_000)
    assert text in window.editor.rich.toPlainText()
    assert window.editor.subject.text() == "Kill test"
    window.close()


#: what Qt's offscreen platform says about itself (not a warning about the app)
_PLATFORM_NOISE = ("This plugin does not support",)


def test_a_long_session_with_sync_dialogs_and_history_quits_with_0(tmp_path: Path) -> None:
    """Typed rounds with autosave, sync to the Exante fake, the history and settings
    dialogs, undo, new drafts and list clicks; then Ctrl+Q: exit 0, no Qt warnings."""
    from composer.domain.accounts import Account
    from composer.settings import Settings, SettingsFile
    from tests.fakes.base import serve
    from tests.fakes.exante import FakeExante

    fake = FakeExante()
    with serve(fake) as url:
        paths = resolve_paths(tmp_path / "d")
        paths.ensure()
        SettingsFile(paths.settings_file).save(Settings(accounts=(Account(
            "Work", "exante", url,
            options={"from_account_id": "7d1f0a52-8a43-4c4e-9a57-1b2f4b8e9c01"}),),
            default_account="Work", autosave_idle_ms=300, autosave_max_ms=1500))
        env = {**_env(), "PYTHON_KEYRING_BACKEND": "tests.memory_keyring.MemoryKeyring",
               "COMPOSER_TEST_SECRET": "Work=ex_live_testkey"}
        done = subprocess.run(
            [sys.executable, str(HERE / "long_session.py"), str(tmp_path / "d"), "4"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout, done.stderr[-3000:])
    assert done.stdout.splitlines() == [f"round {n}" for n in range(1, 5)] + ["quitting"]
    warnings = [line for line in done.stderr.splitlines()
                if line.strip() and not line.startswith(_PLATFORM_NOISE)]
    assert warnings == [], warnings
    assert sorted(d["subject"] for d in fake.drafts.values()) == [
        f"Round {n}: notes" for n in range(1, 5)]
