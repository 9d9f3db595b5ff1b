"""Deciding control measures: asking for a decision from a customer's record, and the decision
itself, by the role the pack names and never by whoever asked (four eyes).

A decision is either the pack's "no further action" with a reason, or one or more measures (a
marker, a contact restriction, a warning given), each with a reason, a start, a review date within
the pack's limit, and where the pack asks, whether and how the customer was told.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from pydantic import BaseModel, ValidationError

from counter_tui.models.customer import Customer
from counter_tui.models.incident import Incident
from counter_tui.models.measure import Measure
from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.schema import Measures, MeasureSpec
from counter_tui.services import customers, measure_conditions
from counter_tui.services.access import require_any_role, require_four_eyes, require_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.services.hand_off import About, create_task
from counter_tui.store import measures as measure_store
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import Name, NoteText, ShortText, TextProblem, clean_text


def rules(ctx: Context) -> Measures:
    """The pack's control measures (Refused where the pack has none)."""
    if ctx.pack.measures is None:
        raise Refused(f"The {ctx.pack.name} procedure sets no markers or restrictions.")
    return ctx.pack.measures


def today(ctx: Context) -> date:
    """Today in the organisation's time zone."""
    return ctx.clock.now().astimezone(ctx.settings.zone).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def start_of(ctx: Context, day: date) -> datetime:
    """The first moment of a local day, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ctx.settings.zone).astimezone(UTC)


def default_review(spec: MeasureSpec, starts: date) -> date | None:
    """The review date the decision screen offers first (the pack's default period)."""
    return add_months(starts, spec.review_months) if spec.reviewed and spec.review_months else None


def check_review(ctx: Context, spec: MeasureSpec, typed: str, starts: date) -> date | None:
    """The review date typed for `spec`, checked: after today and within the pack's limit.

    Raises:
        TextProblem: with the message to show beside the field.
    """
    text = typed.strip()
    if not spec.reviewed:
        return None
    if not text:
        found = default_review(spec, starts)
        if found is None and spec.review_required:
            raise TextProblem("A review date is needed (YYYY-MM-DD).")
        return found
    try:
        found = date.fromisoformat(text)
    except ValueError:
        raise TextProblem("Type the date as YYYY-MM-DD, for example 2027-06-30.") from None
    if found <= today(ctx):
        raise TextProblem("The review date must be after today.")
    if spec.max_review_months is not None and found > add_months(starts, spec.max_review_months):
        raise TextProblem(f"No later than {add_months(starts, spec.max_review_months).isoformat()}: the guidance "
                          f"({spec.section}) sets a review at least every {spec.max_review_months} months.")
    return found


class MeasureInput(BaseModel):
    """One measure as the decider typed it."""

    spec: str
    reason: NoteText
    review_on: str = ""
    told: ShortText = ""
    detail: NoteText = ""
    connected_person: Name = ""


@dataclass(frozen=True)
class Checked:
    spec: MeasureSpec
    typed: MeasureInput
    review_on: date | None


def check_measures(ctx: Context, typed: list[dict[str, str]], starts: date) -> list[Checked]:
    """Every measure typed, checked; FieldErrors keyed `SPEC.FIELD` so each error shows beside its field."""
    errors: dict[str, str] = {}
    found = []
    for values in typed:
        spec_id = values.get("spec", "")
        try:
            spec = rules(ctx).type(spec_id)
        except KeyError:
            errors[f"{spec_id}.spec"] = "Not a measure of this procedure."
            continue
        try:
            item = MeasureInput(**values)
        except ValidationError as error:
            errors.update({f"{spec_id}.{k}": v for k, v in FieldErrors.from_validation(error).errors.items()})
            continue
        if not item.reason:
            errors[f"{spec_id}.reason"] = "Give the reason for this measure."
        if spec.ask_told and not item.told:
            errors[f"{spec_id}.told"] = "Say how the customer was told, or why telling them would put staff at risk."
        try:
            review_on = check_review(ctx, spec, item.review_on, starts)
        except TextProblem as problem:
            errors[f"{spec_id}.review_on"] = str(problem)
            continue
        found.append(Checked(spec, item, review_on))
    if errors:
        raise FieldErrors(errors)
    return found


@dataclass(frozen=True)
class Request:
    """A decision to make: the task, whom it is about, who asked and why, and what is known."""

    task: Task
    customer: Customer | None
    """None while the incident's customer is not known (link it in the register first)."""
    proposers: list[str]
    reason: str
    incident: Incident | None
    report_complete: bool
    live: list[Measure]
    record: list[tuple[str, str]]
    """The record of the contact that asked for the decision (the caseworker's instance, the
    third-party referral), as (label, text), or [] for a request made from the customer's record."""
    types: list[MeasureSpec]
    """The measures the pack's deciding role may set, in the pack's order."""


def _proposers_and_customer(ctx: Context, task: Task) -> tuple[list[str], str | None, str]:
    """Who asked (none of them may decide), whom it is about, and why. For a decision a contact asked
    for, everyone who took part in asking counts: who started the contact, took any of its steps or
    finished its record, and who completed the incident's report form (four eyes)."""
    db = ctx.store.db
    asked = measure_store.request(db, task.id)
    if asked is not None:
        return [asked["proposed_by"]], asked["customer_id"], asked["reason"]
    contact = queries.contact(db, task.contact_id) if task.contact_id else None
    if contact is None:
        return [], None, ""
    people = [contact.staff_number, *(step.actor for step in queries.steps(db, contact.id))]
    finished = db.execute("SELECT actor FROM events WHERE stream = ? AND kind = 'contact.finished'",
                          [f"contact:{contact.id}"]).fetchone()
    if finished:
        people.append(finished[0])
    incident = queries.incident(db, task.incident_id) if task.incident_id else None
    if incident is not None and incident.reported_by:
        people.append(incident.reported_by)
    return list(dict.fromkeys(people)), contact.customer_id, contact.note


def request(ctx: Context, actor: Actor, task_id: str) -> Request:
    """The decision `task_id` asks for, for its role only (a refusal is recorded)."""
    task = queries.task(ctx.store.db, task_id)
    if task is None or task.spec != rules(ctx).decide_task:
        raise NotFound(f"No decision on control measures {task_id}.")
    require_role(ctx, actor, task.role, f"decide on control measures ({task.title!r})")
    proposers, customer_id, reason = _proposers_and_customer(ctx, task)
    customer = customers.get(ctx, customer_id) if customer_id else None
    incident = queries.incident(ctx.store.db, task.incident_id) if task.incident_id else None
    live = measure_store.for_customer(ctx.store.db, customer_id, live_only=True) if customer_id else []
    from counter_tui.services.records import finished_record

    record = finished_record(ctx, task.contact_id) if task.contact_id else []
    return Request(task=task, customer=customer, proposers=proposers, reason=reason, incident=incident,
                   report_complete=bool(incident and incident.reported_at), live=live, record=record,
                   types=[t for t in rules(ctx).types if task.role in t.decided_by])


def propose(ctx: Context, actor: Actor, customer_id: str, reason: str) -> str:
    """Ask the deciding role for a decision about a customer (persistent contact, say); returns the task id."""
    measures = rules(ctx)
    require_any_role(ctx, actor, measures.proposed_by, "ask for a decision on control measures")
    try:
        text = clean_text(reason, max_length=20_000, multiline=True, required=True)
    except TextProblem as problem:
        raise FieldErrors({"reason": str(problem)}) from None
    customer = customers.get(ctx, customer_id)
    spec = ctx.pack.task(measures.decide_task)
    db = ctx.store.db
    with write(db):
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        task_id = create_task(ctx, db, base, spec, About(office=actor.office, customer_name=customer.name,
                                                           reference=customer.reference))
        projections.record(db, **base, kind="measure.requested", stream=f"task:{task_id}",
                           payload={"task_id": task_id, "customer_id": customer.id, "reason": text})
    return task_id


def decide(ctx: Context, actor: Actor, task_id: str, *, measures: list[dict[str, str]] | None = None,
           no_further_action: str | None = None, before: dict | None = None) -> list[str]:
    """Decide: set `measures` (each a dict of MeasureInput's fields) or record no further action with
    its reason; `before` is what the pack asks before a decision (measure_conditions.Before's fields).
    Returns the ids of the measures set.

    Raises:
        Refused: the wrong role, a proposer deciding, the task done already, or the customer not known.
        FieldErrors: a field to correct, keyed `SPEC.FIELD` (or `no_further_action`, `form`, `before.FIELD`).
    """
    asked = request(ctx, actor, task_id)
    require_four_eyes(ctx, actor, asked.proposers, "decide on control measures you asked for")
    if bool(measures) == (no_further_action is not None):
        raise FieldErrors({"form": "Choose the measures to set, or no further action with its reason."})
    starts = today(ctx)
    checked = check_measures(ctx, measures or [], starts)
    for item in checked:
        require_any_role(ctx, actor, item.spec.decided_by, f"set the measure {item.spec.name!r}")
    if checked and asked.customer is None:
        raise Refused("The customer of this incident is not known yet: link the incident to a customer in the "
                      "register first (c on the start screen).")
    restricting = any(item.spec.kind == "restriction" for item in checked)
    conditions = measure_conditions.check(ctx, asked.task, before, restricting=restricting, today=starts)
    reason = ""
    if no_further_action is not None:
        try:
            reason = clean_text(no_further_action, max_length=20_000, multiline=True, required=True)
        except TextProblem as problem:
            raise FieldErrors({"no_further_action": str(problem)}) from None
    db = ctx.store.db
    set_ids = []
    with write(db):
        current = queries.task(db, task_id)
        if current is None or current.status != "open":
            raise Refused("This decision has already been made.")
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        for item in checked:
            measure_id = projections.next_id(db, "measure", "M")
            set_ids.append(measure_id)
            projections.record(db, **base, kind="measure.set", stream=f"customer:{asked.customer.id}", payload={
                "measure_id": measure_id, "customer_id": asked.customer.id, "office": asked.task.office,
                "pack": ctx.pack.id, "spec": item.spec.id, "kind": item.spec.kind, "reason": item.typed.reason,
                "detail": item.typed.detail, "told": item.typed.told, "connected_person": item.typed.connected_person,
                "starts_on": starts.isoformat(), "review_on": item.review_on.isoformat() if item.review_on else None,
                "incident_id": asked.task.incident_id, "task_id": task_id, "proposers": asked.proposers,
            })
        about = About(office=asked.task.office, customer_name=asked.customer.name if asked.customer else "",
                      reference=asked.customer.reference if asked.customer else "", incident_id=asked.task.incident_id,
                      contact_id=asked.task.contact_id)
        for then in dict.fromkeys(t for item in checked for t in item.spec.then):
            create_task(ctx, db, base, ctx.pack.task(then), about)
        outcome = "measures" if checked else "no_further_action"
        projections.record(db, **base, kind="measure.decided", stream=f"task:{task_id}",
                           payload={"task_id": task_id, "outcome": outcome, "reason": reason, "measure_ids": set_ids,
                                    **({"before": conditions} if conditions else {})})
        note = (rules(ctx).no_further_action + ": " + reason) if not checked else \
            "Set: " + ", ".join(f"{i} {c.spec.name}" for i, c in zip(set_ids, checked, strict=True))
        projections.record(db, **base, kind="task.done", stream=f"task:{task_id}",
                           payload={"task_id": task_id, "note": note, "contact_id": None})
    return set_ids
