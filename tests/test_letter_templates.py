"""The letter templates: every shipped one loads, says what the guidance says it must explain, quotes
the guidance verbatim where it claims to, and merges customer data literally, never as a template.
"""

from __future__ import annotations

import re
import unicodedata
from importlib import resources
from pathlib import Path
from string import Template

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_tui.policy.letter_templates import (
    MERGE_FIELDS,
    TemplateError,
    body,
    load_template,
    merge,
    parse_template,
    shipped_template_ids,
    subject,
    suggestion_text,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
"""The guidance documents, beside the checkout (not shipped with the product)."""

HMPO_LETTERS = {
    "hmpo_interview_warning", "hmpo_cso_barring", "hmpo_csc_barring", "hmpo_written_warning", "hmpo_written_barring",
}

COVERAGE = {
    "hmpo_interview_warning": {
        "the customer must do an interview as part of the application process": "must still do an interview as part of the application process",
        "the customer must contact us to book another interview": "must contact us to book another interview",
    },
    "hmpo_cso_barring": {
        "the customer must attend a CSC to finish the interview process": "must attend a customer service centre (csc) to finish the interview process",
    },
    "hmpo_csc_barring": {
        "the customer is barred from attending all passport offices": "barred from attending all passport offices",
        "the customer can only apply using the standard post or online service": "only apply using the standard post or online service",
    },
    "hmpo_written_warning": {
        "their behaviour is not acceptable": "your behaviour is not acceptable",
        "if it continues, they will be barred from sending HM Passport Office written communications":
            "if it continues, you will be barred from sending hm passport office written communications",
    },
    "hmpo_written_barring": {
        "their behaviour is not acceptable": "your behaviour is not acceptable",
        "they are barred from sending HM Passport Office written communications":
            "you are now barred from sending hm passport office written communications",
        "they can track the progress of their application online (if they applied online)":
            "you can track the progress of your application online",
        "they must call the passport helpline if they have a query with their application":
            "if you have a query about your application, you must call the passport helpline",
    },
}
"""For each HMPO letter, each point the guidance says it must explain, and the words in the letter
that explain it."""

FIELDS = {
    "customer_name": "Alex Example",
    "reference": "1234567890",
    "incident_date": "25 November 2026",
    "channel": "face-to-face interview",
    "office": "Main office",
    "application_office": "Second office",
    "organisation": "HM Passport Office",
    "applied_online": "yes",
}

VALID = """
id = "sample"
title = "Sample letter"
source = "A document"
section = "A section"
must_explain = ["something"]
subject = "Your application $reference: a letter"
paragraphs = ["On $incident_date we wrote to you."]
"""


def test_every_shipped_template_loads():
    ids = shipped_template_ids()
    assert set(ids) == HMPO_LETTERS | {"dwp_cmel9271"}
    for template_id in ids:
        template = load_template(template_id)
        assert template.id == template_id
        assert template.must_explain
        assert template.free_text or template.paragraphs


@pytest.mark.parametrize("template_id", sorted(HMPO_LETTERS))
def test_each_hmpo_letter_explains_what_the_guidance_says_it_must(template_id):
    """GIVEN an HMPO letter THEN its body covers every point of its must_explain, in the customer's terms."""
    template = load_template(template_id)
    assert set(template.must_explain) == set(COVERAGE[template_id])
    text = body(template, FIELDS).lower()
    for point, words in COVERAGE[template_id].items():
        assert words in text, f"{template_id} does not explain: {point}"
    assert template.words_from_guidance is False
    assert template.free_text is False
    assert template.suggestions == []


def test_the_interview_warning_says_why_the_interview_was_ended():
    text = body(load_template("hmpo_interview_warning"), FIELDS)
    assert "On 25 November 2026 we ended your face-to-face interview." in text
    assert "warned you about your behaviour" in text
    assert "did not improve" in text


def test_no_letter_has_a_salutation_or_sign_off():
    for template_id in shipped_template_ids():
        text = body(load_template(template_id), FIELDS).lower()
        assert "dear " not in text and "yours sincerely" not in text and "yours faithfully" not in text


def test_cmel9271_is_free_text_with_the_three_suggestions():
    template = load_template("dwp_cmel9271")
    assert template.free_text and template.words_from_guidance
    assert template.paragraphs == [] and body(template, FIELDS) == ""
    assert [s.title for s in template.suggestions] == ["Suggestion 1", "Suggestion 2", "Suggestion 3"]
    assert template.must_explain == ["the current situation", "what further information we require"]
    for index, suggestion in enumerate(template.suggestions):
        assert suggestion_text(template, index, FIELDS) == "\n\n".join(suggestion.paragraphs)
    with pytest.raises(IndexError):
        suggestion_text(template, 3, FIELDS)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the guidance documents are not beside this checkout")
def test_cmel9271_suggestions_quote_the_dwp_document_verbatim():
    """GIVEN the DWP document THEN each suggestion is its text word for word, with its paragraph breaks."""
    document = (SEEDS / "003_a2bfe896bc6dd2ea.txt").read_text(encoding="utf-8")
    part = document[document.index("Suggestion 1:"):document.index("Once complete this letter")]
    quoted = [
        [line.strip() for line in chunk.splitlines() if line.strip()]
        for chunk in re.split(r"^Suggestion \d:$", part, flags=re.M)[1:]
    ]
    suggestions = load_template("dwp_cmel9271").suggestions
    assert [s.paragraphs for s in suggestions] == quoted
    for suggestion in suggestions:
        for paragraph in suggestion.paragraphs:
            assert paragraph in document


def test_an_unknown_merge_field_is_refused_on_one_line():
    with pytest.raises(TemplateError) as caught:
        parse_template(VALID.replace("we wrote", "$officer wrote"), "sample.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("sample.toml: paragraphs[1]: ")
    assert "$officer" in message


def test_a_stray_dollar_is_refused_on_one_line():
    with pytest.raises(TemplateError) as caught:
        parse_template(VALID.replace("a letter", "pay $5"), "sample.toml")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("sample.toml: subject: ") and "$$" in message
    assert parse_template(VALID.replace("a letter", "pay $$5"), "sample.toml").subject.endswith("pay $$5")


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (("must_explain = [\"something\"]", "must_explain = []"), "must_explain"),
        (("paragraphs = [\"On $incident_date we wrote to you.\"]", "paragraphs = []"), ""),
        (("title = \"Sample letter\"", "title = \"Sample letter\"\ncolour = \"red\""), "colour"),
        (("subject = ", "subject = 1 #"), "subject"),
        (("id = \"sample\"", "id = \"sample"), ""),
    ],
)
def test_a_malformed_template_is_refused_on_one_line(change, place):
    with pytest.raises(TemplateError) as caught:
        parse_template(VALID.replace(*change), "sample.toml")
    assert "\n" not in str(caught.value)
    assert caught.value.file == "sample.toml" and caught.value.place == place


def test_an_unknown_template_names_the_shipped_ones():
    with pytest.raises(TemplateError) as caught:
        load_template("no_such_letter")
    assert "no_such_letter" in str(caught.value) and "hmpo_cso_barring" in str(caught.value)


@pytest.mark.parametrize("template_id", sorted(HMPO_LETTERS | {"dwp_cmel9271"}))
def test_an_empty_reference_leaves_a_tidy_subject(template_id):
    line = subject(load_template(template_id), FIELDS | {"reference": ""})
    assert "  " not in line and " :" not in line and line == line.strip()
    assert "1234567890" in subject(load_template(template_id), FIELDS)


def test_merge_tidies_only_the_space_an_empty_field_leaves():
    assert merge("Your application $reference: about ${office}.", {"office": "Main office"}) == "Your application: about Main office."
    assert merge("$customer_name wrote", {}) == "wrote"
    assert merge("A $$5 fee for $office", {"office": "  two  spaces  "}) == "A $5 fee for   two  spaces  "


def test_no_template_holds_contact_details():
    email = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
    phone = re.compile(r"\+\d|\b0\d{3,4}[\s-]?\d{3}|\d{3}[\s-]?\d{3}[\s-]?\d{3,4}")
    for template_id in shipped_template_ids():
        text = resources.files("counter_tui.data.letters").joinpath(f"{template_id}.toml").read_text(encoding="utf-8")
        assert not email.search(text), template_id
        assert not phone.search(text), template_id


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the guidance documents are not beside this checkout")
def test_no_template_names_a_person_from_the_guidance():
    """GIVEN the names in the e-mail addresses the DWP document lists THEN no template contains one."""
    document = (SEEDS / "003_a2bfe896bc6dd2ea.txt").read_text(encoding="utf-8")
    names = {part for local in re.findall(r"([\w.'-]+)@", document) for part in re.split(r"[.\d]+", local) if len(part) > 2}
    assert names
    for template_id in shipped_template_ids():
        text = resources.files("counter_tui.data.letters").joinpath(f"{template_id}.toml").read_text(encoding="utf-8")
        for name in names:
            assert not re.search(rf"\b{re.escape(name)}\b", text, re.I), (template_id, name)


HOSTILE = st.one_of(
    st.sampled_from(["$customer_name", "${x}", "${reference}", "$$", "$", "[b]x[/b]", "<b>bold</b>", "a\nb", "\x00", "x\u2028y"]),
    st.text(),
)


@given(name=HOSTILE.filter(str.strip), reference=HOSTILE.filter(str.strip))
def test_a_value_is_put_in_literally_and_never_expands(name, reference):
    assert merge("Dear $customer_name, about ${reference}.", {"customer_name": name, "reference": reference}) == (
        f"Dear {name}, about {reference}."
    )


@given(template_id=st.sampled_from(sorted(HMPO_LETTERS)), value=HOSTILE.filter(str.strip))
def test_a_body_is_its_paragraphs_with_the_values_as_given(template_id, value):
    template = load_template(template_id)
    fields = dict.fromkeys(MERGE_FIELDS, value)
    texts = [p if isinstance(p, str) else p.text for p in template.paragraphs if isinstance(p, str) or p.applies(fields)]
    assert body(template, fields) == "\n\n".join(Template(p).substitute(fields) for p in texts)


def test_the_online_tracking_paragraph_is_there_only_if_they_applied_online_and_the_helpline_comes_from_config():
    template = load_template("hmpo_written_barring")
    online = body(template, FIELDS | {"passport_helpline": "0300 000 0000"})
    assert "track the progress of your application online" in online
    assert "must call the passport helpline on 0300 000 0000." in online
    offline = body(template, FIELDS | {"applied_online": ""})
    assert "track the progress" not in offline
    assert offline.endswith("you must call the passport helpline.")  # no number configured: none invented


def test_a_conditional_paragraph_must_name_a_merge_field():
    bad = VALID.replace('paragraphs = ["On $incident_date we wrote to you."]',
                        'paragraphs = [{ text = "Hello.", only_if = "shoe_size" }]')
    with pytest.raises(TemplateError, match="shoe_size"):
        parse_template(bad, "bad.toml")


@given(template_id=st.sampled_from(sorted(HMPO_LETTERS | {"dwp_cmel9271"})), values=st.fixed_dictionaries({f: HOSTILE for f in MERGE_FIELDS}))
def test_a_subject_is_always_one_line(template_id, values):
    line = subject(load_template(template_id), values)
    assert len(line.splitlines()) <= 1
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in line)
    assert "  " not in line and line == line.strip()
