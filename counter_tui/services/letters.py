"""Letters (HMPO's warning and barring letters, DWP's CMEL9271): drafted on the day from their
template, signed off by another officer who holds the approving role, then followed up as the
guidance lists — copies e-mailed, tasks to scan and send it, the incident recorded, the other
offices told.

This module reads letters, drafts them and prints them; signing off and what follows is
`letter_sign_off`, the notice to the other offices `letter_notice`, letters on a customer's record
`letter_record`. Drafts are versioned like the incident report form: a stale save is a conflict,
never an overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from counter_tui.models.letter import Letter, OutboxMessage
from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.letter_templates import LetterTemplate, body, load_template, subject, suggestion_text
from counter_tui.policy.schema import CHANNEL_NAMES, Channel, LetterSpec
from counter_tui.services import outbox, queue
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.services.hand_off import About, create_task
from counter_tui.store import events, letters as letter_store
from counter_tui.store import projections, queries, staff
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text

YES, NO = "yes", "no"
FIELDS = ("subject", "body", "application_office", "live_application")
"""What the drafter edits: the letter's subject and text, and the two facts its follow-up depends on."""

Mode = Literal["decide", "draft", "sign_off", "read"]


class LetterConflict(Exception):
    """Someone saved the letter since this copy was read; their text is `current`."""

    def __init__(self, current: dict[str, str], version: int, by: str) -> None:
        self.current, self.version, self.by = current, version, by
        super().__init__(f"The letter was saved by {by} since you opened it; nothing was overwritten.")


@dataclass(frozen=True)
class LetterView:
    """A letter as the task at hand shows it."""

    letter: Letter
    spec: LetterSpec
    template: LetterTemplate
    task: Task
    mode: Mode
    """`decide` (the drafter decides whether to write it), `draft` (the drafter edits and sends it),
    `sign_off` (the approver agrees, returns it or does not agree), `read`."""
    values: dict[str, str]
    approver_role: str
    """The role that signs it off, by name."""
    drafted_by: str
    """Who sent it for sign-off, by name ('' before)."""
    closed_by: str
    """Who ended it without a letter (not agreed, or decided not to write it), by name ('' otherwise)."""
    messages: list[OutboxMessage]


# -- reading ---------------------------------------------------------------------------------------
def _letter(ctx: Context, letter_id: str) -> Letter:
    found = letter_store.letter(ctx.store.db, letter_id)
    if found is None:
        raise NotFound(f"No letter {letter_id}.")
    return found


def _spec(ctx: Context, letter: Letter) -> LetterSpec:
    return ctx.pack.letter(letter.spec)


def _mode(ctx: Context, task: Task, letter: Letter, spec: LetterSpec) -> Mode:
    if task.status != "open":
        return "read"
    if task.spec == spec.sign_off:
        return "sign_off" if letter.status == "submitted" else "read"
    if ctx.pack.task(task.spec).letter == letter.spec and letter.status in ("drafting", "returned"):
        return "draft"
    if ctx.pack.task(task.spec).letter == letter.spec and letter.status == "deciding":
        return "decide"
    return "read"


def merge_fields(ctx: Context, letter: Letter, application_office: str = "") -> dict[str, str]:
    """The merge fields of a letter's template, from the incident, the customer and configuration."""
    db = ctx.store.db
    incident = queries.incident(db, letter.incident_id) if letter.incident_id else None
    occurred = (incident.occurred_at if incident else letter.created_at).astimezone(ctx.settings.zone)
    channel = incident.channel if incident else ""
    record = _incident_record(db, incident)
    day = _received(record.get("received_on", "")) or occurred  # a written communication: the day it was received
    return {
        "customer_name": letter.customer_name, "reference": letter.reference,
        "incident_date": f"{day.day} {day:%B %Y}",
        "channel": _what_arrived(db, incident) or (CHANNEL_NAMES[Channel(channel)].lower() if channel in set(Channel) else ""),
        "office": letter.office, "application_office": application_office or letter.office,
        "organisation": ctx.settings.letterhead.name or ctx.settings.organisation,
        "applied_online": "yes" if record.get("applied_online") == YES else "",
        "passport_helpline": ctx.settings.passport_helpline.strip(),
    }


def _received(text: str):
    """The day typed as YYYY-MM-DD, or None."""
    from datetime import date

    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _incident_record(db, incident) -> dict[str, str]:
    """The record of the contact that opened the incident ({} without one)."""
    if incident is None or not incident.contact_id:
        return {}
    return queries.contact_record(db, incident.contact_id)


def _what_arrived(db, incident) -> str:
    """What a written incident's contact recorded as arriving ("letter", "e-mail"...), as a letter reads
    it after "we received your"; empty for other channels."""
    if incident is None or incident.channel != Channel.written.value or not incident.contact_id:
        return ""
    what = queries.contact_record(db, incident.contact_id).get("what_arrived", "").strip()
    return what if what[1:2].isupper() else what[:1].lower() + what[1:]  # "PDF form" stays, "Letter" reads "letter"


def merge_notes(ctx: Context, letter: Letter) -> list[str]:
    """What the drafter should know about the merge: a setting the letter needs that is not
    configured (the passport helpline's number), and which conditional paragraphs apply and why."""
    template = load_template(_spec(ctx, letter).template)
    texts = [p if isinstance(p, str) else p.text for p in template.paragraphs]
    conditions = {p.only_if.removeprefix("!") for p in template.paragraphs if not isinstance(p, str)}
    notes = []
    if any("passport_helpline" in text for text in texts) and not ctx.settings.passport_helpline.strip():
        notes.append("The passport helpline's number is not configured (passport_helpline): the letter says to "
                     "call the passport helpline without a number.")
    if "applied_online" in conditions:
        online = merge_fields(ctx, letter)["applied_online"] == "yes"
        notes.append("The written record says they applied online: the letter says they can track their application online."
                     if online else "The written record does not say they applied online: the paragraph on tracking "
                     "their application online is left out.")
    return notes


def prefilled(ctx: Context, letter: Letter) -> dict[str, str]:
    """The letter's first text: its template merged, the application office its own, a live
    application assumed where there is an application reference."""
    template = load_template(_spec(ctx, letter).template)
    fields = merge_fields(ctx, letter)
    return {
        "subject": subject(template, fields), "body": body(template, fields),
        "application_office": letter.office, "live_application": YES if letter.reference.strip() else NO,
    }


def view(ctx: Context, actor: Actor, task_id: str) -> LetterView:
    """The letter behind a task, for whoever holds the task.

    Raises:
        Refused: the actor does not hold the task (recorded).
        NotFound: no such task, or it follows no letter.
    """
    task = queue.get_task(ctx, task_id)
    queue.require_task_role(ctx, actor, task)
    if task.letter_id is None:
        raise NotFound(f"Task {task_id} follows no letter.")
    letter = _letter(ctx, task.letter_id)
    spec = _spec(ctx, letter)
    values = {**prefilled(ctx, letter), **letter.draft} if letter.draft else prefilled(ctx, letter)
    drafted_by = staff.name_of(ctx.store.db, letter.drafted_by) if letter.drafted_by else ""
    return LetterView(
        letter=letter, spec=spec, template=load_template(spec.template), task=task, mode=_mode(ctx, task, letter, spec),
        values=values, approver_role=ctx.pack.role(ctx.pack.task(spec.sign_off).role).name,
        drafted_by=drafted_by or "", messages=outbox.messages(ctx, letter_id=letter.id),
        closed_by=(staff.name_of(ctx.store.db, letter.closed_by) or "") if letter.closed_by else "",
    )


def suggestion(ctx: Context, letter_id: str, index: int) -> str:
    """One of the template's suggested texts (CMEL9271), merged for this letter."""
    letter = _letter(ctx, letter_id)
    template = load_template(_spec(ctx, letter).template)
    return suggestion_text(template, index, merge_fields(ctx, letter))


def letters_for_incident(ctx: Context, incident_id: str) -> list[Letter]:
    return letter_store.letters_for_incident(ctx.store.db, incident_id)


# -- drafting ---------------------------------------------------------------------------------------
def _clean(ctx: Context, values: dict[str, str], *, complete: bool) -> dict[str, str]:
    """Check what was typed: on sending, every field; on a draft, keep what can be kept."""
    cleaned, errors = {}, {}
    limits = {"subject": (200, False), "body": (20_000, True)}
    for field, (limit, multiline) in limits.items():
        try:
            cleaned[field] = clean_text(values.get(field, ""), max_length=limit, multiline=multiline, required=complete)
        except TextProblem as problem:
            errors[field] = str(problem)
    office = values.get("application_office", "")
    if office in ctx.settings.offices:
        cleaned["application_office"] = office
    else:
        errors["application_office"] = "Choose one of the offices in the configuration."
    cleaned["live_application"] = YES if values.get("live_application") == YES else NO
    if errors and complete:
        raise FieldErrors(errors)
    return cleaned


def _drafting_task(ctx: Context, letter: Letter) -> Task | None:
    """The open task that drafts (or redrafts) the letter."""
    for task in letter_store.tasks_for_letter(ctx.store.db, letter.id):
        if task.status == "open" and ctx.pack.task(task.spec).letter == letter.spec and task.spec != _spec(ctx, letter).sign_off:
            return task
    return None


def _may_draft(ctx: Context, actor: Actor, letter: Letter) -> Task:
    task = _drafting_task(ctx, letter)
    if letter.status == "deciding":
        raise Refused("Decide first whether to write this letter.")
    if task is None or letter.status not in ("drafting", "returned"):
        raise Refused("This letter was sent for sign off: it can be changed only if it is returned.")
    queue.require_task_role(ctx, actor, task)
    return task


def _still_current(ctx: Context, letter_id: str, version: int) -> Letter:
    """Inside a write: the letter, if `version` is still its newest (else a conflict naming who saved)."""
    db = ctx.store.db
    letter = letter_store.letter(db, letter_id)
    if letter.version != version:
        saves = [e for e in events.for_stream(db, f"letter:{letter_id}") if e.kind in ("letter.drafted", "letter.submitted")]
        who = staff.name_of(db, saves[-1].actor) if saves else None
        raise LetterConflict(letter.draft, letter.version, who or "another officer")
    return letter


def save_draft(ctx: Context, actor: Actor, letter_id: str, values: dict[str, str], *, version: int) -> int:
    """Keep the letter as typed so far; returns the new version.

    Raises:
        LetterConflict: someone saved a newer version; nothing is overwritten.
        Refused: the actor may not draft it, or it is with the approver.
    """
    letter = _letter(ctx, letter_id)
    _may_draft(ctx, actor, letter)
    cleaned = _clean(ctx, values, complete=False)
    db = ctx.store.db
    with write(db):
        letter = _still_current(ctx, letter_id, version)
        if cleaned == letter.draft:
            return version
        projections.record(db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="letter.drafted",
                           stream=f"letter:{letter_id}", payload={"letter_id": letter_id, "draft": cleaned, "version": version + 1})
    return version + 1


def submit(ctx: Context, actor: Actor, letter_id: str, values: dict[str, str], *, version: int) -> Task:
    """Send the draft for sign-off: the drafting task is done and the approver's task is queued.

    Returns:
        The sign-off task.

    Raises:
        FieldErrors: a field is empty or cannot be accepted (shown beside it).
        LetterConflict: someone saved a newer version.
        Refused: the actor may not draft it, or it is already with the approver.
    """
    letter = _letter(ctx, letter_id)
    task = _may_draft(ctx, actor, letter)
    cleaned = _clean(ctx, values, complete=True)
    spec = _spec(ctx, letter)
    db = ctx.store.db
    with write(db):
        letter = _still_current(ctx, letter_id, version)
        if letter.status not in ("drafting", "returned"):
            raise Refused("This letter was already sent for sign off.")
        base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
        projections.record(db, **base, kind="letter.submitted", stream=f"letter:{letter_id}",
                           payload={"letter_id": letter_id, "draft": cleaned, "version": version + 1})
        projections.record(db, **base, kind="task.done", stream=f"task:{task.id}",
                           payload={"task_id": task.id, "contact_id": None, "note": "Letter sent for sign off."})
        sign_off = create_task(ctx, db, base, ctx.pack.task(spec.sign_off), _about(task, letter))
    return queries.task(db, sign_off)


def _about(task: Task, letter: Letter) -> About:
    return About(office=letter.office, customer_name=letter.customer_name, reference=letter.reference,
                 channel=task.channel, contact_id=letter.contact_id, incident_id=letter.incident_id, letter_id=letter.id)


def letter_signatory(ctx: Context, letter: Letter) -> str:
    return letter.approved_name or "the approving officer"


# -- printing ---------------------------------------------------------------------------------------
def printable(ctx: Context, letter: Letter):
    """The letter as a `printing.letter.Letter`: the letterhead from configuration, the text as
    signed off (or as drafted, marked DRAFT), the approver's name and date."""
    from counter_tui.printing.letter import Letter as PrintedLetter
    from counter_tui.services.record_text import local_time

    values = {**prefilled(ctx, letter), **letter.draft}
    head = ctx.settings.letterhead
    approved = letter.status == "approved" and letter.approved_at is not None
    day = (letter.approved_at if approved else ctx.clock.now()).astimezone(ctx.settings.zone)
    return PrintedLetter(
        organisation=head.name or ctx.settings.organisation, address=list(head.address),
        reference=" · ".join(x for x in (letter.id, letter.incident_id) if x), their_reference=letter.reference,
        date=f"{day.day} {day:%B %Y}", customer_name=letter.customer_name, subject=values["subject"],
        body=values["body"], signatory=list(head.signatory),
        approved_by=letter.approved_name or "" if approved else "",
        approved_on=f"{day.day} {day:%B %Y}" if approved else "",
        status="" if approved else "DRAFT: not signed off",
        printed_at=local_time(ctx, ctx.clock.now(), with_date=True),
    )


def letter_pdf(ctx: Context, letter: Letter) -> bytes:
    """The letter's PDF bytes."""
    from counter_tui.printing.letter import render_letter

    return render_letter(printable(ctx, letter))


def opens_letter(ctx: Context, task: Task) -> bool:
    """Whether a task is the letter's own (drafting or signing it off) rather than a follow-up."""
    if task.letter_id is None:
        return False
    spec = ctx.pack.task(task.spec)
    return spec.letter is not None or any(letter.sign_off == spec.id for letter in ctx.pack.letters)

