"""A practice attempt's debrief as a PDF: the score explained point by point, the timeline of what
the trainee did beside what the guidance says (cited by section), and their earlier attempts at the
same scenario to compare. Printed through `pdf.py`, so every piece of text is data, never markup."""

from __future__ import annotations

from counter_tui.printing.pdf import Printable


def _clock(offset: float | None) -> str:
    if offset is None:
        return "—"
    minutes, seconds = divmod(int(offset), 60)
    return f"{minutes:02d}:{seconds:02d}"


def _when(stored: str) -> str:
    """A stored UTC time as people read it: 02 Dec 2026 09:00 UTC."""
    from datetime import datetime

    return datetime.fromisoformat(stored).strftime("%d %b %Y %H:%M UTC")


def debrief_printable(debrief, printed_at: str) -> Printable:
    """The debrief (`services.training.Debrief`) as a record to print."""
    attempt, scenario, score = debrief.attempt, debrief.scenario, debrief.score
    fields = [
        ("Trainee", attempt["trainee"]),
        ("Scenario", f"{scenario.title} ({scenario.id}): procedure {scenario.pack}, flow {scenario.flow}"),
        ("It practises", scenario.teaches),
        ("Started", _when(attempt["started_at"])),
        ("Score", f"{score.points} of {score.out_of}" + (" — full marks" if score.full else "")),
    ]
    for criterion in score.criteria:
        mark = "Met" if criterion.passed else "MISSED"
        fields.append((f"{mark}: {criterion.title}", f"{criterion.explanation}\n(Guidance: {criterion.section})"))
    for row in score.timeline:
        lines = [f"The customer: “{say}”" for say in row.customer]
        lines.append(f"You: {row.did}")
        if row.guidance:
            verdict = "" if row.passed is None else (" (right)" if row.passed else " (missed)")
            lines.append(f"The guidance{verdict}: {row.guidance}")
        lines.append(f"(Guidance: {row.section})")
        fields.append((f"{_clock(row.offset)} {row.step}", "\n".join(lines)))
    earlier = [f"{a['id']} on {_when(a['started_at'])}: {a['points']} of {a['out_of']}"
               for a in debrief.earlier]
    note = ("Earlier attempts at this scenario: " + "; ".join(earlier)) if earlier else "No earlier attempts at this scenario."
    return Printable(title="Practice debrief (TRAINING — not a live record)", organisation="Counter training",
                     reference=attempt["id"], printed_at=printed_at, fields=fields, footer_note=note)
