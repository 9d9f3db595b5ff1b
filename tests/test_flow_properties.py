"""Properties of every flow of every shipped pack, run through the services on a real database.

GIVEN a fresh database and any flow of any shipped pack, WHEN staff take random valid choices until the
flow finishes and complete the record, THEN: an ended contact was warned as the flow requires or
ended through a branch the document allows, never for a behaviour that may not be ended; the stored
steps are in order with ordered times; the hash chain holds; and the hand-offs are exactly the final
step's tasks. A state machine then interleaves several contacts, notes and stale key presses.
"""

from __future__ import annotations

import shutil
import unicodedata
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import CALL_HANDLER, LINE_MANAGER, START, make_context
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from counter_tui.clock import FixedClock
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.loader import load_pack, shipped_pack_ids
from counter_tui.policy.schema import Outcome
from counter_tui.services import contacts, records
from counter_tui.services.context import Context
from counter_tui.services.errors import Refused
from counter_tui.store import events, queries

FLOWS = [(pack_id, flow.id) for pack_id in shipped_pack_ids() for flow in load_pack(pack_id).flows]
MAX_STEPS = 40
"""No shipped flow needs this many steps; a random walk round a loop longer than this is discarded."""


def actor_for(role: str) -> Actor:
    """The standard member of staff holding `role` (a made-up one for roles the fixtures lack)."""
    for member in (CALL_HANDLER, LINE_MANAGER):
        if member["role"] == role:
            return Actor(number=member["number"], name=member["name"], role=role, office=member["office"])
    return Actor(number="9001", name="Other Staff", role=role, office="Main office")


def deciding(actor: Actor, step, choice) -> Actor:
    """Whoever takes `choice`: the actor, unless the pack gives it to another role (`decided_by`)."""
    deciders = engine.deciders(step, choice)
    return actor if not deciders or actor.role in deciders else actor_for(deciders[0])


def fill(ctx: Context, actor: Actor, contact_id: str) -> dict[str, str]:
    """The drafted record with every required field that is still empty filled in (a date and time
    field with tomorrow's, as staff type it)."""
    form = records.form_for(ctx, contacts.view(ctx, contact_id))
    when = {f.id for f in form.fields if f.when} if form else set()
    days = {f.id for f in form.fields if f.day} if form else set()
    later = (ctx.clock.now() + timedelta(days=1)).astimezone(ctx.settings.zone).strftime("%Y-%m-%d %H:%M")
    today = ctx.clock.now().astimezone(ctx.settings.zone).strftime("%Y-%m-%d")
    return {
        field_id: later if field_id in when else text if text or not required
        else today if field_id in days else f"Typed by staff: {label}"
        for field_id, label, text, required in records.draft_record(ctx, actor, contact_id)
    }


def check_finished(ctx: Context, contact_id: str, chosen: list, finished: records.Finished) -> None:
    """The four properties of a finished contact (a)-(d)."""
    db = ctx.store.db
    current = contacts.view(ctx, contact_id)
    flow, final, pack = current.flow, current.step, ctx.pack
    stored = queries.steps(db, contact_id)
    assert current.contact.status == "finished"
    assert current.contact.outcome == final.outcome.value

    # (a) an ended contact was warned enough or ended through an allowed branch, never for a behaviour
    # that may not end a contact.
    if final.outcome is Outcome.ended:
        warned = sum(1 for s in stored if flow.step(s.step).warning)
        assert warned >= flow.warnings_before_end or any(c.allowed_by for c in chosen), (
            [s.step for s in stored], flow.warnings_before_end)
        behaviours = [c.behaviour for c in chosen if c.behaviour]
        if behaviours:
            assert pack.behaviour(behaviours[-1]).may_end_contact
        assert current.state.behaviour is None or pack.behaviour(current.state.behaviour).may_end_contact
        assert finished.incident_id is not None or final.no_incident

    # (b) the steps are stored in position order 1..n, with times that never go backwards, and are
    # exactly the choices taken.
    assert [s.position for s in stored] == list(range(1, len(chosen) + 1))
    # (A step naming whom to call now records with its choice who that was: "... (Jo Lindqvist, staff number 2001)".)
    assert len(stored) == len(chosen)
    assert all(s.label == c.label or s.label.startswith(f"{c.label} (") for s, c in zip(stored, chosen, strict=True))
    times = [current.contact.started_at, *(s.at for s in stored), current.contact.ended_at]
    assert times == sorted(times)

    # (c) the hash chain holds.
    checked, broken = events.verify(db)
    assert broken is None and checked == events.count(db)

    # (d) the hand-offs created are the final step's tasks, for their roles, and every new incident
    # also gets its incident report form (it stays on the queue until the form is complete).
    rows = db.execute("SELECT id, spec, role FROM tasks WHERE contact_id = ? ORDER BY id", [contact_id]).fetchall()
    expected = expected_tasks(pack, final, finished, current)
    assert [r[1] for r in rows] == expected
    assert [r[0] for r in rows] == finished.task_ids
    assert [r[2] for r in rows] == [pack.task(t).role for t in expected]


def expected_tasks(pack, final, finished, current) -> list[str]:
    """The final step's hand-offs, plus for an incident this contact opened the welfare check (once)
    and the incident report form."""
    report = pack.incident_report
    if not (report and finished.incident_id and not current.contact.task_id):
        return list(final.tasks)
    return [*final.tasks, *(t for t in (report.welfare_task, report.task) if t and t not in final.tasks)]


PER_FLOW = settings(settings.default, max_examples=max(10, settings.default.max_examples // 2))
"""Half the profile's examples per flow (15 on CI, 1,000 with `HYPOTHESIS_PROFILE=deep`): each
example opens a fresh database, and with five packs there are seventeen flows."""


@pytest.mark.parametrize(("pack_id", "flow_id"), FLOWS)
@PER_FLOW
@given(data=st.data())
def test_every_path_through_every_flow(tmp_path_factory, pack_id, flow_id, data):
    """GIVEN a fresh database WHEN random valid choices are taken through the flow and the record completed THEN properties (a)-(d) hold."""
    ctx = make_context(tmp_path_factory.mktemp(f"{pack_id}-{flow_id}") / "counter.db",
                       FixedClock(START, tick=timedelta(seconds=1)), policy=pack_id)
    try:
        flow = ctx.pack.flow(flow_id)
        facilities = data.draw(st.lists(st.sampled_from(["post_box", "security_guards"]), unique=True), label="office has")
        ctx.settings = ctx.settings.model_copy(update={"office_facilities": {"Main office": facilities}})
        actor = actor_for(flow.role)
        contact_id = contacts.start_contact(ctx, actor, flow_id, customer_name="Pat Customer", reference="AB123",
                                            query="Where is my application?")
        current = contacts.view(ctx, contact_id)
        chosen = []
        for _ in range(MAX_STEPS):
            if current.step.is_final:
                break
            step = current.step
            number, choice = draw_choice(data, current)
            chosen.append(choice)
            current = contacts.take_step(ctx, deciding(actor, step, choice), contact_id, number, at_step=step.id)
        assume(current.step.is_final)
        finished = records.finish(ctx, actor, contact_id, fill(ctx, actor, contact_id))
        check_finished(ctx, contact_id, chosen, finished)
    finally:
        ctx.store.close()


def draw_choice(data, current) -> tuple[int, object]:
    """One of the choices on screen, or the immediate-risk key, as (the pack's number, choice)."""
    options = list(current.offered)
    if current.immediate_risk is not None:
        options.append((engine.IMMEDIATE_RISK, current.immediate_risk))
    return data.draw(st.sampled_from(options), label=f"choice at {current.step.id}")


class Contacts(RuleBasedStateMachine):
    """Several contacts of one pack on one database, interleaved the way a busy office would."""

    def __init__(self, pack_id: str) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="counter-sm-"))
        self.ctx = make_context(self.folder / "counter.db", FixedClock(START, tick=timedelta(seconds=1)), policy=pack_id)
        self.flows = [f.id for f in self.ctx.pack.flows]
        self.open: dict[str, list] = {}
        """Open contact id -> the choices taken so far (the model)."""
        self.notes: dict[str, tuple[str, int]] = {}
        self.finished: list[str] = []
        self.expected_tasks = 0

    def teardown(self) -> None:
        self.ctx.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _actor(self, contact_id: str) -> Actor:
        return actor_for(self.ctx.pack.flow(contacts.view(self.ctx, contact_id).contact.flow).role)

    @rule(data=st.data())
    def start(self, data):
        flow_id = data.draw(st.sampled_from(self.flows), label="flow")
        contact_id = contacts.start_contact(self.ctx, actor_for(self.ctx.pack.flow(flow_id).role), flow_id)
        self.open[contact_id] = []
        self.notes[contact_id] = ("", 0)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def take(self, data):
        contact_id = data.draw(st.sampled_from(sorted(self.open)), label="contact")
        current = contacts.view(self.ctx, contact_id)
        if current.step.is_final:
            return
        number, choice = draw_choice(data, current)
        after = contacts.take_step(self.ctx, deciding(self._actor(contact_id), current.step, choice), contact_id, number,
                                   at_step=current.step.id)
        self.open[contact_id].append(choice)
        assert after.state.choices[-1] == number

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def stale_press(self, data):
        """A second press meant for a step the contact has already left is refused and stores nothing."""
        contact_id = data.draw(st.sampled_from(sorted(self.open)), label="contact")
        current = contacts.view(self.ctx, contact_id)
        if not current.taken:
            return
        before = events.count(self.ctx.store.db)
        with pytest.raises(Refused):
            contacts.take_step(self.ctx, self._actor(contact_id), contact_id, 1, at_step=current.taken[-1].step
                               if current.taken[-1].step != current.step.id else "no-such-step")
        assert events.count(self.ctx.store.db) == before

    @precondition(lambda self: self.open)
    @rule(data=st.data(), text=st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]), max_size=40))
    def note(self, data, text):
        contact_id = data.draw(st.sampled_from(sorted(self.open)), label="contact")
        _, version = self.notes[contact_id]
        new_version = contacts.save_note(self.ctx, self._actor(contact_id), contact_id, text, version=version)
        assert new_version in (version, version + 1)
        self.notes[contact_id] = (unicodedata.normalize("NFC", text).strip(), new_version)

    @precondition(lambda self: self.open)
    @rule(data=st.data())
    def finish(self, data):
        contact_id = data.draw(st.sampled_from(sorted(self.open)), label="contact")
        current = contacts.view(self.ctx, contact_id)
        actor = self._actor(contact_id)
        if not current.step.is_final:
            with pytest.raises(Refused):
                records.finish(self.ctx, actor, contact_id, {})
            return
        finished = records.finish(self.ctx, actor, contact_id, fill(self.ctx, actor, contact_id))
        check_finished(self.ctx, contact_id, self.open.pop(contact_id), finished)
        self.finished.append(contact_id)
        with pytest.raises(Refused, match="already finished"):
            records.finish(self.ctx, actor, contact_id, fill(self.ctx, actor, contact_id))
        self.expected_tasks += len(expected_tasks(self.ctx.pack, current.step, finished, current))

    @invariant()
    def model_matches_store(self):
        db = self.ctx.store.db
        for contact_id, chosen in self.open.items():
            current = contacts.view(self.ctx, contact_id)
            assert current.contact.status == "open"
            assert len(current.taken) == len(chosen)  # a referral's label names whom, after the choice's
            assert all(s.label == c.label or s.label.startswith(f"{c.label} (")
                       for s, c in zip(current.taken, chosen, strict=True))
            assert [s.position for s in current.taken] == list(range(1, len(chosen) + 1))
            assert (current.contact.note, current.contact.note_version) == self.notes[contact_id]
        assert db.execute("SELECT count(*) FROM tasks").fetchone()[0] == self.expected_tasks
        assert events.verify(db)[1] is None


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_interleaved_contacts(pack_id):
    """GIVEN one database WHEN contacts of every flow are started, stepped, noted, pressed twice and finished in any order THEN the store always matches the model and the chain holds."""
    run_state_machine_as_test(lambda: Contacts(pack_id), settings=PER_FLOW)
