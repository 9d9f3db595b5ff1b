"""Counter's log of failures: a rotating file in the user log directory, with no personal data in it.

An error in background work (a worker opening the database, an autosave, a print) must not vanish,
so it is written here; and since the log sits outside the audited record and is kept for as long as
the files rotate, it must never hold anything about a customer or a member of staff.

The rule for what is written (and for every caller):

- the exception's type (e.g. `sqlite3.OperationalError`), and for an `OSError` its errno name and for
  an `sqlite3.Error` its SQLite error name: codes, never words;
- a traceback of code frames only: module path (relative to where Python found it, so no home
  directory), line number, function name and the source line as written in the code;
- the same for each exception it was raised from or during (`__cause__`, `__context__`);
- `where`: a fixed phrase written in the code by the caller ("worker: opening the database"),
  never text built from what anyone typed or what the database holds.

Never written: the exception's message (`str(error)`: SQLite, pydantic and our own errors quote the
text or value that failed, which may be a name, a note or a PIN), the arguments, and any frame's
local variables.

The file: `platformdirs.user_log_dir("counter")/counter.log` unless a path is given; its folder is
created 0700 and each file 0600; it rotates at 1 MB and keeps 5 old files. Setting up is done once
per process (`setup_logging`); a failure to write the log never stops Counter.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import sys
import traceback
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from counter_tui.locations import APP

LOG_NAME = "counter"
"""The logger every part of Counter writes failures to."""
MAX_BYTES = 1_000_000
"""Each log file's size before it rotates."""
BACKUPS = 5
"""How many rotated files are kept beside the current one."""

_logger = logging.getLogger(LOG_NAME)
_logger.propagate = False  # never to the terminal the app is drawing on
_logger.setLevel(logging.INFO)


def default_log_file() -> Path:
    """The log file in the user's log directory (e.g. ~/.local/state/counter/log/counter.log)."""
    return Path(platformdirs.user_log_dir(APP)) / "counter.log"


class _PrivateRotatingFile(RotatingFileHandler):
    """A rotating file handler whose files are created readable by their owner only (0600)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def handleError(self, record):  # noqa: N802 (logging's name)
        """A log that cannot be written says nothing (logging's default prints over the app's screen)."""


class _UtcFormatter(logging.Formatter):
    def formatTime(self, record, datefmt=None):  # noqa: N802 (logging's name)
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")


_handler: _PrivateRotatingFile | None = None


def setup_logging(path: Path | None = None) -> Path | None:
    """Send Counter's log to a rotating private file; safe to call more than once.

    Args:
        path: the log file (default: `default_log_file()`). Called again with another path, the log
            moves there; with the same path (or None once set up), nothing changes.

    Returns:
        The log file, or None if it cannot be written (read-only home, full disk): Counter runs on
        without a log rather than refusing to start.
    """
    global _handler
    target = Path(path) if path is not None else (Path(_handler.baseFilename) if _handler else default_log_file())
    if _handler is not None and Path(_handler.baseFilename) == target.absolute():
        return target
    try:
        if not target.parent.exists():
            target.parent.mkdir(mode=0o700, parents=True)
            target.parent.chmod(0o700)  # mkdir's mode is narrowed by the umask, never widened: be exact
        handler = _PrivateRotatingFile(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(_UtcFormatter("%(asctime)s %(levelname)s %(message)s"))
    if _handler is not None:
        _logger.removeHandler(_handler)
        _handler.close()
    _handler = handler
    _logger.addHandler(handler)
    return target


def log_file() -> Path | None:
    """Where the log is being written now (None: not set up)."""
    return Path(_handler.baseFilename) if _handler is not None else None


def _source_path(filename: str) -> str:
    """A frame's file as its module path (`counter_tui/app.py`, `textual/worker.py`): no home directory."""
    for root in sorted((p for p in sys.path if p), key=len, reverse=True):
        prefix = root.rstrip(os.sep) + os.sep
        if filename.startswith(prefix):
            return filename[len(prefix):]
    return os.path.basename(filename)


def _codes(error: BaseException) -> str:
    """Codes that say what failed without quoting anything: an errno name, an SQLite error name."""
    parts = []
    if isinstance(error, OSError) and error.errno is not None:
        parts.append(errno.errorcode.get(error.errno, str(error.errno)))
    if isinstance(error, sqlite3.Error) and getattr(error, "sqlite_errorname", None):
        parts.append(error.sqlite_errorname)
    return f" [{', '.join(parts)}]" if parts else ""


def describe(error: BaseException) -> str:
    """The failure as the log keeps it: types, codes and code frames, never messages or locals."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}{_codes(current)}")
        for frame in traceback.extract_tb(current.__traceback__):
            code = (frame.line or "").strip()
            lines.append(f"  {_source_path(frame.filename)}:{frame.lineno} in {frame.name}: {code}")
        if current.__cause__ is not None:
            lines.append("raised from:")
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            lines.append("raised while handling:")
            current = current.__context__
        else:
            current = None
    return "\n".join(lines)


def log_failure(where: str, error: BaseException) -> None:
    """Write an unexpected failure to the log (setting the log up at its default place if need be).

    Args:
        where: a fixed phrase from the code naming what was being done ("worker: opening the
            database"); never built from user or database text.
        error: the exception; only its type, codes and code frames are written (see the module's rule).
    """
    if _handler is None:
        setup_logging()
    try:
        _logger.error("%s: %s", where, describe(error))
    except Exception:  # noqa: S110 (the log must never be a second failure)
        pass
