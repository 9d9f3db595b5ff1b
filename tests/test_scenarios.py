"""Practice scenarios (`data/scenarios/*.toml`): the shipped set, the checker's findings, and plays.

- every shipped scenario passes `counter train check`, and together they cover every channel and
  every pack;
- each checker rule (S003-S009) names the place and the reason for a small broken scenario;
- every shipped scenario is played through the training service on a practice database: played
  well (the required path) it scores in full; played badly (another choice at its first decision
  with an alternative) it does not, and the debrief names the choice the guidance requires;
- a property: random plays of the pure engine score in full where they follow the required
  path, and never in full where the contact ended with fewer warnings than the scenario requires.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_tui.clock import FixedClock
from counter_tui.policy import engine
from counter_tui.policy.loader import load_pack
from counter_tui.policy.scenario import IMMEDIATE_RISK, Scenario, parse_scenario, shipped_scenario_ids, shipped_scenarios
from counter_tui.policy.scenario_check import Finding, check, facts_for, hand_offs, number_for, required_path
from counter_tui.policy.schema import Flow, Outcome, Step
from counter_tui.policy.scoring import Attempt, Score, Taken, score
from counter_tui.services import contacts, records, training
from counter_tui.services.errors import Refused

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SHIPPED = shipped_scenario_ids()
CHANNELS = {"telephone", "face_to_face", "video", "written", "counter"}
PACKS = {"hmpo", "ico", "council", "dwp", "north_tyneside"}


# --------------------------------------------------------------------------------------------
# The shipped set


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_shipped_scenario_passes_check(scenario_id: str) -> None:
    assert check(shipped(scenario_id)) == []


def test_shipped_scenarios_cover_every_channel_and_pack() -> None:
    channels, packs = set(), set()
    for found in shipped_scenarios():
        assert found.id in SHIPPED  # the file name is the id
        packs.add(found.pack)
        channels.add(load_pack(found.pack).flow(found.flow).channel.value)
    assert channels == CHANNELS
    assert packs == PACKS


def test_shipped_file_names_are_ids() -> None:
    folder = Path(__file__).parent.parent / "data" / "scenarios"
    for path in folder.glob("*.toml"):
        assert parse_scenario(path.read_text(encoding="utf-8"), path.name).id == path.stem


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
UK_PHONE = re.compile(r"(?<![\w-])(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?![\w-])")


def test_customers_are_made_up_with_no_contact_details() -> None:
    """Scenario customers are invented: no e-mail address or telephone number in any file."""
    folder = Path(__file__).parent.parent / "data" / "scenarios"
    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert not EMAIL.search(text), path.name
        assert not UK_PHONE.search(text), path.name
    assert EMAIL.search("write to a.person@example.org") and UK_PHONE.search("ring 0191 643 0000 today")


def shipped(scenario_id: str) -> Scenario:
    return next(s for s in shipped_scenarios() if s.id == scenario_id)


# --------------------------------------------------------------------------------------------
# The checker's findings: each names the place and the reason


BASE = """
id = "broken"
title = "A broken scenario"
pack = "{pack}"
flow = "telephone"
brief = "A call."
teaches = "Nothing: it is broken."

[customer]
name = "Pat Example"
reference = "PEX 0000 0001"

{setup}

[[moments]]
step = "{step}"
lines = [{{ say = "You're useless." }}]
expect = "{expect}"
why = "Abuse: warn."
section = "Customer conduct: how to deal with abusive telephone calls"
{extra}

[[moments]]
step = "allow"
lines = [{{ say = "Still useless." }}]
expect = "tell_end"
why = "No better: the call ends."
section = "Telephone calls: customer's behaviour does not improve"

[ending]
outcome = "{outcome}"
warnings = 1
section = "Telephone calls: customer's behaviour does not improve"
why = "Warned, no better: ended."
hand_offs = {hand_offs}
"""


def broken(**changes: str) -> list[Finding]:
    fields = {"pack": "hmpo", "setup": "", "step": "warn", "expect": "allow", "extra": "", "outcome": "ended",
              "hand_offs": '["call_back"]'} | changes
    return check(parse_scenario(BASE.format(**fields), "broken.toml"), "broken.toml")


def only(found: list[Finding], rule: str) -> Finding:
    assert [f.rule for f in found] == [rule], [str(f) for f in found]
    return found[0]


def test_the_base_scenario_passes() -> None:
    assert broken() == []


def test_s003_unknown_step() -> None:
    found = only(broken(step="shout"), "S003")
    assert found.place == "broken.toml: moments[1] (step shout)"
    assert "'shout'" in found.message and "does not have" in found.message and "'telephone'" in found.message


def test_s003_unknown_step_in_if_visited() -> None:
    found = only(broken(extra='if_visited = ["nowhere"]'), "S003")
    assert found.place == "broken.toml: moments[1] (step warn)"
    assert "'nowhere'" in found.message and "does not have" in found.message


def test_s004_expect_not_offered() -> None:
    found = only(broken(expect="improved"), "S004")
    assert found.place == "broken.toml: moments[1] (step warn)"
    assert "expects 'improved'" in found.message and "no choice offered at 'warn'" in found.message


def test_s005_reply_for_a_choice_not_there() -> None:
    found = only(broken(extra='replies = { improved = "Thank you." }'), "S005")
    assert found.place == "broken.toml: moments[1] (step warn)"
    assert "reply for 'improved'" in found.message and "no choice at 'warn'" in found.message


def test_s006_unreachable_moment() -> None:
    found = only(broken(extra='if_visited = ["allow"]'), "S006")
    assert found.place == "broken.toml: moments[1] (step warn)"
    assert "can never be reached" in found.message and "never leads to it" in found.message


def test_s007_cannot_be_passed() -> None:
    found = only(broken(outcome="improved"), "S007")
    assert found.place == "broken.toml: ending"
    assert "cannot be passed" in found.message and "'ended'" in found.message and "not improved" in found.message


def test_s007_too_few_warnings() -> None:
    text = BASE.format(pack="hmpo", setup="", step="warn", expect="refuse", extra="", outcome="ended", hand_offs="[]")
    found = only(check(parse_scenario(text, "broken.toml"), "broken.toml"), "S007")
    assert found.place == "broken.toml: ending"
    assert "0 warning(s) before ending" in found.message and "asks for 1" in found.message


def test_s008_unknown_hand_off() -> None:
    found = only(broken(hand_offs='["call_back", "phone_the_king"]'), "S008")
    assert found.place == "broken.toml: ending.hand_offs"
    assert "'phone_the_king'" in found.message and "does not define" in found.message


def test_s009_unknown_setup_measure() -> None:
    found = only(broken(setup='[setup]\nmeasures = ["banned_forever"]'), "S009")
    assert found.place == "broken.toml: setup.measures"
    assert "'banned_forever'" in found.message and "does not define" in found.message


def test_s009_earlier_contact_that_does_not_end() -> None:
    found = only(broken(setup='[setup]\n[[setup.earlier]]\nflow = "telephone"\npath = ["allow"]'), "S009")
    assert found.place == "broken.toml: setup.earlier[1]"
    assert "'allow'" in found.message and "does not end the contact" in found.message


def test_s001_s002_unknown_pack_and_flow() -> None:
    found = only(broken(pack="no_such_pack"), "S001")
    assert found.place.endswith("pack") and "'no_such_pack'" in found.message and "cannot be loaded" in found.message
    text = BASE.format(pack="hmpo", setup="", step="warn", expect="allow", extra="", outcome="ended",
                       hand_offs="[]").replace('flow = "telephone"', 'flow = "carrier_pigeon"')
    found = only(check(parse_scenario(text, "broken.toml"), "broken.toml"), "S002")
    assert found.place.endswith("flow") and "'carrier_pigeon'" in found.message and "does not define" in found.message


# --------------------------------------------------------------------------------------------
# Plays through the training service, on practice databases


def _expected_label(flow: Flow, step: Step, expect: str) -> str:
    if expect == IMMEDIATE_RISK:
        assert flow.immediate_risk is not None
        return flow.immediate_risk.label
    return next(c.label for c in step.choices if c.next == expect)


def _alternative(flow: Flow, step: Step, facts: engine.Facts, expect: str) -> int | None:
    """Another choice than the one that leads to `expect`: an offered choice going elsewhere, else key 0."""
    others = [n for n, c in engine.offered(step, facts) if expect == IMMEDIATE_RISK or c.next != expect]
    if others:
        return others[0]
    return 0 if flow.immediate_risk is not None and expect != IMMEDIATE_RISK else None


def _note(found: Scenario) -> str:
    return "Practice note: " + "; ".join(found.ending.note_mentions or ["what happened"]) + "."


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> training.Room:
    """One training room for the plays: each attempt still gets a practice database of its own
    (copied from the room's migrated template, as at a real training room)."""
    return training.Room.open(tmp_path_factory.mktemp("room"), FixedClock(START, tick=timedelta(seconds=1)))


def _finish(practice: training.Practice) -> None:
    """Write the note with what the scenario asks for, then save the record, as a trainee would."""
    ctx, actor, contact_id = practice.ctx, practice.actor, practice.contact_id
    current = contacts.view(ctx, contact_id)
    contacts.save_note(ctx, actor, contact_id, _note(practice.scenario), version=current.contact.note_version)
    form = records.form_for(ctx, current)
    fields = {f.id: f for f in form.fields} if form else {}
    record = {}
    for field_id, _label, text, required in records.draft_record(ctx, actor, contact_id):
        if not text and fields[field_id].when:
            text = (ctx.clock.now() + timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
        record[field_id] = text or ("Practice record." if required else "")
    records.finish(ctx, actor, contact_id, record)


def _play(room: training.Room, scenario_id: str, *, badly: bool) -> tuple[Score, str | None]:
    """Play the scenario: its required path, or with one wrong choice at the first moment that has
    another. Returns the score and (played badly) the label of the choice the guidance required."""
    practice = training.start(room, "A trainee", scenario_id)
    found, ctx, actor, contact_id = practice.scenario, practice.ctx, practice.actor, practice.contact_id
    pack = ctx.pack
    flow = pack.flow(found.flow)
    required = required_path(pack, found)
    missed: str | None = None
    visited: list[str] = []
    for decision in required.decisions:
        current = contacts.view(ctx, contact_id)
        assert current.step.id == decision.step.id
        expect = decision.moment.expect if decision.moment else decision.next
        number = number_for(flow, current.step, expect, current.facts)
        assert number == decision.number  # the practice database's facts are the checker's
        if badly and decision.moment is not None:
            wrong = _alternative(flow, current.step, current.facts, expect)
            if wrong is not None:
                missed = _expected_label(flow, current.step, expect)
                contacts.take_step(ctx, actor, contact_id, wrong, at_step=current.step.id)
                visited.append(current.step.id)
                break
        contacts.take_step(ctx, actor, contact_id, number, at_step=current.step.id)
        visited.append(current.step.id)
    if badly:
        assert missed is not None, f"{scenario_id}: no moment has another choice to get wrong"
        for _ in range(30):  # carry on as the scenario's customer leads, or by the first way on
            current = contacts.view(ctx, contact_id)
            if current.step.is_final:
                break
            moment = found.moment_at(current.step.id, visited)
            number = number_for(flow, current.step, moment.expect, current.facts) if moment else None
            if number is None:
                number = current.offered[0][0]
            contacts.take_step(ctx, actor, contact_id, number, at_step=current.step.id)
            visited.append(current.step.id)
    if contacts.view(ctx, contact_id).step.is_final:
        try:
            _finish(practice)
        except Refused:  # ended against the pack: the attempt is scored unfinished
            assert badly
    return training.finish(room, practice), missed


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_played_well_scores_in_full(room: training.Room, scenario_id: str) -> None:
    found, _ = _play(room, scenario_id, badly=False)
    assert found.full, [c.explanation for c in found.missed]
    assert {c.kind for c in found.criteria} >= {"decision", "ending"}


@pytest.mark.parametrize("scenario_id", SHIPPED)
def test_played_badly_misses_and_names_the_required_choice(room: training.Room, scenario_id: str) -> None:
    found, required_label = _play(room, scenario_id, badly=True)
    assert not found.full
    decisions = [c for c in found.missed if c.kind in {"decision", "not_reached"}]
    assert decisions, [c.explanation for c in found.missed]
    assert f"“{required_label}”" in decisions[0].explanation
    assert decisions[0].section


def test_a_wrong_choice_the_customer_answers() -> None:
    """The customer's reply to a choice follows it: the threat comes only once he has been warned."""
    found = shipped("hmpo_phone_threat_immediate_risk")
    warn = found.moment_at("warn", [])
    assert warn is not None and "hospital" in warn.replies["allow"]
    assert found.moment_at("allow", ["warn"]).expect == IMMEDIATE_RISK


def test_moments_branch_on_what_the_trainee_did() -> None:
    found = shipped("council_phone_abuse_calms")
    calmed = found.moment_at("report_improved", ["identify", "diffuse", "request_modify"])
    skipped = found.moment_at("report_improved", ["identify", "diffuse"])
    assert calmed is not None and skipped is not None and calmed is not skipped
    assert "sorry" in calmed.lines[0].say.lower() and "sorry" not in skipped.lines[0].say.lower()


# --------------------------------------------------------------------------------------------
# A property of scoring over random plays (the pure engine, no database)


SCENARIOS = shipped_scenarios()


@given(data=st.data())
def test_random_plays_score_in_full_only_on_the_required_path(data: st.DataObject) -> None:
    found = data.draw(st.sampled_from(SCENARIOS), label="scenario")
    pack = load_pack(found.pack)
    flow = pack.flow(found.flow)
    facts = facts_for(pack, found)
    required = required_path(pack, found)
    state = engine.start(pack, flow.id)
    taken: list[Taken] = []
    while not flow.step(state.step_id).is_final and len(taken) < 30:
        step = flow.step(state.step_id)
        numbers = [n for n, _ in engine.offered(step, facts)] + ([0] if flow.immediate_risk is not None else [])
        number = data.draw(st.sampled_from(numbers), label=f"at {step.id}")
        decision = engine.choose(pack, state, number, facts)
        taken.append(Taken(step=step.id, number=number, next=decision.after.step_id, label=decision.choice.label,
                           at=START + timedelta(seconds=len(taken) + 1), said=bool(step.say) and decision.choice.words_said))
        state = decision.after
    final = flow.step(state.step_id)
    attempt = Attempt(started_at=START, taken=taken, finished=final.is_final,
                      final_step=final.id if final.is_final else None,
                      record_text="Note: " + ", ".join(found.ending.note_mentions),
                      hand_offs=hand_offs(pack, final) if final.is_final else [])
    result = score(pack, found, attempt)
    path = [(t.next, t.number == 0) for t in taken]
    if path == [(d.next, d.number == 0) for d in required.decisions]:
        assert result.full, [c.explanation for c in result.missed]
    if final.outcome is Outcome.ended and state.warnings < found.ending.warnings:
        assert not result.full
