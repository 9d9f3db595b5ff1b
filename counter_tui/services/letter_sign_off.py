"""Signing a letter off, returning it with a reason, or not agreeing to it (final, with a reason: nothing
follows), and what the sign-off sets going in the same
transaction: each step the guidance lists once the approver agrees — copies queued to be e-mailed
with the PDF attached, tasks to scan and send it, the incident recorded, the notice to the other
offices given to the role that sends it.

Four eyes are enforced here, not on a screen: only the sign-off task's role may decide, and
nobody who saved or sent the letter's text ever may (`access.require_four_eyes`).
"""

from __future__ import annotations

from counter_tui.models.letter import Letter
from counter_tui.models.staff import Actor
from counter_tui.models.task import Task
from counter_tui.policy.schema import AfterApproval
from counter_tui.services import outbox
from counter_tui.services.access import require_four_eyes, require_role
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.services.hand_off import create_task
from counter_tui.services.letters import (
    _about,
    _letter,
    _spec,
    _still_current,
    YES,
    letter_pdf,
    letter_signatory,
)
from counter_tui.store import letters as letter_store
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text


def _may_decide(ctx: Context, actor: Actor, letter: Letter, what: str) -> Task:
    """The open sign-off task, if the actor holds the approving role and did not write the letter
    (a refusal is recorded, so call this before the write transaction)."""
    spec = _spec(ctx, letter)
    require_role(ctx, actor, ctx.pack.task(spec.sign_off).role, what)
    require_four_eyes(ctx, actor, letter.editors, what)
    return _waiting(ctx, letter)


def _waiting(ctx: Context, letter: Letter) -> Task:
    """The letter's open sign-off task (Refused if it is not waiting for sign-off)."""
    spec = _spec(ctx, letter)
    if letter.status == "submitted":
        for task in letter_store.tasks_for_letter(ctx.store.db, letter.id):
            if task.spec == spec.sign_off and task.status == "open":
                return task
    raise Refused("This letter is not waiting for sign off.")


def _reason_to_decide(ctx: Context, actor: Actor, letter_id: str, reason: str, what: str) -> str:
    """Before the write: the approver may decide (a refusal is recorded), and their reason, cleaned.

    Raises:
        FieldErrors: no reason given.
        Refused: not the approving role, or the actor wrote it.
    """
    _may_decide(ctx, actor, _letter(ctx, letter_id), what)
    try:
        return clean_text(reason, max_length=2000, multiline=True, required=True)
    except TextProblem as problem:
        raise FieldErrors({"reason": str(problem)}) from None


def _close_with_reason(ctx: Context, actor: Actor, letter_id: str, why: str, *, version: int, kind: str,
                       note: str) -> tuple[Letter, dict]:
    """Inside the caller's write: the approver's decision other than agreeing (returned, not agreed)
    recorded as `kind` with their reason, and the sign-off task closed with it; returns the letter as
    it was and the event base for what the caller records next.

    Raises:
        Refused: it is not waiting for sign-off.
        LetterConflict: the letter changed since the approver read it.
    """
    db = ctx.store.db
    letter = _still_current(ctx, letter_id, version)
    sign_off = _waiting(ctx, letter)
    base = {"at": ctx.clock.now(), "actor": actor.number, "role": actor.role}
    projections.record(db, **base, kind=kind, stream=f"letter:{letter_id}", payload={"letter_id": letter_id, "reason": why})
    projections.record(db, **base, kind="task.done", stream=f"task:{sign_off.id}",
                       payload={"task_id": sign_off.id, "contact_id": None, "note": f"{note}: {why}"})
    return letter, base


def return_letter(ctx: Context, actor: Actor, letter_id: str, reason: str, *, version: int) -> Task:
    """Return the draft to whoever sent it, with the approver's reason; returns their new task.

    Raises:
        FieldErrors: no reason given.
        Refused: not the approving role, the actor wrote it, or it is not waiting for sign-off.
    """
    why = _reason_to_decide(ctx, actor, letter_id, reason, "return this letter")
    db = ctx.store.db
    with write(db):
        letter, base = _close_with_reason(ctx, actor, letter_id, why, version=version, kind="letter.returned",
                                          note="Returned")
        drafting = [t for t in letter_store.tasks_for_letter(db, letter_id)
                    if ctx.pack.task(t.spec).letter == letter.spec and t.spec != _spec(ctx, letter).sign_off]
        redraft = create_task(ctx, db, base, ctx.pack.task(drafting[-1].spec), _about(drafting[-1], letter),
                              assignee=letter.drafted_by)
    return queries.task(db, redraft)


def not_agreed(ctx: Context, actor: Actor, letter_id: str, reason: str, *, version: int) -> Letter:
    """The approver does not agree to the letter: a final state, with their reason. The sign-off task
    is closed with it, no letter goes, and none of what follows a sign-off is set going.

    Raises:
        FieldErrors: no reason given.
        Refused: not the approving role, the actor wrote it, or it is not waiting for sign-off.
        LetterConflict: the letter changed since the approver read it.
    """
    why = _reason_to_decide(ctx, actor, letter_id, reason, "not agree to this letter")
    db = ctx.store.db
    with write(db):
        _close_with_reason(ctx, actor, letter_id, why, version=version, kind="letter.not_agreed", note="Not agreed")
    return letter_store.letter(db, letter_id)


def approve(ctx: Context, actor: Actor, letter_id: str, *, version: int) -> Letter:
    """Sign the letter off and do what the guidance lists next, in one transaction: copies queued
    to be e-mailed with the PDF attached, tasks to scan and send it, the incident recorded, and the
    notice to the other offices given to the role that sends it.

    Raises:
        Refused: not the approving role, the actor wrote it, or it is not waiting for sign-off.
        LetterConflict: the letter changed since the approver read it.
    """
    letter = _letter(ctx, letter_id)
    _may_decide(ctx, actor, letter, "sign off this letter")
    now = ctx.clock.now()
    role_name = ctx.pack.role(actor.role).name if actor.role in {r.id for r in ctx.pack.roles} else actor.role
    signed = letter.model_copy(update={"status": "approved", "approved_by": actor.number,
                                       "approved_name": f"{actor.name}, {role_name}", "approved_at": now})
    pdf = letter_pdf(ctx, signed)
    db = ctx.store.db
    with write(db):
        letter = _still_current(ctx, letter_id, version)
        sign_off = _waiting(ctx, letter)
        base = {"at": now, "actor": actor.number, "role": actor.role}
        projections.record(db, **base, kind="task.done", stream=f"task:{sign_off.id}",
                           payload={"task_id": sign_off.id, "contact_id": None, "note": "Signed off."})
        actions = [_follow_up(ctx, db, base, step, letter, sign_off, pdf) for step in _spec(ctx, letter).after]
        projections.record(db, **base, kind="letter.approved", stream=f"letter:{letter_id}",
                           payload={"letter_id": letter_id, "approved_name": signed.approved_name, "actions": actions})
    return letter_store.letter(db, letter_id)


def _skipped(step: AfterApproval, letter: Letter) -> str:
    """Why a step the guidance makes conditional is not needed for this letter ('' when it is)."""
    if step.only_if == "other_office" and letter.draft.get("application_office", letter.office) == letter.office:
        return "not needed: the application was dealt with in this office"
    if step.only_if == "live_application" and letter.draft.get("live_application") != YES:
        return "not needed: there is no live application"
    return ""


def _follow_up(ctx: Context, db, base: dict, step: AfterApproval, letter: Letter, sign_off: Task, pdf: bytes) -> dict:
    """Do one step of what follows the sign-off; returns what was done, for the letter's record."""
    done = {"title": step.title, "action": step.action, "ref": ""}
    if reason := _skipped(step, letter):
        return done | {"state": reason}
    about = _about(sign_off, letter)
    if step.action == "copy":
        office = letter.draft.get("application_office", letter.office) if step.per_office else None
        done["ref"] = outbox.queue_mail(
            ctx, db, base, purpose=step.title, key=outbox.list_key(step.to, office),
            subject=f"Copy: {letter.draft.get('subject', '')}", body=copy_body(ctx, letter, step),
            letter_id=letter.id, incident_id=letter.incident_id, attachment=(f"{letter.id}-letter.pdf", pdf),
        )
        return done | {"state": "in the outbox"}
    if step.action == "record_incident":
        incident = queries.incident(db, letter.incident_id) if letter.incident_id else None
        if incident is not None and incident.recorded_at is None:
            projections.record(db, **base, kind="incident.recorded", stream=f"incident:{incident.id}",
                               payload={"incident_id": incident.id, "contact_id": incident.contact_id})
        return done | {"state": f"recorded on incident {letter.incident_id}" if incident else "no incident to record"}
    spec = ctx.pack.task(step.task)
    assignee = letter.drafted_by if spec.assign_to == "letter_drafter" else None
    done["ref"] = create_task(ctx, db, base, spec, about, assignee)
    return done | {"state": "on the queue"}


def copy_body(ctx: Context, letter: Letter, step: AfterApproval) -> str:
    """The plain-text e-mail that goes with a copy of a signed-off letter."""
    return "\n".join([
        f"{step.title}.",
        "",
        f"Letter {letter.id}: {_spec(ctx, letter).id.replace('_', ' ')}, signed off by {letter_signatory(ctx, letter)}.",
        f"Customer: {letter.customer_name or 'not named'}",
        f"Application number: {letter.reference or 'not known'}",
        f"Incident: {letter.incident_id or '-'} ({letter.office})",
        "",
        "The signed-off letter is attached as a PDF.",
        "",
        "Sent by Counter.",
    ])


def planned(ctx: Context, letter: Letter) -> list[tuple[str, str]]:
    """What the sign-off will set going, in the guidance's order: (what, '' or why it is not needed)."""
    return [(step.title, _skipped(step, letter)) for step in _spec(ctx, letter).after]
