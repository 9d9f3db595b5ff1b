"""The ICO demo's record (`counter demo --policy ico`), made through the services.

GIVEN a fresh database, WHEN the ICO demo fills it, THEN yesterday's terminated call log waits for
the line manager's discussion, this morning's threat of self-harm waits (overdue: it was due at once)
for the senior member of staff with this afternoon's escalation call-back after it, the persistent
caller's restricted contact is live with its terms on every channel, his letter since was discussed
with the line manager, and the event chain verifies.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.services import customers, demo, demo_ico, measure_record, queue
from counter_tui.services.context import Context
from counter_tui.store import events, queries
from tests.conftest import START

MEMBER, LINE_MANAGER, SENIOR, HEAD, POST = (demo.actor_of(x) for x in demo_ico.ICO_LOGINS)


@pytest.fixture(scope="module")
def ico(tmp_path_factory) -> Context:
    """Filled once for the module: every test only reads it."""
    settings = Settings(policy="ico", offices=[demo.MAIN, demo.SECOND], office_facilities=demo.FACILITIES)
    ctx = Context.open(tmp_path_factory.mktemp("ico-demo") / "ico.db", settings,
                       clock=FixedClock(START, tick=timedelta(seconds=1)))
    demo_ico.fill(ctx, START)
    yield ctx
    ctx.store.close()


def queued(ctx: Context, actor) -> list[tuple[str, str]]:
    return [(i.task.spec, i.task.customer_name) for i in queue.my_queue(ctx, actor).items]


def test_the_demo_offers_five_ico_accounts_numbered_7501_to_7505():
    assert [(x.number, x.pin, x.role) for x in demo_ico.ICO_LOGINS] == [
        ("7501", "751227", "call_handler"), ("7502", "752327", "line_manager"), ("7503", "753427", "senior"),
        ("7504", "754527", "head_of_department"), ("7505", "755627", "call_handler")]
    assert len({x.name for x in demo_ico.ICO_LOGINS}) == 5


def test_yesterdays_terminated_call_log_waits_for_the_line_managers_discussion(ico):
    assert queued(ico, LINE_MANAGER) == [("discuss_call_log", demo_ico.ENDED[0])]
    [item] = queue.my_queue(ico, LINE_MANAGER).items
    record = dict(queue.originating_record(ico, item.task))
    assert record["Name of caller (if known)"] == demo_ico.ENDED[0]
    assert record["Your name"] == MEMBER.name
    assert "warned" in record["Reason for terminating the call"]
    steps = [s.step for s in queries.steps(ico.store.db, item.task.contact_id)]
    assert steps == ["behaviour", "offensive_explain", "offensive_warn", "offensive_end"]


def test_the_threat_of_self_harm_waits_for_the_senior_then_this_afternoons_call_back(ico):
    items = queue.my_queue(ico, SENIOR).items
    assert [(i.task.spec, i.task.customer_name) for i in items] == [
        ("self_harm_report", demo_ico.SELF_HARM[0]), ("escalation_call_back", demo_ico.ESCALATION[0])]
    report, call_back = (i.task for i in items)
    assert report.overdue(START) and report.flow == "self_harm_assessment"
    assert call_back.due_at == START + timedelta(hours=5, minutes=30)
    assert dict(queue.originating_record(ico, report))["Senior member of staff you passed them on to"] == SENIOR.name


def test_the_persistent_caller_is_restricted_with_terms_shown_on_every_channel(ico):
    holloway = customers.matching(ico, name=demo_ico.RESTRICTED[0], reference=demo_ico.RESTRICTED[1]).id
    for channel in ("telephone", "face_to_face", "written"):
        [shown] = measure_record.on_record(ico, holloway, channel)
        assert (shown.spec.id, shown.measure.reason, shown.refused_here) == (
            "restricted_contact", demo_ico.RESTRICTION_TERMS, False)
        assert shown.measure.review_on is not None
    assert queued(ico, HEAD) == []


def test_his_letter_since_was_discussed_with_the_line_manager(ico):
    assert queue.all_open(ico, spec="discuss_written_reply").items == []
    specs = ico.store.db.execute("SELECT spec, status FROM tasks WHERE customer_name = ? ORDER BY id",
                                 [demo_ico.RESTRICTED[0]]).fetchall()
    assert specs == [("consider_persistent", "done"), ("restriction_decision", "done"), ("discuss_written_reply", "done")]


def test_no_one_else_has_anything_waiting(ico):
    assert queued(ico, MEMBER) == queued(ico, POST) == []


def test_the_record_verifies(ico):
    count, problem = events.verify(ico.store.db)
    assert count > 0
    assert problem is None
