"""The event log: append an event to the hash chain, read events back, verify the chain.

Each event's hash covers its own fields, the SHA-256 of its payload (`payload_sha256`) and the
previous event's hash, so altering, deleting, inserting or reordering any event breaks the chain
from that point on. The payload stays in its column beside its digest, and `verify` checks the two
agree, so an altered payload is caught at its own event.

Retention: the hash covers the payload's digest, not the payload, so the payload can go while the
chain still verifies. The one change the UPDATE trigger allows (migration m012) is replacing a
payload with the purge marker `{"purged":true}`, every other column unchanged; `verify` accepts a
purged payload only when a later `retention.purged` event lists it (its seq and the digest of
the payload it had), so a payload blanked any other way is reported. Whether each retention run was
due under the schedule is `services.audit_retention`'s check. Triggers refuse every other UPDATE and every DELETE; `verify` catches
what was done behind the triggers' back.

Deleting the newest events leaves a shorter chain that still holds: an anchor (an event's seq and
hash, printed on paper or kept elsewhere) proves the chain still contains that event (`verify`'s
`anchors`). The audit checkpoint (the last event the start-up check verified) is such an anchor too.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring as _quote
from typing import Any

import sqlite_utils

from counter_tui.clock import iso, parse_iso
from counter_tui.models.event import Event

GENESIS = "0" * 64
PURGE_KIND = "retention.purged"
"""The event a retention run appends, naming the streams whose payloads it replaced."""
REBASE_KIND = "chain.rebased"
"""The event migration m012 appends when it re-hashes an existing log in the digest format."""


ON_APPEND: list[Callable[[sqlite_utils.Database], None]] = []
"""Called with the connection after each append (`head_file` notes that a commit has news for it)."""


def canonical(payload: dict[str, Any]) -> str:
    """The one JSON text a payload is stored and hashed as."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


PURGED_TEXT = canonical({"purged": True})
"""What a purged payload becomes; its `payload_sha256` keeps the digest of what was there."""


def payload_digest(text: str) -> str:
    """The SHA-256 (hex) of a payload's stored text: what the chain covers instead of the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(seq: int, at: str, actor: str, role: str, kind: str, stream: str, payload_sha256: str, prev: str) -> str:
    """The hash of one event (over its payload's digest), chained to the previous event's hash.

    The hashed text is `json.dumps([seq, at, …, prev], ensure_ascii=False)`, built here from the C
    string quoter `json.dumps` itself uses (three times faster than calling it per event; the text is
    the same, which tests/test_audit.py checks); a tampered row of other types takes `json.dumps`.
    """
    fields = (at, actor, role, kind, stream, payload_sha256, prev)
    if type(seq) is int and all(type(field) is str for field in fields):
        body = "[" + ", ".join([str(seq), *map(_quote, fields)]) + "]"
    else:
        body = json.dumps([seq, *fields], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def legacy_chain_hash(seq: int, at: str, actor: str, role: str, kind: str, stream: str, payload: str, prev: str) -> str:
    """The format before migration m012: the same fields, with the payload's text where the digest
    now is. Only the migration, checking the old chain before it re-hashes it, uses it."""
    return chain_hash(seq, at, actor, role, kind, stream, payload, prev)


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
    digest = payload_digest(text)
    own = chain_hash(seq, at_text, actor, role, kind, stream, digest, prev)
    db.execute(
        "INSERT INTO events (seq, at, actor, role, kind, stream, payload, payload_sha256, prev_hash, hash)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        [seq, at_text, actor, role, kind, stream, text, digest, prev, own],
    )
    for hook in ON_APPEND:
        hook(db)
    return Event(
        seq=seq, at=parse_iso(at_text), actor=actor, role=role, kind=kind, stream=stream,
        payload=payload, prev_hash=prev, hash=own,
    )


def _event(row: tuple) -> Event:
    seq, at, actor, role, kind, stream, payload, prev, digest = row
    return Event(
        seq=seq, at=parse_iso(at), actor=actor, role=role, kind=kind, stream=stream,
        payload=json.loads(payload), prev_hash=prev, hash=digest,
    )


_COLUMNS = "seq, at, actor, role, kind, stream, payload, prev_hash, hash"


def for_stream(db: sqlite_utils.Database, stream: str) -> list[Event]:
    """Every event of one record, oldest first (a purged event's payload is `{"purged": true}`)."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM events WHERE stream = ? ORDER BY seq", [stream]).fetchall()
    return [_event(r) for r in rows]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM events").fetchone()[0]


@dataclass(frozen=True)
class Anchor:
    """An event's place in the chain and its hash: proof, kept apart from the database, that the
    chain contained that event (printed on the incident report form, `counter audit head`)."""

    seq: int
    hash: str

    def __str__(self) -> str:
        """The form `counter audit verify --anchor` takes: `SEQ:HASH`."""
        return f"{self.seq}:{self.hash}"

    @property
    def short(self) -> str:
        """The first 12 hex digits, for reading aloud or comparing by eye."""
        return self.hash[:12]


def parse_anchor(text: str) -> Anchor:
    """Read `SEQ:HASH` (the full 64 hex digits: a shorter prefix would be easier to forge).

    Raises:
        ValueError: not in that form, saying what is expected.
    """
    seq, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not seq.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"{text.strip()[:80]!r} is not an anchor: write it as SEQ:HASH (the event's number, a colon, its 64 hex digits)")
    return Anchor(int(seq), digest)


def head(db: sqlite_utils.Database) -> Anchor | None:
    """The newest event as an anchor (None on an empty log)."""
    row = db.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    return Anchor(row[0], row[1]) if row else None


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


@dataclass(frozen=True)
class Walk:
    """What one pass over part of the chain found."""

    checked: int
    broken: ChainBreak | None
    last: Anchor | None
    """The last event that held (None when none did)."""


_CHAIN = "seq, at, actor, role, kind, stream, payload, payload_sha256, prev_hash, hash"


def walk(db: sqlite_utils.Database, after: Anchor | None = None, limit: int | None = None, *,
         purges: dict[int, tuple[str, str]] | None = None, deadline: float | None = None) -> Walk:
    """Check the events after `after` (from the first when None), in order, `limit` at most.

    Each must follow on by number, name the previous hash, have a payload matching its digest (or
    purged) and hash to its own hash. The caller checks that `after` itself is still in the log.

    Args:
        purges: when given, purged payloads and `retention.purged` events are tallied in it: seq →
            (kind, at) of each purged event not yet listed by a later retention run (with its digest).
        deadline: a `time.monotonic()` reading: stop (without a break) at the first multiple of 256
            events checked after it.
    """
    expected, prev = (after.seq + 1, after.hash) if after else (1, GENESIS)
    first = expected
    checked = 0

    def stop(broken: ChainBreak | None) -> Walk:
        return Walk(checked, broken, Anchor(expected - 1, prev) if expected > first else after)

    cursor = db.execute(f"SELECT {_CHAIN} FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                        [after.seq if after else -(2**63), -1 if limit is None else limit])
    for seq, at, actor, role, kind, stream, payload, payload_sha, prev_hash, own in cursor:
        checked += 1
        if seq != expected or prev_hash != prev:
            return stop(_out_of_line(seq, expected, f"{kind} at {at}"))
        purged = payload == PURGED_TEXT
        if not purged and (type(payload) is not str or payload_digest(payload) != payload_sha):
            return stop(ChainBreak(seq, f"{kind} at {at} was altered after it was written (its details no longer "
                                        "match their digest)"))
        if chain_hash(seq, at, actor, role, kind, stream, payload_sha, prev_hash) != own:
            return stop(ChainBreak(seq, f"{kind} at {at} was altered after it was written"))
        if purges is not None:
            if purged:
                purges[seq] = (kind, at)
            elif kind == PURGE_KIND:
                for listed, digest in purged_list(payload):
                    if listed in purges and _digest_of(db, listed) == digest:
                        purges.pop(listed)
        expected, prev = seq + 1, own
        if deadline is not None and not checked % 256 and time.monotonic() > deadline:
            break
    return stop(None)


def _out_of_line(seq: int, expected: int, name: str) -> ChainBreak:
    """The break where an event does not follow on from the one before it."""
    if seq < expected:
        return ChainBreak(seq, f"{name} is out of place (numbered {seq} where event {expected} was due): "
                               "inserted or renumbered")
    if seq != expected:
        return ChainBreak(expected, f"missing: after event {expected - 1} the log goes on at event {seq} ({name}): "
                                    "deleted or renumbered")
    return ChainBreak(seq, f"{name} does not follow the event before it: inserted, reordered or altered")


def purged_list(payload: str) -> list[tuple[int, str]]:
    """What a `retention.purged` event lists as blanked: (seq, digest of the payload) pairs."""
    try:
        listed = json.loads(payload).get("purged", [])
    except (ValueError, AttributeError):
        return []
    if not isinstance(listed, list):
        return []
    return [(item[0], item[1]) for item in listed
            if isinstance(item, list) and len(item) == 2 and type(item[0]) is int and isinstance(item[1], str)]


def _digest_of(db: sqlite_utils.Database, seq: int) -> str | None:
    row = db.execute("SELECT payload_sha256 FROM events WHERE seq = ?", [seq]).fetchone()
    return row[0] if row else None


def check_anchor(db: sqlite_utils.Database, anchor: Anchor, source: str = "the anchor") -> ChainBreak | None:
    """Is event `anchor.seq` still in the log with `anchor.hash`? (The chain itself is `walk`'s.)"""
    row = db.execute("SELECT hash, kind, at FROM events WHERE seq = ?", [anchor.seq]).fetchone()
    if row is None:
        newest = head(db)
        ends = f"the log ends at event {newest.seq}" if newest else "the log is empty"
        return ChainBreak(anchor.seq, f"{source} names this event but {ends}: events were deleted from the end")
    if row[0] != anchor.hash:
        return ChainBreak(anchor.seq, f"{row[1]} at {row[2]} has a different hash from {source}: "
                                      "the record was rewritten after the anchor was taken")
    return None


def verify(db: sqlite_utils.Database, anchors: Iterable[Anchor] = ()) -> tuple[int, ChainBreak | None]:
    """Check the whole chain in order, every purge against the retention runs, then each anchor.

    Returns:
        How many events were checked, and the first break (None when the chain holds).
    """
    purges: dict[int, tuple[str, str]] = {}
    result = walk(db, purges=purges)
    if result.broken:
        return result.checked, result.broken
    if purges:
        seq = min(purges)
        kind, at = purges[seq]
        return result.checked, ChainBreak(seq, f"the details of {kind} at {at} were removed, but no retention run "
                                               "lists this event with the digest of what it held")
    for anchor in anchors:
        broken = check_anchor(db, anchor)
        if broken:
            return result.checked, broken
    return result.checked, None


# --- the audit checkpoint (see services.audit.startup_check) -------------------------------------


def read_checkpoint(db: sqlite_utils.Database) -> tuple[Anchor, int] | None:
    """The last event the start-up check verified, and where its sweep got to; None if the row is gone."""
    row = db.execute("SELECT head_seq, head_hash, sweep_seq FROM audit_checkpoint WHERE id = 1").fetchone()
    if row is None:
        return None
    return Anchor(row[0], row[1]), row[2]


def save_checkpoint(db: sqlite_utils.Database, verified: Anchor, sweep_seq: int, at: datetime) -> None:
    """Remember `verified` (never moving back) and the sweep's place; call inside `connection.write`."""
    db.execute(
        """INSERT INTO audit_checkpoint (id, head_seq, head_hash, sweep_seq, checked_at) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT(id) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash,
        sweep_seq = excluded.sweep_seq, checked_at = excluded.checked_at WHERE excluded.head_seq >= head_seq""",
        [verified.seq, verified.hash, sweep_seq, iso(at)],
    )
