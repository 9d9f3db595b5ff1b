"""The ICO's pack: sound, free of contact details, quoting the document where it says it does, and
routing each contact on the telephone, in person and in writing to the record and hand-offs the
procedure gives (the terminated call log and the line manager's discussion, the line manager's
discussion of unacceptable comments in writing, a call-back by a supervisor or manager, a first name
reported to the line manager, a threat of self-harm to a senior member of staff).

GIVEN the shipped `ico` pack (and the seed document beside the checkout, where it is), WHEN it is
linted, searched, walked through the engine, followed through the services or pressed key by key,
THEN what the procedure says holds.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from textual.widgets import TextArea

from counter_tui.app import CounterApp
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.lint import lint
from counter_tui.policy.loader import load_pack, shipped_pack_ids
from counter_tui.policy.schema import Channel, Outcome, Pack
from counter_tui.screens.record import RecordScreen
from counter_tui.screens.summary import SummaryScreen
from counter_tui.services import contacts, measure_record, measures, queue, records
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors
from counter_tui.store import events, queries
from tests.conftest import make_context

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
"""The guidance documents, beside the checkout (not shipped with the product)."""
DOCUMENT = SEEDS / "001_dc49581ecf8c332e.txt"
needs_document = pytest.mark.skipif(not DOCUMENT.is_file(), reason="the guidance documents are not beside this checkout")

PACK_TEXT = (resources.files("counter_tui.data.policies") / "ico.toml").read_text(encoding="utf-8")

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s-]?)?\(?\d{2,5}\)?(?:[\s-]?\d{2,4}){2,4}(?![\w])")

VOICE = ["telephone", "face_to_face"]
CHANNELS = [*VOICE, "written"]
LOG, DISCUSS = "terminated_call_log", ["discuss_call_log"]
DEFINITIONS = {
    "difficult": "Difficult customer behaviour – ",
    "persistent": "Persistent customer behaviour – ",
    "offensive": "Offensive or insulting customer behaviour – ",
    "abusive": "Abusive or threatening customer behaviour – ",
}
"""How each of the four levels' definitions opens on the first step of every channel (5.2-5.5)."""


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("ico")


def flat(text: str) -> str:
    """Text compared loosely: curly quotes straightened, markdown emphasis dropped, whitespace collapsed."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("**", "").replace("*", "")
    return " ".join(text.split())


# --- the pack as a whole -------------------------------------------------------------------------


def test_ico_is_shipped_and_lints_clean(pack):
    assert "ico" in shipped_pack_ids()
    assert (pack.id, pack.organisation) == ("ico", "Information Commissioner's Office")
    assert "001_dc49581ecf8c332e.txt" in pack.source
    assert lint(pack) == []


def test_roles_and_the_four_behaviour_levels(pack):
    assert [r.id for r in pack.roles] == ["call_handler", "line_manager", "senior", "head_of_department"]
    assert [(b.id, b.name, b.section) for b in pack.behaviours] == [
        ("difficult", "Difficult", "5.2"), ("persistent", "Persistent", "5.3"),
        ("offensive", "Offensive or insulting", "5.4"), ("abusive", "Abusive or threatening", "5.5")]
    assert [b.id for b in pack.behaviours if not b.may_end_contact] == ["difficult"]


def test_review_notes_name_the_gaps_instead_of_inventing_rules(pack):
    notes = " ".join(pack.review_notes)
    for gap in ("[deadlines] discuss_call_log", "the Appendix form covers calls only", "a flow for contact in person",
                "no video or public counter flow", "never ends a contact, so it completes no terminated call log",
                "[deadlines] line_manager_written", "[deadlines] report_to_line_manager", "Case Review and Service",
                "the one 'senior' role", "due at the date and time typed", "Counter does not know who a member of staff's line manager is",
                "internal compliance department", "never refuses the customer", "The document gives no words",
                "14 (managers intervening in a contact) is built into Counter"):
        assert gap in notes, gap


def test_no_configured_clock_has_an_invented_default(pack):
    """The document sets none of these clocks: unconfigured, such a task has no due time (issue 18.11)."""
    defaults = Settings().deadlines
    for task in pack.tasks:
        if task.due.config is not None:
            assert task.due.config not in defaults, task.id
            assert "configuration" in task.due.section, task.id


def test_section_14_is_left_to_the_code():
    header = PACK_TEXT.split("\nid = ")[0]
    assert "14.1-14.2" in header and "built into Counter's code" in header


# --- no contact details ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [PACK_TEXT, load_pack("ico").model_dump_json()], ids=["toml", "model"])
def test_no_email_address_or_phone_number_anywhere(text):
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []


def test_the_patterns_would_catch_contact_details():
    assert EMAIL.findall("write to casework@ico.example.org.uk") == ["casework@ico.example.org.uk"]
    assert PHONE.findall("call 0303 123 1113 or +44 1625 545 745")


# --- the document's own words ---------------------------------------------------------------------


def said_lines(pack: Pack, *, from_guidance: bool) -> list[str]:
    lines = [line for flow in pack.flows for step in flow.steps if step.words_from_guidance == from_guidance
             for line in step.say]
    lines += [line for spec in pack.measures.types for effect in spec.effects
              if effect.words_from_guidance == from_guidance for line in effect.say]
    return lines


def test_the_document_gives_no_words_so_every_line_to_say_is_marked_as_the_packs_own(pack):
    assert said_lines(pack, from_guidance=True) == []
    own = said_lines(pack, from_guidance=False)
    assert "I think [say precisely what behaviour] to be unacceptable." in own
    assert "My name is [your name], [your department]." in own


@needs_document
def test_no_line_marked_as_the_packs_own_is_the_documents_word_for_word(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    for line in said_lines(pack, from_guidance=False):
        assert flat(line) not in document, line


@needs_document
def test_the_definitions_and_the_first_steps_are_the_documents_words(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    for behaviour in pack.behaviours:
        assert flat(behaviour.definition).lower() in document.lower(), behaviour.id
    for flow_id in CHANNELS:
        for line in pack.flow(flow_id).step("behaviour").guidance:
            assert flat(line) in document, (flow_id, line)
    for flow_id in VOICE:
        for step_id in ("offensive_explain", "offensive_warn", "offensive_end", "abusive", "escalation", "give_name"):
            for line in pack.flow(flow_id).step(step_id).guidance:
                assert flat(line) in document, (flow_id, step_id, line)


@pytest.mark.parametrize("flow_id", CHANNELS)
def test_every_channel_shows_the_four_levels_with_their_definitions_and_6_1_first(pack, flow_id):
    flow = pack.flow(flow_id)
    first = flow.step(flow.start)
    assert first.id == "behaviour" and "5.2–5.5; 6.1" in first.section
    assert [line.split("– ")[0] + "– " for line in first.guidance[:4]] == list(DEFINITIONS.values())
    for behaviour, line in zip(pack.behaviours, first.guidance[:4], strict=True):
        assert line.endswith(behaviour.definition[1:]), behaviour.id
    assert any("We will use our 'Reasonable Adjustments Policy'" in line for line in first.guidance)
    assert any("difficulty hearing may speak with a raised voice" in line for line in first.guidance)
    assert [c.behaviour for c in first.choices[:4]] == ["difficult", "persistent", "offensive", "abusive"]
    assert [c.label.split(":")[0] for c in first.choices[:4]] == [b.name for b in pack.behaviours]


# --- the flows, through the engine ------------------------------------------------------------------


def voice(flow_id: str) -> list[tuple]:
    """The endings of a call or a contact in person: (flow, choices, final, outcome, tasks, form)."""
    return [
        (flow_id, [1, 1], "difficult_continue", Outcome.improved, [], None),
        (flow_id, [1, 2, 1], "difficult_continue", Outcome.improved, [], None),
        (flow_id, [1, 2, 2, 1], "call_back", Outcome.call_back_arranged, ["call_back"], "call_back_note"),
        (flow_id, [2], "persistent", Outcome.referred, ["consider_persistent"], None),
        (flow_id, [3, 1], "offensive_stopped", Outcome.improved, [], None),
        (flow_id, [3, 3, 1], "offensive_stopped", Outcome.improved, [], None),
        (flow_id, [3, 3, 2, 1], "ended", Outcome.ended, DISCUSS, LOG),
        (flow_id, [3, 3, 4, 2, 1], "ended", Outcome.ended, DISCUSS, LOG),
        (flow_id, [3, 3, 3, 1], "ended", Outcome.ended, DISCUSS, LOG),
        (flow_id, [4, 1], "ended", Outcome.ended, DISCUSS, LOG),
        (flow_id, [4, 2], "ended", Outcome.ended, DISCUSS, LOG),
        (flow_id, [1, 3, 3, 2, 1], "ended", Outcome.ended, DISCUSS, LOG),
        (flow_id, [5, 1], "self_harm_referred", Outcome.referred, ["self_harm_report"], "self_harm_report"),
        (flow_id, [5, 2, 2, 1], "self_harm_call_back", Outcome.call_back_arranged, ["self_harm_report", "call_back"],
         "self_harm_report"),
        (flow_id, [6, 1, 1], "escalation_carry_on", Outcome.improved, [], None),
        (flow_id, [6, 2, 1], "transferred", Outcome.referred, [], "transfer_record"),
        (flow_id, [6, 3, 1], "escalation_call_back", Outcome.call_back_arranged, ["escalation_call_back"],
         "escalation_call_back"),
        (flow_id, [7, 1], "name_given", Outcome.improved, [], None),
        (flow_id, [7, 3, 1], "first_name_reported", Outcome.improved, ["first_name_reported"], "first_name_only"),
        (flow_id, [7, 3, 2, 1], "first_name_reported", Outcome.improved, ["first_name_reported"], "first_name_only"),
    ]


ENDINGS = [
    *voice("telephone"), *voice("face_to_face"),
    ("written", [1, 1], "reply", Outcome.improved, [], None),
    ("written", [1, 2, 1], "comments_referred", Outcome.referred, ["discuss_written_reply"], "unacceptable_comments"),
    ("written", [2], "persistent", Outcome.referred, ["consider_persistent"], None),
    ("written", [3, 1], "comments_referred", Outcome.referred, ["discuss_written_reply"], "unacceptable_comments"),
    ("written", [4, 1], "comments_referred", Outcome.referred, ["discuss_written_reply"], "unacceptable_comments"),
    ("written", [4, 2], "self_harm", Outcome.referred, ["self_harm_report"], "self_harm_report"),
    ("written", [5], "self_harm", Outcome.referred, ["self_harm_report"], "self_harm_report"),
    ("written", [6, 1], "reply", Outcome.improved, [], None),
    ("written", [6, 2], "passed_on", Outcome.referred, [], "transfer_record"),
    ("self_harm_assessment", [1], "assessed", Outcome.completed, [], "self_harm_assessment"),
    ("self_harm_assessment", [2], "assessed", Outcome.completed, [], "self_harm_assessment"),
    ("self_harm_assessment", [3, 2], "assessed", Outcome.completed, [], "self_harm_assessment"),
    ("self_harm_assessment", [3, 1], "disclosed", Outcome.completed, [], "vital_interests_disclosure"),
]
ENDING_IDS = [f"{e[0]}-{e[2]}-{''.join(map(str, e[1]))}" for e in ENDINGS]


@pytest.mark.parametrize(("flow_id", "numbers", "final", "outcome", "tasks", "form"), ENDINGS, ids=ENDING_IDS)
def test_each_way_a_flow_finishes(pack, flow_id, numbers, final, outcome, tasks, form):
    state = engine.start(pack, flow_id)
    for number in numbers:
        state = engine.choose(pack, state, number, engine.Facts()).after
    step = engine.current_step(pack, state)
    assert step.id == final and step.is_final
    assert (step.outcome, step.tasks, step.form) == (outcome, tasks, form)
    assert not step.record_incident and not step.no_incident
    assert engine.ending_problem(pack, state) is None


def test_the_table_above_covers_every_final_step(pack):
    covered = {(e[0], e[2]) for e in ENDINGS}
    assert covered == {(flow.id, step.id) for flow in pack.flows for step in flow.steps if step.is_final}


def test_each_flow_is_on_its_channel(pack):
    assert {f.id: (f.channel, f.role, f.follow_up, f.warnings_before_end) for f in pack.flows} == {
        "telephone": (Channel.telephone, "call_handler", False, 2),
        "face_to_face": (Channel.face_to_face, "call_handler", False, 2),
        "written": (Channel.written, "call_handler", False, 0),
        "self_harm_assessment": (Channel.telephone, "senior", True, 0),
    }
    assert pack.task("self_harm_report").flow == "self_harm_assessment"


def states(pack: Pack, flow_id: str):
    """Every reachable state of a flow (warnings capped at three, so loops end)."""
    flow = pack.flow(flow_id)
    seen, todo = set(), deque([engine.start(pack, flow_id)])
    while todo:
        state = todo.popleft()
        key = (state.step_id, min(state.warnings, 3), state.allowed_by, state.behaviour)
        if key in seen:
            continue
        seen.add(key)
        yield state
        for number in range(1, len(flow.step(state.step_id).choices) + 1):
            todo.append(engine.choose(pack, state, number).after)


@pytest.mark.parametrize("flow_id", VOICE)
def test_difficult_is_never_ended_and_offensive_is_explained_then_warned_first(pack, flow_id):
    """7.3: difficult behaviour is never ended; 7.4: offensive behaviour is ended only after both the
    explanation and the warning; 7.5.1: abusive behaviour may be ended at once."""
    flow = pack.flow(flow_id)
    endings = [s for s in states(pack, flow_id) if flow.step(s.step_id).outcome is Outcome.ended]
    assert endings
    for state in endings:
        assert state.behaviour in ("offensive", "abusive")
        assert engine.ending_problem(pack, state) is None
        if state.allowed_by is None:
            assert state.behaviour == "offensive" and state.warnings >= 2
    assert {flow.step(s).outcome for s in ("difficult_continue", "call_back")} == {Outcome.improved, Outcome.call_back_arranged}
    assert [s.id for s in flow.steps if s.warning] == ["offensive_explain", "offensive_warn"]
    assert flow.step("offensive_explain").section.startswith("7.4.1")
    assert flow.step("offensive_warn").section == "7.4.3"


@pytest.mark.parametrize("flow_id", VOICE)
def test_every_ending_completes_the_terminated_call_log_for_the_line_managers_discussion(pack, flow_id):
    flow = pack.flow(flow_id)
    for step in flow.steps:
        if step.outcome is Outcome.ended:
            assert (step.form, step.tasks) == (LOG, DISCUSS), step.id
    assert [f.label for f in pack.form(LOG).fields] == [
        "Name of caller (if known)", "Case reference (where applicable)", "Date and time of call",
        "Reason for terminating the call", "Your name"]
    discuss = pack.task("discuss_call_log")
    assert (discuss.role, discuss.due.config) == ("line_manager", "discuss_call_log")


def test_the_written_flow_never_ends_a_contact(pack):
    flow = pack.flow("written")
    assert all(step.outcome is not Outcome.ended for step in flow.steps)
    assert all(c.allowed_by is None for step in flow.steps for c in step.choices)
    comments = flow.step("comments_referred")
    assert comments.tasks == ["discuss_written_reply"] and comments.section == "7.6"
    discuss = pack.task("discuss_written_reply")
    assert (discuss.role, discuss.due.config) == ("line_manager", "line_manager_written")
    assert "When writing letters or emails, full names must always be provided." in flow.step("behaviour").guidance


@pytest.mark.parametrize("flow_id", VOICE)
def test_the_complaint_route_when_the_customer_objects(pack, flow_id):
    flow = pack.flow(flow_id)
    complaint = flow.step("offensive_complaint")
    assert "7.4.3" in complaint.section and not complaint.words_from_guidance and not complaint.warning
    assert [c.next for c in flow.step("offensive_warn").choices] == [
        "offensive_stopped", "offensive_end", "abusive", "offensive_complaint"]
    assert any("[how to make a service complaint]" in line for line in complaint.say)


@pytest.mark.parametrize("flow_id", CHANNELS)
def test_escalation_is_never_just_because_they_ask(pack, flow_id):
    """9.1: every choice that escalates says escalating would help; a call-back falls due at the time agreed."""
    step = pack.flow(flow_id).step("escalation")
    assert step.guidance[0].startswith("Customers should not be escalated to a more senior person simply because they ask for it")
    escalating = [c for c in step.choices if c.next not in ("escalation_declined", "reply")]
    assert escalating and all("would help" in c.label for c in escalating)
    record = pack.form("transfer_record")
    assert [f.id for f in record.fields if f.required] == ["senior_name", "senior_position", "why"]


def test_the_escalation_call_back_falls_due_at_the_time_typed(pack):
    task = pack.task("escalation_call_back")
    assert (task.role, task.due.field) == ("senior", "call_back_at")
    [when] = [f for f in pack.form("escalation_call_back").fields if f.when]
    assert (when.id, when.required) == ("call_back_at", True)


@pytest.mark.parametrize("flow_id", VOICE)
def test_a_name_is_always_given(pack, flow_id):
    """10.1: the full name normally; a first name only with a reason for the line manager; never no name."""
    flow = pack.flow(flow_id)
    give = flow.step("give_name")
    assert "Under no circumstances should a member of ICO staff refuse to provide any name to a customer." in give.guidance
    assert give.say == ["My name is [your name], [your department]."]
    labels = [c.label.lower() for step in flow.steps for c in step.choices]
    assert not any("refuse" in label or "no name" in label for label in labels)
    assert flow.step("first_name_reported").tasks == ["first_name_reported"]
    assert any("line manager's full name" in line for line in flow.step("name_objection").say)
    task = pack.task("first_name_reported")
    assert (task.role, task.due.config) == ("line_manager", "report_to_line_manager")


@pytest.mark.parametrize("flow_id", CHANNELS)
def test_threats_of_harm_go_to_a_senior_member_of_staff_at_once_on_every_channel(pack, flow_id):
    flow = pack.flow(flow_id)
    starts = {c.next for s in flow.steps for c in s.choices if c.immediate_risk}
    assert starts
    finals = {s.id for s in flow.steps if s.is_final and "self_harm_report" in s.tasks}
    assert finals
    for step_id in finals:
        assert flow.step(step_id).form == "self_harm_report"
    report = pack.task("self_harm_report")
    assert (report.role, report.due.hours) == ("senior", 0)


def test_the_seniors_assessment_and_a_vital_interests_disclosure(pack):
    flow = pack.flow("self_harm_assessment")
    assert "assess whether to contact other agencies" in flow.step("assess").guidance[0]
    assert "vital interests of the individual" in flow.step("vital_interests").guidance[0]
    labels = [f.label for f in pack.form("vital_interests_disclosure").fields]
    assert "Internal compliance department: whom you notified, and when" in labels
    assert "Why the disclosure is in the vital interests of the individual" in labels


# --- control measures -------------------------------------------------------------------------------


def test_restrictions_and_adjustments_are_decided_by_a_head_of_department_and_shown_on_every_channel(pack):
    rules = pack.measures
    assert (rules.decide_task, rules.proposed_by) == ("restriction_decision", ["line_manager"])
    for spec in rules.types:
        assert spec.decided_by == ["head_of_department"] and spec.show_terms
        assert [e.channel for e in spec.effects] == [Channel.telephone, Channel.face_to_face, Channel.written]
        assert not any(e.refuse for e in spec.effects) and all(e.section == "12.3" for e in spec.effects)
    assert not any(c.only_if for flow in pack.flows for step in flow.steps for c in step.choices)


# --- through the services ------------------------------------------------------------------------------

HANDLER = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
MANAGER = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
SENIOR = Actor(number="6001", name="Aisha Rahman", role="senior", office="Main office")
HEAD = Actor(number="8001", name="Morgan Reid", role="head_of_department", office="Main office")
NOTE = "Swore at me repeatedly and carried on after I explained and warned him."


@pytest.fixture
def ico(tmp_path, clock) -> Context:
    """The ICO pack on a real database. The services act for the actors above; no one signs in, so no
    staff accounts (and no PIN hashing) are needed."""
    ctx = Context.open(tmp_path / "ico.db", Settings(policy="ico"), clock=clock)
    yield ctx
    ctx.store.close()


def walk(ctx: Context, flow_id: str, numbers: list[int], actor: Actor = HANDLER, **typed: str) -> records.Finished:
    contact_id = contacts.start_contact(ctx, actor, flow_id, customer_name="Mr Craig Benson", reference="RFA0457712",
                                        query="Why his FOI request was refused")
    for number in numbers:
        contacts.take_step(ctx, actor, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.save_note(ctx, actor, contact_id, NOTE, version=0)
    drafted = records.draft_record(ctx, actor, contact_id)
    fields = {field_id: text or ("Typed" if required else "") for field_id, _, text, required in drafted}
    return records.finish(ctx, actor, contact_id, fields | typed)


def queued(ctx: Context, actor: Actor) -> list[tuple[str, str]]:
    return [(i.task.spec, i.task.customer_name) for i in queue.my_queue(ctx, actor).items]


def local(ctx: Context, moment: datetime) -> str:
    return moment.astimezone(ctx.settings.zone).strftime("%Y-%m-%d %H:%M")


def test_difficult_on_the_telephone_is_never_ended_and_the_call_back_is_due_within_24_hours(ico):
    finished = walk(ico, "telephone", [1, 2, 2, 1], call_back_time="15:30 today")
    assert finished.incident_id is None
    contact = queries.contact(ico.store.db, finished.contact_id)
    assert (contact.outcome, contact.status) == ("call_back_arranged", "finished")
    [task] = [queue.get_task(ico, t) for t in finished.task_ids]
    assert (task.spec, task.role, task.due_at - task.created_at) == ("call_back", "call_handler", timedelta(hours=24))


def test_offensive_explained_then_warned_then_ended_completes_the_terminated_call_log(ico):
    finished = walk(ico, "telephone", [3, 3, 2, 1])
    assert finished.incident_id is not None
    kinds = [e.kind for e in events.for_stream(ico.store.db, f"contact:{finished.contact_id}")]
    assert kinds == ["contact.started", *["step.taken"] * 4, "note.saved", "contact.finished"]
    steps = [s.step for s in queries.steps(ico.store.db, finished.contact_id)]
    assert steps == ["behaviour", "offensive_explain", "offensive_warn", "offensive_end"]
    record = queries.contact_record(ico.store.db, finished.contact_id)
    assert (record["caller_name"], record["case_reference"], record["reason"], record["your_name"]) == (
        "Mr Craig Benson", "RFA0457712", NOTE, HANDLER.name)
    assert queued(ico, MANAGER) == [("discuss_call_log", "Mr Craig Benson")]
    [task] = [queue.get_task(ico, t) for t in finished.task_ids]
    assert task.due_at is None  # 8.2 sets no clock and this configuration sets no [deadlines] discuss_call_log


def test_abusive_in_person_is_ended_at_once_with_the_terminated_call_log(ico):
    finished = walk(ico, "face_to_face", [4, 2])
    state = contacts.view(ico, finished.contact_id).state
    assert (state.warnings, state.allowed_by, state.behaviour) == (0, "7.5.1", "abusive")
    assert finished.incident_id is not None
    assert queries.incident(ico.store.db, finished.incident_id).channel == "face_to_face"
    assert queued(ico, MANAGER) == [("discuss_call_log", "Mr Craig Benson")]


def test_unacceptable_comments_in_writing_wait_for_the_line_managers_discussion(ico):
    finished = walk(ico, "written", [3, 1])
    assert finished.incident_id is None
    assert queries.contact(ico.store.db, finished.contact_id).outcome == "referred"
    assert queries.contact_record(ico.store.db, finished.contact_id)["comments"] == NOTE
    assert queued(ico, MANAGER) == [("discuss_written_reply", "Mr Craig Benson")]
    task = queue.get_task(ico, finished.task_ids[0])
    assert task.due_at is None  # 7.6 sets no clock and this configuration sets no [deadlines] line_manager_written
    assert queue.originating_record(ico, task)[2] == ("The comments you think unacceptable, as written", NOTE)


def test_a_call_back_by_a_senior_member_of_staff_falls_due_at_the_time_agreed(ico):
    agreed = ico.clock.now() + timedelta(hours=5)
    with pytest.raises(FieldErrors) as caught:
        walk(ico, "telephone", [6, 3, 1], call_back_at=local(ico, ico.clock.now() - timedelta(hours=1)))
    assert set(caught.value.errors) == {"call_back_at"}
    finished = walk(ico, "telephone", [6, 3, 1], call_back_at=local(ico, agreed), manager="Aisha Rahman, Senior case officer")
    [task] = [queue.get_task(ico, t) for t in finished.task_ids]
    assert (task.spec, task.role) == ("escalation_call_back", "senior")
    assert task.due_at == agreed.replace(second=0, microsecond=0)
    assert queued(ico, SENIOR) == [("escalation_call_back", "Mr Craig Benson")]


def test_a_transfer_records_the_name_and_position_and_hands_off_nothing(ico):
    finished = walk(ico, "telephone", [6, 2, 1], senior_name="Aisha Rahman", senior_position="Senior case officer")
    assert finished.task_ids == [] and finished.incident_id is None
    record = queries.contact_record(ico.store.db, finished.contact_id)
    assert (record["senior_name"], record["senior_position"]) == ("Aisha Rahman", "Senior case officer")


def test_a_first_name_only_is_reported_to_the_line_manager(ico):
    finished = walk(ico, "face_to_face", [7, 3, 2, 1], reason="He said he would find me on social media.")
    said = [s.label for s in queries.steps(ico.store.db, finished.contact_id)]
    assert said[-1] == "Given: carry on, and report it to my line manager"
    assert queued(ico, MANAGER) == [("first_name_reported", "Mr Craig Benson")]
    task = queue.get_task(ico, finished.task_ids[0])
    assert ("The reason for withholding your last name", "He said he would find me on social media.") in \
        queue.originating_record(ico, task)


def test_threats_in_writing_reach_the_senior_at_once_who_records_a_vital_interests_disclosure(ico):
    finished = walk(ico, "written", [5], senior=SENIOR.name)
    [task] = [queue.get_task(ico, t) for t in finished.task_ids]
    assert (task.spec, task.role, task.due_at - task.created_at) == ("self_harm_report", "senior", timedelta(0))
    assessment = queue.open_task(ico, SENIOR, task.id)
    for number in (3, 1):
        contacts.take_step(ico, SENIOR, assessment, number, at_step=contacts.view(ico, assessment).step.id)
    assert contacts.view(ico, assessment).step.id == "disclosed"
    records.finish(ico, SENIOR, assessment, {
        "assessment": "Spoke to Owen: the letter names a date and a method.", "authority": "Local police",
        "details_provided": "Name, address, the letter", "vital_interests": "A specific threat to her life tonight.",
        "compliance_notified": "The compliance team's duty officer, 11:40"})
    assert queue.get_task(ico, task.id).status == "done"
    assert queries.contact_record(ico.store.db, assessment)["authority"] == "Local police"


def test_a_restriction_decided_by_a_head_of_department_shows_on_every_channel(ico):
    finished = walk(ico, "telephone", [2])
    customer_id = queries.contact(ico.store.db, finished.contact_id).customer_id
    task_id = measures.propose(ico, MANAGER, customer_id, "Fourteen calls this month on a closed complaint.")
    measures.decide(ico, HEAD, task_id, measures=[
        {"spec": "restricted_contact", "reason": "Calls taken on Tuesdays only.", "review_on": "2027-05-25"}])
    for channel in CHANNELS:
        [shown] = measure_record.on_record(ico, customer_id, channel)
        assert (shown.spec.id, shown.measure.reason, shown.refused_here) == ("restricted_contact", "Calls taken on Tuesdays only.", False)


# --- key by key ------------------------------------------------------------------------------------

SAM = [*"1001", "enter", *"123427", "enter"]


async def finish_record(pilot, app) -> None:
    assert isinstance(app.screen, RecordScreen), type(app.screen).__name__
    for field_id, _, text, required in app.screen._fields:
        widget = app.screen.query_one(f"#field-{field_id}")
        if not text and required:
            if isinstance(widget, TextArea):
                widget.load_text("Recorded in the test")
            else:
                widget.value = "Recorded in the test"
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, SummaryScreen), "the record was refused"


async def test_pressed_key_by_key_an_offensive_call_ended_then_a_letter_for_the_line_manager(tmp_path, clock):
    """One sign-in, two contacts: a call explained, warned and ended (7.4, 8.1), then a letter of
    unacceptable comments drawn to the line manager's attention (7.6)."""
    ctx = make_context(tmp_path / "ico.db", clock, policy="ico")
    app = CounterApp(ctx)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press(*SAM, "1", "enter", "3", "3", "2", "1")
        await pilot.pause()
        await finish_record(pilot, app)
        await pilot.press("enter", "3", "enter", "3", "1")
        await pilot.pause()
        await finish_record(pilot, app)
    found = ctx.store.db.execute("SELECT id, channel, outcome FROM contacts ORDER BY id").fetchall()
    assert [(channel, outcome) for _, channel, outcome in found] == [("telephone", "ended"), ("written", "referred")]
    assert [contacts.view(ctx, contact_id).step.id for contact_id, *_ in found] == ["ended", "comments_referred"]
    assert [[t.spec for t in queries.tasks_for_contact(ctx.store.db, contact_id)] for contact_id, *_ in found] == [
        ["discuss_call_log"], ["discuss_written_reply"]]
