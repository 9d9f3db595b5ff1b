"""The record a flow requires when it ends (case note, terminated call log, interview note):
drafting it from what was captured, saving it as typed, and finishing the contact — the incident
opened or recorded and the hand-off tasks created with their due times, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from pydantic import ValidationError

from counter_tui.clock import iso
from counter_tui.models.contact import Contact
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.schema import Form, TaskSpec
from counter_tui.services import line_managers, record_text, referrals
from counter_tui.services.access import require_role
from counter_tui.services.contacts import ContactDetails, ContactView, view
from counter_tui.services.context import Context
from counter_tui.services.deadlines import due_at
from counter_tui.services.hand_off import About, create_task, open_letter
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import TextProblem


@dataclass(frozen=True)
class Finished:
    """What finishing a contact produced."""

    contact_id: str
    incident_id: str | None
    task_ids: list[str]


def form_for(ctx: Context, current: ContactView) -> Form | None:
    """The form the flow requires where it finished, if any."""
    return ctx.pack.form(current.step.form) if current.step.form else None


def draft_record(ctx: Context, actor: Actor, contact_id: str) -> list[tuple[str, str, str, bool]]:
    """The required form's fields, prefilled from what was captured: (id, label, text, required)."""
    current = view(ctx, contact_id)
    form = form_for(ctx, current)
    if form is None:
        return []
    draft = queries.contact_record(ctx.store.db, contact_id)
    chosen = record_text.chosen(current)
    origin = record_text.origin_record(ctx, current) if any(f.prefill == "origin" for f in form.fields) else {}

    def first(field) -> str:
        if field.id in draft:
            return draft[field.id]
        if field.id in chosen:  # chosen by number on the way: not typed again
            return chosen[field.id]
        if field.prefill == "origin":
            return origin.get(field.id, "")
        if field.yes_no:  # a question nothing answered yet: unticked
            return record_text.prefill(ctx, current, field.prefill, actor) or "no"
        return record_text.prefill(ctx, current, field.prefill, actor)

    return [(f.id, f.label, first(f), f.required) for f in form.fields]


def save_record_draft(ctx: Context, actor: Actor, contact_id: str, record: dict[str, str]) -> None:
    """Keep the form as typed so far, so a terminal that dies loses none of it.

    Fields that cannot be accepted are left out of the draft (the form shows why beside them).
    """
    current = view(ctx, contact_id)
    form = form_for(ctx, current)
    if form is None or current.contact.status != "open":
        return
    keep = {}
    for field in form.fields:
        try:
            keep[field.id] = record_text.check_record_field(field, record.get(field.id, ""), required=False)
        except FieldErrors:
            continue
    if keep == queries.contact_record(ctx.store.db, contact_id):
        return
    db = ctx.store.db
    with write(db):
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="record.drafted",
            stream=f"contact:{contact_id}", payload={"contact_id": contact_id, "record": keep},
        )


def finish(ctx: Context, actor: Actor, contact_id: str, record: dict[str, str]) -> Finished:
    """Complete a contact whose flow reached its end: store the record, the incident and the hand-offs.

    Raises:
        FieldErrors: a required field is empty or a field cannot be accepted.
        Refused: the flow has not finished, or the contact is already finished.
    """
    current = view(ctx, contact_id)
    form = form_for(ctx, current)
    cleaned: dict[str, str] = {}
    when: dict = {}
    if form is not None:
        record = {**record, **{f.id: "yes" if record.get(f.id) == "yes" else "no" for f in form.fields if f.yes_no}}
        cleaned = record_text.check_record(form, record)
        when = record_text.check_when(ctx, form, cleaned)
    if current.flow.follow_up:  # a decision the pack gives the flow's role, whoever signed in since
        require_role(ctx, actor, current.flow.role, f"finish {current.flow.title!r}")
    db = ctx.store.db
    now = ctx.clock.now()
    with write(db):
        current = view(ctx, contact_id)
        if current.contact.status != "open":
            raise Refused("This contact is already finished.")
        if not current.step.is_final:
            raise Refused("The procedure has not reached its end yet.")
        problem = engine.ending_problem(ctx.pack, current.state)
        if problem:
            raise Refused(f"This contact cannot end here: it {problem}.")
        contact, step = current.contact, current.step
        stream = f"contact:{contact_id}"
        base = {"at": now, "actor": actor.number, "role": actor.role}
        contact = _details_from_record(ctx, db, base, contact, form, cleaned)
        origin = queries.task(db, contact.task_id) if contact.task_id else None
        incident_id = origin.incident_id if origin else None
        # A welfare record (the member of staff's HR file) following a contact that opened no incident
        # (the customer's behaviour improved) records none: nothing of the customer is on it.
        if incident_id is None and step.starts_incident and not (origin is not None and current.flow.staff_record):
            incident_id = projections.next_id(db, "incident", "I")
            projections.record(
                db, **base, kind="incident.opened", stream=f"incident:{incident_id}",
                payload={
                    "incident_id": incident_id, "contact_id": contact_id, "channel": contact.channel,
                    "office": contact.office, "staff_number": contact.staff_number,
                    "customer_name": contact.customer_name, "reference": contact.reference,
                    "occurred_at": iso(contact.started_at), "summary": f"{current.flow.title}: {step.title}",
                },
            )
        projections.record(
            db, **base, kind="contact.finished", stream=stream,
            payload={"contact_id": contact_id, "outcome": step.outcome.value, "form": step.form,
                     "record": cleaned, "incident_id": incident_id},
        )
        if step.record_incident and incident_id is not None:
            projections.record(
                db, **base, kind="incident.recorded", stream=f"incident:{incident_id}",
                payload={"incident_id": incident_id, "contact_id": contact_id},
            )
        referrals.record_decision(ctx, db, base, current.flow, step, contact, incident_id, form, cleaned, actor.name)
        hand_offs = list(step.tasks)
        if form is not None:  # a question answered yes that raises its own hand-off (a training need)
            hand_offs += [f.raises_task for f in form.fields
                          if f.raises_task and cleaned.get(f.id) == "yes" and f.raises_task not in hand_offs]
        report = ctx.pack.incident_report
        if report is not None and incident_id is not None and origin is None:
            # Every new incident needs its welfare check and its incident report form.
            hand_offs += [t for t in (report.welfare_task, report.task) if t is not None and t not in hand_offs]
        task_ids = [_hand_off(ctx, db, base, ctx.pack.task(spec_id), contact, incident_id, when) for spec_id in hand_offs]
        if origin is not None and origin.status == "open":
            projections.record(
                db, **base, kind="task.done", stream=f"task:{origin.id}",
                payload={"task_id": origin.id, "contact_id": contact_id, "note": ""},
            )
    return Finished(contact_id=contact_id, incident_id=incident_id, task_ids=task_ids)


def _hand_off(ctx: Context, db, base: dict, spec: TaskSpec, contact: Contact, incident_id: str | None,
              when: dict | None = None) -> str:
    """Create one task for the contact's office, due by its clock (counted from the day typed in the
    record's `from_field` where the pack names one: the day a written communication was received) or
    at the time typed in the record's field the pack names (for one person where the pack says so:
    the member of staff the incident happened to), with the letter it drafts where it drafts one;
    returns its id."""
    assignee = None
    if spec.assign_to == "staff_involved":
        incident = queries.incident(db, incident_id) if incident_id else None
        assignee = incident.staff_number if incident else contact.staff_number
    elif spec.assign_to == "staff_line_manager":  # theirs where the register records one, else the role's
        assignee = line_managers.assignee_for(db, contact.staff_number)
    about = About(office=contact.office, customer_name=contact.customer_name, reference=contact.reference,
                  channel=contact.channel, contact_id=contact.id, incident_id=incident_id)
    if spec.letter is not None:
        decide = ctx.pack.letter(spec.letter).decide_first is not None
        about = replace(about, letter_id=open_letter(db, base, spec.letter, about, decide_first=decide))
    due = (when or {}).get(spec.due.field) if spec.due.field else None
    counted_from = (when or {}).get(spec.due.from_field) if spec.due.from_field else None
    if counted_from is None and spec.due.from_field and incident_id is not None:
        counted_from = _day_on_incident(ctx, db, incident_id, spec.due.from_field)
    if counted_from is not None:  # the day typed (a written communication received), not today
        due = due_at(spec.due, counted_from, ctx.settings)
    return create_task(ctx, db, base, spec, about, assignee, due=due)


def _day_on_incident(ctx: Context, db, incident_id: str, field_id: str):
    """The day typed in `field_id` of the record of the contact that opened the incident (the day a
    written communication was received), as the moment it begins; None if it holds no such day."""
    incident = queries.incident(db, incident_id)
    text = queries.contact_record(db, incident.contact_id).get(field_id, "") if incident and incident.contact_id else ""
    try:
        return record_text.parse_day(text, ctx.settings.zone) if text else None
    except TextProblem:  # a day that does not parse counts from now, as a record without one would
        return None


def _details_from_record(ctx: Context, db, base: dict, contact: Contact, form: Form | None, record: dict[str, str]) -> Contact:
    """Carry who the customer is and their query from the completed record back to the contact,
    so the incident and the hand-offs name them without anyone typing them again.

    A field that would not pass as a contact detail (a name over several lines) leaves it as it was.
    """
    if form is None:
        return contact
    current = {"customer_name": contact.customer_name, "reference": contact.reference, "query": contact.query}
    wanted = dict(current)
    for field in form.fields:
        if field.prefill in wanted and record.get(field.id):
            wanted[field.prefill] = record[field.id]
    try:
        details = ContactDetails(**wanted).model_dump()
    except ValidationError:
        return contact
    if details == current:
        return contact
    projections.record(
        db, **base, kind="contact.details_changed", stream=f"contact:{contact.id}",
        payload={"contact_id": contact.id, **details},
    )
    return contact.model_copy(update=details)


def finished_record(ctx: Context, contact_id: str) -> list[tuple[str, str]]:
    """A finished contact's form as (label, text) pairs, in the form's order."""
    current = view(ctx, contact_id)
    form = form_for(ctx, current)
    stored = queries.contact_record(ctx.store.db, contact_id)
    if form is None:
        return []
    return [(f.label, stored.get(f.id, "")) for f in form.fields]
