"""Render a record (a `Printable`) to an A4 PDF with reportlab.

Every piece of text is data typed by people or taken from configuration, never markup: it is
escaped before it reaches a `Paragraph`, newlines become line breaks, and control characters are
dropped. All text is set through `typeset` (DejaVu Sans, with the shipped Noto subsets for what it
lacks; Arabic joined and right-to-left text in visual order; a character no font has printed as its
code point, e.g. "[U+1F600]").

Long text is cut into pieces of at most `CHUNK` characters, each a row of its own under the same
label, and rows may split across pages, so any length prints. Every page has a header
(organisation — title — reference) and a footer ("Printed …", "Page N of M"). The PDF is
`invariant`: the same `Printable` gives the same bytes every time.
"""

from __future__ import annotations

import io
import os
import pathlib
import re
import tempfile
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from counter_tui.printing import typeset
from counter_tui.printing.typeset import BOLD, REGULAR
CHUNK = 2000
"""The most characters of text in one table row; longer text continues in further rows."""

MARGIN = 18 * mm
TOP = 20 * mm
"""The top and bottom margins (the header and footer are drawn inside them)."""
LABEL_WIDTH = 45 * mm
TEXT_WIDTH = A4[0] - 2 * MARGIN - LABEL_WIDTH


@dataclass(frozen=True)
class Printable:
    """A record to print."""

    title: str
    """What the record is, e.g. "Incident report form"."""
    organisation: str
    """From configuration; printed in the header of every page."""
    reference: str
    """e.g. "I-000003"; printed in the header of every page."""
    printed_at: str
    """Already-formatted local time, e.g. "25 Nov 2026 09:00"; printed in the footer."""
    fields: list[tuple[str, str]]
    """(label, text) pairs, printed as a two-column table."""
    footer_note: str = ""
    """An optional line printed after the table (a distribution list)."""
    anchor: tuple[int, str] | None = None
    """The event log's head when printed (seq, hash), printed last: "Record anchor: event 1234,
    9f3a…" with the full hash in small type, so a paper copy can prove the record later
    (`counter audit verify --anchor SEQ:HASH`)."""


_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""C0 and C1 control characters but newline, and lone surrogates (which cannot be encoded)."""

_lock = threading.Lock()
_styles: dict[str, ParagraphStyle] = {}


def _setup() -> dict[str, ParagraphStyle]:
    """Register the DejaVu fonts and build the paragraph styles, once per process."""
    if _styles:
        return _styles
    with _lock:
        if not _styles:
            typeset.register_primary()
            body = ParagraphStyle("body", fontName=REGULAR, fontSize=10, leading=13)
            _styles.update(
                title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
                reference=ParagraphStyle("reference", parent=body, spaceAfter=10),
                label=ParagraphStyle("label", parent=body, fontName=BOLD),
                note=ParagraphStyle("note", parent=body, fontSize=9, leading=12, spaceBefore=10),
                small=ParagraphStyle("small", parent=body, fontSize=6.5, leading=8),
                body=body,
            )
    return _styles


def printable_text(text: str) -> str:
    """`text` with line ends made "\\n", tabs made spaces, and other control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _UNPRINTABLE.sub("", text)


def _one_line(text: str) -> str:
    """`printable_text(text)` with its line ends made spaces, for the header, footer and metadata."""
    return printable_text(text).replace("\n", " ")


def markup(text: str, face: str = REGULAR) -> str:
    """Paragraph markup that prints `text` literally in a style whose font is `face`, its newlines
    as line breaks (see `typeset.markup`)."""
    return typeset.markup(printable_text(text), face)


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """`text` cut into pieces of at most `size` characters, at a line end or space where possible.

    A piece never starts with a combining mark, so an accent stays with its letter.
    """
    text = printable_text(text)
    pieces = []
    while len(text) > size:
        cut = text.rfind("\n", size // 2, size + 1)
        if cut < 0:
            cut = text.rfind(" ", size // 2, size + 1)
        if cut < 0:  # one unbroken run: cut it, but not between a letter and its accents
            cut = size
            while cut > 1 and unicodedata.combining(text[cut]):
                cut -= 1
            pieces.append(text[:cut])
            text = text[cut:]
        else:
            pieces.append(text[:cut])
            text = text[cut + 1 :]
    pieces.append(text)
    return pieces


def _header_line(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """`text` shortened with an ellipsis to fit `width` points (as `typeset.draw` sets it)."""
    return typeset.fit(text, font, size, width)


def _furnish(doc: Printable, canvas: Canvas, page: int, pages: int) -> None:
    """Draw the header and footer of one page."""
    width, height = A4
    canvas.saveState()
    header = " — ".join(_one_line(part) for part in (doc.organisation, doc.title, doc.reference))
    canvas.setFont(REGULAR, 9)
    typeset.draw(canvas, MARGIN, height - 12 * mm, _header_line(canvas, header, REGULAR, 9, width - 2 * MARGIN), REGULAR, 9)
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, height - 13.5 * mm, width - MARGIN, height - 13.5 * mm)
    canvas.line(MARGIN, 13.5 * mm, width - MARGIN, 13.5 * mm)
    printed = "Printed " + _one_line(doc.printed_at)
    typeset.draw(canvas, MARGIN, 9 * mm, _header_line(canvas, printed, REGULAR, 9, width / 2), REGULAR, 9)
    canvas.drawRightString(width - MARGIN, 9 * mm, f"Page {page} of {pages}")
    canvas.restoreState()


class PagedCanvas(Canvas):
    """A canvas that holds its pages back until the end, to draw each page's furniture (header,
    footer, "Page N of M") once the number of pages is known. Shared by every PDF Counter prints.

    Args:
        furniture: draws one page's furniture: `furniture(canvas, page, pages)`.
    """

    def __init__(self, *args, furniture: Callable[[Canvas, int, int], None], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        """Keep the finished page's state and start a new page."""
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Draw each kept page's furniture, now the number of pages is known, and save."""
        pages = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._furniture(self, number, pages)
            super().showPage()
        super().save()


def _story(doc: Printable, styles: dict[str, ParagraphStyle]) -> list:
    """The flowables of the record: title, reference, the table of fields, the note."""
    rows, starts = [], []  # starts: the rows that begin a field (continuation rows do not)
    for label, text in doc.fields:
        starts.append(len(rows))
        for n, piece in enumerate(chunks(text)):
            rows.append([
                Paragraph(markup(label, BOLD) if n == 0 else "", styles["label"]),
                Paragraph(markup(piece), styles["body"]),
            ])
    story = [
        Paragraph(markup(doc.title, BOLD), styles["title"]),
        Paragraph("Reference " + markup(doc.reference), styles["reference"]),
    ]
    if rows:
        table = Table(rows, colWidths=[LABEL_WIDTH, TEXT_WIDTH], splitInRow=1)
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
            ("LINEAFTER", (0, 0), (0, -1), 0.5, colors.grey),
            *[("LINEABOVE", (0, i), (-1, i), 0.5, colors.grey) for i in starts[1:]],
        ]))
        for i in sorted(set(range(1, len(rows))) - set(starts)):  # continuation rows join on
            table.setStyle([("TOPPADDING", (0, i), (-1, i), 0), ("BOTTOMPADDING", (0, i - 1), (-1, i - 1), 0)])
        story.append(table)
    if doc.footer_note:
        story.append(Paragraph(markup(doc.footer_note), styles["note"]))
    if doc.anchor is not None:
        seq, digest = doc.anchor
        story.append(Paragraph(markup(f"Record anchor: event {seq}, {digest[:12]}…"), styles["note"]))
        story.append(Paragraph(markup(f"{seq}:{digest}"), styles["small"]))
        story.append(Paragraph(markup("To prove later that the record still holds this event: "
                                      "counter audit verify --anchor followed by the line above"), styles["small"]))
    return story


def build(story: list, furniture: Callable[[Canvas, int, int], None], *, title: str, author: str, subject: str,
          top: float = TOP, bottom: float = TOP, margin: float = MARGIN) -> bytes:
    """An A4 PDF of `story` with `furniture` drawn on every page (see `PagedCanvas`): byte-identical
    for identical input; the metadata on one line each. Shared by every PDF Counter prints."""
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=top, bottomMargin=bottom,
        title=_one_line(title), author=_one_line(author), subject=_one_line(subject), creator="Counter", invariant=1,
    )
    template.build(story, canvasmaker=partial(PagedCanvas, furniture=furniture))
    return buffer.getvalue()


def render(doc: Printable) -> bytes:
    """The PDF of `doc`: A4, byte-identical for identical input."""
    return build(_story(doc, _setup()), partial(_furnish, doc), title=doc.title, author=doc.organisation,
                 subject=doc.reference)


def write_bytes(data: bytes, path: pathlib.Path) -> pathlib.Path:
    """Write `data` to `path` atomically (a temporary file beside it, flushed to disk, then a rename).

    The file is created readable by its owner only (records hold personal details); a failed write
    leaves neither a temporary file nor a half-written `path`.
    """
    path = pathlib.Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        pathlib.Path(temp).unlink(missing_ok=True)
        raise
    return path


def write(doc: Printable, path: pathlib.Path) -> pathlib.Path:
    """Write the PDF of `doc` to `path` atomically, readable by its owner only (see `write_bytes`)."""
    return write_bytes(render(doc), path)
