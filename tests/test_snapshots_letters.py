"""Snapshots of the letter screens at 80x24 and 120x40 on a clock that stands still: the HEO's draft,
a returned draft, the SEO's sign-off, what followed the sign-off, the EO's notice, and the outbox.

Accept a changed snapshot only after looking at the report (`pytest --snapshot-update`).
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.services import letter_sign_off, letters
from counter_tui.store import letters as letter_store
from tests.conftest import START
from tests.letters_helpers import ADE, GRACE, OWEN, PINS, barred_from_writing, ended_interview, letter_context

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def _keys(actor) -> list[str]:
    """Sign in as `actor` and open the top task on their queue."""
    return [*actor.number, "enter", *PINS[actor.number], "enter", "q", "enter"]


def _settled(keys: list[str]):
    """Press `keys`, then save the draft as its autosave would after a pause and wait for it, so the
    picture never depends on whether the autosave's timer fired first (it did on a loaded machine)."""

    async def run_before(pilot) -> None:
        await pilot.press(*keys)
        autosave = getattr(pilot.app.screen, "_autosave", None)
        if autosave is not None:
            autosave.save_now()  # the save a pause in typing would make: always in the picture, never half-way
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


@pytest.fixture
def still_ctx(tmp_path):
    return letter_context(tmp_path / "letters.db", FixedClock(START))


def _submitted(ctx) -> str:
    view = letters.view(ctx, ADE, ended_interview(ctx))
    letters.submit(ctx, ADE, view.letter.id, view.values, version=0)
    return view.letter.id


@pytest.mark.parametrize("size", SIZES)
def test_the_heo_drafts_the_interview_warning_letter(snap_compare, still_ctx, size):
    ended_interview(still_ctx)
    assert snap_compare(CounterApp(still_ctx), run_before=_settled(_keys(ADE)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_returned_draft_shows_the_reason(snap_compare, still_ctx, size):
    letter_id = _submitted(still_ctx)
    letter_sign_off.return_letter(still_ctx, GRACE, letter_id, "Say they may book at any CSO.", version=1)
    assert snap_compare(CounterApp(still_ctx), run_before=_settled(_keys(ADE)), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_seo_reads_the_letter_to_sign_off(snap_compare, still_ctx, size):
    _submitted(still_ctx)
    assert snap_compare(CounterApp(still_ctx), press=_keys(GRACE), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_after_sign_off_what_followed_and_each_e_mail(snap_compare, still_ctx, size):
    _submitted(still_ctx)
    assert snap_compare(CounterApp(still_ctx), press=[*_keys(GRACE), "1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_eo_sees_the_notice_to_the_other_offices(snap_compare, still_ctx, size):
    letter_id = _submitted(still_ctx)
    letter_sign_off.approve(still_ctx, GRACE, letter_id, version=1)
    assert snap_compare(CounterApp(still_ctx), press=_keys(OWEN), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_the_outbox_with_held_messages(snap_compare, still_ctx, size):
    letter_id = _submitted(still_ctx)
    letter_sign_off.approve(still_ctx, GRACE, letter_id, version=1)
    assert letter_store.letter(still_ctx.store.db, letter_id).status == "approved"
    keys = [*GRACE.number, "enter", *PINS[GRACE.number], "enter", "q", "o"]
    assert snap_compare(CounterApp(still_ctx), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_barred_customer_is_shown_as_barred_when_found(snap_compare, still_ctx, size):
    barred_from_writing(still_ctx)
    keys = [*"5001", "enter", *"567827", "enter", "4", *"Abel"]
    assert snap_compare(CounterApp(still_ctx), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_a_barred_customer_is_shown_as_barred_before_the_first_word(snap_compare, still_ctx, size):
    barred_from_writing(still_ctx)
    keys = [*"5001", "enter", *"567827", "enter", "4", *"Abel", "down", "enter"]
    assert snap_compare(CounterApp(still_ctx), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_cmel9271_offers_the_guidances_suggested_texts(snap_compare, tmp_path, size):
    """A free-text letter (DWP CMEL9271, from a test pack): the three suggested texts to start from."""
    from pathlib import Path

    from counter_tui.config import Settings
    from counter_tui.models.staff import Actor
    from counter_tui.services import contacts, records, staff
    from counter_tui.services.context import Context

    pack = Path(__file__).parent / "packs" / "cmel9271.toml"
    ctx = Context.open(tmp_path / "c.db", Settings(policy=str(pack)), clock=FixedClock(START))
    leader = Actor(number="7001", name="Tina Shaw", role="team_leader", office="Main office")
    staff.add_staff(ctx, number=leader.number, name=leader.name, role=leader.role, office=leader.office, pin="777727")
    contact_id = contacts.start_contact(ctx, leader, "re_establish", customer_name="Ms Jo Client", reference="CM 1234")
    contacts.take_step(ctx, leader, contact_id, 1, at_step="attempt")
    records.finish(ctx, leader, contact_id, {})
    keys = [*"7001", "enter", *"777727", "enter", "q", "enter", "enter"]  # the suggestions open
    assert snap_compare(CounterApp(ctx), run_before=_settled(keys), terminal_size=size)
