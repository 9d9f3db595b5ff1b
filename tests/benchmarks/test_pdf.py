"""A printed incident report form: `printing.pdf.render` against a bare reportlab document.

Both in this (warm) process, timed alternately so a change in the machine's load falls on both alike,
after a warm-up that registers the fonts and loads reportlab's modules.

- bare: the same strings in a `Table` of plain `Paragraph`s in Helvetica (a standard font, nothing
  embedded), no header or footer, A4 into memory: what reportlab itself costs for this content.
- render: `render()` of the same realistic incident report form (8 fields, about two pages): the
  embedded DejaVu subsets, escaping, the chunked table, header and "Page N of M" footer on every page.

Prints median and p95 and the ratio to the bare document; asserts only that both PDFs are valid,
never a time. Run:
    python -m pytest tests/benchmarks/test_pdf.py -q -s -p no:cacheprovider -o addopts=""
    python tests/benchmarks/test_pdf.py [RUNS]
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

DETAILS = (
    "The customer arrived at the front counter at about 10:40 and asked to speak to a manager about a "
    "delayed application. When told that the manager was in a meeting and that an appointment could be "
    "booked for the afternoon, the customer raised their voice and said that they had been waiting for "
    "six weeks and would not leave until the matter was sorted out. I explained the options available "
    "and offered the customer a seat while I checked the status of the application on the system.\n"
    "The customer then struck the counter screen twice with an open hand and shouted abuse at me and at "
    "a colleague who came to help. Two other customers in the waiting area moved away. I gave the "
    "customer a clear warning that the behaviour was unacceptable and that the conversation would end if "
    "it continued. The customer continued to shout, used a racial slur towards my colleague and said "
    "\"I know where you park\". At this point I ended the conversation and asked the customer to leave "
    "the building. The customer refused at first, then left at 10:52 after security staff arrived, "
    "saying they would be back tomorrow \"with friends\".\n"
    "Nobody was physically hurt. The counter screen was not damaged. My colleague was shaken and took a "
    "short break in the staff room. I completed this form at 11:20, after speaking to my line manager, "
    "from my own notes made at the time and from what my colleague told me. The customer's reference "
    "number and the details of the application have been added to the customer record."
)
ACTION = (
    "Warning given at 10:46 using the standard wording; conversation ended at 10:48. Security staff "
    "(two officers) called by the panic button at 10:49 and attended at 10:51. The customer was escorted "
    "to the exit. The police were called on 101 at 10:58 because of the threat about parking and the "
    "statement about returning with friends; incident number given by the police 0457-25112026. Line "
    "manager informed at 11:05 in person. My colleague was offered time away from the counter and a "
    "referral to the employee assistance programme. CCTV of the counter area from 10:30 to 11:00 has been "
    "requested and retained. The customer record has been flagged so that the next member of staff who "
    "opens it sees a summary of this incident and the advice to offer an appointment with a manager "
    "present, in the interview room with the second exit, rather than at the open counter."
)
COMMENTS = (
    "The customer has contacted the office four times in the last month about the same application; two "
    "of those contacts are recorded as unreasonably persistent. I recommend a review of contact "
    "arrangements (a single named point of contact, written contact only for a period) and that the "
    "security team is told before the customer's next appointment. The delay to the application appears "
    "to be caused by a missing document that was requested by letter on 3 October; the customer says the "
    "letter was not received. A copy of the letter has been sent again by recorded delivery.\n"
    "Staff on the counter would like clearer guidance on when to press the panic button rather than "
    "phoning security, and a reminder of where the second exit from the counter area is. The waiting "
    "area was busy and the two other customers present were upset; one of them left without being seen "
    "and has since been phoned and rebooked.\n"
    "I would also ask that the notice about unacceptable behaviour is moved to where it can be seen from "
    "the queue, and that the counter screens are checked, since the screen at position 3 moved when it "
    "was struck. I have no other comments."
)
FIELDS = [
    ("Date of incident", "25 November 2026"),
    ("Location", "Main office, ground floor public counter, position 3"),
    ("Time", "10:40 to 10:52"),
    ("Details of incident", DETAILS),
    ("Action taken", ACTION),
    ("Staff involved", "Sam Okafor (1001), call handler; Priya Nair (1007), counter officer"),
    ("Reported to whom", "Jo Lindqvist (2001), line manager; Thames Valley Police, 0457-25112026"),
    ("Comments", COMMENTS),
]


def printable():
    from counter_tui.printing.pdf import Printable

    return Printable(
        title="Incident report form",
        organisation="HM Passport Office",
        reference="I-000003",
        printed_at="25 Nov 2026 11:30",
        fields=FIELDS,
        footer_note="Copies: line manager; health and safety adviser; security team.",
    )


def bare() -> bytes:
    """The same strings in a plain reportlab Table of Paragraphs, in Helvetica, no page furniture.

    The margins and column widths are `render`'s, so both have the same room for the text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

    from counter_tui.printing.pdf import LABEL_WIDTH, MARGIN, TEXT_WIDTH, TOP

    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13)
    rows = [[Paragraph(escape(label), style), Paragraph(escape(text).replace("\n", "<br/>"), style)]
            for label, text in FIELDS]
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=TOP, bottomMargin=TOP)
    template.build([Table(rows, colWidths=[LABEL_WIDTH, TEXT_WIDTH])])
    return buffer.getvalue()


def pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def run(runs: int = RUNS) -> dict[str, list[float]]:
    from counter_tui.printing.pdf import render

    doc = printable()
    for _ in range(WARM_UP):
        bare_pdf, rendered = bare(), render(doc)
    times: dict[str, list[float]] = {"bare": [], "render": []}
    for _ in range(runs):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        render(doc)
        t2 = time.perf_counter()
        times["bare"].append(t1 - t0)
        times["render"].append(t2 - t1)

    base = statistics.median(times["bare"])
    print(f"\nIncident report form ({sum(len(t) for _, t in FIELDS)} characters in {len(FIELDS)} fields), "
          f"{runs} runs each (alternating), warm process")
    print(f"{'':46}{'median ms':>10}{'p95 ms':>10}{'ratio':>8}{'pages':>7}{'bytes':>8}")
    for name, label, data in (("bare", "bare reportlab (Helvetica Table, no furniture)", bare_pdf),
                              ("render", "printing.pdf.render", rendered)):
        samples = times[name]
        median = statistics.median(samples)
        print(f"{label:46}{median * 1000:10.2f}{p95(samples) * 1000:10.2f}{median / base:8.2f}"
              f"{pages(data):7}{len(data):8}")
    return times


def test_pdf() -> None:
    """On demand only (tests/benchmarks is not collected by default); prints, never asserts timings."""
    from counter_tui.printing.pdf import render

    runs = int(os.environ.get("BENCH_RUNS", RUNS))
    times = run(runs)
    assert len(times["render"]) == runs
    assert pages(bare()) >= 1
    assert pages(render(printable())) >= 2


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS)
