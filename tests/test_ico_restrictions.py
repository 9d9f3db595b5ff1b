"""ICO restricted contact and reasonable adjustments (7.2, 12), through the services.

GIVEN a persistent caller, WHEN the member of staff refers them to their line manager, THEN the line
manager's consideration is on the queue; the line manager asks a Head of Department, who restricts
the customer's contact with written terms (the restricted contact record, 12.3); the next call from
that customer shows the restriction and its terms before the first step. Only a Head of Department
decides, and never the line manager who asked.
"""

from __future__ import annotations

import pytest

from counter_tui.models.staff import Actor
from counter_tui.services import contacts, measure_record, measures, queue, records, staff
from counter_tui.services.errors import FieldErrors, Refused
from tests.conftest import LINE_MANAGER, make_context

HANDLER = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
MANAGER = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
HEAD = Actor(number="8001", name="Morgan Reid", role="head_of_department", office="Main office")


@pytest.fixture
def ico(tmp_path, clock):
    ctx = make_context(tmp_path / "ico.db", clock, policy="ico")
    staff.add_staff(ctx, number=HEAD.number, name=HEAD.name, role=HEAD.role, office=HEAD.office, pin="812327")
    yield ctx
    ctx.store.close()


def persistent_call(ctx) -> str:
    contact_id = contacts.start_contact(ctx, HANDLER, "telephone", customer_name="Mr Ian Cole", reference="RFA0012345",
                                        query="The same complaint again")
    contacts.take_step(ctx, HANDLER, contact_id, 2, at_step="behaviour")
    assert contacts.view(ctx, contact_id).step.id == "persistent"
    records.finish(ctx, HANDLER, contact_id, {})
    return contact_id


def test_a_persistent_caller_is_referred_to_the_line_managers_consideration(ico):
    """GIVEN a persistent call WHEN referred THEN the line manager's consideration (7.2) is on their queue."""
    persistent_call(ico)
    kinds = [i.task.spec for i in queue.my_queue(ico, MANAGER).items]
    assert kinds == ["consider_persistent"]
    assert MANAGER.role == LINE_MANAGER["role"]


def test_the_head_of_department_restricts_and_the_next_call_shows_the_terms(ico):
    """GIVEN the line manager's request WHEN the Head of Department restricts contact with terms THEN
    the next call shows the restriction and its terms before the first step; the line manager cannot decide."""
    contact_id = persistent_call(ico)
    customer_id = contacts.view(ico, contact_id).contact.customer_id
    task_id = measures.propose(ico, MANAGER, customer_id, "Has called 14 times this month about a closed case.")
    with pytest.raises(Refused):
        measures.decide(ico, MANAGER, task_id, measures=[{"spec": "restricted_contact", "reason": "x"}])
    with pytest.raises(FieldErrors) as caught:
        measures.decide(ico, HEAD, task_id, measures=[{"spec": "restricted_contact", "reason": "Calls only on Tuesdays.",
                                                       "review_on": "next spring"}])
    assert "restricted_contact.review_on" in caught.value.errors, "a review date given is checked"
    terms = "Calls taken only on Tuesdays 10:00-12:00, by the case officer; other calls politely closed."
    measures.decide(ico, HEAD, task_id, measures=[
        {"spec": "restricted_contact", "reason": terms, "review_on": "2027-05-25"},
        {"spec": "reasonable_adjustments", "reason": "Speak slowly; confirm everything in writing."},
    ])
    shown = measure_record.on_record(ico, customer_id, "telephone")
    assert [(m.spec.id, m.measure.reason, m.refused_here) for m in shown] == [
        ("restricted_contact", terms, False), ("reasonable_adjustments", "Speak slowly; confirm everything in writing.", False)]
    assert all(m.spec.show_terms and m.effect.section == "12.3" for m in shown)
    assert shown[1].measure.review_on is None, "an adjustment is not reviewed (12 asks for no review)"


def test_only_a_line_manager_may_ask_for_a_restriction(ico):
    """GIVEN a customer WHEN the member of staff who took the call asks for a restriction THEN it is refused (7.2: the line manager considers)."""
    contact_id = persistent_call(ico)
    customer_id = contacts.view(ico, contact_id).contact.customer_id
    with pytest.raises(Refused):
        measures.propose(ico, HANDLER, customer_id, "They keep calling.")


def test_a_restriction_needs_no_review_date_and_then_puts_no_review_on_the_queue(ico, clock):
    """GIVEN a request WHEN the Head of Department restricts contact without a review date THEN it is
    accepted (12 sets no review period: none is invented) and no review task ever reaches the queue."""
    from datetime import timedelta

    from counter_tui.services import measure_review

    contact_id = persistent_call(ico)
    customer_id = contacts.view(ico, contact_id).contact.customer_id
    task_id = measures.propose(ico, MANAGER, customer_id, "Has called 14 times this month about a closed case.")
    [measure_id] = measures.decide(ico, HEAD, task_id, measures=[{"spec": "restricted_contact", "reason": "Tuesdays only."}])
    assert measure_record.on_record(ico, customer_id, "telephone")[0].measure.review_on is None
    clock.advance(timedelta(days=800))
    assert measure_review.queue_due(ico) == 0
    assert not [i for i in queue.my_queue(ico, HEAD).items if i.task.spec == "review_restriction"], measure_id
