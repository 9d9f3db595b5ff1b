"""`counter export incidents`: every incident with every column, as JSON lines or CSV.

CSV cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or carriage
return) are neutralised with a leading apostrophe: text typed by people is data, never code.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TextIO

from counter_tui.clock import iso
from counter_tui.models.incident import Incident
from counter_tui.services.context import Context
from counter_tui.store import queries

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    "id", "contact_id", "channel", "office", "staff_number", "customer_name", "reference", "occurred_at",
    "summary", "recorded_at", "recorded_by", "reported_at", "reported_by", "report_version", "distribution",
]


def safe_cell(text: str) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _rows(ctx: Context, page: int = 500) -> Iterator[Incident]:
    after = ""
    while batch := queries.incidents(ctx.store.db, after=after, limit=page):
        yield from batch
        after = batch[-1].id


def _flat(incident: Incident, report_fields: list[str]) -> dict[str, str]:
    row = {}
    for column in COLUMNS:
        value = getattr(incident, column)
        if column == "distribution":
            value = "; ".join(value)
        elif hasattr(value, "isoformat"):
            value = iso(value)
        row[column] = "" if value is None else str(value)
    for field in report_fields:
        row[f"report_{field}"] = incident.report.get(field, "")
    return row


def _report_fields(ctx: Context) -> list[str]:
    report = ctx.pack.incident_report
    return [f.id for f in ctx.pack.form(report.form).fields] if report else []


def write_jsonl(ctx: Context, out: TextIO) -> int:
    """One JSON object per incident; returns how many."""
    count = 0
    fields = _report_fields(ctx)
    for incident in _rows(ctx):
        line = json.dumps(_flat(incident, fields), ensure_ascii=False)
        # Line and paragraph separators are valid JSON but break readers that split lines on them.
        out.write(line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n")
        count += 1
    return count


def write_csv(ctx: Context, out: TextIO) -> int:
    """A header and one row per incident, formula-safe; returns how many."""
    fields = _report_fields(ctx)
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *(f"report_{f}" for f in fields)])
    writer.writeheader()
    count = 0
    for incident in _rows(ctx):
        writer.writerow({key: safe_cell(value) for key, value in _flat(incident, fields).items()})
        count += 1
    return count
