"""The SEO may disagree, and the HEO may decide not to bar from a CSC (issue 18 item 8).

"When you receive the reply from your SEO, and they have agreed to ...": the SEO may also not agree.
"Not agreed" is final: the sign-off task closes with the SEO's reason, nothing of what follows a
sign-off happens, and the letter's record says so. Only the SEO may decide it, with a reason.
"How to bar a customer from a CSC": the HEO counter manager "may consider writing to the customer":
their decision comes first; "Do not bar them" needs a reason and closes the task with no letter.
"""

from __future__ import annotations

import pytest

from counter_tui.services import letter_decision, letter_record, letter_sign_off, letters, queue
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import letters as letter_store
from counter_tui.store import queries
from tests.letters_helpers import ADE, GRACE, OWEN, counter_bar, ended_interview, letter_context


def _submitted(ctx):
    task_id = ended_interview(ctx)
    draft = letters.view(ctx, ADE, task_id)
    letters.submit(ctx, ADE, draft.letter.id, draft.values, version=draft.letter.version)
    return letter_store.letter(ctx.store.db, draft.letter.id)


def _refusals(ctx, number):
    return [r[0] for r in ctx.store.db.execute(
        "SELECT payload FROM events WHERE kind = 'access.refused' AND actor = ?", [number])]


def test_not_agreed_closes_the_sign_off_with_the_reason_and_sets_nothing_going(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    letter = _submitted(ctx)
    before = {t.id for t in letter_store.tasks_for_letter(ctx.store.db, letter.id)}
    closed = letter_sign_off.not_agreed(ctx, GRACE, letter.id, "A warning is not justified here.", version=letter.version)
    assert closed.status == "not_agreed" and closed.closed_reason == "A warning is not justified here."
    assert closed.closed_by == GRACE.number and closed.actions == []
    tasks = letter_store.tasks_for_letter(ctx.store.db, letter.id)
    assert {t.id for t in tasks} == before  # no scan, send, notice or redraft
    assert all(t.status == "done" for t in tasks)
    assert ctx.store.db.execute("SELECT count(*) FROM outbox WHERE letter_id = ?", [letter.id]).fetchone()[0] == 0
    incident = queries.incident(ctx.store.db, letter.incident_id)
    assert incident.recorded_at is None  # "Record the incident" follows an agreement only
    assert any("not agreed (A warning is not justified here.)" in line
               for line in letter_record.incident_letters(ctx, letter.incident_id))
    with pytest.raises(Refused):
        letter_sign_off.approve(ctx, GRACE, letter.id, version=closed.version)


def test_not_agreed_needs_a_reason(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    letter = _submitted(ctx)
    with pytest.raises(FieldErrors) as error:
        letter_sign_off.not_agreed(ctx, GRACE, letter.id, "   ", version=letter.version)
    assert "reason" in error.value.errors
    assert letter_store.letter(ctx.store.db, letter.id).status == "submitted"


@pytest.mark.parametrize("who", [ADE, OWEN])
def test_not_agreed_is_refused_to_anyone_but_the_seo_and_the_refusal_recorded(tmp_path, clock, who):
    ctx = letter_context(tmp_path / "c.db", clock)
    letter = _submitted(ctx)
    with pytest.raises(Refused):
        letter_sign_off.not_agreed(ctx, who, letter.id, "No.", version=letter.version)
    assert letter_store.letter(ctx.store.db, letter.id).status == "submitted"
    assert any("not agree to this letter" in payload for payload in _refusals(ctx, who.number))


def _csc_letter(ctx):
    task_id = counter_bar(ctx, "Bar them from attending all passport offices", OWEN)
    return task_id, letter_store.letter(ctx.store.db, queue.get_task(ctx, task_id).letter_id)


def test_the_csc_bar_waits_for_the_heos_decision_before_any_drafting(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    task_id, letter = _csc_letter(ctx)
    assert letter.status == "deciding" and letters.view(ctx, ADE, task_id).mode == "decide"
    with pytest.raises(Refused):
        letters.save_draft(ctx, ADE, letter.id, {"subject": "x", "body": "y", "application_office": letter.office},
                           version=letter.version)


def test_do_not_bar_needs_a_reason_and_closes_the_task_with_no_letter(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    task_id, letter = _csc_letter(ctx)
    with pytest.raises(FieldErrors) as error:
        letter_decision.decide(ctx, ADE, letter.id, write_it=False, reason="")
    assert "reason" in error.value.errors
    assert letter_store.letter(ctx.store.db, letter.id).status == "deciding"
    closed = letter_decision.decide(ctx, ADE, letter.id, write_it=False, reason="He apologised in writing the next day.")
    assert closed.status == "declined" and closed.closed_reason == "He apologised in writing the next day."
    assert queue.get_task(ctx, task_id).status == "done"
    assert [t.spec for t in letter_store.tasks_for_letter(ctx.store.db, letter.id)] == ["csc_barring_letter"]
    kinds = [r[0] for r in ctx.store.db.execute("SELECT kind FROM events WHERE stream = ?", [f"letter:{letter.id}"])]
    assert kinds == ["letter.opened", "letter.decided"]


def test_bar_them_opens_the_letter_for_drafting(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    task_id, letter = _csc_letter(ctx)
    decided = letter_decision.decide(ctx, ADE, letter.id, write_it=True)
    assert decided.status == "drafting" and letters.view(ctx, ADE, task_id).mode == "draft"
    assert queue.get_task(ctx, task_id).status == "open"


def test_the_decision_is_refused_to_another_role_and_recorded(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    _, letter = _csc_letter(ctx)
    with pytest.raises(Refused):
        letter_decision.decide(ctx, GRACE, letter.id, write_it=False, reason="Not needed.")
    assert letter_store.letter(ctx.store.db, letter.id).status == "deciding"
    assert _refusals(ctx, GRACE.number)


def test_the_cso_bar_needs_no_decision(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock)
    task_id = counter_bar(ctx, "Bar them from this Customer Service Office", OWEN)
    assert letter_store.letter(ctx.store.db, queue.get_task(ctx, task_id).letter_id).status == "drafting"


def test_the_customer_record_shows_a_letter_not_agreed_with_the_reason(tmp_path, clock):
    from counter_tui.services import contacts, register

    ctx = letter_context(tmp_path / "c.db", clock)
    letter = _submitted(ctx)
    letter_sign_off.not_agreed(ctx, GRACE, letter.id, "Not justified.", version=letter.version)
    customer_id = contacts.view(ctx, letter.contact_id).contact.customer_id
    lines = [item.text for item in register.record(ctx, customer_id).letters]
    assert any("not agreed" in line and "Not justified." in line for line in lines), lines
