"""Choices that depend on facts (an office's post box or guards, a customer's earlier warnings) and
the one-key immediate-risk branch: the engine offers, the linter checks, the services count.

GIVEN a small pack with conditional choices, WHEN it is linted or run for different facts,
THEN exactly the choices whose facts hold are offered, and an office lacking a facility never gets it.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_tui.policy import engine
from counter_tui.policy.lint import lint
from counter_tui.policy.schema import Pack
from counter_tui.services import contacts
from counter_tui.store import queries
from tests.test_policy import minimal


def with_conditions() -> dict:
    data = minimal()
    flow = data["flows"][0]
    flow["immediate_risk"] = {"step": "end", "allowed_by": "5.9"}
    flow["steps"][0]["choices"] += [
        {"label": "Use the post box", "next": "end", "only_if": "office:post_box", "allowed_by": "5.4"},
        {"label": "Third time: end", "next": "end", "only_if": "earlier_warnings>=2", "allowed_by": "5.5"},
    ]
    return data


def test_conditional_choices_are_offered_only_where_their_facts_hold():
    pack = Pack.model_validate(with_conditions())
    step = pack.flow("phone").step("warn")
    plain = [n for n, _ in engine.offered(step, engine.Facts())]
    rich = [n for n, _ in engine.offered(step, engine.Facts(frozenset({"post_box"}), earlier_warnings=2))]
    assert plain == [1, 2]
    assert rich == [1, 2, 3, 4]
    with pytest.raises(engine.ChoiceNotOffered):
        engine.choose(pack, engine.start(pack, "phone"), 3, engine.Facts())


@given(st.frozensets(st.sampled_from(["post_box", "security_guards"])), st.integers(0, 5))
def test_the_third_time_branch_comes_exactly_at_two_earlier_warnings(facilities, earlier):
    pack = Pack.model_validate(with_conditions())
    step = pack.flow("phone").step("warn")
    labels = [c.label for _, c in engine.offered(step, engine.Facts(facilities, earlier))]
    assert ("Third time: end" in labels) == (earlier >= 2)
    assert ("Use the post box" in labels) == ("post_box" in facilities)


def test_immediate_risk_is_key_zero_from_any_step_and_needs_no_warning():
    pack = Pack.model_validate(with_conditions())
    decision = engine.choose(pack, engine.start(pack, "phone"), engine.IMMEDIATE_RISK)
    assert decision.after.step_id == "end" and decision.after.immediate_risk
    assert decision.after.warnings == 0 and engine.ending_problem(pack, decision.after) is None
    assert lint(pack) == []


def test_a_step_with_only_conditional_choices_is_a_dead_end_somewhere():
    data = with_conditions()
    data["flows"][0]["steps"][0]["choices"] = [
        {"label": "Post box", "next": "end", "only_if": "office:post_box", "allowed_by": "5.4"},
        {"label": "Guards", "next": "ok", "only_if": "office:security_guards"},
    ]
    findings = lint(Pack.model_validate(data))
    assert any(f.rule == "P012" and "steps[warn]" in f.place for f in findings)


def test_a_bad_condition_is_refused_on_load():
    data = copy.deepcopy(minimal())
    data["flows"][0]["steps"][0]["choices"][0]["only_if"] = "moon:full"
    with pytest.raises(Exception, match="only_if"):
        Pack.model_validate(data)


def test_earlier_warnings_count_by_reference_on_the_same_channel(ctx, handler):
    """Spaces and case in the reference do not matter; other channels and this contact do not count."""
    for reference in ("PEX 123", "pex123"):
        first = contacts.start_contact(ctx, handler, "telephone", reference=reference)
        contacts.take_step(ctx, handler, first, 1, at_step="warn")
    third = contacts.start_contact(ctx, handler, "telephone", reference="PEX123 ")
    db = ctx.store.db
    assert queries.earlier_warnings(db, reference="PEX123", channel="telephone", before=third) == 2
    assert queries.earlier_warnings(db, reference="PEX 123", channel="face_to_face", before=third) == 0
    assert queries.earlier_warnings(db, reference="PEX 999", channel="telephone", before=third) == 0
    assert queries.earlier_warnings(db, reference="", channel="telephone", before=third) == 0


@given(earlier=st.integers(0, 6), flow_id=st.sampled_from(["face_to_face", "video"]))
def test_admin_refusal_comes_exactly_after_two_earlier_interview_warnings(earlier, flow_id):
    """HMPO: only a customer already warned twice in interviews on this channel may have the
    interview ended as an admin refusal without a further warning: never before."""
    from counter_tui.policy.loader import load_pack

    pack = load_pack("hmpo")
    flow = pack.flow(flow_id)
    facts = engine.Facts(earlier_warnings=earlier)
    state = engine.start(pack, flow_id)
    reachable_refusal = False
    frontier = [state]
    seen = set()
    while frontier:
        current = frontier.pop()
        step = flow.step(current.step_id)
        if step.id in seen:
            continue
        seen.add(step.id)
        if step.is_final:
            continue
        for number, choice in engine.offered(step, facts):
            after = engine.choose(pack, current, number, facts).after
            if "admin_refusal" in flow.step(after.step_id).tasks or any(
                    "admin_refusal" in t for t in flow.step(after.step_id).tasks):
                reachable_refusal = True
            frontier.append(after)
    assert reachable_refusal == (earlier >= 2)
