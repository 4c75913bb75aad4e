"""Fixtures of the sync tests: adapters (and their HTTP clients) closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

import pytest


class _Closable(Protocol):
    def close(self) -> None: ...


@pytest.fixture
def closing() -> Iterator[Callable[[_Closable], None]]:
    opened: list[_Closable] = []
    yield opened.append
    for item in opened:
        item.close()
