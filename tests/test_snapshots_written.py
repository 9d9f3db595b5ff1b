"""Snapshots at 80x24 and 120x40 on a clock that stands still (issue 18 items 7 and 8): the line
manager's written-communication step, the SEO asked why they do not agree to a letter, and the HEO
counter manager's decision whether to bar a customer from a CSC.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.services import letters, queue
from tests.conftest import START
from tests.letters_helpers import ADE, BEA, GRACE, OWEN, PINS, add_caseworker_and_heo, counter_bar, letter_context
from tests.written_helpers import LEE, add_line_manager, tell_heo, written_contact

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def still_ctx(tmp_path):
    ctx = letter_context(tmp_path / "letters.db", FixedClock(START))
    add_caseworker_and_heo(ctx)
    add_line_manager(ctx)
    return ctx


def _open(actor, pin: str, task_id: str):
    """Sign in as `actor`, then open the task `task_id` from their queue."""

    async def run_before(pilot) -> None:
        from textual.widgets import DataTable

        await pilot.press(*actor.number, "enter", *pin, "enter", "q")
        await pilot.pause()
        table = pilot.app.screen.query_one(DataTable)
        table.move_cursor(row=[row.key.value for row in table.ordered_rows].index(task_id))
        await pilot.press("enter")
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_the_line_managers_written_step(snap_compare, still_ctx, size):
    _, finished = written_contact(still_ctx, arrived="An e-mail")
    task_id = next(t for t in finished.task_ids if queue.get_task(still_ctx, t).spec == "line_manager_written")
    assert snap_compare(CounterApp(still_ctx), run_before=_open(LEE, "212427", task_id), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_seo_gives_the_reason_for_not_agreeing(snap_compare, still_ctx, size):
    _, finished = written_contact(still_ctx)
    view = letters.view(still_ctx, BEA, tell_heo(still_ctx, finished))
    sign_off = letters.submit(still_ctx, BEA, view.letter.id, view.values, version=view.letter.version)
    opened = _open(GRACE, PINS[GRACE.number], sign_off.id)

    async def run_before(pilot) -> None:
        await opened(pilot)
        await pilot.press("3", *"A warning is not justified: he apologised.")
        await pilot.pause()

    assert snap_compare(CounterApp(still_ctx), run_before=run_before, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_heo_decides_whether_to_bar_from_a_csc(snap_compare, still_ctx, size):
    task_id = counter_bar(still_ctx, "Bar them from attending all passport offices", OWEN)
    assert snap_compare(CounterApp(still_ctx), run_before=_open(ADE, PINS[ADE.number], task_id), terminal_size=size)
