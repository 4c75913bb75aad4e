"""Fixtures of the sync tests: a clock and a draft cache, and adapters (and their HTTP
clients) closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

import pytest

from tests.store.conftest import clock, store  # noqa: F401  (the same fixtures here)


class _Closable(Protocol):
    def close(self) -> None: ...


@pytest.fixture
def closing() -> Iterator[Callable[[_Closable], None]]:
    opened: list[_Closable] = []
    yield opened.append
    for item in opened:
        item.close()

