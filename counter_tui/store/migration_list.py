"""The one ordered list of schema migrations (`sqlite_utils` Migrations), and how a migration runs
a script inside its own transaction. `store.migrations_base` and `store.migrations_later` register on
it; `store.migrations` imports them in order and applies the list."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("counter")


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run each statement of `script` inside the migration's transaction.

    (`executescript` would commit first, so a failing migration could not roll back.)
    """
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            db.execute(buffer)
            buffer = ""
