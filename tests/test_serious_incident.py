"""Serious incidents and the police (HMPO "How to deal with serious incidents", issue 18 item 3).

"You must refer cases to a senior executive officer (SEO) if both of the following apply: an
incident is very serious ...; you know the customer's identity ... You, the SEO, must: 1. Consider
if the incident is serious enough to make the police aware of the incident. 2. Tell your Grade 7
manager about the incident (if you agree the police should be made aware of the incident). You, the
Grade 7 manager, may consider informing the police about the incident, in line with current guidance."

GIVEN an incident whose line manager completes the incident report form, WHEN both questions are
answered yes THEN the SEO's task is created for that incident (either no: none, and the record says
so; unanswered: refused beside the field); WHEN the SEO decides, with a reason, THEN the Grade 7
manager's task follows only if the police should be made aware; WHEN the Grade 7 manager informs
the police (the date, a reason) or not THEN the customer's record shows it. Only the SEO takes the
SEO's decision and only the Grade 7 manager the Grade 7's: anyone else is refused, the refusal
recorded and nothing else changed. The HEO's "consider if the case must be referred to the police"
after a written warning or barring letter leads into the same route.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_tui.models.staff import Actor
from counter_tui.services import contacts, incident_report, letter_sign_off, letters, queue, records, referrals, register, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import queries
from tests.conftest import make_context
from tests.test_step_roles import assert_only_refusal_recorded, table_rows

SEO = Actor(number="6001", name="Grace Adeyemi", role="seo", office="Main office")
GRADE7 = Actor(number="6002", name="Marcus Hale", role="grade7", office="Main office")
PINS = {SEO.number: "678927", GRADE7.number: "679027"}
SERIOUS = {"very_serious": "yes", "identity_known": "yes"}


def serious_context(tmp_path, clock) -> Context:
    ctx = make_context(tmp_path / "c.db", clock)
    for actor in (SEO, GRADE7):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office,
                        pin=PINS[actor.number])
    return ctx


def threatening_call(ctx, handler) -> str:
    """A caller threatening violence, refused at once (key 0); returns the incident report task's id."""
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Mr Gareth Rowe",
                                        reference="PEX 4411 2093", query="Where is my passport")
    contacts.take_step(ctx, handler, contact_id, 0, at_step="warn")
    contacts.save_note(ctx, handler, contact_id, "Said he would come to the office and hurt me.", version=0)
    fields = {fid: text or ("Recorded." if required else "") for fid, _, text, required in records.draft_record(ctx, handler, contact_id)}
    finished = records.finish(ctx, handler, contact_id, fields)
    specs = {queue.get_task(ctx, t).spec: t for t in finished.task_ids}
    assert "serious_incident" not in specs, "the front line refers nothing: the line manager answers the questions"
    return specs["incident_report"]


def complete_report(ctx, manager, task_id, answers: dict[str, str]):
    values = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | answers
    return incident_report.complete(ctx, manager, task_id, values, version=0)


def seo_task(ctx, incident_id):
    return [t for t in queue.all_open(ctx, spec="serious_incident").items if t.task.incident_id == incident_id]


def decide(ctx, actor, task_id, label: str, record: dict[str, str]) -> records.Finished:
    """Open the task's flow, take the choice starting `label`, and finish with `record`."""
    contact_id = queue.open_task(ctx, actor, task_id)
    view = contacts.view(ctx, contact_id)
    number = next(n for n, c in view.offered if c.label.startswith(label))
    contacts.take_step(ctx, actor, contact_id, number, at_step=view.step.id)
    return records.finish(ctx, actor, contact_id, record)


def referred_to_seo(ctx, handler, manager) -> tuple[str, str]:
    incident = complete_report(ctx, manager, threatening_call(ctx, handler), SERIOUS)
    return incident.id, seo_task(ctx, incident.id)[0].task.id


# --- the line manager's two questions -------------------------------------------------------------


def test_both_yes_refers_the_incident_to_the_seo(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    incident = complete_report(ctx, manager, threatening_call(ctx, handler), SERIOUS)
    [item] = seo_task(ctx, incident.id)
    assert item.task.role == "seo" and item.task.flow == "serious_incident"
    assert item.task.customer_name == "Mr Gareth Rowe"
    [line] = referrals.on_incident(ctx, incident.id)
    assert line.text == f"Referred to the Senior executive officer (SEO): Consider making the police aware of a serious incident ({item.task.id})"
    reported = ctx.store.db.execute("SELECT payload FROM events WHERE kind = 'incident.reported'").fetchone()[0]
    assert json.loads(reported)["referrals"] == [{"task": "serious_incident", "task_id": item.task.id, "answered_no": []}]


@settings(max_examples=3, deadline=None)
@given(answers=st.sampled_from([("yes", "no"), ("no", "yes"), ("no", "no")]))
def test_either_no_refers_nothing_and_the_record_says_so(tmp_path_factory, answers):
    from counter_tui.clock import FixedClock
    from tests.conftest import START

    ctx = serious_context(tmp_path_factory.mktemp("no"), FixedClock(START, tick=timedelta(seconds=1)))
    handler = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
    manager = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
    serious, known = answers
    incident = complete_report(ctx, manager, threatening_call(ctx, handler),
                               {"very_serious": serious, "identity_known": known})
    assert seo_task(ctx, incident.id) == []
    [line] = referrals.on_incident(ctx, incident.id)
    assert line.text.startswith("Not referred to the Senior executive officer (SEO): ")
    assert ("“Is the incident very serious?” no" in line.text) == (serious == "no")
    assert ("“Do you know the customer's identity?” no" in line.text) == (known == "no")
    assert incident.report["very_serious"] == serious and incident.report["identity_known"] == known


def test_unanswered_is_refused_beside_each_question_and_never_taken_as_no(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    task_id = threatening_call(ctx, handler)
    draft = {f.id: f for f in incident_report.draft(ctx, manager, task_id).fields}
    assert draft["very_serious"].text == "" and draft["identity_known"].text == ""
    values = {f.id: f.text for f in draft.values()}
    assert incident_report.save_draft(ctx, manager, task_id, values, version=0) == 1
    assert queries.incident(ctx.store.db, queries.task(ctx.store.db, task_id).incident_id).report["very_serious"] == ""
    with pytest.raises(FieldErrors) as problem:
        incident_report.complete(ctx, manager, task_id, values | {"identity_known": "yes"}, version=1)
    assert problem.value.errors == {"very_serious": "Answer yes or no."}
    assert queries.task(ctx.store.db, task_id).status == "open"
    with pytest.raises(FieldErrors):
        incident_report.complete(ctx, manager, task_id, values | {"very_serious": "maybe", "identity_known": "yes"},
                                 version=1)


# --- the SEO's decision ---------------------------------------------------------------------------


def test_the_seo_agreeing_the_police_should_be_aware_tells_the_grade7(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    incident_id, task_id = referred_to_seo(ctx, handler, manager)
    finished = decide(ctx, SEO, task_id, "Serious enough", {"reason": "He named the office and a time."})
    [grade7] = [queue.get_task(ctx, t) for t in finished.task_ids]
    assert (grade7.spec, grade7.role, grade7.incident_id, grade7.flow) == ("police_decision", "grade7", incident_id,
                                                                           "police_decision")
    assert queries.task(ctx.store.db, task_id).status == "done"
    assert referrals.on_incident(ctx, incident_id)[-1].text == (
        "The SEO (Grace Adeyemi) agreed the police should be made aware and told the Grade 7 manager: "
        "He named the office and a time.")


def test_the_seo_not_serious_enough_creates_no_grade7_task_and_keeps_the_reason(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    incident_id, task_id = referred_to_seo(ctx, handler, manager)
    with pytest.raises(FieldErrors) as problem:
        decide(ctx, SEO, task_id, "Not serious enough", {"reason": " "})
    assert set(problem.value.errors) == {"reason"}
    contact_id = queries.contact_for_task(ctx.store.db, task_id).id
    finished = records.finish(ctx, SEO, contact_id, {"reason": "A single remark, withdrawn at once."})
    assert finished.task_ids == [] and queue.all_open(ctx, spec="police_decision").items == []
    assert referrals.on_incident(ctx, incident_id)[-1].text == (
        "The SEO (Grace Adeyemi) considered it not serious enough to make the police aware: A single remark, withdrawn at once.")


def test_the_seos_task_shows_the_incident_as_recorded(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    incident_id, _ = referred_to_seo(ctx, handler, manager)
    shown = dict(referrals.incident_record(ctx, incident_id))
    assert "Said he would come to the office and hurt me." in " ".join(shown.values())
    assert any(label.startswith("Incident report: Details of incident") for label in shown)
    assert shown["On record"].startswith("Referred to the Senior executive officer (SEO)")


# --- the Grade 7 manager's decision ------------------------------------------------------------------


def grade7_task(ctx, handler, manager) -> tuple[str, str]:
    incident_id, task_id = referred_to_seo(ctx, handler, manager)
    finished = decide(ctx, SEO, task_id, "Serious enough", {"reason": "He named the office and a time."})
    return incident_id, finished.task_ids[0]


def test_the_grade7_informing_the_police_is_on_the_customers_record(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    incident_id, task_id = grade7_task(ctx, handler, manager)
    decide(ctx, GRADE7, task_id, "Inform the police",
           {"informed_on": "2026-11-25", "police_reference": "CAD 4471", "reason": "A threat to come and hurt staff."})
    customer_id = queries.contact(ctx.store.db, queries.incident(ctx.store.db, incident_id).contact_id).customer_id
    lines = [text for incident, text in register.record(ctx, customer_id).on_incidents if incident == incident_id]
    assert lines[-1] == ("Police informed on 25 November 2026 by Marcus Hale: A threat to come and hurt staff. "
                         "(police reference: CAD 4471)")


def test_the_grade7_may_decide_not_to_inform_the_police_with_a_reason(tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    incident_id, task_id = grade7_task(ctx, handler, manager)
    decide(ctx, GRADE7, task_id, "Do not inform the police", {"reason": "Dealt with by a bar; no offence."})
    assert referrals.on_incident(ctx, incident_id)[-1].text == (
        "Police not informed: Dealt with by a bar; no offence. (decided by Marcus Hale)")


def test_the_date_the_police_were_informed_cannot_be_in_the_future_and_the_reason_is_required(
        tmp_path, clock, handler, manager):
    ctx = serious_context(tmp_path, clock)
    _, task_id = grade7_task(ctx, handler, manager)
    contact_id = queue.open_task(ctx, GRADE7, task_id)
    contacts.take_step(ctx, GRADE7, contact_id, 1, at_step="decide")
    with pytest.raises(FieldErrors) as problem:
        records.finish(ctx, GRADE7, contact_id, {"informed_on": "2026-11-26", "reason": "Threat."})
    assert problem.value.errors == {"informed_on": "This cannot be later than today."}
    with pytest.raises(FieldErrors) as problem:
        records.finish(ctx, GRADE7, contact_id, {"informed_on": "25/11/2026", "reason": ""})
    assert set(problem.value.errors) == {"informed_on", "reason"}
    assert queries.contact(ctx.store.db, contact_id).status == "open"


# --- roles: the service refuses anyone else, records it, changes nothing ------------------------------


@pytest.mark.parametrize("who", ["call_handler", "line_manager", "grade7"])
def test_only_the_seo_takes_the_seos_decision(tmp_path, clock, handler, manager, who):
    ctx = serious_context(tmp_path, clock)
    _, task_id = referred_to_seo(ctx, handler, manager)
    other = {"call_handler": handler, "line_manager": manager, "grade7": GRADE7}[who]
    before = table_rows(ctx)
    with pytest.raises(Refused):
        queue.open_task(ctx, other, task_id)
    assert_only_refusal_recorded(ctx, before, other.number)
    contact_id = queue.open_task(ctx, SEO, task_id)  # the SEO opened it; someone else is signed in now
    before = table_rows(ctx)
    with pytest.raises(contacts.NotYourDecision):
        contacts.take_step(ctx, other, contact_id, 1, at_step="consider")
    assert_only_refusal_recorded(ctx, before, other.number)
    contacts.take_step(ctx, SEO, contact_id, 2, at_step="consider")
    before = table_rows(ctx)
    with pytest.raises(Refused):
        records.finish(ctx, other, contact_id, {"reason": "Not mine to give."})
    assert_only_refusal_recorded(ctx, before, other.number)


@pytest.mark.parametrize("who", ["line_manager", "seo"])
def test_only_the_grade7_takes_the_grade7s_decision(tmp_path, clock, handler, manager, who):
    ctx = serious_context(tmp_path, clock)
    _, task_id = grade7_task(ctx, handler, manager)
    other = {"line_manager": manager, "seo": SEO}[who]
    before = table_rows(ctx)
    with pytest.raises(Refused):
        queue.open_task(ctx, other, task_id)
    assert_only_refusal_recorded(ctx, before, other.number)
    contact_id = queue.open_task(ctx, GRADE7, task_id)
    before = table_rows(ctx)
    with pytest.raises(contacts.NotYourDecision) as refused:
        contacts.take_step(ctx, other, contact_id, 1, at_step="decide")
    assert str(refused.value) == "Only the Grade 7 manager may decide this."
    assert_only_refusal_recorded(ctx, before, other.number)


# --- the written letters' after-step ---------------------------------------------------------------


def test_both_written_letters_end_with_the_police_step_as_a_decision(ctx):
    for letter_id in ("written_warning", "written_barring"):
        steps = [(step.action, step.task) for step in ctx.pack.letter(letter_id).after]
        assert steps[-1] == ("task", "consider_police_written"), letter_id
    assert ctx.pack.task("consider_police_written").flow == "consider_police_written"


def _signed_off_written_warning(tmp_path, clock):
    from tests.letters_helpers import BEA, GRACE, NIA, add_caseworker_and_heo, letter_context

    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    from tests.written_helpers import agree, tell_heo, written_contact

    _, finished = written_contact(ctx)
    agree(ctx, tell_heo(ctx, finished))
    [police] = [t for t in queue.my_queue(ctx, BEA, spec="consider_police_written").items]
    return ctx, BEA, finished.incident_id, police.task


def test_the_written_warning_letters_police_step_refers_to_the_seo(tmp_path, clock):
    ctx, heo, incident_id, task = _signed_off_written_warning(tmp_path, clock)
    assert task.assignee == heo.number and task.incident_id == incident_id and task.flow == "consider_police_written"
    finished = decide(ctx, heo, task.id, "Very serious and we know", {"reason": "He threatened the caseworker by name."})
    [seo] = [queue.get_task(ctx, t) for t in finished.task_ids]
    assert (seo.spec, seo.role, seo.incident_id) == ("serious_incident", "seo", incident_id)
    assert referrals.on_incident(ctx, incident_id)[-1].text == (
        "Referred to the SEO by Bea Cole: He threatened the caseworker by name.")


def test_the_written_police_step_not_referred_keeps_its_reason(tmp_path, clock):
    ctx, heo, incident_id, task = _signed_off_written_warning(tmp_path, clock)
    finished = decide(ctx, heo, task.id, "Not to be referred", {"reason": "Swearing only; no threat."})
    assert finished.task_ids == []
    assert referrals.on_incident(ctx, incident_id)[-1].text == "Not referred to the SEO (Bea Cole): Swearing only; no threat."


def test_the_written_barring_letter_has_the_police_step(tmp_path, clock):
    from tests.letters_helpers import BEA, barred_from_writing, letter_context

    ctx = letter_context(tmp_path / "c.db", clock)
    barred_from_writing(ctx)
    tasks = [i.task for i in queue.my_queue(ctx, BEA, spec="consider_police_written").items]
    barring = [t for t in tasks if ctx.pack.letter(
        __import__("counter_tui.store.letters", fromlist=["letter"]).letter(ctx.store.db, t.letter_id).spec).bars]
    assert len(tasks) == 2 and len(barring) == 1 and barring[0].assignee == BEA.number
