"""Referrals and decisions on an incident: what the completed incident report form hands on, and the
decisions follow-up flows record on it (HMPO "How to deal with serious incidents": the case
referred to the SEO when it is very serious and the customer's identity is known; the SEO's
consideration of the police; the Grade 7 manager's decision to inform them or not).

The pack declares both: `[[incident_report.refer]]` names a task and the yes/no questions that must
all be answered yes; a follow-up flow's final step with `on_record` is a decision whose line, with
its reason, is recorded on the incident (`incident.decided`) and shown wherever the incident is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from string import Template

import sqlite_utils

from counter_tui.models.contact import Contact
from counter_tui.models.incident import Incident
from counter_tui.policy.schema import Flow, Form, Step
from counter_tui.services.context import Context
from counter_tui.services.hand_off import About, create_task
from counter_tui.store import events, projections

YES = "yes"


def refer(ctx: Context, db: sqlite_utils.Database, base: dict, incident: Incident, values: dict[str, str]) -> list[dict]:
    """Inside the completing write: each of the pack's referrals, its task created where all its
    questions were answered yes; returns what was referred, and what not and why, for the record."""
    report = ctx.pack.incident_report
    done = []
    for referral in report.refer if report else []:
        answered_no = [q for q in referral.all_yes if values.get(q) != YES]
        task_id = None
        if not answered_no:
            about = About(office=incident.office, customer_name=incident.customer_name, reference=incident.reference,
                          channel=incident.channel, contact_id=incident.contact_id, incident_id=incident.id)
            task_id = create_task(ctx, db, base, ctx.pack.task(referral.task), about)
        done.append({"task": referral.task, "task_id": task_id, "answered_no": answered_no})
    return done


def _day(text: str) -> str:
    """A `day` field's YYYY-MM-DD as staff read it (7 December 2026); as typed if it is not one."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def decision_line(step: Step, form: Form | None, record: dict[str, str], staff_name: str) -> str:
    """The step's `on_record` line with the record's fields put in (text is data: nothing is parsed)."""
    values = {"staff_name": staff_name}
    for field in form.fields if form else []:
        text = record.get(field.id, "").strip()
        values[field.id] = _day(text) if field.day and text else " ".join(text.split()) or "—"
    return Template(step.on_record or "").safe_substitute(values)


def record_decision(ctx: Context, db: sqlite_utils.Database, base: dict, flow: Flow, step: Step, contact: Contact,
                    incident_id: str | None, form: Form | None, record: dict[str, str], staff_name: str) -> None:
    """Inside the finishing write: where the step is a decision on the incident, record its line."""
    if step.on_record is None or incident_id is None:
        return
    projections.record(
        db, **base, kind="incident.decided", stream=f"incident:{incident_id}",
        payload={"incident_id": incident_id, "contact_id": contact.id, "flow": flow.id, "step": step.id,
                 "decided_by": staff_name, "text": decision_line(step, form, record, staff_name)},
    )


@dataclass(frozen=True)
class OnIncident:
    """A referral or a decision on an incident, as staff read it."""

    at: datetime
    text: str


def on_incident(ctx: Context, incident_id: str) -> list[OnIncident]:
    """What was referred from the incident's report form (or why not), and each decision recorded on
    it, oldest first (nothing from a purged record)."""
    found = []
    for event in events.for_stream(ctx.store.db, f"incident:{incident_id}"):
        payload = event.payload
        if event.kind == "incident.decided" and "text" in payload:
            found.append(OnIncident(event.at, payload["text"]))
        elif event.kind == "incident.reported":
            found += [OnIncident(event.at, _referral_text(ctx, item)) for item in payload.get("referrals", [])]
    return found


def _referral_text(ctx: Context, item: dict) -> str:
    try:
        spec = ctx.pack.task(item["task"])
    except KeyError:
        return f"Referred: {item['task']} ({item.get('task_id') or 'not referred'})"
    role = ctx.pack.role(spec.role).name if spec.role in {r.id for r in ctx.pack.roles} else spec.role
    if item.get("task_id"):
        return f"Referred to the {role}: {spec.title} ({item['task_id']})"
    form = ctx.pack.form(ctx.pack.incident_report.form) if ctx.pack.incident_report else None
    labels = {f.id: f.label for f in form.fields} if form else {}
    short = {q: label.split(" (")[0].rstrip("?") + "?" for q, label in labels.items()}  # the question, no example
    answered = "; ".join(f"“{short.get(q, q)}” no" for q in item.get("answered_no", []))
    return f"Not referred to the {role}: {answered}"


def decides_on_incident(flow: Flow) -> bool:
    """A follow-up flow whose ends record decisions on the incident (the SEO's, the Grade 7's)."""
    return flow.follow_up and any(step.on_record for step in flow.steps)


def incident_record(ctx: Context, incident_id: str) -> list[tuple[str, str]]:
    """What a decider reads before deciding, as (label, text): the incident, the case note of the
    contact it happened in, the incident report form as the line manager completed it, and what was
    referred and decided on it so far."""
    from counter_tui.services import incident_report, records
    from counter_tui.services.record_text import local_time
    from counter_tui.store import queries

    incident = queries.incident(ctx.store.db, incident_id)
    if incident is None:
        return []
    found = [("Incident", f"{incident.id} · {incident.summary} · {local_time(ctx, incident.occurred_at, with_date=True)}"
                          f" · {incident.office}")]
    found += [(label, text) for label, text in records.finished_record(ctx, incident.contact_id) if text.strip()]
    if incident.reported_at is not None and ctx.pack.incident_report is not None:
        found += [(f"Incident report: {label}", text)
                  for label, text in incident_report.completed(ctx, incident_id) if text.strip()]
    found += [("On record", item.text) for item in on_incident(ctx, incident_id)]
    return found
