"""Whole journeys through the app, pressing the keys a user would, then checking the database.

GIVEN a database with a call handler and a line manager, WHEN they sign in and press the keys of a
call or a call-back, THEN the decisions, the case note, the incident and the tasks are stored.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from textual.widgets import Input, TextArea

from counter_tui.app import CounterApp
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.home import HomeScreen
from counter_tui.screens.queue import QueueScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.screens.summary import SummaryScreen
from counter_tui.services import contacts, queue
from counter_tui.store import queries

SIZE = (100, 34)


async def sign_in(pilot, number: str, pin: str) -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[("space" if c == " " else c) for c in text])


async def ended_call(pilot, app, note: str = "Swore at me twice") -> str:
    """Sign in as the call handler and take a call through warn, allow to improve, end; return its id."""
    await sign_in(pilot, "1001", "123427")
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("1", "enter")
    assert isinstance(app.screen, ContactScreen)
    contact_id = app.screen.contact_id
    await pilot.press("ctrl+n")
    await type_text(pilot, note)
    await pilot.press("escape")
    await pilot.press("1", "2", "1")
    await pilot.pause()
    assert isinstance(app.screen, RecordScreen)
    return contact_id


async def test_call_that_does_not_improve_stores_steps_case_note_and_call_back_then_the_call_back_ends_if_no_better(ctx):
    """GIVEN a call ended after a warning WHEN the record is completed THEN the steps, record and hand-offs
    are stored; THEN, WHEN the line manager's call-back finds the behaviour has not improved, it ends and
    is recorded. (One walk: the first call is the call-back's set-up.)"""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await ended_call(pilot, app)
        # The record is prefilled: only who and the query are missing.
        assert app.screen.query_one("#field-said_or_did", TextArea).text == "Swore at me twice"
        told = app.screen.query_one("#field-told", TextArea).text
        assert "The call will not continue unless you improve your behaviour." in told
        assert "I have already warned you about your behaviour. The call will now end." in told
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen), "empty required fields must keep the form"
        assert "cannot be left empty" in str(app.screen.query_one("#error-who").render())
        await type_text(pilot, "Mr Gareth Rowe")
        app.screen.query_one("#field-query", TextArea).focus()
        await type_text(pilot, "Where is my passport")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        first_call_is_stored(ctx, contact_id)

        # The line manager calls back, and the customer has not improved.
        await pilot.press("enter")
        task_id = await call_back(pilot, app, ctx, ("1", "2"))
        said = app.screen.query_one("#field-said_or_did", TextArea)
        said.focus()
        await type_text(pilot, "Shouted again")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    db = ctx.store.db
    task = queries.task(db, task_id)
    assert task.status == "done"
    follow_up = queries.contact_for_task(db, task_id)
    assert follow_up.outcome == "ended"
    assert json.loads(db.execute("SELECT record FROM contacts WHERE id = ?", [follow_up.id]).fetchone()[0])["said_or_did"] == "Shouted again"
    assert queries.incident(db, task.incident_id).recorded_at is not None


def first_call_is_stored(ctx, contact_id: str) -> None:
    """The ended first call: its steps in order, its record, and the line manager's hand-offs."""
    db = ctx.store.db
    steps = queries.steps(db, contact_id)
    assert [(s.step, s.number) for s in steps] == [("warn", 1), ("allow", 2), ("tell_end", 1)]
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    contact = queries.contact(db, contact_id)
    assert contact.status == "finished" and contact.outcome == "ended"
    record = queries.contact_record(db, contact_id)
    assert record["who"] == "Mr Gareth Rowe" and record["query"] == "Where is my passport"
    assert record["said_or_did"] == "Swore at me twice"
    tasks = queries.queue(db, queries.TaskFilter(role="line_manager", office="Main office"))
    assert [t.spec for t in tasks] == ["call_back", "staff_threatened", "incident_report"]
    assert tasks[0].customer_name == "Mr Gareth Rowe"
    # HMPO sets no deadline and this configuration sets no [deadlines] call_back: no due time.
    assert tasks[0].due_at is None


async def test_call_that_improves_hands_off_only_the_welfare_check(ctx):
    """The customer improved after the warning: no incident, but the member of staff dealt with an
    abusive customer, so their line manager's welfare task ("What a line manager must do if a member
    of staff is threatened": "dealt with or refused to serve")."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.press("1", "enter")
        contact_id = app.screen.contact_id
        await pilot.press("1", "1")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
    contact = queries.contact(ctx.store.db, contact_id)
    assert contact.outcome == "improved" and contact.incident_id is None
    tasks = queries.queue(ctx.store.db, queries.TaskFilter(role="line_manager", office="Main office"))
    assert [(t.spec, t.contact_id, t.incident_id) for t in tasks] == [("staff_threatened", contact_id, None)]


async def test_refusing_to_serve_ends_at_once_and_tells_the_line_manager(ctx):
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.press("1", "enter", "2")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        await type_text(pilot, "Unknown caller")
        app.screen.query_one("#field-said_or_did", TextArea).focus()
        await type_text(pilot, "Threatened to hurt me")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    tasks = queries.queue(ctx.store.db, queries.TaskFilter(role="line_manager", office="Main office"))
    assert [t.spec for t in tasks] == ["staff_threatened", "incident_report"]


async def call_back(pilot, app, ctx, choices: tuple[str, ...]) -> str:
    await pilot.press("ctrl+o")
    await sign_in(pilot, "2001", "234527")
    await pilot.press("q")
    assert isinstance(app.screen, QueueScreen)
    top = queue.my_queue(ctx, app.actor).items[0].task
    assert top.spec == "call_back"
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ContactScreen)
    assert app.screen.current.step.id == "check"
    await pilot.press(*choices)
    await pilot.pause()
    assert isinstance(app.screen, RecordScreen)
    return top.id


async def finish_first_call(pilot, app):
    await ended_call(pilot, app)
    await type_text(pilot, "Mr Gareth Rowe")
    app.screen.query_one("#field-query", TextArea).focus()
    await type_text(pilot, "Renewal")
    await pilot.press("ctrl+s")
    await pilot.pause()
    await pilot.press("enter")


async def test_call_back_when_customer_is_calm_records_the_incident_and_finishes_the_task(ctx, handler):
    """GIVEN a call ended and handed off WHEN the call handler tries to open the line manager's task THEN
    it is refused and the refusal recorded; WHEN the line manager calls back and the customer is calm
    THEN the incident is recorded and the task done. (One walk: the first call is the set-up of both.)"""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await finish_first_call(pilot, app)
        call_handler_cannot_open_a_line_managers_task(ctx, handler)
        task_id = await call_back(pilot, app, ctx, ("1", "1", "1"))
        # Nothing typed twice: who and the query come from the call handler's record.
        assert app.screen.query_one("#field-who", TextArea).text == "Mr Gareth Rowe"
        assert app.screen.query_one("#field-query", TextArea).text == "Renewal"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        assert isinstance(app.screen, QueueScreen)
    db = ctx.store.db
    task = queries.task(db, task_id)
    assert task.status == "done" and task.done_by == "2001"
    incident = queries.incident(db, task.incident_id)
    assert incident.recorded_by == "2001"
    rows = db.execute("SELECT kind FROM events WHERE stream = ?", [f"incident:{task.incident_id}"]).fetchall()
    assert [r[0] for r in rows] == ["incident.opened", "incident.recorded"]


def call_handler_cannot_open_a_line_managers_task(ctx, handler) -> None:
    """The call handler is refused the line manager's task, and the refusal is recorded."""
    task = queries.queue(ctx.store.db, queries.TaskFilter(role="line_manager", office="Main office"))[0]
    with pytest.raises(Exception, match="only the Line manager"):
        queue.open_task(ctx, handler, task.id)
    refused = ctx.store.db.execute("SELECT count(*) FROM events WHERE kind = 'access.refused'").fetchone()[0]
    assert refused == 1


async def test_wrong_pin_is_refused_without_saying_whether_the_number_exists(ctx):
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "9999")
        first = str(app.screen.query_one("#error").render())
        await pilot.press(*"9999", "enter")
        app.screen.query_one("#number", Input).value = "7777"
        await pilot.press("enter")
        await pilot.pause()
        assert "not recognised" in first
        assert app.actor is None


async def test_interrupted_contact_is_offered_on_sign_in_and_resumes_where_it_stopped(ctx, handler):
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Ms Helen Marsh")
    contacts.take_step(ctx, handler, contact_id, 1, at_step="warn")
    contacts.save_note(ctx, handler, contact_id, "Raised her voice", version=0)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResumeDialog"
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert app.screen.current.step.id == "allow"
        assert app.screen.query_one("#note", TextArea).text == "Raised her voice"
        assert app.screen.query_one("#customer_name", Input).value == "Ms Helen Marsh"


async def test_hostile_text_is_refused_beside_the_field_and_kept(ctx):
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.press("1", "enter")
        screen = app.screen
        name = screen.query_one("#customer_name", Input)
        name.value = "Mr \u202eevil"
        screen.query_one("#note", TextArea).load_text("[red]not markup[/red] <img src=x>")
        await pilot.press("escape")
        await pilot.pause()
        error = screen.query_one("#details-error")
        assert "direction" in str(error.render())
        assert name.value == "Mr \u202eevil", "the typed text stays on screen"
        await pilot.press("1")
        await pilot.pause()
        assert screen.current.step.id == "allow", "a bad field never blocks a decision"
    contact = queries.contact(ctx.store.db, screen.contact_id)
    assert contact.customer_name == ""
    assert contact.note == "[red]not markup[/red] <img src=x>"


async def test_locked_database_keeps_the_step_on_screen_and_a_retry_works(tmp_path, clock):
    from tests.conftest import make_context
    from counter_tui.config import Settings
    from counter_tui.services.context import Context

    path = tmp_path / "counter.db"
    make_context(path, clock)
    ctx = Context.open(path, Settings(busy_timeout_ms=50), clock=clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.press("1", "enter")
        screen = app.screen
        blocker = sqlite3.connect(path)
        blocker.execute("BEGIN IMMEDIATE")
        await pilot.press("1")
        await pilot.pause()
        assert screen.current.step.id == "warn"
        assert "busy" in str(screen.query_one("#status").render())
        blocker.rollback()
        blocker.close()
        await pilot.press("1")
        await pilot.pause()
        assert screen.current.step.id == "allow"
    assert [s.step for s in queries.steps(ctx.store.db, screen.contact_id)] == ["warn"]


BAD_WHO = [
    ("empty", "", "cannot be left empty"),
    ("oversized", "x" * 20_001, "Too long"),
    ("control", "Mr Rowe\x07", "control character"),
    ("bidi", "Mr \u202eRowe", "direction"),
]


async def test_case_note_refuses_bad_text_beside_the_field_and_keeps_it(ctx):
    """GIVEN the record of an ended call WHEN each bad text (empty, oversized, a control character, a
    direction override) is saved in turn THEN each is refused beside the field and kept; once put right
    it saves, and typed text is shown as typed. (One walk to the record, every bad text tried on it.)"""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ended_call(pilot, app)
        screen = app.screen
        for case, text, message in BAD_WHO:
            screen.query_one("#field-who", TextArea).load_text(text)
            screen.query_one("#field-query", TextArea).load_text("[b]Renewal[/b] <font>")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen, f"{case}: the form stays on screen"
            assert message in str(screen.query_one("#error-who").render()), case
            assert screen.query_one("#field-who", TextArea).text == text, f"{case}: nothing typed is lost"
        screen.query_one("#field-who", TextArea).load_text("Mr Rowe")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        rendered = app.screen.query_one("#summary-text").render()
        assert "[b]Renewal[/b] <font>" in str(rendered), "typed text is shown as typed, never as markup"


async def test_a_database_with_no_staff_says_how_to_add_them(tmp_path, clock):
    from counter_tui.services.context import Context

    app = CounterApp(Context.open(tmp_path / "empty.db", clock=clock))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "counter staff add" in str(app.screen.query_one("#demo").render())


async def test_command_palette_starts_a_call_and_offers_no_screenshot(ctx):
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles and not any("screenshot" in t.lower() for t in titles)
        await pilot.press("ctrl+p")
        await type_text(pilot, "start abusive")
        from textual.command import CommandList

        for _ in range(200):  # wait for the fact (a matching command listed), not for a duration
            if app.screen.query_one(CommandList).option_count:
                break
            await pilot.pause(0.01)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "FindCustomerScreen", "every contact starts by finding the customer"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)


async def test_the_sign_in_screen_paints_first_and_the_database_opens_behind_it(ctx):
    """GIVEN an app that opens its context itself WHEN the first screen shows and Enter is pressed
    before the database is open THEN sign-in completes as soon as it is."""
    app = CounterApp(open_context=lambda: ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1001", "enter", *"123427", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.number == "1001"


async def test_a_context_that_cannot_open_ends_the_app_with_one_line():
    from counter_tui.startup import StartupProblem

    def refuse():
        raise StartupProblem("policy pack refused: broken.toml: flows[telephone]: P005 ...")

    app = CounterApp(open_context=refuse)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1


async def test_a_terminal_left_alone_locks_hides_the_customer_and_keeps_the_note(ctx):
    """GIVEN a call in progress with a note typed WHEN nobody touches the terminal past the idle time
    THEN it locks: nothing of the customer shows, the note is saved, and the same PIN carries on."""
    import time

    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.lock import LockScreen

    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.press("1", *"Mr Tom Fielding", "enter", "ctrl+n")
        await type_text(pilot, "Swearing")
        contact_id = app.screen.contact_id
        app._last_input = time.monotonic() - 5 * 60 - 1  # the last key was five minutes ago
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        shown = app.export_screenshot()
        assert "Fielding" not in shown and "Swearing" not in shown, "nothing of the customer is visible"
        assert queries.contact(ctx.store.db, contact_id).note == "Swearing"
        await pilot.press(*"123427", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id


async def test_switching_user_mid_call_keeps_the_call_and_who_took_each_step(ctx):
    """GIVEN a call handler's call WHEN f2 locks and the line manager signs in there THEN the call stays
    on screen, and the steps taken before and after are each attributed to whoever took them."""
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.lock import LockScreen

    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "123427")
        await pilot.press("1", "enter", "1")
        contact_id = app.screen.contact_id
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*"2001", "enter", *"234527", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id
        assert app.actor.number == "2001"
        await pilot.press("2")
        await pilot.pause()
    taken = queries.steps(ctx.store.db, contact_id)
    assert [s.actor for s in taken] == ["1001", "2001"]


async def test_a_call_for_help_reaches_the_other_terminal_at_the_office_until_acknowledged(ctx):
    """GIVEN two terminals at one office WHEN the call handler presses ctrl+g mid-call THEN the line
    manager's terminal shows who needs help, and acknowledging closes it and tells the caller."""
    from counter_tui.screens.dialogs.help_alert import HelpAlertDialog
    from counter_tui.services import alerts

    caller, helper = CounterApp(ctx), CounterApp(ctx)
    async with caller.run_test(size=SIZE) as one, helper.run_test(size=SIZE) as two:
        await sign_in(one, "1001", "123427")
        await sign_in(two, "2001", "234527")
        await one.press("1", "enter", "ctrl+g")
        caller.poll_alerts()
        assert not isinstance(caller.screen, HelpAlertDialog), "never shown to whoever asked"
        helper.poll_alerts()
        await two.pause()
        assert isinstance(helper.screen, HelpAlertDialog)
        assert "Sam Okafor" in str(helper.screen.query_one("Static").render())
        await two.press("a")
        await two.pause()
        assert not isinstance(helper.screen, HelpAlertDialog)
        assert alerts.alerts_for(ctx, helper.actor) == []
        caller.poll_alerts()
        assert caller.my_alert is None
    kinds = [r[0] for r in ctx.store.db.execute("SELECT kind FROM events WHERE stream LIKE 'alert:%' ORDER BY seq")]
    assert kinds == ["alert.raised", "alert.acknowledged"]
