"""Every contact starts by finding or adding the customer; a record changed elsewhere is a conflict.

GIVEN staff at the start of a contact, WHEN they type the customer's name or reference (or nothing),
THEN the contact is linked to the one customer on record, a new one, or none yet; their earlier
warnings show before the first word; and a change made elsewhere is never silently overwritten.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from counter_tui.app import CounterApp
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.find_customer import FindCustomerScreen
from counter_tui.services import contacts, customers, staff
from counter_tui.services.customers import CustomerConflict
from counter_tui.services.record_text import steps as timeline
from counter_tui.store import queries
from counter_tui.store.connection import write
from tests.test_channels import channel_context, two_interview_warnings

SIZE = (100, 34)


def customer_rows(ctx) -> list[tuple[str, str, str]]:
    return ctx.store.db.execute("SELECT id, name, reference FROM customers ORDER BY id").fetchall()


async def finder(pilot, app, number: str, pin: str, flow_key: str) -> FindCustomerScreen:
    await pilot.press(*number, "enter", *pin, "enter", flow_key)
    await pilot.pause()
    assert isinstance(app.screen, FindCustomerScreen)
    return app.screen


async def test_a_reference_typed_at_the_start_finds_the_customer_and_their_earlier_warnings(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    two_interview_warnings(ctx)
    assert len(customer_rows(ctx)) == 1, "the same reference is the same customer"
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await finder(pilot, app, "3001", "345627", "2")
        await pilot.press("tab", *"pex5521")
        await pilot.pause()
        matches = screen.query_one("#matches", OptionList)
        assert matches.option_count == 1
        shown = str(matches.get_option_at_index(0).prompt)
        assert "Ms Dana Kovac" in shown and "2 earlier warnings (face-to-face interview)" in shown
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert app.screen.current.facts.earlier_warnings == 2, "shown before the first word is said"
        assert app.screen.query_one("#reference", Input).value == "PEX 5521 0047", "nothing typed twice"
        assert any("warned twice" in choice.label for _, choice in app.screen.current.offered)
    assert len(customer_rows(ctx)) == 1


async def test_a_new_customer_is_added_once_and_found_the_next_time(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await finder(pilot, app, "1001", "123427", "1")
        screen.query_one("#find-name", Input).value = "Mr Tom Fielding"
        screen.query_one("#find-reference", Input).value = "PEX 9902 5531"
        await pilot.pause()
        assert "adding them as a new customer" in str(screen.query_one("#find-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        first = app.screen.contact_id
        await pilot.press("2")  # refused to serve: the record
        await pilot.pause()
    assert customer_rows(ctx) == [("P-000001", "Mr Tom Fielding", "PEX 9902 5531")]
    handler = staff.sign_in(ctx, "1001", "123427")
    again = contacts.start_contact(ctx, handler, "telephone", reference="pex 9902 5531")
    assert queries.contact(ctx.store.db, again).customer_id == queries.contact(ctx.store.db, first).customer_id
    assert queries.contact(ctx.store.db, again).customer_name == "Mr Tom Fielding", "the register fills the name in"


async def test_nothing_typed_starts_at_once_with_the_customer_not_known_yet(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await finder(pilot, app, "1001", "123427", "1")
        assert "not known yet" in str(screen.query_one("#find-hint").render())
        await pilot.press("enter")
        await pilot.pause()
        contact_id = app.screen.contact_id
        # Typed later on the contact screen, the details link the contact to a customer.
        app.screen.query_one("#customer_name", Input).value = "Mrs Ruth Adeyemi"
        await pilot.press("escape")
        await pilot.pause()
    assert queries.contact(ctx.store.db, contact_id).customer_id == "P-000001"
    assert customer_rows(ctx) == [("P-000001", "Mrs Ruth Adeyemi", "")]


async def test_hostile_text_at_the_start_is_refused_beside_the_field_and_kept(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        screen = await finder(pilot, app, "1001", "123427", "1")
        name = screen.query_one("#find-name", Input)
        name.value = "[red]Mr\u202e X[/red]"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen, "not started"
        assert "direction" in str(screen.query_one("#error-name").render())
        assert name.value == "[red]Mr\u202e X[/red]"
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
    assert ctx.store.db.execute("SELECT count(*) FROM contacts").fetchone()[0] == 0
    assert customer_rows(ctx) == []


def test_search_treats_typed_wildcards_as_text(ctx, handler):
    """Names are found by the start of their words (full-text); `%` and `_` never match everything."""
    customers.add(ctx, handler, name="Ms 100% Sure", reference="")
    customers.add(ctx, handler, name="Mr Under_Score", reference="PEX 1")
    customers.add(ctx, handler, name="Ms Plain", reference="PEX 2")
    assert customers.find(ctx, name="%") == [] and customers.find(ctx, name="_") == [], "never a wildcard"
    assert [s.customer.name for s in customers.find(ctx, name="100%")] == ["Ms 100% Sure"]
    assert [s.customer.name for s in customers.find(ctx, name="under_")] == ["Mr Under_Score"]
    assert [s.customer.name for s in customers.find(ctx, reference="pex")] == ["Mr Under_Score", "Ms Plain"]
    assert customers.find(ctx) == []


def test_a_stale_change_to_the_customer_is_a_conflict_and_changes_nothing(ctx, handler, manager):
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Gareth Rowe")
    customer_id = queries.contact(ctx.store.db, contact_id).customer_id
    with write(ctx.store.db):
        customers.change(ctx.store.db, ctx, manager, customer_id, name="Mr Gareth Rowe", reference="PEX 4411 2093", version=1)
    with pytest.raises(CustomerConflict) as conflict:
        contacts.update_details(ctx, handler, contact_id, customer_name="Mr G. Rowe", reference="", query="",
                                customer_version=1)
    assert conflict.value.current.version == 2
    assert customers.get(ctx, customer_id).name == "Mr Gareth Rowe"
    assert queries.contact(ctx.store.db, contact_id).customer_name == "Gareth Rowe", "the contact is unchanged too"
    # Editing again against the version now on record is a deliberate change, and lands.
    assert contacts.update_details(ctx, handler, contact_id, customer_name="Mr G. Rowe", reference="PEX 4411 2093",
                                   query="", customer_version=2) == 3


async def test_the_contact_screen_shows_the_conflict_and_keeps_the_typing(ctx, handler, manager):
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1001", "enter", *"123427", "enter", "1", *"Gareth", "space", *"Rowe", "enter")
        await pilot.pause()
        screen = app.screen
        customer_id = screen.current.contact.customer_id
        with write(ctx.store.db):
            customers.change(ctx.store.db, ctx, manager, customer_id, name="Mr Gareth Rowe", reference="", version=1)
        screen.query_one("#customer_name", Input).value = "Mr G. Rowe"
        await pilot.press("escape")
        await pilot.pause()
        assert "Changed elsewhere" in str(screen.query_one("#details-error").render())
        assert screen.query_one("#customer_name", Input).value == "Mr G. Rowe"
    assert customers.get(ctx, customer_id).name == "Mr Gareth Rowe"


def test_a_reference_that_is_another_customers_moves_the_contact_to_them(ctx, handler):
    known = customers.add(ctx, handler, name="Ms Helen Marsh", reference="PEX 7730 1182")
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Helen")
    contacts.update_details(ctx, handler, contact_id, customer_name="Ms Helen Marsh", reference="PEX 7730 1182", query="")
    assert queries.contact(ctx.store.db, contact_id).customer_id == known
    assert customers.get(ctx, known).reference == "PEX 7730 1182"
    assert len(customer_rows(ctx)) == 2, "the other customer is left as it was"


async def test_video_connection_ended_is_timed_and_in_the_case_note(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"3001", "enter", *"345627", "enter", "3", "enter", "1", "ctrl+d")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "VideoScreen"
        assert "connection ended" in str(screen.query_one("#bar").render())
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert "connection: up" in str(screen.query_one("#bar").render())
        current = contacts.view(ctx, screen.contact_id)
    lines = timeline(ctx, current).splitlines()
    assert [line.split(" ", 1)[1] for line in lines[-2:]] == ["The connection ended", "The connection came back"]
    kinds = [r[0] for r in ctx.store.db.execute("SELECT kind FROM events WHERE kind = 'contact.connection'")]
    assert len(kinds) == 2
