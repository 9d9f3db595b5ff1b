"""Read models of letters and the outbox, as pydantic models."""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from counter_tui.clock import iso, parse_iso
from counter_tui.models.letter import Letter, OutboxMessage
from counter_tui.models.task import Task
from counter_tui.store import queries

_LETTER = """id, spec, incident_id, contact_id, office, customer_name, reference, status, draft, version, editors,
drafted_by, submitted_at, returned_reason, returned_by, approved_by, approved_name, approved_at, actions, created_at,
closed_reason, closed_by, closed_at, decision_reason"""
_LETTER_NAMES = [n.strip() for n in _LETTER.split(",")]


def _when(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def _letter(row: tuple) -> Letter:
    data = dict(zip(_LETTER_NAMES, row, strict=True))
    for key in ("draft", "editors", "actions"):
        data[key] = json.loads(data[key])
    for key in ("submitted_at", "approved_at", "created_at", "closed_at"):
        data[key] = _when(data[key])
    return Letter(**data)


def letter(db: sqlite_utils.Database, letter_id: str) -> Letter | None:
    row = db.execute(f"SELECT {_LETTER} FROM letters WHERE id = ?", [letter_id]).fetchone()
    return _letter(row) if row else None


def letters_for_incident(db: sqlite_utils.Database, incident_id: str) -> list[Letter]:
    rows = db.execute(f"SELECT {_LETTER} FROM letters WHERE incident_id = ? ORDER BY id", [incident_id]).fetchall()
    return [_letter(r) for r in rows]


def closed_without_letter(db: sqlite_utils.Database, customer_id: str) -> list[Letter]:
    """The customer's letters that ended without a letter going (not agreed, or decided not to write), newest first."""
    rows = db.execute(
        f"""SELECT {", ".join("letters." + n for n in _LETTER_NAMES)} FROM letters JOIN contacts ON contacts.id = letters.contact_id
        WHERE contacts.customer_id = ? AND letters.status IN ('not_agreed', 'declined') ORDER BY letters.closed_at DESC""",
        [customer_id],
    ).fetchall()
    return [_letter(r) for r in rows]


def sent_to_customer(db: sqlite_utils.Database, customer_id: str, sent_by: dict[str, str]) -> frozenset[str]:
    """The letters (pack ids, of those in `sent_by`: letter id -> the task that sends it) signed off
    and sent to this customer: approved, and its sending task done."""
    found = set()
    for spec, task_spec in sent_by.items():
        row = db.execute(
            """SELECT 1 FROM letters JOIN contacts ON contacts.id = letters.contact_id
            JOIN tasks ON tasks.letter_id = letters.id
            WHERE contacts.customer_id = ? AND letters.spec = ? AND letters.status = 'approved'
              AND tasks.spec = ? AND tasks.status = 'done' LIMIT 1""",
            [customer_id, spec, task_spec],
        ).fetchone()
        if row:
            found.add(spec)
    return frozenset(found)


def tasks_for_letter(db: sqlite_utils.Database, letter_id: str) -> list[Task]:
    """Every task a letter made (drafting, sign-off, follow-ups), in order."""
    rows = db.execute(f"SELECT {queries._TASK} FROM tasks WHERE letter_id = ? ORDER BY id", [letter_id]).fetchall()
    return [queries._task(r) for r in rows]


_MESSAGE = """id, letter_id, incident_id, purpose, list_name, recipients, subject, body, attachment_name, status,
attempts, next_attempt_at, last_error, created_at, sent_at"""
_MESSAGE_NAMES = [n.strip() for n in _MESSAGE.split(",")]


def _message(row: tuple) -> OutboxMessage:
    data = dict(zip(_MESSAGE_NAMES, row, strict=True))
    data["recipients"] = json.loads(data["recipients"])
    for key in ("next_attempt_at", "created_at", "sent_at"):
        data[key] = _when(data[key])
    return OutboxMessage(**data)


def message(db: sqlite_utils.Database, message_id: str) -> OutboxMessage | None:
    row = db.execute(f"SELECT {_MESSAGE} FROM outbox WHERE id = ?", [message_id]).fetchone()
    return _message(row) if row else None


def attachment(db: sqlite_utils.Database, message_id: str) -> tuple[str, bytes] | None:
    """The file attached to a message (name, bytes), if any."""
    row = db.execute("SELECT attachment_name, attachment FROM outbox WHERE id = ?", [message_id]).fetchone()
    return (row[0], row[1]) if row and row[1] is not None else None


def store_attachment(db: sqlite_utils.Database, message_id: str, data: bytes) -> None:
    """Keep a message's attachment (inside the write that queued it; its hash is in the event)."""
    db.execute("UPDATE outbox SET attachment = ? WHERE id = ?", [data, message_id])


def messages(db: sqlite_utils.Database, *, letter_id: str | None = None, statuses: tuple[str, ...] = (),
             limit: int = 200, offset: int = 0, incident_id: str | None = None) -> list[OutboxMessage]:
    """Messages newest first, narrowed to one letter, one incident or some states."""
    where, params = ["1 = 1"], []
    if letter_id is not None:
        where.append("letter_id = ?")
        params.append(letter_id)
    if incident_id is not None:
        where.append("incident_id = ?")
        params.append(incident_id)
    if statuses:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params += list(statuses)
    rows = db.execute(
        f"SELECT {_MESSAGE} FROM outbox WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return [_message(r) for r in rows]


def due_messages(db: sqlite_utils.Database, now: datetime, *, include_held: bool = False, limit: int = 20) -> list[str]:
    """Ids of messages to send now, oldest first: queued, failed and due again, or claimed by a
    sender whose lease ran out (it died mid-send)."""
    states = "('queued', 'failed', 'sending', 'held')" if include_held else "('queued', 'failed', 'sending')"
    rows = db.execute(
        f"SELECT id FROM outbox WHERE status IN {states} AND (next_attempt_at IS NULL OR next_attempt_at <= ?) "
        "ORDER BY created_at, id LIMIT ?",
        [iso(now), limit],
    ).fetchall()
    return [r[0] for r in rows]


def outbox_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many messages are in each state."""
    return dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
