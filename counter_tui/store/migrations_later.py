"""Schema migrations 11 onwards: what later issues added to the record (sign-in guard, payload
digests and retention, positive actions, take-overs, PIN cost, tasks without a due time, each member
of staff's line manager, letters' final states, a task's done record). Registered, in order, on the
one list `store.migrations` applies; the first ten (the base schema) are in `store.migrations_base`."""

from __future__ import annotations

import sqlite_utils

from counter_tui.store.migration_list import migrations
from counter_tui.store.migration_list import run_script as _run_script


@migrations()
def m011_sign_in_guard(db: sqlite_utils.Database) -> None:
    """Sign-in hardened: a member added or reset by an administrator must choose their own PIN at
    their next sign-in (existing members need not); and wrong PINs counted per staff number typed
    (whether or not it exists), with the time that number may next try."""
    _run_script(
        db,
        """
        ALTER TABLE staff ADD COLUMN must_change_pin INTEGER NOT NULL DEFAULT 0 CHECK (must_change_pin IN (0, 1));

        CREATE TABLE sign_in_failures (
            number TEXT PRIMARY KEY,
            failures INTEGER NOT NULL CHECK (failures >= 1),
            locked_until TEXT,
            last_failed_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sign_in_failures_age ON sign_in_failures(last_failed_at);
        CREATE INDEX sign_in_failures_eviction ON sign_in_failures(failures, last_failed_at);
        """,
    )


@migrations()
def m012_payload_digests_and_retention(db: sqlite_utils.Database) -> None:
    """Each event's hash covers the SHA-256 of its payload, so a retention run may replace the
    payload with the purge marker (the one UPDATE the trigger allows) and the chain still verifies.
    Existing events are checked in the old format, re-hashed once in order and a `chain.rebased`
    event records it; the audit checkpoint for the start-up check; `purged_at` on contacts,
    incidents and customers. See `store.rebase`."""
    from counter_tui.store.rebase import rebase

    rebase(db)


@migrations()
def m013_positive_actions(db: sqlite_utils.Database) -> None:
    """The positive-action log (council 15.3): good conduct from customers known to behave
    unacceptably, shown beside their incidents for a balanced picture."""
    _run_script(
        db,
        """
        CREATE TABLE positive_actions (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id),
            note TEXT NOT NULL,
            staff_number TEXT NOT NULL,
            office TEXT NOT NULL,
            at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX positive_actions_customer ON positive_actions(customer_id, at);
        """,
    )


@migrations()
def m014_contact_taken_over(db: sqlite_utils.Database) -> None:
    """Who handles a contact now, where a manager took it over from the member of staff who started
    it (ICO 14.2): NULL while it is still theirs."""
    _run_script(
        db,
        """
        ALTER TABLE contacts ADD COLUMN taken_over_by TEXT;
        ALTER TABLE contacts ADD COLUMN taken_over_name TEXT;
        ALTER TABLE contacts ADD COLUMN taken_over_at TEXT;
        """,
    )


@migrations()
def m015_pin_cost(db: sqlite_utils.Database) -> None:
    """The scrypt cost each PIN hash was made at, so a weaker one is remade at sign-in (before this,
    every hash was made at N=2^14, r=8, p=1)."""
    db.execute("ALTER TABLE staff ADD COLUMN pin_cost TEXT NOT NULL DEFAULT 'scrypt:16384:8:1'")


@migrations()
def m016_task_without_due_time(db: sqlite_utils.Database) -> None:
    """A task may have no due time: its pack leaves the clock to `[deadlines]` and the organisation
    has not set it (Counter used to invent one). SQLite cannot drop NOT NULL, so the table is
    rebuilt with the same columns, rows and indexes; references to it are checked at commit."""
    table = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tasks'").fetchone()[0]
    indexes = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL")]
    rebuilt = table.replace("CREATE TABLE tasks", "CREATE TABLE tasks_rebuilt", 1).replace(
        "due_at TEXT NOT NULL", "due_at TEXT", 1)
    db.execute("PRAGMA defer_foreign_keys = ON")
    db.execute(rebuilt)
    db.execute("INSERT INTO tasks_rebuilt SELECT * FROM tasks")
    db.execute("DROP TABLE tasks")
    db.execute("ALTER TABLE tasks_rebuilt RENAME TO tasks")
    for index in indexes:
        db.execute(index)


@migrations()
def m017_staff_line_manager(db: sqlite_utils.Database) -> None:
    """Each member of staff's own line manager, by staff number (NULL: none recorded; their welfare
    tasks then go to the line managers of their office). HMPO: "What a line manager must do if a
    member of staff is threatened"."""
    db.execute("ALTER TABLE staff ADD COLUMN line_manager TEXT")
    db.execute("CREATE INDEX staff_line_manager ON staff(line_manager)")


@migrations()
def m018_letter_final_states(db: sqlite_utils.Database) -> None:
    """A letter may end without being signed off: the SEO did not agree ('not_agreed', with their
    reason), or the drafter decided not to write it ('declined', HMPO's optional CSC bar), and it may
    wait for that decision first ('deciding'). The table is rebuilt with the wider CHECK and the
    columns for those decisions; references to it are checked at commit."""
    table = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'letters'").fetchone()[0]
    indexes = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'letters' AND sql IS NOT NULL")]
    old = "CHECK (status IN ('drafting', 'submitted', 'returned', 'approved'))"
    wide = ("CHECK (status IN ('deciding', 'drafting', 'submitted', 'returned', 'approved', 'not_agreed', "
            "'declined'))")
    rebuilt = table.replace("CREATE TABLE letters", "CREATE TABLE letters_rebuilt", 1).replace(old, wide, 1)
    columns = [row[1] for row in db.execute("PRAGMA table_info(letters)")]
    db.execute("PRAGMA defer_foreign_keys = ON")
    db.execute(rebuilt)
    db.execute(f"INSERT INTO letters_rebuilt ({', '.join(columns)}) SELECT {', '.join(columns)} FROM letters")
    db.execute("DROP TABLE letters")
    db.execute("ALTER TABLE letters_rebuilt RENAME TO letters")
    for index in indexes:
        db.execute(index)
    for column in ("closed_reason TEXT NOT NULL DEFAULT ''", "closed_by TEXT", "closed_at TEXT",
                   "decision_reason TEXT NOT NULL DEFAULT ''"):
        db.execute(f"ALTER TABLE letters ADD COLUMN {column}")


@migrations()
def m019_task_done_record(db: sqlite_utils.Database) -> None:
    """What a task's `done_form` recorded when it was marked done (the examiner's outcome of an
    admin refusal), as JSON: '{}' for a task done with a free note or none."""
    _run_script(
        db,
        """
        ALTER TABLE tasks ADD COLUMN done_record TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(done_record));
        CREATE INDEX IF NOT EXISTS tasks_contact ON tasks(contact_id);
        CREATE INDEX IF NOT EXISTS incidents_contact ON incidents(contact_id);
        """,
    )


@migrations()
def m020_tasks_by_incident(db: sqlite_utils.Database) -> None:
    """An incident's tasks of one kind, read when its decision on control measures opens (is the
    investigation before it still open? council 13.2)."""
    _run_script(db, "CREATE INDEX IF NOT EXISTS tasks_incident ON tasks(incident_id, spec) WHERE incident_id IS NOT NULL;")
