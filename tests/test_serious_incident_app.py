"""Serious incidents in the app, key by key (HMPO "How to deal with serious incidents").

GIVEN a caller who threatened violence and was refused at once, WHEN the line manager completes the
incident report form without answering the two questions THEN it is refused with the error beside
each; WHEN they answer both yes THEN the SEO's task is on the SEO's queue; WHEN the SEO (signed in as
themselves) opens it, reads the incident and presses 1 ("the police should be made aware") with a
reason, and the Grade 7 manager presses 1 ("Inform the police") with the date and a reason THEN the
customer's record shows "Police informed on <date> by <name>: <reason>". Snapshots of the SEO's step
and the Grade 7 manager's form at 80x24 and 120x40.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, RadioSet, Static, TextArea

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.screens.contact import ContactScreen, open_contact
from counter_tui.screens.customer_record import CustomerRecordScreen
from counter_tui.screens.incident_report import IncidentReportScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.services import contacts, queue
from counter_tui.store import queries
from tests.conftest import START
from tests.test_serious_incident import GRADE7, PINS, SEO, SERIOUS, complete_report, seo_task, serious_context, threatening_call

SIZE = (110, 40)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
MANAGER = ("2001", "234527")


async def _sign_in(pilot, number: str, pin: str) -> None:
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def _open_task(pilot, app, task_id: str) -> None:
    await pilot.press("q")
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    keys = [row.key.value for row in table.ordered_rows]
    table.move_cursor(row=keys.index(task_id))
    await pilot.press("enter")
    await pilot.pause()


def _shown(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_from_the_line_managers_two_questions_to_the_police_informed(tmp_path, clock, handler):
    ctx = serious_context(tmp_path, clock)
    report_task = threatening_call(ctx, handler)
    incident_id = queries.task(ctx.store.db, report_task).incident_id
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, *MANAGER)
        await _open_task(pilot, app, report_task)
        screen = app.screen
        assert isinstance(screen, IncidentReportScreen)
        await pilot.press("ctrl+s")  # the questions unanswered: refused beside each
        await pilot.pause()
        assert "Answer yes or no." in _shown(screen, "#error-very_serious")
        assert "Answer yes or no." in _shown(screen, "#error-identity_known")
        assert queries.incident(ctx.store.db, incident_id).reported_at is None
        for question in ("very_serious", "identity_known"):
            screen.query_one(f"#field-{question}", RadioSet).focus()
            await pilot.press("enter")  # Yes, the first choice
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Referred to the Senior executive officer (SEO)" in _shown(screen, "#record-heading")
        [referred] = seo_task(ctx, incident_id)
        await pilot.press("escape", "ctrl+o")
        await pilot.pause()

        await _sign_in(pilot, SEO.number, PINS[SEO.number])
        await _open_task(pilot, app, referred.task.id)
        assert isinstance(app.screen, ContactScreen)
        extra = _shown(app.screen, "#step-extra")
        assert "The incident, as recorded" in extra and "hurt me" in extra
        await pilot.press("1")  # serious enough: tell my Grade 7 manager
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        await pilot.press(*"He named the office and a time.", "ctrl+s")
        await pilot.pause()
        [grade7] = [i.task for i in queue.all_open(ctx, spec="police_decision").items]
        await pilot.press("ctrl+o")
        await pilot.pause()

        await _sign_in(pilot, GRADE7.number, PINS[GRADE7.number])
        await _open_task(pilot, app, grade7.id)
        assert "agreed the police should be made aware" in _shown(app.screen, "#step-extra")
        await pilot.press("1")  # inform the police
        await pilot.pause()
        record = app.screen
        assert isinstance(record, RecordScreen)
        assert record.query_one("#field-informed_on", Input).value == "2026-11-25", "today, prefilled"
        record.query_one("#field-police_reference", Input).focus()
        await pilot.press(*"CAD 4471")
        record.query_one("#field-reason", TextArea).focus()
        await pilot.press(*"A threat to come and hurt staff.", "ctrl+s")
        await pilot.pause()
        customer_id = queries.contact(ctx.store.db, queries.incident(ctx.store.db, incident_id).contact_id).customer_id
        app.push_screen(CustomerRecordScreen(customer_id))
        await pilot.pause()
        text = " ".join(_shown(app.screen, "#record-text").split())
    assert f"{incident_id} Police informed on 25 November 2026 by Marcus Hale: A threat to come and hurt staff." in text
    decided = ctx.store.db.execute(
        "SELECT actor, role FROM events WHERE kind = 'incident.decided' ORDER BY seq").fetchall()
    assert decided == [(SEO.number, "seo"), (GRADE7.number, "grade7")]


def _referred(tmp_path, handler, manager):
    ctx = serious_context(tmp_path, FixedClock(START))
    incident = complete_report(ctx, manager, threatening_call(ctx, handler), SERIOUS)
    return ctx, incident.id, seo_task(ctx, incident.id)[0].task.id


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_the_seos_decision_step(snap_compare, tmp_path, handler, manager, size):
    ctx, _, task_id = _referred(tmp_path, handler, manager)
    contact_id = queue.open_task(ctx, SEO, task_id)

    async def as_the_seo(pilot):
        await _sign_in(pilot, SEO.number, PINS[SEO.number])
        open_contact(pilot.app, contact_id)
        await pilot.pause()

    assert snap_compare(CounterApp(ctx), run_before=as_the_seo, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_the_grade7s_form_for_informing_the_police(snap_compare, tmp_path, handler, manager, size):
    from counter_tui.services import records

    ctx, _, task_id = _referred(tmp_path, handler, manager)
    seo_contact = queue.open_task(ctx, SEO, task_id)
    contacts.take_step(ctx, SEO, seo_contact, 1, at_step="consider")
    [grade7] = records.finish(ctx, SEO, seo_contact, {"reason": "He named the office and a time."}).task_ids
    contact_id = queue.open_task(ctx, GRADE7, grade7)
    contacts.take_step(ctx, GRADE7, contact_id, 1, at_step="decide")

    async def as_the_grade7(pilot):
        await _sign_in(pilot, GRADE7.number, PINS[GRADE7.number])
        open_contact(pilot.app, contact_id)
        await pilot.pause()

    assert snap_compare(CounterApp(ctx), run_before=as_the_grade7, terminal_size=size)


async def test_the_demo_walk_through_in_the_readme(tmp_path):
    """README: as 6001, q, down, Enter, 1, a reason, ctrl+s; as 6002, q, Enter, 1, a reason, ctrl+s."""
    from counter_tui.config import Settings
    from counter_tui.services import demo, register
    from counter_tui.services.context import Context

    ctx = Context.open(tmp_path / "demo.db", Settings(offices=[demo.MAIN, demo.SECOND]), clock=FixedClock(START))
    demo.fill(ctx, START)
    app = CounterApp(ctx, demo_logins=demo.logins())
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "6001", "678927")
        await pilot.press("q", "down", "enter")
        await pilot.pause()
        assert "Mr Karl Dunn" in _shown(app.screen, "#step-extra")
        await pilot.press("1")
        await pilot.pause()
        await pilot.press(*"He said he would wait outside for her.", "ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        await _sign_in(pilot, "6002", "679027")
        await pilot.press("q", "enter")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        app.screen.query_one("#field-reason", TextArea).focus()
        await pilot.press(*"A specific threat of violence.", "ctrl+s")
        await pilot.pause()
    hit = next(h for h in register.search(ctx, "Dunn") if h.customer_id)
    lines = [text for _, text in register.record(ctx, hit.customer_id).on_incidents]
    assert lines[-1].startswith("Police informed on 25 November 2026 by Marcus Hale: A specific threat of violence.")
