"""The council demo's record (`counter demo --policy council`), made through the services.

GIVEN a fresh database, WHEN the council demo fills it, THEN today's call waits on the
Determination Team's queue, the reception threatener's premises ban is live and turns him away at
the counter (not on the telephone), his positive action since is logged, the exhausted complainant
is turned away on the telephone, and the event chain verifies.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.clock import FixedClock
from counter_tui.services import customers, demo, demo_council, measure_record, positive_actions, queue
from counter_tui.services.context import Context
from counter_tui.store import events
from tests.conftest import START

STAFF, LINE_MANAGER, DETERMINATION, HEALTH_AND_SAFETY = (demo.actor_of(x) for x in demo_council.COUNCIL_LOGINS)


@pytest.fixture
def council(tmp_path) -> Context:
    ctx = Context.open(tmp_path / "council.db", demo.settings(None, "council"),
                       clock=FixedClock(START, tick=timedelta(seconds=1)))
    demo.fill(ctx, START)
    yield ctx
    ctx.store.close()


def customer_id(ctx: Context, name_and_ref: tuple[str, str]) -> str:
    return customers.matching(ctx, name=name_and_ref[0], reference=name_and_ref[1]).id


def test_the_demo_offers_the_four_council_accounts():
    assert [(x.number, x.pin, x.role) for x in demo.logins("council")] == [
        ("8001", "812327", "staff_member"), ("8002", "823427", "line_manager"),
        ("8003", "834527", "determination_team"), ("8004", "845627", "health_and_safety_officer")]
    assert demo.settings(None, "council").letterhead.name == "Example Council (demo)"


def test_todays_call_waits_for_the_determination_team(council):
    waiting = [(i.task.spec, i.task.customer_name) for i in queue.my_queue(council, DETERMINATION).items]
    assert waiting == [("determination_decision", demo_council.TODAY[0]),
                       ("determination_decision", demo_council.THREAT_TODAY[0])]
    assert [(i.task.spec, i.task.customer_name) for i in queue.my_queue(council, LINE_MANAGER).items] == [
        ("report_to_line_manager", demo_council.TODAY[0]), ("report_to_line_manager", demo_council.THREAT_TODAY[0])]


def test_this_mornings_threat_waits_for_the_open_health_and_safety_investigation(council):
    waiting = [(i.task.spec, i.task.customer_name) for i in queue.my_queue(council, HEALTH_AND_SAFETY).items]
    assert waiting == [("health_and_safety_report", demo_council.THREAT_TODAY[0])]


def test_the_ban_is_live_and_refuses_counter_contacts(council):
    roper = customer_id(council, demo_council.BANNED)
    live = measure_record.on_record(council, roper, "counter")
    assert [(item.spec.id, item.measure.told != "") for item in live] == [("premises_ban", True)]
    assert measure_record.restricted_here(council, roper, "counter")
    assert measure_record.restricted_here(council, roper, "face_to_face")
    assert not measure_record.restricted_here(council, roper, "telephone")


def test_the_positive_action_since_is_logged(council):
    total, entries = positive_actions.for_customer(council, customer_id(council, demo_council.BANNED))
    assert total == 1
    assert entries[0].staff_name == STAFF.name
    assert "apologise" in entries[0].note


def test_the_exhausted_complainant_is_turned_away_on_the_telephone(council):
    hale = customer_id(council, demo_council.COMPLAINANT)
    assert [item.spec.id for item in measure_record.on_record(council, hale, "telephone")] == ["complaint_in_writing"]
    assert measure_record.restricted_here(council, hale, "telephone")


def test_the_record_verifies(council):
    count, problem = events.verify(council.store.db)
    assert count > 0
    assert problem is None
