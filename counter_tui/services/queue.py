"""The queue: tasks for my role and office by due time, overdue first; opening and finishing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError

from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.schema import TaskSpec
from counter_tui.services import contacts, records
from counter_tui.services.access import require_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import NoteText


@dataclass(frozen=True)
class QueueItem:
    """A task as the queue shows it."""

    task: Task
    overdue: bool


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    open_count: int
    overdue_count: int
    now: datetime


def my_queue(ctx: Context, actor: Actor, *, limit: int = 200) -> Queue:
    """Open tasks for the actor's role in their office, by due time (so the overdue come first)."""
    db = ctx.store.db
    now = ctx.clock.now()
    tasks = queries.queue(db, role=actor.role, office=actor.office, limit=limit)
    total, overdue = queries.queue_counts(db, role=actor.role, office=actor.office, now=now)
    return Queue(items=[QueueItem(t, t.overdue(now)) for t in tasks], open_count=total, overdue_count=overdue, now=now)


def all_open(ctx: Context, *, limit: int = 500) -> Queue:
    """Every open task in every office (for `counter queue --all`)."""
    db = ctx.store.db
    now = ctx.clock.now()
    tasks = queries.queue(db, role=None, office=None, limit=limit)
    total, overdue = queries.queue_counts(db, role=None, office=None, now=now)
    return Queue(items=[QueueItem(t, t.overdue(now)) for t in tasks], open_count=total, overdue_count=overdue, now=now)


def get_task(ctx: Context, task_id: str) -> Task:
    found = queries.task(ctx.store.db, task_id)
    if found is None:
        raise NotFound(f"No task {task_id}.")
    return found


def spec_of(ctx: Context, task: Task) -> TaskSpec:
    return ctx.pack.task(task.spec)


def require_task_role(ctx: Context, actor: Actor, task: Task) -> None:
    """Refuse (and record the refusal) unless the actor holds the task's role."""
    require_role(ctx, actor, task.role, f"open the task {task.title!r}")


def open_task(ctx: Context, actor: Actor, task_id: str) -> str:
    """Open a task's guided flow, resuming one already begun; returns the contact id.

    The customer's details come from the contact that created the task, so nothing is typed twice.

    Raises:
        Refused: the actor does not hold the task's role, the task is done, or it has no flow.
    """
    task = get_task(ctx, task_id)
    require_role(ctx, actor, task.role, f"open the task {task.title!r}")
    if task.status != "open":
        raise Refused("This task is already done.")
    if task.flow is None:
        raise Refused("This task has no guided steps: mark it done from the queue.")
    begun = queries.contact_for_task(ctx.store.db, task_id)
    if begun is not None and begun.status == "open":
        return begun.id
    origin = queries.contact(ctx.store.db, task.contact_id) if task.contact_id else None
    return contacts.start_contact(
        ctx, actor, task.flow, customer_name=task.customer_name, reference=task.reference,
        query=origin.query if origin else "", task_id=task.id,
    )


class _DoneNote(BaseModel):
    note: NoteText = ""


def complete_task(ctx: Context, actor: Actor, task_id: str, note: str = "") -> None:
    """Mark a task without a guided flow as done, recording who and when (and an optional note)."""
    task = get_task(ctx, task_id)
    require_role(ctx, actor, task.role, f"complete the task {task.title!r}")
    try:
        clean = _DoneNote(note=note).note
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None
    db = ctx.store.db
    with write(db):
        current = queries.task(db, task_id)
        if current is None or current.status != "open":
            raise Refused("This task is already done.")
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="task.done",
            stream=f"task:{task_id}", payload={"task_id": task_id, "note": clean, "contact_id": None},
        )


def originating_record(ctx: Context, task: Task) -> list[tuple[str, str]]:
    """The case note of the contact that created the task ("check the case notes")."""
    if task.contact_id is None:
        return []
    return records.finished_record(ctx, task.contact_id)
