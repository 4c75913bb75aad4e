"""One app per data folder: later starts (plain, mailto: link, .eml file) hand their
request to the running one over a local socket and exit 0."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from pytestqt.qtbot import QtBot

from composer.domain.eml import draft_to_eml
from composer.domain.models import Address, Draft
from composer.store.drafts import DraftStore
from composer.ui.single_instance import InstanceServer, send_to_running, server_name

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def _client(name: str, payload: str) -> subprocess.Popen[str]:
    """Another process writes ``payload`` to the server, as a later start would."""
    code = ("import sys\n"
            "from PySide6.QtNetwork import QLocalSocket\n"
            "s = QLocalSocket(); s.connectToServer(sys.argv[1])\n"
            "assert s.waitForConnected(3000)\n"
            "s.write(sys.argv[2].encode()); s.waitForBytesWritten(3000)\n"
            "reply = b''\n"
            "while not reply.endswith(b'\\n') and s.waitForReadyRead(3000):\n"
            "    reply += bytes(s.readAll().data())\n"
            "print(reply.decode().strip())\n")
    return subprocess.Popen([sys.executable, "-c", code, name, payload], env=_env(),
                            stdout=subprocess.PIPE, text=True)


def _finish(qtbot: QtBot, proc: subprocess.Popen[str]) -> str:
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=15000)
    out, _ = proc.communicate()
    assert proc.returncode == 0, out
    return out.strip()


def test_names_differ_by_data_folder_and_fit_a_unix_socket(tmp_path: Path) -> None:
    a, b = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert a != b and a == server_name(tmp_path / "a" / ".." / "a")
    assert len(_socket_path(a)) < 100


def _socket_path(name: str) -> str:
    return name if os.path.isabs(name) else os.path.join(QDir.tempPath(), name)


def test_a_request_from_another_process_reaches_the_server(qtbot: QtBot,
                                                           tmp_path: Path) -> None:
    server = InstanceServer(server_name(tmp_path / "data"))
    assert server.listen()
    request = {"mailto": "mailto:ann@x.test?subject=Hi", "to": [], "attach": ["/f ü.pdf"]}
    with qtbot.waitSignal(server.request_received, timeout=15000) as got:
        proc = _client(server.name, json.dumps(request) + "\n")
    assert got.args == [request]
    assert _finish(qtbot, proc) == "ok"
    server.close()


@pytest.mark.parametrize("payload", ["not json\n", "[1, 2]\n", "\xff\xfe{}\n"])
def test_what_is_not_a_request_is_refused(qtbot: QtBot, tmp_path: Path,
                                          payload: str) -> None:
    server = InstanceServer(server_name(tmp_path / "data"))
    assert server.listen()
    received: list[object] = []
    server.request_received.connect(received.append)
    assert _finish(qtbot, _client(server.name, payload)) == "error"
    assert received == []
    server.close()


def test_a_second_server_on_the_same_folder_does_not_listen(tmp_path: Path) -> None:
    first = InstanceServer(server_name(tmp_path / "data"))
    second = InstanceServer(first.name)
    assert first.listen()
    assert not second.listen()
    first.close()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")
def test_a_socket_left_by_a_crashed_instance_is_taken_over(tmp_path: Path) -> None:
    name = server_name(tmp_path / "data")
    path = _socket_path(name)
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(path)  # a socket file nobody listens on, as a killed instance leaves it
    dead.close()
    assert os.path.exists(path)
    assert not send_to_running(name, {}, timeout_ms=500)
    server = InstanceServer(name)
    assert server.listen()
    server.close()


def _drafts(data: Path) -> list[Draft]:
    db = data / "drafts.sqlite3"
    if not db.exists():
        return []
    store = DraftStore.open(db)
    try:
        return [store.get(s.id) for s in store.summaries()]
    finally:
        store.close()


def _wait_for(predicate, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)  # another process works; nothing of ours to wait on
    return False


def test_later_starts_hand_links_and_files_to_the_running_window(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = subprocess.Popen([sys.executable, "-m", "composer", "--data-dir", str(data)],
                             env=_env(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        # the first start is up once its window answers (this also raises it)
        assert _wait_for(lambda: send_to_running(server_name(data), {}, timeout_ms=200))
        link = subprocess.run(
            [sys.executable, "-m", "composer", "--data-dir", str(data),
             "mailto:bob@x.test?subject=Handed%20over"],
            env=_env(), capture_output=True, text=True, timeout=60)
        assert (link.returncode, link.stdout) == (0, "")
        eml = tmp_path / "work" / "note.eml"
        eml.parent.mkdir()
        eml.write_bytes(draft_to_eml(Draft(to=(Address("cy@x.test"),), subject="From a file",
                                           text="body"), lambda _: b""))
        opened = subprocess.run(  # a relative path, from another working folder
            [sys.executable, "-m", "composer", "--data-dir", str(data), "note.eml"],
            env=_env(), capture_output=True, text=True, timeout=60, cwd=eml.parent)
        assert (opened.returncode, opened.stdout) == (0, "")
        # (the first start's own new, empty draft is there too)
        assert _wait_for(lambda: {d.subject for d in _drafts(data) if d.subject}
                         == {"Handed over", "From a file"})
        assert first.poll() is None  # still the one window
        by_subject = {d.subject: d for d in _drafts(data)}
        assert [a.addr for a in by_subject["Handed over"].to] == ["bob@x.test"]
        assert [a.addr for a in by_subject["From a file"].to] == ["cy@x.test"]
    finally:
        first.terminate()
        first.wait(timeout=30)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG runtime folder")
def test_on_linux_the_socket_lives_in_the_users_runtime_folder(
        qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # short, as /run/user/UID is (tmp_path can be too long for a socket path)
    runtime = Path(tempfile.mkdtemp(prefix="rt-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    server = InstanceServer(server_name(tmp_path / "data"))
    assert Path(server.name).parent == runtime
    assert server.listen() and Path(server.name).exists()
    with qtbot.waitSignal(server.request_received, timeout=15000):
        proc = _client(server.name, "{}\n")
    assert _finish(qtbot, proc) == "ok"
    server.close()
    shutil.rmtree(runtime)
