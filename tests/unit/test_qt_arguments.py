"""Qt's own options pass through a GUI start to QApplication; the app's parser never sees
them (argparse would refuse ``-style``)."""

from __future__ import annotations

import pytest

from composer.cli import run
from composer.cli.parser import UsageError, split_qt_args


def test_qt_options_are_split_from_the_apps_own() -> None:
    rest, qt = split_qt_args(["-style", "fusion", "--data-dir", "d", "-reverse",
                              "-platform=offscreen", "mailto:a@x.test"])
    assert rest == ["--data-dir", "d", "mailto:a@x.test"]
    assert qt == ["-style", "fusion", "-reverse", "-platform", "offscreen"]


def test_a_qt_option_without_its_value_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError):
        split_qt_args(["-style"])
    assert run(["-style"]) == 2
    assert capsys.readouterr().err.startswith("mail-composer: error: -style needs a value")
