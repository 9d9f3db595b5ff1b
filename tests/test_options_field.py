"""A form's pick list (`options`), and the HMPO notes' questions it carries (issue 18 item 10).

GIVEN a form field with `options` (one of them, or with `many` any of them) WHEN the record is
completed THEN only the options' own text is stored (several joined by "; " in the options' order,
so notes, PDFs and exports show the words); anything else is refused beside the field, naming the
field and not echoing what was typed, and nothing is finished. On screen the field is picked by
keyboard: a drop-down for one, a list ticked with space for many.

AND the HMPO case note, interview note and counter note ask the kind of behaviour in the document's
own categories; the counter note why the customer came; the telephone notes whether the call was to
or from the customer; and the notes the needs taken into account.
"""

from __future__ import annotations

import json

import pytest
from textual.widgets import Select, SelectionList

from counter_tui.app import CounterApp
from counter_tui.policy.lint import lint
from counter_tui.policy.loader import load_pack
from counter_tui.policy.schema import FormField
from counter_tui.screens.record import RecordScreen
from counter_tui.services import contacts, records
from counter_tui.services.errors import FieldErrors
from counter_tui.services.record_text import check_record_field
from counter_tui.store import queries

from tests.test_channels import channel_context
from counter_tui.services.demo import actor_of
from tests.test_step_roles import CHLOE as CHLOE_LOGIN, COUNTER_KEY

CHLOE = actor_of(CHLOE_LOGIN)

KINDS = ["sexist", "racist", "homophobic", "discrimination because of a protected characteristic",
         "intimidating language (for example, swearing)", "aggressive body language"]
"""'Customer conduct: supporting our staff': "may: be sexist, racist or homophobic or may involve
discrimination because of a person's protected characteristics; use intimidating language, such as
swearing or aggressive body language"."""
VISIT = ["they want to submit an application using a priority service",
         "they must attend an interview to complete their application", "another reason"]
ONE = FormField(id="one", label="One", options=["a", "b"], required=True)
MANY = FormField(id="many", label="Many", options=["a", "b", "c"], many=True, required=False)


# --- the rule, in the service -------------------------------------------------------------------


def test_an_options_field_keeps_only_its_options_text():
    assert check_record_field(ONE, " b ") == "b"
    assert check_record_field(MANY, "c; a") == "a; c"  # the options' order, whatever the order picked
    assert check_record_field(MANY, "") == ""
    for bad, field in (("d", ONE), ("a; b", ONE), ("a; z", MANY), ("a\nb", MANY)):
        with pytest.raises(FieldErrors) as refused:
            check_record_field(field, bad)
        assert list(refused.value.errors) == [field.id]
    with pytest.raises(FieldErrors, match="Pick one from the list"):
        check_record_field(ONE, "")


def _refused_counter_contact(ctx) -> str:
    contact_id = contacts.start_contact(ctx, CHLOE, "counter", customer_name="Mr Sid Vance", reference="PEX 1000 2000")
    contacts.take_step(ctx, CHLOE, contact_id, 2, at_step="what")  # violent, threatening or abusive
    contacts.take_step(ctx, CHLOE, contact_id, 2, at_step="warn")  # refuse to serve
    contacts.take_step(ctx, CHLOE, contact_id, 1, at_step="refuse")  # referred to her line manager
    contacts.save_note(ctx, CHLOE, contact_id, "Swore at me and banged the desk.", version=0)
    return contact_id


def test_a_value_not_in_the_options_is_refused_beside_the_field_and_nothing_is_finished(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    contact_id = _refused_counter_contact(ctx)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, CHLOE, contact_id)} | {"told": "Nothing."}
    with pytest.raises(FieldErrors) as refused:
        records.finish(ctx, CHLOE, contact_id, fields | {"visit_reason": "to collect a passport",
                                                         "behaviour_kind": "racist; rude"})
    assert set(refused.value.errors) == {"visit_reason", "behaviour_kind"}
    assert "to collect" not in refused.value.errors["visit_reason"]
    assert queries.contact(ctx.store.db, contact_id).status == "open"
    records.finish(ctx, CHLOE, contact_id, fields | {"visit_reason": VISIT[1], "behaviour_kind": f"{KINDS[5]}; {KINDS[1]}",
                                                     "needs": "Hard of hearing: I spoke slowly, facing him."})
    shown = dict(records.finished_record(ctx, contact_id))
    assert shown["Why the customer came to the public facing area"] == VISIT[1]
    assert shown["Kind of behaviour (pick any that apply)"] == f"{KINDS[1]}; {KINDS[5]}"
    assert shown["The customer's needs you took into account (optional)"] == "Hard of hearing: I spoke slowly, facing him."


# --- the pack -------------------------------------------------------------------------------------


def test_the_hmpo_notes_ask_the_documents_questions():
    pack = load_pack("hmpo")
    forms = {form.id: {field.id: field for field in form.fields} for form in pack.forms}
    for form in ("case_note", "interview_note", "counter_note"):
        kind = forms[form]["behaviour_kind"]
        assert kind.options == KINDS and kind.many and kind.section == "Customer conduct: supporting our staff"
        assert not forms[form]["needs"].required and not forms[form]["needs"].options
    assert forms["counter_note"]["visit_reason"].options == VISIT and not forms["counter_note"]["visit_reason"].many
    assert any("another reason" in note for note in pack.review_notes)
    for form in ("case_note", "refusal_note"):
        assert forms[form]["call_direction"].options == ["The customer called us", "We called the customer"]


def _broken(**field) -> list[str]:
    pack = load_pack("hmpo")
    form = pack.forms[0]
    bad = form.model_copy(update={"fields": [*form.fields, FormField(id="bad", label="Bad", **field)]})
    return [f.rule for f in lint(pack.model_copy(update={"forms": [bad, *pack.forms[1:]]}))
            if f.place == f"forms[{form.id}].fields[bad]"]


@pytest.mark.parametrize("field", [
    {"many": True}, {"options": ["a", "a"]}, {"options": ["a; b"]}, {"options": [" "]},
    {"options": ["a"], "yes_no": True}, {"options": ["a"], "day": True},
])
def test_a_pick_list_that_cannot_be_stored_as_text_fails_the_check(field):
    assert _broken(**field) == ["P017"]


def test_counters_own_lines_beside_words_all_marked_as_counters_fail_the_check():
    pack = load_pack("hmpo")
    flow = pack.flow("counter")
    remove = flow.step("remove").model_copy(update={"words_from_guidance": False})
    flows = [flow.model_copy(update={"steps": [remove if s.id == "remove" else s for s in flow.steps]}) if f.id == "counter"
             else f for f in pack.flows]
    found = lint(pack.model_copy(update={"flows": flows}))
    assert [(f.rule, f.place) for f in found if f.rule == "P017"] == [("P017", "flows[counter].steps[remove]")]


# --- on screen, by keyboard -----------------------------------------------------------------------


async def test_the_counter_note_is_picked_by_keyboard_and_stored_as_text(tmp_path, clock):
    ctx = channel_context(tmp_path / "c.db", clock)
    app = CounterApp(ctx)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press(*"3002", "enter", *"357927", "enter")  # the counter member of staff
        await pilot.press(COUNTER_KEY, "enter")
        await pilot.pause()
        contact_id = app.screen.contact_id
        await pilot.press("2", "2", "1")  # violent, threatening or abusive -> refuse to serve -> referred
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen)
        reason = app.screen.query_one("#field-visit_reason", Select)
        reason.focus()
        await pilot.press("enter")  # open the drop-down
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # past "Pick one": the second reason
        await pilot.pause()
        assert reason.value == VISIT[1]
        kinds = app.screen.query_one("#field-behaviour_kind", SelectionList)
        kinds.focus()
        await pilot.press("space", "down", "down", "down", "down", "space")  # sexist, intimidating language
        await pilot.pause()
        assert sorted(kinds.selected) == sorted([KINDS[0], KINDS[4]])
        assert app.screen.save_typing()  # the draft keeps what was picked, as text
        draft = queries.contact_record(ctx.store.db, contact_id)
        assert draft["visit_reason"] == VISIT[1] and draft["behaviour_kind"] == f"{KINDS[0]}; {KINDS[4]}"
        for fid, text in (("who", "Mr Sid Vance"), ("said_or_did", "Swore at me."), ("told", "Nothing.")):
            widget = app.screen.query_one(f"#field-{fid}")
            if not widget.text:
                widget.load_text(text)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, RecordScreen), "the record is saved"
    stored = json.loads(ctx.store.db.execute("SELECT record FROM contacts WHERE id = ?", [contact_id]).fetchone()[0])
    assert stored["visit_reason"] == VISIT[1]
    assert stored["behaviour_kind"] == f"{KINDS[0]}; {KINDS[4]}"
