"""Lines shared by the contact, task and letter screens: what configuration says beside a step or
task, and the record a task follows. Everything typed by people or configuration is data, never markup."""

from __future__ import annotations

from textual.content import Content

from counter_tui.services import shown_settings


def shown_settings_lines(ctx, names: list[str]) -> list[Content]:
    """Each setting the pack shows here: its heading, then its entries (or "not configured")."""
    lines = []
    for setting in shown_settings.shown(ctx, names):
        lines.append(Content.from_markup("[b]$heading[/b]", heading=setting.heading))
        lines += [Content.from_markup("• $item", item=item) for item in setting.items] or [
            Content.from_markup("[dim]$missing[/dim]", missing=setting.missing)]
    return lines


def record_lines(heading: str, record: list[tuple[str, str]]) -> list[Content]:
    """A finished record under a heading, a field a line ("—" where it was left empty); nothing without one."""
    if not record:
        return []
    lines = [Content.from_markup("\n[b]$heading[/b]", heading=heading)]
    lines += [Content.from_markup("[b]$label:[/b] $text", label=label, text=text or "—") for label, text in record]
    return lines
