"""The council's rules before a decision on control measures, tried and broken through the service.

GIVEN the council demo (this morning's threat at reception, whose Health and Safety investigation
is open; today's call, ended after a request to modify), WHEN the Determination Team decides, THEN a
decision is refused while the investigation is open unless they say why it is not relevant (13.2),
and a restriction is refused without the opportunity to modify recorded or an instant-ban trigger
ticked with what happened (12.2); each refusal is keyed to its field and stores nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_tui.clock import FixedClock
from counter_tui.services import customers, demo, demo_council, measure_conditions, measures, queue
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors
from counter_tui.store import queries
from tests.conftest import START
from tests.test_demo_council import council  # noqa: F401  (the council demo's record, a fixture)

STAFF, LINE_MANAGER, DETERMINATION, HEALTH_AND_SAFETY = (demo.actor_of(x) for x in demo_council.COUNCIL_LOGINS)
BAN = {"spec": "premises_ban", "reason": "Threatened to smash the reception up, and the officer with it.",
       "told": "In person, at reception, by the duty manager."}
THREAT = {"instant_ban": {"threat_of_harm": "Said he would come back and smash the place up, and Amy with it."}}
HOW = "In writing"


def waiting(ctx: Context, who, name: str, spec: str) -> str:
    return next(i.task.id for i in queue.my_queue(ctx, who).items if i.task.customer_name == name and i.task.spec == spec)


def decided(ctx: Context, task_id: str) -> dict | None:
    """The measure.decided payload of `task_id`, or None while it is undecided."""
    from counter_tui.store import events

    found = [e.payload for e in events.for_stream(ctx.store.db, f"task:{task_id}") if e.kind == "measure.decided"]
    return found[0] if found else None


def test_a_decision_is_refused_while_the_investigation_is_open_and_nothing_is_stored(council):
    task_id = waiting(council, DETERMINATION, demo_council.THREAT_TODAY[0], "determination_decision")
    for attempt in ({"measures": [BAN], "before": THREAT}, {"no_further_action": "Nothing needed.", "before": {}}):
        with pytest.raises(FieldErrors) as caught:
            measures.decide(council, DETERMINATION, task_id, **attempt)
        assert list(caught.value.errors) == ["before.investigation_not_relevant"]
        assert "still open" in caught.value.errors["before.investigation_not_relevant"]
    assert queries.task(council.store.db, task_id).status == "open" and decided(council, task_id) is None


def test_a_reason_the_investigation_is_not_relevant_is_stored_with_the_decision(council):
    task_id = waiting(council, DETERMINATION, demo_council.THREAT_TODAY[0], "determination_decision")
    why = "The body camera footage settles it; the investigation is of the reception layout only."
    measures.decide(council, DETERMINATION, task_id, measures=[BAN],
                    before=THREAT | {"investigation_not_relevant": f"  {why} "})
    stored = decided(council, task_id)["before"]
    assert stored["investigation"]["state"] == "open" and stored["investigation"]["not_relevant"] == why
    assert stored["chance_to_modify"]["instant_ban"] == THREAT["instant_ban"]


def test_once_the_investigation_is_done_the_decision_needs_no_reason_and_shows_its_outcome(council):
    task_id = waiting(council, DETERMINATION, demo_council.THREAT_TODAY[0], "determination_decision")
    hs_task = waiting(council, HEALTH_AND_SAFETY, demo_council.THREAT_TODAY[0], "health_and_safety_report")
    queue.complete_task(council, HEALTH_AND_SAFETY, hs_task, "Footage reviewed: the threat is clear.")
    found = measure_conditions.investigation(council, queries.task(council.store.db, task_id))
    assert (found.state, found.task.id, found.note) == ("done", hs_task, "Footage reviewed: the threat is clear.")
    measures.decide(council, DETERMINATION, task_id, measures=[BAN], before=THREAT)
    assert decided(council, task_id)["before"]["investigation"] == {"state": "done", "task_id": hs_task, "not_relevant": ""}


def test_a_restriction_without_the_opportunity_or_a_trigger_is_refused_beside_the_question(council):
    task_id = waiting(council, DETERMINATION, demo_council.TODAY[0], "determination_decision")
    writing = {"spec": "writing_only", "reason": "Swore at staff on the telephone.", "told": "By telephone."}
    with pytest.raises(FieldErrors) as caught:
        measures.decide(council, DETERMINATION, task_id, measures=[writing], before={})
    assert list(caught.value.errors) == ["before.chance_given"]
    assert decided(council, task_id) is None
    # no further action is no restriction: no opportunity is asked for
    measures.decide(council, DETERMINATION, task_id, no_further_action="A first instance: no action.")
    assert decided(council, task_id)["outcome"] == "no_further_action"


def test_the_request_to_modify_in_the_contact_is_the_opportunity_given(council):
    task = queries.task(council.store.db, waiting(council, DETERMINATION, demo_council.TODAY[0], "determination_decision"))
    seen = measure_conditions.evidence(council, task)
    assert seen is not None and seen.how == council.pack.measures.chance_to_modify.evidence_how
    measures.decide(council, DETERMINATION, task.id, measures=[
        {"spec": "writing_only", "reason": "Swore at staff after being asked to stop.", "told": "By telephone."}],
        before={"chance_given": True, "chance_on": seen.on.isoformat(), "chance_how": seen.how})
    stored = decided(council, task.id)["before"]["chance_to_modify"]
    assert (stored["given"], stored["on"], stored["how"]) == (True, seen.on.isoformat(), seen.how)
    assert [m.review_on for m in measures_of(council, demo_council.TODAY)] == [None], "no review date is invented"


def measures_of(ctx: Context, who: tuple[str, str]) -> list:
    from counter_tui.store import measures as measure_store

    return measure_store.for_customer(ctx.store.db, customers.matching(ctx, name=who[0], reference=who[1]).id,
                                      live_only=True)


@pytest.mark.parametrize(("before", "field"), [
    ({"chance_given": True, "chance_on": "yesterday", "chance_how": HOW}, "before.chance_on"),
    ({"chance_given": True, "chance_on": "2099-01-01", "chance_how": HOW}, "before.chance_on"),
    ({"chance_given": True, "chance_on": "2026-01-05", "chance_how": "By carrier pigeon"}, "before.chance_how"),
    ({"chance_given": True, "chance_on": "2026-01-05"}, "before.chance_how"),
    ({"instant_ban": {"threat_of_harm": "   "}}, "before.instant_ban.threat_of_harm"),
    ({"instant_ban": {"swore_once": "He swore."}}, "before.instant_ban.swore_once"),
    ({"chance_how": "[b]x[/b]\x1b[31m"}, "before.chance_how"),
])
def test_an_opportunity_or_trigger_that_cannot_be_accepted_is_refused_beside_its_field(council, before, field):
    task_id = waiting(council, DETERMINATION, demo_council.TODAY[0], "determination_decision")
    with pytest.raises(FieldErrors) as caught:
        measures.decide(council, DETERMINATION, task_id, measures=[
            {"spec": "writing_only", "reason": "Swore.", "told": "By telephone."}], before=before)
    assert field in caught.value.errors
    assert decided(council, task_id) is None


@pytest.fixture(scope="module")
def council_for_property(tmp_path_factory) -> Context:
    ctx = Context.open(tmp_path_factory.mktemp("property") / "council.db", demo.settings(None, "council"),
                       clock=FixedClock(START, tick=timedelta(seconds=1)))
    demo.fill(ctx, START)
    yield ctx
    ctx.store.close()


TRIGGERS = ["threat_of_harm", "violence_to_premises", "swore_once"]


@given(given_=st.booleans(), on=st.sampled_from(["", "2026-01-05", "2099-01-01", "soon"]),
       how=st.sampled_from(["", HOW, "In person", "By carrier pigeon"]),
       bans=st.dictionaries(st.sampled_from(TRIGGERS), st.sampled_from(["", "  ", "Threatened to hit Amy."]), max_size=3),
       spec=st.sampled_from(["writing_only", "premises_ban", "set_times"]))
def test_no_restriction_decision_without_the_opportunity_recorded_or_an_instant_ban_trigger(
        council_for_property, given_, on, how, bans, spec):
    """Property (12.2): whatever is typed, a restriction is set only with the opportunity to modify
    recorded (a date not after today and one of the pack's ways) or a known instant-ban trigger ticked
    with what happened; a refusal stores nothing."""
    ctx = council_for_property
    customer_id = customers.matching(ctx, name=demo_council.TODAY[0], reference=demo_council.TODAY[1]).id
    task_id = measures.propose(ctx, LINE_MANAGER, customer_id, "Asks for a decision.")
    before = {"chance_given": given_, "chance_on": on, "chance_how": how, "instant_ban": bans}
    try:
        set_ids = measures.decide(ctx, DETERMINATION, task_id, measures=[
            {"spec": spec, "reason": "Swore at staff.", "told": "By telephone."}], before=before)
    except FieldErrors:
        assert decided(ctx, task_id) is None and queries.task(ctx.store.db, task_id).status == "open"
        return
    stored = decided(ctx, task_id)["before"]["chance_to_modify"]
    opportunity = stored["given"] and stored["on"] <= measures.today(ctx).isoformat() and stored["how"] in (
        ctx.pack.measures.chance_to_modify.how)
    triggers = {t.id for t in ctx.pack.measures.chance_to_modify.instant_ban}
    instant = bool(stored["instant_ban"]) and all(k in triggers and v.strip() for k, v in stored["instant_ban"].items())
    assert set_ids and (opportunity or instant), before


def test_no_review_period_is_invented_but_a_review_date_given_is_checked(council):
    """Neither the council's document nor the ICO's sets a review period: no restriction requires one
    (the review notes say so); one typed is checked as before."""
    from counter_tui.policy.loader import load_pack

    for pack_id in ("council", "ico"):
        pack = load_pack(pack_id)
        assert all(not spec.review_required for spec in pack.measures.types if spec.kind == "restriction"), pack_id
        assert any("no review period" in note for note in pack.review_notes), pack_id
    task_id = waiting(council, DETERMINATION, demo_council.THREAT_TODAY[0], "determination_decision")
    with pytest.raises(FieldErrors) as caught:
        measures.decide(council, DETERMINATION, task_id, measures=[BAN | {"review_on": "2020-01-01"}],
                        before=THREAT | {"investigation_not_relevant": "Footage settles it."})
    assert list(caught.value.errors) == ["premises_ban.review_on"]
