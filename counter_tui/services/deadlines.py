"""When a hand-off falls due: from the pack's clock (citing the document), the organisation's
configuration (named), or not at all.

No clock is invented: a task whose pack names a `[deadlines]` entry the configuration does not set
has no due time, and says so ("no time set by the guidance") wherever its due time would show.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from counter_tui.config import Settings
from counter_tui.policy.schema import Due

NO_TIME = "no time set by the guidance"
"""What a task without a due time shows in place of one (the queue, its screen, `counter queue`)."""


def due_at(due: Due, created: datetime, settings: Settings) -> datetime | None:
    """The UTC moment a task created at `created` falls due, or None: the pack leaves the clock to
    the configuration and the configuration does not set it.

    `end_of_day` means the end of the local day (the organisation's time zone) it was created on, or
    of the day typed in the record's `from_field` where the caller passes that day as `created`.
    """
    if due.hours is not None:
        return created + timedelta(hours=due.hours)
    if due.config is not None:
        hours = settings.deadlines.get(due.config)
        return None if hours is None else created + timedelta(hours=hours)
    if due.field is not None:  # a time typed in the record: the caller passes it; without one, at once
        return created
    local = created.astimezone(settings.zone)
    end = datetime.combine(local.date(), time(23, 59, 59), tzinfo=settings.zone)
    return end.astimezone(UTC)


def _hours(value: float) -> str:
    return f"{value:g} hour" + ("" if value == 1 else "s")


def clock_source(due: Due, settings: Settings) -> str:
    """Where a task's due time comes from, in words: the document's section it cites, the
    configuration setting it names ("due by [deadlines] call_back = 24 hours"), or that neither
    sets one."""
    if due.config is not None:
        hours = settings.deadlines.get(due.config)
        if hours is None:
            return f"{NO_TIME} (your organisation can set [deadlines] {due.config})"
        return f"due by [deadlines] {due.config} = {_hours(hours)}"
    if due.hours is not None:
        return f"due in {_hours(due.hours)}: {due.section}" if due.section else f"due in {_hours(due.hours)}"
    return due.section


def due_text(ctx, moment: datetime | None, with_date: bool = True, *, style: str | None = None) -> str:
    """A task's due time as staff read it, or "no time set by the guidance" where it has none."""
    from counter_tui.services.record_text import local_time

    return NO_TIME if moment is None else local_time(ctx, moment, with_date, style=style)


def due_phrase(ctx, moment: datetime | None) -> str:
    """A task's due time after what it is: "due 25 Nov 2026 09:00", or "due: no time set by the guidance"."""
    return f"due: {NO_TIME}" if moment is None else f"due {due_text(ctx, moment)}"
