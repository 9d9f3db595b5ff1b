"""The examiner's recorded outcome of an admin refusal (HMPO "Customer did not complete 3
interviews": "You, the examiner, must deal with their application in line with the interviews UK
applications guidance").

The document names no outcomes, so the pack invents none: the examiner's task closes only with the
outcome in their own words (the task's `done_form`), kept with the task (tasks.done_record, the
task.done event) and shown on the customer's record. No outcome, no close; the wrong role, no close.
"""

from __future__ import annotations

import json

import pytest
from textual.widgets import Static, TextArea

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.models.staff import Actor
from counter_tui.policy.schema import TaskSpec
from counter_tui.services import contacts, queue, records, staff, task_outcomes
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import events
from tests.conftest import START, make_context

OFFICER = Actor(number="3001", name="Ravi Menon", role="interview_officer", office="Main office")
EXAMINER = Actor(number="7001", name="Ella Stone", role="examiner", office="Main office")
REFERENCE = "PEX 5521 0047"
OUTCOME = "Refused in line with the interviews UK applications guidance; [b]customer[/b] told by letter."


def admin_refusal(ctx, flow: str = "face_to_face") -> str:
    """Two earlier interviews with a warning, then a third ended as an admin refusal; returns the examiner's task."""
    for _ in range(2):
        earlier = contacts.start_contact(ctx, OFFICER, flow, customer_name="Ms Dana Kovac", reference=REFERENCE)
        for step in ("warn", "allow", "can_continue"):
            contacts.take_step(ctx, OFFICER, earlier, 1, at_step=step)
        records.finish(ctx, OFFICER, earlier, {})
    third = contacts.start_contact(ctx, OFFICER, flow, customer_name="Ms Dana Kovac", reference=REFERENCE)
    view = contacts.view(ctx, third)
    number = next(n for n, c in view.offered if c.next == "admin_refusal")
    contacts.take_step(ctx, OFFICER, third, number, at_step="warn")
    fields = {fid: text or ("She continued to shout after two warnings." if required else "") for fid, _, text, required in
              records.draft_record(ctx, OFFICER, third)}
    finished = records.finish(ctx, OFFICER, third, fields)
    return next(t for t in finished.task_ids if queue.get_task(ctx, t).spec.endswith("admin_refusal"))


@pytest.fixture
def examiner_ctx(tmp_path, clock):
    ctx = make_context(tmp_path / "examiner.db", clock)
    staff.add_staff(ctx, number=EXAMINER.number, name=EXAMINER.name, role=EXAMINER.role, office=EXAMINER.office, pin="712327")
    yield ctx
    ctx.store.close()


def done_record(ctx, task_id: str) -> dict:
    row = ctx.store.db.execute("SELECT status, done_record FROM tasks WHERE id = ?", [task_id]).fetchone()
    return {"status": row[0], "record": json.loads(row[1])}


def test_both_admin_refusal_tasks_close_with_the_outcome_form():
    from counter_tui.policy.loader import load_pack

    pack = load_pack("hmpo")
    for task_id in ("admin_refusal", "video_admin_refusal"):
        assert pack.task(task_id).done_form == "admin_refusal_outcome"
    [field] = pack.form("admin_refusal_outcome").fields
    assert field.label == "Outcome of the admin refusal (in line with the interviews UK applications guidance)"
    assert field.required and field.prefill is None, "nothing invented: the examiner's own words"


@pytest.mark.parametrize("flow", ["face_to_face", "video"])
def test_the_task_closes_only_with_the_outcome_which_is_kept_with_it(examiner_ctx, flow):
    task_id = admin_refusal(examiner_ctx, flow)
    with pytest.raises(FieldErrors) as missing:
        queue.complete_task(examiner_ctx, EXAMINER, task_id, "done")
    assert set(missing.value.errors) == {"outcome"}
    with pytest.raises(FieldErrors):
        queue.complete_task(examiner_ctx, EXAMINER, task_id, "", {"outcome": "   "})
    with pytest.raises(FieldErrors):
        queue.complete_task(examiner_ctx, EXAMINER, task_id, "", {"outcome": "bad \u202e text"})
    with pytest.raises(Refused):
        queue.complete_task(examiner_ctx, OFFICER, task_id, "", {"outcome": OUTCOME})
    assert done_record(examiner_ctx, task_id) == {"status": "open", "record": {}}, "nothing stored by a refusal"

    queue.complete_task(examiner_ctx, EXAMINER, task_id, "", {"outcome": OUTCOME})
    assert done_record(examiner_ctx, task_id) == {"status": "done", "record": {"outcome": OUTCOME}}
    done = [e for e in events.for_stream(examiner_ctx.store.db, f"task:{task_id}") if e.kind == "task.done"][-1]
    assert (done.actor, done.payload["form"], done.payload["record"]) == ("7001", "admin_refusal_outcome", {"outcome": OUTCOME})
    customer_id = contacts.view(examiner_ctx, queue.get_task(examiner_ctx, task_id).contact_id).contact.customer_id
    [shown] = task_outcomes.for_customer(examiner_ctx, customer_id)
    assert (shown.task_id, shown.done_by, shown.fields) == (task_id, "Ella Stone", [
        ("Outcome of the admin refusal (in line with the interviews UK applications guidance)", OUTCOME)])


def test_a_done_form_is_for_a_task_done_by_marking_it():
    with pytest.raises(ValueError, match="done_form"):
        TaskSpec(id="x", title="X", role="examiner", section="s", flow="telephone", done_form="f",
                 due={"config": "x"})


async def test_the_examiner_types_the_outcome_and_it_shows_on_the_customer_record(examiner_ctx):
    """Pressed as the examiner would: ctrl+s with nothing typed shows the error beside the field and
    keeps the task; typed, ctrl+s closes it; the customer's record shows the outcome as typed."""
    from counter_tui.screens.customer_record import CustomerRecordScreen
    from counter_tui.screens.task import TaskScreen

    task_id = admin_refusal(examiner_ctx)
    app = CounterApp(examiner_ctx)
    async with app.run_test(size=(100, 34)) as pilot:
        app.signed_in(EXAMINER)
        await pilot.pause()
        app.push_screen(TaskScreen(task_id))
        await pilot.pause()
        assert app.screen.query_one("#done-outcome", TextArea).has_focus
        assert not app.screen.query_one("#task-note").display, "the outcome takes the free note's place"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TaskScreen)
        assert str(app.screen.query_one("#done-error-outcome", Static).render()).strip(), "the error beside the field"
        app.screen.query_one("#done-outcome", TextArea).insert(OUTCOME)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, TaskScreen)
        assert done_record(examiner_ctx, task_id)["record"] == {"outcome": OUTCOME}
        customer_id = contacts.view(examiner_ctx, queue.get_task(examiner_ctx, task_id).contact_id).contact.customer_id
        app.push_screen(CustomerRecordScreen(customer_id))
        await pilot.pause()
        text = str(app.screen.query_one("#record-text", Static).render())
    assert f"Outcome of the admin refusal (in line with the interviews UK applications guidance): {OUTCOME}" in text


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_the_examiner_outcome_form(snap_compare, tmp_path, size):
    """The examiner's task with its outcome form, after ctrl+s with nothing typed (the error beside it)."""
    ctx = make_context(tmp_path / "snap.db", FixedClock(START))
    staff.add_staff(ctx, number=EXAMINER.number, name=EXAMINER.name, role=EXAMINER.role, office=EXAMINER.office, pin="712327")
    task_id = admin_refusal(ctx)

    async def at_the_form(pilot) -> None:
        from counter_tui.screens.task import TaskScreen

        pilot.app.signed_in(EXAMINER)
        await pilot.pause()
        pilot.app.push_screen(TaskScreen(task_id))
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(CounterApp(ctx), run_before=at_the_form, terminal_size=size)
