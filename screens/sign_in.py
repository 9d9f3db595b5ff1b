"""The sign-in screen: staff number and PIN on a shared terminal (with the demo's accounts in a demo).

The first screen painted: it imports no service at load time, so it shows while the app opens the
database behind it (`context_ready` is called once it is open).

After too many wrong PINs the wait is shown, counting down, with the staff number kept; a member
whose PIN an administrator set chooses their own (`ChangePinScreen`) before they are signed in.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from counter_tui.screens.change_pin import ChangePinScreen
from counter_tui.screens.widgets.pin_form import PIN_FORM_BINDINGS, NumberThenPin

if TYPE_CHECKING:
    from counter_tui.models.staff import Actor


class SignInScreen(NumberThenPin, Screen):
    """Who is at the terminal: every event they cause carries their staff number and role."""

    CSS_PATH = "sign_in.tcss"
    BINDINGS = PIN_FORM_BINDINGS
    AUTO_FOCUS = "#number"

    _waiting = False
    """Enter was pressed before the database was open: sign in as soon as it is."""
    _wait_until: datetime | None = None
    """The staff number typed must wait until then (UTC) after too many wrong PINs: counted down."""
    _shown = ""
    """The words about the wait on show."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sign-in") as box:
            box.border_title = "Sign in"
            yield Label("Staff number")
            yield Input(id="number", max_length=20, placeholder="for example 1001")
            yield Label("PIN")
            yield Input(id="pin", password=True, max_length=12, restrict=r"[0-9]*")
            yield Static("", id="error")
        yield Static("", id="demo")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(1, self._count_down)
        self.focus_now("number")
        if self.app.ctx is not None:
            self.context_ready()
        if hasattr(self.app, "release_keys"):
            self.app.call_later(self.app.release_keys)  # keys typed before the form was ready, in order

    def submit_pin(self) -> None:
        self._submit()

    def quit_with_pin(self) -> None:
        """ctrl+q here: quit once the staff number and PIN typed are a member's (a shared terminal never
        drops to the shell for someone who cannot sign in); a database with no staff yet quits at once."""
        from counter_tui.services import staff
        from counter_tui.services.errors import SignInRefused, StoreError

        error = self.query_one("#error", Static)
        ctx = self.app.ctx
        if not staff.list_staff(ctx):
            self.app.exit()
            return
        number = self.query_one("#number", Input).value
        pin_input = self.query_one("#pin", Input)
        pin, pin_input.value = pin_input.value, ""
        if not number or not pin:
            error.update("To quit, type your staff number and PIN, then press ctrl+q.")
            self.query_one("#pin" if number else "#number", Input).focus()
            return
        try:
            staff.sign_in(ctx, number, pin)
        except staff.PinChangeNeeded:
            pass  # their PIN is right; choosing a new one can wait for their next sign-in
        except (SignInRefused, StoreError) as refused:
            error.update(Content(f"{refused} To quit, type your staff number and PIN, then press ctrl+q."))
            pin_input.focus()
            return
        self.app.exit()

    def _count_down(self) -> None:
        """Show the wait left after too many wrong PINs (on the app's clock), until it has passed."""
        if self._wait_until is None or self.app.ctx is None:
            return
        from counter_tui.services import staff

        now = self.app.ctx.clock.now()
        message = staff.wait_message(self._wait_until, now)
        if not self._shown.endswith(message):  # the refusal's own words stand while they are true
            self._shown = message
            self.query_one("#error", Static).update(Content(message))
        if self._wait_until <= now:
            self._wait_until = None

    @on(Input.Changed, "#number")
    def _another_number(self) -> None:
        """A wait belongs to the staff number it was shown for."""
        if self._wait_until is not None:
            self._wait_until = None
            self.query_one("#error", Static).update("")

    def context_ready(self) -> None:
        """The database is open: name the organisation, and show the demo accounts or how to add staff."""
        from counter_tui.services import staff

        ctx = self.app.ctx
        self.query_one("#sign-in").border_title = Content(f"Sign in to {ctx.settings.organisation}")  # text, never markup
        panel = self.query_one("#demo", Static)
        if self.app.demo_logins:
            panel.update(self._demo_text())
        elif not staff.list_staff(ctx):
            panel.update(Content.from_markup(
                "[b]No staff yet.[/b] Add the first from a shell, then sign in:\n"
                "counter staff add --number 1001 --name \"Your Name\" --role call_handler\n"
                "or try the demo: counter demo"
            ))
        else:
            panel.display = False
        if self._waiting:
            self._waiting = False
            self.query_one("#error", Static).update("")
            self._submit()

    def _demo_text(self) -> Content:
        """The demo's accounts, two to a line where they fit, so they show on a small terminal."""
        cells = [f"{login.number}/{login.pin} {login.what}" for login in self.app.demo_logins]
        width = max(len(c) for c in cells) + 2
        per_line = 2 if 2 * width <= 78 else 1
        rows = [Content.from_markup("[b]Demo accounts[/b] (staff number/PIN and what to try)")]
        for i in range(0, len(cells), per_line):
            rows.append(Content("".join(cell.ljust(width) for cell in cells[i:i + per_line]).rstrip()))
        return Content("\n").join(rows)

    @on(Input.Submitted, "#number")
    def _to_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _submit(self) -> None:
        from counter_tui.services import staff
        from counter_tui.services.errors import SignInRefused, StoreError

        error = self.query_one("#error", Static)
        if self.app.ctx is None:
            self._waiting = True
            error.update("Opening the database…")
            return
        number = self.query_one("#number", Input).value
        pin_input = self.query_one("#pin", Input)
        pin, pin_input.value = pin_input.value, ""
        self._wait_until = None
        try:
            actor = staff.sign_in(self.app.ctx, number, pin)
        except staff.PinChangeNeeded as needed:
            error.update("")
            self.app.push_screen(ChangePinScreen(needed.actor, pin, weak=needed.weak), self._pin_changed)
            return
        except SignInRefused as refused:
            if isinstance(refused, staff.SignInWait):
                self._wait_until = refused.until
            self._shown = str(refused)
            error.update(Content(self._shown))
            pin_input.focus()
            return
        except StoreError as problem:
            error.update(Content(str(problem)))
            return
        self.app.signed_in(actor)

    def _pin_changed(self, actor: Actor | None) -> None:
        """Signed in with the PIN just chosen; or back here, the PIN unchanged."""
        if actor is not None:
            self.app.signed_in(actor)
            return
        self.query_one("#error", Static).update("Your PIN was not changed: sign in again to choose your own.")
        self.query_one("#pin", Input).focus()
