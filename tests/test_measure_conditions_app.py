"""The council's Determination Team decides only when the document lets it, key by key.

GIVEN the council demo (this morning's threat at reception, whose Health and Safety investigation
is open; today's call, ended after a request to modify), WHEN the Determination Team (8003) decides
on the decision screen, THEN a ban is refused beside the investigation while it is open and accepted
with a reason it is not relevant, or once the Health and Safety officer (8004) has marked it done;
and a restriction is refused without the opportunity to modify or an instant-ban trigger, and
accepted with either. Everything typed stays on screen after a refusal; the database says what was set.
"""

from __future__ import annotations

from textual.widgets import Checkbox, Input, RadioSet, TextArea

from counter_tui.app import CounterApp
from counter_tui.screens.measure_decision import MeasureDecisionScreen
from counter_tui.services import customers, demo, demo_council
from counter_tui.services.context import Context
from counter_tui.store import events, queries
from counter_tui.store import measures as measure_store
from tests.test_demo_council import council  # noqa: F401  (the council demo's record, a fixture)
from tests.test_measure_conditions import waiting
from tests.test_measures_app import open_task

SIZE = (120, 50)
STAFF, LINE_MANAGER, DETERMINATION, HEALTH_AND_SAFETY = (demo.actor_of(x) for x in demo_council.COUNCIL_LOGINS)
PINS = {login.number: login.pin for login in demo_council.COUNCIL_LOGINS}


def live(ctx: Context, who: tuple[str, str]) -> list[str]:
    customer_id = customers.matching(ctx, name=who[0], reference=who[1]).id
    return [m.spec for m in measure_store.for_customer(ctx.store.db, customer_id, live_only=True)]


def before_stored(ctx: Context, task_id: str) -> dict:
    return next(e.payload for e in events.for_stream(ctx.store.db, f"task:{task_id}") if e.kind == "measure.decided")["before"]


async def sign_in_and_open(pilot, app, actor, task_id: str) -> None:
    await pilot.press(*actor.number, "enter", *PINS[actor.number], "enter")
    await pilot.pause()
    await open_task(pilot, app, task_id)


async def type_into(pilot, screen, widget_id: str, text: str) -> None:
    screen.query_one(f"#{widget_id}").focus()
    await pilot.press(*text)


async def tick(pilot, screen, widget_id: str) -> None:
    screen.query_one(f"#{widget_id}", Checkbox).focus()
    await pilot.press("space")


async def ban_dunn(pilot, screen) -> None:
    """Tick the premises ban with its reason and how he was told, and the threat with what happened."""
    await tick(pilot, screen, "pick-premises_ban")
    await type_into(pilot, screen, "field-premises_ban-reason", "Threatened to smash the reception up.")
    await type_into(pilot, screen, "field-premises_ban-told", "In person, by the duty manager.")
    await tick(pilot, screen, "tick-before-instant_ban-threat_of_harm")
    await type_into(pilot, screen, "field-before-instant_ban-threat_of_harm", "Threatened Amy at reception.")


async def test_a_ban_is_refused_while_the_investigation_is_open_and_set_with_a_reason_it_is_not_relevant(council):
    task_id = waiting(council, DETERMINATION, demo_council.THREAT_TODAY[0], "determination_decision")
    app = CounterApp(council)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app, DETERMINATION, task_id)
        screen = app.screen
        assert isinstance(screen, MeasureDecisionScreen)
        state = str(screen.query_one("#investigation-state").render())
        assert "open" in state and "Health and Safety officer" in state
        await ban_dunn(pilot, screen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen, "refused: the screen stays"
        assert "still open" in str(screen.query_one("#error-before-investigation_not_relevant").render())
        assert screen.query_one("#field-premises_ban-reason", TextArea).text == "Threatened to smash the reception up."
        assert screen.query_one("#field-before-instant_ban-threat_of_harm", TextArea).text == "Threatened Amy at reception."
        assert live(council, demo_council.THREAT_TODAY) == []
        await type_into(pilot, screen, "field-before-investigation_not_relevant", "The footage settles it.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, MeasureDecisionScreen)
    assert live(council, demo_council.THREAT_TODAY) == ["premises_ban"]
    assert before_stored(council, task_id)["investigation"]["not_relevant"] == "The footage settles it."


async def test_once_the_health_and_safety_officer_marks_the_investigation_done_the_ban_needs_no_reason(council):
    hs_task = waiting(council, HEALTH_AND_SAFETY, demo_council.THREAT_TODAY[0], "health_and_safety_report")
    app = CounterApp(council)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app, HEALTH_AND_SAFETY, hs_task)
        await type_into(pilot, app.screen, "task-note", "Footage reviewed: the threat is clear.")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert queries.task(council.store.db, hs_task).status == "done"
    task_id = waiting(council, DETERMINATION, demo_council.THREAT_TODAY[0], "determination_decision")
    app = CounterApp(council)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app, DETERMINATION, task_id)
        screen = app.screen
        state = str(screen.query_one("#investigation-state").render())
        assert "done" in state and "Footage reviewed: the threat is clear." in state and "Dev Patel" in state
        assert not screen.query("#field-before-investigation_not_relevant"), "nothing to explain once it is done"
        await ban_dunn(pilot, screen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, MeasureDecisionScreen)
    assert live(council, demo_council.THREAT_TODAY) == ["premises_ban"]
    assert before_stored(council, task_id)["investigation"] == {"state": "done", "task_id": hs_task, "not_relevant": ""}


async def test_a_restriction_is_refused_without_the_opportunity_and_set_with_the_contacts_request_to_modify(council):
    task_id = waiting(council, DETERMINATION, demo_council.TODAY[0], "determination_decision")
    app = CounterApp(council)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in_and_open(pilot, app, DETERMINATION, task_id)
        screen = app.screen
        given = screen.query_one("#field-before-chance_given", Checkbox)
        assert given.value, "the call's request to modify is offered as the opportunity given"
        prefilled = screen.query_one("#field-before-chance_on", Input).value
        assert prefilled and screen.query_one("#field-before-chance_how", RadioSet).pressed_button is not None
        await tick(pilot, screen, "pick-writing_only")
        await type_into(pilot, screen, "field-writing_only-reason", "Swore at staff after being asked to stop.")
        await type_into(pilot, screen, "field-writing_only-told", "By telephone.")
        await tick(pilot, screen, "field-before-chance_given")  # untick: no opportunity, no trigger
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "opportunity to modify" in str(screen.query_one("#error-before-chance_given").render())
        assert screen.query_one("#field-writing_only-reason", TextArea).text == "Swore at staff after being asked to stop."
        assert live(council, demo_council.TODAY) == []
        await tick(pilot, screen, "field-before-chance_given")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, MeasureDecisionScreen)
    assert live(council, demo_council.TODAY) == ["writing_only"]
    stored = before_stored(council, task_id)["chance_to_modify"]
    assert (stored["given"], stored["on"]) == (True, prefilled)
