"""The Textual app: sign-in on a shared terminal, global keys, and the way between screens.

The only module of the core that imports textual. Screens reach the services through `app.ctx`
and the signed-in member of staff through `app.actor`.

Start-up paints the sign-in screen first and opens the context (settings, pack, database) just
after, on a thread: the staff number can be typed while it loads, and nothing heavier than textual
is imported before the first paint. If the context cannot be opened the app exits with its one-line
reason, as the CLI would.

Keys typed before the sign-in form is ready are held and then given to it in order, and Enter moves
from the staff number to the PIN at once (a priority binding on the form), so a number and PIN typed
ahead land in their own fields.

While the terminal is locked only the lock screen's own keys act: the command palette, the call for
help and quitting are refused (`LOCKED_ACTIONS` lists what the app still does), and nothing pushed
later can take the lock away (`go_home` leaves it in place).
"""

from __future__ import annotations

import time
from pathlib import Path
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from counter_tui.startup import StartupProblem

if TYPE_CHECKING:
    from counter_tui.models.staff import Actor
    from counter_tui.services.context import Context
    from counter_tui.services.demo import DemoLogin


def _counter_commands():
    """The command palette provider, imported when the palette first opens."""
    from counter_tui.screens.commands import CounterCommands

    return CounterCommands


ALERT_POLL_SECONDS = 1.0
"""How often each terminal looks for calls for help at its office (they must show within two seconds)."""

MAIL_SECONDS = 30.0
"""How often the outbox is tried (and at once after a sign-off), on a thread of its own."""

IDLE_CHECK_SECONDS = 15
"""How often to look whether the terminal has been left alone past the configured idle time."""

LOCKED_ACTIONS = frozenset({"quit", "show_keys", "show_help_panel", "hide_help_panel", "focus_next",
                            "focus_previous", "help_quit", "bell"})
"""The app's own actions that still run while the terminal is locked (`quit` only to say it is refused)."""


class CounterApp(App[None]):
    """Counter: one key per decision, the words to say on screen, nothing typed twice."""

    TITLE = "Counter"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {_counter_commands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "show_keys", "Keys", id="keys"),
        Binding("ctrl+o", "sign_out", "Sign out", id="sign_out"),
        Binding("f2", "lock", "Lock / switch user", id="lock", priority=True, show=False),
        Binding("ctrl+g", "get_help", "Get help", id="get_help", priority=True),
    ]

    def __init__(
        self,
        ctx: Context | None = None,
        *,
        open_context: Callable[[], Context] | None = None,
        demo_logins: list[DemoLogin] | None = None,
    ) -> None:
        """Args:
        ctx: the services' context (database, pack, settings, clock), when already open.
        open_context: otherwise, how to open it (raising StartupProblem), called after first paint.
        demo_logins: the demo's accounts, shown on the sign-in screen of `counter demo`.
        """
        from counter_tui.screens.widgets.paste import install_paste_parser

        install_paste_parser()  # pastes arrive as text, never as key presses (issue 17.2)
        super().__init__()
        if ctx is None and open_context is None:
            raise ValueError("give a context or a way to open one")
        self.ctx = ctx
        self._open_context = open_context
        self.demo_logins = demo_logins or []
        self.actor: Actor | None = None
        self.my_alert: str | None = None
        """The call for help this terminal raised, until someone acknowledges it."""
        self._held_keys: list[events.Key] | None = []
        """Keys typed before the sign-in form was ready, given to it in order once it is (then None)."""
        if ctx is not None:
            self._show_pack()

    def _show_pack(self) -> None:
        self.sub_title = self.ctx.pack.name + ("  ·  DEMO" if self.demo_logins else "")

    def on_mount(self) -> None:
        from counter_tui.screens.sign_in import SignInScreen

        self._last_input = time.monotonic()
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)
        self.set_interval(ALERT_POLL_SECONDS, self.poll_alerts)
        self.set_interval(MAIL_SECONDS, self.send_mail_now)
        self.push_screen(SignInScreen())
        if self.ctx is None:
            self.call_after_refresh(self._load_context)
        else:
            self.call_after_refresh(self._check_record)

    @work(thread=True, exclusive=True, exit_on_error=False, group="startup")
    def _load_context(self) -> None:
        try:
            ctx = self._open_context()
        except StartupProblem as problem:
            self.call_from_thread(self.exit, None, 1, f"counter: {problem}")
            return
        ctx.store.close()  # this thread's connection; each thread opens its own
        self.call_from_thread(self._context_ready, ctx)

    def _context_ready(self, ctx: Context) -> None:
        self.ctx = ctx
        self._show_pack()
        if hasattr(self.screen, "context_ready"):
            self.screen.context_ready()
        self._check_record()

    @work(thread=True, exclusive=True, exit_on_error=False, group="audit")
    def _check_record(self) -> None:
        """At every start, check the record's hash chain (incrementally: see `audit.startup_check`),
        and that other users of the machine cannot read the database file."""
        from counter_tui.private_files import exposed
        from counter_tui.services import audit
        from counter_tui.services.errors import StoreError

        readable = exposed(self.ctx.store.path)
        if readable:
            self.call_from_thread(self.notify, readable, title="The record is not private", severity="warning",
                                  timeout=30, markup=False)
        try:
            configured = self.ctx.settings.audit.head_file
            problem = audit.startup_check(self.ctx.store, head_file=Path(configured).expanduser() if configured else None)
        except StoreError:
            return  # busy or unavailable: the next start checks again
        finally:
            self.ctx.store.close()  # this thread's connection
        if problem:
            self.call_from_thread(self._record_broken, problem)

    def _record_broken(self, problem: str) -> None:
        """A warning that stays: in the title of every screen, and once as a notice."""
        self.sub_title = f"RECORD CHECK FAILED — run counter audit verify · {self.ctx.pack.name}"
        self.notify(f"The record's hash chain does not hold: {problem}. Tell your administrator; "
                    "`counter audit verify` names the first break.", title="Record check failed",
                    severity="error", timeout=60, markup=False)

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A call for help needs someone signed in (it says who and where); so do locking and signing
        out. While locked only `LOCKED_ACTIONS` run: no palette, no call for help in the locked
        member's name."""
        if self.locked and action not in LOCKED_ACTIONS:
            return False
        if action == "lock":
            return self.actor is not None and self.ctx is not None and not self.locked
        if action in ("get_help", "sign_out", "command_palette"):  # at the sign-in screen: nobody to sign out,
            # nobody to call help for, and no jumps (the palette's are the signed-in member's)
            return self.actor is not None and self.ctx is not None
        return True

    def action_get_help(self) -> None:
        """A silent call for help to every other terminal at this office (council guidance 4), from any
        screen once signed in: the contact on screen, if any, goes with it."""
        from counter_tui.screens.help_alerts import call_for_help

        call_for_help(self)

    def action_sign_out(self) -> None:
        """Back to the sign-in screen; open contacts stay open to be resumed."""
        from counter_tui.screens.sign_in import SignInScreen

        if self.actor is None:
            return
        for screen in self.screen_stack:
            if hasattr(screen, "save_typing"):
                screen.save_typing()  # the note or form as typed so far, before the actor goes
        self.actor = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(SignInScreen())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self._last_input = time.monotonic()
        if isinstance(event, events.Key) and self._held_keys is not None and not event.is_forwarded:
            self._held_keys.append(event)  # the sign-in form is not ready yet
            return
        await super().on_event(event)

    async def release_keys(self) -> None:
        """The sign-in form is ready: the keys typed so far go to it, in order, as if typed now."""
        held, self._held_keys = self._held_keys, None
        for key in held or []:
            await super().on_event(key)

    async def action_quit(self) -> None:
        """Quit, but a shared terminal never drops to the shell without a PIN: refused while locked;
        at the sign-in screen the number and PIN typed there prove who quits (not needed in the demo,
        before the database is open, or while it has no staff)."""
        if self.locked:
            self.notify("The terminal is locked: sign in with your PIN first, then quit.", title="Locked",
                        severity="warning", markup=False)
            return
        if self.actor is None and self.ctx is not None and not self.demo_logins and hasattr(self.screen, "quit_with_pin"):
            self.screen.quit_with_pin()
            return
        self.exit()

    def on_worker_state_changed(self, event) -> None:
        """An unexpected error in the app's background work is logged and said, never lost."""
        from textual.worker import WorkerState

        if event.state != WorkerState.ERROR:
            return
        from counter_tui import logs

        error = event.worker.error
        if event.worker.group == "startup":
            logs.log_failure("opening the database", error)
            self.exit(None, 1, f"counter: the database could not be opened ({type(error).__name__}); "
                               f"the log has the detail: {logs.log_file() or logs.default_log_file()}")
            return
        self.report_failure(f"background work ({event.worker.group})", error)

    def report_failure(self, where: str, error: BaseException) -> None:
        """An unexpected error: logged (its kind and code location, never its words) and said on screen."""
        from counter_tui import logs

        logs.log_failure(where, error)
        self.notify(f"Something went wrong in {where} ({type(error).__name__}): the log has the detail "
                    f"({logs.log_file() or logs.default_log_file()}).", title="Something went wrong",
                    severity="error", timeout=30, markup=False)

    def poll_alerts(self) -> None:
        """Show a call for help from another terminal at this office; close it once someone goes;
        tell whoever asked when help is on its way."""
        if self.actor is not None and self.ctx is not None:
            from counter_tui.screens.help_alerts import poll

            poll(self)

    def send_mail_now(self) -> None:
        """Send what the outbox holds, off the UI thread, where a mail server is configured."""
        if self.ctx is not None and self.ctx.settings.smtp is not None:
            self._send_mail()

    @work(thread=True, exclusive=True, exit_on_error=False, group="outbox")
    def _send_mail(self) -> None:
        from counter_tui.services import outbox

        try:
            sent = outbox.send_due(self.ctx)
        finally:
            self.ctx.store.close()  # this thread's connection
        if sent:
            self.call_from_thread(self._mail_changed)

    def _mail_changed(self) -> None:
        """Let the screen on show read the e-mail states again (the queue's line, the outbox)."""
        if hasattr(self.screen, "mail_changed"):
            self.screen.mail_changed()

    def _check_idle(self) -> None:
        """Lock a shared terminal left alone: the lock screen covers everything until a PIN is entered."""
        minutes = self.ctx.settings.idle_lock_minutes if self.ctx is not None else 0
        if self.actor is not None and minutes > 0 and time.monotonic() - self._last_input >= minutes * 60:
            self.lock(f"Locked after {minutes:g} minutes without use.")

    @property
    def locked(self) -> bool:
        from counter_tui.screens.lock import LockScreen

        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)

    def lock(self, why: str, *, handing_over: bool = False) -> None:
        """Cover the terminal until a PIN is entered (what was open stays open underneath)."""
        from counter_tui.screens.lock import LockScreen

        if self.actor is None or self.locked:
            return
        for screen in self.screen_stack:
            if hasattr(screen, "save_typing"):
                screen.save_typing()  # the note or form as typed so far, before anyone else comes
        self.clear_notifications()  # a notice may name a customer
        if CommandPalette.is_open(self):
            self.pop_screen()
        self.push_screen(LockScreen(why, handing_over=handing_over))

    def action_lock(self) -> None:
        """Lock now, to hand the terminal over (switch user) or step away."""
        self.lock("Locked: the terminal is ready for the next member of staff.", handing_over=True)

    def unlocked(self, actor: Actor | None) -> None:
        """The lock screen's outcome: the same member of staff carries on; another one takes over
        (an open contact stays on screen, other screens go back to the start); None signs out."""
        from counter_tui.screens.lock import LockScreen

        while not isinstance(self.screen, LockScreen):
            self.pop_screen()  # a dialog above the lock (a call for help) has been answered
        self.pop_screen()
        if actor is None:
            self.action_sign_out()
            return
        if self.actor is not None and actor.number == self.actor.number:
            return
        previous = self.actor
        self.actor = actor
        if getattr(self.screen, "contact_id", None) is None:
            from counter_tui.screens.home import HomeScreen

            self.go_home()
            self.switch_screen(HomeScreen(offer_resume=True))
        self.notify(f"{actor.name} took over from {previous.name if previous else 'nobody'}.", title="Switched user",
                    markup=False)

    def action_show_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def go_home(self) -> None:
        """Back to the start screen, whatever is open above it; never past the lock screen."""
        if self.locked:
            return
        while len(self.screen_stack) > 2:
            self.pop_screen()

