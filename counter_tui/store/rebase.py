"""Migration m012's work on the event log: the payload digest, the guarded purge, the re-based chain,
the audit checkpoint and the columns that say a record's personal data was removed.

The events table is rebuilt with a `payload_sha256` column. Every existing event is first checked
in the old format (the hash over the payload text), then re-hashed in order in the new one (the hash
over the payload's digest): every hash changes once, here. So that a re-base can never launder
earlier tampering, a `chain.rebased` event is appended recording how many events were re-hashed,
the old head (seq and hash) and whether the old chain held or where it first broke; `verify`
reports a re-base of a broken chain as a break, for good.

The UPDATE trigger then allows one change only: a payload replaced by the purge marker with every
other column, the digest and the hash unchanged. A design with payloads in a separate, deletable
table would keep `events` fully immutable, but every reader of `events.payload` (queries, tests,
exports) would have to join it; this keeps the payload in its column and the guard in one trigger.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from counter_tui.store import events

_BATCH = 5000

EVENTS_TABLE = """
CREATE TABLE {name} (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (length(kind) > 0),
    stream TEXT NOT NULL,
    payload TEXT NOT NULL CHECK (json_valid(payload)),
    payload_sha256 TEXT NOT NULL CHECK (length(payload_sha256) = 64),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT
"""

GUARDS = [
    "CREATE INDEX events_stream ON events(stream, seq)",
    f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    WHEN NOT (new.payload = '{events.PURGED_TEXT}' AND new.seq IS old.seq AND new.at IS old.at
              AND new.actor IS old.actor AND new.role IS old.role AND new.kind IS old.kind
              AND new.stream IS old.stream AND new.payload_sha256 IS old.payload_sha256
              AND new.prev_hash IS old.prev_hash AND new.hash IS old.hash)
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be changed'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: events cannot be deleted'); END""",
]

EXTRAS = [
    """CREATE TABLE audit_checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        head_seq INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        sweep_seq INTEGER NOT NULL DEFAULT 0,
        checked_at TEXT
    ) STRICT""",
    "ALTER TABLE contacts ADD COLUMN purged_at TEXT",
    "ALTER TABLE incidents ADD COLUMN purged_at TEXT",
    "ALTER TABLE customers ADD COLUMN purged_at TEXT",
]


def rebase(db: sqlite_utils.Database, now: datetime | None = None) -> None:
    """Rebuild `events` in the digest format (inside the migration's transaction)."""
    db.execute(EVENTS_TABLE.format(name="events_digest"))
    old_head, broken, count = _copy(db)
    db.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.execute("DROP TRIGGER IF EXISTS events_no_delete")
    db.execute("DROP TABLE events")
    db.execute("ALTER TABLE events_digest RENAME TO events")
    for statement in GUARDS + EXTRAS:
        db.execute(statement)
    if count:
        previous = "held" if broken is None else f"broken at {broken}"
        events.append(
            db, at=now or datetime.now(UTC), actor="system", role="system", kind=events.REBASE_KIND,
            stream="audit:chain",
            payload={"events": count, "previous_head": {"seq": old_head.seq, "hash": old_head.hash},
                     "previous_chain": previous, "format": "each hash covers the SHA-256 of the payload"},
        )
    newest = events.head(db)
    db.execute("INSERT INTO audit_checkpoint (id, head_seq, head_hash, sweep_seq) VALUES (1, ?, ?, 0)",
               [newest.seq, newest.hash] if newest else [0, events.GENESIS])


def _copy(db: sqlite_utils.Database) -> tuple[events.Anchor | None, events.ChainBreak | None, int]:
    """Copy every event into the new table, checking the old chain and re-hashing in the new format.

    Returns:
        The old head, the old chain's first break (None when it held), how many events were copied.
    """
    conn = db.conn
    reader = conn.execute("SELECT seq, at, actor, role, kind, stream, payload, prev_hash, hash FROM events ORDER BY seq")
    expected, old_prev, new_prev = 1, events.GENESIS, events.GENESIS
    broken: events.ChainBreak | None = None
    old_head: events.Anchor | None = None
    count = 0
    while rows := reader.fetchmany(_BATCH):
        batch = []
        for seq, at, actor, role, kind, stream, payload, prev_hash, own in rows:
            if broken is None:
                if seq != expected or prev_hash != old_prev:
                    broken = events.ChainBreak(seq, f"{kind} at {at} did not follow on (deleted, inserted or reordered)")
                elif events.legacy_chain_hash(seq, at, actor, role, kind, stream, payload, prev_hash) != own:
                    broken = events.ChainBreak(seq, f"{kind} at {at} had been altered")
            digest = events.payload_digest(payload)
            new_own = events.chain_hash(seq, at, actor, role, kind, stream, digest, new_prev)
            batch.append((seq, at, actor, role, kind, stream, payload, digest, new_prev, new_own))
            expected, old_prev, new_prev = seq + 1, own, new_own
            old_head = events.Anchor(seq, own)
            count += 1
        conn.executemany("INSERT INTO events_digest VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
    return old_head, broken, count
