"""Save what is typed once typing pauses, and at least every few seconds while it goes on, on a thread.

One pause timer per screen, restarted on every change; and since someone typing without a pause
for a minute would otherwise have nothing saved if the terminal died, a change made
`MAX_WAIT_SECONDS` or more after the first unsaved one saves at once (6.5 s of continuous typing was
lost on SIGKILL before, issue 17.12).

The write runs in a thread worker (with that thread's own SQLite connection, closed after it), so a
database locked by another process (the 2 s busy timeout) never freezes typing: the screen says
"Saving…", then "Saved HH:MM:SS", or that the database is busy and the draft is kept on screen while
the save is retried on a timer. One save at a time: a save asked for while one runs is made when that
one finishes, from the text on screen then, so an older draft is never written after a newer one.

Writes that must happen now (leaving the screen, choosing a step, signing out, locking) use
`save_now`, and final writes (send, finish, complete) call `settle` first: both wait for a save
already on its thread to finish (and apply its outcome) and drop any that has not begun, so nothing
the autosave writes can land after them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from textual import events
from textual.screen import Screen
from textual.timer import Timer

AUTOSAVE_SECONDS = 0.6
"""A pause in typing this long saves what was typed."""
MAX_WAIT_SECONDS = 2.0
"""While typing goes on, what was typed is saved at least this often."""
RETRY_SECONDS = 1.0
"""After the database was busy, the draft is saved again this long after."""

SAVING = "Saving…"
BUSY = "Database busy — draft kept on screen, retrying…"


def monotonic() -> float:
    """The clock the wait is measured on (tests replace it to type for seconds in no time)."""
    return time.monotonic()


@dataclass
class SaveJob:
    """One save of the draft as it stands, made by the screen on the UI thread.

    `write` runs on the worker thread (or on the UI thread for `save_now`) and must only call the
    services with the values captured when the job was made; `done(result)` and `failed(error)` run on
    the UI thread afterwards. `done` returns False when it showed a problem itself (no "Saved");
    `failed` returns True when it said what went wrong (the autosave says it otherwise).
    """

    write: Callable[[], Any]
    done: Callable[[Any], bool] = lambda result: True
    failed: Callable[[BaseException], bool] = lambda error: False


def versioned_job(owner, write: Callable[[int], int], conflict: type[BaseException]) -> SaveJob:
    """A save of a versioned draft (a form, a letter): `write(version)` returns the new version, which
    `owner._version` then holds; a `conflict` (someone else saved first) goes to `owner._conflict`."""
    version = owner._version

    def done(new_version: int) -> bool:
        owner._version = new_version
        return True

    def failed(error: BaseException) -> bool:
        if isinstance(error, conflict):
            owner._conflict(error)
            return True
        return False  # the autosave says "Not saved: …", or that the database is busy and retries

    return SaveJob(lambda: write(version), done, failed)


class Autosave:
    """Saves with `job()` once typing has paused for AUTOSAVE_SECONDS, or on a change MAX_WAIT_SECONDS
    after the first unsaved one, in a thread worker; `show(text, ok)` puts its state on the screen."""

    def __init__(self, owner: Screen, job: Callable[[], SaveJob | None], show: Callable[[str, bool], None]) -> None:
        self._owner, self._job, self._show = owner, job, show
        self._timer: Timer | None = None
        self._unsaved_since: float | None = None
        self._lock = threading.Lock()
        """Held by whoever is writing a draft (the worker thread, or the UI thread in `save_now`)."""
        self._running: int | None = None
        """The number of the save on a thread, until its outcome is applied or it is dropped."""
        self._outcomes: dict[int, tuple[SaveJob, bool, Any]] = {}
        self._count = 0
        self._pending = False
        self._busy = False
        self._stopped = False

    @property
    def saving(self) -> bool:
        """A save is on its thread (or its outcome is not applied yet)."""
        return self._running is not None

    # -- asking for a save ------------------------------------------------------------------------
    def typed(self) -> None:
        """Something changed: save after the next pause, or now if the last save is too long ago."""
        if self._stopped:
            return
        now = monotonic()
        if self._unsaved_since is None:
            self._unsaved_since = now
        if now - self._unsaved_since >= MAX_WAIT_SECONDS:
            self.save_soon()
            return
        self._stop_timer()
        self._timer = self._owner.set_timer(AUTOSAVE_SECONDS, self.save_soon)

    def save_soon(self) -> None:
        """Save the draft on a thread now; if a save is running, once it has finished."""
        self._stop_timer()
        self._unsaved_since = None
        if self._stopped:
            return
        if self._running is not None:
            self._pending = True  # the text on screen when that one finishes is saved then
            return
        job = self._job()
        if job is None:
            return
        self._count += 1
        number = self._running = self._count
        if not self._busy:  # while busy, the busy line stays until a save gets through
            self._show(SAVING, True)
        store = self._owner.app.ctx.store

        def run() -> None:
            try:
                with self._lock:
                    if self._running != number:
                        return  # dropped by `settle` before it began: a later write came first
                    try:
                        self._outcomes[number] = (job, True, job.write())
                    except Exception as error:  # noqa: BLE001 - applied (said, or logged) on the UI thread
                        self._outcomes[number] = (job, False, error)
            finally:
                store.close()  # this thread's own connection (connections are per thread)
            self._owner.post_message(events.Callback(partial(self._collect, number)))  # thread-safe, never blocks

        # Not `exclusive`: saves are one at a time by `_running` already, and the next may start while
        # the last one's worker is still returning, which `exclusive` would mark cancelled.
        self._owner.run_worker(run, thread=True, group="autosave", name="autosave", exit_on_error=False)

    # -- saving now, and before a final write --------------------------------------------------------
    def settle(self) -> None:
        """Before a final write: no pause timer, no pending save, and a save already on its thread
        finished with its outcome applied (waiting at most the busy timeout), one not begun dropped."""
        self._stop_timer()
        self._unsaved_since = None
        self._pending = False
        if self._running is None:
            return
        with self._lock:  # the worker holds it while it writes
            number, self._running = self._running, None
            outcome = self._outcomes.pop(number, None)
        if outcome is not None:
            self._apply(*outcome)

    def save_now(self) -> bool:
        """Save the draft at once on this thread (leaving, choosing a step, signing out, locking),
        after any save on a thread. Returns False if it was not saved (the screen says why)."""
        self.settle()
        if self._stopped:
            return True
        job = self._job()
        if job is None:
            return True
        with self._lock:
            try:
                outcome = (job, True, job.write())
            except Exception as error:  # noqa: BLE001 - applied below
                outcome = (job, False, error)
        return self._apply(*outcome)

    def cancel(self) -> None:
        """The screen is going, or its form is final: no more saves (one on its thread finishes)."""
        self._stop_timer()
        self._unsaved_since = None
        self._pending = False
        self._stopped = True

    # -- outcomes --------------------------------------------------------------------------------
    def _collect(self, number: int) -> None:
        """On the UI thread, when save `number` has left its thread."""
        with self._lock:
            if self._running != number:
                return  # `settle` applied it already
            self._running = None
            outcome = self._outcomes.pop(number, None)
        if outcome is not None:
            self._apply(*outcome)
        if self._pending and not self._stopped:
            self._pending = False
            self.save_soon()

    def _apply(self, job: SaveJob, ok: bool, value: Any) -> bool:
        from counter_tui.services.errors import NotFound, Refused, StoreBusy, StoreError

        if ok:
            self._busy = False
            if job.done(value) is not False:
                self._show(f"Saved {self._now()}", True)
                return True
            return False
        handled = job.failed(value)
        if isinstance(value, StoreBusy):
            self._busy = True
            self._show(BUSY, False)
            if not self._stopped and not self._pending:
                self._stop_timer()
                self._timer = self._owner.set_timer(RETRY_SECONDS, self.save_soon)
            return False
        self._busy = False
        if handled:
            return False
        if isinstance(value, (StoreError, Refused, NotFound)):
            self._show(f"Not saved: {value} Your text is kept on screen.", False)
            return False
        self._show(f"Not saved: something went wrong ({type(value).__name__}). Your text is kept on screen.", False)
        app = self._owner.app
        if hasattr(app, "report_failure"):
            app.report_failure("autosave", value)
        return False

    def _now(self) -> str:
        """The time of day on the app's clock (the organisation's), else this machine's."""
        ctx = getattr(self._owner.app, "ctx", None)
        if ctx is not None and getattr(ctx, "clock", None) is not None:
            from counter_tui.services.record_text import local_time

            return local_time(ctx, ctx.clock.now())
        return datetime.now().strftime("%H:%M:%S")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
