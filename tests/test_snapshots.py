"""Snapshots of every screen state a user sees, at 80x24 and 120x40, on a clock that stands still.

Each test names the state it guards. Accept a changed snapshot only after looking at the report
(`pytest --snapshot-update` writes them; `snapshot_report.html` shows the difference).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.services import contacts, demo, records, staff
from counter_tui.services.context import Context
from counter_tui.store.connection import write
from tests.conftest import CALL_HANDLER, LINE_MANAGER, START, make_context
from tests.test_channels import channel_context, two_interview_warnings

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
HANDLER = [*"1001", "enter", *"123427", "enter"]
MANAGER = [*"2001", "enter", *"234527", "enter"]


@pytest.fixture
def still_clock() -> FixedClock:
    """Time stands still at START, so elapsed times and due times never change between runs."""
    return FixedClock(START)


@pytest.fixture
def app(tmp_path, still_clock) -> CounterApp:
    return CounterApp(make_context(tmp_path / "counter.db", still_clock))


def _ended_call(ctx, actor, name="Mr Gareth Rowe") -> str:
    contact_id = contacts.start_contact(ctx, actor, "telephone", customer_name=name, reference="PEX 4411 2093",
                                        query="Why his renewal has not arrived")
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, actor, contact_id, number, at_step=step)
    contacts.save_note(ctx, actor, contact_id, "Shouted and swore at me twice.", version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, actor, contact_id)}
    records.finish(ctx, actor, contact_id, fields)
    return contact_id


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_in_the_demo_shows_the_demo_accounts(snap_compare, tmp_path, still_clock, size):
    ctx = Context.open(tmp_path / "demo.db", Settings(offices=[demo.MAIN, demo.SECOND]), clock=still_clock)
    demo.fill(ctx, START)
    assert snap_compare(CounterApp(ctx, demo_logins=demo.logins()), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_refused(snap_compare, app, size):
    assert snap_compare(app, press=[*"1001", "enter", *"999927", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_home_for_a_call_handler(snap_compare, app, size):
    assert snap_compare(app, press=HANDLER, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_call_warn_step(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_call_allow_to_improve_step(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter", "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_call_tell_the_customer_the_call_will_end(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter", "1", "2"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_case_note_prefilled(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter", "1", "2", "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_case_note_with_missing_fields_marked(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter", "1", "2", "1", "ctrl+s"], terminal_size=size, save_draft=False)


@pytest.mark.parametrize("size", SIZES)
def test_summary_after_the_call_ended(snap_compare, app, size):
    async def fill_in(pilot):
        screen = pilot.app.screen
        for field, text in (("who", "Mr Gareth Rowe"), ("query", "Renewal"), ("said_or_did", "Swore at me twice.")):
            screen.query_one(f"#field-{field}").load_text(text)

    async def press(pilot):
        await pilot.press(*HANDLER, "1", "enter", "1", "2", "1")
        await fill_in(pilot)
        await pilot.press("ctrl+s")

    assert snap_compare(app, run_before=press, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_refuse_to_serve_record(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter", "2"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_resume_offered_after_an_interrupted_call(snap_compare, tmp_path, still_clock, size, handler):
    ctx = make_context(tmp_path / "counter.db", still_clock)
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Ms Helen Marsh")
    contacts.take_step(ctx, handler, contact_id, 1, at_step="warn")
    assert snap_compare(CounterApp(ctx), press=HANDLER, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_queue_with_overdue_and_due_tasks(snap_compare, tmp_path, size, handler):
    clock = FixedClock(START - timedelta(hours=30))
    ctx = make_context(tmp_path / "counter.db", clock)
    # two clocks configured; the incident report form's is not: "no time set by the guidance"
    ctx.settings.deadlines.update(call_back=24, staff_threatened=24)
    _ended_call(ctx, handler, "Mr Gareth Rowe")
    clock.advance(timedelta(hours=28))
    _ended_call(ctx, handler, "Mrs Ruth Adeyemi")
    clock.advance(timedelta(hours=2))
    assert snap_compare(CounterApp(ctx), press=[*MANAGER, "q"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_queue_empty(snap_compare, app, size):
    assert snap_compare(app, press=[*MANAGER, "q"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_incident_report_form_prefilled(snap_compare, tmp_path, still_clock, size, handler):
    ctx = make_context(tmp_path / "counter.db", still_clock)
    _ended_call(ctx, handler)
    async def opened(pilot):  # each key once the screen before it is drawn (under load the queue loads later)
        for keys in (MANAGER, ["q"], ["down"], ["down"], ["enter"]):
            await pilot.press(*keys)
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        pilot.app.screen._autosave.save_now()  # the save a pause in typing makes: in the picture, whatever the timer did
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(CounterApp(ctx), run_before=opened, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_incident_report_form_completed(snap_compare, tmp_path, still_clock, size, handler):
    ctx = make_context(tmp_path / "counter.db", still_clock)
    _ended_call(ctx, handler)

    async def answered_then_completed(pilot):  # "How to deal with serious incidents": not very serious, identity known
        await pilot.press(*MANAGER, "q", "down", "down", "enter")
        pilot.app.screen.query_one("#field-very_serious").focus()
        await pilot.press("right", "enter")
        pilot.app.screen.query_one("#field-identity_known").focus()
        await pilot.press("enter", "ctrl+s")

    assert snap_compare(CounterApp(ctx), run_before=answered_then_completed, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_welfare_support_step_lists_the_configured_support(snap_compare, tmp_path, still_clock, size, handler):
    ctx = Context.open(tmp_path / "counter.db", Settings(staff_support=["Employee Assistance Programme (intranet: Wellbeing)",
                                                                       "Staff contact officers"]), clock=still_clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    _ended_call(ctx, handler)
    assert snap_compare(CounterApp(ctx), press=[*MANAGER, "q", "down", "enter", "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_welfare_record_to_sign(snap_compare, tmp_path, still_clock, size, handler):
    from tests.test_welfare import support_and_record, welfare_task

    ctx = make_context(tmp_path / "counter.db", still_clock)
    manager = staff.sign_in(ctx, "2001", "234527")
    support_and_record(ctx, manager, welfare_task(ctx, _ended_call(ctx, handler)).id)
    assert snap_compare(CounterApp(ctx), press=[*HANDLER, "q", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_call_back_shows_the_case_note_to_check(snap_compare, tmp_path, still_clock, size, handler):
    ctx = make_context(tmp_path / "counter.db", still_clock)
    _ended_call(ctx, handler)
    assert snap_compare(CounterApp(ctx), press=[*MANAGER, "q", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_call_back_script(snap_compare, tmp_path, still_clock, size, handler):
    ctx = make_context(tmp_path / "counter.db", still_clock)
    _ended_call(ctx, handler)
    assert snap_compare(CounterApp(ctx), press=[*MANAGER, "q", "enter", "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_ico_behaviour_levels(snap_compare, tmp_path, still_clock, size):
    ctx = make_context(tmp_path / "counter.db", still_clock, policy="ico")
    assert snap_compare(CounterApp(ctx), press=[*HANDLER, "1", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_ico_task_without_guided_steps(snap_compare, tmp_path, still_clock, size, handler):
    ctx = make_context(tmp_path / "counter.db", still_clock, policy="ico")
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Mr Paul Grant", reference="IC-1234")
    contacts.take_step(ctx, handler, contact_id, 4, at_step="behaviour")
    contacts.take_step(ctx, handler, contact_id, 1, at_step="abusive")
    contacts.save_note(ctx, handler, contact_id, "Threatened to find out where I live.", version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, handler, contact_id)}
    records.finish(ctx, handler, contact_id, fields)
    assert snap_compare(CounterApp(ctx), press=[*MANAGER, "q", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_sign_in_with_no_staff_says_how_to_add_them(snap_compare, tmp_path, still_clock, size):
    ctx = Context.open(tmp_path / "empty.db", clock=still_clock)
    assert snap_compare(CounterApp(ctx), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_customer_details_refused_beside_the_fields(snap_compare, app, size):
    async def hostile(pilot):
        await pilot.press(*HANDLER, "1", "enter")
        pilot.app.screen.query_one("#customer_name", Input).value = "Mr \u202eRowe"
        pilot.app.screen.query_one("#reference", Input).value = "R" * 41
        await pilot.press("escape")

    assert snap_compare(app, run_before=hostile, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_home_for_a_line_manager_with_tasks_due(snap_compare, tmp_path, size, handler):
    clock = FixedClock(START - timedelta(hours=30))
    ctx = make_context(tmp_path / "counter.db", clock)
    _ended_call(ctx, handler)
    clock.advance(timedelta(hours=30))
    assert snap_compare(CounterApp(ctx), press=MANAGER, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_keys_panel_on_a_guided_step(snap_compare, app, size):
    assert snap_compare(app, press=[*HANDLER, "1", "enter", "f1"], terminal_size=size)


# -- every channel (issue: face-to-face, video, written, counter, immediate risk, calls for help) -----

def _channel_app(tmp_path, clock, facilities=()) -> CounterApp:

    return CounterApp(channel_context(tmp_path / "counter.db", clock, facilities))


OFFICER = [*"3001", "enter", *"345627", "enter"]
COUNTER = [*"3002", "enter", *"357927", "enter"]
POST = [*"5001", "enter", *"567827", "enter"]


@pytest.mark.parametrize("size", SIZES)
def test_third_interview_shows_earlier_warnings_and_the_admin_refusal(snap_compare, tmp_path, still_clock, size):
    app = _channel_app(tmp_path, still_clock)
    two_interview_warnings(app.ctx)

    assert snap_compare(app, press=[*OFFICER, "2", *"kov", "down", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_finding_the_customer_shows_their_earlier_warnings(snap_compare, tmp_path, still_clock, size):
    app = _channel_app(tmp_path, still_clock)
    two_interview_warnings(app.ctx)
    assert snap_compare(app, press=[*OFFICER, "2", *"kov"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_video_connection_ended(snap_compare, tmp_path, still_clock, size):
    assert snap_compare(_channel_app(tmp_path, still_clock), press=[*OFFICER, "3", "enter", "1", "ctrl+d"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_written_bar_shows_what_arrived(snap_compare, tmp_path, still_clock, size):
    assert snap_compare(_channel_app(tmp_path, still_clock), press=[*POST, "4", "enter", "1", "3"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_customer_changed_elsewhere_is_a_conflict(snap_compare, app, size):
    from counter_tui.services import customers

    async def conflict(pilot):
        await pilot.press(*HANDLER, "1", *"Gareth", "space", *"Rowe", "enter")
        screen = pilot.app.screen
        manager = staff.sign_in(pilot.app.ctx, "2001", "234527")
        customer_id = screen.current.contact.customer_id
        with write(pilot.app.ctx.store.db):
            customers.change(pilot.app.ctx.store.db, pilot.app.ctx, manager, customer_id, name="Mr Gareth Rowe",
                             reference="PEX 4411 2093", version=1)
        screen.query_one("#customer_name", Input).value = "Mr G. Rowe"
        await pilot.press("escape")
        await pilot.pause()

    assert snap_compare(app, run_before=conflict, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_counter_options_in_an_office_without_a_post_box(snap_compare, tmp_path, still_clock, size):
    app = _channel_app(tmp_path, still_clock, ["security_guards"])
    assert snap_compare(app, press=[*COUNTER, "5", "enter", "2", "1", "2"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_written_communication_what_arrived(snap_compare, tmp_path, still_clock, size):
    assert snap_compare(_channel_app(tmp_path, still_clock), press=[*POST, "4", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_interview_record_after_ending(snap_compare, tmp_path, still_clock, size):
    assert snap_compare(_channel_app(tmp_path, still_clock), press=[*OFFICER, "2", "enter", "1", "2", "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_immediate_risk_record_on_the_counter(snap_compare, tmp_path, still_clock, size):
    assert snap_compare(_channel_app(tmp_path, still_clock), press=[*COUNTER, "5", "enter", "0"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_call_for_help_on_another_terminal(snap_compare, tmp_path, still_clock, size, handler):
    from counter_tui.services import alerts

    app = _channel_app(tmp_path, still_clock)
    contact_id = contacts.start_contact(app.ctx, handler, "telephone", customer_name="Mr Gareth Rowe")
    alerts.raise_alert(app.ctx, handler, contact_id, "telephone")

    async def manager_sees_it(pilot):
        await pilot.press(*MANAGER)
        pilot.app.poll_alerts()

    assert snap_compare(app, run_before=manager_sees_it, terminal_size=size)
