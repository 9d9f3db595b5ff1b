"""The HMPO written route, contact to letter (issue 18 items 7 and 8, issue 21 item 3).

"You, the person dealing with the written communication, must tell your line manager ...
You (the line manager) must: be aware a customer's behaviour may be because of a mental or physical
disability ...; tell your higher executive officer (HEO), so they can reply to the customer."
"Written communications: customer continues to be abusive": the barring letter, once warned.

GIVEN a caseworker's written contact WHEN it is finished THEN only the line manager's task is handed
off; the line manager's own step creates the HEO's letter task, due at the end of the day the
communication was received. The barring route is offered only once a warning letter was signed off
AND sent. What arrived and the kind of abuse, chosen by number, fill the record.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_tui.policy import engine
from counter_tui.services import contacts, letter_sign_off, letters, queue, records
from counter_tui.services.errors import Refused
from counter_tui.store import queries
from tests.letters_helpers import BEA, GRACE, NIA, add_caseworker_and_heo, letter_context
from tests.written_helpers import LEE, add_line_manager, agree, send, tell_heo, written_contact


@pytest.fixture
def ctx(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    add_line_manager(ctx)
    return ctx


def _specs(ctx, task_ids):
    return {queue.get_task(ctx, t).spec for t in task_ids}


def test_the_caseworker_hands_off_only_the_line_managers_step(ctx):
    _, finished = written_contact(ctx)
    specs = _specs(ctx, finished.task_ids)
    assert "line_manager_written" in specs
    assert not specs & {"written_warning_letter", "written_barring_letter"}


def test_the_line_managers_step_records_awareness_and_creates_the_heos_task_due_the_day_received(ctx):
    _, finished = written_contact(ctx, received="2026-11-23")
    heo_task = tell_heo(ctx, finished)
    task = queue.get_task(ctx, heo_task)
    assert task.spec == "written_warning_letter" and task.incident_id == finished.incident_id
    local = task.due_at.astimezone(ctx.settings.zone)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-23", 23, 59)
    follow_up = queries.contact_for_task(ctx.store.db, next(
        t for t in finished.task_ids if queue.get_task(ctx, t).spec == "line_manager_written"))
    labels = [s.label for s in queries.steps(ctx.store.db, follow_up.id)]
    assert labels[0].startswith("I am aware their behaviour may be because of a mental or physical disability")
    assert labels[1].startswith("I have told the HEO")
    assert queries.contact_record(ctx.store.db, follow_up.id)["received_on"] == "2026-11-23"
    assert follow_up.staff_number == LEE.number


def test_the_line_managers_step_is_refused_to_another_role(ctx):
    _, finished = written_contact(ctx)
    task_id = next(t for t in finished.task_ids if queue.get_task(ctx, t).spec == "line_manager_written")
    with pytest.raises(Refused):
        queue.open_task(ctx, NIA, task_id)


@pytest.mark.parametrize("stage", ["drafted", "returned", "not_agreed", "agreed_not_sent"])
def test_barring_is_not_offered_after_a_warning_letter_that_was_not_signed_off_and_sent(ctx, stage):
    _, finished = written_contact(ctx)
    heo_task = tell_heo(ctx, finished)
    draft = letters.view(ctx, BEA, heo_task)
    if stage != "drafted":
        letters.submit(ctx, BEA, draft.letter.id, draft.values, version=draft.letter.version)
    if stage == "returned":
        letter_sign_off.return_letter(ctx, GRACE, draft.letter.id, "Say more.", version=draft.letter.version + 1)
    if stage == "not_agreed":
        letter_sign_off.not_agreed(ctx, GRACE, draft.letter.id, "A warning is not needed.", version=draft.letter.version + 1)
    if stage == "agreed_not_sent":
        letter_sign_off.approve(ctx, GRACE, draft.letter.id, version=draft.letter.version + 1)
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name="Mr Ian Abel", reference="PEX 5555 0001")
    for number in (1, 3):
        contacts.take_step(ctx, NIA, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    offered = [c.next for _, c in contacts.view(ctx, contact_id).offered]
    assert offered == ["warning_letter"]
    with pytest.raises(Exception):
        contacts.take_step(ctx, NIA, contact_id, 2, at_step="tell_line_manager")


def test_barring_is_offered_after_a_warning_letter_agreed_and_sent_and_the_heo_drafts_a_barring_letter(ctx):
    _, finished = written_contact(ctx)
    send(ctx, agree(ctx, tell_heo(ctx, finished)))
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name="Mr Ian Abel", reference="PEX 5555 0001")
    for number in (2, 1):
        contacts.take_step(ctx, NIA, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    assert [c.next for _, c in contacts.view(ctx, contact_id).offered] == ["barring_letter"]
    _, second = written_contact(ctx, arrived="An e-mail", route="barring_letter")
    assert queue.get_task(ctx, tell_heo(ctx, second)).spec == "written_barring_letter"


def test_what_arrived_and_the_kind_fill_the_record_and_the_letter(ctx):
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name="Mr Ian Abel", reference="PEX 5555 0001")
    for number in (2, 1):  # an e-mail; threats
        contacts.take_step(ctx, NIA, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.take_step(ctx, NIA, contact_id, 1, at_step="tell_line_manager")
    draft = {fid: text for fid, _, text, _ in records.draft_record(ctx, NIA, contact_id)}
    assert draft["what_arrived"] == "e-mail" and draft["kind"] == "Threats"
    assert draft["applied_online"] != "yes"
    fields = {k: v or "Words." for k, v in draft.items()}
    finished = records.finish(ctx, NIA, contact_id, fields)
    body = letters.view(ctx, BEA, tell_heo(ctx, finished)).values["body"]
    assert "we received your e-mail." in body


def test_a_digital_application_is_recorded_as_applied_online(ctx):
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name="Mr Ian Abel", reference="PEX 5555 0001")
    for number in (4, 2):
        contacts.take_step(ctx, NIA, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.take_step(ctx, NIA, contact_id, 1, at_step="tell_line_manager")
    draft = {fid: text for fid, _, text, _ in records.draft_record(ctx, NIA, contact_id)}
    assert draft["what_arrived"] == "digital application" and draft["applied_online"] == "yes"
    assert draft["kind"] == "Personal abuse based on a protected characteristic"


def test_no_serious_incident_choice_is_left_on_the_written_route(ctx):
    flow = ctx.pack.flow("written")
    labels = [c.label for c in flow.step("abuse").choices]
    assert labels.count("Threats") == 1 and not any("very serious" in label for label in labels)
    assert not {"tell_line_manager_serious", "serious_warning_letter", "serious_barring_letter"} & {s.id for s in flow.steps}


def test_the_barring_letter_tracks_online_only_if_they_applied_online_and_reads_the_day_received(ctx):
    _, finished = written_contact(ctx)
    send(ctx, agree(ctx, tell_heo(ctx, finished)))
    _, by_letter = written_contact(ctx, route="barring_letter", received="2026-11-24")
    letter_view = letters.view(ctx, BEA, tell_heo(ctx, by_letter))
    assert "track the progress" not in letter_view.values["body"]
    assert "On 24 November 2026 we received your letter" in letter_view.values["body"]
    assert any("not configured" in note for note in letters.merge_notes(ctx, letter_view.letter))
    _, online = written_contact(ctx, arrived="Abusive words or comments on a digital", route="barring_letter")
    body = letters.view(ctx, BEA, tell_heo(ctx, online)).values["body"]
    assert "You can track the progress of your application online." in body
    assert body.endswith("you must call the passport helpline.")


def test_the_helpline_comes_from_the_configuration(tmp_path, clock):
    from tests.letters_helpers import letter_settings

    ctx = letter_context(tmp_path / "h.db", clock, letter_settings(passport_helpline="0300 123 4567"))
    add_caseworker_and_heo(ctx)
    _, finished = written_contact(ctx)
    send(ctx, agree(ctx, tell_heo(ctx, finished)))
    _, second = written_contact(ctx, route="barring_letter")
    view = letters.view(ctx, BEA, tell_heo(ctx, second))
    assert "must call the passport helpline on 0300 123 4567." in view.values["body"]
    assert not any("not configured" in note for note in letters.merge_notes(ctx, view.letter))


@given(sent=st.sets(st.sampled_from(["written_warning", "interview_warning", "cso_barring"])),
       asked=st.sampled_from(["written_warning", "interview_warning", "cso_barring"]))
def test_letter_sent_holds_exactly_for_the_letters_sent(sent, asked):
    facts = engine.Facts(letters_sent=frozenset(sent))
    assert engine.holds(f"letter_sent:{asked}", facts) is (asked in sent)
    assert engine.holds(f"!letter_sent:{asked}", facts) is (asked not in sent)
