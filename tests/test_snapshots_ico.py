"""Snapshot of the ICO's distinctive screen at 80x24 and 120x40 on a clock that stands still: the
first step of a contact in person, where the four behaviour levels are offered with their
definitions (5.2-5.5) and the equality and diversity consideration (6.1) beneath them, beside
escalation (9) and giving your name (10). The same step opens the telephone (tests/test_snapshots.py)
and the written flows.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from tests.conftest import START, make_context

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SAM = [*"1001", "enter", *"123427", "enter"]
IN_PERSON = ["2", "enter"]
"""The second flow on the start screen (contact in person), the customer not known yet."""


@pytest.mark.parametrize("size", SIZES)
def test_the_four_behaviour_levels_with_their_definitions_in_person(snap_compare, tmp_path, size):
    ctx = make_context(tmp_path / "ico.db", FixedClock(START), policy="ico")
    assert snap_compare(CounterApp(ctx), press=[*SAM, *IN_PERSON], terminal_size=size)
