"""The customer register's read side: one customer, and the look-up at the start of a contact."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from counter_tui.clock import parse_iso
from counter_tui.models.customer import Customer, CustomerSummary
from counter_tui.text import match_key

_CUSTOMER = "id, name, reference, version, changed_at, changed_by"


def _customer(row: tuple) -> Customer:
    return Customer(id=row[0], name=row[1], reference=row[2], version=row[3], changed_at=parse_iso(row[4]), changed_by=row[5])


def reference_key(reference: str) -> str:
    """An application reference as it is compared: spaces, case and invisible characters ignored (and
    lone surrogates, which are not text, dropped)."""
    return "".join(ch for ch in match_key(reference) if not "\ud800" <= ch <= "\udfff").replace(" ", "").upper()


def customer(db: sqlite_utils.Database, customer_id: str) -> Customer | None:
    row = db.execute(f"SELECT {_CUSTOMER} FROM customers WHERE id = ?", [customer_id]).fetchone()
    return _customer(row) if row else None


def by_reference(db: sqlite_utils.Database, reference: str) -> Customer | None:
    """The customer with exactly this application reference (spaces and case ignored)."""
    key = reference_key(reference)
    if not key:
        return None
    row = db.execute(f"SELECT {_CUSTOMER} FROM customers WHERE reference_key = ? ORDER BY id LIMIT 1", [key]).fetchone()
    return _customer(row) if row else None


def by_name(db: sqlite_utils.Database, name: str) -> list[Customer]:
    """Customers with exactly this name (case and invisible characters ignored)."""
    rows = db.execute(f"SELECT {_CUSTOMER} FROM customers WHERE name = ? COLLATE NOCASE ORDER BY id",
                      [match_key(name).strip()]).fetchall()
    return [_customer(r) for r in rows]


def search(db: sqlite_utils.Database, *, name: str, reference: str, limit: int = 8) -> list[CustomerSummary]:
    """Customers whose name has words starting as typed (each word typed; full-text, so a
    customer among 100,000 is found in a few milliseconds) and whose reference starts with
    `reference` (an index range), exact references first, with their earlier warnings and contacts.
    Either may be empty, not both; what is typed is always matched as text."""
    from counter_tui.store.register import fts_query

    key, words = reference_key(reference), fts_query(name)
    if not key and not words:
        return []
    where, params = [], []
    if words:
        where.append("customers.rowid IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)")
        params.append(f"name : ({words})")
    if key:
        where.append("reference_key >= ? AND reference_key < ?")
        params += [key, key + "\U0010ffff"]
    rows = db.execute(
        f"""SELECT {_CUSTOMER} FROM customers WHERE {' AND '.join(where)}
        ORDER BY reference_key = ? DESC, name COLLATE NOCASE, id LIMIT ?""",
        [*params, key, limit],
    ).fetchall()
    return [summary(db, _customer(r)) for r in rows]


def signed_off_letters(db: sqlite_utils.Database, customer_id: str) -> list[tuple[str, datetime]]:
    """The customer's signed-off letters, newest first: (the pack's letter id, when signed off)."""
    rows = db.execute(
        """SELECT letters.spec, letters.approved_at FROM contacts JOIN letters ON letters.contact_id = contacts.id
        WHERE contacts.customer_id = ? AND letters.status = 'approved' ORDER BY letters.approved_at DESC""",
        [customer_id],
    ).fetchall()
    return [(spec, parse_iso(at)) for spec, at in rows]


def summary(db: sqlite_utils.Database, found: Customer, *, before: str = "") -> CustomerSummary:
    """What the start of a contact shows about a customer (contacts other than `before`)."""
    warnings = dict(db.execute(
        """SELECT contacts.channel, count(*) FROM steps JOIN contacts ON contacts.id = steps.contact_id
        WHERE contacts.customer_id = ? AND contacts.id != ? AND steps.warning = 1 GROUP BY contacts.channel""",
        [found.id, before],
    ).fetchall())
    count, last = db.execute(
        "SELECT count(*), max(started_at) FROM contacts WHERE customer_id = ? AND id != ?", [found.id, before]
    ).fetchone()
    letters = signed_off_letters(db, found.id)
    return CustomerSummary(customer=found, warnings=warnings, contacts=count, last_contact=parse_iso(last) if last else None,
                           letters=letters)
