"""Issue 17 items 6, 7 and 9: a refused sign-in never keeps what was typed beyond the number's
shape; refusals by the thousand stay a handful of events; a member of staff disabled mid-session
does nothing more; a line manager at another office cannot read a welfare record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from counter_tui.services import staff, welfare
from counter_tui.services.errors import Refused, SignInRefused
from counter_tui.store.staff import ActorDisabled
from tests.test_incident_report import ended_call
from tests.test_welfare import support_and_record, welfare_task


def _refusals(ctx) -> list[tuple[str, dict]]:
    rows = ctx.store.db.execute("SELECT stream, payload FROM events WHERE kind = 'staff.sign_in_refused' ORDER BY seq")
    return [(stream, json.loads(payload)) for stream, payload in rows]


def _try(ctx, number: str, pin: str) -> None:
    try:
        staff.sign_in(ctx, number, pin)
    except SignInRefused:
        pass


def test_a_pin_typed_ahead_into_the_number_field_is_never_on_the_record(ctx):
    """GIVEN "1001123427" typed as the number (number and PIN run together) WHEN refused THEN the event
    keeps only its length and shape: the text is nowhere in the events table."""
    _try(ctx, "1001123427", "123427")
    _try(ctx, "abc\u202e99", "123427")
    assert _refusals(ctx) == [("sign-in:unknown-number", {"number": None, "typed": {"length": 10, "shape": "digits"},
                                                          "lockout": False, "failures": 1})]
    everything = " ".join(str(cell) for row in ctx.store.db.execute("SELECT * FROM events") for cell in row)
    assert "1001123427" not in everything and "abc" not in everything


def test_a_known_number_is_named_in_its_refusal(ctx):
    _try(ctx, "1001", "0000")
    assert _refusals(ctx) == [("sign-in:1001", {"number": "1001", "lockout": False, "failures": 1})]


def test_thousands_of_refusals_stay_a_handful_of_events_and_the_wait_still_holds(ctx, clock, monkeypatch):
    """GIVEN a script trying 3,000 sign-ins (random numbers and one real number) in a few minutes WHEN
    each is refused THEN the record holds a few events, and the real number still waits."""
    before = ctx.store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    for attempt in range(1500):
        _try(ctx, f"9{attempt:05d}", "0000")
        _try(ctx, "1001", "0000")
    added = ctx.store.db.execute("SELECT count(*) FROM events").fetchone()[0] - before
    assert added <= 20, added  # ~50 min of the test clock: one per stream per window, and one per new wait
    assert {stream for stream, _ in _refusals(ctx)} == {"sign-in:unknown-number", "sign-in:1001"}
    with pytest.raises(staff.SignInWait):
        staff.sign_in(ctx, "1001", "123427")


def test_refusals_are_recorded_again_once_the_window_has_passed(ctx, clock):
    _try(ctx, "1001", "0000")
    _try(ctx, "1001", "0000")
    clock.advance(staff.REFUSAL_WINDOW + timedelta(seconds=1))
    _try(ctx, "1001", "0000")
    assert [payload["failures"] for _, payload in _refusals(ctx)] == [1, 3]


def test_a_member_disabled_mid_session_can_record_nothing_more(ctx, handler, manager):
    """GIVEN the call handler signed in WHEN a manager disables them THEN their next step is refused
    and nothing of it is stored, and they cannot read their welfare record."""
    sign_id = support_and_record(ctx, manager, welfare_task(ctx, ended_call(ctx, handler)).id).task_ids[0]
    staff.disable_staff(ctx, handler.number, actor=manager)
    before = ctx.store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    with pytest.raises(ActorDisabled, match="disabled since you signed in"):
        welfare.sign(ctx, handler, sign_id, agreed=True)
    with pytest.raises(ActorDisabled):
        welfare.record_to_sign(ctx, handler, sign_id)
    assert ctx.store.db.execute("SELECT count(*) FROM events").fetchone()[0] == before


def test_a_line_manager_at_another_office_cannot_read_a_welfare_record(ctx, handler, manager):
    ctx.settings.offices.append("Second office")
    staff.add_staff(ctx, number="2009", name="Ana Elsewhere", role="line_manager", office="Second office", pin="292927")
    elsewhere = staff.sign_in(ctx, "2009", "292927")
    sign_id = support_and_record(ctx, manager, welfare_task(ctx, ended_call(ctx, handler)).id).task_ids[0]
    with pytest.raises(Refused, match="their own line manager"):
        welfare.record_to_sign(ctx, elsewhere, sign_id)
    assert welfare.record_to_sign(ctx, manager, sign_id).fields
    assert welfare.record_to_sign(ctx, handler, sign_id).fields
