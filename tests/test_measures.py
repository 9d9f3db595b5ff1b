"""Control measures: asked for from a customer's record or a contact, decided by the pack's role and
never by whoever asked, reviewed as the review date nears, and shown at the start of every contact.

GIVEN the test pack tests/packs/measures_test.toml (a marker, two restrictions, a warning given),
WHEN staff propose, decide, review and read measures, THEN what is stored, returned or refused is
exactly what the pack allows, each refusal is an `access.refused` event, and nothing is overwritten.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.policy.engine import ChoiceNotOffered
from counter_tui.policy.lint import lint
from counter_tui.policy.loader import load_pack_file
from counter_tui.services import access, contacts, customers, measure_record, measure_review, measures, queue, records, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound, Refused
from counter_tui.services.measure_review import MeasureConflict
from counter_tui.store import events
from counter_tui.store import measures as measure_store
from tests.conftest import START, from_template, pack_key

PACK = Path(__file__).parent / "packs" / "measures_test.toml"
MAIN, SECOND = "Main office", "Second office"
CASE = Actor(number="5001", name="Nia Jones", role="caseworker", office=MAIN)
LEADER = Actor(number="5002", name="Tina Shaw", role="team_leader", office=MAIN)
FAR_CASE = Actor(number="5003", name="Omar Farah", role="caseworker", office=SECOND)
MANAGER = Actor(number="6001", name="Grace Adeyemi", role="nominated_manager", office=MAIN)
OTHER_MANAGER = Actor(number="6002", name="Lee Grant", role="nominated_manager", office=MAIN)
FAR_MANAGER = Actor(number="6003", name="Ana Silva", role="nominated_manager", office=SECOND)
HEAD = Actor(number="7001", name="Pat Moore", role="head", office=MAIN)
STAFF = (CASE, LEADER, FAR_CASE, MANAGER, OTHER_MANAGER, FAR_MANAGER, HEAD)

NAME, REFERENCE = "Mr Ian Abel", "REF 0001"
TODAY = date(2026, 11, 25)
"""START's day in London (winter: London is on UTC)."""
WORDS = ["We can only deal with you in writing. I am ending this call now."]


def measures_context(db: Path, clock: FixedClock, members: tuple[Actor, ...] = STAFF) -> Context:
    """The test pack with two offices and the members of staff given (each PIN hash takes 0.1 s, so
    built once per set of members and pack text, then copied)."""

    def build(db: Path, clock: FixedClock) -> Context:
        ctx = Context.open(db, Settings(policy=str(PACK), offices=[MAIN, SECOND]), clock=clock)
        for actor in members:
            staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin="123427")
        return ctx

    pack = pack_key(str(PACK))
    return from_template(db, clock, pack and ("measures_context", pack, tuple(members)), build)


@pytest.fixture
def mctx(tmp_path, clock) -> Context:
    return measures_context(tmp_path / "measures.db", clock)


def a_customer(ctx: Context, name: str = NAME, reference: str = REFERENCE) -> str:
    return customers.add(ctx, CASE, name=name, reference=reference)


def proposed(ctx: Context, customer_id: str, by: Actor = CASE) -> str:
    """A caseworker's request for a decision; returns the decide task's id."""
    return measures.propose(ctx, by, customer_id, "Shouted at staff on three calls this week.")


def marker(**extra: str) -> dict[str, str]:
    return {"spec": "pv_marker", "reason": "Threatened to hurt staff on the telephone.", **extra}


def writing(**extra: str) -> dict[str, str]:
    return {"spec": "writing_only", "reason": "Abusive on every call.", "told": "Told by letter on the day.",
            "review_on": "2027-05-25", **extra}


SPEC_INPUT = {
    "pv_marker": marker(),
    "writing_only": writing(),
    "oral_warning": {"spec": "oral_warning", "reason": "Warned on the call about swearing."},
    "head_only": {"spec": "head_only", "reason": "Calls several officers a day."},
}
"""A valid decision for each measure type of the pack."""


def set_measures(ctx: Context, customer_id: str, *items: dict[str, str], by: Actor = MANAGER) -> list[str]:
    """A caseworker asks and `by` decides `items`; returns the measures' ids."""
    return measures.decide(ctx, by, proposed(ctx, customer_id), measures=list(items))


def kinds(ctx: Context, kind: str) -> list[dict]:
    rows = ctx.store.db.execute("SELECT actor, payload FROM events WHERE kind = ? ORDER BY seq", [kind]).fetchall()
    return [{"actor": actor, **json.loads(payload)} for actor, payload in rows]


def done_note(ctx: Context, task_id: str) -> str:
    return ctx.store.db.execute("SELECT done_note FROM tasks WHERE id = ?", [task_id]).fetchone()[0]


def snapshot(ctx: Context) -> tuple[list, list]:
    """Every measure and every task as stored."""
    db = ctx.store.db
    return (db.execute("SELECT * FROM measures ORDER BY id").fetchall(),
            db.execute("SELECT id, status, done_note FROM tasks ORDER BY id").fetchall())


def review_tasks(ctx: Context, actor: Actor = MANAGER) -> list:
    return [item.task for item in queue.my_queue(ctx, actor).items if item.task.spec == "review"]


def test_the_test_pack_lints_clean():
    """GIVEN the test pack WHEN it is linted THEN nothing is found (P014 included)."""
    assert lint(load_pack_file(PACK)) == []


# 1. Proposing from the record


def test_a_proposal_puts_a_decision_on_the_nominated_managers_queue_at_the_proposers_office(mctx):
    """GIVEN a customer WHEN a caseworker asks for a decision THEN a `decide` task naming the customer is on
    the nominated manager's queue at the caseworker's office; a role that may not ask is refused, recorded."""
    customer_id = a_customer(mctx)
    task_id = measures.propose(mctx, FAR_CASE, customer_id, "  Persistent calls about the same complaint.  ")
    task = queue.get_task(mctx, task_id)
    assert (task.spec, task.role, task.office, task.status) == ("decide", "nominated_manager", SECOND, "open")
    assert (task.customer_name, task.reference) == (NAME, REFERENCE)
    assert task.due_at - task.created_at == timedelta(hours=24), "the decide task's own clock"
    assert [item.task.id for item in queue.my_queue(mctx, FAR_MANAGER).items] == [task_id]
    assert queue.my_queue(mctx, MANAGER).items == [], "another office's decision"
    asked = measures.request(mctx, FAR_MANAGER, task_id)
    assert asked.proposers == [FAR_CASE.number] and asked.customer.id == customer_id
    assert asked.reason == "Persistent calls about the same complaint." and asked.live == []
    assert [t.id for t in asked.types] == ["pv_marker", "writing_only", "oral_warning", "head_only"]
    assert queue.get_task(mctx, measures.propose(mctx, LEADER, customer_id, "Another angle.")).office == MAIN

    for actor in (MANAGER, HEAD):
        with pytest.raises(Refused, match="only the Caseworker or the Team leader may do this"):
            measures.propose(mctx, actor, customer_id, "I would like a marker.")
    refused = kinds(mctx, "access.refused")
    assert [(r["actor"], r["what"]) for r in refused] == [
        (MANAGER.number, "ask for a decision on control measures"), (HEAD.number, "ask for a decision on control measures")]
    with pytest.raises(FieldErrors) as blank:
        measures.propose(mctx, CASE, customer_id, "   ")
    assert set(blank.value.errors) == {"reason"}
    with pytest.raises(NotFound):
        measures.propose(mctx, CASE, "P-999999", "Nobody.")
    assert mctx.store.db.execute("SELECT count(*) FROM tasks WHERE spec = 'decide'").fetchone()[0] == 2
    assert len(kinds(mctx, "measure.requested")) == 2


def test_someone_without_the_decide_tasks_role_cannot_even_read_the_request(mctx):
    """GIVEN a decision asked for WHEN a caseworker, team leader or head opens it THEN each is refused and recorded."""
    task_id = proposed(mctx, a_customer(mctx))
    for actor in (CASE, LEADER, HEAD):
        with pytest.raises(Refused, match="only the Nominated manager may do this"):
            measures.request(mctx, actor, task_id)
    assert [r["actor"] for r in kinds(mctx, "access.refused")] == [CASE.number, LEADER.number, HEAD.number]
    with pytest.raises(NotFound):
        measures.request(mctx, MANAGER, "T-999999")


# 2. Deciding


def test_deciding_stores_each_measure_with_its_reason_dates_and_proposers(tmp_path):
    """GIVEN a request at 00:30 on 1 July in London (23:30 UTC on 30 June) WHEN the manager sets a marker with a
    blank review date and a writing-only restriction with a date THEN both are stored, the marker reviewed 12
    months from the London day, the task is done with a note, and `measure.decided` is recorded."""
    clock = FixedClock(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=timedelta(seconds=1))
    ctx = measures_context(tmp_path / "m.db", clock)
    customer_id = a_customer(ctx)
    task_id = proposed(ctx, customer_id)
    ids = measures.decide(ctx, MANAGER, task_id, measures=[
        marker(review_on="  ", connected_person="Mr Tom Abel", detail="Witness statements from two officers."),
        writing(review_on="2027-01-15"),
    ])
    stored = {m.spec: m for m in measure_store.for_customer(ctx.store.db, customer_id)}
    assert ids == [stored["pv_marker"].id, stored["writing_only"].id] == ["M-000001", "M-000002"]
    pv = stored["pv_marker"]
    assert pv.starts_on == date(2026, 7, 1), "today in London"
    assert pv.review_on == date(2027, 7, 1), "12 months from the London day, not from 30 June (UTC)"
    assert (pv.kind, pv.status, pv.version, pv.office, pv.pack) == ("marker", "live", 1, MAIN, "measures_test")
    assert pv.reason == "Threatened to hurt staff on the telephone."
    assert (pv.connected_person, pv.detail) == ("Mr Tom Abel", "Witness statements from two officers.")
    assert (pv.proposers, pv.set_by, pv.changed_by) == ([CASE.number], MANAGER.number, MANAGER.number)
    assert pv.decision_task_id == task_id
    only = stored["writing_only"]
    assert (only.kind, only.starts_on, only.review_on) == ("restriction", date(2026, 7, 1), date(2027, 1, 15))
    assert (only.reason, only.told, only.proposers) == ("Abusive on every call.", "Told by letter on the day.", [CASE.number])

    task = queue.get_task(ctx, task_id)
    assert (task.status, task.done_by) == ("done", MANAGER.number)
    assert done_note(ctx, task_id) == "Set: M-000001 Potentially violent marker, M-000002 Contact in writing only"
    decided = [e for e in events.for_stream(ctx.store.db, f"task:{task_id}") if e.kind == "measure.decided"]
    assert len(decided) == 1 and decided[0].actor == MANAGER.number
    assert decided[0].payload == {"task_id": task_id, "outcome": "measures", "reason": "", "measure_ids": ids}
    assert [m.id for m in measures.request(ctx, MANAGER, proposed(ctx, customer_id)).live] == ["M-000002", "M-000001"]

    with pytest.raises(Refused, match="already been made"):
        measures.decide(ctx, OTHER_MANAGER, task_id, measures=[SPEC_INPUT["oral_warning"]])
    assert len(measure_store.for_customer(ctx.store.db, customer_id)) == 2


def test_no_further_action_with_its_reason_stores_no_measure_and_closes_the_task(mctx):
    """GIVEN a request WHEN the manager decides no further action with a reason THEN no measure is stored and
    the task is done with the pack's words; a blank reason, or neither or both outcomes, is refused beside the field."""
    customer_id = a_customer(mctx)
    task_id = proposed(mctx, customer_id)
    with pytest.raises(FieldErrors) as blank:
        measures.decide(mctx, MANAGER, task_id, no_further_action="  \n ")
    assert set(blank.value.errors) == {"no_further_action"}
    for neither_or_both in ({}, {"measures": [marker()], "no_further_action": "Both."}, {"measures": []}):
        with pytest.raises(FieldErrors) as form:
            measures.decide(mctx, MANAGER, task_id, **neither_or_both)
        assert set(form.value.errors) == {"form"}
    assert queue.get_task(mctx, task_id).status == "open"

    assert measures.decide(mctx, MANAGER, task_id, no_further_action="  One call only; she apologised.  ") == []
    assert measure_store.for_customer(mctx.store.db, customer_id) == []
    assert queue.get_task(mctx, task_id).status == "done"
    assert done_note(mctx, task_id) == "No further action: One call only; she apologised."
    (decided,) = kinds(mctx, "measure.decided")
    assert (decided["outcome"], decided["measure_ids"]) == ("no_further_action", [])
    assert decided["reason"] == "One call only; she apologised."
    assert kinds(mctx, "measure.set") == []


# 4. Validation beside the field


@pytest.mark.parametrize("items, errors", [
    ([marker(review_on=TODAY.isoformat())], {"pv_marker.review_on": "must be after today"}),
    ([marker(review_on="2026-11-01")], {"pv_marker.review_on": "must be after today"}),
    ([marker(review_on="2027-11-26")], {"pv_marker.review_on": "No later than 2027-11-25"}),
    ([marker(review_on="25/11/2027")], {"pv_marker.review_on": "YYYY-MM-DD"}),
    ([marker(review_on="2027-02-30")], {"pv_marker.review_on": "YYYY-MM-DD"}),
    ([marker(reason="")], {"pv_marker.reason": "Give the reason"}),
    ([marker(reason=" \n\t ")], {"pv_marker.reason": "Give the reason"}),
    ([writing(told="")], {"writing_only.told": "how the customer was told"}),
    ([writing(review_on="")], {"writing_only.review_on": "A review date is needed"}),
    ([{"spec": "no_such_measure", "reason": "x"}], {"no_such_measure.spec": "Not a measure of this procedure"}),
    ([marker(reason="Threats \u202eevil")], {"pv_marker.reason": "direction-changing"}),
    ([marker(reason="Bell \x07 rang")], {"pv_marker.reason": "control character"}),
    ([writing(told="By letter\nand by phone")], {"writing_only.told": "one line"}),
    ([marker(connected_person="Mr \u202eTom")], {"pv_marker.connected_person": "direction-changing"}),
    ([marker(review_on="soon"), writing(told="", review_on="2026-01-01")],
     {"pv_marker.review_on": "YYYY-MM-DD", "writing_only.told": "how the customer was told",
      "writing_only.review_on": "must be after today"}),
])
def test_a_decision_that_cannot_be_accepted_is_refused_beside_each_field(mctx, items, errors):
    """GIVEN a request WHEN a field of a measure cannot be accepted THEN FieldErrors names `SPEC.FIELD` with the
    message to show there, and nothing is stored: the task stays open."""
    customer_id = a_customer(mctx)
    task_id = proposed(mctx, customer_id)
    with pytest.raises(FieldErrors) as problem:
        measures.decide(mctx, MANAGER, task_id, measures=items)
    assert set(problem.value.errors) == set(errors)
    for key, fragment in errors.items():
        assert fragment in problem.value.errors[key], (key, problem.value.errors[key])
    if "No later than" in problem.value.errors.get("pv_marker.review_on", ""):
        assert "every 12 months" in problem.value.errors["pv_marker.review_on"], "the error names the limit"
    assert measure_store.for_customer(mctx.store.db, customer_id) == []
    assert queue.get_task(mctx, task_id).status == "open"


def test_the_latest_review_date_allowed_is_exactly_the_limit(mctx):
    """GIVEN the marker's 12-month limit WHEN the review is set on its last allowed day THEN it is accepted;
    the error for the day after names the limit and the guidance's period."""
    spec = mctx.pack.measures.type("pv_marker")
    assert measures.check_review(mctx, spec, "2027-11-25", TODAY) == date(2027, 11, 25)
    assert measures.check_review(mctx, spec, " 2026-11-26 ", TODAY) == date(2026, 11, 26)
    limit = r"No later than 2027-11-25: the guidance \(test\) sets a review at least every 12 months"
    with pytest.raises(ValueError, match=limit):
        measures.check_review(mctx, spec, "2027-11-26", TODAY)
    assert measures.check_review(mctx, mctx.pack.measures.type("oral_warning"), "2099-01-01", TODAY) is None, "never reviewed"


def test_markup_and_brackets_typed_in_a_decision_are_stored_as_text(mctx):
    """GIVEN Rich/Textual markup typed into a measure's reason, detail, told and connected person WHEN decided
    THEN it is stored verbatim and shown as text on the record, never interpreted or crashing."""
    customer_id = a_customer(mctx)
    markup = "[b]x[/b] [link=https://evil.example]click[/link] [red]unclosed [/] \\[escaped]"
    (measure_id,) = set_measures(mctx, customer_id, marker(reason=markup, detail=markup, connected_person="[i]Ann[/i]"))
    (restriction,) = set_measures(mctx, customer_id, writing(told="[@click=app.quit]told[/]"))
    stored = measure_store.measure(mctx.store.db, measure_id)
    assert (stored.reason, stored.detail, stored.connected_person) == (markup, markup, "[i]Ann[/i]")
    assert measure_store.measure(mctx.store.db, restriction).told == "[@click=app.quit]told[/]"
    assert measure_record.read_detail(mctx, MANAGER, measure_id) == markup
    shown = {line.measure.id: line.text for line in measure_record.for_record(mctx, customer_id)}
    assert shown[measure_id].endswith("a person connected to the customer: [i]Ann[/i]")


# 5. Four eyes


def test_whoever_asked_for_a_decision_can_never_make_it_or_review_the_measure(mctx):
    """GIVEN a nominated manager who took an abusive call and so asked for the decision WHEN they decide, or later
    review the measure, THEN they are refused (four eyes) and it is recorded; another manager may do both."""
    customer_id = a_customer(mctx)
    contact_id = contacts.start_contact(mctx, MANAGER, "telephone", customer_name=NAME, reference=REFERENCE)
    contacts.take_step(mctx, MANAGER, contact_id, 2, at_step="answer")
    (task_id,) = records.finish(mctx, MANAGER, contact_id, {}).task_ids
    asked = measures.request(mctx, MANAGER, task_id)
    assert asked.proposers == [MANAGER.number] and asked.customer.id == customer_id and asked.incident is not None

    with pytest.raises(Refused, match="a decision needs a second person"):
        measures.decide(mctx, MANAGER, task_id, measures=[marker()])
    with pytest.raises(Refused, match="a decision needs a second person"):
        measures.decide(mctx, MANAGER, task_id, no_further_action="Nothing to see.")
    assert measure_store.for_customer(mctx.store.db, customer_id) == [] and queue.get_task(mctx, task_id).status == "open"

    (measure_id,) = measures.decide(mctx, OTHER_MANAGER, task_id, measures=[marker()])
    stored = measure_store.measure(mctx.store.db, measure_id)
    assert (stored.proposers, stored.set_by, stored.incident_id) == ([MANAGER.number], OTHER_MANAGER.number, asked.incident.id)
    with pytest.raises(Refused, match="you drafted it"):
        measure_review.review(mctx, MANAGER, measure_id, action="lift", reason="I changed my mind.", version=1)
    assert measure_store.measure(mctx.store.db, measure_id) == stored
    refused = kinds(mctx, "access.refused")
    assert [(r["actor"], r["what"]) for r in refused] == [
        (MANAGER.number, "decide on control measures you asked for"),
        (MANAGER.number, "decide on control measures you asked for"),
        (MANAGER.number, "review the measure 'Potentially violent marker' you asked for"),
    ]
    measure_review.review(mctx, OTHER_MANAGER, measure_id, action="lift", reason="Apologised in writing.", version=1)
    assert measure_store.measure(mctx.store.db, measure_id).status == "lifted"


def test_the_caseworker_whose_call_asked_for_a_decision_is_refused_by_role_and_the_rule_is_one_check(mctx):
    """GIVEN a decide task handed off from a caseworker's call WHEN that caseworker tries to decide THEN the role
    refuses them first; and `require_four_eyes` refuses exactly the authors, recording each refusal."""
    a_customer(mctx)
    contact_id = contacts.start_contact(mctx, CASE, "telephone", customer_name=NAME, reference=REFERENCE)
    contacts.take_step(mctx, CASE, contact_id, 2, at_step="answer")
    (task_id,) = records.finish(mctx, CASE, contact_id, {}).task_ids
    assert measures.request(mctx, MANAGER, task_id).proposers == [CASE.number]
    with pytest.raises(Refused, match="only the Nominated manager"):
        measures.decide(mctx, CASE, task_id, measures=[marker()])
    assert queue.get_task(mctx, task_id).status == "open"

    access.require_four_eyes(mctx, MANAGER, [CASE.number], "decide")  # not an author: allowed, nothing recorded
    with pytest.raises(Refused, match="You cannot decide: you drafted it, and a decision needs a second person."):
        access.require_four_eyes(mctx, CASE, [CASE.number, LEADER.number], "decide")
    assert [(r["actor"], r["what"]) for r in kinds(mctx, "access.refused")] == [
        (CASE.number, "decide on control measures ('Decide on control measures')"), (CASE.number, "decide")]


# 6. Only the deciding roles


ACTORS = [CASE, LEADER, MANAGER, HEAD]
SPECS = list(SPEC_INPUT)
ATTEMPTS = [("set", spec, "") for spec in SPECS] + [
    ("review", spec, action) for spec in SPECS for action in ("extend", "change", "lift")]


@settings(max_examples=min(settings.default.max_examples, 20))
@given(tries=st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(ATTEMPTS)), min_size=1, max_size=6))
def test_only_the_deciding_roles_set_or_review_a_measure(tmp_path_factory, tries):
    """GIVEN any member of staff and any measure type WHEN they set it (by the decide task) or review it THEN
    only the decide task's role that is also in the type's `decided_by` sets it, only `decided_by` reviews it;
    every other attempt is refused, recorded, and stores nothing else."""
    ctx = measures_context(tmp_path_factory.mktemp("roles") / "m.db", FixedClock(START, tick=timedelta(seconds=1)),
                           members=())  # no names are shown here: the register is not needed
    customer_id = a_customer(ctx)
    for actor, (what, spec_id, action) in tries:
        spec = ctx.pack.measures.type(spec_id)
        if what == "set":
            task_id = proposed(ctx, customer_id)
            allowed = actor.role == ctx.pack.task("decide").role and actor.role in spec.decided_by
            attempt = lambda: measures.decide(ctx, actor, task_id, measures=[SPEC_INPUT[spec_id]])  # noqa: E731
        else:
            (measure_id,) = set_measures(ctx, customer_id, SPEC_INPUT[spec_id])
            allowed = actor.role in spec.decided_by
            attempt = lambda: measure_review.review(  # noqa: E731
                ctx, actor, measure_id, action=action, reason="Reviewed.", version=1, review_on="2027-01-25",
                terms="Deal with one named officer only." if action == "change" else "")
        before, count = snapshot(ctx), events.count(ctx.store.db)
        refusals = len(kinds(ctx, "access.refused"))
        if allowed:
            attempt()
            if what == "set":
                assert queue.get_task(ctx, task_id).status == "done"
                assert measure_store.for_customer(ctx.store.db, customer_id)[0].spec == spec_id
            else:
                changed = measure_store.measure(ctx.store.db, measure_id)
                assert (changed.version, changed.status) == (2, "lifted" if action == "lift" else "live")
        else:
            with pytest.raises(Refused):
                attempt()
            assert snapshot(ctx) == before, (actor.role, what, spec_id, action)
            assert events.count(ctx.store.db) == count + 1 and len(kinds(ctx, "access.refused")) == refusals + 1
    ctx.store.close()


def test_the_head_reviews_but_never_decides_the_measure_it_may_set(mctx):
    """GIVEN `head_only`, decided by the head and the nominated manager WHEN the head decides THEN the decide task's
    role refuses them; WHEN the head reviews a measure of it THEN it is extended; other types refuse the head."""
    customer_id = a_customer(mctx)
    task_id = proposed(mctx, customer_id)
    with pytest.raises(Refused):
        measures.decide(mctx, HEAD, task_id, measures=[SPEC_INPUT["head_only"]])
    head_only, pv = measures.decide(mctx, MANAGER, task_id, measures=[SPEC_INPUT["head_only"], marker()])
    assert measure_store.measure(mctx.store.db, head_only).review_on == date(2027, 2, 25), "3 months by default"
    assert measure_review.get(mctx, HEAD, head_only).spec.id == "head_only"
    measure_review.review(mctx, HEAD, head_only, action="extend", reason="Still needed.", version=1, review_on="2027-05-01")
    assert measure_store.measure(mctx.store.db, head_only).review_on == date(2027, 5, 1)
    with pytest.raises(Refused, match="only the Nominated manager may do this"):
        measure_review.get(mctx, HEAD, pv)


# 7. Reviewing


def test_a_measure_is_extended_changed_and_lifted_each_with_its_reason_and_version(mctx):
    """GIVEN a live marker WHEN it is extended, changed and lifted THEN its review date, terms, status and version
    follow each review; a stale version names who changed it and overwrites nothing; a lifted one is final."""
    customer_id = a_customer(mctx)
    (measure_id,) = set_measures(mctx, customer_id, marker())
    found = measure_review.get(mctx, MANAGER, measure_id)
    assert (found.customer_name, found.reference, found.measure.version) == (NAME, REFERENCE, 1)
    assert found.measure.review_on == date(2027, 11, 25)

    measure_review.review(mctx, MANAGER, measure_id, action="extend", reason="Still threatening.", version=1,
                          review_on="2027-06-30")
    extended = measure_store.measure(mctx.store.db, measure_id)
    assert (extended.status, extended.review_on, extended.version) == ("live", date(2027, 6, 30), 2)
    assert extended.reason == "Threatened to hurt staff on the telephone." and extended.changed_by == MANAGER.number

    terms = "Two officers at every appointment; no home visits."
    measure_review.review(mctx, MANAGER, measure_id, action="change", reason="New threats.", version=2,
                          terms=terms, review_on="2027-03-31")
    changed = measure_store.measure(mctx.store.db, measure_id)
    assert (changed.status, changed.reason, changed.review_on, changed.version) == ("live", terms, date(2027, 3, 31), 3)

    with pytest.raises(MeasureConflict, match="Grace Adeyemi changed this measure at 09:00") as conflict:
        measure_review.review(mctx, OTHER_MANAGER, measure_id, action="lift", reason="Calm now.", version=2)
    assert "review 2027-03-31" in str(conflict.value) and "nothing was saved" in str(conflict.value)
    assert measure_store.measure(mctx.store.db, measure_id) == changed, "nothing overwritten"

    measure_review.review(mctx, OTHER_MANAGER, measure_id, action="lift", reason="Apologised in writing.", version=3)
    lifted = measure_store.measure(mctx.store.db, measure_id)
    assert (lifted.status, lifted.lifted_reason, lifted.version, lifted.changed_by) == (
        "lifted", "Apologised in writing.", 4, OTHER_MANAGER.number)
    assert lifted.reason == terms and lifted.review_on is None
    with pytest.raises(Refused, match="lifted already"):
        measure_review.review(mctx, MANAGER, measure_id, action="extend", reason="Again.", version=4, review_on="2027-01-01")
    assert measure_store.measure(mctx.store.db, measure_id) == lifted
    reviewed = [e.payload["action"] for e in events.for_stream(mctx.store.db, f"customer:{customer_id}")
                if e.kind == "measure.reviewed"]
    assert reviewed == ["extend", "change", "lift"]


def test_a_review_that_cannot_be_accepted_is_refused_beside_its_fields(mctx):
    """GIVEN a live marker WHEN a review lacks its reason, its new date or its new terms, or the date is past or
    beyond the limit THEN FieldErrors names each field and the measure is unchanged."""
    (measure_id,) = set_measures(mctx, a_customer(mctx), marker())
    before = measure_store.measure(mctx.store.db, measure_id)
    cases = [
        ({"action": "extend", "reason": " ", "review_on": "2027-01-01"}, {"reason"}),
        ({"action": "extend", "reason": "Still needed.", "review_on": ""}, {"review_on"}),
        ({"action": "extend", "reason": "Still needed.", "review_on": TODAY.isoformat()}, {"review_on"}),
        ({"action": "extend", "reason": "Still needed.", "review_on": "2027-11-26"}, {"review_on"}),
        ({"action": "change", "reason": "", "terms": "", "review_on": "x"}, {"reason", "terms", "review_on"}),
        ({"action": "lift", "reason": "Bad \u202e reason"}, {"reason"}),
    ]
    for given_, keys in cases:
        with pytest.raises(FieldErrors) as problem:
            measure_review.review(mctx, MANAGER, measure_id, version=1, **given_)
        assert set(problem.value.errors) == keys, given_
    assert measure_store.measure(mctx.store.db, measure_id) == before


def test_how_the_customer_was_told_at_a_review_is_checked_like_at_the_decision(mctx):
    """GIVEN a live restriction WHEN a review's `told` holds a bidi override THEN it is refused beside `told`, as at decision."""
    (measure_id,) = set_measures(mctx, a_customer(mctx), writing())
    with pytest.raises(FieldErrors) as problem:
        measure_review.review(mctx, MANAGER, measure_id, action="extend", reason="Still abusive.", version=1,
                              review_on="2027-03-01", told="Told by \u202ephone\x07")
    assert set(problem.value.errors) == {"told"}
    assert measure_store.measure(mctx.store.db, measure_id).version == 1


# 8. Review tasks reach the queue as the date nears


def test_the_review_task_reaches_the_queue_once_within_the_notice_and_again_only_when_the_new_date_nears(tmp_path):
    """GIVEN a marker to review on 1 July set on 1 June WHEN the clock passes 14 days before it THEN one `review`
    task, due at midnight London time, is on the manager's queue however often it is read; reviewing it closes
    it, and the next task comes only when the new date nears."""
    clock = FixedClock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC), tick=timedelta(seconds=1))
    ctx = measures_context(tmp_path / "m.db", clock)
    customer_id = a_customer(ctx)
    (measure_id,) = set_measures(ctx, customer_id, marker(review_on="2026-07-01"))
    ctx.settings.deadlines["measure_review_notice"] = 336  # 14 days' notice: configured (the guidance sets none)
    assert review_tasks(ctx) == [] and queue.my_queue(ctx, MANAGER).items == []
    clock.advance(timedelta(days=15))  # 16 June: 1 July is still more than 14 days away
    assert review_tasks(ctx) == []
    clock.advance(timedelta(days=5))  # 21 June
    (task,) = review_tasks(ctx)
    assert (task.role, task.office, task.customer_name, task.reference) == ("nominated_manager", MAIN, NAME, REFERENCE)
    assert task.due_at == datetime(2026, 6, 30, 23, 0, tzinfo=UTC), "the start of 1 July in London (BST)"
    assert [t.id for t in review_tasks(ctx)] == [task.id], "read again: still one"
    assert measure_review.queue_due(ctx) == 0
    assert [i.task.id for i in queue.all_open(ctx, spec="review").items] == [task.id]
    assert review_tasks(ctx, CASE) == [] and review_tasks(ctx, FAR_MANAGER) == []
    assert measure_store.measure(ctx.store.db, measure_id).review_task_id == task.id

    found = measure_review.for_task(ctx, MANAGER, task.id)
    assert found.measure.id == measure_id and found.spec.id == "pv_marker"
    with pytest.raises(Refused):
        measure_review.for_task(ctx, CASE, task.id)
    measure_review.review(ctx, MANAGER, measure_id, action="extend", reason="Still threatening.", version=1,
                          review_on="2027-01-15")
    assert queue.get_task(ctx, task.id).status == "done"
    assert done_note(ctx, task.id) == "Extend to a new review date: Still threatening."
    assert review_tasks(ctx) == []
    with pytest.raises(NotFound):
        measure_review.for_task(ctx, MANAGER, task.id)

    clock.advance(timedelta(days=190))  # 28 December: 15 January is still more than 14 days away
    assert review_tasks(ctx) == []
    clock.advance(timedelta(days=5))  # 2 January
    (again,) = review_tasks(ctx)
    assert again.id != task.id and again.due_at == datetime(2027, 1, 15, 0, 0, tzinfo=UTC), "midnight in London (GMT)"
    assert measure_review.for_task(ctx, MANAGER, again.id).measure.id == measure_id


def test_measures_never_reviewed_or_lifted_put_no_task_on_the_queue(mctx, clock):
    """GIVEN a warning given (never reviewed) and a lifted marker WHEN the clock passes their dates THEN no review is queued."""
    customer_id = a_customer(mctx)
    warning, pv = set_measures(mctx, customer_id, SPEC_INPUT["oral_warning"], marker(review_on="2026-12-20"))
    assert measure_store.measure(mctx.store.db, warning).review_on is None
    measure_review.review(mctx, MANAGER, pv, action="lift", reason="Apologised.", version=1)
    clock.advance(timedelta(days=400))
    assert measure_review.queue_due(mctx) == 0 and review_tasks(mctx) == []


# 9. At the start of a contact


def test_a_contact_shows_the_restriction_first_and_offers_the_restricted_choice(mctx):
    """GIVEN a writing-only restriction and a marker WHEN a telephone contact starts THEN the restriction that turns
    the customer away comes first with its words, the `restricted` choice is offered and ends the call; in writing it
    is not refused; once lifted it no longer shows; a customer with no measure is never offered that choice."""
    customer_id = a_customer(mctx)
    pv, restriction = set_measures(mctx, customer_id, marker(), writing())
    telephone = measure_record.on_record(mctx, customer_id, "telephone")
    assert [(i.spec.id, i.refused_here) for i in telephone] == [("writing_only", True), ("pv_marker", False)]
    assert telephone[0].effect.say == WORDS
    assert telephone[1].effect.guidance == ["Be ready to end the call if the customer becomes abusive."]
    assert telephone[1].text == "Potentially violent marker since 25 Nov 2026 · review by 25 Nov 2027"
    written = measure_record.on_record(mctx, customer_id, "written")
    assert [(i.spec.id, i.refused_here) for i in written] == [("writing_only", False), ("pv_marker", False)]
    assert written[1].effect is None
    assert measure_record.restricted_here(mctx, customer_id, "telephone") is True
    assert measure_record.restricted_here(mctx, customer_id, "written") is False
    assert measure_record.on_record(mctx, None, "telephone") == []

    contact_id = contacts.start_contact(mctx, CASE, "telephone", customer_name=NAME, reference=REFERENCE)
    view = contacts.view(mctx, contact_id)
    assert view.contact.customer_id == customer_id and view.facts.restricted is True
    assert [(n, c.only_if) for n, c in view.offered] == [(1, "restricted"), (2, None), (3, None)]
    ended = contacts.take_step(mctx, CASE, contact_id, 1, at_step="answer")
    assert ended.step.id == "refuse" and ended.state.allowed_by == "test"
    assert records.finish(mctx, CASE, contact_id, {}).task_ids == [], "ended politely: no warning was needed"

    other_id = a_customer(mctx, name="Ms Jo Client", reference="REF 0002")
    plain = contacts.start_contact(mctx, CASE, "telephone", customer_name="Ms Jo Client", reference="REF 0002")
    assert contacts.view(mctx, plain).contact.customer_id == other_id
    assert [n for n, _ in contacts.view(mctx, plain).offered] == [2, 3]
    with pytest.raises(ChoiceNotOffered):
        contacts.take_step(mctx, CASE, plain, 1, at_step="answer")

    measure_review.review(mctx, MANAGER, restriction, action="lift", reason="Polite for six months.", version=1)
    assert [i.measure.id for i in measure_record.on_record(mctx, customer_id, "telephone")] == [pv]
    assert measure_record.restricted_here(mctx, customer_id, "telephone") is False
    again = contacts.start_contact(mctx, CASE, "telephone", customer_name=NAME, reference=REFERENCE)
    assert [n for n, _ in contacts.view(mctx, again).offered] == [2, 3]
    lines = measure_record.for_record(mctx, customer_id)
    assert [(line.measure.id, line.measure.status) for line in lines] == [(pv, "live"), (restriction, "lifted")]
    assert lines[1].text == "Contact in writing only since 25 Nov 2026 — lifted 25 Nov 2026"


# 10. The investigation's detail


def test_the_detail_is_read_only_by_the_roles_named_and_each_reading_is_recorded(mctx):
    """GIVEN a marker with its investigation's detail WHEN the team leader and nominated manager read it THEN it is
    returned and each reading is a `measure.detail_viewed` event; a caseworker or the head gets None, unrecorded."""
    customer_id = a_customer(mctx)
    (measure_id,) = set_measures(mctx, customer_id, marker(detail="Statements from two officers; CCTV kept."))
    for actor in (LEADER, MANAGER):
        assert measure_record.may_read_detail(mctx, actor) is True
        assert measure_record.read_detail(mctx, actor, measure_id) == "Statements from two officers; CCTV kept."
    for actor in (CASE, HEAD):
        assert measure_record.may_read_detail(mctx, actor) is False
        assert measure_record.read_detail(mctx, actor, measure_id) is None
    viewed = [e for e in events.for_stream(mctx.store.db, f"customer:{customer_id}") if e.kind == "measure.detail_viewed"]
    assert [(e.actor, e.payload) for e in viewed] == [
        (LEADER.number, {"measure_id": measure_id}), (MANAGER.number, {"measure_id": measure_id})]


# 11. Review periods


@pytest.mark.parametrize("day, months, expected", [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2028, 2, 29), 48, date(2032, 2, 29)),
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2026, 3, 31), 6, date(2026, 9, 30)),
    (date(2026, 8, 31), 0, date(2026, 8, 31)),
    (date(2026, 12, 31), 12, date(2027, 12, 31)),
])
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    """GIVEN a day WHEN months are added THEN the same day follows, or the month's last where it is shorter."""
    assert measures.add_months(day, months) == expected


def test_the_default_review_follows_the_pack(mctx):
    """GIVEN each measure type WHEN its default review is asked for THEN it is the pack's period, or none."""
    types = mctx.pack.measures
    assert measures.default_review(types.type("pv_marker"), date(2028, 2, 29)) == date(2029, 2, 28)
    assert measures.default_review(types.type("head_only"), date(2026, 11, 30)) == date(2027, 2, 28)
    assert measures.default_review(types.type("writing_only"), TODAY) is None, "the decider sets the date"
    assert measures.default_review(types.type("oral_warning"), TODAY) is None, "never reviewed"


def test_an_unknown_review_action_is_refused_and_stores_nothing(mctx):
    """GIVEN a live measure WHEN a review names an action other than extend, change or lift THEN it is refused beside `action`."""
    (measure_id,) = set_measures(mctx, a_customer(mctx), marker())
    before = measure_store.measure(mctx.store.db, measure_id)
    with pytest.raises(FieldErrors) as caught:
        measure_review.review(mctx, MANAGER, measure_id, action="delete", reason="Tidy up.", version=before.version)
    assert "action" in caught.value.errors
    assert measure_store.measure(mctx.store.db, measure_id) == before
