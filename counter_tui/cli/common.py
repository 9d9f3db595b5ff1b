"""What every `counter` command shares: the --db, --config and --policy options, opening the
settings and the database, one-line failures, and running the app."""

from __future__ import annotations

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
