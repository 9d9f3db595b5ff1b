"""Every channel's paths, pressed as staff would press them, then checked in the database.

GIVEN the HMPO pack with staff for each channel, WHEN they take an interview, a counter incident or
a piece of abusive post to each outcome (or press 0 for immediate risk), THEN the steps, the record
and the hand-off tasks are exactly what the guidance lays down, and options an office lacks are
never offered.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from counter_tui.app import CounterApp
from counter_tui.config import Settings
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.screens.summary import SummaryScreen
from counter_tui.services import contacts, records, staff
from counter_tui.services.context import Context
from counter_tui.services.demo import HMPO_LOGINS
from counter_tui.store import queries
from tests.conftest import CALL_HANDLER, LINE_MANAGER

SIZE = (100, 34)
FLOWS = {"telephone": "1", "face_to_face": "2", "video": "3", "written": "4", "counter": "5"}
STAFF = {
    "interview_officer": ("3001", "345627"),
    "counter_staff": ("3002", "357927"),
    "caseworker": ("5001", "567827"),
    "call_handler": ("1001", "123427"),
    **{login.role: (login.number, login.pin) for login in HMPO_LOGINS if login.role == "eo_counter_manager"},
}


def channel_context(path, clock, facilities=()) -> Context:
    ctx = Context.open(path, Settings(office_facilities={"Main office": list(facilities)}), clock=clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    for role, (number, pin) in STAFF.items():
        if role != "call_handler":
            staff.add_staff(ctx, number=number, name=f"Test {role}", role=role, office="Main office", pin=pin)
    return ctx


def two_interview_warnings(ctx) -> None:
    """Ms Kovac (PEX 5521 0047), warned and calmed in two earlier face-to-face interviews."""
    officer = staff.sign_in(ctx, "3001", "345627")
    for _ in range(2):
        earlier = contacts.start_contact(ctx, officer, "face_to_face", customer_name="Ms Dana Kovac", reference="PEX 5521 0047")
        for step in ("warn", "allow", "can_continue"):  # warned, improved, carried on
            contacts.take_step(ctx, officer, earlier, 1, at_step=step)
        records.finish(ctx, officer, earlier, {})


async def switch_to(pilot, role: str) -> None:
    """Hand the terminal to a colleague (f2): the EO counter manager decides at the counter."""
    number, pin = STAFF[role]
    await pilot.press("f2")
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.pause()


async def start(pilot, app, flow: str) -> str:
    role = app.ctx.pack.flow(flow).role
    number, pin = STAFF[role]
    await pilot.press(*number, "enter", *pin, "enter")
    await pilot.press(FLOWS[flow], "enter")  # the customer not known yet
    assert isinstance(app.screen, ContactScreen)
    return app.screen.contact_id


def shown(app) -> list[str]:
    """The labels of the choices on screen, in the order of their keys."""
    return [choice.label for _, choice in app.screen.current.offered]


async def complete(pilot, app, **values: str) -> None:
    """Fill the record's empty fields (or those named), save it, and land on the summary."""
    assert isinstance(app.screen, RecordScreen), type(app.screen).__name__
    for field_id, _, text, required in app.screen._fields:
        widget = app.screen.query_one(f"#field-{field_id}")
        value = values.get(field_id, text or ("Recorded in the test" if required else ""))
        if hasattr(widget, "choices"):  # a pick list (optional in the packs): left as it is
            continue
        if isinstance(widget, TextArea):
            widget.load_text(value)
        else:
            widget.value = value
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, SummaryScreen), "the record was refused"


def task_specs(ctx, contact_id) -> list[str]:
    rows = ctx.store.db.execute("SELECT spec FROM tasks WHERE contact_id = ? ORDER BY id", [contact_id]).fetchall()
    return [r[0] for r in rows]


def steps_taken(ctx, contact_id) -> list[str]:
    return [s.step for s in queries.steps(ctx.store.db, contact_id)]


async def test_interview_that_improves_and_continues(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start(pilot, app, "face_to_face")
        await pilot.press("1", "1", "1")
        await pilot.pause()
        assert isinstance(app.screen, (RecordScreen, SummaryScreen))
        if isinstance(app.screen, RecordScreen):
            await complete(pilot, app)
    assert queries.contact(ctx.store.db, contact_id).outcome == "improved"
    assert steps_taken(ctx, contact_id) == ["warn", "allow", "can_continue"]
    assert task_specs(ctx, contact_id) == ["staff_threatened"]  # they dealt with an abusive customer: welfare
    assert queries.contact(ctx.store.db, contact_id).incident_id is None


async def test_interview_that_does_not_improve_hands_the_letter_to_the_heo_on_the_day(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start(pilot, app, "face_to_face")
        await pilot.press("1", "2", "1")
        await pilot.pause()
        await complete(pilot, app, who="Mr Colin Hart", why_ended="Banged the desk after the warning")
    contact = queries.contact(ctx.store.db, contact_id)
    assert contact.outcome == "ended"
    assert task_specs(ctx, contact_id) == ["interview_warning_letter", "staff_threatened", "incident_report"]
    letter = queries.queue(ctx.store.db, queries.TaskFilter(role="heo_counter_manager", office="Main office"))[0]
    due_local = letter.due_at.astimezone(ctx.settings.zone)
    assert (due_local.hour, due_local.minute) == (23, 59) and due_local.date() == contact.ended_at.astimezone(ctx.settings.zone).date()


async def test_third_interview_after_two_warnings_is_an_admin_refusal(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    two_interview_warnings(ctx)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start(pilot, app, "face_to_face")
        assert not any("warned twice" in label for label in shown(app)), "not before two earlier warnings"
        app.screen.query_one("#reference", Input).value = "pex55210047"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.current.facts.earlier_warnings == 2
        history = str(app.screen.query_one("#history").render())
        assert history.startswith("Earlier contacts: 2") and "1 warning" in history
        labels = shown(app)
        key = str(next(i for i, label in enumerate(labels, 1) if "warned twice" in label))
        await pilot.press(key)
        await pilot.pause()
        await complete(pilot, app)
    assert steps_taken(ctx, contact_id) == ["warn"]
    assert task_specs(ctx, contact_id) == ["admin_refusal", "staff_threatened", "incident_report"]
    assert queries.queue(ctx.store.db, queries.TaskFilter(role="examiner", office="Main office"))[0].spec == "admin_refusal"


async def test_refusal_because_of_a_protected_characteristic_goes_to_the_eo(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start(pilot, app, "counter")
        await pilot.press("1", "7", "2")  # refused for my religion or belief; I ask for someone else to serve them
        await pilot.pause()
        assert app.screen.current.step.id == "refer_eo"
        guidance = " ".join(app.screen.current.step.guidance)
        assert "not allow the customer to be served by someone else" in guidance
        await switch_to(pilot, "eo_counter_manager")  # serving them by someone else is the EO's decision
        await pilot.press("1")
        await pilot.pause()
        await complete(pilot, app)
    assert steps_taken(ctx, contact_id) == ["what", "characteristic", "staff_asks", "refer_eo"]


@pytest.mark.parametrize(
    ("facilities", "removal", "absent"),
    [
        (["security_guards"], "security guards", "police"),
        ([], "police", "security guards"),
    ],
    ids=["with-guards", "without-guards"],
)
async def test_removal_uses_guards_only_where_the_office_has_them(tmp_path, clock, facilities, removal, absent):
    ctx = channel_context(tmp_path / "c.db", clock, facilities)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start(pilot, app, "counter")
        await pilot.press("2", "1", "2")  # abusive -> warned -> did not improve
        await pilot.pause()
        await switch_to(pilot, "eo_counter_manager")  # what happens now is the EO counter manager's
        options = shown(app)
        assert not any("post box" in o for o in options), "an office without a post box never offers it"
        await pilot.press(str(next(i for i, o in enumerate(options, 1) if o.startswith("Remove"))))
        await pilot.pause()
        labels = shown(app)
        assert any(removal in label for label in labels) and not any(absent in label for label in labels)
        await pilot.press(str(next(i for i, label in enumerate(labels, 1) if removal in label)))
        await pilot.press("1")  # bar them from this CSO
        await pilot.pause()
        await complete(pilot, app)
    stored = queries.steps(ctx.store.db, contact_id)
    assert removal in stored[-2].label
    assert task_specs(ctx, contact_id) == ["cso_barring_letter", "staff_threatened", "incident_report"]


async def test_post_box_is_offered_where_the_office_has_one(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock, ["post_box"])
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app, "counter")
        await pilot.press("2", "1", "2")
        await pilot.pause()
        assert "post box" in shown(app)[0]


async def test_written_abuse_warning_letter_then_barring_letter(tmp_path, clock):
    from tests.letters_helpers import BEA, GRACE
    from tests.written_helpers import agree, send, tell_heo

    ctx = channel_context(tmp_path / "c.db", clock)
    for actor in (BEA, GRACE):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin="567827")
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        first = await start(pilot, app, "written")
        app.screen.query_one("#reference", Input).value = "PEX 7000 0001"
        await pilot.press("escape", "1", "3")  # a letter; intimidating or abusive language
        await pilot.pause()
        assert [label for label in shown(app)] == [app.ctx.pack.flow("written").step("tell_line_manager").choices[0].label]
        await pilot.press("1")
        await pilot.pause()
        await complete(pilot, app)
        # The line manager tells the HEO; the SEO agrees to the warning letter and it is sent.
        finished = records.Finished(first, queries.contact(ctx.store.db, first).incident_id, task_ids(ctx, first))
        send(ctx, agree(ctx, tell_heo(ctx, finished)))
        await pilot.press("enter")
        await pilot.press(FLOWS["written"])
        # The second letter starts by finding the same customer by reference, typed as it comes.
        reference = app.screen.query_one("#find-reference", Input)
        reference.focus()
        reference.value = "pex70000001"
        await pilot.press("enter")
        second = app.screen.contact_id
        assert queries.contact(ctx.store.db, second).customer_id == queries.contact(ctx.store.db, first).customer_id
        await pilot.press("2", "3")  # an e-mail, the same language again
        await pilot.pause()
        labels = shown(app)
        assert len(labels) == 1 and "continue to be abusive" in labels[0]
        await pilot.press("1")
        await pilot.pause()
        await complete(pilot, app)
    assert "line_manager_written" in task_specs(ctx, first)
    assert "line_manager_written" in task_specs(ctx, second)


def task_ids(ctx, contact_id: str) -> list[str]:
    return [row[0] for row in ctx.store.db.execute("SELECT id FROM tasks WHERE contact_id = ? ORDER BY id", [contact_id])]


@pytest.mark.parametrize(
    ("flow", "keys"),
    [
        ("telephone", []), ("telephone", ["1"]), ("face_to_face", []), ("face_to_face", ["1", "1"]),
        ("video", ["1"]), ("written", ["1", "1"]), ("counter", []), ("counter", ["2", "1", "2"]),
    ],
)
async def test_immediate_risk_is_one_key_at_any_step(tmp_path, clock, flow, keys):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start(pilot, app, flow)
        await pilot.press(*keys)
        await pilot.press("0")
        await pilot.pause()
        await complete(pilot, app)
    contact = queries.contact(ctx.store.db, contact_id)
    assert contact.immediate_risk and contact.outcome == "ended"
    assert steps_taken(ctx, contact_id)[-1] != "immediate_risk"
    assert queries.steps(ctx.store.db, contact_id)[-1].number == 0
    assert {"staff_threatened", "incident_report"} <= set(task_specs(ctx, contact_id))
    if flow != "written":  # the line manager refers it to the SEO from the incident report form, if both apply
        assert "serious_incident" not in task_specs(ctx, contact_id)
