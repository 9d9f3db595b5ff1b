"""The council's form, whatever branch is taken (13.4): "In all cases of threats of, or actual violence,
including self-harm threats, staff should always complete a Health and Safety Incident form".

GIVEN the council's procedure WHEN a contact reaches the report to the line manager THEN it asks the
question 13.4 turns on; a yes completes the Health and Safety Incident form with the answer ticked, never
the low-level form alone; a no offers the low-level form, the Health and Safety form, or both (6.1).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.loader import load_pack
from counter_tui.services import contacts, queue, records, staff
from tests.conftest import make_context

PACK = load_pack("council")
AMY = Actor(number="4101", name="Amy Shaw", role="staff_member", office="Main office")
LOW_LEVEL, HEALTH_AND_SAFETY = "low_level_incident", "health_and_safety_incident"


def report_steps(flow):
    return [step for step in flow.steps if step.id.startswith("report_")]


def test_every_report_asks_the_question_and_offers_both_forms():
    for flow in PACK.flows:
        steps = report_steps(flow)
        assert steps, flow.id
        for step in steps:
            assert "threats of, or actual violence, or self-harm threats" in step.title
            assert "13.4" in step.section
            labels = [choice.label for choice in step.choices]
            assert any("both forms" in label for label in labels), (flow.id, step.id)


def walk(flow, numbers):
    """A walk through the flow taking the drawn choice at each step; its choices and final step."""
    state = engine.start(PACK, flow.id)
    taken = []
    for pick in numbers:
        step = engine.current_step(PACK, state)
        if step.is_final:
            break
        offered = engine.offered(step, engine.Facts())
        number, choice = offered[pick % len(offered)]
        taken.append((step, choice))
        state = engine.choose(PACK, state, number, engine.Facts()).after
    return taken, engine.current_step(PACK, state)


@given(flow=st.sampled_from(PACK.flows), numbers=st.lists(st.integers(min_value=0, max_value=20), max_size=25))
def test_a_threat_never_ends_on_the_low_level_form_alone(flow, numbers):
    taken, last = walk(flow, numbers)
    if not last.is_final:
        return
    said_yes = [choice for _, choice in taken if choice.records.get("threats") == "yes"
                or choice.records.get("self_harm") == "yes"]
    through_threat = any(step.id.startswith("threat") for step, _ in taken)
    if said_yes or through_threat:
        assert last.form == HEALTH_AND_SAFETY, (flow.id, last.id)
    if last.form == LOW_LEVEL:  # only after the question was answered no
        answers = [choice.label for step, choice in taken if step.id.startswith("report_")]
        assert answers and answers[-1].startswith("No:"), (flow.id, [s.id for s, _ in taken])


def finished_call(tmp_path, clock, answer: str):
    """A call: aggressive, diffusing failed, asked to modify, did not, ended politely; then `answer` at the
    report's question and no Police report. Returns the context and the contact's id."""
    ctx = make_context(tmp_path / "council.db", clock, policy="council")
    staff.add_staff(ctx, number=AMY.number, name=AMY.name, role=AMY.role, office=AMY.office, pin="482027")
    contact_id = contacts.start_contact(ctx, AMY, "telephone", customer_name="Mr Ray Dunn")
    for wanted in ("Aggressive or abusive", "Attempts to diffuse", "They failed to modify", "Explained", answer, "No"):
        view = contacts.view(ctx, contact_id)
        if view.step.is_final:
            break
        number = next(n for n, c in view.offered if c.label.startswith(wanted))
        contacts.take_step(ctx, AMY, contact_id, number, at_step=view.step.id)
    contacts.save_note(ctx, AMY, contact_id, "He said he would wait for me outside.", version=0)
    return ctx, contact_id


def finish(ctx, contact_id):
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, AMY, contact_id)}
    return fields, records.finish(ctx, AMY, contact_id, fields)


def test_a_threat_completes_the_health_and_safety_form_with_the_answer_ticked(tmp_path, clock):
    ctx, contact_id = finished_call(tmp_path, clock, "Yes: threats of, or actual violence")
    assert contacts.view(ctx, contact_id).step.form == HEALTH_AND_SAFETY
    fields, done = finish(ctx, contact_id)
    assert (fields["threats"], fields["self_harm"], fields["low_level_too"]) == ("yes", "no", "no")
    specs = sorted(queue.get_task(ctx, task_id).spec for task_id in done.task_ids)
    assert specs == ["determination_decision", "health_and_safety_report", "report_to_line_manager"]


def test_self_harm_threats_are_ticked_as_such(tmp_path, clock):
    ctx, contact_id = finished_call(tmp_path, clock, "Yes: self-harm threats")
    fields, _ = finish(ctx, contact_id)
    assert (fields["threats"], fields["self_harm"]) == ("no", "yes")


def test_no_threats_may_complete_both_forms_as_one_record(tmp_path, clock):
    ctx, contact_id = finished_call(tmp_path, clock, "No: both forms")
    fields, done = finish(ctx, contact_id)
    assert fields["low_level_too"] == "yes" and fields["threats"] == "no"
    assert "health_and_safety_report" in {queue.get_task(ctx, t).spec for t in done.task_ids}


def test_no_threats_may_complete_the_low_level_form_alone(tmp_path, clock):
    ctx, contact_id = finished_call(tmp_path, clock, "No: the low-level")
    assert contacts.view(ctx, contact_id).step.form == LOW_LEVEL
    _, done = finish(ctx, contact_id)
    assert "health_and_safety_report" not in {queue.get_task(ctx, t).spec for t in done.task_ids}
