"""Hostile text everywhere text goes (issue 8, "Bad input"): Textual and Rich markup, reportlab
markup, bidi overrides, control characters, 1 MB strings, SQL and FTS operators, CSV formula prefixes.

GIVEN the hostile-text corpus below, WHEN each value is typed into every service that accepts typed
text (the contact's details and note, the record and the incident report form, the customer register,
letters and their return, the welfare signature, a task's note, control measures, staff names, the
register's search), THEN it is either refused with `FieldErrors` (a message per field that never
repeats the input) or stored exactly as its normalised text (NFC, surrounding blanks removed) and read
back so — never another exception. AND WHEN the values are shown on the screens staff use, printed
as PDFs and exported as CSV, THEN they appear as the literal text typed: no markup takes effect, no
`@click` action runs, and no CSV cell starts with a formula.

The oracle `expected` is written from the design's rules ("max lengths, NFC, no control characters
except newline and tab, no bidi override characters"), not from `counter_tui.text`.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import unicodedata
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from counter_tui.cli import main
from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.services import (
    contacts,
    customers,
    incident_report,
    letter_sign_off,
    letters,
    measure_review,
    measures,
    printing,
    queue,
    records,
    register,
    staff,
    welfare,
)
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, SignInRefused
from counter_tui.store import events, queries
from counter_tui.store import letters as letter_store
from counter_tui.store import measures as measure_store
from tests.conftest import CALL_HANDLER, LINE_MANAGER, START
from tests.letters_helpers import ADE, GRACE, RAVI, ended_interview, letter_context

# --- the corpus -------------------------------------------------------------------------------------

CORPUS: dict[str, str] = {
    "rich_bold": "[b]bold[/b]",
    "rich_click": "[@click=app.quit]x[/]",
    "rich_link": "[link=http://x]y[/link]",
    "rich_close_only": "[/] [/b] [",
    "rich_escaped": "\\[b]not bold\\[/b]",
    "template_dollars": "$name ${x} $$",
    "reportlab_tags": "<b>x</b><para>",
    "reportlab_img": '<img src="/etc/passwd"/>',
    "reportlab_entities": "&lt; &amp; &#x41; &nbsp;",
    "reportlab_br": "line<br/>break",
    "bidi_override": "\u202eevil",
    "bidi_isolate": "a\u2066b\u2069c",
    "bidi_mark": "rtl\u200fmark",
    "nul": "\x00",
    "escape_sequence": "\x1b[31mred\x1b[0m",
    "bell": "a\x07b",
    "delete": "a\x7fb",
    "c1_control": "a\x9bb",
    "carriage_return": "a\r\nb",
    "newline": "one\ntwo",
    "tab_inside": "one\ttwo",
    "lone_surrogate": "a\ud800b",
    "sql": "'; DROP TABLE contacts; --",
    "fts_operators": '"a" OR b NEAR(c)',
    "fts_column": "col:*",
    "fts_prefix": "a* ^b -c",
    "formula_hyperlink": '=HYPERLINK("http://x","y")',
    "formula_plus": "+1",
    "formula_minus": "-1",
    "formula_at": "@SUM(A1)",
    "formula_after_tab": "\t=1",
    "formula_after_blank": "  =1+1",
    "emoji": "😀👍🏽 👩‍👩‍👧",
    "combining": "Jose\u0301 Zo\u0308e",
    "zalgo": "Z\u0351\u0300\u0350a\u0316l\u0317go",
    "arabic": "مرحبا بالعالم",
    "cjk": "李小龍",
    "padded": "   padded   ",
    "over_one_line_limits": "x" * 501,
    "over_note_limit": "y" * 20_001,
}
"""Every kind of hostile text, each short enough to be fast (the 1 MB case is `MEGABYTE`)."""

MEGABYTE = "z" * 1_000_000
"""A 1 MB paste, for the services that take long text: refused as too long."""

SHOWN = {
    "name": "[@click=app.quit]x",
    "reference": "[/b]<b>&lt;",
    "query": '=HYPERLINK("x") [b]q[/b]',
    "note": "<para>[i]note[/i]</para> $name",
}
"""Short hostile values to find on screen, in PDFs and in the CSV (short, so no column cuts them)."""

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def expected(value: str, *, limit: int, multiline: bool, required: bool = False) -> str | None:
    """What the design says becomes of `value` in a field: its normalised text (every line break a
    newline), or None (refused)."""
    text = unicodedata.normalize("NFC", value)
    for other in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(other, "\n")
    text = text.strip()
    if (required and not text) or len(text) > limit:
        return None
    for char in text:
        if char in BIDI:
            return None
        if char in "\n\t":
            if multiline:
                continue
            return None
        if unicodedata.category(char) in ("Cc", "Cs"):
            return None
    return text


NAME = {"limit": 120, "multiline": False}
REFERENCE = {"limit": 40, "multiline": False}
SHORT = {"limit": 500, "multiline": False}
NOTE = {"limit": 20_000, "multiline": True}


def assert_messages_do_not_echo(problem: FieldErrors, value: str) -> None:
    """A refusal names the field and why, never the hostile input itself."""
    payload = value.strip()
    for message in problem.errors.values():
        assert message and isinstance(message, str)
        if len(payload) >= 4:
            assert payload[:60] not in message, (message, payload[:60])


def check(value: str, attempt: Callable[[], object], read_back: Callable[[], dict[str, str]],
          wants: dict[str, str | None], *, keys: Callable[[str], str] = lambda field: field) -> bool:
    """Run `attempt`: refused with FieldErrors naming exactly the fields whose value must be refused, or
    accepted with every field read back as its normalised text. Returns whether it was accepted."""
    refused = {keys(field) for field, want in wants.items() if want is None}
    try:
        attempt()
    except FieldErrors as problem:
        assert refused, f"refused although every field is acceptable: {problem.errors}"
        assert set(problem.errors) == refused, problem.errors
        assert_messages_do_not_echo(problem, value)
        return False
    assert not refused, f"accepted although {sorted(refused)} must be refused"
    assert read_back() == wants
    return True


def corpus(*, also_megabyte: bool = False, bugs: dict[str, str] | None = None):
    """The corpus as pytest params (with the 1 MB paste where the service takes long text); `bugs`
    marks the values that show a product bug (strict xfail, with the reason)."""
    bugs = bugs or {}
    params = [pytest.param(value, id=key, marks=[pytest.mark.xfail(strict=True, reason=bugs[key])] if key in bugs else [])
              for key, value in CORPUS.items()]
    if also_megabyte:
        params.append(pytest.param(MEGABYTE, id="megabyte"))
    return params


# --- contexts ---------------------------------------------------------------------------------------

HANDLER = Actor(number=CALL_HANDLER["number"], name=CALL_HANDLER["name"], role="call_handler", office="Main office")
MANAGER = Actor(number=LINE_MANAGER["number"], name=LINE_MANAGER["name"], role="line_manager", office="Main office")


@pytest.fixture(scope="module")
def hmpo(tmp_path_factory) -> Context:
    """One HMPO database for the module: the call handler, line manager and the letters' staff.
    Every test makes its own records, with references of its own, so tests do not meet."""
    clock = FixedClock(START, tick=timedelta(milliseconds=1))
    ctx = letter_context(tmp_path_factory.mktemp("hostile") / "counter.db", clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    yield ctx
    ctx.store.close()


CASEWORKER = Actor(number="3001", name="Priya Nair", role="caseworker", office="Main office")
NOMINATED = Actor(number="3003", name="Helen Ashworth", role="nominated_manager", office="Main office")


@pytest.fixture(scope="module")
def dwp(tmp_path_factory) -> Context:
    """The DWP pack (control measures) with a caseworker and a nominated manager."""
    clock = FixedClock(START, tick=timedelta(milliseconds=1))
    ctx = Context.open(tmp_path_factory.mktemp("hostile-dwp") / "counter.db", Settings(policy="dwp"), clock=clock)
    for pin, actor in enumerate((CASEWORKER, NOMINATED), start=4100):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin=f"{pin}27")
    yield ctx
    ctx.store.close()


_serial = iter(range(1, 1_000_000))


def unique_reference() -> str:
    """A fresh application reference, so earlier warnings of other tests never count."""
    return f"HX {next(_serial):06d}"


def ended_call(ctx: Context, *, name: str = "Mr Gareth Rowe", reference: str | None = None, query: str = "Passport",
               note: str = "Swore at me twice.") -> str:
    """A telephone call warned, not improved and ended (its record not yet written); returns its id."""
    contact_id = contacts.start_contact(ctx, HANDLER, "telephone", customer_name=name,
                                        reference=reference or unique_reference(), query=query)
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, HANDLER, contact_id, number, at_step=step)
    contacts.save_note(ctx, HANDLER, contact_id, note, version=0)
    return contact_id


def finished_call(ctx: Context, **details: str) -> records.Finished:
    contact_id = ended_call(ctx, **details)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, HANDLER, contact_id)}
    return records.finish(ctx, HANDLER, contact_id, fields)


def interview(ctx: Context) -> dict[str, str]:
    """An interview that did not improve: its tasks by kind (letter, welfare, incident report)."""
    letter_task = ended_interview(ctx, reference=unique_reference())
    contact_id = queue.get_task(ctx, letter_task).contact_id
    return {t.spec: t.id for t in queries.tasks_for_contact(ctx.store.db, contact_id)} | {"letter": letter_task}


# --- the contact: details at the start, corrected during it, the note -------------------------------

DETAILS = {"customer_name": NAME, "reference": REFERENCE, "query": SHORT}


@pytest.mark.parametrize("value", corpus())
@pytest.mark.parametrize("field", list(DETAILS))
def test_contact_details_at_the_start(hmpo, field, value):
    want = expected(value, **DETAILS[field])
    found: dict[str, str] = {}

    def attempt():
        typed = {"customer_name": "", "reference": "", "query": "", field: value}
        if field != "reference":
            typed["reference"] = unique_reference()  # the customer is their own
        found["id"] = contacts.start_contact(hmpo, HANDLER, "telephone", **typed)

    def read_back():
        contact = contacts.view(hmpo, found["id"]).contact
        stored = {field: getattr(contact, field)}
        if field != "query" and want:
            on_register = customers.get(hmpo, contact.customer_id)
            assert getattr(on_register, "name" if field == "customer_name" else "reference") == want
        return stored

    check(value, attempt, read_back, {field: want})


@pytest.mark.parametrize("value", corpus())
@pytest.mark.parametrize("field", list(DETAILS))
def test_contact_details_corrected_during_the_contact_and_on_the_register(hmpo, field, value):
    reference = unique_reference()
    contact_id = contacts.start_contact(hmpo, HANDLER, "telephone", customer_name="Mr Known", reference=reference,
                                        query="Renewal")
    typed = {"customer_name": "Mr Known", "reference": reference, "query": "Renewal", field: value}
    want = expected(value, **DETAILS[field])
    if field == "reference" and want == "":
        pytest.skip("an emptied reference is not a change of this test's concern")

    def read_back():
        contact = contacts.view(hmpo, contact_id).contact
        if field != "query":
            on_register = customers.get(hmpo, contact.customer_id)
            assert getattr(on_register, "name" if field == "customer_name" else "reference") == want
        return {field: getattr(contact, field)}

    check(value, lambda: contacts.update_details(hmpo, HANDLER, contact_id, **typed), read_back, {field: want})


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_note(hmpo, value):
    contact_id = contacts.start_contact(hmpo, HANDLER, "telephone", reference=unique_reference())
    check(value, lambda: contacts.save_note(hmpo, HANDLER, contact_id, value, version=0),
          lambda: {"text": contacts.view(hmpo, contact_id).contact.note}, {"text": expected(value, **NOTE)})


# --- the record a flow requires -----------------------------------------------------------------------


def _record_wants(ctx: Context, contact_id: str, value: str, *, draft: bool) -> dict[str, str | None]:
    form = records.form_for(ctx, contacts.view(ctx, contact_id))
    wants = {}
    for f in form.fields:
        single = not f.multiline or bool(f.options)
        want = expected(value, limit=500 if single else 20_000, multiline=not single, required=f.required and not draft)
        # a pick list keeps only one of its options: any other text is refused beside it
        wants[f.id] = None if f.options and want and want not in f.options else want
    return wants


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_record_finished(hmpo, value):
    contact_id = ended_call(hmpo)
    wants = _record_wants(hmpo, contact_id, value, draft=False)
    form = records.form_for(hmpo, contacts.view(hmpo, contact_id))

    def read_back():
        stored = dict(zip([f.id for f in form.fields], [text for _, text in records.finished_record(hmpo, contact_id)]))
        assert queries.contact(hmpo.store.db, contact_id).status == "finished"
        return stored

    if not check(value, lambda: records.finish(hmpo, HANDLER, contact_id, dict.fromkeys(wants, value)), read_back, wants):
        assert queries.contact(hmpo.store.db, contact_id).status == "open", "a refused record finishes nothing"


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_record_as_typed_so_far(hmpo, value):
    """A draft keeps what can be kept and leaves out the rest (the form says why beside it)."""
    contact_id = ended_call(hmpo)
    wants = _record_wants(hmpo, contact_id, value, draft=True)
    records.save_record_draft(hmpo, HANDLER, contact_id, dict.fromkeys(wants, value))
    assert queries.contact_record(hmpo.store.db, contact_id) == {k: v for k, v in wants.items() if v is not None}


# --- the customer register ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", corpus())
@pytest.mark.parametrize("field", ["name", "reference"])
def test_a_customer_added_to_the_register(hmpo, field, value):
    limits = NAME if field == "name" else REFERENCE
    want = expected(value, **limits)
    other = "reference" if field == "name" else "name"
    typed = {field: value, other: unique_reference() if other == "reference" else ""}
    if want == "" and not typed[other]:
        with pytest.raises(FieldErrors):
            customers.add(hmpo, HANDLER, **typed)
        return
    found = {}

    def attempt():
        found["id"] = customers.add(hmpo, HANDLER, **typed)

    check(value, attempt, lambda: {field: getattr(customers.get(hmpo, found["id"]), field)}, {field: want})


@pytest.fixture(scope="module")
def searchable(hmpo) -> None:
    finished_call(hmpo, name="Ms Searchable Person", note="Something to find.")


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_register_search_and_the_start_of_contact_look_up_never_fail(hmpo, searchable, value):
    """Whatever is typed is searched for as text: a list comes back (empty or not), never an error."""
    assert isinstance(register.search(hmpo, value), list)
    assert isinstance(customers.find(hmpo, name=value), list)
    assert isinstance(customers.find(hmpo, reference=value), list)
    customers.matching(hmpo, name=value, reference=value)


def test_markup_and_operators_are_found_as_text_in_the_register(hmpo):
    name = "[b]Ann[/b] OR NEAR(x)"
    reference = unique_reference()
    finished_call(hmpo, name=name, reference=reference, note='He wrote "col:*" and <b>x</b> on the form.')
    assert [h.name for h in register.search(hmpo, "[b]Ann[/b] OR NEAR(x)")] == [name]
    assert any(h.name == name for h in register.search(hmpo, '"col:*" <b>x</b>'))
    assert [s.customer.name for s in customers.find(hmpo, name="[b]Ann")] == [name]


# --- the incident report form -------------------------------------------------------------------------


def _report_wants(ctx: Context, task_id: str, value: str, *, complete: bool) -> tuple[dict, dict[str, str | None]]:
    draft = incident_report.draft(ctx, MANAGER, task_id)
    text_fields = [f for f in draft.fields if not f.yes_no]
    wants = {f.id: expected(value, limit=20_000 if f.multiline else 500, multiline=f.multiline,
                            required=f.required and complete) for f in text_fields}
    answered = {f.id: "no" for f in draft.fields if f.yes_no and f.required}  # the serious-incident questions
    return {f.id: value for f in text_fields} | answered, wants


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_incident_report_form_completed(hmpo, value):
    task_id = interview(hmpo)["incident_report"]
    typed, wants = _report_wants(hmpo, task_id, value, complete=True)

    def read_back():
        incident = queries.incident(hmpo.store.db, queue.get_task(hmpo, task_id).incident_id)
        assert incident.reported_at is not None
        return {k: incident.report[k] for k in wants}

    check(value, lambda: incident_report.complete(hmpo, MANAGER, task_id, typed, version=0), read_back, wants)


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_incident_report_form_as_typed_so_far(hmpo, value):
    task_id = interview(hmpo)["incident_report"]
    typed, wants = _report_wants(hmpo, task_id, value, complete=False)
    incident_report.save_draft(hmpo, MANAGER, task_id, typed, version=0)
    incident = queries.incident(hmpo.store.db, queue.get_task(hmpo, task_id).incident_id)
    assert {k: v for k, v in incident.report.items() if k in wants} == {k: v for k, v in wants.items() if v is not None}


# --- letters ---------------------------------------------------------------------------------------------

LETTER_LIMITS = {"subject": {"limit": 200, "multiline": False}, "body": NOTE}


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_letter_sent_for_sign_off(hmpo, value):
    view = letters.view(hmpo, ADE, interview(hmpo)["letter"])
    wants = {f: expected(value, **limits, required=True) for f, limits in LETTER_LIMITS.items()}

    def read_back():
        letter = letter_store.letter(hmpo.store.db, view.letter.id)
        assert letter.status == "submitted"
        return {f: letter.draft[f] for f in LETTER_LIMITS}

    check(value, lambda: letters.submit(hmpo, ADE, view.letter.id, {**view.values, "subject": value, "body": value},
                                 version=view.letter.version), read_back, wants)


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_letter_as_typed_so_far(hmpo, value):
    view = letters.view(hmpo, ADE, interview(hmpo)["letter"])
    wants = {f: expected(value, **limits) for f, limits in LETTER_LIMITS.items()}
    letters.save_draft(hmpo, ADE, view.letter.id, {**view.values, "subject": value, "body": value}, version=0)
    draft = letter_store.letter(hmpo.store.db, view.letter.id).draft
    assert {f: draft.get(f) for f in LETTER_LIMITS if wants[f] is not None} == {
        f: w for f, w in wants.items() if w is not None}
    assert all(f not in draft for f, w in wants.items() if w is None), "refused text is never kept"


def submitted_letter(ctx: Context) -> str:
    view = letters.view(ctx, ADE, interview(ctx)["letter"])
    letters.submit(ctx, ADE, view.letter.id, view.values, version=view.letter.version)
    return view.letter.id


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_letter_returned_with_a_reason(hmpo, value):
    letter_id = submitted_letter(hmpo)
    check(value, lambda: letter_sign_off.return_letter(hmpo, GRACE, letter_id, value, version=1),
          lambda: {"reason": letter_store.letter(hmpo.store.db, letter_id).returned_reason},
          {"reason": expected(value, limit=2000, multiline=True, required=True)})


# --- the welfare signature and a task's note ------------------------------------------------------------


def sign_task(ctx: Context) -> str:
    """The interview officer's welfare record, written by the line manager: the task to sign it."""
    contact_id = queue.open_task(ctx, MANAGER, interview(ctx)["staff_threatened"])
    while not (current := contacts.view(ctx, contact_id)).step.is_final:
        contacts.take_step(ctx, MANAGER, contact_id, current.offered[0][0], at_step=current.step.id)
    fields = {fid: text or ("Shaken; offered support." if required else "") for fid, _, text, required in records.draft_record(ctx, MANAGER, contact_id)}
    (task_id,) = records.finish(ctx, MANAGER, contact_id, fields).task_ids
    return task_id


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_the_welfare_signature_comment(hmpo, value):
    task_id = sign_task(hmpo)
    contact_id = queue.get_task(hmpo, task_id).contact_id
    check(value, lambda: welfare.sign(hmpo, RAVI, task_id, agreed=True, comment=value),
          lambda: {"comment": queries.signature(hmpo.store.db, contact_id)["comment"]},
          {"comment": expected(value, **NOTE)})


def scan_task(ctx: Context) -> str:
    """A task with no guided steps: scanning a signed-off letter (the HEO counter manager's)."""
    letter_id = submitted_letter(ctx)
    letter_sign_off.approve(ctx, GRACE, letter_id, version=1)
    return next(t.id for t in letter_store.tasks_for_letter(ctx.store.db, letter_id) if t.spec == "scan_letter")


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_tasks_done_note(hmpo, value):
    task_id = scan_task(hmpo)

    def read_back():
        done = [e for e in events.for_stream(hmpo.store.db, f"task:{task_id}") if e.kind == "task.done"]
        return {"note": done[-1].payload["note"]}

    check(value, lambda: queue.complete_task(hmpo, ADE, task_id, value), read_back, {"note": expected(value, **NOTE)})


# --- control measures (DWP) ---------------------------------------------------------------------------


def a_customer(ctx: Context) -> str:
    return customers.add(ctx, CASEWORKER, name="Ms Dana Whitlock", reference=unique_reference())


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_asking_for_a_decision(dwp, value):
    customer_id = a_customer(dwp)
    found = {}

    def attempt():
        found["task"] = measures.propose(dwp, CASEWORKER, customer_id, value)

    check(value, attempt, lambda: {"reason": measures.request(dwp, NOMINATED, found["task"]).reason},
          {"reason": expected(value, **NOTE, required=True)})


MEASURE_FIELDS = {"reason": {**NOTE, "required": True}, "detail": NOTE, "connected_person": NAME}


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_marker_decided(dwp, value):
    task_id = measures.propose(dwp, CASEWORKER, a_customer(dwp), "Shouted at staff on three calls.")
    wants = {f: expected(value, **limits) for f, limits in MEASURE_FIELDS.items()}
    found = {}

    def attempt():
        found["ids"] = measures.decide(dwp, NOMINATED, task_id, measures=[
            {"spec": "pv_marker", "review_on": "", **dict.fromkeys(MEASURE_FIELDS, value)}])

    def read_back():
        stored = measure_store.measure(dwp.store.db, found["ids"][0])
        return {f: getattr(stored, f) for f in MEASURE_FIELDS}

    check(value, attempt, read_back, wants, keys=lambda field: f"pv_marker.{field}")


@pytest.mark.parametrize("value", corpus())
def test_how_the_customer_was_told_of_a_restriction(dwp, value):
    task_id = measures.propose(dwp, CASEWORKER, a_customer(dwp), "Abusive on every call.")
    want = expected(value, **SHORT)
    found = {}

    def attempt():
        found["ids"] = measures.decide(dwp, NOMINATED, task_id, measures=[
            {"spec": "writing_only", "reason": "Abusive on every call.", "told": value,
             "review_on": "2027-05-25"}])

    if want == "":  # the pack asks how they were told: empty is refused, with its own message
        with pytest.raises(FieldErrors) as problem:
            attempt()
        assert set(problem.value.errors) == {"writing_only.told"}
        return
    check(value, attempt, lambda: {"told": measure_store.measure(dwp.store.db, found["ids"][0]).told}, {"told": want},
          keys=lambda field: f"writing_only.{field}")


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_no_further_action_with_its_reason(dwp, value):
    task_id = measures.propose(dwp, CASEWORKER, a_customer(dwp), "Raised voice once.")

    def read_back():
        (decided,) = [e for e in events.for_stream(dwp.store.db, f"task:{task_id}") if e.kind == "measure.decided"]
        return {"no_further_action": decided.payload["reason"]}

    check(value, lambda: measures.decide(dwp, NOMINATED, task_id, no_further_action=value), read_back,
          {"no_further_action": expected(value, **NOTE, required=True)})


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_measure_reviewed(dwp, value):
    task_id = measures.propose(dwp, CASEWORKER, a_customer(dwp), "Threatened staff.")
    (measure_id,) = measures.decide(dwp, NOMINATED, task_id, measures=[{"spec": "pv_marker", "reason": "Threats."}])
    wants = {"reason": expected(value, **NOTE, required=True), "terms": expected(value, **NOTE, required=True),
             "told": expected(value, **SHORT)}

    def read_back():
        customer_id = measure_store.measure(dwp.store.db, measure_id).customer_id
        (reviewed,) = [e.payload for e in events.for_stream(dwp.store.db, f"customer:{customer_id}")
                       if e.kind == "measure.reviewed" and e.payload["measure_id"] == measure_id]
        stored = measure_store.measure(dwp.store.db, measure_id)
        assert stored.reason == reviewed["terms"], "the changed terms are the measure's now"
        return {"reason": reviewed["reason"], "terms": reviewed["terms"], "told": reviewed["told"] or ""}

    check(value, lambda: measure_review.review(dwp, NOMINATED, measure_id, action="change", reason=value, terms=value,
                                        told=value, review_on="2027-06-01", version=1), read_back, wants)


# --- staff -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", corpus())
def test_a_staff_members_name(hmpo, value, monkeypatch):
    number = f"9{next(_serial):05d}"
    check(value, lambda: staff.add_staff(hmpo, number=number, name=value, role="call_handler", office="Main office", pin="123427"),
          lambda: {"name": next(m.name for m in staff.list_staff(hmpo) if m.number == number)},
          {"name": expected(value, **NAME, required=True)})


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_hostile_pin_is_refused_like_any_wrong_pin(hmpo, value, monkeypatch):
    number = f"7{next(_serial):05d}"  # a number of its own, so no earlier wrong PIN makes it wait
    staff.add_staff(hmpo, number=number, name="Kim Lee", role="call_handler", office="Main office", pin="246827")
    with pytest.raises(SignInRefused):
        staff.sign_in(hmpo, number, value)


@pytest.mark.parametrize("value", corpus(also_megabyte=True))
def test_a_hostile_staff_number_is_refused_like_any_unknown_one(hmpo, value, monkeypatch):
    with pytest.raises(SignInRefused):
        staff.sign_in(hmpo, value, "246827")


# --- shown as text on screen ------------------------------------------------------------------------------


def screen_text(app) -> str:
    """What the terminal shows, line by line, read from the app's own SVG screenshot."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in re.findall(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>',
                                 app.export_screenshot(), re.S):
        rows.setdefault(float(y), []).append((float(x), html.unescape(text).replace("\xa0", " ").replace("\n", "")))
    return "\n".join("".join(part for _, part in sorted(parts)) for _, parts in sorted(rows.items()))


def assert_shown(app, *values: str) -> None:
    """Each value is on screen exactly as typed (markup shown, not applied), and no action ran."""
    shown = screen_text(app)
    for value in values:
        assert value in shown, f"{value!r} is not shown as typed on {type(app.screen).__name__}:\n{shown}"
    assert app.is_running and app.return_code is None, "no markup action (app.quit) ran"


async def show(app, pilot, screen) -> None:
    app.push_screen(screen)
    await pilot.pause()
    await pilot.pause()


@pytest.fixture
def shown_ctx(tmp_path, clock) -> Context:
    ctx = letter_context(tmp_path / "shown.db", clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    return ctx


SIZE = (150, 45)


async def test_a_contact_its_record_and_the_queue_show_typed_text_as_text(shown_ctx):
    from counter_tui.app import CounterApp
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.customer_record import CustomerRecordScreen
    from counter_tui.screens.find_customer import FindCustomerScreen
    from counter_tui.screens.incident_report import IncidentReportScreen
    from counter_tui.screens.queue import QueueScreen
    from counter_tui.screens.record import RecordScreen
    from counter_tui.screens.register import RegisterScreen
    from counter_tui.screens.summary import SummaryScreen
    from counter_tui.screens.task import TaskScreen
    from textual.widgets import Input

    ctx = shown_ctx
    contact_id = ended_call(ctx, name=SHOWN["name"], reference=SHOWN["reference"], query=SHOWN["query"], note=SHOWN["note"])
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        app.actor = HANDLER
        await show(app, pilot, ContactScreen(contact_id))
        assert_shown(app, SHOWN["name"], SHOWN["reference"], SHOWN["note"])
        app.pop_screen()
        await show(app, pilot, RecordScreen(contact_id))
        assert_shown(app, SHOWN["name"], SHOWN["query"], SHOWN["note"])
        app.pop_screen()
        fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, HANDLER, contact_id)}
        finished = records.finish(ctx, HANDLER, contact_id, fields)
        await show(app, pilot, SummaryScreen(finished))
        assert_shown(app, SHOWN["name"], SHOWN["query"], SHOWN["note"])
        app.pop_screen()

        app.actor = MANAGER
        await show(app, pilot, QueueScreen())
        assert_shown(app, SHOWN["name"], SHOWN["reference"])
        app.pop_screen()
        tasks = {t.spec: t.id for t in queries.tasks_for_contact(ctx.store.db, contact_id)}
        await show(app, pilot, TaskScreen(tasks["call_back"]))
        assert_shown(app, SHOWN["name"], SHOWN["reference"], SHOWN["query"], SHOWN["note"])
        app.pop_screen()
        await show(app, pilot, IncidentReportScreen(tasks["incident_report"]))
        assert_shown(app, SHOWN["note"])
        app.pop_screen()

        await show(app, pilot, RegisterScreen())
        app.screen.query_one("#register-search", Input).value = "note"
        app.screen.search_now()
        await pilot.pause()
        assert_shown(app, SHOWN["name"], SHOWN["reference"])
        app.pop_screen()
        customer_id = queries.contact(ctx.store.db, contact_id).customer_id
        await show(app, pilot, CustomerRecordScreen(customer_id))
        assert_shown(app, SHOWN["name"], SHOWN["reference"])
        app.pop_screen()
        await show(app, pilot, FindCustomerScreen("telephone"))
        app.screen.query_one("#find-reference", Input).value = SHOWN["reference"]
        await pilot.pause()
        await pilot.pause()
        assert_shown(app, SHOWN["name"], SHOWN["reference"])


async def test_letters_and_the_welfare_record_show_typed_text_as_text(shown_ctx):
    from counter_tui.app import CounterApp
    from counter_tui.screens.letter import LetterScreen
    from counter_tui.screens.letter_sign_off import LetterSignOffScreen
    from counter_tui.screens.welfare_sign import WelfareSignScreen

    ctx = shown_ctx
    tasks = interview(ctx)
    view = letters.view(ctx, ADE, tasks["letter"])
    letters.save_draft(ctx, ADE, view.letter.id, {**view.values, "subject": SHOWN["query"], "body": SHOWN["note"]},
                       version=0)
    contact_id = queue.open_task(ctx, MANAGER, tasks["staff_threatened"])
    while not (current := contacts.view(ctx, contact_id)).step.is_final:
        contacts.take_step(ctx, MANAGER, contact_id, current.offered[0][0], at_step=current.step.id)
    fields = {fid: text or SHOWN["note"] for fid, _, text, _ in records.draft_record(ctx, MANAGER, contact_id)}
    (sign,) = records.finish(ctx, MANAGER, contact_id, fields).task_ids
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        app.actor = ADE
        await show(app, pilot, LetterScreen(tasks["letter"]))
        assert_shown(app, SHOWN["query"], SHOWN["note"])
        app.pop_screen()
        submitted = letters.view(ctx, ADE, tasks["letter"])
        sign_off = letters.submit(ctx, ADE, view.letter.id, submitted.values, version=submitted.letter.version)
        app.actor = GRACE
        await show(app, pilot, LetterSignOffScreen(sign_off.id))
        assert_shown(app, SHOWN["query"], SHOWN["note"])
        app.pop_screen()
        redraft = letter_sign_off.return_letter(ctx, GRACE, view.letter.id, SHOWN["name"] + " " + SHOWN["reference"],
                                                version=submitted.letter.version + 1)
        app.actor = ADE
        await show(app, pilot, LetterScreen(redraft.id))
        assert_shown(app, SHOWN["name"] + " " + SHOWN["reference"])
        app.pop_screen()
        app.actor = RAVI
        await show(app, pilot, WelfareSignScreen(sign))
        assert_shown(app, SHOWN["note"])


async def test_a_decision_and_a_review_show_typed_text_as_text(tmp_path, clock):
    from counter_tui.app import CounterApp
    from counter_tui.screens.measure_decision import MeasureDecisionScreen
    from counter_tui.screens.measure_review import MeasureReviewScreen

    ctx = Context.open(tmp_path / "dwp.db", Settings(policy="dwp"), clock=clock)
    for pin, actor in enumerate((CASEWORKER, NOMINATED), start=4100):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin=f"{pin}27")
    customer_id = customers.add(ctx, CASEWORKER, name=SHOWN["name"], reference=SHOWN["reference"])
    task_id = measures.propose(ctx, CASEWORKER, customer_id, SHOWN["note"])
    other = measures.propose(ctx, CASEWORKER, customer_id, "Second request.")
    (measure_id,) = measures.decide(ctx, NOMINATED, other, measures=[
        {"spec": "pv_marker", "reason": SHOWN["query"], "connected_person": "[i]Ann[/i]"}])
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        app.actor = NOMINATED
        await show(app, pilot, MeasureDecisionScreen(task_id))
        assert_shown(app, SHOWN["name"], SHOWN["reference"], SHOWN["note"])
        app.pop_screen()
        await show(app, pilot, MeasureReviewScreen(measure_id))
        assert_shown(app, SHOWN["name"], SHOWN["reference"], SHOWN["query"], "[i]Ann[/i]")


async def test_a_staff_members_name_is_shown_as_text(shown_ctx):
    from counter_tui.app import CounterApp
    from counter_tui.screens.contact import ContactScreen

    ctx = shown_ctx
    name = "[b]Bo[/b] [@click=app.quit]x[/]"
    staff.add_staff(ctx, number="1099", name=name, role="call_handler", office="Main office", pin="123427")
    actor = Actor(number="1099", name=name, role="call_handler", office="Main office")
    contact_id = contacts.start_contact(ctx, actor, "telephone")
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        app.signed_in(actor)
        await pilot.pause()
        assert_shown(app, name)
        await show(app, pilot, ContactScreen(contact_id))
        assert_shown(app, name)


# --- printed and exported as text ---------------------------------------------------------------------------

PRINTED = '<img src="/etc/passwd"/> <b>bold</b> &amp; <font color="red">red</font> [b]x[/b]'


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_every_pdf_prints_reportlab_markup_as_text(hmpo, tmp_path):
    tasks = interview(hmpo)
    report = incident_report.draft(hmpo, MANAGER, tasks["incident_report"])
    values = {f.id: f.text or "no" for f in report.fields if f.yes_no} | {f.id: f.text for f in report.fields if not f.yes_no} | {"comments": PRINTED}
    incident = incident_report.complete(hmpo, MANAGER, tasks["incident_report"], values, version=0)
    finished = finished_call(hmpo, name="<b>Mr</b> &lt;Rowe&gt;", note=PRINTED)
    call = queries.incident(hmpo.store.db, finished.incident_id)
    view = letters.view(hmpo, ADE, tasks["letter"])
    letters.save_draft(hmpo, ADE, view.letter.id, {**view.values, "subject": "<i>Re</i>: [b]x[/b]", "body": PRINTED},
                       version=0)
    pdfs = {
        "incident": printing.print_incident(hmpo, incident.id, out=tmp_path / "incident.pdf").path,
        "case-note": printing.print_incident(hmpo, call.id, form="case-note", out=tmp_path / "case-note.pdf").path,
        "letter": printing.print_letter(hmpo, view.letter.id, out=tmp_path / "letter.pdf").path,
    }
    for form, path in pdfs.items():
        text = " ".join(pdf_text(path.read_bytes()).split())
        assert PRINTED in text, (form, text)
    assert "<b>Mr</b> &lt;Rowe&gt;" in " ".join(pdf_text(pdfs["case-note"].read_bytes()).split())
    assert "<i>Re</i>: [b]x[/b]" in pdf_text(pdfs["letter"].read_bytes())


FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def test_the_csv_export_never_starts_a_cell_with_a_formula(tmp_path, clock):
    db = tmp_path / "export.db"
    ctx = letter_context(db, clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    typed = [CORPUS[k] for k in CORPUS if k.startswith("formula_")] + ["=1\n+2", "@x\t-y"]
    stored = []
    for value in typed:
        one_line = expected(value, **NAME)
        finished = finished_call(ctx, name=one_line if one_line is not None else "Mr Plain",
                                 query=one_line if one_line is not None else "Passport")
        task_id = next(t.id for t in queries.tasks_for_contact(ctx.store.db, finished.contact_id) if t.spec == "incident_report")
        values = {f.id: f.text or ("no" if f.yes_no else "") for f in incident_report.draft(ctx, MANAGER, task_id).fields} | {
            "comments": value, "details": value, "reported_to": value}
        incident_report.complete(ctx, MANAGER, task_id, values, version=0)
        stored.append(expected(value, **NOTE))
    ctx.store.close()
    result = CliRunner().invoke(main, ["export", "incidents", "--admin", "--format", "csv", "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(typed)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULAS), (column, cell)
    assert [row["report_comments"] for row in rows] == [("'" + s if s.startswith(FORMULAS) else s) for s in stored]
    assert {row["customer_name"] for row in rows} >= {"'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'-1", "'@SUM(A1)", "'=1",
                                                      "'=1+1"}


# --- findings -------------------------------------------------------------------------------------------------

LINE_SEPARATORS = {"line_separator": "Mr A\u2028Evil", "paragraph_separator": "Mr A\u2029Evil"}


@pytest.mark.parametrize("value", list(LINE_SEPARATORS.values()), ids=list(LINE_SEPARATORS))
def test_a_one_line_field_refuses_unicode_line_separators(hmpo, value):
    assert len(value.splitlines()) == 2, "Python, Rich and spreadsheets break the line here"
    with pytest.raises(FieldErrors) as problem:
        contacts.start_contact(hmpo, HANDLER, "telephone", customer_name=value, reference=value, query=value)
    assert set(problem.value.errors) == {"customer_name", "reference", "query"}


def test_the_json_lines_export_keeps_one_incident_per_line(tmp_path, clock):
    db = tmp_path / "export.db"
    ctx = letter_context(db, clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    expected_ids = []
    for text in ("one\u2028two", "three\u2029four"):
        finished = finished_call(ctx)
        task_id = next(t.id for t in queries.tasks_for_contact(ctx.store.db, finished.contact_id) if t.spec == "incident_report")
        values = {f.id: f.text or ("no" if f.yes_no else "") for f in incident_report.draft(ctx, MANAGER, task_id).fields} | {"comments": text}
        try:  # a multi-line field: the design allows line breaks here
            incident_report.complete(ctx, MANAGER, task_id, values, version=0)
        except FieldErrors:
            pass
        expected_ids.append(finished.incident_id)
    ctx.store.close()
    result = CliRunner().invoke(main, ["export", "incidents", "--admin", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == expected_ids
