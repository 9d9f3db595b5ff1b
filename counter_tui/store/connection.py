"""Opening the database with Counter's pragmas, and write transactions that say why they failed.

One connection per thread (`Store.db`): sqlite3 connections refuse to be shared between threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from counter_tui.private_files import private_file

DEFAULT_BUSY_TIMEOUT_MS = 2000


class StoreError(Exception):
    """The database could not do what was asked; the message is fit to show to staff."""


class StoreBusy(StoreError):
    """Another process held the database locked for longer than the busy timeout."""


class StoreUnavailable(StoreError):
    """The database cannot be written: full disk, read-only file, or damaged."""


def _translate(error: sqlite3.Error) -> StoreError:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return StoreBusy("The database is busy (locked by another user or process). Nothing was lost: try again.")
    if "full" in text:
        return StoreUnavailable("The disk holding the database is full. Nothing was lost on screen: free space and try again.")
    if "readonly" in text or "read-only" in text:
        return StoreUnavailable("The database is read-only here. Nothing was lost on screen: ask an administrator.")
    return StoreUnavailable(f"The database refused the change ({error}).")


def open_database(path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> sqlite_utils.Database:
    """Open (creating if needed) the database file with Counter's pragmas.

    WAL, synchronous=FULL (each commit is durable), a busy timeout, foreign keys and secure delete.
    A new file (and its folder) is readable by its owner only; its -wal and -shm files take its mode.
    """
    try:
        private_file(path)
    except OSError as error:
        raise StoreUnavailable(f"The database file cannot be created ({error.strerror}): {path}") from None
    try:
        conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000)
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA secure_delete=ON")
    except sqlite3.Error as error:
        raise _translate(error) from None
    return sqlite_utils.Database(conn, execute_plugins=False)


@contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction taken with BEGIN IMMEDIATE, committed on success, rolled back on any error.

    Raises:
        StoreBusy: the write lock was not had within the busy timeout.
        StoreUnavailable: the disk is full, the file read-only, or SQLite refused the change.
    """
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise _translate(error) from None
    try:
        yield db
        db.conn.execute("COMMIT")
    except sqlite3.Error as error:
        db.rollback()
        raise _translate(error) from None
    except BaseException:
        db.rollback()
        raise
    from counter_tui.store import head_file  # the chain head published outside the database (issue 17.4)

    head_file.after_commit(db)


class Store:
    """The database file, with one connection per thread, migrated on first use."""

    def __init__(self, path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.path = Path(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._migrated = False

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection (opened and migrated on first use)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_database(self.path, self.busy_timeout_ms)
            if not self._migrated:
                self.migrate(db)
                self._migrated = True
            self._local.db = db
        return db

    def migrate(self, db: sqlite_utils.Database) -> None:
        """Bring the schema up to date (once per process): Counter's record; other stores override."""
        from counter_tui.store.migrations import migrate

        migrate(db)

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
