"""A contact's live control measures as the contact screen shows them above the step: one line each,
the words to say where one turns the customer away on this channel. Typed text is data, never markup."""

from __future__ import annotations

from textual.content import Content

from counter_tui.policy.schema import YOUR_NAME, YOUR_OFFICE
from counter_tui.services.measure_record import MeasureOnRecord


def measure_lines(measures: list[MeasureOnRecord], staff_name: str, office: str) -> list[Content]:
    """Each measure: its kind and name (red where it refuses the customer here), its terms where the
    pack shows them, the words to say with the member of staff's name and office put in, and the
    guidance with its section."""
    lines = []
    for item in measures:
        style = "b $error" if item.refused_here else "b $warning"
        line = Content.from_markup(f"[{style}]$kind[/] [b]$name[/b]", kind=item.spec.kind.upper(), name=item.spec.name)
        if item.spec.show_terms:
            line += Content.from_markup(" — [b]$terms[/b]", terms=item.measure.reason)
        effect = item.effect
        if effect is not None and effect.say:
            words = " ".join(effect.say).replace(YOUR_NAME, staff_name).replace(YOUR_OFFICE, office)
            mark = "" if effect.words_from_guidance else " [dim](words not from the guidance)[/dim]"
            line += Content.from_markup(f' — say: [b]"$words"[/b]{mark}', words=words)
        if effect is not None and effect.guidance:
            line += Content.from_markup(" — $guidance [dim]($section)[/dim]", guidance=" ".join(effect.guidance),
                                        section=effect.section)
        lines.append(line)
    return lines
