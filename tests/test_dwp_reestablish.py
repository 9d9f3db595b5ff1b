"""DWP: re-establishing the relationship with a client once they are marked potentially violent
(22-27), the CMEL9271 letter signed off by the writer's Line Manager (24), and third party referrals (2).

GIVEN the shipped `dwp` pack on a real database, a caseworker's call with unacceptable behaviour and
the UCB Nominated Manager's decision, WHEN the Team Leader opens the task the PV marker put on their
queue and walks each way through it (or a caseworker records a third party referral), THEN what is
stored is what the procedure gives: the tasks, their due times and assignees, the letter, and never a
new instance.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.services import contacts, letter_sign_off, letters, measure_record, measures, queue, records, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import letters as letter_store
from counter_tui.store import measures as measure_store
from counter_tui.store import queries
from tests.test_pack_dwp import ENDING_IDS, ENDINGS

MAIN = "Main office"
CASEWORKER = Actor(number="3001", name="Priya Nair", role="caseworker", office=MAIN)
OTHER_CASEWORKER = Actor(number="3004", name="Ben Ortiz", role="caseworker", office=MAIN)
TEAM_LEADER = Actor(number="3002", name="Tom Reilly", role="team_leader", office=MAIN)
NOMINATED_MANAGER = Actor(number="3003", name="Helen Ashworth", role="nominated_manager", office=MAIN)
LINE_MANAGER = Actor(number="3005", name="Ruth Okoye", role="line_manager", office=MAIN)
STAFF = (CASEWORKER, OTHER_CASEWORKER, TEAM_LEADER, NOMINATED_MANAGER, LINE_MANAGER)

NAME, REFERENCE = "Ms Dana Whitlock", "1234 5678"
THREAT = "Shouted that she would wait for me outside the office."


@pytest.fixture
def dwp(tmp_path, clock) -> Context:
    ctx = Context.open(tmp_path / "counter.db", Settings(policy="dwp"), clock=clock)
    for pin, actor in enumerate(STAFF, start=4100):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin=f"{pin}27")
    return ctx


def open_tasks(ctx: Context, spec: str) -> list:
    return [item.task for item in queue.all_open(ctx, spec=spec).items]


def the_call(ctx: Context) -> records.Finished:
    """The caseworker's call: unacceptable behaviour, the call ended, the instance recorded with a
    request for police involvement."""
    contact_id = contacts.start_contact(ctx, CASEWORKER, "telephone", customer_name=NAME, reference=REFERENCE,
                                        query="Why her payments changed")
    for number in (2, 2):
        contacts.take_step(ctx, CASEWORKER, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.save_note(ctx, CASEWORKER, contact_id, THREAT, version=0)
    fields = {field_id: text for field_id, _, text, _ in records.draft_record(ctx, CASEWORKER, contact_id)}
    fields |= {"instance_type": "Threats, which are implied or otherwise", "source": CASEWORKER.name,
               "police": "yes", "police_reason": "Threatened to wait for a CMG employee outside the office."}
    return records.finish(ctx, CASEWORKER, contact_id, fields)


def decide(ctx: Context, *chosen: dict[str, str]) -> list[str]:
    [task] = open_tasks(ctx, "decide_instance")
    return measures.decide(ctx, NOMINATED_MANAGER, task.id, measures=list(chosen))


PV = {"spec": "pv_marker", "reason": "Threatened to wait for a caseworker outside the office.", "review_on": ""}


@pytest.fixture
def marked(dwp) -> records.Finished:
    """The call, and the nominated manager's PV marker on the client."""
    finished = the_call(dwp)
    decide(dwp, PV)
    return finished


def reestablish_task(ctx: Context):
    [task] = open_tasks(ctx, "reestablish_contact")
    return task


def walk(ctx: Context, task_id: str, numbers: list[int], note: str = "") -> str:
    """The team leader opens the task and takes `numbers`; returns the contact's id."""
    contact_id = queue.open_task(ctx, TEAM_LEADER, task_id)
    for number in numbers:
        contacts.take_step(ctx, TEAM_LEADER, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    if note:
        contacts.save_note(ctx, TEAM_LEADER, contact_id, note, version=0)
    return contact_id


def drafted(ctx: Context, contact_id: str) -> dict[str, str]:
    return {field_id: text for field_id, _, text, _ in records.draft_record(ctx, TEAM_LEADER, contact_id)}


def local(text: str) -> datetime:
    """A local date and time in London, as UTC."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=Settings().zone).astimezone(UTC)


# --- the PV marker puts the team leader's task on the queue ----------------------------------------


def test_setting_the_pv_marker_queues_re_establishing_for_the_team_leader(dwp, marked):
    task = reestablish_task(dwp)
    call = queries.contact(dwp.store.db, queries.incident(dwp.store.db, marked.incident_id).contact_id)
    assert (task.role, task.office, task.flow, task.assignee) == ("team_leader", MAIN, "reestablish", None)
    assert (task.customer_name, task.reference) == (NAME, REFERENCE)
    assert (task.incident_id, task.contact_id) == (marked.incident_id, call.id)
    assert task.due_at is None  # 22-27 set no clock and this configuration sets no [deadlines] reestablish_contact
    assert [i.task.id for i in queue.my_queue(dwp, TEAM_LEADER, spec="reestablish_contact").items] == [task.id]
    assert queue.my_queue(dwp, CASEWORKER, spec="reestablish_contact").items == []


def test_a_restriction_alone_queues_no_re_establishing(dwp):
    the_call(dwp)
    decide(dwp, {"spec": "writing_only", "reason": "Abusive on every call.", "told": "By letter.", "review_on": "2027-05-25"})
    assert open_tasks(dwp, "reestablish_contact") == []


def test_the_task_opens_the_flow_for_the_marked_client_with_the_marker_shown(dwp, marked):
    task = reestablish_task(dwp)
    with pytest.raises(Refused):
        queue.open_task(dwp, CASEWORKER, task.id)
    contact_id = queue.open_task(dwp, TEAM_LEADER, task.id)
    current = contacts.view(dwp, contact_id)
    assert (current.contact.flow, current.contact.task_id, current.step.id) == ("reestablish", task.id, "police_first")
    assert current.contact.channel == "telephone" and current.contact.staff_number == TEAM_LEADER.number
    assert current.contact.customer_id == queries.contact(dwp.store.db, marked.contact_id).customer_id  # the call's client
    assert [m.spec.id for m in measure_record.on_record(dwp, current.contact.customer_id, "telephone")] == ["pv_marker"]
    assert queue.open_task(dwp, TEAM_LEADER, task.id) == contact_id  # resumed, not started twice


def test_a_warning_the_nm_decided_is_shown_when_the_team_leader_checks_for_one(dwp):
    """23: before contacting the client the TL checks with the NM whether a warning letter was issued."""
    the_call(dwp)
    decide(dwp, PV, {"spec": "written_warning", "reason": "Warned in writing about the threat."})
    [task] = open_tasks(dwp, "reestablish_contact")  # one task, however many measures were set
    contact_id = walk(dwp, task.id, [1])
    current = contacts.view(dwp, contact_id)
    assert current.step.id == "check_warning"
    shown = measure_record.on_record(dwp, current.contact.customer_id, "telephone")
    assert [m.spec.id for m in shown] == ["pv_marker", "written_warning"]


# --- each way through ----------------------------------------------------------------------------


def test_not_reached_the_next_attempt_is_due_at_the_local_time_typed(dwp, marked):
    first = reestablish_task(dwp)
    contact_id = walk(dwp, first.id, [1, 2, 3], note="No answer at 09:00; no voicemail.")
    assert contacts.view(dwp, contact_id).step.id == "not_reached"
    fields = drafted(dwp, contact_id)
    assert fields["outcome"] == "No answer at 09:00; no voicemail." and fields["next_attempt"] == ""
    # The clock stands at 09:00 on 25 November 2026 (London, winter).
    for typed, message in (("2026-11-25 08:00", "later than now"), ("tomorrow at two", "YYYY-MM-DD HH:MM"),
                           ("", "")):
        with pytest.raises(FieldErrors) as refused:
            records.finish(dwp, TEAM_LEADER, contact_id, fields | {"next_attempt": typed})
        assert list(refused.value.errors) == ["next_attempt"] and message in refused.value.errors["next_attempt"]
    assert queries.contact(dwp.store.db, contact_id).status == "open"  # nothing stored
    # British Summer Time: 14:30 in London is 13:30 UTC.
    finished = records.finish(dwp, TEAM_LEADER, contact_id, fields | {"next_attempt": "2027-06-01 14:30"})
    [again] = [queue.get_task(dwp, t) for t in finished.task_ids]
    assert again.spec == "reestablish_again" and again.due_at == local("2027-06-01 14:30") == datetime(2027, 6, 1, 13, 30, tzinfo=UTC)
    assert (again.role, again.flow, again.assignee, again.office) == ("team_leader", "reestablish", None, MAIN)
    assert (again.incident_id, again.contact_id, again.customer_name) == (marked.incident_id, contact_id, NAME)
    assert finished.incident_id == marked.incident_id  # the same instance: no new one
    contact = queries.contact(dwp.store.db, contact_id)
    assert contact.outcome == "call_back_arranged"
    assert queries.contact_record(dwp.store.db, contact_id)["next_attempt"] == "2027-06-01 14:30"
    assert queue.get_task(dwp, first.id).status == "done"
    # The next attempt opens the same flow for the same client, from the start.
    second = queue.open_task(dwp, TEAM_LEADER, again.id)
    assert second != contact_id
    assert queries.contact(dwp.store.db, second).customer_id == contact.customer_id
    assert contacts.view(dwp, second).step.id == "police_first"


def test_a_winter_next_attempt_is_the_same_in_utc(dwp, marked):
    contact_id = walk(dwp, reestablish_task(dwp).id, [1, 2, 3], note="Engaged tone.")
    finished = records.finish(dwp, TEAM_LEADER, contact_id, drafted(dwp, contact_id) | {"next_attempt": "2026-11-26 16:45"})
    assert queue.get_task(dwp, finished.task_ids[0]).due_at == datetime(2026, 11, 26, 16, 45, tzinfo=UTC)


def test_reached_with_assurance_and_no_referral_finishes_with_nothing_more_to_do(dwp, marked):
    task = reestablish_task(dwp)
    contact_id = walk(dwp, task.id, [1, 2, 1, 4], note="Reached her: she agreed it was unacceptable and gave assurance.")
    finished = records.finish(dwp, TEAM_LEADER, contact_id, drafted(dwp, contact_id))
    assert (finished.incident_id, finished.task_ids) == (marked.incident_id, [])
    assert queries.contact(dwp.store.db, contact_id).outcome == "completed"
    assert "gave assurance" in queries.contact_record(dwp.store.db, contact_id)["outcome"]
    assert queue.get_task(dwp, task.id).status == "done"
    assert [i.id for i in queries.incidents(dwp.store.db)] == [marked.incident_id]
    [pv] = measure_store.for_customer(dwp.store.db, queries.contact(dwp.store.db, contact_id).customer_id, live_only=True)
    assert pv.spec == "pv_marker"  # assurance does not lift the marker: that is the NM's review


def test_cmel9271_is_opened_for_the_team_leader_signed_off_by_a_line_manager_and_issued(dwp, marked):
    contact_id = walk(dwp, reestablish_task(dwp).id, [1, 2, 4, 4], note="Five attempts at different times: no answer.")
    finished = records.finish(dwp, TEAM_LEADER, contact_id, drafted(dwp, contact_id))
    [draft] = [queue.get_task(dwp, t) for t in finished.task_ids]
    assert (draft.spec, draft.role, draft.incident_id) == ("draft_cmel9271", "team_leader", marked.incident_id)
    letter = letter_store.letter(dwp.store.db, draft.letter_id)
    assert (letter.spec, letter.status, letter.customer_name, letter.incident_id) == ("cmel9271", "drafting", NAME, marked.incident_id)
    view = letters.view(dwp, TEAM_LEADER, draft.id)
    assert view.mode == "draft" and view.approver_role == "Line Manager of whoever writes CMEL9271"
    assert letters.suggestion(dwp, letter.id, 2).endswith("we will now only accept communication from you in writing.")
    sign_off = letters.submit(dwp, TEAM_LEADER, letter.id, {**view.values, "body": "We have tried to call you."},
                              version=view.letter.version)
    assert (sign_off.spec, sign_off.role, sign_off.assignee) == ("sign_off_cmel9271", "line_manager", None)
    assert sign_off.due_at is None  # no clock in the document, none configured
    with pytest.raises(Refused):  # the team leader may not sign off their own letter
        letter_sign_off.approve(dwp, TEAM_LEADER, letter.id, version=letter_store.letter(dwp.store.db, letter.id).version)
    signed = letter_sign_off.approve(dwp, LINE_MANAGER, letter.id, version=letter_store.letter(dwp.store.db, letter.id).version)
    assert signed.status == "approved" and signed.approved_name.startswith(LINE_MANAGER.name)
    [issue] = [t for t in letter_store.tasks_for_letter(dwp.store.db, letter.id) if t.spec == "issue_cmel9271"]
    assert (issue.role, issue.assignee, issue.status) == ("team_leader", TEAM_LEADER.number, "open")
    assert issue.due_at is None  # no clock in the document, none configured
    assert [i.task.id for i in queue.my_queue(dwp, TEAM_LEADER, spec="issue_cmel9271").items] == [issue.id]


def test_rejecting_the_police_authorisation_tells_the_caseworker_who_raised_the_instance(dwp, marked):
    contact_id = walk(dwp, reestablish_task(dwp).id, [1, 2, 2, 3], note="Reached: no assurance; marker stays.")
    fields = drafted(dwp, contact_id)
    with pytest.raises(FieldErrors) as refused:
        records.finish(dwp, TEAM_LEADER, contact_id, fields)
    assert list(refused.value.errors) == ["why"]
    finished = records.finish(dwp, TEAM_LEADER, contact_id, fields | {"why": "No threat of violence on listening again."})
    [told] = [queue.get_task(dwp, t) for t in finished.task_ids]
    assert (told.spec, told.role, told.assignee, told.incident_id) == ("referral_rejected", "caseworker", CASEWORKER.number,
                                                                        marked.incident_id)
    assert [i.task.id for i in queue.my_queue(dwp, CASEWORKER).items] == [told.id]
    assert queue.my_queue(dwp, OTHER_CASEWORKER).items == []
    assert ("Why police involvement is not now necessary (the referring caseworker is told)",
            "No threat of violence on listening again.") in queue.originating_record(dwp, told)
    assert open_tasks(dwp, "police_contact") == []
    queue.complete_task(dwp, CASEWORKER, told.id)
    assert queue.get_task(dwp, told.id).status == "done"


@pytest.mark.parametrize("numbers", [[1, 2, 1, 1], [1, 1, 2]], ids=["reached, referral accepted", "warning issued, referral made now"])
def test_accepting_or_making_the_referral_makes_the_nm_the_police_contact(dwp, marked, numbers):
    contact_id = walk(dwp, reestablish_task(dwp).id, numbers, note="Outcome recorded.")
    fields = drafted(dwp, contact_id)
    with pytest.raises(FieldErrors) as refused:
        records.finish(dwp, TEAM_LEADER, contact_id, fields)
    assert list(refused.value.errors) == ["referral_reason"]
    finished = records.finish(dwp, TEAM_LEADER, contact_id, fields | {"referral_reason": "Threat to wait outside the office."})
    [police] = [queue.get_task(dwp, t) for t in finished.task_ids]
    assert (police.spec, police.role, police.assignee, police.office) == ("police_contact", "nominated_manager", None, MAIN)
    assert (police.incident_id, police.customer_name) == (marked.incident_id, NAME)
    assert [i.task.id for i in queue.my_queue(dwp, NOMINATED_MANAGER).items] == [police.id]
    assert ("Referral Reason (why the instance is serious enough for police involvement)",
            "Threat to wait outside the office.") in queue.originating_record(dwp, police)


REESTABLISH = [(e, i) for e, i in zip(ENDINGS, ENDING_IDS, strict=True) if e[0] == "reestablish"]


@pytest.mark.parametrize(("flow_id", "numbers", "final", "outcome", "incident", "tasks", "form"),
                         [e for e, _ in REESTABLISH], ids=[i for _, i in REESTABLISH])
def test_every_ending_stores_its_record_and_its_tasks_and_no_new_instance(dwp, marked, flow_id, numbers, final, outcome,
                                                                         incident, tasks, form):
    task = reestablish_task(dwp)
    contact_id = walk(dwp, task.id, numbers, note="What happened.")
    current = contacts.view(dwp, contact_id)
    assert current.step.id == final
    record = {field_id: text or ("Typed" if required else "") for field_id, _, text, required in
              records.draft_record(dwp, TEAM_LEADER, contact_id)}
    if "next_attempt" in record:
        record["next_attempt"] = "2026-11-26 10:00"
    finished = records.finish(dwp, TEAM_LEADER, contact_id, record)
    made = [queue.get_task(dwp, t) for t in finished.task_ids]
    assert [t.spec for t in made] == tasks
    assert queries.contact(dwp.store.db, contact_id).outcome == outcome.value
    assert set(queries.contact_record(dwp.store.db, contact_id)) == {f.id for f in dwp.pack.form(form).fields}
    assert finished.incident_id == marked.incident_id and all(t.incident_id == marked.incident_id for t in made)
    assert [i.id for i in queries.incidents(dwp.store.db)] == [marked.incident_id]
    assignees = {"referral_rejected": CASEWORKER.number}
    assert [t.assignee for t in made] == [assignees.get(t.spec) for t in made]
    assert [bool(t.letter_id) for t in made] == [t.spec == "draft_cmel9271" for t in made]
    assert queue.get_task(dwp, task.id).status == "done"


# --- third party referrals (2) ---------------------------------------------------------------------

REPORTED = "The housing association told us he threatened one of their officers with a knife last week."


def test_a_third_party_referral_reaches_the_nm_with_its_text_and_no_instance(dwp):
    contact_id = contacts.start_contact(dwp, CASEWORKER, "third_party_referral", customer_name="Mr Carl Dunn",
                                        reference="8765 4321", query="Referral from the housing association")
    contacts.take_step(dwp, CASEWORKER, contact_id, 1, at_step="referral")
    contacts.save_note(dwp, CASEWORKER, contact_id, REPORTED, version=0)
    fields = {field_id: text for field_id, _, text, _ in records.draft_record(dwp, CASEWORKER, contact_id)}
    assert fields["reported"] == REPORTED and fields["client_name"] == "Mr Carl Dunn"
    fields |= {"referred_by": "Eastside Housing Association, tenancy team",
               "underlying_risk": "Violence towards officers who visit or refuse him."}
    finished = records.finish(dwp, CASEWORKER, contact_id, fields)
    assert finished.incident_id is None
    assert queries.incidents(dwp.store.db) == []
    [decision] = [queue.get_task(dwp, t) for t in finished.task_ids]
    assert (decision.spec, decision.role, decision.incident_id, decision.contact_id) == (
        "decide_instance", "nominated_manager", None, contact_id)
    assert decision.due_at - decision.created_at == timedelta(hours=24)
    assert open_tasks(dwp, "consider_instance") == []  # no instance for the team leader to consider
    assert queries.contact(dwp.store.db, contact_id).outcome == "referred"
    stored = queries.contact_record(dwp.store.db, contact_id)
    assert stored["referred_by"] == "Eastside Housing Association, tenancy team" and stored["reported"] == REPORTED

    asked = measures.request(dwp, NOMINATED_MANAGER, decision.id)
    assert asked.reason == REPORTED and asked.proposers == [CASEWORKER.number]
    assert asked.incident is None and asked.customer.name == "Mr Carl Dunn"
    with pytest.raises(Refused):
        measures.request(dwp, CASEWORKER, decision.id)
    [measure_id] = measures.decide(dwp, NOMINATED_MANAGER, decision.id, measures=[PV])
    measure = measure_store.measure(dwp.store.db, measure_id)
    assert (measure.spec, measure.customer_id, measure.incident_id) == ("pv_marker", asked.customer.id, None)
    [task] = open_tasks(dwp, "reestablish_contact")
    assert (task.customer_name, task.contact_id, task.incident_id) == ("Mr Carl Dunn", contact_id, None)


def test_not_a_third_party_referral_records_nothing(dwp):
    contact_id = contacts.start_contact(dwp, CASEWORKER, "third_party_referral", customer_name="Mr Carl Dunn")
    contacts.take_step(dwp, CASEWORKER, contact_id, 2, at_step="referral")
    finished = records.finish(dwp, CASEWORKER, contact_id, {})
    assert (finished.incident_id, finished.task_ids) == (None, [])
    assert queries.contact(dwp.store.db, contact_id).outcome == "completed"
