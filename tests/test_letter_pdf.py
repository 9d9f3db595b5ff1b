"""The letter renderer: content in order, draft banner, hostile and long text, stability, atomic writes."""

from __future__ import annotations

import dataclasses
import io
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from counter_tui.printing.letter import Letter, body_paragraphs, pieces, render_letter, write_letter

BODY = (
    "We are writing about what happened when you visited our office on 24 November 2026.\n"
    "Staff asked you twice to stop shouting.\n\n"
    "From today, please contact us in writing only, at the address above.\n\n"
    "If you disagree with this decision, you may ask for it to be reviewed within 28 days."
)

LETTER = Letter(
    organisation="HM Passport Office",
    address=["Peel Building", "2 Marsham Street", "London SW1P 4DF"],
    reference="L-000001 · I-000003",
    their_reference="APP-4471",
    date="25 November 2026",
    customer_name="Ms Jane Doe",
    subject="Your behaviour at our public counter",
    body=BODY,
    signatory=["Grace Adeyemi", "Senior executive officer", "HM Passport Office, London"],
    approved_by="Grace Adeyemi, Senior executive officer (SEO)",
    approved_on="25 November 2026",
    status="",
    printed_at="25 Nov 2026 09:00",
)


def replace(letter: Letter = LETTER, **changes) -> Letter:
    return dataclasses.replace(letter, **changes)


def pages_text(data: bytes) -> list[str]:
    """The text of each page, whitespace runs made single spaces."""
    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_in_order(text: str, needles: list[str]) -> None:
    at = 0
    for needle in needles:
        found = text.find(flat(needle), at)
        assert found >= 0, f"{needle!r} missing after position {at}"
        at = found + len(flat(needle))


def test_every_part_of_the_letter_prints_in_reading_order() -> None:
    """Letterhead, date, references, salutation, subject, each body paragraph, closing, signatory and
    sign-off all print, in that order, with the footer on the page."""
    data = render_letter(LETTER)
    assert data.startswith(b"%PDF-")
    (text,) = pages_text(data)
    assert_in_order(text, [
        "HM Passport Office", "Peel Building", "2 Marsham Street", "London SW1P 4DF",
        "25 November 2026", "Our reference: L-000001 · I-000003", "Your reference: APP-4471",
        "Dear Ms Jane Doe,", "Your behaviour at our public counter",
        *body_paragraphs(BODY),
        "Yours sincerely", "Grace Adeyemi", "Senior executive officer", "HM Passport Office, London",
        "Signed off by Grace Adeyemi, Senior executive officer (SEO) on 25 November 2026",
    ])
    assert len(body_paragraphs(BODY)) == 3
    assert "Printed 25 Nov 2026 09:00" in text and "Page 1 of 1" in text
    assert "DRAFT" not in text  # no status, no banner


def test_body_splits_at_blank_lines_and_keeps_single_line_breaks() -> None:
    """Paragraphs are separated by blank lines (spaces or CRLF in them too); runs of blank lines make
    no empty paragraphs; a single newline stays inside its paragraph."""
    body = "one\ntwo\r\n\r\nthree\n  \n\n\n\nfour\n\n"
    assert body_paragraphs(body) == ["one\ntwo", "three", "four"]
    assert body_paragraphs("\n\n \n") == []


def test_draft_banner_and_page_numbers_are_on_every_page() -> None:
    """A letter with a status shows it as a banner on every page of a multi-page letter, with
    "Page N of M" and the printed time in every footer."""
    body = "\n\n".join(f"Paragraph {n}: " + "the customer was told what would happen next. " * 12 for n in range(40))
    data = render_letter(replace(status="DRAFT: not signed off", approved_by="", body=body))
    texts = pages_text(data)
    total = len(texts)
    assert total > 1
    for number, text in enumerate(texts, start=1):
        assert "DRAFT: not signed off" in text
        assert f"Page {number} of {total}" in text
        assert "Printed 25 Nov 2026 09:00" in text
    assert "Paragraph 39:" in " ".join(texts[-2:]) and "Yours sincerely" in texts[-1]
    assert "Signed off by" not in " ".join(texts)


def test_metadata_is_the_subject_and_organisation_on_one_line_and_does_not_vary() -> None:
    """PDF title = subject, author = organisation, each one line; the dates are the invariant ones."""
    meta = PdfReader(io.BytesIO(render_letter(replace(subject="Your\nbehaviour", organisation="HMPO\r\nLondon")))).metadata
    assert meta.title == "Your behaviour"
    assert meta.author == "HMPO London"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20000101000000+00'00'"


def test_same_letter_same_bytes() -> None:
    """Identical input gives byte-identical output (invariant=1), also from an equal, separate Letter."""
    assert render_letter(LETTER) == render_letter(LETTER)
    same = replace(address=list(LETTER.address), signatory=list(LETTER.signatory))
    assert render_letter(same) == render_letter(LETTER)
    assert render_letter(replace(date="26 November 2026")) != render_letter(LETTER)


def test_empty_optional_parts_print_nothing_for_them() -> None:
    """No address, no customer reference, no name and nobody signed off: no empty "Your reference:",
    no "Signed off by", and "Dear customer,"; a sign-off without a date has no dangling " on"."""
    bare = replace(address=[], their_reference="  ", customer_name="", approved_by="", approved_on="",
                   signatory=[], printed_at="")
    (text,) = pages_text(render_letter(bare))
    assert "Your reference" not in text and "Signed off by" not in text and "Printed" not in text
    assert_in_order(text, ["HM Passport Office", "25 November 2026", "Our reference: L-000001",
                           "Dear customer,", "Your behaviour", "Yours sincerely", "Page 1 of 1"])
    (text,) = pages_text(render_letter(replace(approved_on="")))
    assert "Signed off by Grace Adeyemi, Senior executive officer (SEO)" in text
    assert "(SEO) on" not in text


HOSTILE = [
    '<img src="/etc/passwd"/>',
    "<img src='/etc/hostname' width=10 height=10>",
    "<b>bold</b>",
    "&amp;",
    "&lt;&#65;",
    '<font color="red" size="40">x</font>',
    "[b]rich[/b] [link=file:///etc/passwd]x[/link]",
    "]]> <![CDATA[ x ]]>",
    "<br/><para>",
    "$name {0} %s",
]


def test_hostile_text_prints_literally_everywhere_and_reads_no_file() -> None:
    """Every field is data: markup-like text prints as typed, never fetches an image, bidi overrides
    print in typed order (not reordered), and control characters are dropped, not fatal."""
    hostile = " | ".join(HOSTILE)
    letter = Letter(
        organisation="Org " + HOSTILE[0],
        address=list(HOSTILE),
        reference="L-<1> & " + HOSTILE[2],
        their_reference=HOSTILE[5],
        date="<i>today</i>",
        customer_name=HOSTILE[0] + " \u202eevil\u202c",
        subject="Re: " + HOSTILE[6],
        body=hostile + "\n\n" + "\n\n".join(HOSTILE) + "\n\nbe\x00fo\x07re\x1b[31m after \u2066isolated\u2069",
        signatory=list(HOSTILE),
        approved_by=HOSTILE[3] + " <u>SEO</u>",
        approved_on="<b>now</b>",
        status="DRAFT <b>not</b> signed off",
        printed_at="<i>9:00</i>",
    )
    data = render_letter(letter)
    text = " ".join(pages_text(data))
    for literal in HOSTILE:
        assert text.count(flat(literal)) >= 3  # address, body, signatory
    for literal in ["Org " + HOSTILE[0], "Our reference: L-<1> & <b>bold</b>", "Your reference: " + HOSTILE[5],
                    "<i>today</i>", "Dear " + HOSTILE[0] + " evil,", "Re: " + HOSTILE[6],
                    "Signed off by &amp; <u>SEO</u> on <b>now</b>", "DRAFT <b>not</b> signed off",
                    "Printed <i>9:00</i>", "before[31m after"]:
        assert flat(literal) in text
    assert "isolated" in text and "live" not in text  # direction controls are dropped, never obeyed
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert "/XObject" not in page["/Resources"]
    assert b"/Subtype /Image" not in data and b"/XObject" not in data


def test_control_characters_alone_leave_an_empty_field_not_a_crash() -> None:
    """A name or reference of nothing but control characters counts as empty."""
    letter = replace(customer_name="\x00\x07", their_reference="\x1b", approved_by="\x7f", address=["\x00"],
                     signatory=["\ud800"], status="\x85")
    (text,) = pages_text(render_letter(letter))
    assert "Dear customer," in text
    assert "Your reference" not in text and "Signed off by" not in text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.text(max_size=60))
def test_any_text_in_any_field_renders(text: str, short: str) -> None:
    """Whatever people type (any code points, surrogates and controls included) renders a PDF."""
    letter = Letter(organisation=short, address=[text, short], reference=short, their_reference=short,
                    date=short, customer_name=short, subject=short, body=text, signatory=[short, text],
                    approved_by=short, approved_on=short, status=short, printed_at=short)
    assert render_letter(letter).startswith(b"%PDF-")


def test_a_one_megabyte_body_flows_onto_further_pages() -> None:
    """A single paragraph of 1 MB is cut into pieces and flows over many pages; the closing still
    ends the last page."""
    words = "the customer telephoned again about the same application " * 18_000
    body = words[:1_000_000]
    assert len(body) == 1_000_000 and "\n" not in body
    reader = PdfReader(io.BytesIO(render_letter(replace(body=body))))
    total = len(reader.pages)
    assert total > 1
    last = flat(reader.pages[-1].extract_text())
    assert "Yours sincerely" in last and f"Page {total} of {total}" in last


def test_pieces_bound_characters_and_lines_and_lose_only_cut_spaces() -> None:
    """Long text is cut into pieces of at most 2000 characters and 20 lines, joined back losslessly
    at line ends (an unbroken run is cut without losing anything)."""
    lines = "\n".join(f"line {n}" for n in range(1000))
    cut = pieces(lines)
    assert all(piece.count("\n") < 20 and len(piece) <= 2000 for piece in cut)
    assert "\n".join(cut) == lines
    run = "x" * 10_000
    assert "".join(pieces(run)) == run and all(len(p) <= 2000 for p in pieces(run))


def test_write_letter_is_atomic_and_owner_only(tmp_path: Path) -> None:
    """write_letter replaces the file whole, leaves no temporary file, and the file is mode 0o600."""
    target = tmp_path / "L-000001.pdf"
    target.write_bytes(b"old")
    target.chmod(0o644)
    assert write_letter(LETTER, target) == target
    assert target.read_bytes() == render_letter(LETTER)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["L-000001.pdf"]
    fresh = write_letter(LETTER, str(tmp_path / "new.pdf"))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_failed_write_letter_leaves_no_temporary_file(tmp_path: Path) -> None:
    """A write that cannot complete raises and leaves nothing behind."""
    target = tmp_path / "a-directory"
    (target / "inside").mkdir(parents=True)
    with pytest.raises(OSError):
        write_letter(LETTER, target)  # a non-empty directory cannot be replaced by a file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]
    assert sorted(p.name for p in target.iterdir()) == ["inside"]
