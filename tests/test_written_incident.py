"""An abusive written communication is an incident (HMPO "Customer conduct: abusive written
communications" and "Written communications: customer continues to be abusive", step 4 after the
SEO agrees: "Record the incident").

GIVEN a caseworker who hands an abusive letter to their line manager WHEN the contact is finished
THEN an incident is opened on the written channel with its incident report form and welfare check,
the HEO's letter says what arrived ("we received your letter"), and when the SEO agrees the
letter's "Record the incident" step records that incident.
"""

from __future__ import annotations

from counter_tui.services import letter_sign_off, letters, queue
from counter_tui.store import queries
from tests.letters_helpers import BEA, GRACE, add_caseworker_and_heo, letter_context
from tests.written_helpers import tell_heo, written_contact


def test_a_written_contact_handed_on_opens_an_incident_with_its_form_and_welfare_check(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    contact_id, finished = written_contact(ctx)
    assert finished.incident_id is not None
    incident = queries.incident(ctx.store.db, finished.incident_id)
    assert incident.channel == "written" and incident.contact_id == contact_id
    assert incident.recorded_at is None  # recorded by the HEO once the SEO agrees (step 4)
    specs = {queue.get_task(ctx, t).spec for t in finished.task_ids}
    report = ctx.pack.incident_report
    assert {"line_manager_written", report.task, report.welfare_task} <= specs
    assert all(queue.get_task(ctx, t).incident_id == finished.incident_id for t in finished.task_ids)
    heo_task = tell_heo(ctx, finished)  # the line manager tells the HEO: the letter is for the same incident
    assert queue.get_task(ctx, heo_task).incident_id == finished.incident_id


def test_the_letter_says_what_arrived_and_the_seos_agreement_records_the_incident(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    _, finished = written_contact(ctx, arrived="An e-mail")
    draft = letters.view(ctx, BEA, tell_heo(ctx, finished))
    assert "we received your e-mail." in draft.values["body"]
    assert "your." not in draft.values["body"]
    letters.submit(ctx, BEA, draft.letter.id, draft.values, version=draft.letter.version)
    letter_sign_off.approve(ctx, GRACE, draft.letter.id, version=draft.letter.version + 1)
    incident = queries.incident(ctx.store.db, finished.incident_id)
    assert incident.recorded_at is not None
    kinds = [r[0] for r in ctx.store.db.execute(
        "SELECT kind FROM events WHERE stream = ? ORDER BY seq", [f"incident:{finished.incident_id}"])]
    assert kinds[0] == "incident.opened" and "incident.recorded" in kinds


def test_a_written_threat_opens_its_incident_too(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    _, finished = written_contact(ctx, kind="Threats")
    assert finished.incident_id is not None
