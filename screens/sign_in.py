"""The sign-in screen: staff number and PIN on a shared terminal (with the demo's accounts in a demo).

The first screen painted: it imports no service at load time, so it shows while the app opens the
database behind it (`context_ready` is called once it is open).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static


class SignInScreen(Screen):
    """Who is at the terminal: every event they cause carries their staff number and role."""

    CSS_PATH = "sign_in.tcss"
    AUTO_FOCUS = "#number"

    _waiting = False
    """Enter was pressed before the database was open: sign in as soon as it is."""

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
        if self.app.ctx is not None:
            self.context_ready()

    def context_ready(self) -> None:
        """The database is open: name the organisation, and show the demo accounts or how to add staff."""
        from counter_tui.services import staff

        ctx = self.app.ctx
        self.query_one("#sign-in").border_title = f"Sign in to {ctx.settings.organisation}"
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
        try:
            actor = staff.sign_in(self.app.ctx, number, pin_input.value)
        except SignInRefused as refused:
            error.update(Content(str(refused)))
            pin_input.value = ""
            pin_input.focus()
            return
        except StoreError as problem:
            error.update(Content(str(problem)))
            return
        self.app.signed_in(actor)
