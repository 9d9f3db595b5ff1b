"""The injected clock: every timestamp Counter stores comes from one of these, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time in UTC."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and snapshots: starts at a given time and only moves when told."""

    def __init__(self, start: datetime, tick: timedelta = timedelta(0)) -> None:
        """Args:
        start: the first time returned (must be timezone-aware).
        tick: how far the clock moves after each reading (zero keeps it still).
        """
        self._now = start
        self._tick = tick

    def now(self) -> datetime:
        current = self._now
        self._now = current + self._tick
        return current

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta`."""
        self._now += delta


def iso(moment: datetime) -> str:
    """Format a UTC moment the way the store keeps it: ISO 8601 with microseconds and +00:00."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_iso(text: str) -> datetime:
    """Read back a moment written by `iso`."""
    return datetime.fromisoformat(text)
