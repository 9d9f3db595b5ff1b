"""Snapshots of sign-in hardened at 80x24, on a clock that stands still: the wait after five wrong
PINs (the staff number kept), and choosing one's own PIN at a first sign-in (empty, and after two
different PINs were typed).

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.services import staff
from tests.conftest import START, make_context

SIZE = (80, 24)
WRONG_PIN = [*"9999", "enter"]
NEW_STARTER = {"number": "4001", "name": "Priya Shah", "role": "call_handler", "office": "Main office", "pin": "404027"}
FIRST_SIGN_IN = [*"4001", "enter", *"404027", "enter"]


@pytest.fixture
def app(tmp_path) -> CounterApp:
    """The standard staff and a new starter who must choose their own PIN."""
    ctx = make_context(tmp_path / "counter.db", FixedClock(START))
    staff.add_staff(ctx, **NEW_STARTER, must_change_pin=True)
    return CounterApp(ctx)


def test_five_wrong_pins_show_the_wait(snap_compare, app):
    assert snap_compare(app, press=[*"1001", "enter", *WRONG_PIN * 5], terminal_size=SIZE)


def test_a_first_sign_in_asks_for_a_pin_of_ones_own(snap_compare, app):
    assert snap_compare(app, press=FIRST_SIGN_IN, terminal_size=SIZE)


def test_two_different_new_pins_are_refused(snap_compare, app):
    assert snap_compare(app, press=[*FIRST_SIGN_IN, *"246827", "enter", *"2469", "enter"], terminal_size=SIZE)
