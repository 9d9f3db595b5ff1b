"""What every `counter` command shares: the --db, --config and --policy options, opening the
settings and the database, one-line failures, and running the app."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from counter_tui.startup import StartupProblem, load_settings_or_fail, open_context

db_option = click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), envvar="COUNTER_DB",
    help="The database file (default: your data directory; or COUNTER_DB).",
)
config_option = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), envvar="COUNTER_CONFIG",
    help="The organisation's configuration file (TOML).",
)
policy_option = click.option("--policy", "policy", help="Policy pack id or file, overriding the configuration.")


def fail(message: str) -> None:
    click.echo(f"counter: {message}", err=True)
    sys.exit(1)


def settings_from(config_path: Path | None, policy: str | None = None):
    try:
        return load_settings_or_fail(config_path, policy)
    except StartupProblem as problem:
        fail(str(problem))


def context_for(db_path: Path | None, config_path: Path | None, policy: str | None = None, settings=None):
    try:
        return open_context(db_path, config_path, policy, settings)
    except StartupProblem as problem:
        fail(str(problem))


def run_app(ctx=None, *, open_later=None, demo_logins=None) -> None:
    """Run the app on an open context, or on one it opens itself after painting its first screen."""
    from counter_tui.app import CounterApp

    app = CounterApp(ctx, open_context=open_later, demo_logins=demo_logins)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def pick(click_ctx: click.Context, db_path: Path | None, config_path: Path | None = None):
    obj = click_ctx.obj or {}
    return db_path or obj.get("db_path"), config_path or obj.get("config_path"), obj.get("policy")


def read_secret(prompt: str) -> str:
    """A PIN typed without echo at a terminal, or the next line of standard input (for scripts)."""
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"{prompt}: ")
    return sys.stdin.readline().rstrip("\r\n")


def signed_in(command: str):
    """Decorate a command that reads or changes records: it runs only for a member of staff whose
    number and PIN are right and whose role may run `command`, or for the administrator.

    Adds `--as NUMBER` (or COUNTER_STAFF; the PIN is read without echo, or from the first line of
    standard input when that is not a terminal), `--admin` (only for the operating-system user who
    owns the database file), `--db` and `--config`. The command is called with `ctx` (the open
    context) and `who` (the actor) in place of those options; the run is recorded as an event.
    """

    def decorate(function):
        @click.option("--as", "as_number", envvar="COUNTER_STAFF", metavar="NUMBER",
                      help="Your staff number (or COUNTER_STAFF); your PIN is asked without echo, or read from standard input's first line.")
        @click.option("--admin", "as_admin", is_flag=True,
                      help="Run as the administrator: only for the operating-system user who owns the database file.")
        @db_option
        @config_option
        @click.pass_context
        @functools.wraps(function)
        def command_with_sign_in(click_ctx, as_number, as_admin, db_path, config_path, **arguments):
            db, config, policy_id = pick(click_ctx, db_path, config_path)
            ctx = context_for(db, config, policy_id)
            who = _who(ctx, command, as_number, as_admin)
            return function(ctx=ctx, who=who, **arguments)

        return command_with_sign_in

    return decorate


def _who(ctx, command: str, as_number: str | None, as_admin: bool):
    """The actor running `command`, signed in and allowed; otherwise one line and a non-zero exit."""
    from counter_tui.services import command_access
    from counter_tui.services import staff as staff_service
    from counter_tui.services.errors import Refused, SignInRefused, StoreError

    if bool(as_number) == as_admin:
        fail("say who you are: --as NUMBER (your PIN is then asked), or --admin if you own the database file")
    try:
        if as_admin:
            who = command_access.administrator(ctx)
        else:
            who = staff_service.sign_in(ctx, as_number, read_secret(f"PIN for {as_number}"))
        command_access.authorise(ctx, who, command)
    except command_access.NotAdministrator as problem:
        fail(str(problem))
    except staff_service.PinChangeNeeded as needed:
        fail("your PIN breaks today's rule for PINs: choose a new one at the app's sign-in screen first" if needed.weak
             else "your PIN was set by an administrator: choose your own at the app's sign-in screen first")
    except (SignInRefused, Refused, StoreError) as problem:
        fail(str(problem))
    return who
