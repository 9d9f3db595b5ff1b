"""Who may run which `counter` command: a member of staff signed in with their number and PIN whose
role allows it, or the administrator (the operating-system user who owns the database file).

None of the five procedures says anything about a command line, so which roles may run each
command is configuration (`command_roles` in the settings), with the defaults below: managers may
read what is due, print and export; only the administrator manages staff and runs retention.
Every command run is an event naming who ran it.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from counter_tui.models.staff import Actor
from counter_tui.services.access import refuse, require_active
from counter_tui.services.context import Context
from counter_tui.store import projections
from counter_tui.store.connection import write

ADMINISTRATOR_ROLE = "administrator"

_MANAGERS = ["line_manager", "team_leader", "nominated_manager", "eo_counter_manager", "heo_counter_manager", "heo",
             "seo", "grade7", "senior", "head_of_department", "service_team_manager", "determination_team"]
"""The managing roles of the shipped packs (a pack's own role ids; those it lacks are ignored)."""

DEFAULT_ROLES: dict[str, list[str]] = {
    "queue": _MANAGERS,
    "print": _MANAGERS,
    "export incidents": _MANAGERS,
    "outbox": _MANAGERS,
    "staff list": _MANAGERS,
    "staff add": [],
    "staff set": [],
    "staff disable": [],
    "staff reset-pin": [],
    "retention run": [],
}
"""Roles allowed each command when the configuration does not say ([] : the administrator only)."""


class NotAdministrator(Exception):
    """`--admin` by someone other than the owner of the database file; the message says who owns it."""


def os_user() -> str:
    """The operating-system user running this command, by name (their id where the name is unknown)."""
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def administrator(ctx: Context) -> Actor:
    """The administrator: allowed only to the operating-system user who owns the database file.

    Raises:
        NotAdministrator: someone else owns it.
    """
    path = Path(ctx.store.path)
    ctx.store.db  # opened (and so created, owned by whoever runs this, when it did not exist)
    owner = path.stat().st_uid
    if owner != os.getuid():
        try:
            owner_name = pwd.getpwuid(owner).pw_name
        except KeyError:
            owner_name = str(owner)
        raise NotAdministrator(f"--admin is for the owner of the database file ({owner_name}); "
                               f"you are {os_user()}: sign in with --as NUMBER")
    user = os_user()
    return Actor(number=f"administrator (os user {user})", name=f"administrator (os user {user})",
                 role=ADMINISTRATOR_ROLE, office="")


def allowed_roles(ctx: Context, command: str) -> list[str]:
    """The pack's roles that may run `command` signed in as staff (configuration, else the default)."""
    roles = ctx.settings.command_roles.get(command, DEFAULT_ROLES.get(command, []))
    known = {role.id for role in ctx.pack.roles}
    return [role for role in roles if role in known]


def authorise(ctx: Context, actor: Actor, command: str) -> None:
    """Refuse a member of staff whose role may not run `command` (recorded), then record the command.

    Raises:
        Refused: their role may not run it ("You cannot run `counter staff add`: ...").
        ActorDisabled: they were disabled (a store error, as on every write).
    """
    require_active(ctx, actor)
    if actor.role != ADMINISTRATOR_ROLE:
        roles = allowed_roles(ctx, command)
        if actor.role not in roles:
            names = {r.id: r.name for r in ctx.pack.roles}
            who = " or the ".join(names[r] for r in roles)
            reason = f"only the {who} may run it" if roles else "only the administrator (the owner of the database file, --admin) may run it"
            refuse(ctx, actor, f"run `counter {command}`", reason)
    db = ctx.store.db
    with write(db):
        projections.record(db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="cli.command_run",
                           stream=f"staff:{actor.number}", payload={"command": command, "os_user": os_user()})
