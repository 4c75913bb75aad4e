"""The command line: GUI launch, and headless ``draft`` / ``account`` / ``sync`` commands."""

from __future__ import annotations

from composer.cli.main import main, run

__all__ = ["main", "run"]
