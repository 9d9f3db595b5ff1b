"""Steps the pack gives to a named role (issue 18 item 4, "Bad input"): refused to every other role.

GIVEN the HMPO pack, whose counter decisions the document gives to the EO counter manager ("If the
customer's behaviour does not improve, you, the EO counter manager, may: ...", "you, the EO counter
manager, must: 1. Ask the customer to leave ...", "only allow the customer to be served by someone
else, if the staff member asks for it"), WHEN the person dealing with the customer at the counter
presses one of those decisions THEN the service refuses it naming the role, the refusal is the one
event recorded, and the contact screen shows it beside the choices with who to call; AND WHEN the EO
counter manager signs in at the terminal (f2) and presses it THEN it is stored with their number.

AND for all five packs (from their models): no choice whose `decided_by` (or its step's) names roles
can be taken through the service by a member of staff of any other role.
"""

from __future__ import annotations

from collections import deque
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.loader import load_pack, shipped_pack_ids
from counter_tui.policy.schema import Flow, Pack
from counter_tui.screens.contact import ContactScreen
from counter_tui.services import contacts, staff
from counter_tui.services.context import Context
from counter_tui.services.demo import HMPO_LOGINS
from counter_tui.store import queries

SIZE = (100, 34)
COUNTER_KEY = "5"
"""The public counter on the start screen (HMPO)."""
CHLOE = next(login for login in HMPO_LOGINS if login.role == "counter_staff")
OWEN = next(login for login in HMPO_LOGINS if login.role == "eo_counter_manager")
OUTSIDER = "no_such_role"


def table_rows(ctx: Context) -> dict[str, list[tuple]]:
    """Every row of every table: what "the database unchanged" is checked against."""
    db = ctx.store.db
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()]
    return {name: db.execute(f"SELECT * FROM [{name}]").fetchall() for name in names}


def events_after(ctx: Context, seq: int) -> list[tuple[str, str, str]]:
    return ctx.store.db.execute("SELECT kind, actor, payload FROM events WHERE seq > ? ORDER BY seq", [seq]).fetchall()


def last_seq(ctx: Context) -> int:
    return ctx.store.db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]


def assert_only_refusal_recorded(ctx: Context, before: dict[str, list[tuple]], actor: str) -> None:
    after = table_rows(ctx)
    new_events = after["events"][len(before["events"]):]
    assert after["events"][: len(before["events"])] == before["events"]
    assert [(row[4], row[2]) for row in new_events] == [("access.refused", actor)], new_events
    assert {k: v for k, v in after.items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


# --- the journey at the counter ------------------------------------------------------------------


def counter_context(tmp_path, clock) -> Context:
    ctx = Context.open(tmp_path / "c.db", Settings(office_facilities={CHLOE.office: ["post_box"]}), clock=clock)
    for login in (CHLOE, OWEN):
        staff.add_staff(ctx, number=login.number, name=login.name, role=login.role, office=login.office, pin=login.pin)
    return ctx


async def at_the_eos_options(pilot, app) -> str:
    """Chloe signs in, starts a counter contact, warns the customer, who does not improve."""
    await pilot.press(*CHLOE.number, "enter", *CHLOE.pin, "enter")
    await pilot.press(COUNTER_KEY, "enter")
    assert isinstance(app.screen, ContactScreen)
    await pilot.press("2", "1", "2")  # abusive -> warned -> did not improve: refer to the EO counter manager
    await pilot.pause()
    assert app.screen.current.step.id == "options"
    return app.screen.contact_id


async def test_counter_staff_pressing_the_eos_decision_is_refused_and_nothing_else_stored(tmp_path, clock):
    ctx = counter_context(tmp_path, clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await at_the_eos_options(pilot, app)
        app.screen.save_typing()
        await pilot.pause()
        before = table_rows(ctx)
        choices_before = str(app.screen.query_one("#step-choices", Static).render())
        await pilot.press("1")  # the internal post box: the EO counter manager's decision
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.current.step.id == "options"
        refused = app.screen.query_one("#step-refused", Static)
        assert refused.display
        text = str(refused.render())
        assert "Only the EO counter manager may decide this." in text
        assert "Call the EO counter manager" in text and "their own sign-in" in text, "HMPO's [take_over]: a take-over"
        assert str(app.screen.query_one("#step-choices", Static).render()) == choices_before
        assert_only_refusal_recorded(ctx, before, CHLOE.number)
    assert [s.step for s in queries.steps(ctx.store.db, contact_id)] == ["what", "warn", "allow"]
    payload = events_after(ctx, 0)[-1]
    assert payload[0] == "access.refused" and "EO counter manager" in payload[2] and contact_id in payload[2]


async def test_the_eo_counter_manager_signs_in_and_the_decision_is_stored_with_them(tmp_path, clock):
    ctx = counter_context(tmp_path, clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await at_the_eos_options(pilot, app)
        await pilot.press("1")  # refused to the counter member of staff
        await pilot.pause()
        await pilot.press("f2")
        await pilot.press(*OWEN.number, "enter", *OWEN.pin, "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.current.step.id == "post_box"
        assert not app.screen.query_one("#step-refused", Static).display
    taken = queries.steps(ctx.store.db, contact_id)
    assert [(s.step, s.actor) for s in taken] == [
        ("what", CHLOE.number), ("warn", CHLOE.number), ("allow", CHLOE.number), ("options", OWEN.number)]
    assert queries.contact(ctx.store.db, contact_id).staff_number == CHLOE.number


def test_served_by_someone_else_is_the_eos_decision(tmp_path, clock):
    """The service, without the screen: the refusal names the role; the EO counter manager's is stored."""
    ctx = counter_context(tmp_path, clock)
    chloe = staff.sign_in(ctx, CHLOE.number, CHLOE.pin)
    owen = staff.sign_in(ctx, OWEN.number, OWEN.pin)
    contact_id = contacts.start_contact(ctx, chloe, "counter")
    contacts.take_step(ctx, chloe, contact_id, 1, at_step="what")  # they refuse to be served by me
    contacts.take_step(ctx, chloe, contact_id, 7, at_step="characteristic")  # religion or belief
    contacts.take_step(ctx, chloe, contact_id, 2, at_step="staff_asks")  # I ask for someone else to serve them
    seq = last_seq(ctx)
    with pytest.raises(contacts.NotYourDecision, match="Only the EO counter manager may decide this"):
        contacts.take_step(ctx, chloe, contact_id, 1, at_step="refer_eo")
    assert [kind for kind, _, _ in events_after(ctx, seq)] == ["access.refused"]
    contacts.take_step(ctx, chloe, contact_id, 0, at_step="refer_eo")  # immediate risk stays open to them
    other = contacts.start_contact(ctx, chloe, "counter")
    for number, step in ((1, "what"), (7, "characteristic"), (2, "staff_asks")):
        contacts.take_step(ctx, chloe, other, number, at_step=step)
    assert contacts.take_step(ctx, owen, other, 1, at_step="refer_eo").step.id == "served_by_other"


# --- every pack, every role ----------------------------------------------------------------------


def _facility_sets(flow: Flow) -> list[frozenset[str]]:
    names = sorted({c.only_if.removeprefix("office:").lstrip("!") for s in flow.steps for c in s.choices
                    if c.only_if and c.only_if.startswith("office:")})
    return [frozenset(c) for r in range(len(names) + 1) for c in combinations(names, r)]


def _route(pack: Pack, flow: Flow, step_id: str, number: int, facts: engine.Facts) -> list[int] | None:
    """The choices from the flow's start to `step_id` with choice `number` offered there, or None."""
    start = engine.start(pack, flow.id)
    queue, seen = deque([start]), set()
    while queue:
        state = queue.popleft()
        step = flow.step(state.step_id)
        if step.id == step_id and any(n == number for n, _ in engine.offered(step, facts)):
            return list(state.choices)
        key = (state.step_id, state.warnings, state.allowed_by, state.behaviour)
        if key in seen or len(state.choices) > 40:
            continue
        seen.add(key)
        queue.extend(engine.choose(pack, state, n, facts).after for n, _ in engine.offered(step, facts))
    return None


def _cases() -> list[tuple[str, str, str, int, frozenset[str], tuple[int, ...], str]]:
    """(pack, flow, step, choice number, office facilities, route there, a role that may not take it)."""
    found = []
    for pack_id in shipped_pack_ids():
        pack = load_pack(pack_id)
        for flow in pack.flows:
            for step in flow.steps:
                for number, choice in enumerate(step.choices, 1):
                    deciders = engine.deciders(step, choice)
                    if not deciders:
                        continue
                    for facilities in _facility_sets(flow):
                        route = _route(pack, flow, step.id, number, engine.Facts(facilities=facilities))
                        if route is not None:
                            break
                    assert route is not None, f"{pack_id} {flow.id}.{step.id} choice {number} is never reached"
                    for role in [r.id for r in pack.roles if r.id not in deciders] + [OUTSIDER]:
                        found.append((pack_id, flow.id, step.id, number, facilities, tuple(route), role))
    return found


CASES = _cases()


def test_some_pack_names_the_roles_that_decide():
    """The property below is not vacuous: the HMPO counter's decisions are the EO counter manager's."""
    assert {(case[0], case[1], case[2]) for case in CASES} >= {
        ("hmpo", "counter", step) for step in ("refer_eo", "options", "post_box", "post_or_online", "remove", "decide_bar")}


@pytest.fixture(scope="module")
def pack_contexts(tmp_path_factory):
    """A database per pack, with an office for every set of facilities its flows ask about."""
    opened: dict[str, Context] = {}
    for pack_id in sorted({case[0] for case in CASES}):
        pack = load_pack(pack_id)
        offices = {f"Office {sorted(f)}": sorted(f) for flow in pack.flows for f in _facility_sets(flow)}
        opened[pack_id] = Context.open(tmp_path_factory.mktemp(f"step-roles-{pack_id}") / "c.db",
                                       Settings(policy=pack_id, office_facilities=offices))
    yield opened
    for ctx in opened.values():
        ctx.store.close()


@settings(max_examples=min(settings.default.max_examples, 30), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=st.sampled_from(CASES))
def test_no_role_takes_a_decision_the_pack_gives_to_another(pack_contexts, case):
    pack_id, flow_id, step_id, number, facilities, route, role = case
    ctx = pack_contexts[pack_id]
    pack, flow = ctx.pack, ctx.pack.flow(flow_id)
    office = f"Office {sorted(facilities)}"

    def member(role_id: str) -> Actor:
        return Actor(number=f"N-{role_id}", name=f"Staff {role_id}", role=role_id, office=office)

    contact_id = contacts.start_contact(ctx, member(flow.role), flow_id, customer_name="Ms Pat Doe",
                                        reference=f"REF {last_seq(ctx):06d}", query="Where is my application?")
    for taken in route:  # each step by a member of staff of the role the pack gives it to
        current = contacts.view(ctx, contact_id)
        deciders = engine.deciders(current.step, engine.choose(pack, current.state, taken).choice)
        contacts.take_step(ctx, member(deciders[0] if deciders else flow.role), contact_id, taken, at_step=current.step.id)
    assert contacts.view(ctx, contact_id).step.id == step_id
    before = table_rows(ctx)
    with pytest.raises(contacts.NotYourDecision) as refused:
        contacts.take_step(ctx, member(role), contact_id, number, at_step=step_id)
    names = [pack.role(r).name for r in engine.deciders(flow.step(step_id), flow.step(step_id).choices[number - 1])]
    assert str(refused.value) == f"Only the {' or the '.join(names)} may decide this."
    assert_only_refusal_recorded(ctx, before, member(role).number)


# --- the pack check --------------------------------------------------------------------------------


def test_policy_check_refuses_a_decider_the_pack_lacks():
    """GIVEN the HMPO pack with a step and a choice decided by a role it does not define WHEN linted
    (`counter policy check`) THEN P008 names each place and the role."""
    from importlib import resources

    from counter_tui.policy.lint import lint
    from counter_tui.policy.loader import parse_pack

    text = (resources.files("data.policies") / "hmpo.toml").read_text(encoding="utf-8")
    assert lint(parse_pack(text, "hmpo.toml")) == []
    step_level = text.replace('\n  decided_by = ["eo_counter_manager"]', '\n  decided_by = ["regional_manager"]', 1)
    choice_level = text.replace('\n    decided_by = ["eo_counter_manager"]', '\n    decided_by = ["regional_manager"]', 1)
    for broken, place in ((step_level, "flows[counter].steps[options]"), (choice_level, "flows[counter].steps[refer_eo].choices[1]")):
        found = [f for f in lint(parse_pack(broken, "hmpo.toml")) if f.rule == "P008"]
        assert [(f.place, "'regional_manager'" in f.message) for f in found] == [(place, True)], found


# --- what the screen shows -----------------------------------------------------------------------

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_the_eos_decision_refused_beside_the_choices(snap_compare, tmp_path, size):
    """The counter member of staff presses the internal post box: refused beside the choices, who to call."""
    from counter_tui.clock import FixedClock
    from tests.conftest import START

    ctx = counter_context(tmp_path, FixedClock(START))
    keys = [*CHLOE.number, "enter", *CHLOE.pin, "enter", COUNTER_KEY, "enter", "2", "1", "2", "1"]
    assert snap_compare(CounterApp(ctx), press=keys, terminal_size=size)
