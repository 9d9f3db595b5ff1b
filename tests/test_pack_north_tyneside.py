"""North Tyneside Council's pack: sound, free of the document's contact details, quoting the document
where it says it does, and routing each contact the way "Delivering Safe Customer Service" does: a
dynamic risk assessment before any request to moderate (5.5; 5.8), withdrawing when not safe, the
Police question (5.6; 5.7: the employee's choice, the service team manager's decision, a serious
assault at once, hate crimes), the online incident report with its RIDDOR question (5.7), further
action by team or service managers (5.9; 9) and the private 121 meeting (6).

GIVEN the shipped `north_tyneside` pack (and the seed document beside the checkout, where it is), WHEN
it is linted, searched, walked through the engine or followed through the services and the app, THEN
what the document says holds.
"""

from __future__ import annotations

import re
from collections import deque
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
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.screens.summary import SummaryScreen
from counter_tui.services import contacts, incident_report, measure_record, measures, queue, records, staff, welfare
from counter_tui.services.context import Context
from counter_tui.services.errors import Refused
from counter_tui.store import events, queries

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
"""The guidance documents, beside the checkout (not shipped with the product)."""
DOCUMENT = SEEDS / "004_0c4e1caec6a02758.txt"
needs_document = pytest.mark.skipif(not DOCUMENT.is_file(), reason="the guidance documents are not beside this checkout")

PACK_TEXT = (resources.files("counter_tui.data.policies") / "north_tyneside.toml").read_text(encoding="utf-8")

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s-]?)?\(?\d{2,5}\)?(?:[\s-]?\d{2,4}){2,4}(?![\w])")
URL = re.compile(r"https?://|www\.|\.gov\.uk|wistia", re.I)

CONTACT_FLOWS = ["telephone", "face_to_face", "counter", "written"]
NINE = ["Disability", "Sexual Orientation", "Gender Reassignment", "Race", "Religion/Belief", "Sex", "Age",
        "Marriage/Civil Partnership", "Pregnancy/Maternity"]
FIRST_FIVE = "disability, sexual orientation, gender reassignment, race or religion/belief"

POLICE = ["inform_police", "health_and_safety_support", "consider_further_action"]
DECISION = ["police_decision", "health_and_safety_support", "consider_further_action"]
SERIOUS = ["police_serious_assault", "health_and_safety_support", "consider_further_action"]
ON_EVERY_INCIDENT = ["welfare_one_to_one", "complete_incident_report"]
RECORD = "incident_record"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("north_tyneside")


def flat(text: str) -> str:
    """Text compared loosely: curly quotes straightened, markdown emphasis dropped, whitespace collapsed."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("**", "").replace("*", "")
    return " ".join(text.split())


# --- the pack as a whole -------------------------------------------------------------------------


def test_north_tyneside_is_shipped_and_lints_clean(pack):
    assert "north_tyneside" in shipped_pack_ids()
    assert (pack.id, pack.organisation) == ("north_tyneside", "North Tyneside Council")
    assert "004_0c4e1caec6a02758.txt" in pack.source and "Delivering Safe Customer Service" in pack.source
    assert lint(pack) == []
    assert pack.positive_action_log is None and pack.letters == []


def test_roles_and_the_eight_behaviours_of_annex_c(pack):
    assert [(r.id, r.name) for r in pack.roles] == [
        ("employee", "Employee"), ("line_manager", "Line manager"),
        ("service_team_manager", "Team or service manager"), ("health_and_safety_team", "Health & Safety Team")]
    assert [(b.id, b.name) for b in pack.behaviours] == [
        ("threatening", "Threatening"), ("bullying", "Bullying"), ("discriminatory", "Discriminatory"),
        ("abusive", "Abusive"), ("frequency", "Frequency"), ("repetition", "Repetition"), ("duration", "Duration"),
        ("nature", "Nature")]
    assert all(b.section == "4; Annex C" and b.may_end_contact for b in pack.behaviours)


def test_review_notes_name_the_gaps_instead_of_inventing_rules(pack):
    notes = " ".join(pack.review_notes)
    for gap in ("gives no words for staff to say", "never says a member of staff may end", "does not name channels",
                "printed '1.'", "'Nature'", "interferes without ability", "'gender' for 'sex'",
                "how staff tell a hate crime from a hate incident", "without defining them",
                "online Incident Reporting System", "RIDDOR", "Restricting Access procedure", "particular issue(s)",
                "[deadlines] incident_report, welfare_one_to_one, police_report, police_decision, health_and_safety_investigation and further_action_decision",
                "does not ask the employee to sign", "staff_support", "[retention] incident_years and contact_years",
                "representation by a family member, friend or support worker"):
        assert gap in notes, gap


def test_no_configured_clock_has_a_default_and_only_a_serious_assault_has_its_own(pack):
    defaults = Settings().deadlines
    for task in pack.tasks:
        assert task.due.section, task.id
        if task.due.config is not None:
            assert task.due.config not in defaults, task.id
    assert [t.id for t in pack.tasks if t.due.hours is not None] == ["police_serious_assault"]
    assert pack.task("police_serious_assault").due.hours == 0
    assert "immediately" in pack.task("police_serious_assault").due.section


# --- no contact details ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [PACK_TEXT, load_pack("north_tyneside").model_dump_json()], ids=["toml", "model"])
def test_no_email_address_phone_number_link_or_registration_code_anywhere(text):
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []
    assert URL.findall(text) == []
    assert "NTCCL" not in text


@needs_document
def test_the_patterns_catch_the_documents_own_contact_details():
    """GIVEN the document's mailbox and helplines THEN the patterns above find them (so the test above can fail)."""
    document = DOCUMENT.read_text(encoding="utf-8")
    assert EMAIL.findall(document) == ["HealthandSafetyTeam@northtyneside.gov.uk"]
    assert len(PHONE.findall(document)) >= 2
    assert "NTCCL" in document and URL.search(document)


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
    assert "If it continues, I will end this call." in own


@needs_document
def test_a_line_marked_as_the_packs_own_is_not_the_documents(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    for line in said_lines(pack, from_guidance=False):
        assert flat(line) not in document, line


@needs_document
def test_the_definitions_and_the_quoted_guidance_are_the_documents_words(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    for behaviour in pack.behaviours:
        assert flat(f"{behaviour.name} {behaviour.definition}") in document, behaviour.id
    for flow in pack.flows:
        for step in flow.steps:
            if step.id in ("identify", "risk_assessment", "ask_to_moderate", "conduct", "persistence") or \
                    step.id.startswith(("police_", "hate_", "report")):
                for line in step.guidance:
                    if step.id in ("conduct", "persistence"):  # "Threatening: Intimidation or ..." as Annex C's row
                        line = re.sub(r"^(\w+): ", r"\1 ", line)
                    assert flat(line.rstrip(":")) in document, (flow.id, step.id, line)
    for task_id in ("complete_incident_report", "police_decision", "health_and_safety_support", "welfare_one_to_one"):
        for line in pack.task(task_id).instructions:
            if not line.startswith(("The employee", "The document")):
                assert flat(line) in document, (task_id, line)


def test_the_nine_protected_characteristics_and_hate_incidents_for_the_first_five(pack):
    field = next(f for f in pack.form(RECORD).fields if f.id == "protected_characteristic")
    assert all(name in field.label for name in NINE) and not field.required
    for flow_id in CONTACT_FLOWS:
        hate = [c for s in pack.flow(flow_id).steps for c in s.choices if c.next.startswith("hate_")]
        assert hate and all(FIRST_FIVE in c.label for c in hate), flow_id
    conduct = " ".join(pack.flow("telephone").step("conduct").guidance)
    assert "It also includes Hate Crimes or Hate Incidents based upon the first 5 protected characteristics" in conduct


# --- the flows, through the engine ------------------------------------------------------------------

RESTRICTED = engine.Facts(restricted=True)


def voice(flow_id: str) -> list[tuple]:
    """(flow, choices, final step, outcome, tasks, form) for a call, a meeting or the counter."""
    found = [
        (flow_id, [1], "carry_on", Outcome.improved, [], None),
        (flow_id, [2, 1, 1, 1, 1], "improved_recorded", Outcome.improved, [], RECORD),
        (flow_id, [3, 2, 1, 1, 2, 1], "improved_police", Outcome.improved, POLICE, RECORD),
        (flow_id, [2, 3, 1, 1, 3, 2], "improved_police_decision", Outcome.improved, DECISION, RECORD),
        (flow_id, [2, 4, 1, 2, 1, 1], "ended_recorded", Outcome.ended, ["consider_further_action"], RECORD),
        (flow_id, [2, 1, 1, 2, 1, 2, 1], "ended_police", Outcome.ended, POLICE, RECORD),
        (flow_id, [2, 3, 1, 3, 1, 3, 2], "ended_police_decision", Outcome.ended, DECISION, RECORD),
        (flow_id, [0, 1, 2, 2], "ended_police_decision", Outcome.ended, DECISION, RECORD),
        (flow_id, [4], "restricted", Outcome.ended, [], "restricted_note"),
    ]
    if flow_id != "telephone":
        found.append((flow_id, [2, 1, 2, 1, 4], "ended_serious_assault", Outcome.ended, SERIOUS, RECORD))
    return found


ENDINGS = [
    *voice("telephone"), *voice("face_to_face"), *voice("counter"),
    ("written", [1], "dealt_with", Outcome.improved, [], None),
    ("written", [2, 4, 1, 1, 1], "referred_recorded", Outcome.referred, [], RECORD),
    ("written", [3, 1, 1, 1, 2, 1], "referred_police", Outcome.referred, POLICE, RECORD),
    ("written", [2, 3, 2, 1, 3, 2], "referred_police_decision", Outcome.referred, DECISION, RECORD),
    ("written", [0, 1, 3, 1], "referred_police", Outcome.referred, POLICE, RECORD),
    ("welfare", [1, 1, 1, 1], "recorded", Outcome.completed, ["sign_welfare_notes"], "welfare_notes"),
]
ENDING_IDS = [f"{e[0]}-{e[2]}-{''.join(map(str, e[1]))}" for e in ENDINGS]


@pytest.mark.parametrize(("flow_id", "numbers", "final", "outcome", "tasks", "form"), ENDINGS, ids=ENDING_IDS)
def test_each_way_a_flow_finishes(pack, flow_id, numbers, final, outcome, tasks, form):
    facts = RESTRICTED if final == "restricted" else engine.Facts()
    state = engine.start(pack, flow_id)
    for number in numbers:
        state = engine.choose(pack, state, number, facts).after
    step = engine.current_step(pack, state)
    assert step.id == final and step.is_final
    assert (step.outcome, step.tasks, step.form) == (outcome, tasks, form)
    assert step.record_incident == (form == RECORD)
    assert step.no_incident == (final == "restricted")
    assert engine.ending_problem(pack, state) is None


def test_the_table_above_covers_every_final_step(pack):
    covered = {(e[0], e[2]) for e in ENDINGS}
    assert covered == {(flow.id, step.id) for flow in pack.flows for step in flow.steps if step.is_final}


def test_each_flow_is_on_its_channel(pack):
    assert {f.id: (f.channel, f.role, f.follow_up) for f in pack.flows} == {
        "telephone": (Channel.telephone, "employee", False), "face_to_face": (Channel.face_to_face, "employee", False),
        "counter": (Channel.counter, "employee", False), "written": (Channel.written, "employee", False),
        "welfare": (Channel.face_to_face, "line_manager", True),
    }


def reachable(pack: Pack, flow_id: str, starts: set[str], *, stop: str | None = None, risk_key: bool = True) -> set[str]:
    """Every step reachable from `starts` by any choice (whatever the facts), not going past `stop`."""
    flow = pack.flow(flow_id)
    seen, todo = set(starts), deque(starts)
    while todo:
        step = flow.step(todo.popleft())
        if step.id == stop:
            continue
        nexts = [c.next for c in step.choices]
        if risk_key and flow.immediate_risk is not None and not step.is_final:
            nexts.append(flow.immediate_risk.step)
        for following in nexts:
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen


@pytest.mark.parametrize("flow_id", CONTACT_FLOWS)
def test_the_risk_assessment_comes_before_any_request_to_moderate(pack, flow_id):
    """5.5 and 5.8: only a customer an employee feels safe with is asked to moderate, after the risk assessment."""
    flow = pack.flow(flow_id)
    assert [s.id for s in flow.steps if s.warning] == ["ask_to_moderate"]
    before = reachable(pack, flow_id, {flow.start}, stop="risk_assessment")
    assert "risk_assessment" in before and "ask_to_moderate" not in before
    assert {c.next for s in flow.steps for c in s.choices if c.next == "ask_to_moderate"} == {"ask_to_moderate"}
    assert [s.id for s in flow.steps if any(c.next == "ask_to_moderate" for c in s.choices)] == ["risk_assessment"]
    risk = flow.step("risk_assessment")
    assert "carrying out a dynamic on-the-day risk assessment" in risk.guidance[0]
    safe, unsafe = risk.choices
    assert safe.next == "ask_to_moderate" and "safe" in safe.label
    assert (unsafe.next, unsafe.allowed_by, unsafe.immediate_risk) == ("withdraw", "5.5; 5.8", True)
    assert "not feel safe" in unsafe.label
    assert flow.immediate_risk.step == "withdraw" and flow.immediate_risk.allowed_by == "5.8"
    assert not reachable(pack, flow_id, {"withdraw"}, risk_key=False) & {"ask_to_moderate", "end_contact"}


@pytest.mark.parametrize("flow_id", CONTACT_FLOWS)
def test_threats_violence_and_hate_always_reach_the_police_question(pack, flow_id):
    flow = pack.flow(flow_id)
    for step in flow.steps:
        if step.id.startswith(("police_", "hate_")):
            finals = [flow.step(s) for s in reachable(pack, flow_id, {c.next for c in step.choices}, risk_key=False)]
            assert {t for f in finals for t in f.tasks} >= {"health_and_safety_support", "consider_further_action"}
            assert all({"inform_police", "police_decision"} & set(f.tasks) for f in finals), step.id
    if flow_id in ("face_to_face", "counter"):
        assert flow.step("ended_serious_assault").tasks[0] == "police_serious_assault"


@pytest.mark.parametrize("flow_id", ["telephone", "face_to_face", "counter"])
def test_the_restricted_choice_is_offered_only_where_a_measure_turns_the_customer_away(pack, flow_id):
    step = pack.flow(flow_id).step("identify")
    [(number, choice)] = [(n, c) for n, c in enumerate(step.choices, 1) if c.only_if == "restricted"]
    assert number not in [n for n, _ in engine.offered(step, engine.Facts())]
    assert number in [n for n, _ in engine.offered(step, RESTRICTED)]
    assert "5.9" in choice.allowed_by
    with pytest.raises(engine.ChoiceNotOffered):
        engine.choose(pack, engine.start(pack, flow_id), number, engine.Facts())


# --- forms, hand-offs and measures ----------------------------------------------------------------------


def test_the_online_incident_report_asks_about_riddor_and_goes_to_the_health_and_safety_team(pack):
    report = pack.incident_report
    assert (report.form, report.task, report.welfare_task) == ("online_incident_report", "complete_incident_report",
                                                               "welfare_one_to_one")
    assert [r.name for r in report.distribution] == ["Health & Safety Team"]
    fields = {f.id: f for f in pack.form(report.form).fields}
    assert fields["riddor"].yes_no and "RIDDOR" in fields["riddor"].label and "Health and Safety Executive" in fields["riddor"].label
    assert all(fields[f].yes_no for f in ("threats", "physical_violence", "hate", "police"))
    assert (fields["account"].prefill, fields["employee"].prefill) == ("case_note", "staff_involved")
    assert pack.task("complete_incident_report").role == "line_manager"


def test_the_police_tasks_and_their_roles(pack):
    inform = pack.task("inform_police")
    assert (inform.role, inform.assign_to) == ("employee", "staff_involved")
    assert (pack.task("police_decision").role, pack.task("police_serious_assault").role) == ("service_team_manager",) * 2
    assert "without the individual employees' agreement" in " ".join(pack.task("police_decision").instructions)
    assert pack.task("health_and_safety_support").role == "health_and_safety_team"


def test_the_121_meeting_is_the_line_managers_and_the_employee_signs_its_notes(pack):
    task = pack.task("welfare_one_to_one")
    assert (task.role, task.flow) == ("line_manager", "welfare")
    flow = pack.flow("welfare")
    assert flow.staff_record and flow.follow_up
    assert flow.step("support").show_setting == ["staff_support"]
    assert "signposting to Mental Health First Aiders" in flow.step("support").guidance
    assert {f.id for f in pack.form("welfare_notes").fields} >= {"discussion", "support_situation", "support_wellbeing",
                                                                "measures", "actions"}
    sign = pack.task("sign_welfare_notes")
    assert (sign.role, sign.assign_to, sign.sign) == ("employee", "staff_involved", True)


def test_further_actions_are_decided_by_team_or_service_managers(pack):
    rules = pack.measures
    assert (rules.decide_task, rules.review_task, rules.proposed_by) == ("consider_further_action", "review_measure", ["line_manager"])
    assert pack.task(rules.decide_task).role == "service_team_manager"
    assert [m.id for m in rules.types] == ["behaviour_discussed", "restrict_individuals", "restrict_services",
                                           "restrict_council", "restrict_buildings", "representative", "multi_agency"]
    for spec in rules.types:
        assert spec.decided_by == ["service_team_manager"] and spec.review_months is None
    assert not rules.type("behaviour_discussed").reviewed
    for measure_id in ("restrict_individuals", "restrict_services", "restrict_council"):
        spec = rules.type(measure_id)
        assert "particular issue(s)" in spec.name and spec.show_terms and spec.ask_told
        assert {e.channel for e in spec.effects if e.refuse} == {Channel.telephone, Channel.face_to_face, Channel.counter}
        assert all(not e.words_from_guidance for e in spec.effects if e.refuse)
    assert {e.channel for e in rules.type("restrict_buildings").effects if e.refuse} == {Channel.counter, Channel.face_to_face}
    assert rules.type("representative").kind == "adjustment" and "family member, friend or support worker" in rules.type("representative").name
    assert rules.type("multi_agency").kind == "marker" and "social services" in rules.type("multi_agency").means
    instructions = " ".join(pack.task("consider_further_action").instructions)
    for words in ("single act of serious unacceptable behaviour", "Restricting Access", "family member, friend or support worker",
                  "multi-agency approach", "Sentencing Act 2020"):
        assert words in instructions, words


# --- through the services ------------------------------------------------------------------------------

EMPLOYEE = Actor(number="9001", name="Lucy Armstrong", role="employee", office="Main office")
LINE_MANAGER = Actor(number="9002", name="Gary Robson", role="line_manager", office="Main office")
SERVICE_MANAGER = Actor(number="9003", name="Aisha Khan", role="service_team_manager", office="Main office")
HEALTH_AND_SAFETY = Actor(number="9004", name="Peter Charlton", role="health_and_safety_team", office="Main office")


@pytest.fixture
def nt(tmp_path, clock) -> Context:
    """The pack on a fresh database (the services check each actor's role, so no sign-in is needed)."""
    ctx = Context.open(tmp_path / "counter.db", Settings(policy="north_tyneside"), clock=clock)
    yield ctx
    ctx.store.close()


@pytest.fixture
def nt_app(nt) -> Context:
    """The same, with the employee who signs in at the terminal."""
    staff.add_staff(nt, number=EMPLOYEE.number, name=EMPLOYEE.name, role=EMPLOYEE.role, office=EMPLOYEE.office, pin="430027")
    return nt


def walk(ctx: Context, flow_id: str, numbers: list[int], **record: str) -> records.Finished:
    contact_id = contacts.start_contact(ctx, EMPLOYEE, flow_id, customer_name="Mr Kevin Marsh", reference="NT-52290",
                                        query="Parking permit renewal")
    for number in numbers:
        contacts.take_step(ctx, EMPLOYEE, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.save_note(ctx, EMPLOYEE, contact_id, "Shouted abuse about my ethnicity and would not stop.", version=0)
    drafted = records.draft_record(ctx, EMPLOYEE, contact_id)
    fields = {field_id: text or ("Typed" if required else "") for field_id, _, text, required in drafted}
    return records.finish(ctx, EMPLOYEE, contact_id, fields | record)


def kinds(ctx: Context, stream: str) -> list[str]:
    return [e.kind for e in events.for_stream(ctx.store.db, stream)]


def specs(ctx: Context, finished: records.Finished) -> list[str]:
    return [queue.get_task(ctx, t).spec for t in finished.task_ids]


def test_a_call_asked_to_moderate_that_does_not_is_ended_recorded_and_handed_on(nt):
    finished = walk(nt, "telephone", [2, 4, 1, 2, 1, 1])
    steps = [s.step for s in queries.steps(nt.store.db, finished.contact_id)]
    assert steps == ["identify", "conduct", "risk_assessment", "ask_to_moderate", "end_contact", "report_ended"]
    said = queries.steps(nt.store.db, finished.contact_id)[3].said
    assert said[-1] == "If it continues, I will end this call."
    contact = queries.contact(nt.store.db, finished.contact_id)
    assert (contact.outcome, contact.immediate_risk) == ("ended", False)
    assert kinds(nt, f"contact:{finished.contact_id}")[-1] == "contact.finished"
    assert kinds(nt, f"incident:{finished.incident_id}") == ["incident.opened", "incident.recorded"]
    assert specs(nt, finished) == ["consider_further_action", *ON_EVERY_INCIDENT]
    roles = {queue.get_task(nt, t).spec: queue.get_task(nt, t).role for t in finished.task_ids}
    assert roles == {"consider_further_action": "service_team_manager", "welfare_one_to_one": "line_manager",
                     "complete_incident_report": "line_manager"}
    record = queries.contact_record(nt.store.db, finished.contact_id)
    assert "Dynamic risk assessment" in record["action_taken"] and record["details"].startswith("Shouted abuse")


def test_a_customer_who_moderates_is_still_recorded_but_no_further_action_is_asked(nt):
    finished = walk(nt, "telephone", [3, 2, 1, 1, 1])
    assert queries.contact(nt.store.db, finished.contact_id).outcome == "improved"
    assert finished.incident_id is not None and specs(nt, finished) == ON_EVERY_INCIDENT


def test_not_safe_at_the_counter_withdraws_and_a_serious_assault_is_due_to_the_police_at_once(nt):
    finished = walk(nt, "counter", [2, 1, 2, 1, 4])
    contact = queries.contact(nt.store.db, finished.contact_id)
    assert (contact.outcome, contact.immediate_risk) == ("ended", True)
    assert [s.step for s in queries.steps(nt.store.db, contact.id)][-3:] == ["risk_assessment", "withdraw", "report_ended"]
    assert specs(nt, finished) == [*SERIOUS, *ON_EVERY_INCIDENT]
    police = next(queue.get_task(nt, t) for t in finished.task_ids if queue.get_task(nt, t).spec == "police_serious_assault")
    assert police.role == "service_team_manager" and police.due_at == police.created_at


def test_a_hate_incident_the_employee_will_report_is_their_task_and_otherwise_the_managers(nt):
    reported = walk(nt, "face_to_face", [2, 3, 1, 2, 1, 3, 1], protected_characteristic="Race")
    assert specs(nt, reported) == [*POLICE, *ON_EVERY_INCIDENT]
    inform = next(queue.get_task(nt, t) for t in reported.task_ids if queue.get_task(nt, t).spec == "inform_police")
    assert (inform.role, inform.assignee) == ("employee", EMPLOYEE.number)
    assert queries.contact_record(nt.store.db, reported.contact_id)["protected_characteristic"] == "Race"
    undecided = walk(nt, "face_to_face", [2, 3, 1, 2, 1, 3, 2])
    assert specs(nt, undecided) == [*DECISION, *ON_EVERY_INCIDENT]
    decide = next(i.task for i in queue.my_queue(nt, SERVICE_MANAGER).items if i.task.spec == "police_decision")
    assert decide.incident_id == undecided.incident_id
    with pytest.raises(Refused):
        queue.complete_task(nt, EMPLOYEE, decide.id, "Not the employee's decision.")
    queue.complete_task(nt, SERVICE_MANAGER, decide.id, "Informed the Police without the employee's agreement.")


def test_the_line_managers_online_report_stores_the_riddor_answer_and_goes_to_health_and_safety(nt):
    finished = walk(nt, "counter", [2, 1, 2, 1, 4])
    task_id = next(t for t in finished.task_ids if queue.get_task(nt, t).spec == "complete_incident_report")
    draft = incident_report.draft(nt, LINE_MANAGER, task_id)
    texts = {f.id: f.text for f in draft.fields}
    assert "Shouted abuse" in texts["account"] and EMPLOYEE.name in texts["employee"]
    assert "A serious assault: make sure it was reported to the Police immediately" in texts["handed_to"]
    values = texts | {"physical_violence": "yes", "police": "yes", "riddor": "yes",
                      "support_and_actions": "Sat with her; lone-working risk assessment reviewed."}
    incident = incident_report.complete(nt, LINE_MANAGER, task_id, values, version=draft.version)
    assert (incident.report["riddor"], incident.report["threats"], incident.report["police"]) == ("yes", "no", "yes")
    assert incident.distribution == ["Health & Safety Team"]
    assert "incident.reported" in kinds(nt, f"incident:{finished.incident_id}")


def test_the_121_meeting_notes_are_the_employees_to_sign(nt):
    finished = walk(nt, "telephone", [2, 4, 1, 2, 1, 1])
    task_id = next(t for t in finished.task_ids if queue.get_task(nt, t).spec == "welfare_one_to_one")
    meeting = queue.open_task(nt, LINE_MANAGER, task_id)
    for number in (1, 2, 1, 1):
        contacts.take_step(nt, LINE_MANAGER, meeting, number, at_step=contacts.view(nt, meeting).step.id)
    drafted = {fid: text for fid, _, text, _ in records.draft_record(nt, LINE_MANAGER, meeting)}
    drafted.update(meeting="Meeting room 2, the next morning", discussion="Upset but wants to stay on the phones.",
                   support_situation="A colleague beside her at busy times.", support_wellbeing="Mental Health First Aider.",
                   measures="Signposted to the Employee Assistance Programme.", actions="I check in weekly for a month.")
    notes = records.finish(nt, LINE_MANAGER, meeting, drafted)
    assert queries.contact(nt.store.db, meeting).customer_name == ""  # the employee's record, not the customer's
    [sign_id] = notes.task_ids
    with pytest.raises(Refused):
        welfare.sign(nt, LINE_MANAGER, sign_id, agreed=True)
    welfare.sign(nt, EMPLOYEE, sign_id, agreed=True)
    assert queries.signature(nt.store.db, meeting)["agreed"] is True


def test_a_restriction_on_the_issue_turns_the_customer_away_without_a_new_incident(nt):
    finished = walk(nt, "telephone", [3, 2, 1, 2, 1, 1])
    decide = next(t for t in finished.task_ids if queue.get_task(nt, t).spec == "consider_further_action")
    review_on = measures.add_months(measures.today(nt), 6).isoformat()
    measures.decide(nt, SERVICE_MANAGER, decide, measures=[
        {"spec": "restrict_services", "review_on": review_on, "reason": "Parking: on his permit, in writing only.",
         "told": "Letter explaining the restriction and the issue it covers."}])
    customer_id = queries.contact(nt.store.db, finished.contact_id).customer_id
    assert measure_record.restricted_here(nt, customer_id, "telephone")
    assert not measure_record.restricted_here(nt, customer_id, "written")
    again = contacts.start_contact(nt, EMPLOYEE, "telephone", customer_name="Mr Kevin Marsh", reference="NT-52290")
    assert 4 in [n for n, _ in contacts.view(nt, again).offered]
    contacts.take_step(nt, EMPLOYEE, again, 4, at_step="identify")
    turned_away = records.finish(nt, EMPLOYEE, again, {fid: text or "Typed" for fid, _, text, _ in
                                                       records.draft_record(nt, EMPLOYEE, again)})
    assert (turned_away.incident_id, turned_away.task_ids) == (None, [])


def test_written_abuse_is_replied_to_and_referred(nt):
    finished = walk(nt, "written", [2, 4, 1, 1, 1])
    assert queries.contact(nt.store.db, finished.contact_id).outcome == "referred"
    assert finished.incident_id is not None and specs(nt, finished) == ON_EVERY_INCIDENT


# --- in the app, key by key ------------------------------------------------------------------------

SIZE = (100, 34)


async def start(pilot, app, flow_key: str) -> str:
    await pilot.press(flow_key, "enter")  # the customer not known yet
    assert isinstance(app.screen, ContactScreen)
    return app.screen.contact_id


async def finish_record(pilot, app) -> None:
    """Type what the employee adds to the record (what the customer said or did), save it, and go home."""
    assert isinstance(app.screen, RecordScreen), type(app.screen).__name__
    for field_id, _, text, required in app.screen._fields:
        if required and not text:
            widget = app.screen.query_one(f"#field-{field_id}")
            if isinstance(widget, TextArea):
                widget.load_text("Shouted abuse and would not stop.")
            else:
                widget.value = "Shouted abuse and would not stop."
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, SummaryScreen), "the record was refused"
    await pilot.press("enter")
    await pilot.pause()


async def test_keys_risk_assessment_before_moderating_and_zero_to_withdraw(nt_app):
    """GIVEN an employee signed in WHEN a call is taken through the risk assessment, the request to moderate
    and the ending, and then a meeting is left with key 0 for a hate incident THEN each is stored step by
    step with the hand-offs the document gives."""
    nt = nt_app
    app = CounterApp(nt)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*EMPLOYEE.number, "enter", *"430027", "enter")
        call = await start(pilot, app, "1")
        await pilot.press("2", "2")
        await pilot.pause()
        assert app.screen.current.step.id == "risk_assessment"
        assert [c.next for _, c in app.screen.current.offered] == ["ask_to_moderate", "withdraw"]
        await pilot.press("1", "2", "1", "1")
        await pilot.pause()
        await finish_record(pilot, app)

        meeting = await start(pilot, app, "2")
        await pilot.press("0")
        await pilot.pause()
        assert app.screen.current.step.id == "withdraw"
        await pilot.press("1", "3", "2")
        await pilot.pause()
        await finish_record(pilot, app)

    steps = [s.step for s in queries.steps(nt.store.db, call)]
    assert steps == ["identify", "conduct", "risk_assessment", "ask_to_moderate", "end_contact", "report_ended"]
    contact = queries.contact(nt.store.db, call)
    assert (contact.outcome, contact.immediate_risk) == ("ended", False) and contact.incident_id is not None
    assert queries.task_specs_for_contact(nt.store.db, call) == ["consider_further_action", *ON_EVERY_INCIDENT]
    contact = queries.contact(nt.store.db, meeting)
    assert (contact.outcome, contact.immediate_risk) == ("ended", True)
    assert [s.step for s in queries.steps(nt.store.db, meeting)] == ["identify", "withdraw", "report_ended", "hate_ended"]
    assert queries.task_specs_for_contact(nt.store.db, meeting) == [*DECISION, *ON_EVERY_INCIDENT]
