"""Send-later times: wall-clock times in a zone turned into exact instants, honestly.

- A time not at least a minute in the future is refused.
- A wall time that does not exist (the daylight-saving gap, e.g. 02:30 on the spring-
  forward night in Europe/Berlin) is moved forward by the length of the gap, with a note.
- A wall time that happens twice (the autumn fold) takes the first occurrence, with a note.
The result is a ``Schedule``: the UTC instant plus the zone name it was chosen in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from composer.domain.models import Schedule
from composer.errors import InvalidInputError

MIN_LEAD = timedelta(minutes=1)
#: The latest send-later time accepted: far enough for anyone, and far from year 9999,
#: where shifting an instant into a zone overflows.
MAX_LEAD = timedelta(days=100 * 366)
_EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ScheduleChoice:
    schedule: Schedule
    note: str | None = None


def zone(tz: str) -> ZoneInfo:
    try:
        if not tz or tz != tz.strip() or len(tz) > 64 or not tz.isprintable():
            raise ValueError(tz)
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError, UnicodeError):
        raise InvalidInputError("tz", f"{tz[:64]!r} is not a known time zone "
                                "(use a name like Europe/Berlin)") from None


def stored_schedule(send_at: str, tz: str) -> Schedule:
    """A schedule read back from text (an imported file): an ISO 8601 instant with an
    offset and a known zone, inside the range the app can show; InvalidInputError
    otherwise."""
    zi = zone(tz)
    try:
        parsed = datetime.fromisoformat(send_at.strip())
        if parsed.tzinfo is None:
            raise ValueError(send_at)
        instant = parsed.astimezone(UTC)
        if not _EARLIEST <= instant <= _LATEST:
            raise OverflowError(send_at)
        instant.astimezone(zi)
    except (ValueError, OverflowError):
        raise InvalidInputError("send_at", f"{send_at[:64]!r} is not a send-later time with "
                                "an offset between 1970 and 9000") from None
    return Schedule(instant, tz)


def _in_range(instant: datetime, now: datetime, shown: str) -> None:
    if instant > now.astimezone(UTC) + MAX_LEAD:
        raise InvalidInputError("send_at", f"{shown} is more than 100 years ahead; choose "
                                "an earlier time")


def _fmt(dt: datetime) -> str:
    return dt.strftime("%a %d %b %Y %H:%M")


def resolve_send_at(local: datetime, tz: str, now: datetime) -> ScheduleChoice:
    """``local`` is a naive wall time in ``tz``; ``now`` an aware instant."""
    zi = zone(tz)
    try:
        return _resolve(local, tz, zi, now)
    except OverflowError:
        raise InvalidInputError("send_at", f"{local:%Y-%m-%d %H:%M} is outside the range of "
                                "times that can be scheduled") from None


def _resolve(local: datetime, tz: str, zi: ZoneInfo, now: datetime) -> ScheduleChoice:
    wall = local.replace(tzinfo=None, second=local.second, microsecond=0)
    first = wall.replace(tzinfo=zi, fold=0)
    second = wall.replace(tzinfo=zi, fold=1)
    note = None
    if first.utcoffset() != second.utcoffset():
        as_first = first.astimezone(UTC).astimezone(zi).replace(tzinfo=None)
        if as_first != wall:
            # The wall time does not exist: clocks jump over it.
            gap = (second.utcoffset() or timedelta()) - (first.utcoffset() or timedelta())
            gap = abs(gap)
            moved = (wall + gap).replace(tzinfo=zi)
            note = (f"{wall:%H:%M} does not exist on {wall:%d %b %Y} in {tz} (the clocks go "
                    f"forward); scheduled for {moved:%H:%M} instead")
            instant = moved.astimezone(UTC)
        else:
            instant = first.astimezone(UTC)
            note = (f"{wall:%H:%M} happens twice on {wall:%d %b %Y} in {tz} (the clocks go "
                    f"back); scheduled for the first time, {first:%H:%M %Z}")
    else:
        instant = first.astimezone(UTC)
    if instant < now.astimezone(UTC) + MIN_LEAD:
        raise InvalidInputError(
            "send_at", f"{_fmt(instant.astimezone(zi))} ({tz}) is in the past; choose a later "
            "time")
    _in_range(instant, now, f"{wall:%Y-%m-%d %H:%M} ({tz})")
    return ScheduleChoice(Schedule(instant, tz), note)


def presets(now_local: datetime, tz: str) -> list[tuple[str, datetime]]:
    """The quick choices, as aware times in ``tz``: in 1 hour, tomorrow 08:00, Monday 08:00."""
    zi = zone(tz)
    here = now_local.astimezone(zi)
    in_hour = (here + timedelta(hours=1)).replace(second=0, microsecond=0)
    tomorrow = (here + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    days = (7 - here.weekday()) % 7 or 7
    monday = (here + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)
    out = []
    for label, value in (("In 1 hour", in_hour), ("Tomorrow 08:00", tomorrow),
                         ("Monday 08:00", monday)):
        resolved = resolve_send_at(value.replace(tzinfo=None), tz, here)
        out.append((label, resolved.schedule.send_at.astimezone(zi)))
    return out


def parse_iso_send_at(text: str, tz: str | None, now: datetime) -> ScheduleChoice:
    """The command line's ``--send-at``: an instant with an offset, or a wall time + tz
    (with a note when that wall time falls in a daylight-saving gap or fold)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(
            "send_at", f"{text!r} is not an ISO 8601 time (e.g. 2026-12-01T09:00 with --tz, "
            "or 2026-12-01T09:00:00+01:00)") from None
    if parsed.tzinfo is not None:
        zone_name = tz or "UTC"
        zone(zone_name)
        try:
            instant = parsed.astimezone(UTC)
        except OverflowError:
            raise InvalidInputError("send_at", f"{text[:64]!r} is outside the range of times "
                                    "that can be scheduled") from None
        if instant < now.astimezone(UTC) + MIN_LEAD:
            raise InvalidInputError("send_at", f"{text} is in the past; choose a later time")
        _in_range(instant, now, text[:64])
        return ScheduleChoice(Schedule(instant, zone_name))
    if not tz:
        raise InvalidInputError("tz", "a time without an offset needs --tz (e.g. Europe/Berlin)")
    return resolve_send_at(parsed, tz, now)
