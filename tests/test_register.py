"""The customer register: full-text search that treats whatever is typed as text, a customer's whole
record with their signed-off letters, and an incident recorded with the customer not known linked
to them later. A member of staff's welfare record is never found.

GIVEN customers, contacts and a welfare record, WHEN staff search the register and open a customer,
THEN they see the customers and what was recorded, never the welfare record, and can link an
unknown caller's incident to the customer it turns out to be.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import DataTable, OptionList

from counter_tui.app import CounterApp
from counter_tui.screens.customer_record import CustomerRecordScreen
from counter_tui.services import contacts, customers, records, register
from counter_tui.services.errors import Refused
from counter_tui.store import queries
from counter_tui.store.register import fts_query
from tests.conftest import make_context
from tests.letters_helpers import barred_from_writing, letter_context
from tests.test_incident_report import ended_call
from tests.test_welfare import support_and_record, welfare_task


def unknown_caller(ctx, handler) -> str:
    """A call ended with nobody named at the start; the case note says who it seemed to be."""
    contact_id = contacts.start_contact(ctx, handler, "telephone")
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, handler, contact_id, number, at_step=step)
    contacts.save_note(ctx, handler, contact_id, "Threatened to wait for me in the car park.", version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, handler, contact_id)}
    fields.update(who="A man who would not give his name", query="Would not say")
    return records.finish(ctx, handler, contact_id, fields).incident_id


def test_names_references_and_what_was_recorded_are_found(ctx, handler):
    ended_call(ctx, handler, name="Mr Gareth Rowe")
    assert [h.name for h in register.search(ctx, "rowe")] == ["Mr Gareth Rowe"]
    assert [h.name for h in register.search(ctx, "PEX 4411")] == ["Mr Gareth Rowe"]
    found = register.search(ctx, "sort me out")
    assert [h.name for h in found] == ["Mr Gareth Rowe"] and "sort me out" in found[0].why
    assert register.search(ctx, "nobody-like-this") == []


@pytest.mark.parametrize("typed", ['"', 'a OR b', 'NEAR(a b)', '*', '[b]bold[/b]', "rowe'; DROP TABLE customers; --",
                                   "col:rowe", "^rowe", "-rowe", "(", "\u202eeowr", "%_"])
def test_whatever_is_typed_is_searched_for_as_text(ctx, handler, typed):
    ended_call(ctx, handler, name="Mr Gareth Rowe")
    register.search(ctx, typed)  # never raises
    assert queries.contact(ctx.store.db, "C-000001") is not None


@given(st.text(max_size=60))
def test_any_text_makes_a_valid_fts_query(text):
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    db.execute("INSERT INTO t VALUES ('nothing typed matches this')")
    query = fts_query(text)
    if query:
        assert db.execute("SELECT * FROM t WHERE t MATCH ?", [query]).fetchall() in ([], [("nothing typed matches this",)])
    else:
        assert not any(ch.isalnum() for ch in text), "only text without a word makes no query"


def test_a_welfare_record_is_never_found(ctx, handler, manager):
    call = ended_call(ctx, handler)
    support_and_record(ctx, manager, welfare_task(ctx, call).id)  # "Shaken", "Employee Assistance Programme"
    assert register.search(ctx, "Employee Assistance Programme") == []
    assert register.search(ctx, "Shaken") == []


def test_an_unknown_callers_incident_is_linked_later_once(ctx, handler, manager):
    incident_id = unknown_caller(ctx, handler)
    found = register.search(ctx, "car park")
    assert found[0].customer_id is None and found[0].name == "A man who would not give his name"
    assert [i.incident_id for i in register.unknown_incidents(ctx)] == [incident_id]
    customer_id = customers.add(ctx, manager, name="Mr Len Dale", reference="PEX 1000 0001")
    register.link(ctx, manager, incident_id, customer_id)
    record = register.record(ctx, customer_id)
    assert [c.incident_id for c in record.contacts] == [incident_id] and record.summary.warnings == {"telephone": 1}
    assert queries.incident(ctx.store.db, incident_id).customer_name == "Mr Len Dale"
    assert register.unknown_incidents(ctx) == []
    with pytest.raises(Refused):
        register.link(ctx, manager, incident_id, customer_id)
    linked = ctx.store.db.execute("SELECT actor FROM events WHERE kind = 'contact.linked'").fetchall()
    assert linked == [(manager.number,)]


def test_the_record_shows_signed_off_letters_with_the_bar_first(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    record = register.record(ctx, barred_from_writing(ctx))
    assert record.letters[0].text.startswith("Written communications barring letter")
    assert "barred: written communication" in record.letters[0].text
    assert len(record.contacts) == 4  # each letter: the caseworker's contact and the line manager's step


async def test_find_a_customer_open_their_record_and_link_an_incident(tmp_path, clock, handler):
    ctx = make_context(tmp_path / "c.db", clock)
    incident_id = unknown_caller(ctx, handler)
    ended_call(ctx, handler, name="Mr Gareth Rowe")
    app = CounterApp(ctx)
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.press(*"2001", "enter", *"234527", "enter", "c", *"rowe", "enter")  # Enter searches at once
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and table.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CustomerRecordScreen)
        assert "Mr Gareth Rowe" in str(app.screen.query_one("#record-text").render())
        await pilot.press("l")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.get_option_at_index(0).id == incident_id
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#record-contacts", DataTable).row_count == 2
    assert queries.contact(ctx.store.db, queries.incident(ctx.store.db, incident_id).contact_id).customer_id is not None
