"""The North Tyneside demo's record (`counter demo --policy north_tyneside`), made through the services.

GIVEN a fresh database, WHEN the North Tyneside demo fills it, THEN this morning's racist abuse at the
counter waits on the line manager's queue (the online incident report, the 121 meeting), the team or
service manager's (the Police decision, further action) and the Health & Safety Team's; the employee
from the persistent caller's 121 has its notes to sign; the customer who threatened staff at the
counter is refused at the counter but not on the telephone; the persistent caller is restricted on her
issue and has a representative on record; and the event chain verifies.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.services import customers, demo, demo_north_tyneside, incident_report, measure_record, queue
from counter_tui.services.context import Context
from counter_tui.store import events, queries
from tests.conftest import START

LUCY, GARY, AISHA, PETER, SOPHIE = (demo.actor_of(x) for x in demo_north_tyneside.NORTH_TYNESIDE_LOGINS)


@pytest.fixture(scope="module")
def nt(tmp_path_factory) -> Context:
    """Filled once: the tests below only read it. (Settings as `demo.settings(None, "north_tyneside")`
    will give them once the demo lists the pack.)"""
    settings = Settings(policy="north_tyneside", offices=[demo.MAIN, demo.SECOND], office_facilities=demo.FACILITIES)
    ctx = Context.open(tmp_path_factory.mktemp("nt") / "nt.db", settings, clock=FixedClock(START, tick=timedelta(seconds=1)))
    demo_north_tyneside.fill(ctx, START)
    yield ctx
    ctx.store.close()


def waiting(ctx: Context, actor) -> list[tuple[str, str]]:
    return [(i.task.spec, i.task.customer_name) for i in queue.my_queue(ctx, actor).items]


def customer_id(ctx: Context, name_and_ref: tuple[str, str]) -> str:
    return customers.matching(ctx, name=name_and_ref[0], reference=name_and_ref[1]).id


def test_five_accounts_numbered_9001_to_9005_one_for_each_role():
    logins = demo_north_tyneside.NORTH_TYNESIDE_LOGINS
    assert [(x.number, x.pin, x.role) for x in logins] == [
        ("9001", "912327", "employee"), ("9002", "923427", "line_manager"), ("9003", "934527", "service_team_manager"),
        ("9004", "945627", "health_and_safety_team"), ("9005", "956727", "employee")]
    assert all(x.what for x in logins)


def test_this_mornings_hate_incident_waits_for_every_manager(nt):
    today = demo_north_tyneside.TODAY[0]
    # neither clock is set by the document or the demo's configuration: both wait, by age
    assert sorted(waiting(nt, GARY)) == [("complete_incident_report", today), ("welfare_one_to_one", today)]
    assert waiting(nt, AISHA) == [("police_decision", today), ("consider_further_action", today)]
    assert waiting(nt, PETER) == [("health_and_safety_support", today)]
    assert waiting(nt, LUCY) == []
    [item] = [i for i in queue.my_queue(nt, GARY).items if i.task.spec == "complete_incident_report"]
    incident = queries.incident(nt.store.db, item.task.incident_id)
    assert incident.reported_at is None and incident.channel == "counter"
    texts = {f.id: f.text for f in incident_report.draft(nt, GARY, item.task.id).fields}
    assert "Race" in texts["account"] and "racist abuse" in texts["account"]


def test_the_employee_has_the_notes_of_her_121_to_sign(nt):
    [(spec, name)] = waiting(nt, SOPHIE)
    assert (spec, name) == ("sign_welfare_notes", "")  # the employee's record names no customer


def test_the_threatening_customer_is_refused_at_the_counter_not_on_the_telephone(nt):
    holt = customer_id(nt, demo_north_tyneside.THREATENED)
    on_record = {item.spec.id for item in measure_record.on_record(nt, holt, "counter")}
    assert on_record == {"restrict_buildings", "behaviour_discussed"}
    assert measure_record.restricted_here(nt, holt, "counter")
    assert not measure_record.restricted_here(nt, holt, "telephone")
    report = next(i for i in queries.incidents(nt.store.db) if i.customer_name == demo_north_tyneside.THREATENED[0])
    assert (report.report["threats"], report.report["police"], report.report["riddor"]) == ("yes", "yes", "no")
    assert report.distribution == ["Health & Safety Team"]


def test_the_persistent_caller_is_restricted_on_her_issue_and_has_a_representative(nt):
    whitfield = customer_id(nt, demo_north_tyneside.PERSISTENT)
    assert measure_record.restricted_here(nt, whitfield, "telephone")
    assert {item.spec.id for item in measure_record.on_record(nt, whitfield, "written")} == {"restrict_services", "representative"}


def test_the_record_verifies(nt):
    count, problem = events.verify(nt.store.db)
    assert count > 0 and problem is None
