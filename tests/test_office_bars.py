"""Bars per kind of office (HMPO "Public facing area: how to bar a customer"; "How to bar a customer
from a CSC"): the CSO letter means the customer "must attend a CSC to finish the interview process",
so it bars them at Customer Service Offices only; the CSC letter bars them "from attending all
passport offices". An office whose kind is not configured shows the bar, never hides it.
"""

from __future__ import annotations

import pytest

from counter_tui.services import contacts, letter_decision, letter_record, letter_sign_off, letters
from counter_tui.store import customers as register
from tests.letters_helpers import ADE, GRACE, MAIN, OWEN, SECOND, counter_bar, letter_context, letter_settings


def _barred(ctx, bar: str) -> str:
    task_id = counter_bar(ctx, bar, OWEN)
    view = letters.view(ctx, ADE, task_id)
    if view.mode == "decide":
        letter_decision.decide(ctx, ADE, view.letter.id, write_it=True)
        view = letters.view(ctx, ADE, task_id)
    letters.submit(ctx, ADE, view.letter.id, view.values, version=view.letter.version)
    letter_sign_off.approve(ctx, GRACE, view.letter.id, version=view.letter.version + 1)
    return contacts.view(ctx, view.letter.contact_id).contact.customer_id


def _lines(ctx, customer_id, channel, office):
    return letter_record.on_record_for(ctx, customer_id, channel, office)


KINDS = {MAIN: "CSO", SECOND: "CSC"}


@pytest.mark.parametrize("channel", ["counter", "face_to_face"])
def test_a_cso_bar_is_shown_at_a_cso_and_not_at_a_csc(tmp_path, clock, channel):
    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(office_kinds=KINDS))
    customer_id = _barred(ctx, "Bar them from this Customer Service Office")
    at_cso, = _lines(ctx, customer_id, channel, MAIN)
    at_csc, = _lines(ctx, customer_id, channel, SECOND)
    assert at_cso.barred_here and "at Customer Service Offices (CSO) only" in at_cso.text
    assert not at_csc.barred_here and f"not at this office ({SECOND} is a CSC)" in at_csc.text


def test_a_csc_bar_is_shown_at_every_kind_of_office(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(office_kinds=KINDS))
    customer_id = _barred(ctx, "Bar them from attending all passport offices")
    for office in (MAIN, SECOND):
        line, = _lines(ctx, customer_id, "counter", office)
        assert line.barred_here and "not at this office" not in line.text


def test_an_office_with_no_kind_configured_shows_the_bar_and_says_so(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    customer_id = _barred(ctx, "Bar them from this Customer Service Office")
    line, = _lines(ctx, customer_id, "counter", SECOND)
    assert line.barred_here and "office kind not configured" in line.text


def test_a_cso_bar_does_not_bar_the_written_channel(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(office_kinds=KINDS))
    customer_id = _barred(ctx, "Bar them from this Customer Service Office")
    line, = _lines(ctx, customer_id, "written", MAIN)
    assert not line.barred_here


def test_the_customer_record_lists_the_bar_with_its_kinds_of_office(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(office_kinds=KINDS))
    customer_id = _barred(ctx, "Bar them from this Customer Service Office")
    line, = letter_record.on_record(ctx, register.signed_off_letters(ctx.store.db, customer_id), "")
    assert "at Customer Service Offices (CSO) only" in line.text and not line.barred_here


@pytest.mark.parametrize("office, barred", [(MAIN, True), (SECOND, False)])
async def test_the_counter_screen_shows_a_cso_bar_at_a_cso_and_not_at_a_csc(tmp_path, clock, office, barred):
    from textual.widgets import Static

    from counter_tui.app import CounterApp
    from counter_tui.models.staff import Actor
    from counter_tui.screens.contact import open_contact
    from counter_tui.services import staff

    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(office_kinds=KINDS))
    _barred(ctx, "Bar them from this Customer Service Office")
    clerk = Actor(number="3009", name="Cal Reed", role="counter_staff", office=office)
    staff.add_staff(ctx, number=clerk.number, name=clerk.name, role=clerk.role, office=office, pin="390927")
    contact_id = contacts.start_contact(ctx, clerk, "counter", customer_name="Mr Sid Vance", reference="PEX 1100 2200")
    app = CounterApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*clerk.number, "enter", *"390927", "enter")
        await pilot.pause()
        open_contact(app, contact_id)
        await pilot.pause()
        bar = str(app.screen.query_one("#bar", Static).render())
        history = str(app.screen.query_one("#history", Static).render())
    assert ("BARRED on this channel" in bar) is barred
    assert "Public facing area barring letter (CSO)" in history
    assert ("not at this office" in history) is not barred
