"""Policy packs: the shipped packs are sound, the linter names each broken rule and where, the loader
refuses malformed packs in one line, and the pure engine replays and judges endings.

GIVEN a pack (shipped, or a small one built here and broken on purpose), WHEN it is loaded, linted or
run through the engine, THEN the findings, errors and states are exactly what the rules say.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_tui.policy import engine
from counter_tui.policy.lint import Finding, lint
from counter_tui.policy.loader import PackError, load_pack, load_pack_file, parse_pack, shipped_pack_ids
from counter_tui.policy.schema import Outcome, Pack


def minimal() -> dict:
    """A small pack that lints clean: warn, then carry on or end with a note and a task."""
    return {
        "id": "mini",
        "name": "Mini pack",
        "organisation": "Test body",
        "source": "Test guidance",
        "roles": [
            {"id": "clerk", "name": "Clerk", "section": "1"},
            {"id": "boss", "name": "Boss", "section": "1"},
        ],
        "behaviours": [
            {"id": "rude", "name": "Rude", "definition": "Rude words.", "section": "2.1"},
            {"id": "difficult", "name": "Difficult", "definition": "Hard going.", "section": "2.2",
             "may_end_contact": False},
        ],
        "forms": [{"id": "note", "title": "Note", "section": "3", "fields": [{"id": "what", "label": "What happened"}]}],
        "tasks": [{"id": "follow", "title": "Follow up", "role": "boss", "section": "4", "due": {"hours": 24}}],
        "flows": [
            {
                "id": "phone", "title": "Phone call", "channel": "telephone", "section": "5", "role": "clerk",
                "start": "warn", "warnings_before_end": 1,
                "steps": [
                    {"id": "warn", "title": "Warn", "section": "5.1", "warning": True, "say": ["Please stop."],
                     "choices": [
                         {"label": "Improved", "next": "ok", "behaviour": "rude"},
                         {"label": "Not improved", "next": "end", "behaviour": "rude"},
                     ]},
                    {"id": "ok", "title": "Carry on", "section": "5.2", "outcome": "improved"},
                    {"id": "end", "title": "End", "section": "5.3", "outcome": "ended", "form": "note",
                     "tasks": ["follow"]},
                ],
            }
        ],
    }


def steps_of(data: dict) -> list[dict]:
    return data["flows"][0]["steps"]


def step_of(data: dict, step_id: str) -> dict:
    return next(s for s in steps_of(data) if s["id"] == step_id)


def findings_for(data: dict) -> list[Finding]:
    return lint(Pack.model_validate(data))


def has(findings: list[Finding], rule: str, place: str) -> bool:
    return any(f.rule == rule and f.place == place for f in findings)


# --- the shipped packs ------------------------------------------------------------------------


def test_both_packs_are_shipped():
    """GIVEN the data folder WHEN listing shipped packs THEN hmpo and ico are there."""
    assert {"hmpo", "ico"} <= set(shipped_pack_ids())


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_shipped_pack_lints_clean(pack_id):
    """GIVEN a shipped pack WHEN it is linted THEN there are no findings."""
    pack = load_pack(pack_id)
    assert pack.id == pack_id
    assert lint(pack) == []


def test_minimal_pack_lints_clean():
    """GIVEN the minimal pack these tests break WHEN linted unbroken THEN it is sound (so each finding below is caused by the mutation)."""
    assert findings_for(minimal()) == []


# --- one malformed pack per rule ----------------------------------------------------------------


def test_p001_choice_to_missing_step():
    """GIVEN a choice leading to a step that does not exist WHEN linted THEN P001 names that choice."""
    data = minimal()
    step_of(data, "warn")["choices"][1]["next"] = "nowhere"
    found = findings_for(data)
    assert has(found, "P001", "flows[phone].steps[warn].choices[2]")
    assert "nowhere" in next(f.message for f in found if f.rule == "P001")


def test_p001_start_is_not_a_step():
    """GIVEN a flow whose start is not one of its steps WHEN linted THEN P001 names the flow."""
    data = minimal()
    data["flows"][0]["start"] = "missing"
    assert has(findings_for(data), "P001", "flows[phone]")


def test_p002_unreachable_step():
    """GIVEN a step no choice leads to WHEN linted THEN P002 names it."""
    data = minimal()
    steps_of(data).append({"id": "orphan", "title": "Orphan", "section": "5.9", "outcome": "improved"})
    found = findings_for(data)
    assert has(found, "P002", "flows[phone].steps[orphan]")
    assert [f.rule for f in found] == ["P002"]


def test_p003_dead_end():
    """GIVEN a reachable step that neither finishes nor offers a choice WHEN linted THEN P003 names it."""
    data = minimal()
    step_of(data, "warn")["choices"].append({"label": "Hmm", "next": "stuck"})
    steps_of(data).append({"id": "stuck", "title": "Stuck", "section": "5.4"})
    found = findings_for(data)
    assert has(found, "P003", "flows[phone].steps[stuck]")


def test_p004_loop_with_no_exit():
    """GIVEN a reachable loop of two steps with no way out WHEN linted THEN P004 names both steps."""
    data = minimal()
    step_of(data, "warn")["choices"].append({"label": "Round", "next": "a"})
    steps_of(data).append({"id": "a", "title": "A", "section": "5.5", "choices": [{"label": "to b", "next": "b"}]})
    steps_of(data).append({"id": "b", "title": "B", "section": "5.6", "choices": [{"label": "to a", "next": "a"}]})
    found = findings_for(data)
    assert has(found, "P004", "flows[phone].steps[a]")
    assert has(found, "P004", "flows[phone].steps[b]")
    assert not any(f.rule == "P004" and f.place.endswith("[warn]") for f in found)


def test_p005_ending_without_the_warning():
    """GIVEN a flow whose only path ends the contact without a warning step WHEN linted THEN P005 names the ending step and the path."""
    data = minimal()
    data["flows"][0]["start"] = "ask"
    data["flows"][0]["steps"] = [
        {"id": "ask", "title": "Ask", "section": "5.1", "choices": [{"label": "End it", "next": "end"}]},
        {"id": "end", "title": "End", "section": "5.3", "outcome": "ended", "form": "note"},
    ]
    found = findings_for(data)
    assert has(found, "P005", "flows[phone].steps[end]")
    message = next(f.message for f in found if f.rule == "P005")
    assert "ask -> end" in message


def test_p005_is_lifted_by_an_allowing_branch():
    """GIVEN the same unwarned ending, WHEN its choice cites the section that allows it THEN there is no finding."""
    data = minimal()
    data["flows"][0]["start"] = "ask"
    data["flows"][0]["steps"] = [
        {"id": "ask", "title": "Ask", "section": "5.1",
         "choices": [{"label": "End it", "next": "end", "allowed_by": "5.7"}]},
        {"id": "end", "title": "End", "section": "5.3", "outcome": "ended"},
    ]
    assert findings_for(data) == []


def test_p006_difficult_behaviour_can_reach_an_ending():
    """GIVEN a difficult behaviour (may_end_contact=false) with a path to an 'ended' outcome WHEN linted THEN P006 names the ending."""
    data = minimal()
    step_of(data, "warn")["choices"][1]["behaviour"] = "difficult"
    found = findings_for(data)
    assert has(found, "P006", "flows[phone].steps[end]")
    assert "difficult" in next(f.message for f in found if f.rule == "P006")
    assert not any(f.rule == "P005" for f in found)


@pytest.mark.parametrize(
    ("where", "place"),
    [("step", "flows[phone].steps[ok]"), ("task", "tasks[follow]"), ("form", "forms[note]")],
)
def test_p007_missing_section(where, place):
    """GIVEN a step, task or form citing no section WHEN linted THEN P007 names it."""
    data = minimal()
    target = {"step": lambda: step_of(data, "ok"), "task": lambda: data["tasks"][0], "form": lambda: data["forms"][0]}[where]()
    target["section"] = "  "
    assert has(findings_for(data), "P007", place)


@pytest.mark.parametrize(
    ("mutate", "place", "word"),
    [
        (lambda d: d["flows"][0].update(role="ghost"), "flows[phone]", "role 'ghost'"),
        (lambda d: d["tasks"][0].update(role="ghost"), "tasks[follow]", "role 'ghost'"),
        (lambda d: d["tasks"][0].update(flow="ghost"), "tasks[follow]", "flow 'ghost'"),
        (lambda d: step_of(d, "end").update(form="ghost"), "flows[phone].steps[end]", "form 'ghost'"),
        (lambda d: step_of(d, "end").update(tasks=["ghost"]), "flows[phone].steps[end]", "task 'ghost'"),
        (lambda d: step_of(d, "warn")["choices"][0].update(behaviour="ghost"), "flows[phone].steps[warn]",
         "behaviour 'ghost'"),
    ],
    ids=["flow-role", "task-role", "task-flow", "form", "task", "behaviour"],
)
def test_p008_unknown_reference(mutate, place, word):
    """GIVEN a reference to a role, flow, form, task or behaviour the pack does not define WHEN linted THEN P008 names where and what."""
    data = minimal()
    mutate(data)
    found = findings_for(data)
    assert has(found, "P008", place)
    assert any(word in f.message for f in found if f.rule == "P008")


def test_p009_ten_choices():
    """GIVEN a step with ten choices WHEN linted THEN P009 names it (keys 1-9 take nine)."""
    data = minimal()
    step_of(data, "warn")["choices"] = [{"label": f"Choice {n}", "next": "ok"} for n in range(1, 11)]
    found = findings_for(data)
    assert has(found, "P009", "flows[phone].steps[warn]")
    assert "10 choices" in next(f.message for f in found if f.rule == "P009")


def test_nine_choices_are_allowed():
    """GIVEN a step with exactly nine choices WHEN linted THEN there is no P009."""
    data = minimal()
    step_of(data, "warn")["choices"] = [{"label": f"Choice {n}", "next": "ok"} for n in range(1, 9)] + [
        {"label": "End", "next": "end"}
    ]
    assert findings_for(data) == []


def test_p010_final_step_with_choices():
    """GIVEN a final step that still offers a choice WHEN linted THEN P010 names it."""
    data = minimal()
    step_of(data, "ok")["choices"] = [{"label": "Again", "next": "warn"}]
    assert has(findings_for(data), "P010", "flows[phone].steps[ok]")


def test_p011_duplicate_step_id():
    """GIVEN two steps sharing an id WHEN linted THEN P011 names the id."""
    data = minimal()
    steps_of(data).append(copy.deepcopy(step_of(data, "ok")))
    found = findings_for(data)
    assert has(found, "P011", "flows[phone].steps[ok]")


@pytest.mark.parametrize(
    ("kind", "place"),
    [("roles", "roles[clerk]"), ("behaviours", "behaviours[rude]"), ("forms", "forms[note]"),
     ("tasks", "tasks[follow]"), ("flows", "flows[phone]")],
)
def test_p011_duplicate_ids_of_every_kind(kind, place):
    """GIVEN two roles/behaviours/forms/tasks/flows sharing an id WHEN linted THEN P011 names the kind and id."""
    data = minimal()
    data[kind].append(copy.deepcopy(data[kind][0]))
    assert has(findings_for(data), "P011", place)


def test_finding_text_is_one_line_with_place_and_rule():
    """GIVEN a finding WHEN shown THEN it is one line: place, rule, message."""
    data = minimal()
    step_of(data, "ok")["section"] = ""
    (finding,) = findings_for(data)
    assert str(finding).startswith("flows[phone].steps[ok]: P007 ")
    assert "\n" not in str(finding)


# --- the loader --------------------------------------------------------------------------------

HMPO_TEXT = (Path(__file__).parent.parent / "data" / "policies" / "hmpo.toml").read_text(encoding="utf-8")
WARN_SAY = 'say = ["The call will not continue unless you improve your behaviour."]'


def assert_one_line(error: PackError, *parts: str) -> None:
    text = str(error)
    assert "\n" not in text
    for part in parts:
        assert part in text, (part, text)


def test_malformed_toml_is_one_line_naming_the_file(tmp_path):
    """GIVEN a file that is not TOML WHEN loaded THEN PackError is one line naming the file and saying why."""
    path = tmp_path / "broken.toml"
    path.write_text('id = "x"\nname = [unclosed\n', encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    assert_one_line(caught.value, str(path), "not valid TOML", "line 2")
    assert caught.value.file == str(path)


def test_schema_violation_names_the_place_by_ids(tmp_path):
    """GIVEN the HMPO pack with a step's words given as a number WHEN loaded THEN the error names flows[telephone].steps[warn].say and the rule."""
    assert WARN_SAY in HMPO_TEXT
    path = tmp_path / "bad.toml"
    path.write_text(HMPO_TEXT.replace(WARN_SAY, "say = 42"), encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack_file(path)
    assert caught.value.place == "flows[telephone].steps[warn].say"
    assert_one_line(caught.value, str(path), "flows[telephone].steps[warn].say", "valid list")


def test_unknown_field_is_refused():
    """GIVEN a step with a field the schema does not know WHEN parsed THEN the error names the field."""
    text = HMPO_TEXT.replace(WARN_SAY, WARN_SAY + '\n  colour = "red"')
    with pytest.raises(PackError) as caught:
        parse_pack(text, "hmpo-edit.toml")
    assert_one_line(caught.value, "hmpo-edit.toml", "flows[telephone].steps[warn].colour", "Extra inputs")


def test_bad_channel_and_due_are_refused():
    """GIVEN an unknown channel, or a due time with two clocks WHEN parsed THEN each error names its place."""
    with pytest.raises(PackError) as caught:
        parse_pack(HMPO_TEXT.replace('channel = "telephone"', 'channel = "pigeon"', 1), "p.toml")
    assert_one_line(caught.value, "p.toml", "flows[telephone].channel")
    with pytest.raises(PackError) as caught:
        parse_pack(HMPO_TEXT.replace('config = "call_back"', 'config = "call_back"\n  hours = 2', 1), "p.toml")
    assert_one_line(caught.value, "p.toml", "tasks[call_back].due", "exactly one")


def test_missing_file_and_unknown_id():
    """GIVEN a missing file or an unknown pack id WHEN loaded THEN PackError says so in one line."""
    with pytest.raises(PackError) as caught:
        load_pack_file(Path("/nonexistent/pack.toml"))
    assert_one_line(caught.value, "/nonexistent/pack.toml", "cannot be read")
    with pytest.raises(PackError) as caught:
        load_pack("nonexistent")
    assert_one_line(caught.value, "nonexistent.toml", "no such policy pack", "hmpo", "ico")


def test_unedited_text_parses_to_the_shipped_pack():
    """GIVEN the shipped HMPO text WHEN parsed directly THEN it equals the loaded pack."""
    assert parse_pack(HMPO_TEXT, "hmpo.toml") == load_pack("hmpo")


# --- the engine --------------------------------------------------------------------------------

FLOWS = [(p, f.id) for p in shipped_pack_ids() for f in load_pack(p).flows]


@pytest.mark.parametrize(("pack_id", "flow_id"), FLOWS)
@given(data=st.data())
def test_replay_reproduces_the_state(pack_id, flow_id, data):
    """GIVEN any run of valid choices through a shipped flow WHEN replayed from the numbers alone THEN the same state results."""
    pack = load_pack(pack_id)
    state = engine.start(pack, flow_id)
    for _ in range(50):
        step = engine.current_step(pack, state)
        if step.is_final:
            break
        number = data.draw(st.sampled_from(range(1, len(step.choices) + 1)))
        decision = engine.choose(pack, state, number)
        assert decision.before == state and decision.step == step
        state = decision.after
    assert engine.replay(pack, flow_id, list(state.choices)) == state
    assert len(state.choices) <= 50


def test_choices_outside_the_step_are_refused():
    """GIVEN a step with two choices (and no immediate-risk branch) WHEN 0, 3 or a choice at a final
    step is taken THEN ChoiceNotOffered."""
    pack = load_pack("hmpo")
    state = engine.start(pack, "telephone_call_back")
    for number in (0, 3):
        with pytest.raises(engine.ChoiceNotOffered):
            engine.choose(pack, state, number)
    final = engine.replay(pack, "telephone", [1, 1])
    assert engine.choose(pack, engine.start(pack, "telephone"), 0).after.step_id == "immediate_risk"
    assert engine.is_final(pack, final)
    with pytest.raises(engine.ChoiceNotOffered):
        engine.choose(pack, final, 1)


def test_hmpo_refusal_may_end_without_a_warning():
    """GIVEN the HMPO call WHEN staff refuse to serve at once THEN the call ends with no warning and no ending problem, allowed by the staff-support section."""
    pack = load_pack("hmpo")
    state = engine.replay(pack, "telephone", [2])
    assert state.step_id == "refuse"
    assert state.allowed_by == "Customer conduct: how we support staff"
    assert engine.current_step(pack, state).outcome is Outcome.ended
    assert engine.ending_problem(pack, state) is None
    # The allowance alone suffices: even with no warning counted, ending is permitted.
    assert engine.ending_problem(pack, replace(state, warnings=0)) is None


def test_hmpo_warned_call_may_end():
    """GIVEN the HMPO call WHEN warned, not improved, told THEN it may end (one warning given)."""
    pack = load_pack("hmpo")
    state = engine.replay(pack, "telephone", [1, 2, 1])
    assert (state.step_id, state.warnings, state.allowed_by) == ("ended", 1, None)
    assert engine.ending_problem(pack, state) is None


def test_ending_without_warning_or_allowance_is_a_problem():
    """GIVEN an HMPO state at 'ended' with no warning and no allowing branch WHEN judged THEN ending is refused, naming the count."""
    pack = load_pack("hmpo")
    state = engine.FlowState(flow_id="telephone", step_id="ended", warnings=0)
    problem = engine.ending_problem(pack, state)
    assert problem is not None and "0 warning(s)" in problem and "requires 1" in problem


def test_ico_difficult_cannot_be_ended():
    """GIVEN an ICO state at 'ended' for difficult behaviour, even with both warnings WHEN judged THEN it may not be ended."""
    pack = load_pack("ico")
    assert pack.behaviour("difficult").may_end_contact is False
    state = engine.FlowState(flow_id="telephone", step_id="ended", warnings=2, behaviour="difficult")
    problem = engine.ending_problem(pack, state)
    assert problem is not None and "may not be ended" in problem


def test_ico_no_path_ends_a_difficult_contact():
    """GIVEN the ICO flow WHEN every reachable state is explored THEN no 'ended' state has difficult behaviour, and every ending is warned twice or allowed."""
    pack = load_pack("ico")
    flow = pack.flow("telephone")
    frontier = [engine.start(pack, "telephone")]
    seen = set()
    endings = 0
    while frontier:
        state = frontier.pop()
        key = (state.step_id, min(state.warnings, 2), state.allowed_by, state.behaviour)
        if key in seen:
            continue
        seen.add(key)
        step = flow.step(state.step_id)
        if step.outcome is Outcome.ended:
            endings += 1
            assert state.behaviour != "difficult"
            assert state.warnings >= 2 or state.allowed_by is not None
            assert engine.ending_problem(pack, state) is None
        for number in range(1, len(step.choices) + 1):
            frontier.append(engine.choose(pack, state, number).after)
    assert endings > 0


def test_ico_difficult_then_offensive_needs_warnings_again():
    """GIVEN an ICO call classed difficult WHEN it turns offensive THEN the behaviour becomes offensive and the warning steps follow."""
    pack = load_pack("ico")
    state = engine.replay(pack, "telephone", [1, 3])
    assert (state.step_id, state.behaviour) == ("offensive_explain", "offensive")
    state = engine.replay(pack, "telephone", [1, 3, 3, 2, 1])
    assert (state.step_id, state.warnings) == ("ended", 2)
    assert engine.ending_problem(pack, state) is None
