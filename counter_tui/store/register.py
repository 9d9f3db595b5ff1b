"""The register's search and a customer's whole record, read from SQL.

Search is full-text (FTS5) over customers' names and references and over what contacts recorded;
what people type is always quoted into FTS5 strings, so operators, quotes and markup are searched
for as text. Hits come newest first, capped per page (ranking every hit of a broad term would cost
hundreds of milliseconds at a million contacts).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from counter_tui.clock import iso, parse_iso
from counter_tui.text import SEARCH_LIMIT, match_key


def fts_query(text: str, *, prefix: bool = True) -> str:
    """Typed text as an FTS5 query: every word a quoted string (all must match), the last one also
    matched as the start of a word where `prefix`, so a name can be found while it is being typed.

    Only the first `SEARCH_LIMIT` characters are searched (each word more makes the query slower, and
    a pasted page would take minutes); invisible characters are ignored, so "John\u200bSmith" finds
    John Smith."""
    text = match_key(text[:SEARCH_LIMIT])
    # Control characters (a NUL ends an FTS5 string early) and lone surrogates (not text SQLite can
    # take) separate words, as spaces do.
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text)
    words = [w for w in text.split() if any(ch.isalnum() for ch in w)]
    if not words:
        return ""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


@dataclass(frozen=True)
class Hit:
    """One line of a search: a customer in the register, or a contact whose customer is not known."""

    customer_id: str | None
    contact_id: str | None
    name: str
    reference: str
    why: str
    """Where the words were found: "name or reference", or a snippet of the contact's record."""


def search(db: sqlite_utils.Database, text: str, *, private_flows: list[str], limit: int = 25) -> list[Hit]:
    """Customers whose name or reference match, then customers (or unknown people) whose contacts'
    records match, newest first, at most `limit` lines. Contacts of `private_flows` (a member of
    staff's welfare record) are never searched.

    Whole words are searched first; only when they find less than a page is the last word also
    taken as the start of a word (a prefix of a common word would make every search slow)."""
    hits: list[Hit] = []
    seen: set[str] = set()
    for prefix in (False, True):
        query = fts_query(text, prefix=prefix)
        if not query or len(hits) >= limit:
            break
        _customers(db, query, limit, hits, seen)
        _contacts(db, query, private_flows, limit, hits, seen)
    return hits[:limit]


def _customers(db: sqlite_utils.Database, query: str, limit: int, hits: list[Hit], seen: set[str]) -> None:
    for row in db.execute(
        """SELECT customers.id, customers.name, customers.reference FROM customers_fts
        JOIN customers ON customers.rowid = customers_fts.rowid
        WHERE customers_fts MATCH ? ORDER BY customers_fts.rowid DESC LIMIT ?""",
        [query, limit],
    ):
        if row[0] not in seen and len(hits) < limit:
            seen.add(row[0])
            hits.append(Hit(row[0], None, row[1], row[2], "name or reference"))


def _contacts(db: sqlite_utils.Database, query: str, private_flows: list[str], limit: int, hits: list[Hit],
              seen: set[str]) -> None:
    for customer_id, contact_id, name, reference, snip in db.execute(
        """SELECT contacts.customer_id, contacts.id, contacts.customer_name, contacts.reference,
        snippet(contacts_fts, 0, '', '', '…', 10) FROM contacts_fts
        JOIN contacts ON contacts.rowid = contacts_fts.rowid
        WHERE contacts_fts MATCH ? AND contacts.flow NOT IN (SELECT value FROM json_each(?))
        ORDER BY contacts_fts.rowid DESC LIMIT ?""",
        [query, json.dumps(private_flows), limit * 4],
    ):
        if len(hits) >= limit:
            return
        key = customer_id or contact_id
        if key in seen:
            continue
        seen.add(key)
        hits.append(Hit(customer_id, None if customer_id else contact_id, name, reference, f"{contact_id}: {snip}"))


@dataclass(frozen=True)
class ContactLine:
    """A contact on a customer's record."""

    id: str
    channel: str
    started_at: datetime
    status: str
    outcome: str | None
    staff_name: str
    office: str
    warnings: int
    incident_id: str | None


def contacts_of(db: sqlite_utils.Database, customer_id: str, *, limit: int = 200) -> list[ContactLine]:
    """Every contact with the customer (staff welfare records are never linked), newest first."""
    rows = db.execute(
        """SELECT id, channel, started_at, status, outcome, staff_name, office,
        (SELECT count(*) FROM steps WHERE steps.contact_id = contacts.id AND steps.warning = 1), incident_id
        FROM contacts WHERE customer_id = ? ORDER BY started_at DESC, id DESC LIMIT ?""",
        [customer_id, limit],
    ).fetchall()
    return [ContactLine(r[0], r[1], parse_iso(r[2]), r[3], r[4], r[5], r[6], r[7], r[8]) for r in rows]


@dataclass(frozen=True)
class UnknownIncident:
    """An incident whose customer was not known when it was recorded."""

    incident_id: str
    contact_id: str
    occurred_at: datetime
    channel: str
    office: str
    summary: str
    customer_name: str


def incidents_without_customer(db: sqlite_utils.Database, *, since: datetime | None = None, limit: int = 50) -> list[UnknownIncident]:
    """Incidents whose contact is linked to no customer, newest first."""
    rows = db.execute(
        """SELECT incidents.id, incidents.contact_id, incidents.occurred_at, incidents.channel, incidents.office,
        incidents.summary, incidents.customer_name FROM incidents JOIN contacts ON contacts.id = incidents.contact_id
        WHERE contacts.customer_id IS NULL AND incidents.occurred_at >= ?
        ORDER BY incidents.occurred_at DESC LIMIT ?""",
        [iso(since) if since else "", limit],
    ).fetchall()
    return [UnknownIncident(r[0], r[1], parse_iso(r[2]), r[3], r[4], r[5], r[6]) for r in rows]
