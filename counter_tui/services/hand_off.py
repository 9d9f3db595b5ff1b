"""Putting a task on the queue: one place that records `task.created` with its due time, inside the
caller's write transaction (finishing a contact, signing off a letter)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from counter_tui.clock import iso
from counter_tui.policy.schema import TaskSpec
from counter_tui.services.context import Context
from counter_tui.services.deadlines import due_at
from counter_tui.store import projections


@dataclass(frozen=True)
class About:
    """What a task is about: where, which customer, which records it follows."""

    office: str
    customer_name: str
    reference: str
    channel: str = ""
    contact_id: str | None = None
    incident_id: str | None = None
    letter_id: str | None = None


def create_task(ctx: Context, db: sqlite_utils.Database, base: dict, spec: TaskSpec, about: About,
                assignee: str | None = None, due: datetime | None = None) -> str:
    """Record a new task of `spec`, due by its clock from `base["at"]` (or at `due`: a measure's
    review date), or with no due time where its clock is a `[deadlines]` entry not configured;
    returns its id."""
    task_id = projections.next_id(db, "task", "T")
    projections.record(
        db, **base, kind="task.created", stream=f"task:{task_id}",
        payload={
            "task_id": task_id, "spec": spec.id, "title": spec.title, "role": spec.role, "office": about.office,
            "flow": spec.flow, "contact_id": about.contact_id, "incident_id": about.incident_id,
            "customer_name": about.customer_name, "reference": about.reference,
            "due_at": _iso_or_none(due or due_at(spec.due, base["at"], ctx.settings)), "channel": about.channel,
            "assignee": assignee, "letter_id": about.letter_id,
        },
    )
    return task_id


def _iso_or_none(moment: datetime | None) -> str | None:
    return None if moment is None else iso(moment)


def open_letter(db: sqlite_utils.Database, base: dict, letter_spec: str, about: About, *, decide_first: bool = False) -> str:
    """Record a new letter to draft (its text is prefilled when first opened), or, where the guidance
    leaves writing it to the drafter (`decide_first`), to decide on first; returns its id."""
    letter_id = projections.next_id(db, "letter", "L")
    projections.record(
        db, **base, kind="letter.opened", stream=f"letter:{letter_id}",
        payload={"letter_id": letter_id, "spec": letter_spec, "incident_id": about.incident_id,
                 "contact_id": about.contact_id, "office": about.office, "customer_name": about.customer_name,
                 "reference": about.reference, "decide_first": decide_first},
    )
    return letter_id
