"""An abusive written communication is an incident (HMPO "Customer conduct: abusive written
communications" and "Written communications: customer continues to be abusive", step 4 after the
SEO agrees: "Record the incident").

GIVEN a caseworker who hands an abusive letter to their line manager WHEN the contact is finished
THEN an incident is opened on the written channel with its incident report form and welfare check,
the HEO's letter says what arrived ("we received your letter"), and when the SEO agrees the
letter's "Record the incident" step records that incident.
"""

from __future__ import annotations

from counter_tui.services import contacts, letter_sign_off, letters, queue, records
from counter_tui.store import queries
from tests.letters_helpers import BEA, GRACE, NIA, add_caseworker_and_heo, letter_context


def _written(ctx, *, what: str = "Letter", serious: bool = False):
    """Nia hands an abusive letter (intimidating language, or a serious threat) to her line manager."""
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name="Mr Ian Abel", reference="PEX 5555 0001")
    while not (view := contacts.view(ctx, contact_id)).step.is_final:
        if view.step.id == "abuse":
            wanted = "Threats: a very serious" if serious else "Intimidating"
            number = next(n for n, c in view.offered if c.label.startswith(wanted))
        else:
            number = view.offered[0][0]
        contacts.take_step(ctx, NIA, contact_id, number, at_step=view.step.id)
    fields = {fid: text or ("Abusive words." if required else "") for fid, _, text, required in records.draft_record(ctx, NIA, contact_id)}
    fields["what_arrived"] = what
    return contact_id, records.finish(ctx, NIA, contact_id, fields)


def test_a_written_contact_handed_on_opens_an_incident_with_its_form_and_welfare_check(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    contact_id, finished = _written(ctx)
    assert finished.incident_id is not None
    incident = queries.incident(ctx.store.db, finished.incident_id)
    assert incident.channel == "written" and incident.contact_id == contact_id
    assert incident.recorded_at is None  # recorded by the HEO once the SEO agrees (step 4)
    specs = {queue.get_task(ctx, t).spec for t in finished.task_ids}
    report = ctx.pack.incident_report
    assert {"line_manager_written", "written_warning_letter", report.task, report.welfare_task} <= specs
    assert all(queue.get_task(ctx, t).incident_id == finished.incident_id for t in finished.task_ids)


def test_the_letter_says_what_arrived_and_the_seos_agreement_records_the_incident(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    _, finished = _written(ctx, what="E-mail")
    task_id = next(t for t in finished.task_ids if queue.get_task(ctx, t).letter_id)
    draft = letters.view(ctx, BEA, task_id)
    assert "we received your e-mail." in draft.values["body"]
    assert "your." not in draft.values["body"]
    letters.submit(ctx, BEA, draft.letter.id, draft.values, version=draft.letter.version)
    letter_sign_off.approve(ctx, GRACE, draft.letter.id, version=draft.letter.version + 1)
    incident = queries.incident(ctx.store.db, finished.incident_id)
    assert incident.recorded_at is not None
    kinds = [r[0] for r in ctx.store.db.execute(
        "SELECT kind FROM events WHERE stream = ? ORDER BY seq", [f"incident:{finished.incident_id}"])]
    assert kinds[0] == "incident.opened" and "incident.recorded" in kinds


def test_a_serious_written_threat_opens_its_incident_too(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    _, finished = _written(ctx, serious=True)
    assert finished.incident_id is not None
    assert "serious_incident" in {queue.get_task(ctx, t).spec for t in finished.task_ids}
