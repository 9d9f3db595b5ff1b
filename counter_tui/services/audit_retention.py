"""Was each retention run authorised and due? The audit's check of every `retention.purged` event.

The chain check (`store.events.walk`) proves each blanked payload is listed, by its seq and the
digest of what it held, in a later `retention.purged` event. That event is in the chain, but
anyone who can write the file can append one, so this check asks of each run what the schedule
asks, from what the purge could not remove (each event's time, kind and stream):

- it names, for each case, the rule (`incident_years` if the case opened an incident, else
  `contact_years`), its years and who ran it; with the schedule in force (`[retention]`), the
  years are no fewer than it sets, and a rule it does not set removes nothing;
- every contact of the case was finished and every task done (their `contact.finished` and
  `task.done` events), and nothing happened in any of the case's records within those years of
  the run; the same for each customer removed with it;
- every event it lists belongs to the records it names;
- it is not dated after the check's `now` (given explicitly, or the time of the check when a
  schedule is in force): a forged run dated years on would otherwise make any closed case look due.

A run failing any of these is reported as a break, naming the run and the record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from counter_tui.clock import parse_iso
from counter_tui.config import RetentionSettings
from counter_tui.services.retention import shift_years
from counter_tui.store import events
from counter_tui.store.events import ChainBreak

RULES = ("incident_years", "contact_years")
_PREFIXES = {"contacts": "contact", "incidents": "incident", "tasks": "task", "letters": "letter", "messages": "mail"}


@dataclass
class _Seen:
    """What the pass has read so far, without any payload."""

    last_at: dict[str, str] = field(default_factory=dict)
    """stream → the time of its newest event."""
    closed_at: dict[str, str] = field(default_factory=dict)
    """contact or task stream → when it was finished or done."""
    blanked: dict[int, str] = field(default_factory=dict)
    """seq of a blanked event → its stream."""


def unproven(db: sqlite_utils.Database, schedule: RetentionSettings | None = None,
             now: datetime | None = None) -> ChainBreak | None:
    """The first retention run that was not due (or not retention's), or None when every one was.

    Args:
        schedule: the `[retention]` settings in force; None checks each run against its own rule only.
        now: when the check is made: a run dated after it is reported (None: not checked).
    """
    seen = _Seen()
    rows = db.execute("SELECT seq, at, kind, stream, payload FROM events ORDER BY seq")
    for seq, at, kind, stream, payload in rows:
        if payload == events.PURGED_TEXT:
            seen.blanked[seq] = stream
        elif kind == events.PURGE_KIND:
            if now is not None and parse_iso(at) > now:
                return ChainBreak(seq, f"the retention run at {at} is dated after this check ({now.isoformat()}): "
                                       "no run can have been due in the future")
            problem = _run_problem(payload, parse_iso(at), seen, schedule)
            if problem:
                return ChainBreak(seq, f"the retention run at {at} {problem}")
        if kind in ("contact.finished", "task.done"):
            seen.closed_at[stream] = at
        seen.last_at[stream] = at
    return None


def _run_problem(payload: str, at: datetime, seen: _Seen, schedule: RetentionSettings | None) -> str | None:
    try:
        details = json.loads(payload)
    except ValueError:
        return "cannot be read"
    cases, listed = details.get("cases"), details.get("purged")
    if not isinstance(cases, list) or not isinstance(listed, list) or not cases:
        return "does not name the rule and the record each removal was due under"
    allowed: set[str] = set()
    shortest: int | None = None
    for case in cases:
        problem, streams, years = _case_problem(case, at, seen, schedule)
        if problem:
            return problem
        allowed |= streams
        shortest = years if shortest is None else min(shortest, years)
    for customer in details.get("customers", []):
        stream = f"customer:{customer}"
        last = seen.last_at.get(stream)
        if last and shift_years(parse_iso(last), shortest) > at:
            return f"removed customer {customer}, whose record changed at {last}, less than {shortest} years before"
        allowed.add(stream)
    for item in listed:
        seq = item[0] if isinstance(item, list) and item else None
        stream = seen.blanked.get(seq) if type(seq) is int else None
        if stream is not None and stream not in allowed:
            return f"lists event {seq} ({stream}), which is not part of the records it names"
    return None


def _case_problem(case, at: datetime, seen: _Seen, schedule: RetentionSettings | None) -> tuple[str | None, set[str], int]:
    """Was this case due at `at` under its rule? (problem, its streams, its years)."""
    if not isinstance(case, dict):
        return "names a case it cannot describe", set(), 0
    rule, years = case.get("rule"), case.get("years")
    ids = {key: [i for i in case.get(key, []) if isinstance(i, str)] for key in _PREFIXES}
    name = ", ".join(ids["contacts"]) or "a case with no contact"
    if rule not in RULES or type(years) is not int or years < 1:
        return f"removed {name} without naming a retention rule and its years", set(), 0
    if (rule == "incident_years") != bool(ids["incidents"]):
        return f"removed {name} under {rule}, which is not the rule for {'an incident' if ids['incidents'] else 'a contact'}", set(), 0
    if schedule is not None:
        configured = getattr(schedule, rule)
        if configured is None:
            return f"removed {name} under {rule} = {years}, but [retention] sets no {rule}: those records are kept", set(), 0
        if years < configured:
            return f"removed {name} after {years} years where [retention] {rule} = {configured}", set(), 0
    if not ids["contacts"]:
        return f"removed {name}", set(), 0
    for key, kind in (("contacts", "finished"), ("tasks", "done")):
        for ident in ids[key]:
            if f"{_PREFIXES[key]}:{ident}" not in seen.closed_at:
                return f"removed {name}, but {ident} was never {kind}", set(), 0
    streams = {f"{_PREFIXES[key]}:{ident}" for key, idents in ids.items() for ident in idents}
    for stream in sorted(streams):
        last = seen.last_at.get(stream)
        if last and shift_years(parse_iso(last), years) > at:
            return (f"removed {name} under {rule} = {years}, but {stream.partition(':')[2]} was still in use at "
                    f"{last}, less than {years} years before"), set(), 0
    return None, streams, years
