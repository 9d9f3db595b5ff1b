"""A customer refuses to be served because of a staff member's protected characteristic (issue 18 item 5).

HMPO, "Customer conduct: abusive customers in a public facing area": "If a customer refuses to be
served because of a staff member's protected characteristic, you (the person dealing with the
customer), must refer them to the executive officer (EO) counter manager. You, the EO counter
manager, must: not allow the customer to be served by someone else; only allow the customer to be
served by someone else, if the staff member asks for it."

GIVEN Chloe at the counter and Owen her EO counter manager WHEN the customer refuses Chloe for a
characteristic THEN which one is recorded (and is in the counter note and the incident); only Chloe,
signed in as herself, says whether she asks for someone else to serve them; Owen's "someone else"
is refused, recorded as the one event, unless Chloe asked; once she did, it is stored, and being
served by someone else opens an incident with its report form and Chloe's welfare task.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.services import contacts, incident_report, records, staff
from counter_tui.services.step_rules import NotAskedFor, NotTheirOwn
from counter_tui.store import projections, queries
from counter_tui.store.connection import write
from tests.test_channels import complete
from tests.test_step_roles import CHLOE, COUNTER_KEY, OWEN, assert_only_refusal_recorded, counter_context, table_rows

RELIGION = 7
"""'Religion or belief', the seventh of the Equality Act 2010's nine, in the pack's order."""
DO_NOT_ASK, ASK = 1, 2
SOMEONE_ELSE = 1
"""At `refer_eo`: the member of staff asked for someone else to serve them: allow it."""
SIZE = (100, 34)


def signed_in(ctx):
    return staff.sign_in(ctx, CHLOE.number, CHLOE.pin), staff.sign_in(ctx, OWEN.number, OWEN.pin)


def at_the_question(ctx, chloe) -> str:
    contact_id = contacts.start_contact(ctx, chloe, "counter", customer_name="Mr Clive Barnsley", reference="PEX 6145 3378")
    contacts.take_step(ctx, chloe, contact_id, 1, at_step="what")
    contacts.take_step(ctx, chloe, contact_id, RELIGION, at_step="characteristic")
    return contact_id


def test_the_characteristic_is_recorded_and_in_the_note_and_the_incident(tmp_path, clock):
    ctx = counter_context(tmp_path, clock)
    chloe, owen = signed_in(ctx)
    contact_id = at_the_question(ctx, chloe)
    contacts.take_step(ctx, chloe, contact_id, ASK, at_step="staff_asks")
    contacts.take_step(ctx, owen, contact_id, SOMEONE_ELSE, at_step="refer_eo")
    taken = queries.steps(ctx.store.db, contact_id)
    assert [(s.step, s.label, s.actor) for s in taken] == [
        ("what", "They refuse to be served by me because of my protected characteristic", CHLOE.number),
        ("characteristic", "Religion or belief", CHLOE.number),
        ("staff_asks", "I ask for someone else to serve them", CHLOE.number),
        ("refer_eo", "The member of staff asked for someone else to serve them: allow it", OWEN.number),
    ]
    draft = {fid: text for fid, _, text, _ in records.draft_record(ctx, owen, contact_id)}
    required = {fid for fid, _, _, needed in records.draft_record(ctx, owen, contact_id) if needed}
    assert "Which of your protected characteristics is it? (Equality Act 2010): Religion or belief" in draft["what_happened"]
    finished = records.finish(ctx, owen, contact_id, {k: v or ("Recorded" if k in required else "") for k, v in draft.items()})
    assert finished.incident_id is not None  # served by someone else is still an incident
    specs = {t.spec: t for t in queries.tasks_for_contact(ctx.store.db, contact_id)}
    assert set(specs) == {"staff_threatened", "incident_report"}
    assert queries.contact(ctx.store.db, contact_id).outcome == "referred"
    manager = staff.add_staff(ctx, number="2001", name="Jo Lindqvist", role="line_manager", office=CHLOE.office, pin="234527")
    jo = staff.sign_in(ctx, manager.number, "234527")
    fields = {f.id: f.text for f in incident_report.draft(ctx, jo, specs["incident_report"].id).fields}
    assert "Religion or belief" in fields["details"] and "Religion or belief" in fields["action_taken"]


def test_without_her_request_the_eo_is_not_offered_and_is_refused_someone_else(tmp_path, clock):
    ctx = counter_context(tmp_path, clock)
    chloe, owen = signed_in(ctx)
    contact_id = at_the_question(ctx, chloe)
    contacts.take_step(ctx, chloe, contact_id, DO_NOT_ASK, at_step="staff_asks")
    view = contacts.view(ctx, contact_id)
    assert [c.label for _, c in view.offered] == [
        "The member of staff will continue to serve them, and the customer accepts",
        "They will not be served by the member of staff: warn them",
    ]
    before = table_rows(ctx)
    with pytest.raises(NotAskedFor, match="Only the member of staff the customer refused may ask for someone else"):
        contacts.take_step(ctx, owen, contact_id, SOMEONE_ELSE, at_step="refer_eo")
    assert_only_refusal_recorded(ctx, before, OWEN.number)
    refusal = ctx.store.db.execute("SELECT kind, payload FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    assert refusal[0] == "access.refused" and "Only the member of staff the customer refused" in refusal[1]
    # the document's remaining choices stay open to him
    assert contacts.take_step(ctx, owen, contact_id, 2, at_step="refer_eo").step.id == "served"


def test_the_eo_cannot_answer_for_her_at_her_terminal(tmp_path, clock):
    """Owen signed in at Chloe's terminal presses "I ask for someone else": refused, the one event."""
    ctx = counter_context(tmp_path, clock)
    chloe, owen = signed_in(ctx)
    contact_id = at_the_question(ctx, chloe)
    before = table_rows(ctx)
    with pytest.raises(NotTheirOwn, match="Only .* the member of staff dealing with the customer, may answer this"):
        contacts.take_step(ctx, owen, contact_id, ASK, at_step="staff_asks")
    assert_only_refusal_recorded(ctx, before, OWEN.number)
    assert contacts.view(ctx, contact_id).step.id == "staff_asks"


def test_a_request_recorded_by_anyone_else_does_not_count(tmp_path, clock):
    """A step event of the request whose actor is not the contact's member of staff (written behind the
    service's back, as by an older version or an import) does not let the EO allow someone else."""
    ctx = counter_context(tmp_path, clock)
    chloe, owen = signed_in(ctx)
    contact_id = at_the_question(ctx, chloe)
    db = ctx.store.db
    with write(db):
        projections.record(db, at=ctx.clock.now(), actor=owen.number, role=owen.role, kind="step.taken",
                           stream=f"contact:{contact_id}",
                           payload={"contact_id": contact_id, "position": 3, "step": "staff_asks", "number": ASK,
                                    "label": "I ask for someone else to serve them", "said": [], "next": "refer_eo",
                                    "immediate_risk": False, "warning": False})
    view = contacts.view(ctx, contact_id)
    assert view.step.id == "refer_eo"
    assert SOMEONE_ELSE not in [n for n, _ in view.offered]
    before = table_rows(ctx)
    with pytest.raises(NotAskedFor):
        contacts.take_step(ctx, owen, contact_id, SOMEONE_ELSE, at_step="refer_eo")
    assert_only_refusal_recorded(ctx, before, OWEN.number)


def test_the_pack_check_refuses_a_request_nobody_can_make():
    """`counter policy check`: P018 where the request names no choice, or a step anyone may take."""
    from importlib import resources

    from counter_tui.policy.lint import lint
    from counter_tui.policy.loader import parse_pack

    text = (resources.files("data.policies") / "hmpo.toml").read_text(encoding="utf-8")
    unknown = text.replace('choice = "staff_asks_someone_else"', 'choice = "nobody_asked"', 1)
    anyone = text.replace("  staff_own_decision = true", "", 1)
    for broken, words in ((unknown, "which is no choice of the flow"), (anyone, "is not staff_own_decision")):
        found = [f for f in lint(parse_pack(broken, "hmpo.toml")) if f.rule == "P018"]
        assert [(f.place, words in f.message) for f in found] == [("flows[counter].steps[refer_eo].choices[1]", True)], found


# --- at the counter, through f2 -------------------------------------------------------------------


async def chloe_refused(pilot, app) -> str:
    await pilot.press(*CHLOE.number, "enter", *CHLOE.pin, "enter")
    await pilot.press(COUNTER_KEY, "enter")
    assert isinstance(app.screen, ContactScreen)
    await pilot.press("1", str(RELIGION))
    await pilot.pause()
    assert app.screen.current.step.id == "staff_asks"
    return app.screen.contact_id


async def switch_to_owen(pilot) -> None:
    await pilot.press("f2")
    await pilot.press(*OWEN.number, "enter", *OWEN.pin, "enter")
    await pilot.pause()


async def test_at_the_counter_she_asks_and_the_eo_allows_it_at_his_sign_in(tmp_path, clock):
    ctx = counter_context(tmp_path, clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await chloe_refused(pilot, app)
        await pilot.press(str(ASK))
        await pilot.pause()
        assert app.screen.current.step.id == "refer_eo"
        await pilot.press("1")  # hers to ask, his to allow
        await pilot.pause()
        assert "Only the EO counter manager may decide this." in str(app.screen.query_one("#step-refused", Static).render())
        await switch_to_owen(pilot)
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        await complete(pilot, app)
    taken = [(s.step, s.actor) for s in queries.steps(ctx.store.db, contact_id)]
    assert taken == [("what", CHLOE.number), ("characteristic", CHLOE.number), ("staff_asks", CHLOE.number),
                     ("refer_eo", OWEN.number)]
    contact = queries.contact(ctx.store.db, contact_id)
    assert (contact.outcome, contact.staff_number) == ("referred", CHLOE.number) and contact.incident_id is not None
    assert {t.spec for t in queries.tasks_for_contact(ctx.store.db, contact_id)} == {"staff_threatened", "incident_report"}


async def test_at_the_counter_the_eo_cannot_ask_for_her(tmp_path, clock):
    ctx = counter_context(tmp_path, clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await chloe_refused(pilot, app)
        await switch_to_owen(pilot)
        before = table_rows(ctx)
        await pilot.press(str(ASK))
        await pilot.pause()
        assert app.screen.current.step.id == "staff_asks"
        text = str(app.screen.query_one("#step-refused", Static).render())
        assert "Only Chloe Evans, the member of staff dealing with the customer, may answer this" in text
        assert_only_refusal_recorded(ctx, before, OWEN.number)
        # she comes back and says she does not ask: the EO is offered the document's two choices
        await pilot.press("f2")
        await pilot.press(*CHLOE.number, "enter", *CHLOE.pin, "enter")
        await pilot.pause()
        await pilot.press(str(DO_NOT_ASK))
        await switch_to_owen(pilot)
        assert [c.label for _, c in app.screen.current.offered][0].startswith("The member of staff will continue")
    assert [s.step for s in queries.steps(ctx.store.db, contact_id)] == ["what", "characteristic", "staff_asks"]


# --- what the screen shows -----------------------------------------------------------------------

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_which_characteristic(snap_compare, tmp_path, size):
    from counter_tui.clock import FixedClock
    from tests.conftest import START

    ctx = counter_context(tmp_path, FixedClock(START))
    keys = [*CHLOE.number, "enter", *CHLOE.pin, "enter", COUNTER_KEY, "enter", "1"]
    assert snap_compare(CounterApp(ctx), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_does_she_ask_for_someone_else(snap_compare, tmp_path, size):
    from counter_tui.clock import FixedClock
    from tests.conftest import START

    ctx = counter_context(tmp_path, FixedClock(START))
    keys = [*CHLOE.number, "enter", *CHLOE.pin, "enter", COUNTER_KEY, "enter", "1", str(RELIGION)]
    assert snap_compare(CounterApp(ctx), press=keys, terminal_size=size)


# --- over every characteristic, answer and person at the terminal --------------------------------

@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from counter_tui.clock import FixedClock
    from tests.conftest import START

    ctx = counter_context(tmp_path_factory.mktemp("pc"), FixedClock(START))
    yield ctx
    ctx.store.close()


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(characteristic=st.integers(1, 9), asks=st.booleans(), answered_by_her=st.booleans())
def test_someone_else_only_ever_follows_her_own_request(shared, characteristic, asks, answered_by_her):
    """Whatever the characteristic and whoever presses the answer, the characteristic chosen is the one
    stored, and the EO's "someone else" is taken only where she herself asked."""
    ctx = shared
    chloe, owen = signed_in(ctx)
    contact_id = contacts.start_contact(ctx, chloe, "counter")
    contacts.take_step(ctx, chloe, contact_id, 1, at_step="what")
    contacts.take_step(ctx, chloe, contact_id, characteristic, at_step="characteristic")
    label = ctx.pack.flow("counter").step("characteristic").choices[characteristic - 1].label
    assert queries.steps(ctx.store.db, contact_id)[-1].label == label
    answer = ASK if asks else DO_NOT_ASK
    if not answered_by_her:
        with pytest.raises(NotTheirOwn):
            contacts.take_step(ctx, owen, contact_id, answer, at_step="staff_asks")
    contacts.take_step(ctx, chloe, contact_id, answer, at_step="staff_asks")
    if asks:
        assert contacts.take_step(ctx, owen, contact_id, SOMEONE_ELSE, at_step="refer_eo").step.id == "served_by_other"
    else:
        with pytest.raises(NotAskedFor):
            contacts.take_step(ctx, owen, contact_id, SOMEONE_ELSE, at_step="refer_eo")
        assert contacts.view(ctx, contact_id).step.id == "refer_eo"
