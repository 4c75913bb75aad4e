"""The headless ``draft`` commands, end to end on a real data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from composer.cli import run
from composer.domain.models import MAX_ATTACHMENT_BYTES


class Cli:
    def __init__(self, data: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data = data
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = run(["--data-dir", str(self.data), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert code == 0, err
        return out

    def json(self, *args: str) -> object:
        return json.loads(self.ok(*args))


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(data_dir, capsys)


def test_new_show_list_edit_round_trip(cli: Cli, tmp_path: Path) -> None:
    att = tmp_path / "notes.txt"
    att.write_text("remember the milk\n")
    draft_id = cli.ok(
        "draft", "new", "--to", 'a@x.test, "Doe, J" <j@y.test>; c@z.test', "--cc", "dan@x.test",
        "--subject", "Grüße", "--text", "Hello\nthere", "--attach", str(att),
        "--context", "customer_uuid=c-1",
    ).strip()
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict)
    assert shown["to"] == ["a@x.test", '"Doe, J" <j@y.test>', "c@z.test"]
    assert shown["cc"] == ["dan@x.test"] and shown["bcc"] == []
    assert shown["subject"] == "Grüße" and shown["body_mode"] == "text"
    assert shown["text"] == "Hello\nthere"
    assert shown["attachments"][0]["name"] == "notes.txt"
    assert shown["attachments"][0]["size"] == 18
    assert shown["context"] == {"customer_uuid": "c-1"}
    assert shown["revision"] == 1 and shown["status"] == "draft"
    assert shown["sync"]["state"] == "local"
    cli.ok("draft", "edit", draft_id, "--subject", "Re: Grüße", "--remove-attachment",
           "notes.txt", "--html", "<p>Now <b>rich</b><script>x()</script></p>")
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict)
    assert shown["subject"] == "Re: Grüße" and shown["attachments"] == []
    assert shown["html"] == "<p>Now <b>rich</b></p>" and shown["revision"] == 2
    listed = cli.json("draft", "list", "--json")
    assert isinstance(listed, list) and [d["id"] for d in listed] == [draft_id]
    assert cli.json("draft", "list", "--json", "--search", "milk") == []
    assert len(cli.json("draft", "list", "--json", "--search", "rich")) == 1  # type: ignore[arg-type]


def test_invalid_address_is_kept_with_a_warning(cli: Cli) -> None:
    code, out, err = cli("draft", "new", "--to", "alice@example.org)<bob@example.org>")
    assert code == 0
    assert "not a valid address" in err
    shown = cli.json("draft", "show", out.strip(), "--json")
    assert isinstance(shown, dict)
    assert shown["invalid_recipients"][0]["value"] == "alice@example.org)<bob@example.org>"
    assert shown["to"] == ["alice@example.org)<bob@example.org>"]


def test_oversized_attachment_refused_and_nothing_created(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with big.open("wb") as f:
        f.truncate(MAX_ATTACHMENT_BYTES + 1)
    code, out, err = cli("draft", "new", "--subject", "x", "--attach", str(big))
    assert code == 1 and out == ""
    assert err.strip() == ('mail-composer: error: "big.bin" is 32.0 MB, larger than the 32.0 MB '
                           "limit for one attachment; it was not attached")
    assert cli.json("draft", "list", "--json") == []


def test_edit_with_bad_input_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    draft_id = cli.ok("draft", "new", "--subject", "keep").strip()
    for args in (["--subject", "a\nBcc: x@y.test"], ["--attach", str(tmp_path / "nope")],
                 ["--send-at", "2001-01-01T00:00:00Z"], ["--context", "novalue"],
                 ["--remove-attachment", "ghost.txt"], ["--account", "nosuch"]):
        code, _, err = cli("draft", "edit", draft_id, *args)
        assert code == 1, args
        assert err.startswith("mail-composer: error: ") and err.count("\n") == 1
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict)
    assert shown["subject"] == "keep" and shown["revision"] == 1


def test_schedule_set_and_cleared(cli: Cli) -> None:
    draft_id = cli.ok("draft", "new", "--subject", "later", "--send-at", "2031-03-05T09:30",
                      "--tz", "Europe/Berlin").strip()
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict)
    assert shown["send_at"] == "2031-03-05T08:30:00+00:00" and shown["tz"] == "Europe/Berlin"
    cli.ok("draft", "edit", draft_id, "--send-at", "none")
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict) and shown["send_at"] is None
    # 02:30 does not exist that night in Berlin: moved to 03:30, and the user is told.
    code, _, err = cli("draft", "edit", draft_id, "--send-at", "2031-03-30T02:30",
                       "--tz", "Europe/Berlin")
    assert code == 0
    assert err.startswith("mail-composer: note: 02:30 does not exist on 30 Mar 2031")
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict) and shown["send_at"] == "2031-03-30T01:30:00+00:00"


def test_history_and_restore(cli: Cli) -> None:
    draft_id = cli.ok("draft", "new", "--subject", "one").strip()
    cli.ok("draft", "edit", draft_id, "--subject", "two")
    history = cli.json("draft", "history", draft_id, "--json")
    assert isinstance(history, list) and [h["subject"] for h in history] == ["two", "one"]
    cli.ok("draft", "restore", draft_id, "1")
    shown = cli.json("draft", "show", draft_id, "--json")
    assert isinstance(shown, dict) and shown["subject"] == "one" and shown["revision"] == 3


def test_export_import_gives_the_same_draft(cli: Cli, tmp_path: Path) -> None:
    att = tmp_path / "résumé final.pdf"
    att.write_bytes(b"%PDF-1.4 fake")
    draft_id = cli.ok("draft", "new", "--to", '"Doe, J" <j@y.test>', "--bcc", "b@y.test",
                      "--subject", "Résumé", "--html", "<p>See <i>attached</i></p>",
                      "--attach", str(att)).strip()
    eml = tmp_path / "out.eml"
    cli.ok("draft", "export", draft_id, "--eml", str(eml))
    assert b"Subject:" in eml.read_bytes()
    new_id = cli.ok("draft", "import", str(eml)).strip()
    assert new_id != draft_id
    a = cli.json("draft", "show", draft_id, "--json")
    b = cli.json("draft", "show", new_id, "--json")
    assert isinstance(a, dict) and isinstance(b, dict)
    for key in ("to", "cc", "bcc", "subject", "body_mode", "html", "attachments"):
        assert a[key] == b[key], key


def test_import_of_garbage_is_refused(cli: Cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.eml"
    junk.write_bytes(b"")
    code, _, err = cli("draft", "import", str(junk))
    assert code == 1 and "eml" in err
    code, _, err = cli("draft", "import", str(tmp_path))
    assert code == 1 and "is a folder" in err
    assert cli.json("draft", "list", "--json") == []


def test_delete_then_undelete(cli: Cli) -> None:
    draft_id = cli.ok("draft", "new", "--subject", "bye").strip()
    cli.ok("draft", "delete", draft_id)
    assert cli.json("draft", "list", "--json") == []
    code, _, err = cli("draft", "show", draft_id)
    assert code == 1 and "no draft" in err
    cli.ok("draft", "undelete", draft_id)
    assert len(cli.json("draft", "list", "--json")) == 1  # type: ignore[arg-type]


def test_unknown_ids_and_usage_errors(cli: Cli) -> None:
    code, _, err = cli("draft", "show", "nope")
    assert code == 1 and err == "mail-composer: error: no draft 'nope'\n"
    code, _, err = cli("draft", "frobnicate")
    assert code == 2 and "invalid choice" in err


def test_env_var_selects_the_data_dir(tmp_path: Path) -> None:
    env_dir = tmp_path / "env-data"
    root = Path(__file__).resolve().parents[2]
    env = {"COMPOSER_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin",
           "HOME": str(tmp_path), "PYTHONPATH": str(root),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    made = subprocess.run([sys.executable, "-m", "composer", "draft", "new", "--subject", "env"],
                          capture_output=True, text=True, env=env, cwd=root, check=True)
    assert (env_dir / "drafts.sqlite3").exists()
    listed = subprocess.run([sys.executable, "-m", "composer", "draft", "list", "--json"],
                            capture_output=True, text=True, env=env, cwd=root, check=True)
    assert json.loads(listed.stdout)[0]["id"] == made.stdout.strip()
    version = subprocess.run([sys.executable, "-m", "composer", "--version"],
                             capture_output=True, text=True, env=env, cwd=root)
    assert version.returncode == 0 and version.stdout.startswith("mail-composer 0.")
