"""Save what is typed once typing pauses, and at least every few seconds while it goes on.

One pause timer per screen, restarted on every change; and since someone typing without a pause
for a minute would otherwise have nothing saved if the terminal died, a change made
`MAX_WAIT_SECONDS` or more after the first unsaved one saves at once (6.5 s of continuous typing was
lost on SIGKILL before, issue 17.12).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.dom import DOMNode
from textual.timer import Timer

AUTOSAVE_SECONDS = 0.6
"""A pause in typing this long saves what was typed."""
MAX_WAIT_SECONDS = 2.0
"""While typing goes on, what was typed is saved at least this often."""


def monotonic() -> float:
    """The clock the wait is measured on (tests replace it to type for seconds in no time)."""
    return time.monotonic()


class Autosave:
    """Calls `save` once typing has paused for AUTOSAVE_SECONDS, or on a change MAX_WAIT_SECONDS
    after the first unsaved one; `cancel` before saving at once (the save then starts the wait again)."""

    def __init__(self, owner: DOMNode, save: Callable[[], object]) -> None:
        self._owner, self._save = owner, save
        self._timer: Timer | None = None
        self._unsaved_since: float | None = None

    def typed(self) -> None:
        """Something changed: save after the next pause, or now if the last save is too long ago."""
        now = monotonic()
        if self._unsaved_since is None:
            self._unsaved_since = now
        if now - self._unsaved_since >= MAX_WAIT_SECONDS:
            self._save()  # the screen's save calls `cancel`, which starts the wait again
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(AUTOSAVE_SECONDS, self._save)

    def cancel(self) -> None:
        """Forget a pending save (the caller is saving now, or the screen is going)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
        self._unsaved_since = None
