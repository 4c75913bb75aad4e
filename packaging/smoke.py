"""Smoke-test a built app on the system it was built for, checking what it prints, not
only that it exits 0 (CI runs this on each installer's own runner; a shell would not wait
for a windowed program, and PowerShell only keeps the last command's exit code).

    python packaging/smoke.py [--gui WINDOWED_EXE] -- COMMAND...

COMMAND is the console program (e.g. packaging/out/dist/mail-composer/mail-composer.exe,
or `python -m composer`). Each check runs it on a fresh data folder, offscreen:
--version, --self-test (Qt, the database, inline JPEG/GIF/WebP/SVG images), --smoke-test
(the main window painted), and the command line (draft new/show, account list). With
--gui, the windowed program's --self-test and --smoke-test must exit 0 and the latter
must have created the draft database (a windowed program has no output to read).
Exit status 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT = 180  # seconds per run; a cold first start of a frozen app on a CI runner


class SmokeError(Exception):
    """A check failed; the message says which and how."""


def run(command: list[str], env: dict[str, str], *, want_status: int = 0) -> str:
    print("$", " ".join(command), flush=True)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise SmokeError(f"{command[-1]}: no exit within {TIMEOUT} s") from exc
    except OSError as exc:
        raise SmokeError(f"cannot run {command[0]}: {exc}") from exc
    print(done.stdout, end="", flush=True)
    if done.stderr:
        print(done.stderr, end="", file=sys.stderr, flush=True)
    if done.returncode != want_status:
        raise SmokeError(f"{' '.join(command[-2:])}: exit status {done.returncode}")
    return done.stdout


def expect(pattern: str, text: str, what: str) -> re.Match[str]:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        raise SmokeError(f"{what}: expected /{pattern}/ in its output")
    return match


def check_console(command: list[str], env: dict[str, str]) -> None:
    from_version = run([*command, "--version"], env)
    expect(r"^mail-composer \d+\.\d+", from_version, "--version")
    report = run([*command, "--self-test"], env)
    for line in (r"^  ok   adapters: ", r"^  ok   database: SQLite", r"^  ok   qt: PySide6",
                 r"^  ok   images: jpeg, gif, webp, svg$", r"^self-test passed$"):
        expect(line, report, "--self-test")
    expect(r"^smoke test: painted [1-9]\d*x[1-9]\d*$", run([*command, "--smoke-test"], env),
           "--smoke-test")
    draft_id = run([*command, "draft", "new", "--subject", "smoke ü", "--to", "a@x.test"],
                   env).strip()
    expect(r"^[0-9a-f-]{36}$", draft_id, "draft new")
    shown = json.loads(run([*command, "draft", "show", draft_id, "--json"], env))
    if shown.get("subject") != "smoke ü":
        raise SmokeError(f"draft show: subject {shown.get('subject')!r}")
    if json.loads(run([*command, "account", "list", "--json"], env)) != []:
        raise SmokeError("account list: expected no accounts")
    run([*command, "draft", "show", "no-such-draft"], env, want_status=1)


def check_windowed(gui: str, env: dict[str, str], data: Path) -> None:
    run([gui, "--self-test"], env)
    run([gui, "--smoke-test"], env)
    if not (data / "drafts.sqlite3").is_file():
        raise SmokeError("windowed --smoke-test: no draft database was created")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gui", metavar="EXE", help="the windowed program (Windows)")
    parser.add_argument("command", nargs="+", help="the console program and its first words")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mail-composer-smoke-") as folder:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
                   PYTHONIOENCODING="utf-8", PYTHONUTF8="1")
        try:
            env["COMPOSER_DATA_DIR"] = str(Path(folder) / "console")
            check_console(args.command, env)
            if args.gui:
                data = Path(folder) / "windowed"
                env["COMPOSER_DATA_DIR"] = str(data)
                check_windowed(args.gui, env, data)
        except SmokeError as exc:
            print(f"smoke: FAILED: {exc}", file=sys.stderr)
            return 1
    print("smoke: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
