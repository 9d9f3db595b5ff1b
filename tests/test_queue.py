"""The queue: by due time with the overdue first, counted by kind, for me, my office or every office,
narrowed by kind or channel.

GIVEN tasks with any due times at any clock, WHEN a queue is read THEN it is sorted by due time, the
overdue are exactly those past due and come first, and the counts agree with the rows.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock, iso
from counter_tui.models.staff import Actor
from counter_tui.services import queue
from counter_tui.services.queue import Scope
from counter_tui.store import projections
from counter_tui.store.connection import write
from tests.conftest import START, make_context

KINDS = ["call_back", "staff_threatened", "incident_report"]


def add_task(ctx, *, due_hours: float, spec="call_back", role="line_manager", office="Main office", channel="telephone",
             assignee=None) -> str:
    db = ctx.store.db
    with write(db):
        task_id = projections.next_id(db, "task", "T")
        projections.record(
            db, at=START, actor="system", role="system", kind="task.created", stream=f"task:{task_id}",
            payload={"task_id": task_id, "spec": spec, "title": ctx.pack.task(spec).title, "role": role, "office": office,
                     "flow": None, "contact_id": None, "incident_id": None, "customer_name": "", "reference": "",
                     "due_at": iso(START + timedelta(hours=due_hours)), "channel": channel, "assignee": assignee},
        )
    return task_id


@given(
    dues=st.lists(st.tuples(st.floats(-500, 500, allow_nan=False), st.sampled_from(KINDS)), max_size=25),
    now_hours=st.floats(-600, 600, allow_nan=False),
)
def test_queue_order_and_counts_hold_for_any_due_times_and_clock(tmp_path_factory, dues, now_hours):
    ctx = make_context(tmp_path_factory.mktemp("q") / "counter.db", FixedClock(START + timedelta(hours=now_hours)))
    manager = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
    for hours, kind in dues:
        add_task(ctx, due_hours=hours, spec=kind)
    mine = queue.my_queue(ctx, manager)
    due = [item.task.due_at for item in mine.items]
    assert due == sorted(due)
    flags = [item.overdue for item in mine.items]
    assert flags == sorted(flags, reverse=True), "the overdue come first"
    assert all(item.overdue == (item.task.due_at < mine.now) for item in mine.items)
    assert (mine.open_count, mine.overdue_count) == (len(dues), sum(flags))
    assert {k.spec: k.open for k in mine.kinds} == {kind: sum(1 for _, k in dues if k == kind) for kind in {k for _, k in dues}}
    assert sum(k.overdue for k in mine.kinds) == mine.overdue_count
    ctx.store.close()


def test_scopes_kinds_and_channels(ctx, manager, handler):
    own = add_task(ctx, due_hours=1)
    team = add_task(ctx, due_hours=2, role="heo_counter_manager", channel="counter", spec="incident_report")
    elsewhere = add_task(ctx, due_hours=3, office="Second office")
    signed = add_task(ctx, due_hours=4, role="staff_member", assignee="1001")
    ids = lambda q: [i.task.id for i in q.items]  # noqa: E731
    assert ids(queue.my_queue(ctx, manager)) == [own]
    assert ids(queue.my_queue(ctx, manager, Scope.team)) == [own, team], "another person's own task stays theirs"
    assert ids(queue.my_queue(ctx, manager, Scope.everywhere)) == [own, elsewhere]
    assert ids(queue.my_queue(ctx, handler)) == [signed], "a task assigned to me is on my queue"
    assert ids(queue.my_queue(ctx, manager, Scope.team, spec="incident_report")) == [team]
    assert ids(queue.my_queue(ctx, manager, Scope.team, channel="counter")) == [team]
    assert ids(queue.my_queue(ctx, manager, Scope.team, channel="video")) == []


async def test_the_queue_screen_switches_scope_kind_and_channel(ctx):
    add_task(ctx, due_hours=-2)
    add_task(ctx, due_hours=2, role="heo_counter_manager", channel="counter", spec="incident_report")
    app = CounterApp(ctx)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter", "q")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        summary = lambda: str(app.screen.query_one("#queue-counts").render())  # noqa: E731
        assert table.row_count == 1 and "1 overdue" in summary()
        await pilot.press("t")
        assert table.row_count == 2 and "Queue: my office" in summary()
        await pilot.press("k")
        assert table.row_count == 1 and "Showing Call the customer back" in summary()
        await pilot.press("k")
        assert table.row_count == 1 and "Showing Fill in the incident report form" in summary()
        await pilot.press("k", "c")
        assert table.row_count == 1 and "Telephone" in summary()
        await pilot.press("m")
        assert table.row_count == 1 and "Queue: mine" in summary()


async def test_the_queue_pages_as_the_cursor_reaches_the_end(ctx):
    from counter_tui.screens.queue import PAGE

    for hours in range(PAGE + 7):
        add_task(ctx, due_hours=hours)
    app = CounterApp(ctx)
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter", "q")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == PAGE
        await pilot.press("ctrl+end")  # the last row loaded: the next page follows
        await pilot.pause()
        assert table.row_count == PAGE + 7
        keys = [row.key.value for row in table.ordered_rows]
        assert len(set(keys)) == len(keys) == PAGE + 7
