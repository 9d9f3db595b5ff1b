"""The store: the append-only, hash-chained event log, transactions that roll back whole, a locked
database reported as busy (and a retry that works), and the pragmas every connection sets.

GIVEN a real SQLite file with a whole call recorded through the services, WHEN the log is changed,
a write fails midway or another process holds the lock, THEN the store refuses, detects or reports it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from counter_tui.cli import main
from counter_tui.services import audit, contacts, records
from counter_tui.services.context import Context
from counter_tui.services.errors import StoreBusy, StoreUnavailable
from counter_tui.store import events, projections, queries
from counter_tui.store.connection import Store, write

RECORD = {
    "who": "Pat Customer",
    "query": "Where is my passport?",
    "told": "The call will not continue unless you improve your behaviour.",
    "said_or_did": "Swore repeatedly.",
}


def whole_call(ctx: Context, handler) -> str:
    """Take a call through warn, allow, not improved, told, ended; return its id."""
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Pat Customer", query="Passport")
    contacts.save_note(ctx, handler, contact_id, "Swore repeatedly.", version=0)
    contacts.take_step(ctx, handler, contact_id, 1, at_step="warn")
    contacts.take_step(ctx, handler, contact_id, 2, at_step="allow")
    contacts.take_step(ctx, handler, contact_id, 1, at_step="tell_end")
    finished = records.finish(ctx, handler, contact_id, RECORD)
    assert len(finished.task_ids) == 3 and finished.incident_id is not None
    return contact_id


def raw(ctx: Context) -> sqlite3.Connection:
    """A second connection on the same file, behind the services' back (autocommit)."""
    return sqlite3.connect(str(ctx.store.path), isolation_level=None)


@pytest.fixture
def called(ctx, handler) -> Context:
    """The standard context after one whole ended call."""
    whole_call(ctx, handler)
    return ctx


def cli(*args: str, tmp_path: Path):
    env = {"COUNTER_CONFIG": str(tmp_path / "no-config.toml"), "COUNTER_DB": str(tmp_path / "unused.db")}
    return CliRunner().invoke(main, list(args), env=env)


# --- triggers ----------------------------------------------------------------------------------


def test_triggers_refuse_update_and_delete(called):
    """GIVEN a recorded call WHEN any connection tries to UPDATE or DELETE an event THEN SQLite refuses with the trigger's message and nothing changes."""
    db = called.store.db
    before = [tuple(r) for r in db.execute("SELECT * FROM events ORDER BY seq").fetchall()]
    conn = raw(called)
    with pytest.raises(sqlite3.DatabaseError, match="events cannot be changed"):
        conn.execute("UPDATE events SET payload = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="events cannot be deleted"):
        conn.execute("DELETE FROM events WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("DELETE FROM events")
    db.conn.rollback()
    conn.close()
    assert [tuple(r) for r in db.execute("SELECT * FROM events ORDER BY seq").fetchall()] == before


# --- verify ------------------------------------------------------------------------------------


def test_verify_holds_on_a_real_run(called):
    """GIVEN staff added and a whole call taken through the services WHEN the chain is verified THEN every event is checked and it holds."""
    db = called.store.db
    checked, broken = events.verify(db)
    assert broken is None
    assert checked == events.count(db) >= 10
    kinds = [r[0] for r in db.execute("SELECT kind FROM events ORDER BY seq")]
    assert kinds[:2] == ["staff.added", "staff.added"]
    assert {"contact.started", "note.saved", "step.taken", "contact.finished", "incident.opened", "task.created"} <= set(kinds)
    assert audit.verify(called.store).problem is None


def test_verify_holds_on_an_empty_log(tmp_path):
    """GIVEN a new database WHEN verified THEN nothing is checked and nothing is broken."""
    store = Store(tmp_path / "empty.db")
    assert events.verify(store.db) == (0, None)


def test_verify_names_an_altered_event(called):
    """GIVEN an event whose payload was altered after dropping the update trigger WHEN verified THEN the break names that event's seq."""
    conn = raw(called)
    conn.execute("DROP TRIGGER events_no_update")
    seq = conn.execute("SELECT seq FROM events WHERE kind = 'note.saved'").fetchone()[0]
    conn.execute("UPDATE events SET payload = json_set(payload, '$.text', 'Was polite throughout.') WHERE seq = ?", [seq])
    conn.close()
    checked, broken = events.verify(called.store.db)
    assert broken is not None and broken.seq == seq
    assert "altered" in broken.reason and "note.saved" in broken.reason
    assert checked == seq
    assert audit.verify(called.store).problem.startswith(f"event {seq}:")


def test_verify_names_a_deleted_event(called):
    """GIVEN a middle event deleted after dropping the delete trigger WHEN verified THEN the break names the missing seq."""
    conn = raw(called)
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    middle = total // 2
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute("DELETE FROM events WHERE seq = ?", [middle])
    conn.close()
    _, broken = events.verify(called.store.db)
    assert broken is not None and broken.seq == middle
    assert "missing" in broken.reason


def test_deleting_the_newest_event_goes_unnoticed_by_the_chain(called):
    """GIVEN the newest event deleted WHEN verified THEN the chain still holds: a truncated tail is a known limit of a chain with no external anchor (pinned here so a fix shows up)."""
    conn = raw(called)
    total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute("DELETE FROM events WHERE seq = ?", [total])
    conn.close()
    checked, broken = events.verify(called.store.db)
    assert (checked, broken) == (total - 1, None)


def test_verify_names_a_swapped_pair(called):
    """GIVEN two neighbouring events swapped (their seq numbers exchanged) WHEN verified THEN the break names the first of the pair."""
    conn = raw(called)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("BEGIN")
    conn.execute("UPDATE events SET seq = -1 WHERE seq = 4")
    conn.execute("UPDATE events SET seq = 4 WHERE seq = 5")
    conn.execute("UPDATE events SET seq = 5 WHERE seq = -1")
    conn.execute("COMMIT")
    conn.close()
    _, broken = events.verify(called.store.db)
    assert broken is not None and broken.seq == 4
    assert "does not follow" in broken.reason


def test_verify_catches_a_rehashed_forgery(called):
    """GIVEN an altered event whose payload digest and own hash were recomputed WHEN verified THEN the next event no longer follows it."""
    conn = raw(called)
    conn.execute("DROP TRIGGER events_no_update")
    seq, at, actor, role, kind, stream, payload, prev = conn.execute(
        "SELECT seq, at, actor, role, kind, stream, payload, prev_hash FROM events WHERE seq = 3"
    ).fetchone()
    forged = payload.replace("Pat Customer", "Someone Else")
    assert forged != payload
    digest = events.payload_digest(forged)
    conn.execute(
        "UPDATE events SET payload = ?, payload_sha256 = ?, hash = ? WHERE seq = 3",
        [forged, digest, events.chain_hash(seq, at, actor, role, kind, stream, digest, prev)],
    )
    conn.close()
    _, broken = events.verify(called.store.db)
    assert broken is not None and broken.seq == 4


def test_cli_audit_verify(called, tmp_path):
    """GIVEN the database file WHEN `counter audit verify --db FILE` runs THEN it says ok on an intact log, and fails in one line naming the event once altered."""
    path = str(called.store.path)
    count = events.count(called.store.db)
    result = cli("audit", "verify", "--db", path, tmp_path=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:") and f"{count} events" in result.output

    conn = raw(called)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("UPDATE events SET actor = 'intruder' WHERE seq = 6")
    conn.close()
    result = cli("audit", "verify", "--db", path, tmp_path=tmp_path)
    assert result.exit_code != 0
    assert "event 6" in result.output and "tampered" in result.output
    assert result.output.strip().count("\n") == 0
    assert "Traceback" not in result.output


# --- transactions ------------------------------------------------------------------------------


def _snapshot(db) -> tuple:
    return (
        events.count(db),
        db.execute("SELECT count(*) FROM contacts").fetchone()[0],
        db.execute("SELECT count(*) FROM steps").fetchone()[0],
        [tuple(r) for r in db.execute("SELECT * FROM counters ORDER BY name")],
    )


def test_failure_inside_write_rolls_back_event_and_projection(ctx, clock, handler):
    """GIVEN a write that records a contact then raises WHEN it fails THEN neither the event, the contact nor the id counter remain."""
    db = ctx.store.db
    before = _snapshot(db)
    with pytest.raises(RuntimeError, match="midway"):
        with write(db):
            contact_id = projections.next_id(db, "contact", "C")
            projections.record(
                db, at=clock.now(), actor=handler.number, role=handler.role, kind="contact.started",
                stream=f"contact:{contact_id}",
                payload={"contact_id": contact_id, "pack": "hmpo", "flow": "telephone", "channel": "telephone",
                         "office": handler.office, "staff_number": handler.number, "staff_name": handler.name,
                         "customer_name": "", "reference": "", "query": "", "step": "warn"},
            )
            assert queries.contact(db, contact_id) is not None  # visible inside the transaction
            raise RuntimeError("midway")
    assert _snapshot(db) == before
    assert queries.contact(db, contact_id) is None
    assert not db.conn.in_transaction
    assert events.verify(db)[1] is None


def test_sqlite_error_inside_write_rolls_back_and_is_translated(ctx, clock, handler):
    """GIVEN a write whose second change breaks a foreign key WHEN it fails THEN the first change is rolled back and the error is a StoreUnavailable."""
    contact_id = contacts.start_contact(ctx, handler, "telephone")
    db = ctx.store.db
    before = _snapshot(db)
    with pytest.raises(StoreUnavailable, match="refused"):
        with write(db):
            projections.record(
                db, at=clock.now(), actor=handler.number, role=handler.role, kind="step.taken",
                stream=f"contact:{contact_id}",
                payload={"contact_id": contact_id, "position": 1, "step": "warn", "number": 1, "label": "x",
                         "said": [], "next": "allow"},
            )
            projections.record(
                db, at=clock.now(), actor=handler.number, role=handler.role, kind="step.taken",
                stream="contact:C-999999",
                payload={"contact_id": "C-999999", "position": 1, "step": "warn", "number": 1, "label": "x",
                         "said": [], "next": "allow"},
            )
    assert _snapshot(db) == before
    assert queries.steps(db, contact_id) == []
    assert queries.contact(db, contact_id).step == "warn"


def test_refused_step_stores_nothing(ctx, handler):
    """GIVEN an open contact WHEN a step is taken at the wrong step THEN it is refused and nothing is stored."""
    from counter_tui.services.errors import Refused

    contact_id = contacts.start_contact(ctx, handler, "telephone")
    before = _snapshot(ctx.store.db)
    with pytest.raises(Refused):
        contacts.take_step(ctx, handler, contact_id, 1, at_step="allow")
    assert _snapshot(ctx.store.db) == before


# --- a locked database -------------------------------------------------------------------------


def test_locked_database_is_busy_then_retry_succeeds(ctx, clock, handler):
    """GIVEN another connection holding BEGIN IMMEDIATE WHEN a service writes with a 50 ms busy timeout THEN StoreBusy is raised, nothing is stored, and after the lock is released the same call succeeds."""
    busy = Context(store=Store(ctx.store.path, 50), pack=ctx.pack, settings=ctx.settings, clock=clock)
    contact_id = contacts.start_contact(busy, handler, "telephone")
    before = _snapshot(busy.store.db)
    holder = raw(ctx)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match="busy"):
            contacts.take_step(busy, handler, contact_id, 1, at_step="warn")
        with pytest.raises(StoreBusy):
            contacts.start_contact(busy, handler, "telephone")
        assert not busy.store.db.conn.in_transaction
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert _snapshot(busy.store.db) == before
    after = contacts.take_step(busy, handler, contact_id, 1, at_step="warn")
    assert after.step.id == "allow"
    assert [s.step for s in after.taken] == ["warn"]
    assert events.verify(busy.store.db)[1] is None


def test_busy_timeout_comes_from_settings(tmp_path, clock, handler):
    """GIVEN settings with busy_timeout_ms=50 WHEN the context opens THEN the connection uses 50 ms and a held lock makes services busy."""
    from counter_tui.config import Settings

    ctx = Context.open(tmp_path / "s.db", Settings(busy_timeout_ms=50), clock=clock)
    assert ctx.store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 50
    holder = raw(ctx)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy):
            contacts.start_contact(ctx, handler, "telephone")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert contacts.start_contact(ctx, handler, "telephone") == "C-000001"


# --- pragmas -----------------------------------------------------------------------------------


def test_pragmas(ctx):
    """GIVEN a store connection WHEN its pragmas are read THEN WAL, synchronous FULL, foreign keys, secure delete and the busy timeout are set."""
    db = ctx.store.db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 2000


def test_tables_are_strict(ctx):
    """GIVEN the migrated schema WHEN a wrongly typed value is written THEN the STRICT table refuses it."""
    conn = raw(ctx)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO counters (name, value) VALUES ('x', 'not a number')")
    conn.close()
