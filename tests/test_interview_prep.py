"""Preparing for an interview (HMPO, telephone section: the interview officer "will review the
application and your case notes when they prepare for the interview; know the customer may become
abusive during the interview"), and the HEO counter manager seeing why an interview was ended.

GIVEN an earlier telephone call ended with a case note (an incident) under an application reference
WHEN an interview starts for that reference THEN the interview officer first sees the earlier case
notes and incidents, newest first, with the guidance's words; text typed in them shows as typed. A
customer with no earlier record sees nothing first; a member of staff's welfare record is never shown.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, Static

from counter_tui.app import CounterApp
from counter_tui.models.staff import Actor
from counter_tui.services import contacts, interview_prep, queue, records
from tests.letters_helpers import ADE, RAVI, ended_interview, letter_context

HANDLER = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
REFERENCE = "PEX 7001 0042"
HOSTILE = "[b]Shouted[/b] $x [link=file:///etc/passwd]here[/link]"


def ended_call(ctx, reference: str = REFERENCE, said: str = "He swore at me twice.") -> str:
    """A telephone call warned, not improved and ended, with its case note; returns the contact id."""
    contact_id = contacts.start_contact(ctx, HANDLER, "telephone", customer_name="Mr Neil Hart", reference=reference,
                                        query="Where is my passport")
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, HANDLER, contact_id, number, at_step=step)
    contacts.save_note(ctx, HANDLER, contact_id, said, version=0)
    fields = {fid: text or ("Recorded." if required else "") for fid, _, text, required in records.draft_record(ctx, HANDLER, contact_id)}
    records.finish(ctx, HANDLER, contact_id, fields)
    return contact_id


@pytest.fixture
def prep(tmp_path, clock):
    ctx = letter_context(tmp_path / "prep.db", clock)
    from counter_tui.services import staff
    staff.add_staff(ctx, number=HANDLER.number, name=HANDLER.name, role=HANDLER.role, office=HANDLER.office, pin="123427")
    yield ctx
    ctx.store.close()


def test_the_interview_shows_earlier_case_notes_and_incidents_newest_first(prep, clock):
    first = ended_call(prep, said="First call: shouted.")
    clock.advance(timedelta(days=2))
    second = ended_call(prep, said="Second call: threatened to come in.")
    clock.advance(timedelta(days=1))
    interview = contacts.start_contact(prep, RAVI, "face_to_face", customer_name="Mr Neil Hart", reference="pex7001 0042")
    found = interview_prep.preparation(prep, interview)
    assert found.title == "Prepare for the interview"
    assert found.section == "Telephone calls: customer's behaviour does not improve"
    assert "Know the customer may become abusive during the interview." in found.guidance
    assert [r.contact_id for r in found.records] == [second, first], "newest first, the same reference however typed"
    assert "Second call: threatened to come in." in dict(found.records[0].fields).values(), "by the case note's labels"
    assert dict(found.records[0].fields)[prep.pack.form("case_note").fields[0].label] == "Mr Neil Hart"
    assert [i.channel for i in found.incidents] == ["Telephone call", "Telephone call"]
    assert found.incidents[0].at > found.incidents[1].at


def test_nothing_to_prepare_without_earlier_records_or_outside_an_interview(prep):
    interview = contacts.start_contact(prep, RAVI, "face_to_face", customer_name="Ms New", reference="PEX 0000 0001")
    assert interview_prep.preparation(prep, interview) is None, "no earlier record: nothing shown first"
    ended_call(prep)
    call = contacts.start_contact(prep, HANDLER, "telephone", customer_name="Mr Neil Hart", reference=REFERENCE)
    assert interview_prep.preparation(prep, call) is None, "the telephone flow asks for no preparation"
    unknown = contacts.start_contact(prep, RAVI, "face_to_face")
    assert interview_prep.preparation(prep, unknown) is None, "a customer not known yet has no record"


def test_a_welfare_record_is_never_shown_as_a_customer_record(prep):
    """The welfare record is the member of staff's HR file: the store query leaves its flow out."""
    from counter_tui.store import earlier_records

    ended_call(prep)
    interview = contacts.start_contact(prep, RAVI, "video", customer_name="Mr Neil Hart", reference=REFERENCE)
    welfare = tuple(f.id for f in prep.pack.flows if f.staff_record)
    assert welfare, "the HMPO pack keeps welfare records"
    found = earlier_records.earlier_records(prep.store.db, customer_id=None, reference=REFERENCE, name="",
                                            before=interview, exclude_flows=welfare + ("telephone",))
    assert found == [], "flows left out are not read"
    assert len(interview_prep.preparation(prep, interview).records) == 1


async def test_the_interview_officer_sees_the_preparation_first_then_the_interview(prep):
    """Pressed as the officer would: 2 (face to face), the reference, enter: the preparation is first,
    hostile text shown as typed; enter goes on to the first step."""
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.dialogs.prepare import PrepareDialog

    ended_call(prep, said=HOSTILE)
    app = CounterApp(prep)
    async with app.run_test(size=(100, 34)) as pilot:
        app.signed_in(RAVI)
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        app.screen.query_one("#find-reference", Input).value = REFERENCE
        app.screen.query_one("#find-name", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PrepareDialog)
        shown = str(app.screen.query_one("#prepare-records", Static).render())
        assert HOSTILE in shown, "typed text is data, never markup"
        head = str(app.screen.query_one("#prepare-head", Static).render())
        assert "Know the customer may become abusive during the interview." in head
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        assert app.screen.current.step.id == "warn"
        await pilot.press("1")  # the interview goes on: the preparation is not offered again
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)


async def test_the_heo_sees_why_the_interview_was_ended_on_the_letter_task(prep):
    """The HEO counter manager's letter task shows the interview note: why it was ended, and what
    was said and done (the record the task follows)."""
    from counter_tui.screens.letter import LetterScreen

    task_id = ended_interview(prep)
    assert queue.get_task(prep, task_id).spec == "interview_warning_letter"
    app = CounterApp(prep)
    async with app.run_test(size=(120, 40)) as pilot:
        app.signed_in(ADE)
        await pilot.pause()
        app.push_screen(LetterScreen(task_id))
        await pilot.pause()
        origin = str(app.screen.query_one("#letter-origin", Static).render())
    assert "Why you had to end the interview: His behaviour did not improve after the warning." in origin
    assert "What the customer said or did: Swore at me and banged the desk after the warning." in origin


SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_prepare_for_the_interview(snap_compare, tmp_path, size):
    """Two earlier calls for the application (one with text that looks like markup), newest first."""
    from counter_tui.clock import FixedClock
    from counter_tui.services import staff
    from tests.conftest import START

    still = FixedClock(START)
    ctx = letter_context(tmp_path / "snap.db", still)
    staff.add_staff(ctx, number=HANDLER.number, name=HANDLER.name, role=HANDLER.role, office=HANDLER.office, pin="123427")
    ended_call(ctx, said="Shouted that he would come to the office.")
    still.advance(timedelta(days=3, hours=2))
    ended_call(ctx, said=HOSTILE)
    still.advance(timedelta(days=1))

    async def at_the_interview(pilot) -> None:
        pilot.app.signed_in(RAVI)
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        pilot.app.screen.query_one("#find-reference", Input).value = REFERENCE
        pilot.app.screen.query_one("#find-name", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        # The contact screen's footer behind the dialog shows its keys or not as the machine's load
        # has it (drawn before or after the dialog came up): hide it, so the snapshot is the dialog's.
        from textual.widgets import Footer

        pilot.app.screen_stack[-2].query_one(Footer).display = False
        await pilot.pause()

    assert snap_compare(CounterApp(ctx), run_before=at_the_interview, terminal_size=size)
