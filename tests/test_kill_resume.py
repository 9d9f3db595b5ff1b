"""Kill -9 mid-contact, then resume with nothing lost (DESIGN: "Nothing is lost"; Testing: reliability).

A real `counter` process runs on a pseudo-terminal. The test signs in as the call handler, starts
the HMPO telephone flow, takes the first decision, types a note and presses Escape, waits until the
database file shows both, and kills the process with SIGKILL. Then it checks the file
(`PRAGMA integrity_check`, `counter audit verify`) and resumes in-process with Pilot: the resume
dialog appears, `1` reopens the contact at the stored step with the note as saved, and the call
can be taken on to its end.

Nothing waits on a fixed sleep: every wait polls a fact (a row in the database file, text or the
terminal cursor in the app's output) against a deadline, so a loaded machine only makes it slower.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import re
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

pytestmark = pytest.mark.slow

DEADLINE = 30.0
"""Seconds any single wait may take before the test fails (generous: a loaded 2-core machine)."""

COLUMNS, LINES = 100, 30
NOTE = "Shouted and swore at me; said he would sort me out if the passport was not posted tomorrow."
"""The note typed before the kill: no digits, so a key that reached the choices could not take one."""

CTRL_N, ENTER, ESCAPE = b"\x0e", b"\r", b"\x1b"

CALL_HANDLER = {"number": "1001", "name": "Sam Okafor", "role": "call_handler", "pin": "123427"}
"""The call handler of tests/conftest.py, added here through the real `counter staff add`."""
OWN_PIN = "246827"
"""The PIN they choose at their first sign-in (`counter staff add` gives one to change)."""

T = TypeVar("T")

_ANSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
_CURSOR_AT_END = re.compile(rb"\x1b\[(\d+);(\d+)H\Z")


def wait_for(what: str, probe: Callable[[], T | None], *, deadline: float = DEADLINE, detail: Callable[[], str] | None = None) -> T:
    """Poll `probe` until it returns something truthy; fail naming `what` after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > end:
            extra = f"\n{detail()}" if detail else ""
            pytest.fail(f"timed out after {deadline:.0f} s waiting for {what}{extra}")
        time.sleep(0.02)


# -- the database file, read-only ---------------------------------------------------------------

def read_db(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one query on a read-only connection of its own (never a writer beside the app)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return []  # not created yet
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []  # not migrated yet, or briefly locked
    finally:
        conn.close()


def contact_row(path: Path) -> tuple | None:
    """(id, step, note, status) of the only contact, if it exists."""
    rows = read_db(path, "SELECT id, step, note, status FROM contacts ORDER BY started_at")
    return rows[0] if len(rows) == 1 else None


# -- the app on a pseudo-terminal ---------------------------------------------------------------

class Terminal:
    """`python -m counter_tui` on a pty of COLUMNS x LINES, its output drained by a thread."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES)}
        env.pop("TEXTUAL", None)  # no devtools, whatever the developer's shell has
        self.master = master
        self._output = bytearray()
        self._lock = threading.Lock()
        try:
            self.process = subprocess.Popen(
                args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
                start_new_session=True, close_fds=True,
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._drain, name="pty-drain", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child's side is closed
                return
            if not data:
                return
            with self._lock:
                self._output.extend(data)

    @property
    def mark(self) -> int:
        """Where the output stands now: text searched `since` a mark was painted after it."""
        with self._lock:
            return len(self._output)

    def output(self, since: int = 0) -> bytes:
        with self._lock:
            return bytes(self._output[since:])

    def text(self, since: int = 0) -> str:
        """What was painted since `since`, with the escape sequences taken out."""
        return _ANSI.sub(b"", self.output(since)).decode("utf-8", errors="replace")

    def cursor(self) -> tuple[int, int] | None:
        """Where the last frame left the terminal cursor (Textual ends each frame by placing it)."""
        found = _CURSOR_AT_END.search(self.output())
        return (int(found[1]), int(found[2])) if found else None

    def send(self, data: bytes) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"the app exited (code {self.process.returncode}) before it was sent {data!r}:\n{self.tail()}")
        os.write(self.master, data)

    def wait_text(self, what: str, since: int) -> None:
        wait_for(f"{what!r} on screen", lambda: what in self.text(since), detail=self.tail)

    def wait_cursor(self, what: str, where: Callable[[tuple[int, int]], bool]) -> tuple[int, int]:
        """Wait until two successive frames leave the terminal cursor at one place that satisfies `where`.

        Textual ends each frame by putting the terminal cursor at the focused field's caret, so the
        cursor says which field has focus: typing moves it along the field's row, and focus moving
        to another field moves it to another row. Two frames, not one, so that a read ending
        mid-frame on a cursor move is never taken for the end of a frame.
        """
        seen: dict[str, object] = {}

        def settled() -> tuple[int, int] | None:
            position, mark = self.cursor(), self.mark
            if position is None or not where(position):
                seen.clear()
                return None
            if seen.get("position") == position and seen.get("mark") != mark:
                return position
            seen.update(position=position, mark=mark)
            return None

        return wait_for(what, settled, detail=self.tail)

    def tail(self) -> str:
        return "--- the app's output, escape sequences removed (last 1500 characters) ---\n" + self.text()[-1500:]

    def kill(self) -> None:
        """SIGKILL the child (it is alone in its session) and reap it."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=DEADLINE)

    def close(self) -> None:
        self.kill()
        try:
            os.close(self.master)
        except OSError:
            pass
        self._reader.join(timeout=5)


def counter_cli(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "counter_tui", *args], input=stdin, capture_output=True, text=True,
        timeout=120, cwd=cwd,
    )


# -- the test -----------------------------------------------------------------------------------

def test_kill_minus_nine_mid_contact_then_resume(tmp_path: Path) -> None:
    db = tmp_path / "counter.db"
    added = counter_cli(
        "staff", "add", "--admin", "--number", CALL_HANDLER["number"], "--name", CALL_HANDLER["name"],
        "--role", CALL_HANDLER["role"], "--pin-stdin", "--db", str(db), stdin=CALL_HANDLER["pin"] + "\n", cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr

    term = Terminal([sys.executable, "-m", "counter_tui", "--db", str(db)], cwd=tmp_path)
    try:
        # Sign in. The staff number field has focus from the first paint; typing in it moves the
        # caret along its row, and Enter moves focus (and the caret) to the PIN field on another row.
        term.wait_text("Staff number", since=0)
        before = term.cursor()
        term.send(CALL_HANDLER["number"].encode())
        number_row, _ = term.wait_cursor("the staff number typed", lambda at: at != before)
        term.send(ENTER)
        pin_row, _ = term.wait_cursor("focus on the PIN field", lambda at: at[0] != number_row)
        mark = term.mark
        term.send(CALL_HANDLER["pin"].encode() + ENTER)
        # The PIN an administrator gave is changed for one of their own, typed twice.
        term.wait_text("Choose your own PIN", since=mark)
        new_row, _ = term.wait_cursor("focus on the new PIN field", lambda at: at[0] != pin_row)
        term.send(OWN_PIN.encode() + ENTER)
        term.wait_cursor("focus on the new PIN again", lambda at: at[0] != new_row)
        mark = term.mark
        term.send(OWN_PIN.encode() + ENTER)
        term.wait_text("Start a contact", since=mark)

        # 1: start the telephone flow; the customer is found by reference (a new one is added), and
        # the contact is stored before its screen opens.
        mark = term.mark
        term.send(b"1")
        term.wait_text("who is the customer?", since=mark)
        mark = term.mark
        term.send(b"\t" + b"PEX 1234 5678" + ENTER)
        contact = wait_for("the contact stored at its first step", lambda: (r := contact_row(db)) and r[1] == "warn" and r,
                           detail=term.tail)
        contact_id = contact[0]
        term.wait_text("Warn the customer", since=mark)

        # 1: "I have warned them (they are abusive or became abusive toward me): allow them to improve" — stored as a step.taken event.
        mark = term.mark
        term.send(b"1")
        wait_for("the step.taken event and the contact at 'allow'", lambda: (
            read_db(db, "SELECT count(*) FROM events WHERE kind = 'step.taken' AND stream = ?", (f"contact:{contact_id}",))
            == [(1,)] and (r := contact_row(db)) is not None and r[1] == "allow"
        ), detail=term.tail)
        term.wait_text("Allow them to improve", since=mark)

        # ctrl+n: focus the note (the cursor goes into it), type, Escape saves it at once.
        before = term.cursor()
        term.send(CTRL_N)
        term.wait_cursor("focus on the note", lambda at: before is None or at[0] != before[0])
        mark = term.mark
        term.send(NOTE.encode())
        term.wait_text(NOTE.split()[-1], since=mark)  # the last word painted: the note field took the text
        term.send(ESCAPE)
        wait_for("the note saved in the database", lambda: (r := contact_row(db)) is not None and r[2] == NOTE,
                 detail=lambda: f"stored: {contact_row(db)!r}\n{term.tail()}")
        assert contact_row(db)[1:] == ("allow", NOTE, "open")

        os.kill(term.process.pid, signal.SIGKILL)
        assert term.process.wait(timeout=DEADLINE) == -signal.SIGKILL
    finally:
        term.close()

    # The file survived the kill: what was stored is still there, SQLite's own check passes, and
    # the event hash chain holds.
    assert contact_row(db) == (contact_id, "allow", NOTE, "open")
    assert read_db(db, "PRAGMA integrity_check") == [("ok",)]
    verified = counter_cli("audit", "verify", "--db", str(db), cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok:")

    asyncio.run(_resume(db, contact_id))

    # 2 then 1 took the call to its end: stored, in order, after the resumed step.
    assert contact_row(db)[1] == "ended"
    taken = read_db(db, "SELECT position, step, number FROM steps WHERE contact_id = ? ORDER BY position", (contact_id,))
    assert taken == [(1, "warn", 1), (2, "allow", 2), (3, "tell_end", 1)]


async def _resume(db: Path, contact_id: str) -> None:
    """Sign in again in-process; the resume dialog reopens the contact where it stopped."""
    from textual.widgets import Static, TextArea

    from counter_tui.app import CounterApp
    from counter_tui.screens.contact import ContactScreen
    from counter_tui.screens.dialogs.resume import ResumeDialog
    from counter_tui.services.context import Context

    ctx = Context.open(db)
    app = CounterApp(ctx)
    try:
        async with app.run_test(size=(COLUMNS, LINES)) as pilot:

            async def until(what: str, probe: Callable[[], object]) -> None:
                end = time.monotonic() + DEADLINE
                while not probe():
                    if time.monotonic() > end:
                        pytest.fail(f"timed out waiting for {what} (screen: {type(app.screen).__name__})")
                    await pilot.pause(0.02)

            await until("the sign-in screen", lambda: app.screen.query("#number"))
            await pilot.press(*CALL_HANDLER["number"], "enter")
            await until("the PIN field to have focus", lambda: app.focused is not None and app.focused.id == "pin")
            await pilot.press(*OWN_PIN, "enter")
            await until("the resume dialog", lambda: isinstance(app.screen, ResumeDialog))
            assert (app.screen.contact.id, app.screen.step_title) == (contact_id, "Allow them to improve")

            await pilot.press("1")
            await until("the contact screen", lambda: isinstance(app.screen, ContactScreen))
            screen = app.screen
            await until("the contact screen mounted", lambda: screen.current is not None)
            assert screen.contact_id == contact_id
            assert screen.current.step.title == "Allow them to improve"
            assert "Allow them to improve" in str(screen.query_one("#step-title", Static).render())
            assert screen.query_one("#note", TextArea).text == NOTE

            await pilot.press("2")  # their behaviour did not improve
            await until("the 'tell_end' step", lambda: screen.current.step.id == "tell_end")
            await pilot.press("1")  # I have told them: end the call
            await until("the contact at 'ended' in the database",
                        lambda: (r := contact_row(db)) is not None and r[1] == "ended")
    finally:
        ctx.store.close()
