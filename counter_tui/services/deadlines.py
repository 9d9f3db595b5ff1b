"""When a hand-off falls due: from the pack's clock, or the organisation's configuration."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from counter_tui.config import Settings
from counter_tui.policy.schema import Due


def due_at(due: Due, created: datetime, settings: Settings) -> datetime:
    """The UTC moment a task created at `created` falls due.

    `end_of_day` means the end of the local day (the organisation's time zone) it was created on.
    """
    if due.hours is not None:
        return created + timedelta(hours=due.hours)
    if due.config is not None:
        return created + timedelta(hours=settings.deadline_hours(due.config))
    if due.field is not None:  # a time typed in the record: the caller passes it; without one, at once
        return created
    local = created.astimezone(settings.zone)
    end = datetime.combine(local.date(), time(23, 59, 59), tzinfo=settings.zone)
    return end.astimezone(UTC)
