"""Snapshots of the lock screen at 80x24 and 120x40: left alone mid-call (the locked member's
number filled in, the PIN to type) and handed over with f2 (an empty staff number). Nothing of
the customer on the call underneath may show.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import time

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from tests.conftest import START, make_context

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
MID_CALL = [*"1001", "enter", *"123427", "enter", "1", *"Mr Tom Fielding", "enter", "ctrl+n", *"Swearing"]


@pytest.fixture
def app(tmp_path) -> CounterApp:
    return CounterApp(make_context(tmp_path / "counter.db", FixedClock(START)))


@pytest.mark.parametrize("size", SIZES)
def test_handed_over_with_f2(snap_compare, app, size):
    assert snap_compare(app, press=[*MID_CALL, "f2"], terminal_size=size)


def test_locked_after_a_time_without_use(snap_compare, app):
    async def left_alone(pilot) -> None:
        pilot.app._last_input = time.monotonic() - 5 * 60 - 1
        pilot.app._check_idle()
        await pilot.pause()

    async def mid_call_then_left_alone(pilot) -> None:
        await pilot.press(*MID_CALL)
        await left_alone(pilot)

    assert snap_compare(app, run_before=mid_call_then_left_alone, terminal_size=(80, 24))
