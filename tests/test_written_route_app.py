"""The written route end to end, keys pressed as staff press them (issue 18 items 7 and 8): the
caseworker's contact, the line manager's own step from their queue, the HEO's draft, and the SEO
agreeing (every after-step, the incident recorded, its incident report form on the queue) or not
agreeing (final, with the reason, nothing follows)."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, DataTable, Input

from counter_tui.app import CounterApp
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.letter import LetterScreen
from counter_tui.screens.letter_sign_off import LetterSignOffScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.store import letters as letter_store
from counter_tui.store import queries
from tests.letters_helpers import BEA, GRACE, NIA, PINS, add_caseworker_and_heo, letter_context
from tests.written_helpers import LEE, add_line_manager

SIZE = (110, 36)
PIN = {**PINS, NIA.number: "567827", BEA.number: "567827", LEE.number: "212427"}


async def _sign_in(pilot, actor) -> None:
    await pilot.press(*actor.number, "enter", *PIN[actor.number], "enter")
    await pilot.pause()


async def _open_task(pilot, app, task_id: str) -> None:
    await pilot.press("q")
    await pilot.pause()
    table = app.screen.query_one(DataTable)
    keys = [row.key.value for row in table.ordered_rows]
    table.move_cursor(row=keys.index(task_id))
    await pilot.press("enter")
    await pilot.pause()


def _tasks(ctx, spec):
    return [r[0] for r in ctx.store.db.execute("SELECT id FROM tasks WHERE spec = ? ORDER BY id", [spec])]


async def _save(pilot, app) -> None:
    for widget in app.screen.query(".field"):
        if isinstance(widget, Input) and not widget.value:
            widget.value = "Abusive words about our staff."
        elif hasattr(widget, "text") and not isinstance(widget, Checkbox) and not widget.text:
            widget.load_text("Abusive words about our staff.")
    await pilot.press("ctrl+s")
    await pilot.pause()


@pytest.mark.parametrize("agreed", [True, False])
async def test_contact_line_manager_heo_and_the_seo_agrees_or_not(tmp_path, clock, agreed):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    add_line_manager(ctx)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, NIA)
        await pilot.press("4", "enter")  # written; the customer not known yet
        assert isinstance(app.screen, ContactScreen)
        contact_id = app.screen.contact_id
        app.screen.query_one("#customer_name", Input).value = "Mr Ian Abel"
        await pilot.press("escape", "4", "3", "1")  # a digital application; intimidating language; to my line manager
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.query_one("#field-what_arrived", Input).value == "digital application"
        assert app.screen.query_one("#field-applied_online", Checkbox).value is True
        app.screen.query_one("#field-received_on", Input).value = "2026-11-24"
        await _save(pilot, app)
        record = queries.contact_record(ctx.store.db, contact_id)
        assert record["kind"].startswith("Intimidating") and record["applied_online"] == "yes"
        assert not _tasks(ctx, "written_warning_letter"), "the HEO's task waits for the line manager"
        await pilot.press("ctrl+o")
        await pilot.pause()

        await _sign_in(pilot, LEE)
        await _open_task(pilot, app, _tasks(ctx, "line_manager_written")[0])
        assert isinstance(app.screen, ContactScreen)
        await pilot.press("1", "1")  # aware of a possible disability; told the HEO
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.query_one("#field-received_on", Input).value == "2026-11-24"
        await pilot.press("ctrl+s")
        await pilot.pause()
        heo_task, = _tasks(ctx, "written_warning_letter")
        task = queries.task(ctx.store.db, heo_task)
        assert task.due_at.astimezone(ctx.settings.zone).date().isoformat() == "2026-11-24"
        await pilot.press("ctrl+o")
        await pilot.pause()

        await _sign_in(pilot, BEA)
        await _open_task(pilot, app, heo_task)
        assert isinstance(app.screen, LetterScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()

        await _sign_in(pilot, GRACE)
        letter_id = task.letter_id
        sign_off = next(t for t in letter_store.tasks_for_letter(ctx.store.db, letter_id) if t.spec == "sign_off_letter")
        await _open_task(pilot, app, sign_off.id)
        assert isinstance(app.screen, LetterSignOffScreen)
        if agreed:
            await pilot.press("1")
        else:
            await pilot.press("3", "enter")  # no reason: refused beside it
            await pilot.pause()
            assert "reason" in str(app.screen.query_one("#task-error").render()).lower() or \
                letter_store.letter(ctx.store.db, letter_id).status == "submitted"
            await pilot.press(*"Not justified: he apologised.", "enter")
        await pilot.pause()
    letter = letter_store.letter(ctx.store.db, letter_id)
    incident = queries.incident(ctx.store.db, task.incident_id)
    specs = {t.spec for t in letter_store.tasks_for_letter(ctx.store.db, letter_id)}
    assert _tasks(ctx, "incident_report"), "the incident report form is on the queue either way"
    if agreed:
        assert letter.status == "approved" and incident.recorded_at is not None
        assert {"scan_written_letter", "send_written_letter"} <= specs
    else:
        assert letter.status == "not_agreed" and letter.closed_reason == "Not justified: he apologised."
        assert specs == {"written_warning_letter", "sign_off_letter"} and incident.recorded_at is None
