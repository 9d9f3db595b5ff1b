"""No invented clocks (issue 18.11): a task's due time comes from the pack, citing the document's
section; or from the configuration, named ("due by [deadlines] call_back = 12 hours"); or from
neither, and then it has none and says so ("no time set by the guidance"), still listed in plain
sight (after the overdue, oldest first). The written-communication letter is due on the day the
communication was received, which the written contact records.

GIVEN a call ended with no [deadlines] call_back WHEN the line manager reads the queue THEN the
call-back has no due time, is listed, and shows "no time set by the guidance" on the queue screen,
the task's screen and `counter queue`. GIVEN [deadlines] call_back = 12 THEN it is due 12 hours
after the call and its screen names the setting. GIVEN a pack clock THEN its source cites its
section. GIVEN a letter received two days ago THEN the HEO's letter is due by the end of that day.
"""

from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner
from textual.widgets import DataTable

from counter_tui.app import CounterApp
from counter_tui.cli import main
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.screens.task import TaskScreen
from counter_tui.services import contacts, deadlines, queue, records, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors
from counter_tui.services.queue import Scope
from tests.conftest import CALL_HANDLER, LINE_MANAGER, START
from tests.letters_helpers import NIA, add_caseworker_and_heo, letter_context

HANDLER = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
MANAGER = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")


def _context(path, clock, **settings) -> Context:
    ctx = Context.open(path, Settings(policy="hmpo", **settings), clock=clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    return ctx


def _ended_call(ctx) -> records.Finished:
    contact_id = contacts.start_contact(ctx, HANDLER, "telephone", customer_name="Pat Customer", reference="AB123")
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, HANDLER, contact_id, number, at_step=step)
    return records.finish(ctx, HANDLER, contact_id, {"who": "Pat Customer", "query": "Passport", "told": "Warned",
                                                      "said_or_did": "Swore"})


def _call_back(ctx, finished):
    return next(queue.get_task(ctx, t) for t in finished.task_ids if queue.get_task(ctx, t).spec == "call_back")


def test_an_unconfigured_call_back_has_no_due_time_and_is_still_listed(tmp_path, clock):
    ctx = _context(tmp_path / "c.db", clock)
    call_back = _call_back(ctx, _ended_call(ctx))
    assert call_back.due_at is None and not call_back.overdue(START + timedelta(days=30))
    source = deadlines.clock_source(ctx.pack.task("call_back").due, ctx.settings)
    assert source.startswith(deadlines.NO_TIME) and "[deadlines] call_back" in source
    clock.advance(timedelta(days=5))
    mine = queue.my_queue(ctx, MANAGER, Scope.mine)
    assert call_back.id in [item.task.id for item in mine.items]
    assert mine.overdue_count == 0


def test_no_due_time_sorts_after_the_overdue_and_before_later_ones(tmp_path, clock):
    ctx = _context(tmp_path / "c.db", clock, deadlines={"staff_threatened": 1, "incident_report": 100})
    finished = _ended_call(ctx)
    by_spec = {queue.get_task(ctx, t).spec: t for t in finished.task_ids}
    clock.advance(timedelta(hours=2))  # staff_threatened (1 hour) overdue; incident_report not yet due
    order = [item.task.id for item in queue.my_queue(ctx, MANAGER).items]
    assert order == [by_spec["staff_threatened"], by_spec["call_back"], by_spec["incident_report"]]


def test_a_configured_call_back_is_due_by_the_setting_it_names(tmp_path, clock):
    ctx = _context(tmp_path / "c.db", clock, deadlines={"call_back": 12})
    finished = _ended_call(ctx)
    call_back = _call_back(ctx, finished)
    assert call_back.due_at - call_back.created_at == timedelta(hours=12)
    source = deadlines.clock_source(ctx.pack.task("call_back").due, ctx.settings)
    assert source == "due by [deadlines] call_back = 12 hours"


def test_a_pack_set_deadline_cites_its_section(tmp_path, clock):
    dwp = Context.open(tmp_path / "d.db", Settings(policy="dwp"), clock=clock)
    decision = next(t for t in dwp.pack.tasks if t.due.hours == 24)
    source = deadlines.clock_source(decision.due, dwp.settings)
    assert source.startswith("due in 24 hours: ") and "within 24 hours" in source
    ico = Context.open(tmp_path / "i.db", Settings(policy="ico"), clock=clock)
    call_back = next(t for t in ico.pack.tasks if t.due.hours == 24)
    assert deadlines.clock_source(call_back.due, ico.settings) == "due in 24 hours: 7.3"  # "within the next 24 hours"
    # the hmpo letters' day is the document's: "on the day of the incident"
    letter = _context(tmp_path / "h.db", clock).pack.task("written_warning_letter")
    assert "on the day of the incident" in letter.due.section


def test_every_pack_deadline_the_document_does_not_set_is_configuration_without_a_default(tmp_path, clock):
    assert Settings().deadlines == {}
    for policy in ("hmpo", "ico", "dwp", "council", "north_tyneside"):
        pack = Context.open(tmp_path / f"{policy}.db", Settings(policy=policy), clock=clock).pack
        for task in pack.tasks:
            assert task.due.section, (policy, task.id)  # every clock cites the document or says it sets none


async def test_the_queue_and_the_task_screen_say_no_time_set_by_the_guidance(tmp_path, clock):
    ctx = _context(tmp_path / "c.db", clock)
    call_back = _call_back(ctx, _ended_call(ctx))
    app = CounterApp(ctx)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter", "q")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = table.get_row(call_back.id)
        assert "no time set by" in str(row[0]) and "the guidance" in str(row[0])
        app.push_screen(TaskScreen(call_back.id))
        await pilot.pause()
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "Due no time set by the guidance" in text
        assert "[deadlines] call_back" in text


def test_counter_queue_says_no_time_set_by_the_guidance(tmp_path, clock):
    db = tmp_path / "counter.db"
    ctx = _context(db, clock)
    _ended_call(ctx)
    ctx.store.close()
    env = {"COUNTER_CONFIG": str(tmp_path / "no-config.toml"), "COUNTER_DB": str(tmp_path / "env-default.db")}
    result = CliRunner().invoke(main, ["queue", "--admin", "--db", str(db)], env=env)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "Call the customer back" in line)
    assert "no time set by the guidance" in line and "Pat Customer" in line


def _written_contact(ctx, received: str | None):
    contact_id = contacts.start_contact(ctx, NIA, "written", customer_name="Mr Ian Abel", reference="PEX 5555 0002")
    while not (view := contacts.view(ctx, contact_id)).step.is_final:
        number = (next(n for n, c in view.offered if c.label.startswith("Intimidating"))
                  if view.step.id == "abuse" else view.offered[0][0])
        contacts.take_step(ctx, NIA, contact_id, number, at_step=view.step.id)
    fields = {fid: text or ("Abusive words." if required else "") for fid, _, text, required in records.draft_record(ctx, NIA, contact_id)}
    if received is not None:
        fields["received_on"] = received
    return contact_id, fields


def test_the_written_letter_is_due_on_the_day_the_communication_was_received(tmp_path, clock):
    from tests.written_helpers import tell_heo

    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    contact_id, fields = _written_contact(ctx, None)
    assert fields["received_on"] == "2026-11-25"  # today, by default
    fields["received_on"] = "2026-11-23"
    finished = records.finish(ctx, NIA, contact_id, fields)
    letter = queue.get_task(ctx, tell_heo(ctx, finished))  # the line manager's step creates it
    assert letter.spec == "written_warning_letter"
    local = letter.due_at.astimezone(ctx.settings.zone)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-11-23", 23, 59)
    assert letter.overdue(ctx.clock.now())  # the day it arrived has passed


def test_a_received_date_in_the_future_or_mistyped_is_refused_beside_the_field(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    add_caseworker_and_heo(ctx)
    contact_id, fields = _written_contact(ctx, "2026-11-26")
    try:
        records.finish(ctx, NIA, contact_id, fields)
    except FieldErrors as error:
        assert error.errors == {"received_on": "This cannot be later than today."}
    else:
        raise AssertionError("a received date after today was accepted")
    fields["received_on"] = "25/11/2026"
    try:
        records.finish(ctx, NIA, contact_id, fields)
    except FieldErrors as error:
        assert "YYYY-MM-DD" in error.errors["received_on"]
    else:
        raise AssertionError("a mistyped received date was accepted")


def test_without_a_configured_notice_a_measures_review_is_queued_at_once(tmp_path, clock):
    from counter_tui.services import measure_review

    ctx = Context.open(tmp_path / "d.db", Settings(policy="dwp"), clock=clock)
    assert "measure_review_notice" not in ctx.settings.deadlines
    assert measure_review.queue_due(ctx) == 0  # nothing to review yet, and no error for the missing setting


def test_a_clock_counted_from_a_day_needs_that_day_field_in_the_record():
    from counter_tui.policy.lint import lint
    from counter_tui.policy.loader import load_pack
    from counter_tui.policy.schema import Pack

    for form_id in ("written_line_manager", "written_record"):  # the line manager's step, and what it carries
        data = load_pack("hmpo").model_dump()
        form = next(f for f in data["forms"] if f["id"] == form_id)
        form["fields"] = [f for f in form["fields"] if f["id"] != "received_on"]
        findings = lint(Pack.model_validate(data))
        assert any(f.rule == "P008" and "received_on" in f.message for f in findings), (form_id, findings)
