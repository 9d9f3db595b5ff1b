"""Save what is typed once typing pauses: one timer per screen, restarted on every change."""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode
from textual.timer import Timer

AUTOSAVE_SECONDS = 0.6
"""A pause in typing this long saves what was typed."""


class Autosave:
    """Calls `save` once typing has paused for AUTOSAVE_SECONDS; `cancel` before saving at once."""

    def __init__(self, owner: DOMNode, save: Callable[[], object]) -> None:
        self._owner, self._save = owner, save
        self._timer: Timer | None = None

    def typed(self) -> None:
        """Something changed: save after the next pause."""
        self.cancel()
        self._timer = self._owner.set_timer(AUTOSAVE_SECONDS, self._save)

    def cancel(self) -> None:
        """Forget a pending save (the caller is saving now, or the screen is going)."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = None
