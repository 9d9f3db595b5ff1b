"""Tasks: hand-offs with a due time that make up the queue."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Task(BaseModel):
    """Work the guidance gives to a role, due by a time."""

    model_config = ConfigDict(frozen=True)

    id: str
    spec: str
    """The pack's task id (`call_back`, `staff_threatened`...)."""
    title: str
    role: str
    office: str
    flow: str | None
    contact_id: str | None
    """The contact that created the task."""
    incident_id: str | None
    customer_name: str
    reference: str
    created_at: datetime
    due_at: datetime | None
    """None: the pack leaves the clock to the configuration, which does not set it ("no time set by
    the guidance"); such a task is never overdue and is queued after the overdue ones, by age."""
    status: str
    """`open` or `done`."""
    done_at: datetime | None = None
    done_by: str | None = None
    channel: str = ""
    """The channel of the contact that created it ('' for none)."""
    assignee: str | None = None
    """A task for one person (the member of staff signing their welfare record), not a role."""
    letter_id: str | None = None
    """The letter the task drafts, signs off or follows up."""

    def overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at < now
