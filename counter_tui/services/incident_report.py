"""The incident report form (HMPO "How to record an incident"): every incident gets one.

The form fills itself from what staff already recorded (the date, the office, the time, the case
note, the steps taken, the staff on the contact, who it was handed to); the manager completes what
is missing. Drafts are versioned, so two managers saving at once never overwrite each other. When
it is complete the distribution (the pack's recipients, addressed from configuration) is recorded
with it and the task leaves the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_tui.models.incident import Incident
from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.schema import Form, FormField, IncidentReport, Recipient
from counter_tui.services import contacts, outbox, queue, record_text, records, referrals
from counter_tui.services.access import require_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.store import events, projections, queries, staff
from counter_tui.store.connection import write

YES, NO, UNANSWERED = "yes", "no", ""


@dataclass(frozen=True)
class ReportField:
    id: str
    label: str
    text: str
    required: bool
    multiline: bool
    yes_no: bool


@dataclass(frozen=True)
class ReportDraft:
    """The form as the manager sees it: prefilled, or as last saved."""

    task: Task
    incident: Incident
    form: Form
    fields: list[ReportField]
    version: int


class ReportConflict(Exception):
    """Another manager saved the form since this copy was read; their text is `current`."""

    def __init__(self, current: dict[str, str], version: int, by: str) -> None:
        self.current, self.version, self.by = current, version, by
        super().__init__(f"The form was saved by {by} since you opened it; nothing was overwritten.")


def _setup(ctx: Context) -> tuple[IncidentReport, Form]:
    report = ctx.pack.incident_report
    if report is None:
        raise NotFound(f"The {ctx.pack.name} pack has no incident report form.")
    return report, ctx.pack.form(report.form)


def _task_and_incident(ctx: Context, actor: Actor, task_id: str) -> tuple[Task, Incident]:
    task = queue.get_task(ctx, task_id)
    require_role(ctx, actor, task.role, f"complete {task.title!r}")
    incident = queries.incident(ctx.store.db, task.incident_id) if task.incident_id else None
    if incident is None:
        raise NotFound(f"Task {task_id} has no incident.")
    return task, incident


def _prefill(ctx: Context, incident: Incident, field: FormField, actor: Actor) -> str:
    """The field's first text, from the contact the incident came from."""
    current = contacts.view(ctx, incident.contact_id)
    contact = current.contact
    zone = ctx.settings.zone
    match field.prefill:
        case "date":
            return contact.started_at.astimezone(zone).strftime("%d %B %Y")
        case "time":
            start = contact.started_at.astimezone(zone).strftime("%H:%M")
            end = contact.ended_at.astimezone(zone).strftime("%H:%M") if contact.ended_at else ""
            return f"{start} to {end}" if end and end != start else start
        case "office":
            return contact.office
        case "case_note":
            lines = [f"{label}: {text}" for label, text in records.finished_record(ctx, contact.id) if text.strip()]
            return "\n".join(lines) or contact.note
        case "staff_involved":
            role = ctx.pack.role(current.flow.role).name
            return f"{contact.staff_name} ({role}, staff number {contact.staff_number})"
        case "handed_to":
            report = ctx.pack.incident_report
            handed = [t for t in queries.tasks_for_contact(ctx.store.db, contact.id) if not report or t.spec != report.task]
            return "\n".join(f"{ctx.pack.role(t.role).name}: {t.title} ({t.id})" for t in handed)
    return record_text.prefill(ctx, current, field.prefill, actor)


def draft(ctx: Context, actor: Actor, task_id: str) -> ReportDraft:
    """The form for the incident behind `task_id`: the saved draft, or prefilled.

    Raises:
        Refused: the actor does not hold the task's role (recorded).
        NotFound: no such task, or it has no incident.
    """
    _, form = _setup(ctx)
    task, incident = _task_and_incident(ctx, actor, task_id)
    saved = incident.report
    fields = [
        ReportField(f.id, f.label, saved[f.id] if f.id in saved else ("" if f.yes_no else _prefill(ctx, incident, f, actor)),
                    f.required, f.multiline, f.yes_no)
        for f in form.fields
    ]
    return ReportDraft(task=task, incident=incident, form=form, fields=fields, version=incident.report_version)


def _clean(form: Form, values: dict[str, str], *, complete: bool) -> dict[str, str]:
    """Check the values: every field on completion; on a draft, only what can be kept."""
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in form.fields:
        if field.yes_no:
            answer = values.get(field.id, "")
            if not field.required:  # a checkbox: unticked is no
                cleaned[field.id] = YES if answer == YES else NO
            elif answer in (YES, NO):
                cleaned[field.id] = answer
            else:  # a question: unanswered is kept unanswered, never taken as no
                cleaned[field.id] = UNANSWERED
                if complete:
                    errors[field.id] = "Answer yes or no."
            continue
        try:
            cleaned[field.id] = record_text.check_record_field(field, values.get(field.id, ""),
                                                               required=field.required if complete else False)
        except FieldErrors as problem:
            errors.update(problem.errors)
    if errors and complete:
        raise FieldErrors(errors)
    return cleaned


def _still_open(ctx: Context, task: Task, version: int) -> Incident:
    """Inside a write: the incident, if its form is not complete and `version` is still current.

    Raises:
        ReportConflict: a newer version was saved, naming whoever saved it.
        Refused: the form is already complete.
    """
    db = ctx.store.db
    incident = queries.incident(db, task.incident_id)
    if incident.report_version != version:
        saves = [e for e in events.for_stream(db, f"incident:{incident.id}") if e.kind.startswith("incident.report")]
        who = staff.name_of(db, saves[-1].actor) if saves else None
        raise ReportConflict(incident.report, incident.report_version, who or "another manager")
    if incident.reported_at is not None:
        raise Refused("This incident report form is already complete.")
    return incident


def save_draft(ctx: Context, actor: Actor, task_id: str, values: dict[str, str], *, version: int) -> int:
    """Keep the form as typed so far (fields that cannot be accepted are left out); returns the new version.

    Raises:
        ReportConflict: someone saved a newer version; nothing is overwritten.
    """
    _, form = _setup(ctx)
    task, _ = _task_and_incident(ctx, actor, task_id)
    cleaned = _clean(form, values, complete=False)
    db = ctx.store.db
    with write(db):
        incident = _still_open(ctx, task, version)
        if cleaned == incident.report:
            return version
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="incident.report_drafted",
            stream=f"incident:{incident.id}",
            payload={"incident_id": incident.id, "report": cleaned, "version": version + 1},
        )
    return version + 1


def recipients(ctx: Context, values: dict[str, str]) -> list[Recipient]:
    """The pack's recipients of the completed form whose condition holds (the security help desk
    only where there was a security or data breach)."""
    report, _ = _setup(ctx)
    return [r for r in report.distribution if r.only_if is None or values.get(r.only_if) == YES]


def distribution(ctx: Context, values: dict[str, str]) -> list[str]:
    """Who receives the completed form, each with the address configuration gives it (or its name alone)."""
    sent = []
    for recipient in recipients(ctx, values):
        addresses = outbox.recipients(ctx, recipient.name)
        sent.append(f"{recipient.name} <{', '.join(addresses)}>" if addresses else recipient.name)
    return sent


PURPOSE = "Incident report form"
"""The outbox's name for a copy of the completed form."""


def _send_copies(ctx: Context, db, base: dict, incident: Incident, to: list[Recipient]) -> list[str]:
    """Inside the completing transaction: one outbox message per recipient, the form's PDF attached
    (the letters' outbox: sent when the mail server takes it, held with the reason without one)."""
    from counter_tui.printing.pdf import render
    from counter_tui.services import printing

    pdf = render(printing.printable(ctx, incident.id, "incident"))
    form = ctx.pack.form(ctx.pack.incident_report.form)
    body = "\n".join([
        f"The completed {form.title.lower()} for incident {incident.id} ({incident.office}) is attached.",
        f"You receive a copy under the guidance: {form.section}.", "",
        *[f"{label}: {text}" for label, text in completed(ctx, incident.id) if text.strip()],
    ])
    return [
        outbox.queue_mail(ctx, db, base, purpose=PURPOSE, key=recipient.name,
                          subject=f"{form.title}: incident {incident.id}", body=body, incident_id=incident.id,
                          attachment=(f"{incident.id}-incident-report.pdf", pdf))
        for recipient in to
    ]


@dataclass(frozen=True)
class SentCopy:
    """One recipient's copy of the completed form, as its outbox message stands now."""

    name: str
    message_id: str
    state: str
    """Waiting, sent (when), failed and retried, or held (and why): `outbox.describe`."""


def copies(ctx: Context, incident_id: str) -> list[SentCopy]:
    """Each recipient's copy of the completed form and its state, in the pack's order."""
    messages = [m for m in outbox.messages(ctx, incident_id=incident_id) if m.purpose == PURPOSE]
    messages.sort(key=lambda m: m.id)
    return [SentCopy(m.list_name, m.id, outbox.describe(ctx, m, local=lambda at: record_text.local_time(ctx, at)))
            for m in messages]


def complete(ctx: Context, actor: Actor, task_id: str, values: dict[str, str], *, version: int) -> Incident:
    """Complete the form: stored with its distribution, one outbox message per recipient with the
    form's PDF attached (each recorded as sent when the mail server takes it), what it referred (the
    pack's `refer`: a task created when its questions are all answered yes, or why not), and the task done.

    Raises:
        FieldErrors: a required field is empty, a yes/no question unanswered, or a field cannot be
            accepted (shown beside it).
        ReportConflict: someone saved a newer version since `version`.
        Refused: already complete, or the actor lacks the role.
    """
    _, form = _setup(ctx)
    task, _ = _task_and_incident(ctx, actor, task_id)
    cleaned = _clean(form, values, complete=True)
    sent, to = distribution(ctx, cleaned), recipients(ctx, cleaned)
    import counter_tui.printing.pdf  # noqa: F401  (reportlab loaded before the write, not while holding it)

    db = ctx.store.db
    with write(db):
        incident = _still_open(ctx, task, version)
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        referred = referrals.refer(ctx, db, base, incident, cleaned)
        projections.record(
            db, **base, kind="incident.reported", stream=f"incident:{incident.id}",
            payload={"incident_id": incident.id, "report": cleaned, "version": version + 1, "distribution": sent,
                     "referrals": referred, "recipients": [r.name for r in to]},
        )
        _send_copies(ctx, db, base, incident, to)
        if queries.task(db, task_id).status == "open":
            projections.record(
                db, **base, kind="task.done", stream=f"task:{task_id}",
                payload={"task_id": task_id, "contact_id": None, "note": "Incident report form completed."},
            )
    return queries.incident(db, incident.id)


def completed(ctx: Context, incident_id: str) -> list[tuple[str, str]]:
    """A completed (or drafted) form as (label, text) pairs in the form's order, yes/no spelt out."""
    _, form = _setup(ctx)
    incident = queries.incident(ctx.store.db, incident_id)
    if incident is None:
        raise NotFound(f"No incident {incident_id}.")
    return [(f.label, incident.report.get(f.id, "") or ("not answered" if f.yes_no else "")) for f in form.fields]
