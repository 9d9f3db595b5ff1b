"""The training room's results database: group sessions and practice attempts with their scores.

A separate SQLite file from the live record (and from each attempt's practice database): nothing
here is an event of the live log. Same pragmas and write transactions as the live store.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from counter_tui.store.connection import Store, _translate, write
from counter_tui.store.migrations import _run_script

migrations = Migrations("counter-training")


@migrations()
def m001_sessions_and_attempts(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            scenario TEXT NOT NULL,
            trainer TEXT NOT NULL CHECK (length(trainer) > 0),
            started_at TEXT NOT NULL,
            closed_at TEXT
        ) STRICT;
        CREATE TABLE attempts (
            id TEXT PRIMARY KEY,
            trainee TEXT NOT NULL CHECK (length(trainee) > 0),
            scenario TEXT NOT NULL,
            session_id TEXT REFERENCES sessions(id),
            practice_db TEXT NOT NULL,
            contact_id TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            points INTEGER,
            out_of INTEGER,
            score TEXT CHECK (score IS NULL OR json_valid(score))
        ) STRICT;
        CREATE INDEX attempts_session ON attempts(session_id, started_at);
        CREATE INDEX attempts_trainee ON attempts(trainee, scenario, started_at);
        """
    )


class TrainingResults(Store):
    """The results file, migrated with the training schema (not the live record's)."""

    def migrate(self, db: sqlite_utils.Database) -> None:
        try:
            migrations.apply(db)
        except sqlite3.Error as error:
            raise _translate(error) from None


SESSION_COLUMNS = "id, scenario, trainer, started_at, closed_at"
ATTEMPT_COLUMNS = "id, trainee, scenario, session_id, practice_db, contact_id, started_at, finished_at, points, out_of, score"


def _next_id(db: sqlite_utils.Database, table: str, prefix: str) -> str:
    (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
    return f"{prefix}{count + 1:04d}"


def add_session(db: sqlite_utils.Database, *, scenario: str, trainer: str, at: str) -> str:
    with write(db):
        session_id = _next_id(db, "sessions", "S")
        db.execute("INSERT INTO sessions (id, scenario, trainer, started_at) VALUES (?, ?, ?, ?)",
                   [session_id, scenario, trainer, at])
    return session_id


def close_session(db: sqlite_utils.Database, session_id: str, at: str) -> None:
    with write(db):
        db.execute("UPDATE sessions SET closed_at = ? WHERE id = ? AND closed_at IS NULL", [at, session_id])


def sessions(db: sqlite_utils.Database, *, open_only: bool = False) -> list[dict]:
    where = "WHERE closed_at IS NULL" if open_only else ""
    rows = db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions {where} ORDER BY started_at DESC, id DESC").fetchall()
    return [dict(zip(SESSION_COLUMNS.split(", "), row, strict=True)) for row in rows]


def session(db: sqlite_utils.Database, session_id: str) -> dict | None:
    row = db.execute(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", [session_id]).fetchone()
    return dict(zip(SESSION_COLUMNS.split(", "), row, strict=True)) if row else None


def add_attempt(db: sqlite_utils.Database, *, trainee: str, scenario: str, session_id: str | None,
                practice_db: str, contact_id: str, at: str) -> str:
    """Record a new attempt; returns its id (unique among the terminals sharing the room)."""
    with write(db):
        attempt_id = _next_id(db, "attempts", "A")
        db.execute(
            "INSERT INTO attempts (id, trainee, scenario, session_id, practice_db, contact_id, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [attempt_id, trainee, scenario, session_id, practice_db, contact_id, at],
        )
    return attempt_id


def finish_attempt(db: sqlite_utils.Database, attempt_id: str, *, at: str, points: int, out_of: int, score: dict) -> None:
    with write(db):
        db.execute("UPDATE attempts SET finished_at = ?, points = ?, out_of = ?, score = ? WHERE id = ?",
                   [at, points, out_of, json.dumps(score, ensure_ascii=False), attempt_id])


def _attempt(row: tuple) -> dict:
    found = dict(zip(ATTEMPT_COLUMNS.split(", "), row, strict=True))
    found["score"] = json.loads(found["score"]) if found["score"] else None
    return found


def attempt(db: sqlite_utils.Database, attempt_id: str) -> dict | None:
    row = db.execute(f"SELECT {ATTEMPT_COLUMNS} FROM attempts WHERE id = ?", [attempt_id]).fetchone()
    return _attempt(row) if row else None


def attempts(db: sqlite_utils.Database, *, session_id: str | None = None, trainee: str | None = None,
             scenario: str | None = None) -> list[dict]:
    where, params = [], []
    for column, value in (("session_id", session_id), ("trainee", trainee), ("scenario", scenario)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = db.execute(f"SELECT {ATTEMPT_COLUMNS} FROM attempts {clause} ORDER BY started_at, id", params).fetchall()
    return [_attempt(row) for row in rows]


def new_practice_database(folder: Path) -> Path:
    """A fresh practice database in `folder`, copied from a migrated template kept there (made once
    per room: migrating each attempt's database would cost a third of a second of fsyncs). A
    template older than the code is brought up to date by the first use of each copy."""
    template = folder / "template.db"
    if not template.exists():
        making = folder / f".template-{uuid.uuid4().hex}.db"
        store = Store(making)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store.close()
        os.replace(making, template)  # atomic: terminals starting at once each make one, one wins
        for suffix in ("-wal", "-shm"):
            Path(f"{making}{suffix}").unlink(missing_ok=True)
    target = folder / f"{uuid.uuid4().hex}.db"
    shutil.copyfile(template, target)
    return target
