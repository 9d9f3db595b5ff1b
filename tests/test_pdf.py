"""The PDF renderer for printed records: content, stability, hostile and long text, atomic writes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from counter_tui.printing.pdf import Printable, chunks, render, write

FORM = Printable(
    title="Incident report form",
    organisation="HM Passport Office",
    reference="I-000003",
    printed_at="25 Nov 2026 09:00",
    fields=[
        ("Date of incident", "25 November 2026"),
        ("Location", "Main office, public counter"),
        ("Details of incident", "The customer shouted at staff.\nThen they left the building at 10:52."),
        ("Staff involved", "Sam Okafor (1001)"),
    ],
    footer_note="Copies: line manager; security team.",
)


def pages_text(data: bytes) -> list[str]:
    """The text of each page, whitespace runs made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    return " ".join(text.split())


def test_title_organisation_reference_labels_and_text_are_printed() -> None:
    data = render(FORM)
    assert data.startswith(b"%PDF-")
    (text,) = pages_text(data)
    assert "Incident report form" in text
    assert "HM Passport Office — Incident report form — I-000003" in text  # the page header
    assert "Printed 25 Nov 2026 09:00" in text and "Page 1 of 1" in text
    for label, value in FORM.fields:
        assert f"{label} {flat(value)}" in text  # label, then its text in the next column
    assert "Copies: line manager; security team." in text


def test_metadata_comes_from_the_printable_and_does_not_vary() -> None:
    meta = PdfReader(io.BytesIO(render(FORM))).metadata
    assert meta.title == "Incident report form"
    assert meta.author == "HM Passport Office"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20000101000000+00'00'"


def test_same_printable_same_bytes() -> None:
    assert render(FORM) == render(FORM)
    same = Printable(**{**FORM.__dict__, "fields": list(FORM.fields)})
    assert render(same) == render(FORM)


def test_typed_text_is_data_never_markup() -> None:
    hostile = ['<img src=x>', '<b>bold</b>', '&amp;', ']]>', '<font color="red">x</font>', '<br/>', '&nbsp;']
    doc = Printable(
        title="<b>Title</b> & co",
        organisation="Org <i>",
        reference="I-<1>",
        printed_at="now",
        fields=[("<i>L</i>", text) for text in hostile],
        footer_note="<u>note</u> &lt;",
    )
    text = pages_text(render(doc))[0]
    for literal in hostile + ["<b>Title</b> & co", "Org <i>", "I-<1>", "<i>L</i>", "<u>note</u> &lt;"]:
        assert literal in text


def test_control_characters_are_dropped_not_fatal() -> None:
    nasty = "a\x00b\x07c\x1bd\x7fe\x85f\ud800g\r\nh\ri\tj"
    doc = Printable(title=nasty, organisation=nasty, reference="R\x00", printed_at="t\x08",
                    fields=[(nasty, nasty)], footer_note=nasty)
    text = pages_text(render(doc))[0]
    assert "abcdefg h i j" in text


def test_one_field_of_100000_characters_splits_across_pages() -> None:
    words = " ".join(f"word{n % 97}" for n in range(9000))  # about 56,000 characters
    run = "x" * 5000  # one unbroken run, longer than many lines
    body = (words + "\n" + run + "\n" + words)[:100_000]
    body += "y" * (100_000 - len(body))
    assert len(body) == 100_000
    doc = Printable(title="Long", organisation="Org", reference="I-1", printed_at="now",
                    fields=[("Short", "first"), ("Details", body), ("After", "last")])
    reader = PdfReader(io.BytesIO(render(doc)))
    total = len(reader.pages)
    assert total > 1
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    assert f"Page 1 of {total}" in first and "Org — Long — I-1" in first
    assert f"Page {total} of {total}" in last and "Org — Long — I-1" in last
    assert "last" in last


def test_chunks_cut_at_spaces_keep_accents_and_lose_nothing_but_the_cut_space() -> None:
    text = "abc " * 1000
    pieces = chunks(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces) == text
    accented = "e\u0301" * 300
    pieces = chunks(accented, 101)
    assert "".join(pieces) == accented
    assert all(not p.startswith("\u0301") for p in pieces)


def test_right_to_left_and_combining_text_renders() -> None:
    words = ["مرحبا", "שלום", "e\u0301", "Ελληνικά", "Кириллица"]
    doc = Printable(title="Ελληνικά", organisation="Кириллица", reference="I-2", printed_at="now",
                    fields=[(word, word) for word in words])
    text = pages_text(render(doc))[0]
    assert "Ελληνικά" in text and "Кириллица" in text


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "I-000003.pdf"
    target.write_bytes(b"old")
    assert write(FORM, target) == target
    assert target.read_bytes() == render(FORM)
    assert [p.name for p in tmp_path.iterdir()] == ["I-000003.pdf"]


def test_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "a-directory"
    (target / "inside").mkdir(parents=True)
    with pytest.raises(OSError):
        write(FORM, target)  # a non-empty directory cannot be replaced by a file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-directory"]
    assert not [p for p in tmp_path.rglob("*") if re.search(r"\.tmp$", p.name)]
