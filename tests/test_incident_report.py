"""The incident report form: on the queue for every incident until complete, filled from what staff
recorded, saved without overwriting another manager, distributed as configured, printed and exported.

GIVEN a call that ended with an incident, WHEN the line manager opens the form from the queue,
completes it and prints it, THEN the form, its distribution and the task's completion are stored,
the PDF holds every column, and the queue no longer lists it.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from io import BytesIO

import pytest
from hypothesis import given
from hypothesis import strategies as st
from click.testing import CliRunner
from pypdf import PdfReader
from textual.widgets import Checkbox, DataTable, TextArea

from counter_tui.app import CounterApp
from counter_tui.cli import main
from counter_tui.config import Settings
from counter_tui.screens.incident_report import IncidentReportScreen
from counter_tui.services import contacts, export, incident_report, printing, records
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.services.incident_report import ReportConflict
from counter_tui.store import queries
from tests.conftest import CALL_HANDLER, LINE_MANAGER, make_context

SIZE = (110, 40)
ANSWERED = {"very_serious": "no", "identity_known": "yes"}
"""The two questions of "How to deal with serious incidents", answered (they start unanswered)."""


def ended_call(ctx, handler, name="Mr Gareth Rowe") -> str:
    """A call warned, not improved and ended, with its case note: returns the contact id."""
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name=name, reference="PEX 4411 2093",
                                        query="Where is my passport")
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, handler, contact_id, number, at_step=step)
    contacts.save_note(ctx, handler, contact_id, "Swore at me twice and said he would 'sort me out'.", version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, handler, contact_id)}
    records.finish(ctx, handler, contact_id, fields)
    return contact_id


def report_task(ctx, contact_id):
    return next(t for t in queries.tasks_for_contact(ctx.store.db, contact_id) if t.spec == "incident_report")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_every_new_incident_gets_an_incident_report_task_for_the_line_manager(ctx, handler):
    contact_id = ended_call(ctx, handler)
    task = report_task(ctx, contact_id)
    assert task.role == "line_manager" and task.incident_id is not None
    assert task.due_at is None, "the guidance sets no clock and this configuration sets no [deadlines] incident_report"


def test_the_form_is_prefilled_from_what_was_recorded(ctx, handler, manager):
    contact_id = ended_call(ctx, handler)
    draft = incident_report.draft(ctx, manager, report_task(ctx, contact_id).id)
    text = {f.id: f.text for f in draft.fields}
    assert text["date"] == "25 November 2026"
    assert text["location"] == "Main office"
    assert text["time"].startswith("09:00")
    assert "sort me out" in text["details"] and "Mr Gareth Rowe" in text["details"]
    assert "Warn the customer" in text["action_taken"]
    assert text["staff_involved"] == "Sam Okafor (Call handler, staff number 1001)"
    assert "Call the customer back" in text["reported_to"] and "Support the member of staff" in text["reported_to"]
    assert text["comments"] == "" and text["security_breach"] == ""


def test_two_managers_saving_at_once_never_overwrite_each_other(ctx, handler, manager):
    other = manager.model_copy(update={"number": "2009", "name": "Kim Patel"})
    from counter_tui.services import staff

    staff.add_staff(ctx, number="2009", name="Kim Patel", role="line_manager", office="Main office", pin="299927")
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    mine = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | ANSWERED
    theirs = dict(mine, comments="Kim's comments")
    assert incident_report.save_draft(ctx, other, task_id, theirs, version=0) == 1
    with pytest.raises(ReportConflict) as conflict:
        incident_report.save_draft(ctx, manager, task_id, dict(mine, comments="Jo's comments"), version=0)
    assert conflict.value.by == "Kim Patel" and conflict.value.current["comments"] == "Kim's comments"
    with pytest.raises(ReportConflict):
        incident_report.complete(ctx, manager, task_id, dict(mine, comments="Jo's comments"), version=0)
    incident = queries.incident(ctx.store.db, report_task(ctx, ended_call(ctx, handler, "Other")).incident_id)
    assert incident.report == {}, "another incident's form is untouched"


def test_missing_columns_are_named_and_nothing_is_completed(ctx, handler, manager):
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    values = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | ANSWERED
    with pytest.raises(FieldErrors) as problem:
        incident_report.complete(ctx, manager, task_id, dict(values, details="", location=" "), version=0)
    assert set(problem.value.errors) == {"details", "location"}
    assert queries.task(ctx.store.db, task_id).status == "open"


def test_only_the_tasks_role_may_complete_it_and_a_refusal_is_recorded(ctx, handler):
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    with pytest.raises(Refused):
        incident_report.draft(ctx, handler, task_id)
    kinds = [r[0] for r in ctx.store.db.execute("SELECT kind FROM events WHERE kind = 'access.refused'")]
    assert kinds == ["access.refused"]


def test_distribution_comes_from_the_pack_and_configuration(tmp_path, clock, handler, manager):
    settings = Settings(incident_distribution={"Human resources service centre": "hr-incidents@example.org"})
    ctx = Context.open(tmp_path / "c.db", settings, clock=clock)
    from counter_tui.services import staff

    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    values = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | ANSWERED
    done = incident_report.complete(ctx, manager, task_id, values, version=0)
    assert done.distribution == [
        "Human resources service centre <hr-incidents@example.org>", "Equality and Diversity team",
        "PCS branch health and safety representatives",
    ], "the security help desk only for a breach"


async def test_a_line_managers_day_queue_form_complete_print(tmp_path, clock, handler):
    """Sign in, open the queue, open the incident report form, complete what is missing (a breach
    ticked), save, print: the queue no longer lists it, and the PDF holds every column."""
    ctx = make_context(tmp_path / "counter.db", clock)
    contact_id = ended_call(ctx, handler)
    task_id = report_task(ctx, contact_id).id
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter", "q")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        keys = [row.key.value for row in table.ordered_rows]
        assert task_id in keys
        table.move_cursor(row=keys.index(task_id))
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentReportScreen)
        assert screen.focused.id == "field-comments", "the cursor starts at the first empty column"
        await pilot.press(*"Staff", "space", *"member", "space", *"shaken")
        screen.query_one("#field-security_breach", Checkbox).focus()
        await pilot.press("space")
        screen.query_one("#field-very_serious").focus()
        await pilot.press("right", "enter")  # No
        screen.query_one("#field-identity_known").focus()
        await pilot.press("enter")  # Yes
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Completed" in str(screen.query_one("#record-status").render())
        assert screen.query_one("#field-details", TextArea).disabled
        await pilot.press("ctrl+r")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert "PDF written" in str(screen.query_one("#record-status").render())
        await pilot.press("escape")
        await pilot.pause()
        assert task_id not in [row.key.value for row in app.screen.query_one(DataTable).ordered_rows]
    incident = queries.incident(ctx.store.db, report_task(ctx, contact_id).incident_id)
    assert incident.reported_by == "2001" and incident.report["comments"] == "Staff member shaken"
    assert incident.report["security_breach"] == "yes" and "Security help desk" in incident.distribution
    assert (incident.report["very_serious"], incident.report["identity_known"]) == ("no", "yes")
    assert queries.task(ctx.store.db, task_id).done_by == "2001"
    text = " ".join(pdf_text((tmp_path / "prints" / f"{incident.id}-incident.pdf").read_bytes()).split())
    for label, value in incident_report.completed(ctx, incident.id):  # column by column
        assert label.split(" (")[0] in text
        assert " ".join(value.splitlines()[0].split())[:40] in text
    assert "Security help desk" in text


def test_a_missing_printer_says_so_and_keeps_the_pdf(tmp_path, clock, handler, manager, monkeypatch):
    ctx = Context.open(tmp_path / "c.db", Settings(printer="counter-office"), clock=clock)
    from counter_tui.services import staff

    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    incident_id = report_task(ctx, ended_call(ctx, handler)).incident_id
    monkeypatch.setattr(printing.shutil, "which", lambda name: None)
    printed = printing.print_incident(ctx, incident_id, form="case-note")
    assert not printed.sent_to_printer and "lp is missing" in printed.message
    assert printed.path.exists() and "Case note" in pdf_text(printed.path.read_bytes())


def test_hostile_text_prints_as_text(ctx, handler, manager):
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    values = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | ANSWERED
    hostile = '<img src="x"> <b>bold</b> &amp; <font color="red">red</font>'
    done = incident_report.complete(ctx, manager, task_id, dict(values, comments=hostile), version=0)
    text = pdf_text(__import__("counter_tui.printing.pdf", fromlist=["render"]).render(printing.printable(ctx, done.id, "incident")))
    assert '<img src="x">' in text and "<b>bold</b>" in text and "&amp;" in text


def test_cli_print_and_export(tmp_path, clock, handler):
    db = tmp_path / "counter.db"
    ctx = make_context(db, clock)
    incident_id = report_task(ctx, ended_call(ctx, handler, name="=HYPERLINK(\"http://x\")")).incident_id
    ctx.store.close()
    runner = CliRunner()
    out = tmp_path / "form.pdf"
    result = runner.invoke(main, ["print", "--admin", incident_id.lower(), "--form", "incident", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "DRAFT" in pdf_text(out.read_bytes()), "an incomplete form prints marked as a draft"
    refused = runner.invoke(main, ["print", "--admin", incident_id, "--form", "call-log", "--db", str(db)])
    assert refused.exit_code == 1 and "no terminated call log" in refused.output and "Traceback" not in refused.output
    missing = runner.invoke(main, ["print", "--admin", "I-999999", "--db", str(db)])
    assert missing.exit_code == 1 and "No incident I-999999" in missing.output

    as_csv = runner.invoke(main, ["export", "incidents", "--admin", "--format", "csv", "--db", str(db)])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 1 and rows[0]["customer_name"] == "'=HYPERLINK(\"http://x\")"
    as_json = runner.invoke(main, ["export", "incidents", "--admin", "--db", str(db)])
    record = json.loads(as_json.stdout.splitlines()[0])
    assert record["id"] == incident_id and record["customer_name"] == "=HYPERLINK(\"http://x\")"
    assert "report_details" in record


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_never_run_as_formulas(cell):
    assert export.safe_cell(cell) == "'" + cell
    assert export.safe_cell("Mr Rowe") == "Mr Rowe"


async def test_the_summary_prints_the_case_note_with_one_key(tmp_path, clock):
    ctx = make_context(tmp_path / "counter.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1001", "enter", *"123427", "enter", "1", "enter", "2")  # refused to serve
        await pilot.pause()
        for field in app.screen.query("TextArea.field"):
            field.load_text(field.text or "Recorded in the test")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "SummaryScreen"
        await pilot.press("ctrl+r")
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        assert "PDF written" in str(app.screen.query_one("#summary-status").render())
    (printed,) = (tmp_path / "prints").glob("C-*-record.pdf")
    assert "Recorded in the test" in pdf_text(printed.read_bytes())


@given(saves=st.lists(st.tuples(st.sampled_from(["2001", "2009"]), st.booleans(), st.text("abcxyz", max_size=12)),
                      min_size=1, max_size=8))
def test_a_stale_save_never_changes_the_form(tmp_path_factory, saves):
    """GIVEN two managers saving in any order, each either with the version on record or an older
    one, THEN a stale save is refused and leaves the stored form as it was; a fresh one lands."""
    from counter_tui.clock import FixedClock
    from counter_tui.models.staff import Actor
    from counter_tui.services import staff
    from tests.conftest import START

    ctx = make_context(tmp_path_factory.mktemp("r") / "counter.db", FixedClock(START, tick=timedelta(seconds=1)))
    staff.add_staff(ctx, number="2009", name="Kim Patel", role="line_manager", office="Main office", pin="299927")
    handler = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    incident_id = queries.task(ctx.store.db, task_id).incident_id
    managers = {n: Actor(number=n, name=n, role="line_manager", office="Main office") for n in ("2001", "2009")}
    for number, fresh, comment in saves:
        before = queries.incident(ctx.store.db, incident_id)
        if fresh:
            incident_report.save_draft(ctx, managers[number], task_id, {"comments": comment}, version=before.report_version)
            assert queries.incident(ctx.store.db, incident_id).report.get("comments") == comment
        elif before.report_version > 0:
            with pytest.raises(ReportConflict):
                incident_report.save_draft(ctx, managers[number], task_id, {"comments": comment + "!"},
                                           version=before.report_version - 1)
            assert queries.incident(ctx.store.db, incident_id).report == before.report
    ctx.store.close()


def test_a_printer_that_refuses_says_why_and_keeps_the_pdf(tmp_path, clock, handler, monkeypatch):
    ctx = Context.open(tmp_path / "c.db", Settings(printer="counter-office"), clock=clock)
    from counter_tui.services import staff

    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    incident_id = report_task(ctx, ended_call(ctx, handler)).incident_id
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    lp = bin_dir / "lp"
    lp.write_text("#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n")
    lp.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}")
    printed = printing.print_incident(ctx, incident_id)
    assert not printed.sent_to_printer and "does not exist" in printed.message and printed.path.exists()
    lp.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path / 'lp-args'}\n")
    printed = printing.print_incident(ctx, incident_id)
    assert printed.sent_to_printer and (tmp_path / "lp-args").read_text().split() == ["-d", "counter-office", "--", str(printed.path)]


def test_a_step_that_forgets_the_welfare_task_still_hands_it_off(ctx, handler):
    """Every new incident gets its welfare check and its form, whatever the step lists."""
    from dataclasses import replace

    flow = ctx.pack.flow("telephone")
    refuse = flow.step("refuse").model_copy(update={"tasks": []})
    steps = [refuse if s.id == "refuse" else s for s in flow.steps]
    flows = [flow.model_copy(update={"steps": steps}) if f.id == "telephone" else f for f in ctx.pack.flows]
    forgetful = replace(ctx, pack=ctx.pack.model_copy(update={"flows": flows}))
    contact_id = contacts.start_contact(forgetful, handler, "telephone")
    contacts.take_step(forgetful, handler, contact_id, 2, at_step="warn")
    fields = {fid: text or ("x" if required else "") for fid, _, text, required in records.draft_record(forgetful, handler, contact_id)}
    records.finish(forgetful, handler, contact_id, fields)
    assert [t.spec for t in queries.tasks_for_contact(ctx.store.db, contact_id)] == ["staff_threatened", "incident_report"]


async def test_the_form_tells_the_line_manager_that_not_recording_is_a_disciplinary_matter(ctx, handler):
    """"Customer conduct: how to record and deal with incidents": "You will be subject to disciplinary
    action, if you deliberately do not record incidents; encourage staff not to record incidents"."""
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter")
        await pilot.pause()
        app.push_screen(IncidentReportScreen(task_id))
        await pilot.pause()
        heading = str(app.screen.query_one("#record-heading").render())
    assert "You will be subject to disciplinary action, if you: deliberately do not record incidents;" in heading
    assert "encourage staff not to record incidents." in heading and "how to record and deal with incidents" in heading
