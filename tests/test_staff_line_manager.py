"""Each member of staff's own line manager (issue 18 item 6).

HMPO, "What a line manager must do if a member of staff is threatened": "If a member of staff has
dealt with or refused to serve a customer showing threatening, abusive or violent behaviour, you
(the line manager) must: 1. Speak with the member of staff to check how they are feeling...".
"Customer conduct: how we support staff": "If you refuse to serve a customer, you must: refer them
to your line manager (if you are in a face to face setting)".

GIVEN the staff register records each member of staff's line manager (`counter staff add/set
--line-manager`) WHEN a call improves after the warning THEN a welfare task is raised, for the
caller's own line manager (on their queue, not on another line manager's), and opens no incident;
without one recorded it goes to the office's line managers and the queue says so; AND bad input
(unknown number, oneself, not a line manager) is refused with a clear message and nothing stored;
AND refusing to serve at the counter names whom to call now, and the record says who it was.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from textual.widgets import Static

from counter_tui.app import CounterApp
from counter_tui.cli import main
from counter_tui.config import Settings
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.queue import QueueScreen
from counter_tui.services import contacts, line_managers, queue, records, staff
from counter_tui.services.audit_projections import differences
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import queries
from tests.test_step_roles import CHLOE, COUNTER_KEY

OFFICE = "Main office"
SAM = dict(number="1001", name="Sam Okafor", role="call_handler", office=OFFICE, pin="123427")
JO = dict(number="2001", name="Jo Lindqvist", role="line_manager", office=OFFICE, pin="234527")
KIM = dict(number="2003", name="Kim Hale", role="line_manager", office=OFFICE, pin="258027")


def register(tmp_path, clock, *, sams_manager: str | None = "2001") -> Context:
    ctx = Context.open(tmp_path / "c.db", Settings(), clock=clock)
    for member in (JO, KIM):
        staff.add_staff(ctx, **member)
    staff.add_staff(ctx, **SAM, line_manager=sams_manager)
    staff.add_staff(ctx, number=CHLOE.number, name=CHLOE.name, role=CHLOE.role, office=CHLOE.office, pin=CHLOE.pin,
                    line_manager="2003")
    return ctx


def improved_call(ctx) -> str:
    sam = staff.sign_in(ctx, SAM["number"], SAM["pin"])
    contact_id = contacts.start_contact(ctx, sam, "telephone", customer_name="Ms Helen Marsh", reference="PEX 7730 1182")
    contacts.take_step(ctx, sam, contact_id, 1, at_step="warn")
    contacts.take_step(ctx, sam, contact_id, 1, at_step="allow")  # their behaviour improved
    records.finish(ctx, sam, contact_id, {})
    return contact_id


def test_an_improved_call_raises_welfare_for_the_callers_own_line_manager(tmp_path, clock):
    ctx = register(tmp_path, clock)
    contact_id = improved_call(ctx)
    assert queries.contact(ctx.store.db, contact_id).outcome == "improved"
    assert queries.contact(ctx.store.db, contact_id).incident_id is None  # welfare only: no incident
    (task,) = queries.tasks_for_contact(ctx.store.db, contact_id)
    assert (task.spec, task.assignee, task.role) == ("staff_threatened", "2001", "line_manager")
    jo, kim = (staff.sign_in(ctx, m["number"], m["pin"]) for m in (JO, KIM))
    assert [i.task.id for i in queue.my_queue(ctx, jo).items] == [task.id]
    assert [i.task.id for i in queue.my_queue(ctx, kim).items] == []  # not any line manager's: Sam's own
    with pytest.raises(Refused):
        queue.open_task(ctx, kim, task.id)
    assert line_managers.queued_for(ctx, task, jo) == "you are their line manager"
    welfare = queue.open_task(ctx, jo, task.id)
    for number in (1, 1, 1, 2, 1):
        current = contacts.view(ctx, welfare)
        contacts.take_step(ctx, jo, welfare, number, at_step=current.step.id)
    fields = {fid: text or "Spoke with Sam" for fid, _, text, _ in records.draft_record(ctx, jo, welfare)}
    finished = records.finish(ctx, jo, welfare, fields)
    assert finished.incident_id is None  # the HR record opens no incident without a customer on it
    assert queries.task(ctx.store.db, task.id).status == "done"
    assert differences(ctx.store.db) == []  # the register's line managers are what the events say


def test_without_a_line_manager_recorded_the_office_line_managers_get_it(tmp_path, clock):
    ctx = register(tmp_path, clock, sams_manager=None)
    contact_id = improved_call(ctx)
    (task,) = queries.tasks_for_contact(ctx.store.db, contact_id)
    assert task.assignee is None
    kim = staff.sign_in(ctx, KIM["number"], KIM["pin"])
    assert [i.task.id for i in queue.my_queue(ctx, kim).items] == [task.id]
    assert line_managers.queued_for(ctx, task, kim) == "no line manager recorded: for the office's line managers"


def test_setting_a_line_manager_refuses_bad_input_and_stores_nothing(tmp_path, clock):
    ctx = register(tmp_path, clock)
    seq = ctx.store.db.execute("SELECT max(seq) FROM events").fetchone()[0]
    for number, manager, words in (("1001", "9999", "No member of staff has the number 9999"),
                                   ("1001", "1001", "cannot be their own line manager"),
                                   ("2001", "3002", "is a Person dealing with the customer at the counter, not the Line manager"),
                                   ("8888", "2001", "No member of staff has the number 8888")):
        with pytest.raises(FieldErrors) as refused:
            line_managers.set_line_manager(ctx, number, manager)
        assert words in " ".join(refused.value.errors.values())
    assert ctx.store.db.execute("SELECT max(seq) FROM events").fetchone()[0] == seq
    assert staff.list_staff(ctx)[0].line_manager == "2001"
    moved = line_managers.set_line_manager(ctx, "1001", "2003")
    assert moved.line_manager == "2003" and line_managers.assignee_for(ctx.store.db, "1001") == "2003"
    staff.disable_staff(ctx, "2003")  # a disabled line manager is nobody's to call: back to the office's
    assert line_managers.assignee_for(ctx.store.db, "1001") is None
    assert differences(ctx.store.db) == []


def cli(tmp_path, *args, pin: str | None = None):
    env = {"COUNTER_CONFIG": str(tmp_path / "no-config.toml"), "COUNTER_DB": str(tmp_path / "env-default.db")}
    return CliRunner().invoke(main, list(args), input=pin, env=env)


def test_cli_add_and_set_line_manager(tmp_path):
    db = str(tmp_path / "cli.db")
    added = cli(tmp_path, "staff", "add", "--admin", "--number", "2001", "--name", "Jo Lindqvist", "--role",
                "line_manager", "--pin-stdin", "--db", db, pin="234527\n")
    assert added.exit_code == 0, added.output
    added = cli(tmp_path, "staff", "add", "--admin", "--number", "1001", "--name", "Sam Okafor", "--role",
                "call_handler", "--line-manager", "2001", "--pin-stdin", "--db", db, pin="123427\n")
    assert added.exit_code == 0 and added.output.strip() == "added 1001 Sam Okafor (call_handler, Main office, line manager 2001)"
    for args, words in ((["1001", "--line-manager", "4040"], "line_manager: No member of staff has the number 4040"),
                        (["1001", "--line-manager", "1001"], "line_manager: A member of staff cannot be their own line manager."),
                        (["7777", "--line-manager", "2001"], "number: No member of staff has the number 7777."),
                        (["1001"], "say what to change")):
        result = cli(tmp_path, "staff", "set", *args, "--admin", "--db", db)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert len(result.output.strip().splitlines()) == 1 and words in result.output, result.output
    bad_add = cli(tmp_path, "staff", "add", "--admin", "--number", "1002", "--name", "Priya Shah", "--role",
                  "call_handler", "--line-manager", "1002", "--pin-stdin", "--db", db, pin="135727\n")
    assert bad_add.exit_code == 1 and "cannot be their own line manager" in bad_add.output
    cleared = cli(tmp_path, "staff", "set", "1001", "--no-line-manager", "--admin", "--db", db)
    assert cleared.exit_code == 0 and cleared.output.strip() == "1001 Sam Okafor: line manager none recorded"
    listed = cli(tmp_path, "staff", "list", "--admin", "--db", db)
    assert [line.split()[-1] for line in listed.output.splitlines()[1:]] == ["—", "—"]
    assert "1002" not in listed.output


# --- refusing to serve face to face: call the line manager now -----------------------------------


async def test_refusing_at_the_counter_names_her_line_manager_and_records_whom(tmp_path, clock):
    ctx = register(tmp_path, clock)
    app = CounterApp(ctx)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press(*CHLOE.number, "enter", *CHLOE.pin, "enter", COUNTER_KEY, "enter")
        assert isinstance(app.screen, ContactScreen)
        contact_id = app.screen.contact_id
        await pilot.press("2", "2")  # abusive; refuse to serve
        await pilot.pause()
        assert app.screen.current.step.id == "refuse" and not app.screen.current.step.is_final
        with pytest.raises(Refused, match="has not reached its end"):
            records.finish(ctx, app.actor, contact_id, {})
        shown = str(app.screen.query_one("#step-extra", Static).render())
        assert "Call your line manager now: Kim Hale, staff number 2003." in shown
        await pilot.press("1")  # I have referred the customer to my line manager
        await pilot.pause()
    last = queries.steps(ctx.store.db, contact_id)[-1]
    assert (last.step, last.label) == ("refuse", "I have referred the customer to my line manager (Kim Hale, staff number 2003)")
    assert contacts.view(ctx, contact_id).step.id == "referred_to_line_manager"


def test_without_a_line_manager_the_screen_lists_the_offices(tmp_path, clock):
    ctx = register(tmp_path, clock)
    chloe = staff.sign_in(ctx, CHLOE.number, CHLOE.pin)
    contact_id = contacts.start_contact(ctx, chloe, "counter")
    line_managers.set_line_manager(ctx, CHLOE.number, None)
    text = line_managers.to_call(ctx, contacts.view(ctx, contact_id).contact)
    assert text.startswith("No line manager is recorded for you: call a line manager of Main office now")
    assert "Jo Lindqvist, staff number 2001; Kim Hale, staff number 2003" in text


async def test_queue_says_whose_line_manager_it_is(tmp_path, clock):
    ctx = register(tmp_path, clock)
    improved_call(ctx)
    app = CounterApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*JO["number"], "enter", *JO["pin"], "enter", "q")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        from textual.widgets import DataTable

        table = app.screen.query_one(DataTable)
        cells = [str(c) for c in table.get_row_at(0)]
        assert "Support the member of staff and record the incident (you are their line manager)" in cells


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_refusing_at_the_counter_call_your_line_manager_now(snap_compare, tmp_path, size):
    from counter_tui.clock import FixedClock
    from tests.conftest import START

    ctx = register(tmp_path, FixedClock(START))
    keys = [*CHLOE.number, "enter", *CHLOE.pin, "enter", COUNTER_KEY, "enter", "2", "2"]
    assert snap_compare(CounterApp(ctx), press=keys, terminal_size=size)
