"""Opening Counter's context (settings, policy pack, database) with every failure as one line.

Light at import time: the heavy modules load inside `open_context`, so the app can paint its first
screen before calling it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counter_tui.config import Settings
    from counter_tui.services.context import Context


class StartupProblem(Exception):
    """The context could not be opened; the message is the one line to show."""


def load_settings_or_fail(config_path: Path | None, policy: str | None = None) -> Settings:
    """The organisation's settings from a file (or defaults), with `policy` overriding the pack.

    Raises:
        StartupProblem: the file cannot be read or a field is invalid.
    """
    from counter_tui.config import ConfigError, load_settings
    from counter_tui.locations import default_config

    try:
        settings = load_settings(config_path or default_config())
    except ConfigError as error:
        raise StartupProblem(str(error)) from None
    if policy:
        settings = settings.model_copy(update={"policy": policy})
    return settings


def open_context(
    db_path: Path | None, config_path: Path | None = None, policy: str | None = None, settings: Settings | None = None
) -> Context:
    """Open the database (creating and migrating it) with the configured, linted policy pack.

    Raises:
        StartupProblem: the configuration, the pack or the database cannot be used.
    """
    from counter_tui.locations import default_database
    from counter_tui.policy.loader import PackError
    from counter_tui.services.context import Context
    from counter_tui.services.errors import StoreError

    settings = settings or load_settings_or_fail(config_path, policy)
    try:
        ctx = Context.open(db_path or default_database(), settings)
        ctx.store.db  # open and migrate now, so a bad file is reported here
        return ctx
    except PackError as error:
        raise StartupProblem(f"policy pack refused: {error}") from None
    except StoreError as error:
        raise StartupProblem(str(error)) from None
    except OSError as error:
        raise StartupProblem(f"cannot open the database: {error.strerror}") from None
