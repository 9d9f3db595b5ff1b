"""The notice to the other offices once a letter is signed off (HMPO "Public facing area: telling CSOs
and CSCs about an incident"): the EO counter manager's task holds the e-mail to the regional counter
manager's inbox — the incident, the customer's name and the application number — sent with one key."""

from __future__ import annotations

from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.letter_templates import load_template
from counter_tui.policy.schema import AfterApproval
from counter_tui.services import outbox, queue
from counter_tui.services.context import Context
from counter_tui.services.errors import NotFound, Refused
from counter_tui.services.letters import _letter, _spec, letter_pdf, letter_signatory, merge_fields
from counter_tui.store import letters as letter_store
from counter_tui.store import projections, queries
from counter_tui.store.connection import write


def notice_step(ctx: Context, task: Task) -> AfterApproval | None:
    """The notice a task sends (the EO counter manager's e-mail to the regional inbox), if any."""
    if task.letter_id is None:
        return None
    letter = letter_store.letter(ctx.store.db, task.letter_id)
    for step in _spec(ctx, letter).after:
        if step.action == "notice" and step.task == task.spec:
            return step
    return None


def notice_mail(ctx: Context, task: Task) -> tuple[str, list[str], str, str]:
    """The notice as it will go: (list name, addresses, subject, body) — the incident, the
    customer's name and the application number, as the guidance lists them."""
    step = notice_step(ctx, task)
    if step is None:
        raise NotFound(f"Task {task.id} sends no notice.")
    letter = letter_store.letter(ctx.store.db, task.letter_id)
    incident = queries.incident(ctx.store.db, letter.incident_id) if letter.incident_id else None
    fields = merge_fields(ctx, letter)
    what = incident.summary if incident else _spec(ctx, letter).id
    subject_line = f"Incident {letter.incident_id or ''} at {letter.office}: {letter.customer_name or 'customer not named'}"
    text = "\n".join([
        "To tell the other CSOs and CSCs about an incident, so they are aware of any problem customers.",
        "",
        f"The incident: {what}, on {fields['incident_date']} at {letter.office} ({letter.incident_id or 'no incident number'}).",
        f"The customer's name: {letter.customer_name or 'not known'}",
        f"The application number: {letter.reference or 'not submitted'}",
        f"The letter: {load_template(_spec(ctx, letter).template).title}, signed off by {letter_signatory(ctx, letter)}.",
        "",
        "The signed-off letter is attached as a PDF.",
    ])
    return step.to, outbox.recipients(ctx, step.to), subject_line.strip(), text


def send_notice(ctx: Context, actor: Actor, task_id: str) -> str:
    """Queue the notice e-mail (with the letter attached) and mark the task done; returns the message id.

    Raises:
        Refused: the actor does not hold the task, or it is done.
    """
    task = queue.get_task(ctx, task_id)
    queue.require_task_role(ctx, actor, task)
    key, _, subject_line, text = notice_mail(ctx, task)
    letter = _letter(ctx, task.letter_id)
    pdf = letter_pdf(ctx, letter)
    db = ctx.store.db
    with write(db):
        if queries.task(db, task_id).status != "open":
            raise Refused("This task is already done.")
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        message_id = outbox.queue_mail(ctx, db, base, purpose=notice_step(ctx, task).title, key=key,
                                       subject=subject_line, body=text, letter_id=letter.id,
                                       incident_id=letter.incident_id, attachment=(f"{letter.id}-letter.pdf", pdf))
        projections.record(db, **base, kind="task.done", stream=f"task:{task_id}",
                           payload={"task_id": task_id, "contact_id": None, "note": f"Notice e-mailed ({message_id})."})
    return message_id
