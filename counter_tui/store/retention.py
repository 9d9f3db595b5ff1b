"""The store's side of retention: which records are closed and when, removing their personal data,
and compacting the file so the removed text is gone from its bytes.

A case is what one contact set going: the contact, the incident it opened, the tasks either
created, the letters and e-mail of those, and the contacts started from those tasks (a call-back,
a welfare record) with their own tasks, and so on. It is closed when every contact in it is
finished and every task in it is done; it closed at the last of those times.

Removing a case's personal data: the payload of every event of its streams becomes the purge marker
(the one UPDATE the events trigger allows; the digest stays so the chain verifies), and the
projections' personal columns are emptied. The FTS tables lose the text through their triggers
(m009), then are optimised so no old segment keeps a token; `compact` then rewrites the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import sqlite_utils

from counter_tui.store import events

_CHUNK = 500


@dataclass
class Case:
    """One contact and everything it set going (see the module docstring)."""

    contacts: list[str] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    letters: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    customers: set[str] = field(default_factory=set)
    closed_at: str | None = ""
    """When the last contact ended or task was done (ISO, UTC); None while anything is open."""
    purged: bool = True
    """Every contact's personal data was already removed."""

    @property
    def streams(self) -> list[str]:
        """The event streams holding this case's details."""
        return [f"{prefix}:{i}" for prefix, ids in (("contact", self.contacts), ("incident", self.incidents),
                                                    ("task", self.tasks), ("letter", self.letters),
                                                    ("mail", self.messages)) for i in ids]


class _Links:
    """Union-find over record keys ("C:C-000001", "T:T-000004", …)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = self.parent.setdefault(key, key)
        while root != self.parent[root]:
            root = self.parent[root]
        while key != root:  # compress the path
            self.parent[key], key = root, self.parent[key]
        return root

    def join(self, a: str, b: str | None) -> None:
        if b is not None:
            self.parent[self.find(a)] = self.find(b)


def cases(db: sqlite_utils.Database) -> list[Case]:
    """Every case in the database, with when it closed (reads ids and times only, no personal data)."""
    links = _Links()
    contacts = db.execute("SELECT id, task_id, status, ended_at, purged_at, customer_id FROM contacts").fetchall()
    tasks = db.execute("SELECT id, contact_id, incident_id, letter_id, status, done_at FROM tasks").fetchall()
    incidents = db.execute("SELECT id, contact_id FROM incidents").fetchall()
    letters = db.execute("SELECT id, contact_id, incident_id FROM letters").fetchall()
    messages = db.execute("SELECT id, letter_id, incident_id FROM outbox").fetchall()
    task_ids = {row[0] for row in tasks}
    for cid, task_id, *_ in contacts:
        links.join(f"C:{cid}", f"T:{task_id}" if task_id in task_ids else None)
    for iid, cid in incidents:
        links.join(f"I:{iid}", f"C:{cid}")
    for tid, cid, iid, lid, *_ in tasks:
        for other in (cid and f"C:{cid}", iid and f"I:{iid}", lid and f"L:{lid}"):
            links.join(f"T:{tid}", other or None)
    for lid, cid, iid in letters:
        for other in (cid and f"C:{cid}", iid and f"I:{iid}"):
            links.join(f"L:{lid}", other or None)
    for mid, lid, iid in messages:
        for other in (lid and f"L:{lid}", iid and f"I:{iid}"):
            links.join(f"M:{mid}", other or None)

    found: dict[str, Case] = {}
    for cid, _, status, ended_at, purged_at, customer_id in contacts:
        case = found.setdefault(links.find(f"C:{cid}"), Case())
        case.contacts.append(cid)
        if customer_id:
            case.customers.add(customer_id)
        case.purged = case.purged and purged_at is not None
        _close(case, ended_at if status == "finished" else None)

    def member(key: str) -> Case | None:
        return found.get(links.find(key))

    for iid, _ in incidents:
        if (case := member(f"I:{iid}")) is not None:
            case.incidents.append(iid)
    for tid, _, _, _, status, done_at in tasks:
        if (case := member(f"T:{tid}")) is not None:
            case.tasks.append(tid)
            _close(case, done_at if status == "done" else None)
    for lid, *_ in letters:
        if (case := member(f"L:{lid}")) is not None:
            case.letters.append(lid)
    for mid, *_ in messages:
        if (case := member(f"M:{mid}")) is not None:
            case.messages.append(mid)
    return list(found.values())


def _close(case: Case, at: str | None) -> None:
    """Fold one member's end into the case's closing time (None: still open, and stays so)."""
    if case.closed_at is None:
        return
    case.closed_at = None if at is None else max(case.closed_at, at)


def customers_to_keep(db: sqlite_utils.Database, leaving: set[str]) -> set[str]:
    """Which of `leaving` (customers of the cases being removed) must not be removed (again): those
    with a control measure or a request for one, and those already removed. (Their other contacts
    are `live_contacts_of`'s.)"""
    kept: set[str] = set()
    for ids in _chunks(sorted(leaving)):
        marks = ",".join("?" * len(ids))
        kept.update(r[0] for r in db.execute(
            f"""SELECT customer_id FROM measures WHERE customer_id IN ({marks})
            UNION SELECT customer_id FROM measure_requests WHERE customer_id IN ({marks})
            UNION SELECT id FROM customers WHERE id IN ({marks}) AND purged_at IS NOT NULL""", [*ids, *ids, *ids]))
    return kept


def live_contacts_of(db: sqlite_utils.Database, customers: set[str]) -> dict[str, set[str]]:
    """customer id → the ids of their contacts whose personal data is still there."""
    found: dict[str, set[str]] = {}
    for ids in _chunks(sorted(customers)):
        for customer_id, contact_id in db.execute(
            f"SELECT customer_id, id FROM contacts WHERE purged_at IS NULL AND customer_id IN ({','.join('?' * len(ids))})", ids
        ):
            found.setdefault(customer_id, set()).add(contact_id)
    return found


def events_to_purge(db: sqlite_utils.Database, streams: Iterable[str]) -> int:
    """How many events of `streams` still hold their payload."""
    total = 0
    for ids in _chunks(sorted(streams)):
        total += db.execute(f"SELECT count(*) FROM events WHERE stream IN ({','.join('?' * len(ids))}) AND payload != ?",
                            [*ids, events.PURGED_TEXT]).fetchone()[0]
    return total


def payloads_of(db: sqlite_utils.Database, streams: Iterable[str]) -> list[tuple[int, str]]:
    """The events of `streams` that still hold their payload: (seq, the digest of the payload), in
    order. A retention run lists them in its `retention.purged` event, so `counter audit verify`
    can tell retention's blanks from anyone else's."""
    found: list[tuple[int, str]] = []
    for ids in _chunks(sorted(streams)):
        found.extend(db.execute(
            f"SELECT seq, payload_sha256 FROM events WHERE stream IN ({','.join('?' * len(ids))}) AND payload != ?",
            [*ids, events.PURGED_TEXT]).fetchall())
    return sorted(found)


_EMPTIED = {
    "contacts": "customer_name = '', reference = '', query = '', note = '', record = '{}', purged_at = :at",
    "incidents": "customer_name = '', reference = '', summary = '', report = '{}', purged_at = :at",
    "tasks": "customer_name = '', reference = '', done_note = '', done_record = '{}'",
    "letters": "customer_name = '', reference = '', draft = '{}', returned_reason = ''",
    "outbox": "subject = '', body = '', attachment = NULL",
    "customers": "name = '', reference = '', version = version + 1, changed_at = :at, changed_by = :actor, purged_at = :at",
}
"""The personal columns of each projection, and what they become."""


def purge(db: sqlite_utils.Database, *, streams: Iterable[str], rows: dict[str, list[str]], at: str, actor: str) -> int:
    """Remove the personal data (inside `connection.write`): the payloads of `streams`, and the
    personal columns of `rows` (table → ids, tables as in `_EMPTIED`).

    Returns:
        How many event payloads were replaced by the purge marker.
    """
    purged = 0
    for ids in _chunks(sorted(streams)):
        purged += db.execute(
            f"UPDATE events SET payload = ? WHERE stream IN ({','.join('?' * len(ids))}) AND payload != ?",
            [events.PURGED_TEXT, *ids, events.PURGED_TEXT],
        ).rowcount
    for table, ids_of_table in rows.items():
        for ids in _chunks(ids_of_table):
            marks = ",".join(f":id{n}" for n in range(len(ids)))
            db.execute(f"UPDATE {table} SET {_EMPTIED[table]} WHERE id IN ({marks})",
                       {"at": at, "actor": actor, **{f"id{n}": i for n, i in enumerate(ids)}})
    for ids in _chunks(rows.get("contacts", [])):
        db.execute(f"UPDATE signatures SET comment = '' WHERE contact_id IN ({','.join('?' * len(ids))})", ids)
    return purged


def optimize_search(db: sqlite_utils.Database) -> None:
    """Merge the full-text indexes' segments, so no token of a removed row survives in an old one
    (inside the run's transaction, after `purge`)."""
    for table in ("customers_fts", "contacts_fts"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def compact(db: sqlite_utils.Database) -> bool:
    """Rewrite the file without free pages (VACUUM) and empty the write-ahead log, so removed text
    is gone from the bytes on disk. Call outside a transaction.

    Returns:
        Whether both were done (not while another connection is using the database).
    """
    try:
        db.execute("VACUUM")
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.Error:
        return False
    return busy == 0


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
