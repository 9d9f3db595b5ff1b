"""A one-page letter: `printing.letter.render_letter` against a bare reportlab document.

Both in this (warm) process, timed alternately so a change in the machine's load falls on both alike,
after a warm-up that registers the fonts and loads reportlab's modules.

- bare: the same strings, one plain `Paragraph` each in Helvetica (a standard font, nothing embedded),
  in a `SimpleDocTemplate` with the letter's margins, no banner or footer, A4 into memory: what
  reportlab itself costs for this content.
- bare DejaVu: the same, set in the shipped DejaVu Sans (organisation and subject in the bold), so
  both fonts are subset and embedded, `invariant=1`: shows how much of the gap is the fonts alone.
- render_letter: `render_letter()` of the same letter (a draft, so with the status banner): the
  embedded DejaVu subsets, escaping and cutting into pieces, the right-aligned letterhead, the closing
  kept together, the banner and "Printed … / Page N of M" footer drawn on the held-back page.

Prints median and p95 and the ratio to the bare document; asserts only that both PDFs are valid
and one page long, never a time. Run:
    python -m pytest tests/benchmarks/test_letter_pdf.py -q -s -p no:cacheprovider -o addopts=""
    python tests/benchmarks/test_letter_pdf.py [RUNS]
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from xml.sax.saxutils import escape

RUNS = 30
WARM_UP = 3

BODY = (
    "We are writing to you about your visit to our office at Peel Building on 24 November 2026. At about "
    "10:40 you raised your voice at the public counter, struck the counter screen twice and shouted abuse "
    "at two members of staff. You were warned that this behaviour was unacceptable and that the "
    "conversation would end if it continued. It did continue, and you were asked to leave the building.\n\n"
    "We expect our staff to treat customers with courtesy and respect, and we ask the same of our "
    "customers. Our staff have the right to do their work without being shouted at, threatened or abused, "
    "and we will take action to protect them when that happens.\n\n"
    "For the next six months, please contact us about your application in writing only, at the address at "
    "the top of this letter, quoting our reference. We will answer every letter within ten working days. "
    "If you need to come to the office to collect a document, we will write to you with an appointment in "
    "the interview room, with a manager present.\n\n"
    "Your application has not been affected by this decision. We have sent you again, by recorded "
    "delivery, a copy of our letter of 3 October that asked for the missing document.\n\n"
    "If you disagree with this decision, you may ask for it to be reviewed by writing to the Customer "
    "Service Manager at the address above within 28 days of the date of this letter, saying why."
)


def letter():
    from counter_tui.printing.letter import Letter

    return Letter(
        organisation="HM Passport Office",
        address=["Peel Building", "2 Marsham Street", "London SW1P 4DF"],
        reference="L-000001 · I-000003",
        their_reference="APP-4471",
        date="25 November 2026",
        customer_name="Ms Jane Doe",
        subject="Your behaviour at our public counter on 24 November 2026",
        body=BODY,
        signatory=["Grace Adeyemi", "Senior executive officer", "HM Passport Office, London"],
        approved_by="",
        status="DRAFT: not signed off",
        printed_at="25 Nov 2026 11:30",
    )


def strings() -> list[str]:
    """Every piece of text the letter prints, top to bottom, as in `render_letter`."""
    from counter_tui.printing.letter import body_paragraphs, salutation

    doc = letter()
    return [doc.organisation, *doc.address, doc.date, "Our reference: " + doc.reference,
            "Your reference: " + doc.their_reference, salutation(doc.customer_name), doc.subject,
            *body_paragraphs(doc.body), "Yours sincerely", *doc.signatory]


def bare(dejavu: bool = False) -> bytes:
    """The same strings as plain Paragraphs in Helvetica (or DejaVu Sans, the organisation and subject
    in its bold), the letter's margins, no page furniture."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from counter_tui.printing.letter import BOTTOM, MARGIN, TOP
    from counter_tui.printing.pdf import BOLD, REGULAR, _setup

    if dejavu:
        _setup()  # registers the fonts, once per process
    style = ParagraphStyle("body", fontName=REGULAR if dejavu else "Helvetica", fontSize=10, leading=13, spaceAfter=4)
    bold = ParagraphStyle("bold", parent=style, fontName=BOLD if dejavu else "Helvetica-Bold")
    texts = strings()
    story = [Paragraph(escape(text).replace("\n", "<br/>"), bold if i in (0, 8) else style)
             for i, text in enumerate(texts)]
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP,
                                 bottomMargin=BOTTOM, invariant=int(dejavu))
    template.build(story)
    return buffer.getvalue()


def pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def run(runs: int = RUNS) -> dict[str, list[float]]:
    from counter_tui.printing.letter import render_letter

    doc = letter()
    for _ in range(WARM_UP):
        bare_pdf, dejavu_pdf, rendered = bare(), bare(dejavu=True), render_letter(doc)
    times: dict[str, list[float]] = {"bare": [], "dejavu": [], "render": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        bare(dejavu=True)
        t2 = time.perf_counter()
        render_letter(doc)
        t3 = time.perf_counter()
        times["bare"].append(t1 - t0)
        times["dejavu"].append(t2 - t1)
        times["render"].append(t3 - t2)

    base = statistics.median(times["bare"])
    print(f"\nLetter ({sum(len(s) for s in strings())} characters in {len(strings())} paragraphs), "
          f"{runs} runs each (alternating), warm process")
    print(f"{'':46}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}{'pages':>7}{'bytes':>8}")
    for name, label, data in (("bare", "bare reportlab (Helvetica, no furniture)", bare_pdf),
                              ("dejavu", "bare reportlab in DejaVu (fonts embedded)", dejavu_pdf),
                              ("render", "printing.letter.render_letter", rendered)):
        samples = times[name]
        median = statistics.median(samples)
        print(f"{label:46}{median * 1000:10.2f}{p95(samples) * 1000:10.2f}{median / base:8.2f}"
              f"{pages(data):7}{len(data):8}")
    return times


def test_letter_pdf() -> None:
    """On demand only (tests/benchmarks is not collected by default); prints, never asserts timings."""
    from counter_tui.printing.letter import render_letter

    runs = int(os.environ.get("BENCH_RUNS", RUNS))
    times = run(runs)
    assert len(times["render"]) == runs
    assert pages(bare()) == 1 and pages(bare(dejavu=True)) == 1
    assert pages(render_letter(letter())) == 1


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
