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
from textual.widgets import Checkbox, DataTable, Input, TextArea

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.measure_decision import MeasureDecisionScreen
from counter_tui.screens.measure_review import MeasureReviewScreen
from counter_tui.services import contacts, demo, demo_dwp, measures, queue, records
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
