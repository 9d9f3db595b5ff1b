"""What the organisation's configuration says beside a step or a task (`show_setting` in the pack):
the support available to staff, the courses in dealing with threatening customers, the page where a
security incident is reported. The guidance names these; where they are is the organisation's, so a
setting left empty says "not configured" rather than inventing one."""

from __future__ import annotations

from dataclasses import dataclass

from counter_tui.services.context import Context


@dataclass(frozen=True)
class ShownSetting:
    """One setting as staff see it: a heading, its entries, or why there are none."""

    heading: str
    items: list[str]
    missing: str
    """What is shown when configuration gives no entry (never an invented one)."""


HEADINGS = {
    "staff_support": ("Support available here", "Not configured (staff_support): use the examples in the guidance above."),
    "training": ("Training in dealing with threatening customers",
                 "Not configured (training): ask your line manager which courses you can take."),
    "security_incident_page": ("Where to report it (the security incident and breaches page)",
                               "Not configured (security_incident_page): your organisation has not said where the page is."),
}
"""Each setting a pack may show: its heading and what is shown without it."""


def shown(ctx: Context, names: list[str]) -> list[ShownSetting]:
    """The settings named, in the order named, with the configuration's entries."""
    found = []
    for name in names:
        if name not in HEADINGS:  # `line_manager`: the staff register's, shown by the contact screen
            continue
        heading, missing = HEADINGS[name]
        value = getattr(ctx.settings, name)
        items = [value] if isinstance(value, str) else list(value)
        found.append(ShownSetting(heading=heading, items=[i for i in items if i.strip()], missing=missing))
    return found
