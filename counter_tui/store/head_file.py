"""The chain head published to a file outside the database (`[audit] head_file`).

Anyone who can write the database can delete its newest events and the audit checkpoint with them;
a copy of the head kept elsewhere (another directory, another machine's mount, a printout) says how
far the record reached. The file holds one line, `SEQ:HASH` (the form `counter audit verify
--anchor` takes). `counter audit head --out FILE` writes it; once a database is registered with
`publish_to`, every committed write that appended events rewrites it (`after_commit`, called by
`connection.write`), and the start-up check compares the database with it (`compare`).

A file that no longer matches the database is never overwritten, so the evidence stays.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import sqlite_utils

from counter_tui.store import events
from counter_tui.store.events import Anchor

_PUBLISHED: dict[str, Path] = {}
"""Database file (resolved) → its head file."""
_PENDING = "_counter_head_pending"
_TARGET = "_counter_head_file"


def publish_to(database: Path, head_file: Path | None) -> None:
    """Rewrite `head_file` after each write that appends to `database` (None: stop)."""
    key = str(Path(database).resolve())
    if appended not in events.ON_APPEND:
        events.ON_APPEND.append(appended)
    if head_file is None:
        _PUBLISHED.pop(key, None)
    else:
        _PUBLISHED[key] = Path(head_file).expanduser()


def appended(db: sqlite_utils.Database) -> None:
    """Note that this connection appended an event (`events.ON_APPEND`)."""
    if _PUBLISHED:
        setattr(db, _PENDING, True)


def after_commit(db: sqlite_utils.Database) -> None:
    """After a commit: if events were appended, write the head as committed (never a rolled-back one)."""
    if not getattr(db, _PENDING, False):
        return
    setattr(db, _PENDING, False)
    target = _target(db)
    if target is None:
        return
    newest = events.head(db)
    if newest is None:
        return
    try:
        published = read(target)
    except ValueError:
        return  # unreadable: left for the start-up check to report
    if published is not None and (published.seq > newest.seq or events.check_anchor(db, published)):
        return  # behind or forked: keep the evidence
    try:
        write(target, newest)
    except OSError:
        pass  # the start-up check says the file is behind; the record itself is safe


def _target(db: sqlite_utils.Database) -> Path | None:
    if not hasattr(db, _TARGET):
        row = db.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()
        key = str(Path(row[0]).resolve()) if row and row[0] else ""
        setattr(db, _TARGET, _PUBLISHED.get(key))
    return getattr(db, _TARGET)


def read(path: Path) -> Anchor | None:
    """The anchor in a head file, or None when there is no file.

    Raises:
        ValueError: the file cannot be read or does not hold an anchor, saying which.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"the head file {path} cannot be read ({error})") from None
    line = next((part for part in text.splitlines() if part.strip() and not part.startswith("#")), "")
    try:
        return events.parse_anchor(line)
    except ValueError as error:
        raise ValueError(f"the head file {path}: {error}") from None


def write(path: Path, anchor: Anchor) -> None:
    """Replace the file with `anchor` at once (a reader never sees half a file).

    Raises:
        OSError: the folder is missing or not writable.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(f"# Counter's record head: counter audit verify --anchor takes the line below\n{anchor}\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def compare(db: sqlite_utils.Database, path: Path) -> str | None:
    """Is the database at or past the published head, on the same chain? None when it is (or there is
    no file yet); otherwise what is wrong, in plain words."""
    try:
        published = read(path)
    except ValueError as error:
        return str(error)
    if published is None:
        return None
    newest = events.head(db)
    if newest is None or newest.seq < published.seq:
        ends = f"ends at event {newest.seq}" if newest else "is empty"
        return (f"the database is behind its published head: {path} names event {published.seq}, but the log "
                f"{ends} (events were deleted, or an older copy of the database was put back)")
    broken = events.check_anchor(db, published, f"the head file {path}")
    if broken:
        return f"the database has forked from its published head: {broken}"
    return None
