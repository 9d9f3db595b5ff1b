"""The council's pack: sound, free of contact details, quoting the document where it says it does,
and routing each contact to the form and hand-offs the guidance gives (a low-level incident form or a
Health and Safety Incident form, the line manager, the Determination Team).

GIVEN the shipped `council` pack (and the seed document beside the checkout, where it is), WHEN it is
linted, searched, walked through the engine or followed through the services, THEN what the
guidance says holds.
"""

from __future__ import annotations

import re
from collections import deque
from importlib import resources
from pathlib import Path

import pytest

from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.lint import lint
from counter_tui.policy.loader import load_pack, shipped_pack_ids
from counter_tui.policy.schema import Channel, Outcome, Pack
from counter_tui.services import contacts, queue, records, staff
from counter_tui.services.context import Context
from counter_tui.store import queries

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
"""The guidance documents, beside the checkout (not shipped with the product)."""
DOCUMENT = SEEDS / "002_7827726d304d28d3.txt"
needs_document = pytest.mark.skipif(not DOCUMENT.is_file(), reason="the guidance documents are not beside this checkout")

PACK_TEXT = (resources.files("counter_tui.data.policies") / "council.toml").read_text(encoding="utf-8")

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s-]?)?\(?\d{2,5}\)?(?:[\s-]?\d{2,4}){2,4}(?![\w])")

NOT_DISCIPLINED = ("You will not be disciplined for doing so, but you should report the matter to your line manager "
                   "and log either a low level and/or health and safety incident as soon as possible.")
LOW, HS = "low_level_incident", "health_and_safety_incident"
LOW_TASKS = ["report_to_line_manager", "determination_decision"]
HS_TASKS = [*LOW_TASKS, "health_and_safety_report"]
HS_POLICE_TASKS = [*HS_TASKS, "police_support"]


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("council")


def flat(text: str) -> str:
    """Text compared loosely: curly quotes straightened, markdown emphasis dropped, whitespace collapsed."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("**", "").replace("*", "")
    return " ".join(text.split())


# --- the pack as a whole -------------------------------------------------------------------------


def test_council_is_shipped_and_lints_clean(pack):
    assert "council" in shipped_pack_ids()
    assert pack.id == "council"
    assert "002_7827726d304d28d3.txt" in pack.source
    assert lint(pack) == []


def test_roles_and_behaviours(pack):
    assert [r.id for r in pack.roles] == ["staff_member", "line_manager", "determination_team", "health_and_safety_officer"]
    assert [b.id for b in pack.behaviours] == ["aggressive_abusive", "persistent_complaint", "historical_complaint", "changing_focus"]
    assert all(b.section == "2.1" and b.may_end_contact for b in pack.behaviours)


def test_review_notes_name_the_gaps_instead_of_inventing_rules(pack):
    notes = " ".join(pack.review_notes)
    for gap in ("flowcharts", "Managing Unacceptable Customer Actions Policy", "states no deadlines", "15.7",
                "Counter keeps that log on the customer's record", "Review periods for restrictions are not stated",
                "[deadlines] report_to_line_manager, determination_decision", "7.1 does not say who supports"):
        assert gap in notes, gap


def test_no_configured_clock_has_an_invented_default(pack):
    """The document sets none of these clocks: unconfigured, such a task has no due time (issue 18.11)."""
    defaults = Settings().deadlines
    for task in pack.tasks:
        if task.due.config is not None:
            assert task.due.config not in defaults, task.id
            assert "configuration" in task.due.section, task.id


# --- no contact details ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [PACK_TEXT, load_pack("council").model_dump_json()], ids=["toml", "model"])
def test_no_email_address_or_phone_number_anywhere(text):
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []


def test_the_patterns_would_catch_contact_details():
    assert EMAIL.findall("write to complaints@council.example.gov.uk") == ["complaints@council.example.gov.uk"]
    assert PHONE.findall("call 0800 123 4567 or +44 20 7946 0000")


# --- the document's own words ---------------------------------------------------------------------


def said_lines(pack: Pack, *, from_guidance: bool) -> list[str]:
    """Every line a member of staff says, from steps and from measures' effects, marked as the guidance's or not."""
    lines = [line for flow in pack.flows for step in flow.steps if step.words_from_guidance == from_guidance
             for line in step.say]
    lines += [line for spec in pack.measures.types for effect in spec.effects
              if effect.words_from_guidance == from_guidance for line in effect.say]
    return lines


@needs_document
def test_every_say_line_marked_from_the_guidance_is_in_the_document(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    quoted = said_lines(pack, from_guidance=True)
    for line in quoted:
        assert flat(line) in document, line


NOTICE = ["Threatening or violent actions towards our staff is unacceptable, against the law and can now result in "
          "tougher penalties.",
          "Anyone behaving disrespectfully to staff or customers will be asked to leave and prevented from returning.",
          "We will report any instances to the police, and you could be charged"]


def test_the_reception_notices_are_never_words_to_say(pack):
    """15.1's notices are notices: no line staff say, from the guidance or not, is one of their sentences."""
    for line in said_lines(pack, from_guidance=True) + said_lines(pack, from_guidance=False):
        assert not any(flat(sentence) in flat(line) for sentence in NOTICE), line


def test_wherever_the_reception_notices_are_quoted_all_three_sentences_are(pack):
    texts = [line for flow in pack.flows for step in flow.steps for line in step.guidance]
    texts += [line for spec in pack.measures.types for effect in spec.effects for line in effect.guidance]
    quoting = [text for text in texts if any(flat(sentence) in flat(text) for sentence in NOTICE)]
    assert len(quoting) >= 3  # the start of a reception contact, and the ban from premises on two channels
    for text in quoting:
        assert all(flat(sentence) in flat(text) for sentence in NOTICE), text


@needs_document
def test_a_say_line_marked_as_the_packs_own_is_not_the_documents_word_for_word(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    own = said_lines(pack, from_guidance=False)
    assert "I am letting you know that I am activating my body camera." in own
    for line in own:
        assert flat(line) not in document, line


@needs_document
def test_behaviour_definitions_and_quoted_guidance_are_the_documents(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    for behaviour in pack.behaviours:
        assert flat(behaviour.definition) in document, behaviour.id
    for flow in pack.flows:
        for step_id in ("diffuse", "request_modify", "end_politely", "immediate_risk", "advise", "body_camera"):
            if any(s.id == step_id for s in flow.steps):
                for line in flow.step(step_id).guidance:
                    assert flat(line) in document, (flow.id, step_id, line)
    for task in pack.tasks:
        if task.id in ("determination_decision", "health_and_safety_report", "police_support"):
            for line in task.instructions[:4]:
                if not line.startswith(("Details of the investigation", "The document", "The employee has")):
                    assert flat(line) in document, (task.id, line)


@pytest.mark.parametrize("flow_id", ["telephone", "face_to_face", "counter"])
def test_the_de_escalation_strategies_and_the_words_at_the_end(pack, flow_id):
    flow = pack.flow(flow_id)
    diffuse = flow.step("diffuse").guidance
    for strategy in ("Acknowledge the customer's disappointment with the service they have received.",
                     "Remain calm and in control of the situation.", "If safe to do so alert other members of staff."):
        assert strategy in diffuse
    request = flow.step("request_modify")
    assert request.warning and not request.words_from_guidance
    end = flow.step("end_politely")
    assert NOT_DISCIPLINED in end.guidance and not end.words_from_guidance
    assert "Your complaint will be addressed, but your actions must be modified during any future contact with the council." in end.say
    assert any("3.6" in s.section for s in flow.steps if s.id == "end_politely")
    assert flow.warnings_before_end == 1
    assert (flow.immediate_risk.step, flow.immediate_risk.allowed_by) == ("immediate_risk", "5.2")
    for step_id in ("report_ended", "report_improved"):
        assert NOT_DISCIPLINED in flow.step(step_id).guidance


def test_the_counter_alerts_the_customer_before_the_body_camera_is_switched_on(pack):
    flow = pack.flow("counter")
    assert [c.next for c in flow.step("identify").choices] == ["carry_on", "body_camera", "restricted"]
    camera = flow.step("body_camera")
    assert camera.section == "15.2" and camera.words_from_guidance is False
    assert camera.say == ["I am letting you know that I am activating my body camera."]
    assert [c.next for c in camera.choices] == ["behaviour"]
    assert "alerting the customer that we are activating the body cameras" in camera.guidance[0]


# --- the flows, through the engine ------------------------------------------------------------------

RESTRICTED = engine.Facts(restricted=True)
WARNED = engine.Facts(earlier_warnings=1)


def voice(flow_id: str) -> list[tuple]:
    """The endings of a call, interview or visit: (flow, choices, final step, outcome, tasks, form)."""
    pre = [2, 1] if flow_id == "counter" else []
    b = (lambda n: n - 1) if flow_id == "counter" else (lambda n: n)
    return [
        (flow_id, [1], "carry_on", Outcome.improved, [], None),
        (flow_id, [*pre, b(2), 1, 1], "improved_low_level", Outcome.improved, LOW_TASKS, LOW),
        (flow_id, [*pre, b(3), 1, 2, 2], "improved_hs", Outcome.improved, HS_TASKS, HS),
        (flow_id, [*pre, b(4), 1, 2, 1], "improved_hs_police", Outcome.improved, HS_POLICE_TASKS, HS),
        (flow_id, [*pre, b(2), 2, 2, 1, 1], "ended_low_level", Outcome.ended, LOW_TASKS, LOW),
        (flow_id, [*pre, b(5), 2, 2, 1, 2, 2], "ended_hs", Outcome.ended, HS_TASKS, HS),
        (flow_id, [*pre, b(6), 2, 1, 1], "ended_hs_police", Outcome.ended, HS_POLICE_TASKS, HS),
        (flow_id, [0, 1, 2], "ended_hs", Outcome.ended, HS_TASKS, HS),
        (flow_id, [*pre, b(6), 1, 2], "improved_hs", Outcome.improved, HS_TASKS, HS),
        (flow_id, [3 if flow_id == "counter" else 7], "restricted", Outcome.ended, [], "restricted_note"),
    ]


ENDINGS = [
    *voice("telephone"), *voice("face_to_face"), *voice("counter"),
    ("written", [1], "dealt_with", Outcome.improved, [], None),
    ("written", [2, 1, 1], "replied_low_level", Outcome.referred, LOW_TASKS, LOW),
    ("written", [3, 1, 2, 2], "replied_hs", Outcome.referred, HS_TASKS, HS),
    ("written", [6, 1, 1], "replied_hs_police", Outcome.referred, HS_POLICE_TASKS, HS),
    ("written", [4, 2, 1, 1], "ended_low_level", Outcome.ended, LOW_TASKS, LOW),
    ("written", [5, 2, 1, 2, 2], "ended_hs", Outcome.ended, HS_TASKS, HS),
    ("written", [2, 2, 1, 2, 1], "ended_hs_police", Outcome.ended, HS_POLICE_TASKS, HS),
]
ENDING_IDS = [f"{e[0]}-{e[2]}-{''.join(map(str, e[1]))}" for e in ENDINGS]


def facts_for(flow_id: str, final: str) -> engine.Facts:
    if final == "restricted":
        return RESTRICTED
    return WARNED if flow_id == "written" else engine.Facts()


@pytest.mark.parametrize(("flow_id", "numbers", "final", "outcome", "tasks", "form"), ENDINGS, ids=ENDING_IDS)
def test_each_way_a_flow_finishes(pack, flow_id, numbers, final, outcome, tasks, form):
    state = engine.start(pack, flow_id)
    for number in numbers:
        state = engine.choose(pack, state, number, facts_for(flow_id, final)).after
    step = engine.current_step(pack, state)
    assert step.id == final and step.is_final
    assert (step.outcome, step.tasks, step.form) == (outcome, tasks, form)
    assert step.record_incident == (form in (LOW, HS))
    assert step.no_incident == (final == "restricted")
    assert engine.ending_problem(pack, state) is None


def test_the_table_above_covers_every_final_step(pack):
    covered = {(e[0], e[2]) for e in ENDINGS}
    assert covered == {(flow.id, step.id) for flow in pack.flows for step in flow.steps if step.is_final}


def test_each_flow_is_on_its_channel(pack):
    assert {f.id: (f.channel, f.role) for f in pack.flows} == {
        "telephone": (Channel.telephone, "staff_member"), "face_to_face": (Channel.face_to_face, "staff_member"),
        "counter": (Channel.counter, "staff_member"), "written": (Channel.written, "staff_member"),
    }


def reachable(pack: Pack, flow_id: str, starts: set[str]) -> set[str]:
    """Every step reachable from `starts` by any choice (whatever the facts) or the immediate-risk key."""
    flow = pack.flow(flow_id)
    seen, todo = set(starts), deque(starts)
    while todo:
        step = flow.step(todo.popleft())
        nexts = [c.next for c in step.choices]
        if flow.immediate_risk is not None and not step.is_final:
            nexts.append(flow.immediate_risk.step)
        for following in nexts:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


@pytest.mark.parametrize("flow_id", ["telephone", "face_to_face", "counter", "written"])
def test_threats_violence_and_self_harm_lead_only_to_the_health_and_safety_form(pack, flow_id):
    """13.4: from a threat choice or the immediate-risk key, every ending completes the Health and Safety Incident form."""
    flow = pack.flow(flow_id)
    threat_steps = {c.next for s in flow.steps for c in s.choices if "hreats" in c.label and not c.label.startswith("No:")}
    assert threat_steps, "a threat choice is offered"
    starts = threat_steps | ({flow.immediate_risk.step} if flow.immediate_risk else set())
    finals = [flow.step(s) for s in reachable(pack, flow_id, starts) if flow.step(s).is_final]
    assert finals and {f.form for f in finals} == {HS}
    for final in finals:
        assert "health_and_safety_report" in final.tasks and "determination_decision" in final.tasks


@pytest.mark.parametrize("flow_id", ["telephone", "face_to_face", "counter", "written"])
def test_other_endings_offer_the_choice_of_form(pack, flow_id):
    flow = pack.flow(flow_id)
    for step in flow.steps:
        if step.id.startswith("report_"):
            forms = {flow.step(s).form for s in reachable(pack, flow_id, {c.next for c in step.choices}) if flow.step(s).is_final}
            assert forms == {LOW, HS}, step.id


@pytest.mark.parametrize("flow_id", ["telephone", "face_to_face", "counter"])
def test_the_restricted_choice_is_offered_only_where_a_measure_turns_the_customer_away(pack, flow_id):
    step = pack.flow(flow_id).step("identify")
    [(number, choice)] = [(n, c) for n, c in enumerate(step.choices, 1) if c.only_if == "restricted"]
    assert number not in [n for n, _ in engine.offered(step, engine.Facts())]
    assert number in [n for n, _ in engine.offered(step, RESTRICTED)]
    assert "12.1" in choice.allowed_by
    with pytest.raises(engine.ChoiceNotOffered):
        engine.choose(pack, engine.start(pack, flow_id), number, engine.Facts())
    final = pack.flow(flow_id).step("restricted")
    assert final.no_incident and final.outcome is Outcome.ended and final.form == "restricted_note"


def test_correspondence_stops_only_after_earlier_advice(pack):
    step = pack.flow("written").step("advise")
    assert pack.flow("written").earlier_warnings and step.warning
    assert [n for n, _ in engine.offered(step, engine.Facts())] == [1]
    assert [n for n, _ in engine.offered(step, WARNED)] == [1, 2]
    assert "There will be no further exchange of correspondence on the matter if they persist with these actions." in step.guidance


# --- control measures -------------------------------------------------------------------------------


def test_measures_are_decided_by_the_determination_team(pack):
    measures = pack.measures
    assert (measures.decide_task, measures.review_task) == ("determination_decision", "review_restriction")
    assert pack.task(measures.decide_task).role == "determination_team"
    assert (measures.proposed_by, measures.detail_roles) == (["line_manager"], ["determination_team"])
    assert [m.id for m in measures.types] == ["set_times", "nominated_officer", "appointment_only", "writing_only",
                                              "telephone_only", "signed_for_mail", "complaint_in_writing", "premises_ban",
                                              "other_action"]
    for spec in measures.types:
        assert spec.decided_by == ["determination_team"] and spec.ask_told and spec.review_months is None


def refused(pack: Pack, measure_id: str) -> set[Channel]:
    return {e.channel for e in pack.measures.type(measure_id).effects if e.refuse}


def test_what_each_restriction_turns_away(pack):
    assert refused(pack, "set_times") == refused(pack, "nominated_officer") == set()
    assert pack.measures.type("set_times").show_terms and pack.measures.type("nominated_officer").show_terms
    assert refused(pack, "appointment_only") == {Channel.counter, Channel.face_to_face}
    assert refused(pack, "writing_only") == {Channel.telephone, Channel.face_to_face, Channel.counter}
    assert refused(pack, "telephone_only") == {Channel.face_to_face, Channel.counter}
    assert refused(pack, "complaint_in_writing") == {Channel.telephone, Channel.face_to_face, Channel.counter}
    assert refused(pack, "premises_ban") == {Channel.counter, Channel.face_to_face}
    exhausted = pack.measures.type("complaint_in_writing")
    written = next(e for e in exhausted.effects if e.channel is Channel.written)
    assert any("significant new information" in line for line in written.guidance)
    assert any("Local Government and Social care Ombudsman" in line for line in written.guidance)


def test_every_channel_a_measure_refuses_has_a_way_to_turn_the_customer_away(pack):
    channels = {e.channel for spec in pack.measures.types for e in spec.effects if e.refuse}
    assert Channel.written not in channels
    for channel in channels:
        assert any(c.only_if == "restricted" for flow in pack.contact_flows(channel) for step in flow.steps
                   for c in step.choices), channel


# --- through the services ------------------------------------------------------------------------------

STAFF = Actor(number="5001", name="Sam Okafor", role="staff_member", office="Main office")
LINE_MANAGER = Actor(number="5002", name="Rita Chen", role="line_manager", office="Main office")
DETERMINATION = Actor(number="5003", name="Joe Banks", role="determination_team", office="Main office")


@pytest.fixture
def council(tmp_path, clock) -> Context:
    ctx = Context.open(tmp_path / "counter.db", Settings(policy="council"), clock=clock)
    for pin, actor in enumerate((STAFF, LINE_MANAGER, DETERMINATION), start=4200):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin=f"{pin}27")
    return ctx


def walk(ctx: Context, flow_id: str, numbers: list[int]) -> records.Finished:
    contact_id = contacts.start_contact(ctx, STAFF, flow_id, customer_name="Mr Alan Pryce", reference="C-2291",
                                        query="Council tax complaint")
    for number in numbers:
        contacts.take_step(ctx, STAFF, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.save_note(ctx, STAFF, contact_id, "Swore repeatedly and would not stop when asked.", version=0)
    drafted = records.draft_record(ctx, STAFF, contact_id)
    fields = {field_id: text or ("Typed" if required else "") for field_id, _, text, required in drafted}
    return records.finish(ctx, STAFF, contact_id, fields)


def test_a_call_ended_after_a_request_to_modify_reaches_the_line_manager_and_the_determination_team(council):
    finished = walk(council, "telephone", [2, 2, 2, 1, 1])
    assert finished.incident_id is not None
    assert queries.incident(council.store.db, finished.incident_id).recorded_at is not None
    tasks = {item.task.spec: item.task for item in queue.all_open(council).items}
    assert set(tasks) == {"report_to_line_manager", "determination_decision"}
    report, decide = tasks["report_to_line_manager"], tasks["determination_decision"]
    assert (report.role, decide.role) == ("line_manager", "determination_team")
    assert report.incident_id == decide.incident_id == finished.incident_id
    assert decide.due_at is None and report.due_at is None  # the document sets no clock; nor does this configuration
    assert decide.customer_name == "Mr Alan Pryce"


def test_an_immediate_risk_at_reception_goes_to_health_and_safety_and_the_police_support(council):
    finished = walk(council, "counter", [0, 1, 1])
    assert finished.incident_id is not None
    specs = sorted(queue.get_task(council, t).spec for t in finished.task_ids)
    assert specs == sorted(HS_POLICE_TASKS)
    roles = {queue.get_task(council, t).spec: queue.get_task(council, t).role for t in finished.task_ids}
    assert roles["health_and_safety_report"] == "health_and_safety_officer"
    assert roles["police_support"] == "line_manager"


def test_a_customer_calmed_by_empathy_records_nothing(council):
    finished = walk(council, "telephone", [1])
    assert (finished.incident_id, finished.task_ids) == (None, [])
    assert queue.all_open(council).items == []
