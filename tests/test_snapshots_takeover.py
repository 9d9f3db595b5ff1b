"""Snapshots of a line manager's live contacts (ICO 14.2) at 80x24 and 120x40, on a clock that stands
still: three calls in progress at two offices (one already taken over by another manager, one
customer whose typed name looks like markup and must show as typed), while a call left quiet for
three hours and a finished one are not listed; and the reason asked for before taking one over.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.services import contacts, records, staff, takeover
from counter_tui.services.context import Context
from tests.conftest import START
from tests.test_takeover import HANDLER, MANAGER, RULES, with_take_over

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
PRIYA = Actor(number="1002", name="Priya Raghunathan-Ellis", role="call_handler", office="Wilmslow")
CHRIS = Actor(number="2002", name="Chris Moyo", role="line_manager", office="Wilmslow")


@pytest.fixture
def busy(tmp_path, monkeypatch):
    """The morning at two offices, the clock stopped at 12:40 (London is on UTC in November)."""
    clock = FixedClock(START)
    ctx = with_take_over(Context.open(tmp_path / "ico.db", Settings(policy="ico", offices=["Main office", "Wilmslow"]),
                                      clock=clock), RULES)
    for member in (HANDLER, MANAGER, PRIYA, CHRIS):
        staff.add_staff(ctx, number=member.number, name=member.name, role=member.role, office=member.office, pin="481227")
    contacts.start_contact(ctx, HANDLER, "telephone", customer_name="Mr Quiet Caller")  # 09:00, then nothing
    clock.advance(timedelta(hours=1))
    ended = contacts.start_contact(ctx, PRIYA, "telephone", customer_name="Ms Done")
    contacts.take_step(ctx, PRIYA, ended, 2, at_step="behaviour")
    records.finish(ctx, PRIYA, ended, {})
    clock.advance(timedelta(hours=2, minutes=10))
    first = contacts.start_contact(ctx, HANDLER, "telephone", customer_name="Mr Ian Cole", reference="RFA0012345")
    contacts.take_step(ctx, HANDLER, first, 1, at_step="behaviour")
    clock.advance(timedelta(minutes=12))
    second = contacts.start_contact(ctx, PRIYA, "telephone", customer_name="[b]Tom[/b] Fielding")
    contacts.take_step(ctx, PRIYA, second, 3, at_step="behaviour")
    takeover.take_over(ctx, CHRIS, second, reason="Priya asked for help.")
    clock.advance(timedelta(minutes=9))
    contacts.start_contact(ctx, HANDLER, "telephone")
    clock.advance(timedelta(minutes=9))
    yield ctx
    ctx.store.close()


async def as_manager_at_live_contacts(pilot) -> None:
    pilot.app.signed_in(MANAGER)  # signing in by PIN is tests/test_sign_in.py's
    await pilot.pause()
    await pilot.press("l")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_live_contacts(snap_compare, busy, size):
    assert snap_compare(CounterApp(busy), run_before=as_manager_at_live_contacts, terminal_size=size)


def test_asked_why_before_taking_over(snap_compare, busy):
    async def asked(pilot) -> None:
        await as_manager_at_live_contacts(pilot)
        await pilot.press("down", "enter")

    assert snap_compare(CounterApp(busy), run_before=asked, terminal_size=(80, 24))
