"""Choosing your own PIN: shown at the sign-in of a member of staff whose PIN an administrator set
(`counter staff add`, `counter staff reset-pin`), or whose PIN breaks today's rule for PINs (one
chosen under the older 4-digit rule). They are signed in once it is changed."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from counter_tui.services.pin_hash import PIN_RULE

if TYPE_CHECKING:
    from counter_tui.models.staff import Actor


class ChangePinScreen(Screen["Actor | None"]):
    """The new PIN twice; dismissed with the signed-in actor, or None to go back to the sign-in."""

    CSS_PATH = Path(__file__).parent / "sign_in.tcss"
    AUTO_FOCUS = "#new-pin"
    BINDINGS = [Binding("escape", "cancel", "Back to sign-in", id="cancel_pin_change")]

    def __init__(self, actor: Actor, old_pin: str, *, weak: bool = False) -> None:
        """Args:
        actor: who proved the PIN an administrator gave them (or, `weak`, a PIN that breaks today's rule).
        old_pin: that PIN, as just typed (`change_pin` checks it again); forgotten when this screen goes.
        """
        super().__init__()
        self.actor = actor
        self._old_pin = old_pin
        self._weak = weak

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="change-pin") as box:
            box.border_title = "Choose your own PIN"
            why = ("your PIN no longer meets the rule for PINs" if self._weak
                   else "your PIN was set by an administrator")
            yield Static(Content.from_markup(
                "[b]$name[/b], $why: choose your own to sign in.\n$rule It must differ from your PIN now.",
                name=self.actor.name, why=why, rule=PIN_RULE,
            ), id="change-pin-why")
            yield Label("New PIN")
            yield Input(id="new-pin", password=True, max_length=12, restrict=r"[0-9]*")
            yield Label("New PIN again")
            yield Input(id="new-pin-again", password=True, max_length=12, restrict=r"[0-9]*")
            yield Static("", id="error")
        yield Footer()

    def on_mount(self) -> None:
        minutes = self.app.ctx.settings.idle_lock_minutes
        if minutes > 0:
            # Nobody is signed in yet, so the app's idle lock does not cover this screen: left
            # alone, it must not let the next person at the terminal choose this member's PIN.
            self.set_timer(minutes * 60, self.action_cancel)

    @on(Input.Submitted, "#new-pin")
    def _to_again(self) -> None:
        self.query_one("#new-pin-again", Input).focus()

    @on(Input.Submitted, "#new-pin-again")
    def _change(self) -> None:
        from counter_tui.services import staff
        from counter_tui.services.errors import FieldErrors, SignInRefused, StoreError

        new, again = self.query_one("#new-pin", Input), self.query_one("#new-pin-again", Input)
        problem = None
        if new.value != again.value:
            problem = "The two PINs differ: type the new PIN again."
        else:
            try:
                actor = staff.change_pin(self.app.ctx, self.actor, self._old_pin, new.value)
            except FieldErrors as error:
                problem = "; ".join(error.errors.values())
            except (SignInRefused, StoreError) as error:
                problem = str(error)
        if problem is not None:
            self.query_one("#error", Static).update(Content(problem))
            new.value = again.value = ""
            new.focus()
            return
        self._old_pin = ""
        self.dismiss(actor)

    def action_cancel(self) -> None:
        """Back to the sign-in screen: the PIN stays the one the administrator set."""
        if not self.is_current:
            self.set_timer(1, self.action_cancel)  # once the dialog above (a call for help) is answered
            return
        self._old_pin = ""
        self.dismiss(None)
