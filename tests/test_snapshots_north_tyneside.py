"""Snapshots of North Tyneside's distinctive screen at 80x24 and 120x40, on a clock that stands still:
the contact screen at the dynamic risk assessment (5.8; 5.5), where the employee decides whether they
feel safe to ask the customer to moderate their behaviour or withdraw and get help, before any request
to moderate.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.services import staff
from counter_tui.services.context import Context
from tests.conftest import START

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
LUCY = [*"9001", "enter", *"912327", "enter"]
THREATENING_CALL = ["1", "enter", "2", "1"]
"""A call (the customer not known yet): threatening, bullying, discriminatory or abusive; threatening."""


@pytest.fixture
def north_tyneside(tmp_path):
    ctx = Context.open(tmp_path / "nt.db", Settings(policy="north_tyneside"), clock=FixedClock(START))
    staff.add_staff(ctx, number="9001", name="Lucy Armstrong", role="employee", office="Main office", pin="912327")
    yield ctx
    ctx.store.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_risk_assessment_before_asking_a_threatening_caller_to_moderate(snap_compare, north_tyneside, size):
    assert snap_compare(CounterApp(north_tyneside), press=[*LUCY, *THREATENING_CALL], terminal_size=size)
