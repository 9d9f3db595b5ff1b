"""Control measures in the app, key by key, on the DWP demo's record.

GIVEN the DWP demo (an instance from today waiting for the nominated manager), WHEN the nominated
manager opens the decision from the queue, ticks the PV marker and writing only and fills them in,
THEN both are stored; and WHEN a caseworker then takes a call from that client, THEN the marker and
the restriction's words are on screen before the first step, and the restricted choice ends the
call politely without a new incident. The review reaches the queue when its date nears.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Checkbox, DataTable, Input, OptionList, TextArea

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.measure_decision import MeasureDecisionScreen
from counter_tui.screens.measure_review import MeasureReviewScreen
from counter_tui.services import contacts, demo, demo_dwp, measures, queue
from counter_tui.services.context import Context
from counter_tui.store import measures as measure_store
from counter_tui.store import queries
from tests.conftest import START

SIZE = (110, 40)
KIM, LEE, PAT = (demo.actor_of(login) for login in demo_dwp.DWP_LOGINS[:3])
IN_A_YEAR = measures.add_months(START.astimezone(Settings().zone).date(), 12)
"""The PV marker's default review date (19: twelve months)."""
PINS = {login.number: login.pin for login in demo_dwp.DWP_LOGINS}


@pytest.fixture
def dwp(tmp_path) -> Context:
    """The DWP demo's record on a fresh database, the clock just after it."""
    ctx = Context.open(tmp_path / "dwp.db", demo.settings(None, "dwp"), clock=FixedClock(START, tick=timedelta(seconds=1)))
    demo.fill(ctx, START)
    yield ctx
    ctx.store.close()


def booth_decision(ctx: Context) -> str:
    return next(i.task.id for i in queue.my_queue(ctx, PAT).items
                if i.task.spec == "decide_instance" and i.task.customer_name == demo_dwp.BOOTH[0])


def booth_id(ctx: Context) -> str:
    return queries.contact(ctx.store.db, queries.task(ctx.store.db, booth_decision(ctx)).contact_id).customer_id


async def sign_in(pilot, actor: Actor) -> None:
    await pilot.press(*actor.number, "enter", *PINS[actor.number], "enter")
    await pilot.pause()


async def open_task(pilot, app, task_id: str) -> None:
    await pilot.press("q")
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(task_id))
    await pilot.press("enter")
    await pilot.pause()


async def test_the_nominated_manager_marks_and_restricts_a_client_key_by_key(dwp):
    task_id, customer_id = booth_decision(dwp), booth_id(dwp)
    app = CounterApp(dwp)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, PAT)
        await open_task(pilot, app, task_id)
        screen = app.screen
        assert isinstance(screen, MeasureDecisionScreen)
        assert screen.query_one("#pick-pv_marker", Checkbox).has_focus
        await pilot.press("space", "tab")
        assert screen.query_one("#field-pv_marker-reason", TextArea).has_focus
        await pilot.press(*"Threatened the caseworker.")
        assert screen.query_one("#field-pv_marker-review_on", Input).value == IN_A_YEAR.isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, MeasureDecisionScreen), "decided: back to the queue"
    stored = measure_store.for_customer(dwp.store.db, customer_id)
    assert [(m.spec, m.reason, str(m.review_on), m.proposers) for m in stored] == [
        ("pv_marker", "Threatened the caseworker.", IN_A_YEAR.isoformat(), [KIM.number])]
    assert queries.task(dwp.store.db, task_id).status == "done"


async def test_errors_show_beside_their_fields_and_nothing_typed_is_lost(dwp):
    task_id = booth_decision(dwp)
    app = CounterApp(dwp)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, PAT)
        await open_task(pilot, app, task_id)
        screen = app.screen
        screen.query_one("#pick-writing_only", Checkbox).focus()
        await pilot.press("space", "tab", *"Abusive on every call.", "tab", *"2020-01-01", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MeasureDecisionScreen)
        assert "after today" in str(screen.query_one("#error-writing_only-review_on").render())
        assert "how the customer was told" in str(screen.query_one("#error-writing_only-told").render())
        assert screen.query_one("#field-writing_only-reason", TextArea).text == "Abusive on every call."
        assert measure_store.for_customer(dwp.store.db, booth_id(dwp)) == []


def mark_and_restrict_booth(ctx: Context) -> str:
    """The nominated manager's decision on today's instance: the PV marker and writing only."""
    customer_id = booth_id(ctx)
    measures.decide(ctx, PAT, booth_decision(ctx), measures=[
        {"spec": "pv_marker", "reason": "Threatened the caseworker."},
        {"spec": "writing_only", "reason": "Abusive on every call.", "review_on": "2027-06-01", "told": "By letter."},
    ])
    return customer_id


async def test_the_next_call_shows_the_marker_and_the_restrictions_words_first_and_ends_politely(dwp):
    customer_id = mark_and_restrict_booth(dwp)
    app = CounterApp(dwp)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, KIM)
        await pilot.press("1", *"Booth")
        await pilot.pause()
        matches = app.screen.query_one("#matches", OptionList)
        assert "Communication in writing only: not on this channel" in str(matches.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ContactScreen)
        shown = str(screen.query_one("#measures").render())
        assert "we will now only accept communication from you in writing" in shown
        assert "Potentially violent (PV) marker" in shown
        assert shown.index("Communication in writing only") < shown.index("Potentially violent")
        assert "RESTRICTED on this channel" in str(screen.query_one("#bar").render())
        contact_id = screen.contact_id
        assert [c.label for _, c in contacts.view(dwp, contact_id).offered][-1].startswith("The client is restricted")
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    contact = queries.contact(dwp.store.db, contact_id)
    assert (contact.status, contact.outcome, contact.customer_id, contact.incident_id) == ("finished", "ended", customer_id, None)
    assert queries.tasks_for_contact(dwp.store.db, contact_id) == [], "turning a restricted client away is no new instance"


async def test_a_client_without_measures_is_never_offered_the_restricted_ending(dwp):
    app = CounterApp(dwp)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, KIM)
        await pilot.press("1", *"Booth", "down", "enter")
        await pilot.pause()
        screen = app.screen
        assert not screen.query_one("#measures").display
        assert len(contacts.view(dwp, screen.contact_id).offered) == 2


async def test_the_review_reaches_the_queue_as_its_date_nears_and_extending_it_is_recorded(dwp):
    dwp.settings.deadlines["measure_review_notice"] = 336  # 14 days' notice (the guidance sets none)
    pryce = next(i.task for i in queue.my_queue(dwp, PAT).items if i.task.spec == "review_measure")
    measure = measure_store.by_review_task(dwp.store.db, pryce.id)
    assert measure.spec == "pv_marker" and measure.review_on - START.date() < timedelta(days=14)
    new_date = (START + timedelta(days=180)).date().isoformat()
    app = CounterApp(dwp)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, PAT)
        await open_task(pilot, app, pryce.id)
        screen = app.screen
        assert isinstance(screen, MeasureReviewScreen)
        assert "Call recording listened to" in str(screen.query_one("#record-heading").render()), "the NM reads the detail"
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*"Still threatening in letters.", "tab", *new_date, "ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, MeasureReviewScreen)
    after = measure_store.measure(dwp.store.db, measure.id)
    assert (after.status, after.review_on.isoformat(), after.version, after.changed_by) == ("live", new_date, 2, PAT.number)
    assert queries.task(dwp.store.db, pryce.id).status == "done"
    assert not [i for i in queue.my_queue(dwp, PAT).items if i.task.spec == "review_measure"], "the next review is months away"
