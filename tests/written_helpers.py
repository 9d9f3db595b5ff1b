"""Shared steps of the HMPO written route: the caseworker's contact (what arrived and the kind of
abuse chosen by number), the line manager's step that tells the HEO, and the warning letter signed
off and sent, so a later contact may offer the barring letter."""

from __future__ import annotations

from counter_tui.models.staff import Actor
from counter_tui.services import contacts, letter_sign_off, letters, queue, records, staff
from counter_tui.services.context import Context
from tests.letters_helpers import BEA, GRACE, MAIN, NIA

LEE = Actor(number="2101", name="Lee Shaw", role="line_manager", office=MAIN)


def add_line_manager(ctx: Context) -> None:
    if staff_exists(ctx, LEE.number):
        return
    staff.add_staff(ctx, number=LEE.number, name=LEE.name, role=LEE.role, office=LEE.office, pin="212427")


def staff_exists(ctx: Context, number: str) -> bool:
    return ctx.store.db.execute("SELECT 1 FROM staff WHERE number = ?", [number]).fetchone() is not None


def written_contact(ctx: Context, *, arrived: str = "A letter", kind: str = "Intimidating", received: str | None = None,
                    name: str = "Mr Ian Abel", reference: str = "PEX 5555 0001", route: str | None = None):
    """The caseworker's contact to its end; returns (contact id, Finished)."""
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name=name, reference=reference)
    for wanted in (arrived, kind):
        view = contacts.view(ctx, contact_id)
        contacts.take_step(ctx, NIA, contact_id, next(n for n, c in view.offered if c.label.startswith(wanted)),
                           at_step=view.step.id)
    view = contacts.view(ctx, contact_id)
    number = view.offered[0][0] if route is None else next(n for n, c in view.offered if c.next == route)
    contacts.take_step(ctx, NIA, contact_id, number, at_step=view.step.id)
    fields = {fid: text or ("Abusive words." if required else "") for fid, _, text, required in records.draft_record(ctx, NIA, contact_id)}
    if received is not None:
        fields["received_on"] = received
    return contact_id, records.finish(ctx, NIA, contact_id, fields)


def tell_heo(ctx: Context, finished) -> str:
    """The line manager's step from their task; returns the HEO's letter task id."""
    add_line_manager(ctx)
    task_id = next(t for t in finished.task_ids if queue.get_task(ctx, t).spec == "line_manager_written")
    contact_id = queue.open_task(ctx, LEE, task_id)
    while not (view := contacts.view(ctx, contact_id)).step.is_final:
        contacts.take_step(ctx, LEE, contact_id, view.offered[0][0], at_step=view.step.id)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, LEE, contact_id)}
    done = records.finish(ctx, LEE, contact_id, fields)
    return next(t for t in done.task_ids if queue.get_task(ctx, t).letter_id)


def agree(ctx: Context, heo_task: str) -> str:
    """The HEO sends the draft, the SEO signs it off; returns the letter id."""
    draft = letters.view(ctx, BEA, heo_task)
    letters.submit(ctx, BEA, draft.letter.id, draft.values, version=draft.letter.version)
    letter_sign_off.approve(ctx, GRACE, draft.letter.id, version=draft.letter.version + 1)
    return draft.letter.id


def send(ctx: Context, letter_id: str) -> None:
    """The HEO marks the signed-off letter sent to the customer."""
    from counter_tui.store import letters as letter_store

    task = next(t for t in letter_store.tasks_for_letter(ctx.store.db, letter_id) if t.spec == "send_written_letter")
    queue.complete_task(ctx, BEA, task.id, "Posted.")
