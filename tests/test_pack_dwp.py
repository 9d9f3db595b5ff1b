"""The DWP Child Maintenance Group pack: sound, free of the document's personal contact details,
quoting the document where it says it does, and routing each contact to the record and hand-offs the
procedure gives (the Team Leader considers, the UCB Nominated Manager decides within 24 hours).

GIVEN the shipped `dwp` pack (and the seed document beside the checkout, where it is), WHEN it is
linted, searched, walked through the engine or followed through the services, THEN what the
procedure says holds.
"""

from __future__ import annotations

import re
from datetime import timedelta
from importlib import resources
from pathlib import Path

import pytest

from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.policy import engine
from counter_tui.policy.lint import lint
from counter_tui.policy.loader import load_pack, shipped_pack_ids
from counter_tui.policy.schema import Channel, Outcome, Pack
from counter_tui.services import contacts, incident_report, queue, records, staff
from counter_tui.services.context import Context
from counter_tui.store import queries

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
"""The guidance documents, beside the checkout (not shipped with the product)."""
DOCUMENT = SEEDS / "003_a2bfe896bc6dd2ea.txt"
needs_document = pytest.mark.skipif(not DOCUMENT.is_file(), reason="the guidance documents are not beside this checkout")

PACK_TEXT = (resources.files("counter_tui.data.policies") / "dwp.toml").read_text(encoding="utf-8")

PARAGRAPH_21_NAMES = ["STEPHEN", "CAMPBELL", "GARY", "MCDOWELL", "MARCUS", "BAUGHURST", "DAWN", "DEACON",
                      "MICHELLE", "BELL", "STUART", "HAYDEN", "PAT", "O'CONNOR"]
"""The named officials of paragraph 21 (first names and surnames): never in the pack."""

KINDS = [
    "Violence",
    "Verbal abuse (inc by telephone)",
    "Abuse of a discriminatory nature e.g., sex, race, disability, religion, age",
    "Threats, which are implied or otherwise",
    "Intimidation",
    "Sexual innuendo",
    "Harassment",
    "Unwelcome attention",
    "Attempted or actual assaults - spitting that makes contact with the body is classed as an assault",
    "Employees filmed, photographed or recorded in the workplace or working off-site, without their express consent",
    "Threats made in writing or via email",
    "Information about employees posted on social media e.g. face book",
]
"""The twelve kinds of unacceptable behaviour the document lists, word for word."""

AIMS = [
    "put the client at ease by explaining why the decision has been made",
    "tell the client what they can do if they don't agree with something",
    "maintain a controlled, friendly tone of voice even if the client responds negatively",
]

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s-]?)?\(?\d{2,5}\)?(?:[\s-]?\d{2,4}){2,4}(?![\w])")
"""Anything shaped like a telephone number: 9 digits or more in groups."""


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("dwp")


def flat(text: str) -> str:
    """Text compared loosely: curly quotes straightened, markdown bold dropped, whitespace collapsed."""
    text = text.replace("\u2018", "'").replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("**", "")
    return " ".join(text.split())


# --- the pack as a whole -------------------------------------------------------------------------


def test_dwp_is_shipped_and_lints_clean(pack):
    assert "dwp" in shipped_pack_ids()
    assert pack.id == "dwp"
    assert pack.organisation == "DWP Child Maintenance Group"
    assert "003_a2bfe896bc6dd2ea.txt" in pack.source
    assert lint(pack) == []


def test_roles_and_the_one_behaviour(pack):
    assert [r.id for r in pack.roles] == ["caseworker", "team_leader", "nominated_manager", "line_manager"]
    assert pack.role("team_leader").name == "Team Leader (TL)"
    assert pack.role("nominated_manager").name == "UCB Nominated Manager (NM)"
    assert pack.role("line_manager").name == "Line Manager of whoever writes CMEL9271"
    assert [b.id for b in pack.behaviours] == ["ucb"]
    assert pack.behaviour("ucb").may_end_contact


def test_review_notes_name_the_gaps_instead_of_inventing_rules(pack):
    notes = " ".join(pack.review_notes)
    for gap in ("end a call", "[deadlines] consider_instance", "restrict how a client may communicate",
                "review period of a restriction", "22-27", "Third party referrals", "Staff Protection List",
                "service request", "warnings_before_end = 0", "21"):
        assert gap in notes, gap


# --- no personal contact details --------------------------------------------------------------------


@pytest.mark.parametrize("text", [PACK_TEXT, load_pack("dwp").model_dump_json()], ids=["toml", "model"])
def test_no_email_address_or_phone_number_anywhere(text):
    assert EMAIL.findall(text) == []
    assert PHONE.findall(text) == []
    assert "gsi.gov.uk" not in text.lower()


def test_the_patterns_would_catch_what_paragraph_21_lists():
    """GIVEN lines shaped like the document's contacts THEN the patterns above find them (so the test above can fail)."""
    assert EMAIL.findall("Hastings - A.PERSON@DWP.GSI.GOV.UK") == ["A.PERSON@DWP.GSI.GOV.UK"]
    assert EMAIL.findall("North West - PAT.O'CONNOR@DWP.GSI.GOV.UK")
    assert PHONE.findall("call 0800 123 4567 or +44 20 7946 0000")


def test_none_of_the_named_officials_appear():
    for name in PARAGRAPH_21_NAMES:
        assert not re.search(rf"(?<![\w']){re.escape(name)}(?![\w'])", PACK_TEXT, flags=re.I), name


@needs_document
def test_no_part_of_any_address_in_the_document_appears():
    """GIVEN the e-mail addresses in the document THEN no name in them (first name, surname) is in the pack."""
    document = DOCUMENT.read_text(encoding="utf-8")
    addresses = EMAIL.findall(document)
    assert len(addresses) >= 7
    parts = {p.rstrip("0123456789") for a in addresses for p in a.split("@")[0].split(".")}
    assert {"CAMPBELL", "MCDOWELL", "BAUGHURST"} <= parts
    for part in parts:
        assert not re.search(rf"(?<![\w']){re.escape(part)}(?![\w'])", PACK_TEXT, flags=re.I), part


# --- the document's own words ---------------------------------------------------------------------


def said_lines(pack: Pack, *, from_guidance: bool) -> list[str]:
    """Every line a member of staff says, from steps and from measures' effects, marked as the guidance's or not."""
    lines = [line for flow in pack.flows for step in flow.steps if step.words_from_guidance == from_guidance
             for line in step.say]
    if pack.measures is not None:
        lines += [line for spec in pack.measures.types for effect in spec.effects
                  if effect.words_from_guidance == from_guidance for line in effect.say]
    return lines


@needs_document
def test_every_say_line_marked_from_the_guidance_is_in_the_document(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    quoted = said_lines(pack, from_guidance=True)
    assert "In view of the manner in which you have spoken to our caseworkers, we will now only accept communication from you in writing." in quoted
    for line in quoted:
        assert flat(line) in document, line


@needs_document
def test_a_say_line_marked_as_the_packs_own_is_not_the_documents_word_for_word(pack):
    """GIVEN a line the pack says it supplies THEN it is indeed not a quotation (the flag is honest both ways)."""
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    own = said_lines(pack, from_guidance=False)
    assert own, "the pack adapts suggestion 1's conditional sentence"
    for line in own:
        assert flat(line) not in document, line


@needs_document
def test_the_behaviour_definition_and_the_kinds_are_the_documents(pack):
    document = flat(DOCUMENT.read_text(encoding="utf-8"))
    assert flat(pack.behaviour("ucb").definition) in document
    for kind in KINDS + AIMS:
        assert flat(kind) in document, kind
    for flow in pack.flows:
        for line in flow.step(flow.start).guidance:
            for part in re.split(r"(?<=:) |; ", line):  # each item of a list joined on one line
                assert flat(part.rstrip(".")) in document, part


@pytest.mark.parametrize("flow_id", ["telephone", "written", "face_to_face"])
def test_the_first_step_shows_the_aims_and_the_twelve_kinds(pack, flow_id):
    guidance = " ".join(pack.flow(flow_id).step("identify").guidance)
    for kind in KINDS:
        assert kind in guidance, kind
    for aim in AIMS:
        assert aim in guidance, aim
    assert "The list is not exhaustive." in guidance
    assert "Incidents where the person's identity is not known should also be reported." in guidance


# --- the flows, through the engine ------------------------------------------------------------------

RESTRICTED = engine.Facts(restricted=True)

ENDINGS = [
    # flow, choices, final step, outcome, incident recorded, tasks, form
    ("telephone", [1], "carry_on", Outcome.improved, False, [], None),
    ("telephone", [2, 1], "transferred", Outcome.referred, True, ["decide_instance"], "instance"),
    ("telephone", [2, 2], "call_ended", Outcome.ended, True, ["decide_instance"], "instance"),
    ("telephone", [2, 3], "call_continued", Outcome.improved, True, ["decide_instance"], "instance"),
    ("telephone", [3], "restricted", Outcome.ended, False, [], "restricted_note"),
    ("written", [1], "dealt_with", Outcome.improved, False, [], None),
    ("written", [2], "report", Outcome.referred, True, ["decide_instance"], "instance"),
    ("face_to_face", [1], "carry_on", Outcome.improved, False, [], None),
    ("face_to_face", [2, 1], "interview_ended", Outcome.ended, True, ["decide_instance"], "instance"),
    ("face_to_face", [2, 2], "interview_continued", Outcome.improved, True, ["decide_instance"], "instance"),
    ("face_to_face", [3], "restricted", Outcome.ended, False, [], "restricted_note"),
    ("third_party_referral", [1], "record_referral", Outcome.referred, False, ["decide_instance"], "third_party_referral"),
    ("third_party_referral", [2], "not_a_referral", Outcome.completed, False, [], None),
    # The team leader's, once a PV marker is set (22-27): 1 police considered; 1 a warning letter was
    # issued / 2 not; the call: 1 assurance / 2 none / 3 not reached / 4 CMEL9271; then the referral:
    # 1 accepted / 2 made now / 3 rejected / 4 none.
    ("reestablish", [1, 2, 3], "not_reached", Outcome.call_back_arranged, False, ["reestablish_again"], "contact_attempt"),
    ("reestablish", [1, 2, 1, 1], "police_accepted", Outcome.completed, False, ["police_contact"], "police_referral"),
    ("reestablish", [1, 1, 2], "police_accepted", Outcome.completed, False, ["police_contact"], "police_referral"),
    ("reestablish", [1, 2, 2, 3], "police_rejected", Outcome.completed, False, ["referral_rejected"], "police_rejected"),
    ("reestablish", [1, 2, 1, 4], "no_referral", Outcome.completed, False, [], "reestablish_outcome"),
    ("reestablish", [1, 1, 4], "no_referral", Outcome.completed, False, [], "reestablish_outcome"),
    ("reestablish", [1, 2, 4, 1], "letter_police_accepted", Outcome.completed, False, ["draft_cmel9271", "police_contact"], "police_referral"),
    ("reestablish", [1, 2, 4, 2], "letter_police_accepted", Outcome.completed, False, ["draft_cmel9271", "police_contact"], "police_referral"),
    ("reestablish", [1, 2, 4, 3], "letter_police_rejected", Outcome.completed, False, ["draft_cmel9271", "referral_rejected"], "police_rejected"),
    ("reestablish", [1, 2, 4, 4], "letter_no_referral", Outcome.completed, False, ["draft_cmel9271"], "reestablish_outcome"),
]
ENDING_IDS = [f"{e[0]}-{e[2]}-{''.join(map(str, e[1]))}" for e in ENDINGS]


@pytest.mark.parametrize(("flow_id", "numbers", "final", "outcome", "incident", "tasks", "form"), ENDINGS, ids=ENDING_IDS)
def test_each_way_a_flow_finishes(pack, flow_id, numbers, final, outcome, incident, tasks, form):
    flow = pack.flow(flow_id)
    assert flow.role == ("team_leader" if flow.follow_up else "caseworker")
    assert flow.warnings_before_end == 0 and flow.immediate_risk is None
    state = engine.start(pack, flow_id)
    for number in numbers:
        state = engine.choose(pack, state, number, RESTRICTED if final == "restricted" else engine.Facts()).after
    step = engine.current_step(pack, state)
    assert step.id == final and step.is_final
    assert (step.outcome, step.record_incident, step.tasks, step.form) == (outcome, incident, tasks, form)
    assert step.outcome is not Outcome.ended or incident or step.no_incident  # only an instance ends a contact
    assert engine.ending_problem(pack, state) is None
    assert state.behaviour == ("ucb" if incident else None)


def test_the_table_above_covers_every_final_step(pack):
    covered = {(e[0], e[2]) for e in ENDINGS}
    assert covered == {(flow.id, step.id) for flow in pack.flows for step in flow.steps if step.is_final}


def test_each_flow_is_on_its_channel(pack):
    assert {f.id: f.channel for f in pack.flows} == {
        "telephone": Channel.telephone, "written": Channel.written, "face_to_face": Channel.face_to_face,
        "third_party_referral": Channel.written, "reestablish": Channel.telephone,
    }
    assert [f.id for f in pack.flows if f.follow_up] == ["reestablish"]


def test_transfer_is_considered_on_calls(pack):
    step = pack.flow("telephone").step("transfer")
    assert ("If a confrontation can be prevented from escalating by transferring the call to a team leader or a "
            "more experienced colleague then this should be considered.") in step.guidance


@pytest.mark.parametrize("flow_id", ["telephone", "face_to_face"])
def test_the_restricted_choice_is_offered_only_where_a_measure_turns_the_client_away(pack, flow_id):
    step = pack.flow(flow_id).step("identify")
    label = "The client is restricted from this channel: say the restriction's words and end politely"
    assert label not in [c.label for _, c in engine.offered(step, engine.Facts())]
    assert [n for n, c in engine.offered(step, RESTRICTED) if c.label == label] == [3]
    choice = step.choices[2]
    assert choice.only_if == "restricted" and "17" in choice.allowed_by and "CMEL9271" in choice.allowed_by
    with pytest.raises(engine.ChoiceNotOffered):
        engine.choose(pack, engine.start(pack, flow_id), 3, engine.Facts())
    final = pack.flow(flow_id).step("restricted")
    assert "The words to say are shown above, from the control measure on the client's record." in final.guidance


def test_writing_is_never_turned_away(pack):
    assert not any(c.only_if for step in pack.flow("written").steps for c in step.choices)


# --- forms and hand-offs ---------------------------------------------------------------------------


def test_the_instance_record_asks_what_paragraphs_6_to_9_record(pack):
    fields = {f.id: f for f in pack.form("instance").fields}
    assert fields["occurred"].prefill == "started_at"
    assert fields["person_affected"].prefill == fields["recorded_by"].prefill == "staff_name"
    assert fields["details"].prefill == "note"
    assert "source of the information" in fields["source"].label.lower() and fields["source"].required
    assert not fields["related_instances"].required
    assert fields["police"].yes_no and fields["police"].label == "Request police involvement?"
    reason = fields["police_reason"]
    assert not reason.required
    assert all(word in reason.label for word in ("assault", "racially motivated", "stalking"))
    assert not fields["client_name"].required  # incidents where the person's identity is not known are reported


def test_the_team_leaders_form_and_the_incident_report(pack):
    report = pack.incident_report
    assert (report.form, report.task, report.distribution) == ("incident_report_form", "consider_instance", [])
    fields = {f.id: f for f in pack.form("incident_report_form").fields}
    assert (fields["date"].prefill, fields["staff"].prefill, fields["instance"].prefill) == ("date", "staff_involved", "case_note")
    assert fields["enough_information"].yes_no and fields["eap_offered"].yes_no
    assert fields["views"].required and "after speaking to the member of staff" in fields["views"].label
    assert "emotional break" in fields["time_away"].label


def test_the_tasks_and_their_clocks(pack):
    consider = pack.task("consider_instance")
    assert (consider.role, consider.form, consider.due.config) == ("team_leader", "incident_report_form", "consider_instance")
    decide = pack.task("decide_instance")
    assert (decide.role, decide.due.hours) == ("nominated_manager", 24)
    assert "24 hours" in decide.due.section
    review = pack.task("review_measure")
    assert (review.role, review.due.config) == ("nominated_manager", "measure_review_notice")
    assert "at least once every twelve months" in review.due.section
    assert not {"consider_instance", "measure_review_notice"} & set(Settings().deadlines)  # no invented defaults


def test_re_establishing_is_queued_by_the_pv_marker_alone(pack):
    """22-27 follow the PV marker (19): only it puts the team leader's task on the queue."""
    assert {m.id: m.then for m in pack.measures.types} == {
        "pv_marker": ["reestablish_contact"], "written_warning": [], "oral_warning": [], "writing_only": [],
        "no_incoming_calls": [],
    }
    first, again = pack.task("reestablish_contact"), pack.task("reestablish_again")
    assert (first.role, first.flow, again.role, again.flow) == ("team_leader", "reestablish", "team_leader", "reestablish")
    assert first.due.config == "reestablish_contact" and "no clock" in first.due.section
    assert again.due.field == "next_attempt" and "set a date for a second attempt" in again.due.section
    [attempt] = [f for f in pack.form("contact_attempt").fields if f.when]
    assert (attempt.id, attempt.required) == ("next_attempt", True)


def test_the_police_tasks_go_to_the_nm_and_to_the_caseworker_who_raised_the_instance(pack):
    police = pack.task("police_contact")
    assert (police.role, police.assign_to) == ("nominated_manager", None)
    assert "You will be the CMG's contact with the police regarding the instance" in " ".join(police.instructions)
    rejected = pack.task("referral_rejected")
    assert (rejected.role, rejected.assign_to) == ("caseworker", "staff_involved")
    assert {f.id for f in pack.form("police_referral").fields} >= {"outcome", "referral_reason"}
    assert {f.id for f in pack.form("police_rejected").fields} >= {"outcome", "why"}


def test_cmel9271_is_written_by_the_team_leader_and_signed_off_by_their_line_manager(pack):
    [letter] = pack.letters
    assert (letter.id, letter.template, letter.sign_off, letter.bars) == ("cmel9271", "dwp_cmel9271", "sign_off_cmel9271", [])
    draft, sign_off = pack.task("draft_cmel9271"), pack.task("sign_off_cmel9271")
    assert (draft.role, draft.letter) == ("team_leader", "cmel9271")
    assert sign_off.role == "line_manager" and sign_off.due.config == "letter_sign_off"
    assert "checked and signed off by your Line Manager before it is issued" in sign_off.section
    [after] = letter.after
    assert (after.action, after.task) == ("task", "issue_cmel9271")
    issue = pack.task("issue_cmel9271")
    assert (issue.role, issue.assign_to, issue.due.config) == ("team_leader", "letter_drafter", "letter_follow_up")
    drafted_on = {(f.id, s.id) for f in pack.flows for s in f.steps if "draft_cmel9271" in s.tasks}
    assert drafted_on == {("reestablish", s) for s in ("letter_police_accepted", "letter_police_rejected", "letter_no_referral")}


def test_a_third_party_referral_goes_to_the_nm_and_is_not_an_instance(pack):
    flow = pack.flow("third_party_referral")
    assert (flow.channel, flow.role, flow.follow_up) == (Channel.written, "caseworker", False)
    for step in flow.steps:
        assert not step.record_incident and step.outcome is not Outcome.ended
    assert not any(c.behaviour for s in flow.steps for c in s.choices)
    fields = {f.id: f for f in pack.form("third_party_referral").fields}
    assert {"referred_by", "reported", "received", "underlying_risk"} <= set(fields)
    assert fields["reported"].prefill == "note"  # what the nominated manager reads first (the contact's note)


# --- control measures -------------------------------------------------------------------------------


def test_measures_are_decided_by_the_nominated_manager_never_the_proposer(pack):
    measures = pack.measures
    assert (measures.decide_task, measures.review_task) == ("decide_instance", "review_measure")
    assert measures.proposed_by == ["caseworker", "team_leader"]
    assert measures.detail_roles == ["team_leader", "nominated_manager"]
    assert "archived for future reference" in measures.no_further_action
    assert [m.id for m in measures.types] == ["pv_marker", "written_warning", "oral_warning", "writing_only", "no_incoming_calls"]
    for spec in measures.types:
        assert spec.decided_by == ["nominated_manager"]


def test_the_pv_marker_is_reviewed_within_twelve_months_and_shown_everywhere(pack):
    pv = pack.measures.type("pv_marker")
    assert pv.kind == "marker"
    assert (pv.review_months, pv.review_choices, pv.max_review_months, pv.connected_person) == (12, [6], 12, True)
    assert {e.channel for e in pv.effects} == set(Channel)
    assert not any(e.refuse or e.say for e in pv.effects)
    assert "handle clients appropriately during contact with them" in pv.means


def test_warnings_are_recorded_not_reviewed(pack):
    for measure_id in ("written_warning", "oral_warning"):
        spec = pack.measures.type(measure_id)
        assert (spec.kind, spec.reviewed, spec.effects, spec.section) == ("warning", False, [], "14")


def test_writing_only_turns_away_calls_and_interviews_but_not_letters(pack):
    spec = pack.measures.type("writing_only")
    assert (spec.kind, spec.ask_told, spec.review_months, spec.reviewed) == ("restriction", True, None, True)
    effects = {e.channel: e for e in spec.effects}
    words = ["In view of the manner in which you have spoken to our caseworkers, we will now only accept communication from you in writing."]
    for channel in (Channel.telephone, Channel.face_to_face):
        assert effects[channel].refuse and effects[channel].say == words and effects[channel].words_from_guidance
        assert effects[channel].guidance == ["End the contact politely."]
    assert not effects[Channel.written].refuse and not effects[Channel.written].say


def test_no_incoming_calls_turns_away_calls_only(pack):
    spec = pack.measures.type("no_incoming_calls")
    assert (spec.kind, spec.ask_told) == ("restriction", True)
    [effect] = spec.effects
    assert effect.channel is Channel.telephone and effect.refuse
    assert "we will no longer accept in-coming calls from you" in effect.say[0]
    assert effect.words_from_guidance is False  # suggestion 1's conditional clause is dropped


def test_every_channel_a_measure_refuses_has_a_way_to_turn_the_client_away(pack):
    refused = {e.channel for spec in pack.measures.types for e in spec.effects if e.refuse}
    assert refused == {Channel.telephone, Channel.face_to_face}
    for channel in refused:
        assert any(c.only_if == "restricted" for flow in pack.contact_flows(channel) for step in flow.steps
                   for c in step.choices)


# --- through the services ------------------------------------------------------------------------------

CASEWORKER = Actor(number="3001", name="Priya Nair", role="caseworker", office="Main office")
TEAM_LEADER = Actor(number="3002", name="Tom Reilly", role="team_leader", office="Main office")
NOMINATED_MANAGER = Actor(number="3003", name="Helen Ashworth", role="nominated_manager", office="Main office")


@pytest.fixture
def dwp(tmp_path, clock) -> Context:
    ctx = Context.open(tmp_path / "counter.db", Settings(policy="dwp"), clock=clock)
    for pin, actor in enumerate((CASEWORKER, TEAM_LEADER, NOMINATED_MANAGER), start=4100):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin=f"{pin}27")
    return ctx


def finish_call(ctx: Context, numbers: list[int], *, name: str = "Ms Dana Whitlock", reference: str = "1234 5678") -> records.Finished:
    """A call taken through `numbers`, its note saved and its record completed."""
    contact_id = contacts.start_contact(ctx, CASEWORKER, "telephone", customer_name=name, reference=reference,
                                        query="Why my payments changed")
    for number in numbers:
        contacts.take_step(ctx, CASEWORKER, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    contacts.save_note(ctx, CASEWORKER, contact_id, "Shouted that he would wait for me outside the office.", version=0)
    drafted = records.draft_record(ctx, CASEWORKER, contact_id)
    fields = {field_id: text for field_id, _, text, _ in drafted}
    assert fields["details"] == "Shouted that he would wait for me outside the office."
    assert fields["person_affected"] == fields["recorded_by"] == CASEWORKER.name
    assert fields["occurred"]  # the contact's date and time
    fields |= {"instance_type": "Threats, which are implied or otherwise", "source": CASEWORKER.name}
    return records.finish(ctx, CASEWORKER, contact_id, fields)


@pytest.mark.parametrize("numbers", [[2, 2], [2, 1], [2, 3]], ids=["call ended", "transferred", "carried on"])
def test_a_call_with_ucb_puts_the_consideration_and_the_decision_on_the_queue(dwp, numbers):
    finished = finish_call(dwp, numbers)
    assert finished.incident_id is not None
    incident = queries.incident(dwp.store.db, finished.incident_id)
    assert incident.recorded_at is not None  # record_incident: the instance is recorded
    tasks = {item.task.spec: item.task for item in queue.all_open(dwp).items}
    assert set(tasks) == {"consider_instance", "decide_instance"}
    consider, decide = tasks["consider_instance"], tasks["decide_instance"]
    assert (consider.role, decide.role) == ("team_leader", "nominated_manager")
    assert consider.incident_id == decide.incident_id == finished.incident_id
    assert decide.due_at - decide.created_at == timedelta(hours=24)
    assert consider.due_at is None  # 12 sets no clock of its own and this configuration sets none
    assert decide.customer_name == "Ms Dana Whitlock"


def test_the_team_leader_completes_the_form_prefilled_from_the_caseworkers_record(dwp):
    finished = finish_call(dwp, [2, 2])
    consider = next(item.task for item in queue.all_open(dwp).items if item.task.spec == "consider_instance")
    draft = incident_report.draft(dwp, TEAM_LEADER, consider.id)
    texts = {f.id: f.text for f in draft.fields}
    assert "Shouted that he would wait for me outside the office." in texts["instance"]
    assert "Threats, which are implied or otherwise" in texts["instance"]
    assert texts["date"] and CASEWORKER.name in texts["staff"]
    assert "UCB Nominated Manager (NM)" in texts["passed_to"]
    values = texts | {"evidence": "Listened to the call recording.", "views": "Shaken; wants to stay on the phones.",
                      "support": "None beyond a break.", "enough_information": "yes", "eap_offered": "yes"}
    incident = incident_report.complete(dwp, TEAM_LEADER, consider.id, values, version=draft.version)
    assert incident.report["eap_offered"] == "yes" and incident.distribution == []
    assert [item.task.spec for item in queue.all_open(dwp).items] == ["decide_instance"]
    assert queries.incident(dwp.store.db, finished.incident_id).reported_by == TEAM_LEADER.number


UNRESTRICTED = [(e, i) for e, i in zip(ENDINGS, ENDING_IDS, strict=True)
                if e[2] != "restricted" and not load_pack("dwp").flow(e[0]).follow_up]
"""The caseworker's endings (the team leader's follow-up is walked in tests/test_dwp_reestablish.py)."""


@pytest.mark.parametrize(("flow_id", "numbers", "final", "outcome", "incident", "tasks", "form"), [e for e, _ in UNRESTRICTED],
                         ids=[i for _, i in UNRESTRICTED])
def test_every_ending_finishes_through_the_services(dwp, flow_id, numbers, final, outcome, incident, tasks, form):
    """GIVEN a contact of each flow taken to each ending (not restricted) WHEN its record is completed THEN an
    instance is recorded exactly where the step says, with the decision and, for it, the Team Leader's consideration."""
    contact_id = contacts.start_contact(dwp, CASEWORKER, flow_id, customer_name="Mr Lee Varga", reference="5566 7788")
    for number in numbers:
        contacts.take_step(dwp, CASEWORKER, contact_id, number, at_step=contacts.view(dwp, contact_id).step.id)
    drafted = records.draft_record(dwp, CASEWORKER, contact_id)
    assert [field_id for field_id, *_ in drafted] == ([f.id for f in dwp.pack.form(form).fields] if form else [])
    record = {field_id: text or ("Typed" if required else "") for field_id, _, text, required in drafted}
    finished = records.finish(dwp, CASEWORKER, contact_id, record)
    current = contacts.view(dwp, contact_id)
    assert (current.step.id, current.contact.outcome) == (final, outcome.value)
    assert (finished.incident_id is not None) == incident
    expected = [*tasks, "consider_instance"] if incident else tasks
    assert [queue.get_task(dwp, t).spec for t in finished.task_ids] == expected


def test_an_instance_is_recorded_when_the_clients_identity_is_not_known(dwp):
    finished = finish_call(dwp, [2, 2], name="", reference="")
    assert finished.incident_id is not None
    assert {item.task.spec for item in queue.all_open(dwp).items} == {"consider_instance", "decide_instance"}


def test_acceptable_behaviour_records_nothing(dwp):
    contact_id = contacts.start_contact(dwp, CASEWORKER, "telephone", customer_name="Ms Dana Whitlock")
    contacts.take_step(dwp, CASEWORKER, contact_id, 1, at_step="identify")
    finished = records.finish(dwp, CASEWORKER, contact_id, {})
    assert (finished.incident_id, finished.task_ids) == (None, [])
    assert queue.all_open(dwp).items == []
