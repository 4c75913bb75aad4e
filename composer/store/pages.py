"""Reading records straight from the pages of a damaged SQLite file.

When the b-tree that leads to a table's rows is damaged, SQL cannot reach rows whose own
pages are intact. This walks every page of the file instead, and decodes the cells of
each table-leaf and index-leaf page (following overflow chains) into records: lists of
values, as the SQLite file format documents them (https://www.sqlite.org/fileformat.html).
A page, cell or chain that does not decode is skipped; nothing here raises for bad data.
The work is linear in the file size (each overflow chain is bounded by the page count).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

Value = None | int | float | bytes | str
MAGIC = b"SQLite format 3\x00"


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = buf[pos + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    return (value << 8) | buf[pos + 8], pos + 9


class _File:
    def __init__(self, data: bytes, default_page_size: int) -> None:
        self.data = data
        size = int.from_bytes(data[16:18], "big")
        self.page_size = 65536 if size == 1 else size
        reserved = data[20]
        if self.page_size < 512 or self.page_size & (self.page_size - 1) or reserved > 64:
            # A damaged header: read with the page size the app creates files with.
            self.page_size, reserved = default_page_size, 0
        self.usable = self.page_size - reserved
        self.pages = len(data) // self.page_size

    def page(self, number: int) -> bytes:
        start = (number - 1) * self.page_size
        return self.data[start:start + self.page_size]

    def payload(self, page: bytes, pos: int, total: int, index: bool) -> bytes | None:
        u = self.usable
        x = u - 35 if not index else (u - 12) * 64 // 255 - 23
        if total <= x:
            return page[pos:pos + total] if pos + total <= len(page) else None
        m = (u - 12) * 32 // 255 - 23
        k = m + (total - m) % (u - 4)
        local = k if k <= x else m
        parts = [page[pos:pos + local]]
        got = local
        following = int.from_bytes(page[pos + local:pos + local + 4], "big")
        seen = 0
        while got < total:
            if following < 1 or following > self.pages or seen > self.pages:
                return None
            seen += 1
            chunk = self.page(following)
            following = int.from_bytes(chunk[:4], "big")
            take = min(u - 4, total - got)
            parts.append(chunk[4:4 + take])
            got += take
        return b"".join(parts)


def _record(payload: bytes) -> list[Value] | None:
    try:
        header_size, pos = _varint(payload, 0)
        if header_size > len(payload) or header_size < 1:
            return None
        types: list[int] = []
        while pos < header_size:
            t, pos = _varint(payload, pos)
            types.append(t)
        body = header_size
        values: list[Value] = []
        for t in types:
            if t == 0:
                values.append(None)
            elif 1 <= t <= 7:
                n = (1, 2, 3, 4, 6, 8, 8)[t - 1]
                raw = payload[body:body + n]
                if len(raw) != n:
                    return None  # cut short: a damaged record, not a value
                if t == 7:
                    import struct

                    values.append(struct.unpack(">d", raw)[0])
                else:
                    values.append(int.from_bytes(raw, "big", signed=True))
                body += n
            elif t in (8, 9):
                values.append(t - 8)
            elif t >= 12:
                n = (t - 12) // 2
                raw = payload[body:body + n]
                if len(raw) != n:
                    return None
                values.append(raw if t % 2 == 0 else raw.decode("utf-8", "replace"))
                body += n
            else:
                return None
        if body > len(payload):
            return None
        return values
    except (IndexError, ValueError):
        return None


def records(path: Path, default_page_size: int = 8192) -> Iterator[list[Value]]:
    """Every record that can be decoded from the leaf pages of the file at ``path``
    (rows of rowid tables, and entries of indexes and WITHOUT ROWID tables). A header
    too damaged to give the page size is read with ``default_page_size``."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    if len(data) < 512:
        return
    db = _File(data, default_page_size)
    for number in range(1, db.pages + 1):
        page = db.page(number)
        start = 100 if number == 1 else 0
        kind = page[start]
        if kind not in (0x0D, 0x0A):
            continue
        cells = int.from_bytes(page[start + 3:start + 5], "big")
        for i in range(min(cells, db.page_size // 2)):
            at = start + 8 + 2 * i
            pointer = int.from_bytes(page[at:at + 2], "big")
            if pointer < start + 8 or pointer >= db.page_size:
                continue
            try:
                total, pos = _varint(page, pointer)
                if kind == 0x0D:
                    _, pos = _varint(page, pos)  # rowid
                if total > len(data):
                    continue
                payload = db.payload(page, pos, total, kind == 0x0A)
            except IndexError:
                continue
            if payload is None:
                continue
            record = _record(payload)
            if record is not None:
                yield record
