"""A manager takes over a live contact (ICO 14.2), through the services and key by key.

GIVEN a call in progress WHEN a line manager (the pack's `[take_over]` role) takes it over with a
reason THEN the event names both members of staff, the next steps are the manager's, and the member
of staff it was taken from is refused a step (told who took over, their note kept). Nobody else may
see the live contacts or take one over, and a finished contact cannot be taken over.
"""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.models.staff import Actor
from counter_tui.policy.lint import lint
from counter_tui.policy.schema import TakeOver
from counter_tui.services import contacts, records, staff, takeover
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import events, queries
from tests.conftest import make_context

HANDLER = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
MANAGER = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
SENIOR = Actor(number="3001", name="Ade Bello", role="senior", office="Main office")
RULES = TakeOver(roles=["line_manager"], section="14.2")


def with_take_over(ctx, rules: TakeOver | None = RULES):
    """The ICO pack with (or without) `[take_over]`, as a pack file would give it."""
    ctx.pack = ctx.pack.model_copy(update={"take_over": rules})
    return ctx


@pytest.fixture
def ico(tmp_path, clock):
    ctx = with_take_over(make_context(tmp_path / "ico.db", clock, policy="ico"))
    staff.add_staff(ctx, number=SENIOR.number, name=SENIOR.name, role=SENIOR.role, office=SENIOR.office, pin="312327")
    yield ctx
    ctx.store.close()


def kinds(ctx, contact_id: str) -> list[tuple[str, str]]:
    return [(e.kind, e.actor) for e in events.for_stream(ctx.store.db, f"contact:{contact_id}")]


def refusals(ctx, actor: Actor) -> list[dict]:
    return [e.payload for e in events.for_stream(ctx.store.db, f"staff:{actor.number}") if e.kind == "access.refused"]


def test_the_pack_names_only_roles_it_defines(ico):
    """A `[take_over]` naming a role the pack does not define is refused on load (P008)."""
    assert lint(ico.pack) == []
    findings = lint(ico.pack.model_copy(update={"take_over": TakeOver(roles=["duty_manager"], section="14.2")}))
    assert [(f.rule, f.place) for f in findings] == [("P008", "take_over")]
    assert "duty_manager" in findings[0].message


def test_a_manager_sees_the_call_in_progress_and_takes_it_over(ico):
    """GIVEN a call WHEN the line manager takes it over THEN the event names both, with the reason;
    their step is theirs; the member of staff is refused a step, told who; their note is still saved."""
    contact_id = contacts.start_contact(ico, HANDLER, "telephone", customer_name="Mr Ian Cole")
    contacts.take_step(ico, HANDLER, contact_id, 1, at_step="behaviour")
    [live] = takeover.live_contacts(ico, MANAGER)
    assert (live.contact.id, live.handler_name, live.channel, live.step_title, live.contact.customer_name) == (
        contact_id, "Sam Okafor", "Telephone call", "Tolerate difficult behaviour", "Mr Ian Cole")

    takeover.take_over(ico, MANAGER, contact_id, reason="Sam has had three calls like this today.")
    taken = events.for_stream(ico.store.db, f"contact:{contact_id}")[-1]
    assert (taken.kind, taken.actor) == ("contact.taken_over", "2001")
    assert {k: taken.payload[k] for k in ("from_number", "from_name", "to_number", "to_name", "reason", "section")} == {
        "from_number": "1001", "from_name": "Sam Okafor", "to_number": "2001", "to_name": "Jo Lindqvist",
        "reason": "Sam has had three calls like this today.", "section": "14.2"}
    assert takeover.live_contacts(ico, MANAGER)[0].handler_name == "Jo Lindqvist"

    with pytest.raises(contacts.TakenOver, match="Taken over by Jo Lindqvist"):
        contacts.take_step(ico, HANDLER, contact_id, 1, at_step="difficult")
    contacts.save_note(ico, HANDLER, contact_id, "He shouted.", version=0)  # what they typed is kept
    contacts.take_step(ico, MANAGER, contact_id, 1, at_step="difficult")
    assert [s.actor for s in queries.steps(ico.store.db, contact_id)] == ["1001", "2001"]
    assert queries.contact(ico.store.db, contact_id).note == "He shouted."
    assert contacts.interrupted(ico, HANDLER) == [] and [c.id for c in contacts.interrupted(ico, MANAGER)] == [contact_id]


def test_a_screen_drawn_for_the_handler_is_refused_whoever_signed_in_there(ico):
    """Switch user (f2) at the member of staff's terminal after the take-over: the screen drawn for
    them is refused; before any take-over, and at the manager's own terminal, switching carries on."""
    contact_id = contacts.start_contact(ico, HANDLER, "telephone")
    contacts.take_step(ico, SENIOR, contact_id, 1, at_step="behaviour", handler="1001")  # switched user, not taken
    takeover.take_over(ico, MANAGER, contact_id, reason="Stepping in.")
    with pytest.raises(contacts.TakenOver):
        contacts.take_step(ico, SENIOR, contact_id, 1, at_step="difficult", handler="1001")
    contacts.take_step(ico, SENIOR, contact_id, 1, at_step="difficult", handler="2001")  # at the manager's terminal
    assert [s.actor for s in queries.steps(ico.store.db, contact_id)] == ["3001", "3001"]


def test_only_the_packs_roles_may_see_or_take_over_and_each_refusal_is_recorded(ico):
    contact_id = contacts.start_contact(ico, HANDLER, "telephone")
    with pytest.raises(Refused, match="only the Line manager"):
        takeover.live_contacts(ico, SENIOR)
    with pytest.raises(Refused):
        takeover.take_over(ico, HANDLER, contact_id, reason="Mine anyway.")
    assert [r["what"] for r in refusals(ico, SENIOR)] == ["see the live contacts"]
    assert [r["what"] for r in refusals(ico, HANDLER)] == [f"take over contact {contact_id}"]
    with_take_over(ico, None)
    with pytest.raises(Refused, match="lets nobody take over"):
        takeover.live_contacts(ico, MANAGER)
    assert kinds(ico, contact_id) == [("contact.started", "1001")]


def test_a_reason_is_required(ico):
    contact_id = contacts.start_contact(ico, HANDLER, "telephone")
    for blank in ("", "  \n "):
        with pytest.raises(FieldErrors) as caught:
            takeover.take_over(ico, MANAGER, contact_id, reason=blank)
        assert caught.value.errors == {"reason": "Give the reason for taking over this contact: it is recorded with both names."}
    with pytest.raises(FieldErrors) as caught:
        takeover.take_over(ico, MANAGER, contact_id, reason="x\u202ey")
    assert "direction-changing" in caught.value.errors["reason"]
    assert kinds(ico, contact_id) == [("contact.started", "1001")]


def test_a_finished_contact_cannot_be_taken_over_nor_one_already_yours(ico, clock):
    ended = contacts.start_contact(ico, HANDLER, "telephone", customer_name="Mr Ian Cole")
    contacts.take_step(ico, HANDLER, ended, 2, at_step="behaviour")  # persistent: the flow ends here
    assert takeover.live_contacts(ico, MANAGER) == [], "at its final step the record is being written: not live"
    with pytest.raises(Refused, match="already finished"):
        takeover.take_over(ico, MANAGER, ended, reason="Too late.")
    records.finish(ico, HANDLER, ended, {})
    with pytest.raises(Refused, match="already finished"):
        takeover.take_over(ico, MANAGER, ended, reason="Too late.")
    mine = contacts.start_contact(ico, MANAGER, "telephone")
    with pytest.raises(Refused, match="already yours"):
        takeover.take_over(ico, MANAGER, mine, reason="Mine.")


def test_a_contact_quiet_for_two_hours_is_not_live(ico, clock):
    """Left open when the terminal died: it waits on its handler's list to resume, not on the managers'."""
    contacts.start_contact(ico, HANDLER, "telephone")
    clock.advance(takeover.QUIET_LIMIT)
    assert takeover.live_contacts(ico, MANAGER) == []
    assert len(contacts.interrupted(ico, HANDLER)) == 1


async def signed_in(pilot, actor: Actor) -> None:
    """Past the sign-in screen as `actor` (signing in by PIN is tests/test_sign_in.py's)."""
    pilot.app.call_later(pilot.app.signed_in, actor)  # in the app's own context: two apps run here
    await pilot.pause()


async def test_the_manager_takes_over_key_by_key_and_the_handler_is_sent_home(ico):
    """GIVEN Sam's call with a note typed WHEN Jo presses l, enter, types why, ctrl+s, and takes a step
    THEN Sam's next step key says who took over and goes back to the start, the note saved. Only Jo's
    start screen offers l."""
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.home import HomeScreen
    from counter_tui.screens.live_contacts import LiveContactsScreen

    sams, jos = CounterApp(ico), CounterApp(ico)
    async with sams.run_test(size=(80, 24), notifications=True) as sam, jos.run_test(size=(80, 24)) as jo:
        await signed_in(sam, HANDLER)
        await signed_in(jo, MANAGER)
        await sam.press("l")
        assert isinstance(sams.screen, HomeScreen), "l is only for the pack's take-over roles"
        await sam.press("1", "enter", "ctrl+n", *"Swore", "escape")
        contact_id = sams.screen.contact_id
        await jo.press("l")
        await jo.pause()
        assert isinstance(jos.screen, LiveContactsScreen)
        await jo.press("enter", "ctrl+s")
        await jo.pause()
        assert "Give the reason" in str(jos.screen.query_one("#ask-error").render()), "no reason, no take-over"
        await jo.press(*"Upset", "ctrl+s")
        await jo.pause()
        assert isinstance(jos.screen, ContactScreen) and jos.screen.contact_id == contact_id
        await jo.press("1")  # Difficult
        await sam.press("2")  # Sam's screen still shows the first step
        await sam.pause()
        assert isinstance(sams.screen, HomeScreen)
        shown = sams.export_screenshot().replace("&#160;", " ")
        assert "Taken over by Jo Lindqvist" in shown, "told who, on the start screen"
    taken = next(e for e in events.for_stream(ico.store.db, f"contact:{contact_id}") if e.kind == "contact.taken_over")
    assert (taken.actor, taken.payload["from_name"], taken.payload["to_name"], taken.payload["reason"]) == (
        "2001", "Sam Okafor", "Jo Lindqvist", "Upset")
    assert [s.actor for s in queries.steps(ico.store.db, contact_id)] == ["2001"]
    assert queries.contact(ico.store.db, contact_id).note == "Swore"


# -- HMPO: the counter member of staff calls the EO counter manager, who takes over at their own sign-in --
COUNTER = Actor(number="1101", name="Priya Shah", role="counter_staff", office="Main office")
EO = Actor(number="1201", name="Tom Reyes", role="eo_counter_manager", office="Main office")


@pytest.fixture
def hmpo(tmp_path, clock):
    ctx = make_context(tmp_path / "hmpo.db", clock)
    yield ctx
    ctx.store.close()


def test_hmpo_lets_the_eo_counter_manager_take_over_citing_the_public_facing_area(hmpo):
    """The pack's `[take_over]` names the EO counter manager (the document has the EO take the
    decisions in the public facing area), and only that role."""
    assert hmpo.pack.take_over.roles == ["eo_counter_manager"]
    assert "Customer conduct: abusive customers in a public facing area" in hmpo.pack.take_over.section
    with pytest.raises(Refused):
        takeover.live_contacts(hmpo, COUNTER)


def test_the_eo_takes_over_the_counter_contact_waiting_for_them_and_the_event_names_both(hmpo):
    """GIVEN a counter contact at the EO counter manager's step (the member of staff is refused it)
    WHEN the EO, signed in at their own terminal, sees it live and takes it over THEN the event names
    the member of staff and the EO, and the EO's decision is recorded as theirs."""
    contact_id = contacts.start_contact(hmpo, COUNTER, "counter", customer_name="Mr Dan Frost", reference="HMPO-7")
    contacts.take_step(hmpo, COUNTER, contact_id, 2, at_step="what")
    contacts.take_step(hmpo, COUNTER, contact_id, 1, at_step="warn")
    contacts.take_step(hmpo, COUNTER, contact_id, 2, at_step="allow")
    with pytest.raises(contacts.NotYourDecision, match="EO counter manager"):
        contacts.take_step(hmpo, COUNTER, contact_id, 2, at_step="options")

    [live] = takeover.live_contacts(hmpo, EO)
    assert (live.contact.id, live.handler_name, live.step_title) == (
        contact_id, "Priya Shah", "EO counter manager: choose what to do")
    takeover.take_over(hmpo, EO, contact_id, reason="Priya called me to the counter.")
    taken = next(e for e in events.for_stream(hmpo.store.db, f"contact:{contact_id}") if e.kind == "contact.taken_over")
    assert (taken.actor, taken.role) == ("1201", "eo_counter_manager")
    assert {k: taken.payload[k] for k in ("from_number", "from_name", "to_number", "to_name", "to_role", "step")} == {
        "from_number": "1101", "from_name": "Priya Shah", "to_number": "1201", "to_name": "Tom Reyes",
        "to_role": "eo_counter_manager", "step": "options"}
    contacts.take_step(hmpo, EO, contact_id, 2, at_step="options")
    steps = queries.steps(hmpo.store.db, contact_id)
    assert [s.actor for s in steps] == ["1101", "1101", "1101", "1201"]


async def test_the_eo_takes_over_the_counter_contact_key_by_key(hmpo):
    """GIVEN the counter contact waiting at the EO counter manager's step WHEN the EO, signed in at
    their own terminal, presses l, enter, types why, ctrl+s and takes the decision THEN the event names
    both of them and the decision is the EO's."""
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.live_contacts import LiveContactsScreen

    contact_id = contacts.start_contact(hmpo, COUNTER, "counter", customer_name="Mr Dan Frost", reference="HMPO-7")
    for number, step in ((2, "what"), (1, "warn"), (2, "allow")):
        contacts.take_step(hmpo, COUNTER, contact_id, number, at_step=step)
    app = CounterApp(hmpo)
    async with app.run_test(size=(100, 30)) as pilot:
        await signed_in(pilot, EO)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, LiveContactsScreen)
        assert "EO counter manager: choose what to do" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("enter", *"Priya called me", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id
        assert app.screen.current.step.id == "options"
        await pilot.press("2")
        await pilot.pause()
    taken = next(e for e in events.for_stream(hmpo.store.db, f"contact:{contact_id}") if e.kind == "contact.taken_over")
    assert (taken.payload["from_name"], taken.payload["to_name"], taken.payload["reason"]) == (
        "Priya Shah", "Tom Reyes", "Priya called me")
    assert [s.actor for s in queries.steps(hmpo.store.db, contact_id)][-1] == "1201"
