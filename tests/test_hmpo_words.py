"""The HMPO pack's words to say are the document's own (issue 18 item 9).

GIVEN "Customer conduct" v3.0, whose sentences tell staff what to tell the customer ("tell them the
call will not continue unless they improve their behaviour"), WHEN the pack's SAY lines are read
THEN every line not marked as Counter's own is one of those sentences spoken to the customer: the
document's words with its person changed (the document's "you", the member of staff, becomes "I";
"they"/"them"/"their", the customer, become "you"/"your"; "tell them to post" becomes "post"), with
no word dropped or changed. Counter's own lines (`say_own`, or a step marked `words_from_guidance =
false`) are exactly those the document gives no words for, and the screen marks only those.

AND the telephone and video warnings record why the customer was warned, abuse or an acoustic shock,
with one key as before; AND the call-back names the signed-in manager's office.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from counter_tui.app import CounterApp
from counter_tui.policy.loader import load_pack
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.services import contacts, records
from counter_tui.store import queries

from tests.test_app import SIZE, call_back, finish_first_call

REPO = Path(__file__).resolve().parents[1]
SEEDS = [folder / "shared" / "seeds" / "000_4578182a4373fe61.txt" for folder in (REPO.parent, REPO.parent.parent)]
"""The seed document, at ../shared/seeds beside the repository (or beside its worktrees' folder)."""

DOCUMENT_QUOTES = [
    # Customer conduct: how to deal with abusive telephone calls
    "the call will not continue unless they improve their behaviour",
    # Telephone calls: customer's behaviour does not improve
    "you have already warned them about their behaviour",
    "the call will now end",
    "you are going to look into their query for them",
    # Face to face interviews / Skype interviews (and their "behaviour does not improve")
    "the interview will not continue, unless they improve their behaviour",
    "you have warned them, and their behaviour has not improved",
    "you will now end the interview",
    "we will contact them in writing about their application",
    # Customer conduct: abusive customers in a public facing area
    "their behaviour is unacceptable",
    "they must apologise to the member of staff",
    "they must behave in a civil manner",
    # Public facing area: customer's behaviour does not improve
    "to post their application to us or to apply online",
    "they must apply online, or by post",
]
"""The document's sentences that give words to say, verbatim (checked against the seed below)."""

OWN_LINES = {
    ("telephone_call_back", "introduce"): [
        "My name is [your name] and I am calling from HM Passport Office, [your office].",
        "I am calling because your earlier call had to be ended because of your behaviour.",
    ],
    ("counter", "post_box"): ["Please put your application in the internal post box."],
    ("counter", "remove"): ["Please leave the public facing area now."],
}
"""Counter's own words, where the document says what to tell the customer but gives no words."""

PERSON = {"you": "i", "your": "my", "they": "you", "them": "you", "their": "your"}


def spoken(quote: str) -> str:
    """A document sentence as said to the customer: its person changed, its punctuation dropped."""
    words = [PERSON.get(word, word) for word in _words(quote)]
    text = " ".join(words).replace("i are ", "i am ")
    if text.startswith("to "):  # "tell the customer to post ... or to apply": said as "post ... or apply"
        text = text.removeprefix("to ").replace(" or to ", " or ")
    return text


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.replace("’", "'").casefold())


def say_lines(pack) -> list[tuple[str, str, str, bool]]:
    """Every line to say in the pack: (flow, step, line, from the guidance)."""
    return [(flow.id, step.id, line, from_guidance) for flow in pack.flows for step in flow.steps
            for line, from_guidance in step.lines("[your name]", "[your office]")]


def test_the_quotes_are_the_documents_own_words():
    seed = next((path for path in SEEDS if path.exists()), None)
    if seed is None:
        pytest.skip("the seed document is not beside the repository")
    document = " ".join(seed.read_text(encoding="utf-8").replace("’", "'").split())
    for quote in DOCUMENT_QUOTES:
        assert quote in document, quote


def test_every_say_line_from_the_guidance_is_a_document_sentence_spoken():
    sentences = {spoken(quote) for quote in DOCUMENT_QUOTES}
    lines = [(f, s, line) for f, s, line, from_guidance in say_lines(load_pack("hmpo")) if from_guidance]
    assert lines, "the pack has words from the guidance"
    for flow, step, line in lines:
        assert " ".join(_words(line)) in sentences, (flow, step, line)


def test_counters_own_lines_are_exactly_those_the_document_gives_no_words_for():
    own: dict[tuple[str, str], list[str]] = {}
    for flow, step, line, from_guidance in say_lines(load_pack("hmpo")):
        if not from_guidance:
            own.setdefault((flow, step), []).append(line)
    assert own == OWN_LINES


def test_the_removal_step_says_the_documents_words_unmarked_and_counters_own_marked():
    step = load_pack("hmpo").flow("counter").step("remove")
    assert step.words_from_guidance and step.lines("Owen", "Main office") == [
        ("Please leave the public facing area now.", False), ("You must apply online, or by post.", True)]


# --- the call-back names the manager's office ---------------------------------------------------------


async def test_the_call_back_names_the_signed_in_managers_office_and_marks_only_counters_lines(ctx):
    """GIVEN an ended call WHEN the line manager (Main office) opens the call-back and reaches 'Call the
    customer back' THEN the SAY lines name them and their office, only Counter's own lines are marked,
    and the words stored as told name the office too."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await finish_first_call(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.press(*"2001", "enter", *"234527", "enter")
        await pilot.pause()
        await pilot.press("q", "enter")
        await pilot.pause()
        await pilot.press("1")  # read the case note: call the customer
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.current.step.id == "introduce"
        say = app.screen.query_one("#step-say", Static)
        text = str(say.render())
        assert "My name is Jo Lindqvist and I am calling from HM Passport Office, Main office. (not from the guidance)" in text
        assert "I am going to look into your query for you." in text
        assert "I am going to look into your query for you. (not from the guidance)" not in text
        assert say.border_title == "SAY"
        contact_id = app.screen.contact_id
        await pilot.press("1", "1")  # calm: deal with the query; dealt with
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
    introduce = next(s for s in queries.steps(ctx.store.db, contact_id) if s.step == "introduce")
    assert introduce.actor == "2001" and introduce.said == [
        "My name is Jo Lindqvist and I am calling from HM Passport Office, Main office.",
        "I am calling because your earlier call had to be ended because of your behaviour.",
        "I am going to look into your query for you.",
    ]


# --- acoustic shock -------------------------------------------------------------------------------


WARN_ACOUSTIC = {"telephone": 3, "video": 4}
"""The warning's acoustic-shock choice, by the pack's number (the last of the warn step)."""


@pytest.mark.parametrize("flow", ["telephone", "video"])
def test_the_warning_for_an_acoustic_shock_is_one_key_and_counts_as_the_warning(flow):
    warn = load_pack("hmpo").flow(flow).step("warn")
    abuse, shock = warn.choices[0], warn.choices[WARN_ACOUSTIC[flow] - 1]
    assert (abuse.behaviour, shock.behaviour) == ("abusive", "acoustic_shock")
    assert abuse.next == shock.next == "allow" and shock.words_said and warn.warning
    assert "acoustic shock" in shock.label and "abusive" in abuse.label


@pytest.mark.parametrize(("flow", "form_field"), [("telephone", "warned_for"), ("video", "warned_for")])
def test_an_acoustic_shock_is_stored_with_the_contact_and_shown_in_the_note(ctx, handler, flow, form_field):
    """GIVEN a call (or Skype interview) WHEN the customer is warned for an acoustic shock and does not
    improve THEN the warning counts, the contact's behaviour is the acoustic shock, and the note says so."""
    from counter_tui.models.staff import Actor

    actor = handler if flow == "telephone" else Actor(number="3001", name="Ravi Shah", role="interview_officer",
                                                       office="Main office")
    contact_id = contacts.start_contact(ctx, actor, flow, customer_name="Ms Ruth Adeyemi", reference="PEX 3307 8845",
                                        query="Lost passport")
    for number in (WARN_ACOUSTIC[flow], 2, 1):  # warned (acoustic shock) -> did not improve -> told: end
        current = contacts.view(ctx, contact_id)
        contacts.take_step(ctx, actor, contact_id, number, at_step=current.step.id)
    current = contacts.view(ctx, contact_id)
    assert current.step.is_final and current.state.warnings == 1 and current.state.behaviour == "acoustic_shock"
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, actor, contact_id)}
    assert fields[form_field] == "Caused an acoustic shock (for example, screaming or loud noises)"
    fields |= {"said_or_did": "Screamed down the line", "why_ended": "No better after the warning"}
    records.finish(ctx, actor, contact_id, fields)
    shown = dict(records.finished_record(ctx, contact_id))
    assert shown["Why you warned them"] == "Caused an acoustic shock (for example, screaming or loud noises)"
    taken = queries.steps(ctx.store.db, contact_id)[0]
    assert "acoustic shock" in taken.label


async def test_pressing_the_acoustic_shock_warning_on_screen_puts_it_in_the_case_note(ctx):
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1001", "enter", *"123427", "enter")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        choices = str(app.screen.query_one("#step-choices", Static).render())
        assert "acoustic shock" in choices
        await pilot.press("3", "2", "1")
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        assert app.screen.query_one("#field-warned_for").value.startswith("Caused an acoustic shock")
        told = app.screen.query_one("#field-told", TextArea).text
        assert "The call will not continue unless you improve your behaviour." in told


def test_the_incident_report_shows_why_the_customer_was_warned(ctx, handler, manager):
    """The incident report's case note (prefilled from the finished note) carries the acoustic shock."""
    from counter_tui.services import incident_report

    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Ms Ruth Adeyemi", query="Lost passport")
    for number in (WARN_ACOUSTIC["telephone"], 2, 1):
        contacts.take_step(ctx, handler, contact_id, number, at_step=contacts.view(ctx, contact_id).step.id)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, handler, contact_id)}
    records.finish(ctx, handler, contact_id, fields | {"said_or_did": "Screamed down the line",
                                                       "behaviour_kind": "intimidating language (for example, swearing)"})
    task = next(t for t in queries.tasks_for_contact(ctx.store.db, contact_id) if t.spec == "incident_report")
    texts = "\n".join(f.text for f in incident_report.draft(ctx, manager, task.id).fields)
    assert "Why you warned them: Caused an acoustic shock (for example, screaming or loud noises)" in texts
    assert "Kind of behaviour (pick any that apply): intimidating language (for example, swearing)" in texts
