"""The queue: tasks for my role and office by due time, overdue first; opening and finishing them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ValidationError

from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.schema import Form, TaskSpec
from counter_tui.services import contacts, measure_review, record_text, records
from counter_tui.services.access import refuse, require_person, require_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import NoteText


class Scope(StrEnum):
    """Whose tasks a queue shows."""

    mine = "mine"
    """My role's tasks at my office, and any assigned to me."""
    team = "team"
    """Every open task at my office, whatever its role (a manager's view of the team)."""
    everywhere = "everywhere"
    """My role's tasks at every office, and any assigned to me."""


SCOPE_NAMES = {Scope.mine: "mine", Scope.team: "my office", Scope.everywhere: "all offices"}


@dataclass(frozen=True)
class QueueItem:
    """A task as the queue shows it."""

    task: Task
    overdue: bool


@dataclass(frozen=True)
class KindCount:
    spec: str
    """The pack's task id (its title is the pack's)."""
    open: int
    overdue: int


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    open_count: int
    overdue_count: int
    now: datetime
    kinds: list[KindCount] = field(default_factory=list)
    """Open and overdue counts by kind of task, before the kind and channel filters."""


def task_filter(actor: Actor, scope: Scope = Scope.mine, *, spec: str | None = None,
                channel: str | None = None) -> queries.TaskFilter:
    """The tasks `actor` sees in `scope`, narrowed to a kind or a channel."""
    if scope is Scope.team:
        return queries.TaskFilter(office=actor.office, spec=spec, channel=channel)
    office = actor.office if scope is Scope.mine else None
    return queries.TaskFilter(role=actor.role, office=office, assignee=actor.number, spec=spec, channel=channel)


def my_queue(ctx: Context, actor: Actor, scope: Scope = Scope.mine, *, spec: str | None = None,
             channel: str | None = None, limit: int = 200) -> Queue:
    """Open tasks, the overdue first, then those with no due time (oldest first), then by due time,
    with counts by kind; measures whose
    review date is near have their review task queued first."""
    measure_review.queue_due(ctx)
    db = ctx.store.db
    now = ctx.clock.now()
    which = task_filter(actor, scope, spec=spec, channel=channel)
    tasks = queries.queue(db, which, now=now, limit=limit)
    total, overdue = queries.queue_counts(db, which, now=now)
    kinds = [KindCount(*row) for row in queries.queue_kinds(db, task_filter(actor, scope), now=now)]
    return Queue(items=[QueueItem(t, t.overdue(now)) for t in tasks], open_count=total, overdue_count=overdue,
                 now=now, kinds=kinds)


def page(ctx: Context, actor: Actor, scope: Scope = Scope.mine, *, spec: str | None = None,
         channel: str | None = None, offset: int = 0, limit: int = 50) -> list[QueueItem]:
    """A further page of the same queue, by due time."""
    now = ctx.clock.now()
    tasks = queries.queue(ctx.store.db, task_filter(actor, scope, spec=spec, channel=channel), now=now,
                          limit=limit, offset=offset)
    return [QueueItem(t, t.overdue(now)) for t in tasks]


def my_counts(ctx: Context, actor: Actor) -> tuple[int, int]:
    """(open, overdue) on my queue, for the start screen (no rows, no kinds)."""
    measure_review.queue_due(ctx)
    return queries.queue_counts(ctx.store.db, task_filter(actor), now=ctx.clock.now())


def all_open(ctx: Context, *, role: str | None = None, office: str | None = None, spec: str | None = None,
             channel: str | None = None, limit: int = 500) -> Queue:
    """Open tasks in every office, optionally narrowed (for `counter queue`)."""
    measure_review.queue_due(ctx)
    db = ctx.store.db
    now = ctx.clock.now()
    which = queries.TaskFilter(role=role, office=office, spec=spec, channel=channel)
    tasks = queries.queue(db, which, now=now, limit=limit)
    total, overdue = queries.queue_counts(db, which, now=now)
    kinds = [KindCount(*row) for row in queries.queue_kinds(db, queries.TaskFilter(role=role, office=office), now=now)]
    return Queue(items=[QueueItem(t, t.overdue(now)) for t in tasks], open_count=total, overdue_count=overdue,
                 now=now, kinds=kinds)


def get_task(ctx: Context, task_id: str) -> Task:
    found = queries.task(ctx.store.db, task_id)
    if found is None:
        raise NotFound(f"No task {task_id}.")
    return found


def spec_of(ctx: Context, task: Task) -> TaskSpec:
    return ctx.pack.task(task.spec)


def require_task_role(ctx: Context, actor: Actor, task: Task) -> None:
    """Refuse (and record the refusal) unless the actor holds the task's role, or for a task given
    to one person, is that person."""
    if task.assignee is not None:
        require_person(ctx, actor, task.assignee, f"open the task {task.title!r}")
    else:
        require_role(ctx, actor, task.role, f"open the task {task.title!r}")


def open_task(ctx: Context, actor: Actor, task_id: str) -> str:
    """Open a task's guided flow, resuming one already begun; returns the contact id.

    The customer's details come from the contact that created the task, so nothing is typed twice.

    Raises:
        Refused: the actor does not hold the task's role, the task is done, or it has no flow.
    """
    task = get_task(ctx, task_id)
    require_task_role(ctx, actor, task)
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


def done_elsewhere(ctx: Context, task: Task) -> str | None:
    """Where a task is done, if not by marking it done: its guided steps, its form, its letter, the
    decision or review it asks for, the signature it waits for, or the notice it sends. None for a
    task that is done by marking it so (scan the letter, post it)."""
    from counter_tui.services import letter_notice, letters

    spec = spec_of(ctx, task)
    measures = ctx.pack.measures
    if spec.flow is not None:
        return "its guided steps"
    if spec.form is not None:
        return "its form"
    if spec.sign:
        return "the member of staff's signature"
    if letters.opens_letter(ctx, task):
        return "the letter's own screen"
    if measures is not None and task.spec in (measures.decide_task, measures.review_task):
        return "the decision's own screen"
    if letter_notice.notice_step(ctx, task) is not None:
        return "sending the notice"
    return None


def done_form(ctx: Context, task: Task) -> Form | None:
    """The form the task's spec asks for when it is marked done (`done_form`), if any."""
    spec = spec_of(ctx, task)
    return ctx.pack.form(spec.done_form) if spec.done_form else None


def complete_task(ctx: Context, actor: Actor, task_id: str, note: str = "", record: dict[str, str] | None = None) -> None:
    """Mark a task done that is done by marking it so (see `done_elsewhere`), recording who and when
    (and an optional note): for its role, or for the one person it was given to. A task whose spec
    names a `done_form` is done only with that form's fields (`record`), kept with the task.

    Raises:
        Refused: not the task's role or person, done already, or a task done elsewhere (its steps,
            form, letter, decision, signature or notice): ticking it would skip its work and its checks.
        FieldErrors: the note, or a field of the done form, is missing or cannot be accepted.
    """
    task = get_task(ctx, task_id)
    require_task_role(ctx, actor, task)
    elsewhere = done_elsewhere(ctx, task)
    if elsewhere is not None:
        refuse(ctx, actor, f"mark the task {task.title!r} done", f"it is done through {elsewhere}")
    try:
        clean = _DoneNote(note=note).note
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None
    form = done_form(ctx, task)
    cleaned = record_text.check_record(form, record or {}) if form is not None else {}
    db = ctx.store.db
    with write(db):
        current = queries.task(db, task_id)
        if current is None or current.status != "open":
            raise Refused("This task is already done.")
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="task.done",
            stream=f"task:{task_id}",
            payload={"task_id": task_id, "note": clean, "contact_id": None,
                     **({"form": form.id, "record": cleaned} if form is not None else {})},
        )


def originating_record(ctx: Context, task: Task) -> list[tuple[str, str]]:
    """The case note of the contact that created the task ("check the case notes")."""
    if task.contact_id is None:
        return []
    return records.finished_record(ctx, task.contact_id)
