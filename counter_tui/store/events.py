"""The event log: append an event to the hash chain, read events back, verify the chain end to end.

Each event's hash covers its own fields and the previous event's hash, so altering, deleting,
inserting or reordering any event breaks the chain from that point on. Triggers refuse UPDATE and
DELETE; `verify` catches what was done behind the triggers' back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from counter_tui.clock import iso, parse_iso
from counter_tui.models.event import Event

GENESIS = "0" * 64


def canonical(payload: dict[str, Any]) -> str:
    """The one JSON text a payload is stored and hashed as."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(seq: int, at: str, actor: str, role: str, kind: str, stream: str, payload: str, prev: str) -> str:
    """The hash of one event, chained to the previous event's hash."""
    body = json.dumps([seq, at, actor, role, kind, stream, payload, prev], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    db: sqlite_utils.Database,
    *,
    at: datetime,
    actor: str,
    role: str,
    kind: str,
    stream: str,
    payload: dict[str, Any],
) -> Event:
    """Append one event; call inside `connection.write` so projections commit with it.

    Returns:
        The stored event with its sequence number and hash.
    """
    row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at_text = iso(at)
    text = canonical(payload)
    digest = chain_hash(seq, at_text, actor, role, kind, stream, text, prev)
    db.execute(
        "INSERT INTO events (seq, at, actor, role, kind, stream, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
        [seq, at_text, actor, role, kind, stream, text, prev, digest],
    )
    return Event(
        seq=seq, at=parse_iso(at_text), actor=actor, role=role, kind=kind, stream=stream,
        payload=payload, prev_hash=prev, hash=digest,
    )


def _event(row: tuple) -> Event:
    seq, at, actor, role, kind, stream, payload, prev, digest = row
    return Event(
        seq=seq, at=parse_iso(at), actor=actor, role=role, kind=kind, stream=stream,
        payload=json.loads(payload), prev_hash=prev, hash=digest,
    )


_COLUMNS = "seq, at, actor, role, kind, stream, payload, prev_hash, hash"


def for_stream(db: sqlite_utils.Database, stream: str) -> list[Event]:
    """Every event of one record, oldest first."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM events WHERE stream = ? ORDER BY seq", [stream]).fetchall()
    return [_event(r) for r in rows]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM events").fetchone()[0]


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


def verify(db: sqlite_utils.Database) -> tuple[int, ChainBreak | None]:
    """Check the whole chain in order.

    Returns:
        How many events were checked, and the first break (None when the chain holds).
    """
    expected_seq, prev = 1, GENESIS
    checked = 0
    cursor = db.execute(f"SELECT {_COLUMNS} FROM events ORDER BY seq")
    for seq, at, actor, role, kind, stream, payload, prev_hash, digest in cursor:
        checked += 1
        if seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"missing (the next event is {seq}): deleted or renumbered")
        if prev_hash != prev:
            return checked, ChainBreak(seq, "does not follow the event before it: inserted, reordered or altered")
        if chain_hash(seq, at, actor, role, kind, stream, payload, prev_hash) != digest:
            return checked, ChainBreak(seq, f"{kind} at {at} was altered after it was written")
        expected_seq, prev = seq + 1, digest
    return checked, None
