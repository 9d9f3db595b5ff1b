"""The council's training (14): the courses shown as the document lists them, and a training need raised
for the line manager's one to one meeting (14.5).

GIVEN the council's procedure and a member of staff whose line manager is on the register WHEN they
record an incident and tick that they would like to discuss additional training THEN their own line
manager has a training need on their queue, with no clock the document does not set; unticked, nothing.
"""

from __future__ import annotations

import pytest

from counter_tui.models.staff import Actor
from counter_tui.policy.lint import lint
from counter_tui.policy.loader import load_pack, parse_pack
from counter_tui.services import contacts, queue, records, staff
from tests.conftest import make_context
from tests.test_policy_coverage import _pack_text

AMY = Actor(number="4101", name="Amy Shaw", role="staff_member", office="Main office")
LEE = Actor(number="4201", name="Lee Grant", role="line_manager", office="Main office")
COURSES = ["Mental Health Awareness", "Mind Fitness", "Health and Wellbeing", "Hate Crime", "Mental Health"]


@pytest.fixture
def council(tmp_path, clock):
    ctx = make_context(tmp_path / "council.db", clock, policy="council")
    staff.add_staff(ctx, number=LEE.number, name=LEE.name, role=LEE.role, office=LEE.office, pin="482027")
    staff.add_staff(ctx, number=AMY.number, name=AMY.name, role=AMY.role, office=AMY.office, pin="482127",
                    line_manager=LEE.number)
    yield ctx
    ctx.store.close()


def reported_call(ctx, training: str) -> list[str]:
    """A call that calmed down, reported on the low-level form with the training question answered."""
    contact_id = contacts.start_contact(ctx, AMY, "telephone", customer_name="Mr Ray Dunn")
    for wanted in ("Aggressive or abusive", "The situation calmed down", "No: the low-level"):
        view = contacts.view(ctx, contact_id)
        contacts.take_step(ctx, AMY, contact_id, next(n for n, c in view.offered if c.label.startswith(wanted)),
                           at_step=view.step.id)
    guidance = " ".join(contacts.view(ctx, contact_id).step.guidance)
    assert all(course in guidance for course in COURSES)
    contacts.save_note(ctx, AMY, contact_id, "Swore twice, then calmed down.", version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, AMY, contact_id)}
    assert fields["training_need"] == "no"  # unticked until ticked
    return records.finish(ctx, AMY, contact_id, {**fields, "training_need": training}).task_ids


def test_a_training_need_goes_to_their_own_line_manager_with_no_clock(council):
    tasks = [queue.get_task(council, task_id) for task_id in reported_call(council, "yes")]
    [need] = [task for task in tasks if task.spec == "training_need"]
    assert need.assignee == LEE.number and need.due_at is None
    assert "training_need" in [item.task.spec for item in queue.my_queue(council, LEE).items]


def test_no_training_need_raises_nothing(council):
    specs = [queue.get_task(council, task_id).spec for task_id in reported_call(council, "no")]
    assert "training_need" not in specs


def test_the_training_task_lists_the_courses_and_the_bi_annual_training():
    task = load_pack("council").task("training_need")
    text = " ".join(task.instructions)
    assert all(course in text for course in COURSES) and "bi-annual training" in text
    assert task.show_setting == ["training"] and task.due.config == "training_need"


def test_a_question_raising_a_task_the_pack_lacks_fails_the_check():
    text = _pack_text("council").replace('raises_task = "training_need"', 'raises_task = "no_such_task"')
    findings = [f for f in lint(parse_pack(text, "council.toml")) if "no_such_task" in f.message]
    assert findings and findings[0].rule == "P008"
