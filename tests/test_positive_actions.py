"""The positive-action log (council 15.3): good conduct logged on a customer's record, shown
beside their incidents; only where the pack keeps such a log.

GIVEN the council's procedure and a customer on record WHEN a member of staff presses p on their
record and types what went well THEN it is stored with who and when, and the record shows it.
"""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from counter_tui.app import CounterApp
from counter_tui.models.staff import Actor
from counter_tui.screens.customer_record import CustomerRecordScreen
from counter_tui.services import customers, positive_actions, staff
from counter_tui.services.errors import FieldErrors, Refused
from tests.conftest import make_context

OFFICER = Actor(number="4101", name="Dee Marsh", role="staff_member", office="Main office")


@pytest.fixture
def council(tmp_path, clock):
    ctx = make_context(tmp_path / "council.db", clock, policy="council")
    staff.add_staff(ctx, number=OFFICER.number, name=OFFICER.name, role=OFFICER.role, office=OFFICER.office, pin="482027")
    yield ctx
    ctx.store.close()


def test_good_conduct_is_logged_with_who_and_when(council):
    customer_id = customers.add(council, OFFICER, name="Mr Alan Price", reference="")
    positive_actions.log(council, OFFICER, customer_id, "Waited patiently and thanked the receptionist.")
    total, newest = positive_actions.for_customer(council, customer_id)
    assert total == 1 and [(e.note, e.staff_name) for e in newest] == [("Waited patiently and thanked the receptionist.", OFFICER.name)]
    with pytest.raises(FieldErrors) as caught:
        positive_actions.log(council, OFFICER, customer_id, "   ")
    assert "note" in caught.value.errors


def test_a_pack_without_the_log_refuses_it(tmp_path, clock):
    ctx = make_context(tmp_path / "hmpo.db", clock)
    customer_id = customers.add(ctx, OFFICER, name="Mr Alan Price", reference="")
    with pytest.raises(Refused):
        positive_actions.log(ctx, OFFICER, customer_id, "Polite today.")


async def test_p_on_the_record_logs_it_and_the_record_shows_it(council):
    customer_id = customers.add(council, OFFICER, name="Mr Alan Price", reference="")
    app = CounterApp(council)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press(*OFFICER.number, "enter", *"482027", "enter")
        await pilot.pause()
        app.push_screen(CustomerRecordScreen(customer_id))
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert app.screen.query_one(TextArea).has_focus
        await pilot.press(*"[b]Calm[/b] at reception today", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CustomerRecordScreen)
        shown = str(app.screen.query_one("#record-text").render())
        assert "Good conduct logged: 1" in shown and "[b]Calm[/b] at reception today" in shown
