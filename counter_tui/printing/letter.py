"""Render a letter to a customer (a `Letter`) as an A4 business letter with reportlab.

The layout, top to bottom: the letterhead (organisation in bold, its postal address) at the top
right; the date and the references ("Our reference", and "Your reference" when there is one);
"Dear …"; the subject in bold; the body; "Yours sincerely", the signatory block and the sign-off
line ("Signed off by … on …", only once someone has signed it off). Every page has a footer
("Printed …", "Page N of M") and, while the letter has a status (e.g. "DRAFT: not signed off"), a
banner with it at the top.

Every piece of text is data, never markup, as in `printing.pdf`: it goes through `pdf.markup`
(escaped, control characters dropped, newlines made line breaks) and is set through `typeset` (the
shipped fonts, Arabic joined, right-to-left text in visual order, missing characters as code points). The body's paragraphs are separated by blank lines; each paragraph, and every other piece of
text, is cut into pieces of at most `pdf.CHUNK` characters (`pdf.chunks`), so any length prints and
flows onto further pages. The PDF is `invariant`: the same `Letter` gives the same bytes every time.
"""

from __future__ import annotations

import functools
import pathlib
import re
from dataclasses import dataclass
from functools import partial

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, Spacer

from counter_tui.printing import typeset
from counter_tui.printing.pdf import (
    BOLD,
    build,
    REGULAR,
    _header_line,
    _one_line,
    _setup,
    chunks,
    markup,
    printable_text,
    write_bytes,
)

MARGIN = 22 * mm
"""The left and right margins."""
TOP = 24 * mm
"""The top margin: the status banner, when there is one, is drawn inside it."""
BOTTOM = 20 * mm
"""The bottom margin: the footer is drawn inside it."""
LINES = 20
"""The most lines (line breaks + 1) of text in one Paragraph: well under a page's worth."""
KEEP_TOGETHER = 2000
"""The closing ("Yours sincerely" to the sign-off line) is kept on one page up to this many characters."""

_PARAGRAPH_BREAK = re.compile("\n *\n")
"""A blank line (spaces allowed: tabs are spaces by then); linear, whatever the text."""


@dataclass(frozen=True)
class Letter:
    """A letter to print."""

    organisation: str
    """The letterhead's name (configuration); also the PDF's author."""
    address: list[str]
    """The letterhead's postal address, one line each (configuration); may be empty."""
    reference: str
    """e.g. "L-000001 · I-000003"; printed as "Our reference: …"."""
    their_reference: str
    """The customer's application or case reference; "Your reference: …" only when not empty."""
    date: str
    """Already formatted, e.g. "25 November 2026"."""
    customer_name: str
    """For "Dear <name>,"; empty gives "Dear customer,"."""
    subject: str
    """One line, in bold under the salutation; also the PDF's title."""
    body: str
    """Paragraphs separated by blank lines; a single newline is a line break."""
    signatory: list[str]
    """The signatory block (configuration), one line each, under "Yours sincerely"."""
    approved_by: str = ""
    """Who signed the letter off, e.g. "Grace Adeyemi, Senior executive officer (SEO)"."""
    approved_on: str = ""
    """When, already formatted; printed after `approved_by` as "… on <approved_on>"."""
    status: str = ""
    """e.g. "DRAFT: not signed off": a banner at the top of every page; empty for an approved letter."""
    printed_at: str = ""
    """Already-formatted local time, e.g. "25 Nov 2026 09:00"; "Printed …" in every page's footer."""


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    """The letter's paragraph styles, built once per process on `printing.pdf`'s fonts."""
    body = _setup()["body"]  # DejaVu Sans 10/13, fonts registered
    return {
        "organisation": ParagraphStyle("letter-organisation", parent=body, fontName=BOLD, fontSize=14,
                                       leading=18, alignment=TA_RIGHT),
        "address": ParagraphStyle("letter-address", parent=body, fontSize=9.5, leading=12.5, alignment=TA_RIGHT),
        "line": body,
        "subject": ParagraphStyle("letter-subject", parent=body, fontName=BOLD, fontSize=11, leading=14),
        "small": ParagraphStyle("letter-small", parent=body, fontSize=9, leading=12),
    }


def pieces(text: str) -> list[str]:
    """`text` made printable and cut into pieces of at most `pdf.CHUNK` characters and `LINES` lines.

    A piece shorter than a page is laid out once; a long one is wrapped again at every page it
    runs onto, which made text of many short lines slow (1 MB of them took minutes).
    """
    out = []
    for chunk in chunks(text):
        lines = chunk.split("\n")
        out += ["\n".join(lines[i : i + LINES]) for i in range(0, len(lines), LINES)]
    return out


def _paragraphs(text: str, style: ParagraphStyle) -> list[Paragraph]:
    """`text` as Paragraphs printing it literally (see `pieces`)."""
    return [Paragraph(markup(piece, style.fontName), style) for piece in pieces(text)]


def body_paragraphs(body: str) -> list[str]:
    """The paragraphs of `body` (split at blank lines), printable, without empty ones."""
    paragraphs = (part.strip("\n ") for part in _PARAGRAPH_BREAK.split(printable_text(body)))
    return [part for part in paragraphs if part]


def salutation(customer_name: str) -> str:
    """ "Dear <name>," or, without a name, "Dear customer,"."""
    return f"Dear {_one_line(customer_name).strip() or 'customer'},"


def sign_off(letter: Letter) -> str:
    """ "Signed off by <approved_by> on <approved_on>", or "" while nobody has signed it off."""
    if not printable_text(letter.approved_by).strip():
        return ""
    line = "Signed off by " + letter.approved_by.strip()
    if printable_text(letter.approved_on).strip():
        line += " on " + letter.approved_on.strip()
    return line


def _story(letter: Letter) -> list:
    """The flowables of the letter, top to bottom."""
    styles = _styles()
    story: list = _paragraphs(letter.organisation, styles["organisation"])
    for line in letter.address:
        story += _paragraphs(line, styles["address"])
    story.append(Spacer(1, 10 * mm))

    story += _paragraphs(letter.date, styles["line"])
    story += _paragraphs("Our reference: " + letter.reference, styles["line"])
    if printable_text(letter.their_reference).strip():
        story += _paragraphs("Your reference: " + letter.their_reference, styles["line"])
    story.append(Spacer(1, 8 * mm))

    story += _paragraphs(salutation(letter.customer_name), styles["line"])
    story.append(Spacer(1, 3 * mm))
    story += _paragraphs(letter.subject, styles["subject"])
    story.append(Spacer(1, 3 * mm))
    for paragraph in body_paragraphs(letter.body):
        story += _paragraphs(paragraph, styles["line"])
        story.append(Spacer(1, 3 * mm))

    closing: list = [Spacer(1, 2 * mm), *_paragraphs("Yours sincerely", styles["line"]), Spacer(1, 12 * mm)]
    for line in letter.signatory:
        closing += _paragraphs(line, styles["line"])
    signed = sign_off(letter)
    if signed:
        closing.append(Spacer(1, 5 * mm))
        closing += _paragraphs(signed, styles["small"])
    size = sum(len(line) for line in letter.signatory) + len(signed)
    story += [KeepTogether(closing)] if size <= KEEP_TOGETHER else closing
    return story


def _furnish(letter: Letter, canvas: Canvas, page: int, pages: int) -> None:
    """Draw the status banner (when there is a status) and the footer of one page."""
    width, height = A4
    canvas.saveState()
    status = _one_line(letter.status).strip()
    if status:
        top, bottom = height - 8 * mm, height - 17 * mm
        canvas.setFillColor(colors.Color(0.93, 0.93, 0.93))
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(1.5)
        canvas.rect(MARGIN, bottom, width - 2 * MARGIN, top - bottom, stroke=1, fill=1)
        canvas.setFillColor(colors.black)
        text = _header_line(canvas, status, BOLD, 12, width - 2 * MARGIN - 8 * mm)
        typeset.draw(canvas, width / 2, bottom + (top - bottom) / 2 - 4, text, BOLD, 12, align="centre")
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, 13.5 * mm, width - MARGIN, 13.5 * mm)
    canvas.setFillColor(colors.black)
    canvas.setFont(REGULAR, 8)
    printed = _one_line(letter.printed_at).strip()
    if printed:
        typeset.draw(canvas, MARGIN, 9 * mm, _header_line(canvas, "Printed " + printed, REGULAR, 8, width / 2), REGULAR, 8)
    canvas.drawRightString(width - MARGIN, 9 * mm, f"Page {page} of {pages}")
    canvas.restoreState()


def render_letter(letter: Letter) -> bytes:
    """The PDF of `letter`: A4, byte-identical for identical input."""
    return build(_story(letter), partial(_furnish, letter), title=letter.subject, author=letter.organisation,
                 subject=letter.reference, top=TOP, bottom=BOTTOM, margin=MARGIN)


def write_letter(letter: Letter, path: pathlib.Path) -> pathlib.Path:
    """Write the PDF of `letter` to `path` atomically, readable by its owner only (`pdf.write_bytes`)."""
    return write_bytes(render_letter(letter), path)
