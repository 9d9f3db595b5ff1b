"""Welfare: the line manager's checklist after an incident, stored step by step with its times, and
the record read and signed by the member of staff under their own sign-in.

GIVEN a call ended after abuse, WHEN the line manager works through the welfare task and writes the
record, THEN each duty is stored with its time, the record is never on the customer's record, and
only the member of staff may sign it (as agreed, or saying what they do not agree with).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable, TextArea

from counter_tui.app import CounterApp
from counter_tui.config import Settings
from counter_tui.screens.welfare_sign import WelfareSignScreen
from counter_tui.services import contacts, queue, records, staff, welfare
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import queries
from tests.conftest import CALL_HANDLER, LINE_MANAGER
from tests.test_incident_report import ended_call

SIZE = (110, 36)


def welfare_task(ctx, contact_id):
    return next(t for t in queries.tasks_for_contact(ctx.store.db, contact_id) if t.spec == "staff_threatened")


def support_and_record(ctx, manager, task_id, keys=(1, 1, 1, 1, 1)) -> records.Finished:
    contact_id = queue.open_task(ctx, manager, task_id)
    for number in keys:
        current = contacts.view(ctx, contact_id)
        contacts.take_step(ctx, manager, contact_id, number, at_step=current.step.id)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, manager, contact_id)}
    fields.update(how_they_feel="Shaken", support="Referred to the Employee Assistance Programme")
    return records.finish(ctx, manager, contact_id, fields)


def test_the_checklist_is_stored_with_times_and_never_on_the_customers_record(ctx, handler, manager):
    call = ended_call(ctx, handler)
    finished = support_and_record(ctx, manager, welfare_task(ctx, call).id, keys=(1, 1, 2, 1, 1))
    steps = queries.steps(ctx.store.db, finished.contact_id)
    assert [s.step for s in steps] == ["speak", "support", "time", "panic_alarm", "record"]
    assert steps[2].label == "They do not need extra support now"
    assert all(s.at for s in steps) and [s.at for s in steps] == sorted(s.at for s in steps)
    record = queries.contact(ctx.store.db, finished.contact_id)
    assert (record.customer_name, record.reference, record.customer_id) == ("", "", None)
    history = queries.customer_history(ctx.store.db, customer_id=queries.contact(ctx.store.db, call).customer_id,
                                       reference="PEX 4411 2093", name="", before=call)
    assert history[0] == 0, "the HR record is not in the customer's history"
    sign_task = queries.task(ctx.store.db, finished.task_ids[0])
    assert sign_task.assignee == "1001" and sign_task.role == "staff_member"


def test_only_the_member_of_staff_signs_and_only_they_or_the_line_manager_read_it(ctx, handler, manager):
    staff.add_staff(ctx, number="1009", name="Lee Other", role="call_handler", office="Main office", pin="199927")
    other = staff.sign_in(ctx, "1009", "199927")
    sign_id = support_and_record(ctx, manager, welfare_task(ctx, ended_call(ctx, handler)).id).task_ids[0]
    assert welfare.record_to_sign(ctx, manager, sign_id).fields, "the line manager may read it"
    with pytest.raises(Refused):
        welfare.record_to_sign(ctx, other, sign_id)
    with pytest.raises(Refused):
        welfare.sign(ctx, manager, sign_id, agreed=True)
    with pytest.raises(FieldErrors):
        welfare.sign(ctx, handler, sign_id, agreed=False, comment=" ")
    welfare.sign(ctx, handler, sign_id, agreed=False, comment="I did not say I was fine to carry on.")
    contact_id = queries.task(ctx.store.db, sign_id).contact_id
    signed = queries.signature(ctx.store.db, contact_id)
    assert signed["agreed"] is False and signed["staff_number"] == "1001" and "carry on" in signed["comment"]
    with pytest.raises(Refused, match="already signed"):
        welfare.sign(ctx, handler, sign_id, agreed=True)
    refusals = ctx.store.db.execute("SELECT count(*) FROM events WHERE kind = 'access.refused'").fetchone()[0]
    assert refusals == 2


async def test_a_line_managers_welfare_check_then_the_member_of_staff_signs(tmp_path, clock, handler):
    ctx = Context.open(tmp_path / "c.db", Settings(staff_support=["Wellbeing line (intranet: Support)"]), clock=clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    call = ended_call(ctx, handler)
    task_id = welfare_task(ctx, call).id
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter", "q")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(task_id))
        await pilot.press("enter", "1")
        await pilot.pause()
        assert "Wellbeing line (intranet: Support)" in str(app.screen.query_one("#step-extra").render())
        await pilot.press("1", "1", "2", "1")  # reminded; given time; no panic alarm; write the record
        await pilot.pause()
        app.screen.query_one("#field-how_they_feel", TextArea).load_text("Shaken but carrying on")
        app.screen.query_one("#field-support", TextArea).load_text("Reminded of the wellbeing line")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.press(*"1001", "enter", *"123427", "enter", "q")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelfareSignScreen)
        body = str(app.screen.query_one("#task-body Static").render())
        assert "Shaken but carrying on" in body and "Jo Lindqvist" in body
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, WelfareSignScreen)
    sign = next(t for t in queries.tasks_for_contact(ctx.store.db, queries.contact_for_task(ctx.store.db, task_id).id))
    assert sign.status == "done" and sign.done_by == "1001"
    assert queries.signature(ctx.store.db, sign.contact_id)["agreed"] is True


ROLES = ["call_handler", "line_manager", "heo_counter_manager", "seo", "interview_officer"]


@given(signer=st.tuples(st.sampled_from(["1001", "1002", "2001", "2002"]), st.sampled_from(ROLES)),
       agreed=st.booleans())
def test_only_the_member_of_staff_can_ever_sign(tmp_path_factory, signer, agreed):
    """Whatever their role, nobody but the member of staff the record is about can sign it."""
    from counter_tui.clock import FixedClock
    from counter_tui.models.staff import Actor
    from tests.conftest import START, make_context

    ctx = make_context(tmp_path_factory.mktemp("w") / "counter.db", FixedClock(START, tick=timedelta(seconds=1)))
    handler = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
    manager = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
    sign_id = support_and_record(ctx, manager, welfare_task(ctx, ended_call(ctx, handler)).id).task_ids[0]
    number, role = signer
    actor = Actor(number=number, name="Someone", role=role, office="Main office")
    if number == "1001":
        welfare.sign(ctx, actor, sign_id, agreed=agreed, comment="" if agreed else "Not what I said.")
        assert queries.signature(ctx.store.db, queries.task(ctx.store.db, sign_id).contact_id)["agreed"] is agreed
    else:
        with pytest.raises(Refused):
            welfare.sign(ctx, actor, sign_id, agreed=agreed, comment="x")
        assert queries.task(ctx.store.db, sign_id).status == "open"
    ctx.store.close()


def test_the_signed_welfare_record_prints_with_its_signature(ctx, handler, manager):
    from io import BytesIO

    from pypdf import PdfReader

    from counter_tui.services import printing

    finished = support_and_record(ctx, manager, welfare_task(ctx, ended_call(ctx, handler)).id)
    welfare.sign(ctx, handler, finished.task_ids[0], agreed=True)
    printed = printing.print_contact(ctx, finished.contact_id)
    text = " ".join("".join(p.extract_text() for p in PdfReader(BytesIO(printed.path.read_bytes())).pages).split())
    assert "Record of the incident (staff member's HR file)" in text and "Shaken" in text
    assert "Read by staff number 1001" in text and "signed as agreed" in text


def test_every_reading_of_a_welfare_record_is_on_the_record(ctx, handler, manager):
    """GIVEN a welfare record to sign WHEN the member of staff and their line manager read it THEN each
    reading is a `welfare.viewed` event naming who read it (issue 8: views of restricted detail)."""
    task_id = support_and_record(ctx, manager, welfare_task(ctx, ended_call(ctx, handler)).id).task_ids[0]
    welfare.record_to_sign(ctx, handler, task_id)
    welfare.record_to_sign(ctx, manager, task_id)
    readers = [r[0] for r in ctx.store.db.execute("SELECT actor FROM events WHERE kind = 'welfare.viewed' ORDER BY seq")]
    assert readers == [handler.number, manager.number]
