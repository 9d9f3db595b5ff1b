"""Snapshots of control measures at 80x24 and 120x40 on a clock that stands still, on the DWP
demo's record: the nominated manager's decision (measures ticked, and refused fields), the start of a
call from a client restricted to writing, a measure's review, and the client's record.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.services import demo
from counter_tui.services.context import Context
from tests.conftest import START
from tests.test_measures_app import mark_and_restrict_booth

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
PAT = [*"7003", "enter", *"734527", "enter"]
KIM = [*"7001", "enter", *"712327", "enter"]
DECISION = ["q", "enter"]
"""The nominated manager's queue opens on today's decision (Mr Booth), the soonest due."""


@pytest.fixture
def dwp(tmp_path):
    ctx = Context.open(tmp_path / "dwp.db", demo.settings(None, "dwp"), clock=FixedClock(START))
    demo.fill(ctx, START)
    yield ctx
    ctx.store.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_decision_with_the_marker_ticked(snap_compare, dwp, size):
    assert snap_compare(CounterApp(dwp), press=[*PAT, *DECISION, "space", "tab", *"Threatened the caseworker."],
                        terminal_size=size)


def test_a_decision_refused_beside_its_fields(snap_compare, dwp):
    keys = [*PAT, *DECISION, "tab", "tab", "tab", "tab", "tab", "tab", "space", "ctrl+s"]
    assert snap_compare(CounterApp(dwp), press=keys, terminal_size=(120, 40))


@pytest.mark.parametrize("size", SIZES)
def test_a_call_from_a_client_restricted_to_writing(snap_compare, dwp, size):
    mark_and_restrict_booth(dwp)
    assert snap_compare(CounterApp(dwp), press=[*KIM, "1", *"Booth", "down", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_reviewing_a_pv_marker(snap_compare, dwp, size):
    keys = [*PAT, "q", "down", "down", "enter", "1"]
    assert snap_compare(CounterApp(dwp), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_marked_and_restricted_clients_record(snap_compare, dwp, size):
    mark_and_restrict_booth(dwp)
    assert snap_compare(CounterApp(dwp), press=[*PAT, "c", *"Booth", "enter", "enter"], terminal_size=size)


COUNCIL_DETERMINATION = [*"8003", "enter", *"834527", "enter"]
DUNN_DECISION = ["q", "down", "enter"]
"""The Determination Team's queue: today's call (Mr Pike) first, then this morning's threat (Mr Dunn)."""


@pytest.fixture
def council(tmp_path):
    ctx = Context.open(tmp_path / "council.db", demo.settings(None, "council"), clock=FixedClock(START))
    demo.fill(ctx, START)
    yield ctx
    ctx.store.close()


async def _show_before_deciding(pilot) -> None:
    """Open Mr Dunn's decision and bring the questions before it into view (the investigation's open reason is focused)."""
    await pilot.press(*COUNCIL_DETERMINATION, *DUNN_DECISION)
    await pilot.pause()
    await pilot.press("space")  # tick the first restriction so its fields are shown above the questions
    pilot.app.screen.query_one("#field-before-investigation_not_relevant").focus()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_the_council_decision_with_the_investigation_open_and_the_opportunity_to_modify(snap_compare, council, size):
    """Guards the council's questions before a decision (13.2; 12.2; 10.2): the Health and Safety
    investigation still open with who and when, its "not relevant" reason, the opportunity to modify
    with its date and ways, the instant-ban triggers, vulnerable and no fixed address."""
    assert snap_compare(CounterApp(council), run_before=_show_before_deciding, terminal_size=size)
