"""A staff number and PIN typed ahead land where they belong: Enter and Tab move between the two at once.

Textual moves focus when the number field's `Submitted` message is handled, after keys already typed
have gone to the field that had focus: "1001", Enter, "123456" typed quickly became "1001123456" in the
number field. As priority bindings these keys act before the next key is given to a field. Enter typed
before the app has put the terminal in raw mode arrives as a line feed (ctrl+j), so that counts as Enter.
Keys already given to a field wait in its queue, so signing in is queued behind them on the PIN field.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input


PIN_FORM_BINDINGS = [
    # ctrl+j: Enter typed before the terminal is in raw mode arrives as a line feed.
    Binding("enter,ctrl+j", "pin_form_enter", "Sign in", show=False, priority=True),
    Binding("tab", "pin_form_tab", show=False, priority=True),
]
"""The screen's BINDINGS include these (Textual merges bindings only from DOM classes, not mixins)."""


class NumberThenPin:
    """Mixed into a screen (before `Screen`) with a staff number field and a PIN field (`NUMBER_ID`, `PIN_ID`).

    The screen provides `submit_pin()`, called on Enter in the PIN field.
    """

    NUMBER_ID = "number"
    PIN_ID = "pin"

    def action_pin_form_enter(self) -> None:
        focused = self.focused
        if getattr(focused, "id", None) == self.NUMBER_ID:
            self.focus_now(self.PIN_ID)
        elif getattr(focused, "id", None) == self.PIN_ID:
            # After the digits already given to the PIN field (queued there, not yet in its value).
            focused.call_later(self.submit_pin)

    def action_pin_form_tab(self) -> None:
        if getattr(self.focused, "id", None) == self.NUMBER_ID:
            self.focus_now(self.PIN_ID)
        else:
            self.app.action_focus_next()

    def focus_now(self, field_id: str) -> None:
        """Move the focus before the next key is handled (`Widget.focus` waits for the next turn)."""
        self.set_focus(self.query_one(f"#{field_id}", Input))
