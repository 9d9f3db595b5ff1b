"""The failure log (issue 17.10): a failure is written with its type and where in the code it
happened, never with its message's personal text or any local variable; the file is private."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from counter_tui import logs
from counter_tui.store.connection import open_database

SECRET = "Mrs Ada Personal-Name 07700 900123"


@pytest.fixture
def log_path(tmp_path):
    path = tmp_path / "logs" / "counter.log"
    assert logs.setup_logging(path) == path
    yield path
    logs.setup_logging(tmp_path / "after" / "counter.log")  # later tests never write into this one


def _fail_with_personal_text(name: str) -> None:
    note = f"note about {name}"  # a local: never logged
    raise ValueError(f"cannot save {note}")


def test_a_failure_is_logged_with_type_and_code_location_but_not_its_text(log_path):
    try:
        _fail_with_personal_text(SECRET)
    except ValueError as error:
        logs.log_failure("worker: saving a note", error)
    text = log_path.read_text(encoding="utf-8")
    assert "worker: saving a note" in text
    assert "builtins.ValueError" in text
    assert "test_logs.py:" in text and "in _fail_with_personal_text" in text
    assert "Ada" not in text and "07700" not in text and "note about" not in text
    assert str(log_path.parent.parent) not in text  # frames by module path, no home directory


def test_chained_and_sqlite_errors_keep_codes_and_frames_only(log_path, tmp_path):
    db, table = open_database(tmp_path / "x.db"), "no_such_table"
    try:
        try:
            db.execute(f"INSERT INTO {table} VALUES (?)", [SECRET])
        except sqlite3.OperationalError as error:
            raise RuntimeError(SECRET) from error
    except RuntimeError as error:
        logs.log_failure("worker: opening the database", error)
    text = log_path.read_text(encoding="utf-8")
    assert "builtins.RuntimeError" in text and "sqlite3.OperationalError [SQLITE_ERROR]" in text
    assert "raised from:" in text
    assert "Ada" not in text and "no_such_table" not in text


def test_the_log_folder_and_files_are_private_and_rotate(log_path):
    assert stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700
    error = OSError(28, f"No space left for {SECRET}")
    for _ in range(3):
        logs.log_failure("printing", error)
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600
    assert "[ENOSPC]" in log_path.read_text(encoding="utf-8")
    handler = logs._handler
    assert handler.maxBytes == logs.MAX_BYTES == 1_000_000 and handler.backupCount == logs.BACKUPS == 5
    handler.doRollover()
    logs.log_failure("printing", error)
    rotated = log_path.with_name("counter.log.1")
    assert rotated.exists() and stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_setting_up_twice_keeps_one_handler_and_an_unwritable_place_is_not_fatal(log_path, tmp_path):
    assert logs.setup_logging(log_path) == log_path
    assert logs.setup_logging() == log_path
    assert len(logs._logger.handlers) == 1
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert logs.setup_logging(blocked / "sub" / "counter.log") is None
    assert logs.log_file() == log_path  # still logging where it was
