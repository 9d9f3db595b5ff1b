"""The projections rebuilt from the event log and compared with the tables the services trust.

The hash chain proves the events; the services decide who may do what from the projection tables
(a member's role and whether they are active, a letter's sign-off state, a measure, a task). A
table edited behind the log's back (`UPDATE staff SET role = 'seo'`) leaves the chain whole, so
`counter audit verify` replays every event into a scratch database with the same schema and
compares the two, row by row and column by column.

What cannot be compared: the PIN hashes and the must-change flag (never in an event), an e-mail's
attachment bytes (the event holds their digest), search indexes and counters, and the records
whose personal data a retention run removed (their events' details are gone; the purges
themselves are checked by `audit_retention`).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

import sqlite_utils

from counter_tui.clock import parse_iso
from counter_tui.models.event import Event
from counter_tui.store import events, projections

TABLES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "staff": ("number", ("pin_salt", "pin_hash", "pin_cost", "must_change_pin"), ""),
    "contacts": ("id", (), "id"),
    "steps": ("event_seq", ("id",), "contact_id"),
    "incidents": ("id", (), "id"),
    "tasks": ("id", (), "id"),
    "letters": ("id", (), "id"),
    "outbox": ("id", ("attachment",), "id"),
    "measures": ("id", (), ""),
    "measure_requests": ("task_id", (), ""),
    "signatures": ("task_id", ("id",), "contact_id"),
    "alerts": ("id", (), ""),
    "positive_actions": ("id", (), ""),
    "customers": ("id", (), "id"),
}
"""Each compared table: its key, the columns no event carries, and the column naming the record
whose removal by a retention run takes the row out of the comparison."""

OWNERS = {"steps": "contacts", "signatures": "contacts"}
"""Tables whose rows belong to another table's records (a contact's steps and signatures)."""

PURGED_IDS = {"contacts": "contacts", "incidents": "incidents", "tasks": "tasks", "letters": "letters",
              "outbox": "messages", "customers": "customers"}
"""Projection table → the list in a `retention.purged` event naming its removed rows."""


@dataclass(frozen=True)
class Difference:
    """One place a table does not say what the events say."""

    table: str
    key: str
    column: str
    recorded: object
    """What the events make it (None: no such row)."""
    stored: object
    """What the table holds (None: no such row)."""

    def __str__(self) -> str:
        if self.column == "":
            if self.stored is None:
                return f"{self.table} row {self.key}: in the events but missing from the table"
            return f"{self.table} row {self.key}: in the table but no event created it"
        return (f"{self.table} row {self.key}, column {self.column}: the events say {_shown(self.recorded)}, "
                f"the table says {_shown(self.stored)}")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def differences(db: sqlite_utils.Database, limit: int = 100) -> list[Difference]:
    """Replay every event into a scratch database and compare the tables (at most `limit` found)."""
    scratch = _scratch_like(db)
    purged = _replay(db, scratch)
    found: list[Difference] = []
    for table, (key, skipped, owner) in TABLES.items():
        removed = purged.get(OWNERS.get(table, table), set()) if owner else set()
        found.extend(_compare(db, scratch, table, key, skipped, owner, removed, limit - len(found)))
        if len(found) >= limit:
            break
    scratch.close()
    return found


def _scratch_like(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """An in-memory database migrated to the same schema (never copied from the file being judged)."""
    from counter_tui.store.migrations import migrate

    scratch = sqlite_utils.Database(sqlite3.connect(":memory:", isolation_level=None))
    migrate(scratch)
    scratch.execute("PRAGMA foreign_keys = OFF")
    scratch.execute("DROP TRIGGER IF EXISTS events_no_update")
    scratch.execute("DROP TRIGGER IF EXISTS events_no_delete")
    return scratch


def _replay(db: sqlite_utils.Database, scratch: sqlite_utils.Database) -> dict[str, set[str]]:
    """Apply each event with its details to the scratch projections; the staff register from its
    events. Returns table → ids removed by retention runs (not compared)."""
    purged: dict[str, set[str]] = {}
    conn = scratch.conn
    conn.execute("BEGIN")
    rows = db.execute("SELECT seq, at, actor, role, kind, stream, payload, prev_hash, hash FROM events ORDER BY seq")
    for seq, at, actor, role, kind, stream, payload, prev, own in rows:
        if payload == events.PURGED_TEXT:
            continue
        try:
            details = json.loads(payload)
        except ValueError:
            continue  # the chain check reports it
        if kind == events.PURGE_KIND:
            for table, name in PURGED_IDS.items():
                purged.setdefault(table, set()).update(_names(details, name))
            continue
        if kind.startswith("staff."):
            _staff(scratch, kind, details)
            continue
        apply = projections.APPLY.get(kind)
        if apply is None:
            continue
        event = Event(seq=seq, at=parse_iso(at), actor=actor, role=role, kind=kind, stream=stream,
                      payload=details, prev_hash=prev, hash=own)
        try:
            apply(scratch, event)
        except (KeyError, TypeError, sqlite3.Error):
            continue  # an event the projections could not take: the table comparison shows the gap
    conn.execute("COMMIT")
    return purged


def _names(details: dict, name: str) -> list[str]:
    found = [i for i in details.get(name, []) if isinstance(i, str)]
    for case in details.get("cases", []):
        if isinstance(case, dict):
            found.extend(i for i in case.get(name, []) if isinstance(i, str))
    return found


def _staff(scratch: sqlite_utils.Database, kind: str, p: dict) -> None:
    """The staff register as its events say (the PIN is never in an event)."""
    if kind == "staff.added":
        scratch.execute(
            "INSERT OR REPLACE INTO staff (number, name, role, office, pin_salt, pin_hash, active, must_change_pin,"
            " line_manager) VALUES (?,?,?,?, x'', x'', 1, 0, ?)",
            [p.get("number"), p.get("name"), p.get("role"), p.get("office"), p.get("line_manager")])
    elif kind == "staff.line_manager_set":
        scratch.execute("UPDATE staff SET line_manager = ? WHERE number = ?", [p.get("line_manager"), p.get("number")])
    elif kind == "staff.disabled":
        scratch.execute("UPDATE staff SET active = 0 WHERE number = ?", [p.get("number")])
    elif kind == "staff.enabled":
        scratch.execute("UPDATE staff SET active = 1 WHERE number = ?", [p.get("number")])
    elif kind == "staff.changed":
        for column in ("name", "role", "office"):
            if column in p:
                scratch.execute(f"UPDATE staff SET {column} = ? WHERE number = ?", [p[column], p.get("number")])


def _compare(db, scratch, table: str, key: str, skipped: tuple[str, ...], owner: str, purged: set[str],
             limit: int) -> list[Difference]:
    columns = [c for c in _columns(scratch, table) if c not in skipped]
    if key not in columns or limit <= 0:
        return []
    at = columns.index(owner) if owner in columns else None
    listed = ", ".join(f'"{c}"' for c in columns)
    mine = {str(r[columns.index(key)]): r for r in db.execute(f'SELECT {listed} FROM "{table}"')}
    theirs = {str(r[columns.index(key)]): r for r in scratch.execute(f'SELECT {listed} FROM "{table}"')}
    found: list[Difference] = []
    for ident in sorted(mine.keys() | theirs.keys()):
        stored, recorded = mine.get(ident), theirs.get(ident)
        if at is not None and any(row is not None and str(row[at]) in purged for row in (stored, recorded)):
            continue
        if stored is None or recorded is None:
            found.append(Difference(table, ident, "", recorded, stored))
        else:
            found.extend(Difference(table, ident, column, a, b)
                         for column, a, b in zip(columns, recorded, stored, strict=True) if not _same(a, b))
        if len(found) >= limit:
            break
    return found[:limit]


def _same(recorded: object, stored: object) -> bool:
    """Equal, or the same JSON (a payload read back from the log has its keys sorted)."""
    if recorded == stored:
        return True
    if isinstance(recorded, str) and isinstance(stored, str) and recorded[:1] in "[{" and stored[:1] in "[{":
        try:
            return json.loads(recorded) == json.loads(stored)
        except ValueError:
            return False
    return False


def _columns(db: sqlite_utils.Database, table: str) -> list[str]:
    return [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
