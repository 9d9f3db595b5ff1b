"""Snapshots of the customer register at 80x24 and 120x40 on a clock that stands still: search
results, a barred customer's record, and the choice of an incident to link.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from tests.conftest import START
from tests.letters_helpers import barred_from_writing, letter_context

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
GRACE = [*"6001", "enter", *"678927", "enter"]


@pytest.fixture
def barred_ctx(tmp_path):
    ctx = letter_context(tmp_path / "register.db", FixedClock(START))
    barred_from_writing(ctx)
    from counter_tui.services import staff

    handler = staff.sign_in(ctx, "3001", "345627")
    unknown_caller_as(ctx, handler)
    return ctx


def unknown_caller_as(ctx, actor) -> None:
    """An unknown person's interview ended (so there is an incident to link)."""
    from counter_tui.services import contacts, records

    contact_id = contacts.start_contact(ctx, actor, "face_to_face")
    for number in (1, 2, 1):
        contacts.take_step(ctx, actor, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    fields = {fid: text or ("Shouted at me." if required else "") for fid, _, text, required in records.draft_record(ctx, actor, contact_id)}
    fields["who"] = "A woman who would not give her name"
    records.finish(ctx, actor, contact_id, fields)


@pytest.mark.parametrize("size", SIZES)
def test_the_register_finds_by_name_and_by_what_was_recorded(snap_compare, barred_ctx, size):
    assert snap_compare(CounterApp(barred_ctx), press=[*GRACE, "c", *"abusive", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_barred_customers_record(snap_compare, barred_ctx, size):
    assert snap_compare(CounterApp(barred_ctx), press=[*GRACE, "c", *"abel", "enter", "enter"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_choosing_an_incident_to_link(snap_compare, barred_ctx, size):
    assert snap_compare(CounterApp(barred_ctx), press=[*GRACE, "c", *"abel", "enter", "enter", "l"], terminal_size=size)


