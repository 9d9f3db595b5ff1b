"""The record is its owner's only (issue 17, item 8): other users of the machine cannot read it.

GIVEN a permissive umask (022, the usual default) WHEN Counter creates its database, the database's
-wal and -shm files, its folder, a printed form THEN each is 0600 (folders 0700); and a database
file someone made readable by others is named at start-up, with the command that fixes it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from counter_tui.app import CounterApp
from counter_tui.cli import main
from counter_tui.private_files import exposed
from counter_tui.store.connection import open_database
from tests.conftest import make_context


@pytest.fixture
def open_umask():
    """The usual umask (022) for the test, restored after (the suite runs at 077, as `counter` does)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_journal_and_its_folder_are_the_owners_only(tmp_path, open_umask):
    path = tmp_path / "new" / "counter.db"
    db = open_database(path)
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    db.conn.commit()
    files = {p.name: _mode(p) for p in path.parent.iterdir()}
    assert files == {"counter.db": 0o600, "counter.db-wal": 0o600, "counter.db-shm": 0o600}
    assert _mode(path.parent) == 0o700
    db.conn.close()


def test_the_command_line_makes_everything_it_writes_private(tmp_path, open_umask):
    """`counter` narrows the umask at its entry: the record and what it prints are 0600 whoever calls it."""
    db = tmp_path / "counter.db"
    result = CliRunner().invoke(main, ["staff", "list", "--admin", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert _mode(db) == 0o600
    (tmp_path / "prints").mkdir()  # a form printed after start: created under the narrowed umask
    printed = tmp_path / "prints" / "form.pdf"
    printed.write_bytes(b"%PDF")
    assert _mode(printed) == 0o600


def test_an_existing_file_keeps_its_mode_and_is_named_as_readable(tmp_path):
    path = tmp_path / "counter.db"
    open_database(path).conn.close()
    path.chmod(0o644)
    open_database(path).conn.close()
    assert _mode(path) == 0o644  # an administrator's choice is not undone behind their back
    assert exposed(path) == (f"The database file {path} can be read or changed by other users of this machine "
                             "(mode 0644): chmod 600 it.")
    path.chmod(0o600)
    assert exposed(path) is None
    tmp_path.chmod(0o755)  # others may list the folder, but not read the file nor replace it
    assert exposed(path) is None
    tmp_path.chmod(0o777)
    assert "can be written by other users" in exposed(path) and "chmod 700" in exposed(path)
    tmp_path.chmod(0o1777)  # sticky, like /tmp: only the owner may replace their file
    assert exposed(path) is None
    tmp_path.chmod(0o700)


async def test_the_app_says_at_start_when_the_record_is_readable_by_others(tmp_path, clock):
    ctx = make_context(tmp_path / "counter.db", clock)
    ctx.store.path.chmod(0o640)
    app = CounterApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
    assert any("can be read or changed by other users" in m and "chmod 600" in m for m in messages)
