"""The Textual app: sign-in on a shared terminal, global keys, and the way between screens.

The only module of the core that imports textual. Screens reach the services through `app.ctx`
and the signed-in member of staff through `app.actor`.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from counter_tui.models.staff import Actor
from counter_tui.services.context import Context
from counter_tui.services.demo import DemoLogin


def _counter_commands():
    from counter_tui.screens.commands import CounterCommands

    return CounterCommands


class CounterApp(App[None]):
    """Counter: one key per decision, the words to say on screen, nothing typed twice."""

    TITLE = "Counter"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {lambda: _counter_commands()}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "show_keys", "Keys", id="keys"),
        Binding("ctrl+o", "sign_out", "Sign out", id="sign_out"),
    ]

    def __init__(self, ctx: Context, *, demo_logins: list[DemoLogin] | None = None) -> None:
        """Args:
        ctx: the services' context (database, pack, settings, clock).
        demo_logins: the demo's accounts, shown on the sign-in screen of `counter demo`.
        """
        super().__init__()
        self.ctx = ctx
        self.demo_logins = demo_logins or []
        self.actor: Actor | None = None
        self.sub_title = ctx.pack.name + ("  ·  DEMO" if demo_logins else "")

    def on_mount(self) -> None:
        from counter_tui.screens.sign_in import SignInScreen

        self.push_screen(SignInScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The built-in commands, less the screenshot: on a shared terminal it writes screen contents to disk."""
        for command in super().get_system_commands(screen):
            if "screenshot" not in command.title.lower():
                yield command

    def signed_in(self, actor: Actor) -> None:
        """Show the start screen for whoever signed in, offering to resume what they left open."""
        from counter_tui.screens.home import HomeScreen

        self.actor = actor
        self.switch_screen(HomeScreen(offer_resume=True))

    def action_sign_out(self) -> None:
        """Back to the sign-in screen; open contacts stay open to be resumed."""
        from counter_tui.screens.sign_in import SignInScreen

        if self.actor is None:
            return
        self.actor = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(SignInScreen())

    def action_show_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def go_home(self) -> None:
        """Back to the start screen, whatever is open above it."""
        while len(self.screen_stack) > 2:
            self.pop_screen()
