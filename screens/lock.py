"""The lock screen of a shared terminal: it covers whatever was on screen (no customer detail shows)
until a PIN is entered. The same member of staff carries on where they were; someone else signing
in here switches user: an open contact stays on screen and each step after stays attributed to
whoever takes it. Shown when the terminal is left alone (`idle_lock_minutes`) and by `f2`.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from counter_tui.screens.widgets.pin_form import PIN_FORM_BINDINGS, NumberThenPin


class LockScreen(NumberThenPin, Screen[None]):
    """Covers the terminal until someone signs in; never shows what is under it."""

    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    LockScreen #lock { width: 56; height: auto; padding: 0 2; border: round $warning; }
    LockScreen #lock Input { width: 100%; height: 1; border: none; padding: 0 1; background: $boost; }
    LockScreen #lock Input:focus { background: $accent 25%; }
    LockScreen #lock Label { margin-top: 1; }
    LockScreen #lock-error { color: $error; height: auto; min-height: 1; }
    """
    BINDINGS = [*PIN_FORM_BINDINGS, Binding("ctrl+o", "sign_out", "Sign them out", id="lock_sign_out", priority=True)]
    NUMBER_ID, PIN_ID = "lock-number", "lock-pin"

    def __init__(self, why: str, *, handing_over: bool = False) -> None:
        """Args:
        handing_over: locked to hand the terminal to someone else (f2): the staff number starts empty
            and has the cursor; otherwise (left alone) it holds the locked member's, and the PIN has it.
        """
        super().__init__()
        self.why, self.handing_over = why, handing_over

    def compose(self) -> ComposeResult:
        yield Header()  # the procedure in force (the app's sub-title), on every screen
        actor = self.app.actor
        with Vertical(id="lock") as box:
            box.border_title = "Locked"
            yours = "your staff number and PIN carry" if self.handing_over else "your PIN carries"
            yield Static(Content.from_markup("$why\n[b]$name[/b]: $yours on where you were. Someone else: "
                                             "type your own staff number and PIN to switch user.",
                                             why=self.why, name=actor.name if actor else "", yours=yours))
            yield Label("Staff number")
            yield Input("" if self.handing_over or actor is None else actor.number, id="lock-number", max_length=20)
            yield Label("PIN")
            yield Input(id="lock-pin", password=True, max_length=12, restrict=r"[0-9]*")
            yield Static("", id="lock-error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#lock-number" if self.handing_over else "#lock-pin", Input).focus()

    @on(Input.Submitted, "#lock-number")
    def _to_pin(self) -> None:
        self.query_one("#lock-pin", Input).focus()

    def submit_pin(self) -> None:
        self._unlock()

    @on(Input.Submitted, "#lock-pin")
    def _unlock(self) -> None:
        from counter_tui.services import staff
        from counter_tui.services.errors import SignInRefused, StoreError

        number = self.query_one("#lock-number", Input).value
        pin = self.query_one("#lock-pin", Input)
        try:
            actor = staff.sign_in(self.app.ctx, number, pin.value)
        except (SignInRefused, StoreError) as refused:
            self.query_one("#lock-error", Static).update(Content(str(refused)))
            pin.value = ""
            return
        self.app.unlocked(actor)

    def action_sign_out(self) -> None:
        """Sign the locked member of staff out (their open contacts stay open to resume)."""
        self.app.unlocked(None)
