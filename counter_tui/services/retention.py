"""Retention: removing the personal data of records kept longer than the organisation's schedule.

The schedule is configuration (`[retention]`, see `config.RetentionSettings`): a case (a contact,
its incident, tasks, letters, e-mail and follow-up contacts; `store.retention`) that opened an
incident is kept `incident_years` after it closed, one that did not `contact_years`; without a
figure nothing of that kind is removed. Customers go with their last record, unless a control
measure (or a request for one) still names them: measures have their own reviews and stay.

What goes: every event payload of the case's streams (replaced by the purge marker, the digest kept
so the chain verifies) and the personal columns of the projections, the full-text indexes included;
then the file is rewritten. What stays: ids, times, who on the staff did what, the steps' scripted
words, the hash chain, and `retention.purged` events naming the ids and the schedule used: for
each case the rule (`incident_years` or `contact_years`), its years and when the case closed; who
ran it; and for each event it blanked, its seq and the digest of its payload, so `counter audit
verify` can prove every blank is retention's and that it was due (`services.audit_retention`).
Needs only the database and the settings, never the pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui.clock import iso, parse_iso
from counter_tui.config import RetentionSettings
from counter_tui.store import events, projections
from counter_tui.store import retention as records
from counter_tui.store.connection import Store, write
from counter_tui.store.retention import Case

PART = 500
"""Cases named by one `retention.purged` event."""
SCHEDULES = {"incident_years": "incident records", "contact_years": "contacts that opened no incident"}


@dataclass(frozen=True)
class DueCase:
    """A closed case kept past its schedule."""

    case: Case
    schedule: str
    """The setting that applies: "incident_years" or "contact_years"."""
    years: int
    closed_at: datetime
    due_since: datetime
    """When the schedule ran out: `years` after `closed_at`."""


@dataclass(frozen=True)
class Plan:
    """What a run removes (or, for a dry run, would remove)."""

    as_of: datetime
    cases: list[DueCase]
    customers: list[str]
    """Customers on no live record any more, whose name and reference go too."""
    events: int
    """Event payloads still to be replaced by the purge marker."""

    @property
    def empty(self) -> bool:
        return not self.cases and not self.customers

    @property
    def streams(self) -> list[str]:
        return sorted({s for due in self.cases for s in due.case.streams} | {f"customer:{c}" for c in self.customers})

    def parts(self, size: int) -> list[Plan]:
        """The plan cut into parts of at most `size` cases (the customers go with the last), so each
        `retention.purged` event stays a readable size."""
        cuts = [self.cases[i:i + size] for i in range(0, len(self.cases), size)] or [[]]
        return [Plan(self.as_of, cut, self.customers if n == len(cuts) - 1 else [], 0) for n, cut in enumerate(cuts)]

    def rows(self) -> dict[str, list[str]]:
        """Projection table → the ids whose personal columns are emptied."""
        pick = lambda attr: sorted({i for due in self.cases for i in getattr(due.case, attr)})  # noqa: E731
        return {"contacts": pick("contacts"), "incidents": pick("incidents"), "tasks": pick("tasks"),
                "letters": pick("letters"), "outbox": pick("messages"), "customers": sorted(self.customers)}


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    purged_events: int
    event_seqs: list[int]
    """The `retention.purged` events, one per `PART` cases (none when nothing was due)."""
    compacted: bool
    """The file was rewritten and its write-ahead log emptied (False while another user had it open)."""


def shift_years(moment: datetime, years: int) -> datetime:
    """The same date and time `years` later (earlier when negative); 29 February becomes 28 February."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _named(due: DueCase) -> dict:
    """One case as its `retention.purged` event names it: the record, the rule and when it closed."""
    case = due.case
    return {"contacts": case.contacts, "incidents": case.incidents, "tasks": case.tasks, "letters": case.letters,
            "messages": case.messages, "rule": due.schedule, "years": due.years, "closed_at": iso(due.closed_at)}


def plan(store: Store, schedule: RetentionSettings, now: datetime) -> Plan:
    """What is past the schedule at `now`: reads ids and times only."""
    db = store.db
    due: list[DueCase] = []
    for case in records.cases(db):
        if case.closed_at is None or case.purged:
            continue
        setting = "incident_years" if case.incidents else "contact_years"
        years = getattr(schedule, setting)
        if years is None:
            continue
        closed = parse_iso(case.closed_at)
        if shift_years(closed, years) <= now:
            due.append(DueCase(case, setting, years, closed, shift_years(closed, years)))
    due.sort(key=lambda d: d.case.contacts[0])
    leaving = {c for d in due for c in d.case.customers}
    going = {c for d in due for c in d.case.contacts}
    keep = records.customers_to_keep(db, leaving)
    live = records.live_contacts_of(db, leaving - keep)
    customers = sorted(c for c in leaving - keep if live.get(c, set()) <= going)
    streams = {s for d in due for s in d.case.streams} | {f"customer:{c}" for c in customers}
    return Plan(as_of=now, cases=due, customers=customers, events=records.events_to_purge(db, streams))


def run(store: Store, schedule: RetentionSettings, now: datetime, *, actor: str = "system", role: str = "system") -> Outcome:
    """Remove the personal data of everything past the schedule, append `retention.purged` events
    naming it (one per `PART` cases), then rewrite the file. The plan is made again inside the write, so a record
    reopened meanwhile is not touched.

    Raises:
        StoreError: the database is busy, full or read-only; nothing was removed.
    """
    db = store.db
    seqs, purged = [], 0
    with write(db):
        chosen = plan(store, schedule, now)
        if chosen.empty:
            return Outcome(chosen, 0, [], False)
        for part in chosen.parts(PART):
            streams = part.streams
            removed = records.payloads_of(db, streams)
            count = records.purge(db, streams=streams, rows=part.rows(), at=iso(now), actor=actor)
            ids = part.rows()
            run_id = projections.next_id(db, "retention", "R")
            seqs.append(events.append(
                db, at=now, actor=actor, role=role, kind=events.PURGE_KIND, stream=f"retention:{run_id}",
                payload={"schedule": schedule.model_dump(), "as_of": iso(now), "contacts": ids["contacts"],
                         "incidents": ids["incidents"], "tasks": ids["tasks"], "letters": ids["letters"],
                         "messages": ids["outbox"], "customers": ids["customers"], "streams": streams, "events": count,
                         "cases": [_named(due) for due in part.cases], "by": {"actor": actor, "role": role},
                         "purged": [[seq, digest] for seq, digest in removed]},
            ).seq)
            purged += count
        records.optimize_search(db)
    return Outcome(chosen, purged, seqs, records.compact(db))
