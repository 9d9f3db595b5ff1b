"""The line manager's record of an incident for the member of staff's HR file, read and signed by
that member of staff under their own sign-in (HMPO "What a line manager must do if a member of staff
is threatened": "ask the member of staff to read and sign the report if they agree").

Only the member of staff, the manager who wrote it, or whoever holds the role that writes these
records at the member of staff's own office, may read it; only
the member of staff may sign it. Every refusal is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.services import contacts, queue, records
from counter_tui.services.access import require_active, require_person, require_welfare_reader
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import NoteText


@dataclass(frozen=True)
class RecordToSign:
    task: Task
    contact_id: str
    title: str
    written_by: str
    fields: list[tuple[str, str]]
    signature: dict | None
    """Once signed: agreed or not, the comment, when."""


def _task(ctx: Context, task_id: str) -> Task:
    task = queue.get_task(ctx, task_id)
    if not queue.spec_of(ctx, task).sign or task.contact_id is None or task.assignee is None:
        raise NotFound(f"Task {task_id} has no record to sign.")
    return task


def record_to_sign(ctx: Context, actor: Actor, task_id: str) -> RecordToSign:
    """The record as the member of staff reads it (each reading recorded as a `welfare.viewed` event).

    Raises:
        Refused: neither the member of staff nor the role that writes these records (recorded).
    """
    require_active(ctx, actor)
    task = _task(ctx, task_id)
    contact = queries.contact(ctx.store.db, task.contact_id)
    require_welfare_reader(ctx, actor, task.assignee, contact.staff_number, ctx.pack.flow(contact.flow).role,
                           "read another member of staff's welfare record")
    form = records.form_for(ctx, contacts.view(ctx, contact.id))
    db = ctx.store.db
    with write(db):  # a welfare record is restricted detail: every reading is on the record
        projections.record(db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="welfare.viewed",
                           stream=f"contact:{contact.id}", payload={"contact_id": contact.id, "task_id": task.id})
    return RecordToSign(task=task, contact_id=contact.id, title=form.title if form else task.title,
                        written_by=contact.staff_name, fields=records.finished_record(ctx, contact.id),
                        signature=queries.signature(ctx.store.db, contact.id))


class _Comment(BaseModel):
    comment: NoteText = ""


def sign(ctx: Context, actor: Actor, task_id: str, *, agreed: bool, comment: str = "") -> None:
    """Sign the record as agreed (or record that they do not agree, with why), and finish the task.

    Raises:
        Refused: not the member of staff the record is about, or already signed.
        FieldErrors: the comment cannot be accepted; or not agreeing without saying why.
    """
    task = _task(ctx, task_id)
    require_person(ctx, actor, task.assignee, "sign another member of staff's welfare record")
    try:
        clean = _Comment(comment=comment).comment
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None
    if not agreed and not clean.strip():
        raise FieldErrors({"comment": "Say what you do not agree with, so your line manager can talk it through."})
    db = ctx.store.db
    with write(db):
        current = queries.task(db, task_id)
        if current.status != "open" or queries.signature(db, task.contact_id) is not None:
            raise Refused("This record is already signed.")
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        projections.record(
            db, **base, kind="record.signed", stream=f"contact:{task.contact_id}",
            payload={"contact_id": task.contact_id, "task_id": task_id, "agreed": agreed, "comment": clean},
        )
        projections.record(
            db, **base, kind="task.done", stream=f"task:{task_id}",
            payload={"task_id": task_id, "contact_id": None, "note": "Signed as agreed." if agreed else "Not agreed."},
        )
