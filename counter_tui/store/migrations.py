"""Schema migrations: the event log, its guard triggers, and the projection tables, applied in
order from one list (`store.migration_list`): the base schema (`store.migrations_base`, 1 to 10),
then what later issues added (`store.migrations_later`, 11 onwards)."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from counter_tui.store import migrations_base, migrations_later  # noqa: F401  (each registers its migrations, in order)
from counter_tui.store.connection import _translate
from counter_tui.store.migration_list import migrations as migrations
from counter_tui.store.migration_list import run_script as _run_script  # noqa: F401  (store.training runs its scripts so)


def migrate(db: sqlite_utils.Database) -> None:
    """Apply every pending migration."""
    try:
        migrations.apply(db)
    except sqlite3.Error as error:
        raise _translate(error) from None
