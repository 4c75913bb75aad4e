"""Never a traceback: whatever the arguments, standard input, dates, numbers and data
folder, the command line prints one ``mail-composer: error:`` line and exits 1 or 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.cli import run
from tests.hostile.conftest import Cli, Unchanged, assert_refused

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "LC_ALL": "C.UTF-8"}


def _process(tmp_path: Path, *args: bytes | str, stdin: bytes = b""
             ) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "composer", *args], input=stdin,
                          capture_output=True, env=_env(tmp_path), cwd=ROOT, timeout=60)


def _one_error_line(done: subprocess.CompletedProcess[bytes], code: int) -> None:
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == code, err
    assert len(err.splitlines()) == 1 and err.startswith("mail-composer: error: "), err
    assert "Traceback" not in err


def test_end_to_end_non_utf8_argv_stdin_and_a_file_as_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _one_error_line(_process(tmp_path, "--data-dir", str(data), "draft", "new", "--subject",
                             b"caf\xe9"), 2)
    _one_error_line(_process(tmp_path, "--data-dir", str(data), "draft", "new", "--text", "-",
                             stdin=b"\xff\xfe not utf-8"), 1)
    _one_error_line(_process(tmp_path, "--data-dir", str(data), "draft", "list", "--limit",
                             "9" * 5000), 2)
    _one_error_line(_process(tmp_path, "--data-dir", str(data), "draft", "frobnicate"), 2)
    _one_error_line(_process(tmp_path, "--data-dir", str(data), "--no-such-flag"), 2)
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"not a folder")
    _one_error_line(_process(tmp_path, "--data-dir", str(blocker), "draft", "list"), 1)
    assert blocker.read_bytes() == b"not a folder"
    # A file name that is not UTF-8 is still a file: it is attached, its name made safe.
    odd = tmp_path / os.fsdecode(b"r\xe9sum\xe9.txt")
    odd.write_bytes(b"content")
    made = _process(tmp_path, "--data-dir", str(data), "draft", "new", "--attach",
                    os.fsencode(odd))
    assert made.returncode == 0, made.stderr
    shown = _process(tmp_path, "--data-dir", str(data), "draft", "show",
                     made.stdout.decode().strip(), "--json")
    assert json.loads(shown.stdout)["attachments"][0]["name"] == "r\ufffdsum\ufffd.txt"


@pytest.mark.parametrize("args", [
    ["draft", "list", "--limit", "99999999999999999999999"],
    ["draft", "list", "--limit", "-1"],
    ["draft", "list", "--limit", "1e9"],
    ["draft", "restore", "x", "99999999999999999999999999999"],
    ["draft", "frobnicate"],
    ["draft", "new", "--importance", "urgent"],
    ["--bogus"],
    ["draft"],
])
def test_usage_errors_are_one_line_exit_2(cli: Cli, args: list[str]) -> None:
    cli.new("--subject", "exists")
    with Unchanged(cli.data):
        assert_refused(cli(*args), code=2)


EDGE_TIMES = [
    ("0001-01-01T00:00:00+14:00", None), ("0001-01-01T00:00", "Pacific/Kiritimati"),
    ("9999-12-31T23:59:59-12:00", None), ("9999-12-31T23:59", "Etc/GMT+12"),
    ("9999-12-31T23:59", "Pacific/Kiritimati"), ("2026-13-01T00:00Z", None),
    ("2026-01-01T00:00", "../../../etc/passwd"), ("2026-01-01T00:00", "x" * 5000),
    ("2026-01-01T00:00", "Europe/Berlin\x00"), ("1970-01-01T00:00Z", None),
    ("+002026-01-01", None), ("2100-01-01T00:00", "Mars/Olympus"),
    ("2026-01-01T00:00", "UTC"),  # in the past
]


@pytest.mark.parametrize(("when", "tz"), EDGE_TIMES)
def test_calendar_edges_are_refused_cleanly(cli: Cli, when: str, tz: str | None) -> None:
    cli.new("--subject", "exists")
    args = ["draft", "new", "--send-at", when] + (["--tz", tz] if tz else [])
    with Unchanged(cli.data):
        assert_refused(cli(*args), code=1)


@given(st.datetimes(), st.sampled_from([None, "UTC", "Pacific/Kiritimati", "Etc/GMT+12",
                                        "America/St_Johns"]),
       st.sampled_from(["", "Z", "+14:00", "-12:00", "+05:45"]))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_send_at_is_stored_readably_or_refused(
        cli: Cli, when: object, tz: str | None, offset: str) -> None:
    text = f"{when:%Y-%m-%dT%H:%M:%S}{offset}" if hasattr(when, "year") else str(when)
    args = ["draft", "new", "--send-at", text] + (["--tz", tz] if tz else [])
    result = cli(*args)
    if result.code == 0:
        shown = cli.show(result.out.strip())
        assert shown["send_at"] and shown["tz"]
        cli.ok("draft", "list")
    else:
        assert_refused(result)


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_arbitrary_text_arguments_never_crash(cli: Cli, words: list[str]) -> None:
    flags = ["--subject", "--to", "--from", "--context", "--tz", "--text", "--html"]
    args = ["draft", "new"]
    for n, word in enumerate(words):
        args += [flags[n % len(flags)], word]
    result = cli(*args)
    assert "Traceback" not in result.err
    if result.code == 0:
        cli.show(result.out.strip())
    else:
        assert_refused(result)


def test_non_utf8_standard_input_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    cli.new("--subject", "exists")

    class FakeStdin:
        buffer = io.BytesIO(b"<p>\xff\xfe</p>")

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    with Unchanged(cli.data):
        assert_refused(cli("draft", "new", "--html", "-"), code=1, words="utf-8")


def test_surrogates_in_text_arguments_are_usage_errors(cli: Cli) -> None:
    cli.new("--subject", "exists")
    with Unchanged(cli.data):
        assert_refused(cli("draft", "new", "--subject", "caf\udce9"), code=2, words="utf-8")
        assert_refused(cli("draft", "new", "--to", "\udcff@x.test"), code=2)


def test_settings_that_are_not_utf8_or_a_folder(data_dir: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    config = data_dir / "config"
    config.mkdir()
    (config / "settings.json").write_bytes(b"\xff\xfe{not utf-8")
    assert run(["--data-dir", str(data_dir), "draft", "new", "--subject", "s"]) == 0
    assert any(p.name.startswith("settings.json.damaged-") for p in config.iterdir())
    capsys.readouterr()
    for p in config.iterdir():
        p.unlink()
    (config / "settings.json").mkdir()
    code = run(["--data-dir", str(data_dir), "draft", "new", "--subject", "s"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("mail-composer: error: settings:") and \
        len(err.splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_data_folder(cli: Cli) -> None:
    draft_id = cli.new("--subject", "kept")
    os.chmod(cli.data, 0o500)
    try:
        with Unchanged(cli.data):
            assert_refused(cli("draft", "new", "--subject", "x"))
    finally:
        os.chmod(cli.data, 0o700)
    assert cli.show(draft_id)["subject"] == "kept"


def test_huge_values_are_quoted_shortened_in_the_error_line(cli: Cli) -> None:
    cli.new("--subject", "exists")
    result = cli("draft", "show", "x" * 100_000)
    assert_refused(result, code=1, words="no draft")
    assert len(result.err) < 1000
    assert_refused(cli("draft", "show", "a\x1b[2Jb\rc"), code=1, words="\\x1b")


@given(st.sampled_from([
    ["draft", "list", "--search"], ["draft", "show"], ["draft", "history"],
    ["draft", "delete"], ["draft", "undelete"], ["draft", "send"], ["draft", "restore", "x"],
    ["draft", "list", "--limit"], ["account", "remove"], ["account", "test"],
    ["draft", "edit", "x", "--remove-attachment"], ["sync", "--account"],
]), st.text(max_size=40))
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_word_in_any_command_is_answered_without_a_traceback(
        cli: Cli, command: list[str], word: str) -> None:
    result = cli(*command, word)
    assert "Traceback" not in result.err
    if result.code != 0:
        assert_refused(result)
