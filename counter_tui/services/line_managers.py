"""Each member of staff's own line manager, on the staff register: who their welfare tasks go to
and whom they call at once when they refuse to serve a customer face to face.

HMPO, "What a line manager must do if a member of staff is threatened": "If a member of staff has
dealt with or refused to serve a customer showing threatening, abusive or violent behaviour, you
(the line manager) must: 1. Speak with the member of staff...". "Customer conduct: how we support
staff": "If you refuse to serve a customer, you must: refer them to your line manager (if you are in
a face to face setting)". Where no line manager is recorded, the task goes to the line managers of
the office (the task's role), and the screens say so.
"""

from __future__ import annotations

import sqlite_utils

from counter_tui.models.contact import Contact
from counter_tui.models.staff import Actor, StaffMember
from counter_tui.models.task import Task
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors
from counter_tui.store import projections
from counter_tui.store import staff as register
from counter_tui.store.connection import write

ASSIGN = "staff_line_manager"
"""`TaskSpec.assign_to` for a task given to the line manager of the member of staff who dealt with the customer."""


def manager_roles(ctx: Context) -> set[str]:
    """The roles a line manager must hold: those of the pack's tasks given to a member of staff's
    line manager (empty: the pack gives none, and anyone on the register may be one)."""
    return {t.role for t in ctx.pack.tasks if t.assign_to == ASSIGN}


def check(ctx: Context, db: sqlite_utils.Database, number: str, line_manager: str) -> str:
    """The line manager's staff number, checked: on the register, active, not the member themselves,
    and holding the role the pack gives their tasks to.

    Raises:
        FieldErrors: beside `line_manager`, saying why.
    """
    wanted = line_manager.strip()
    if wanted == number:
        raise FieldErrors({"line_manager": "A member of staff cannot be their own line manager."})
    found = register.member(db, wanted)
    if found is None:
        raise FieldErrors({"line_manager": f"No member of staff has the number {wanted}: add the line manager first."})
    if not found.active:
        raise FieldErrors({"line_manager": f"Staff number {wanted} ({found.name}) is disabled."})
    roles = manager_roles(ctx)
    if roles and found.role not in roles:
        known = {r.id: r.name for r in ctx.pack.roles}
        names = " or the ".join(known.get(r, r) for r in sorted(roles))
        raise FieldErrors({"line_manager": f"{found.name} ({wanted}) is a {known.get(found.role, found.role)}, not the "
                                           f"{names} the {ctx.pack.id} pack gives a member of staff's welfare to."})
    return found.number


def set_line_manager(ctx: Context, number: str, line_manager: str | None, actor: Actor | None = None) -> StaffMember:
    """Record (or with None, forget) a member of staff's own line manager.

    Raises:
        FieldErrors: no such member of staff (`number`), or a line manager who cannot be theirs.
    """
    by = {"actor": actor.number, "role": actor.role} if actor else {"actor": "admin", "role": "administrator"}
    db = ctx.store.db
    with write(db):
        member = register.member(db, number.strip())
        if member is None:
            raise FieldErrors({"number": f"No member of staff has the number {number.strip()}."})
        chosen = check(ctx, db, member.number, line_manager) if line_manager is not None else None
        register.set_line_manager(db, member.number, chosen)
        projections.record(db, at=ctx.clock.now(), **by, kind="staff.line_manager_set", stream=f"staff:{member.number}",
                           payload={"number": member.number, "line_manager": chosen})
    return member.model_copy(update={"line_manager": chosen})


def recorded(db: sqlite_utils.Database, number: str) -> StaffMember | None:
    """The active line manager recorded for this member of staff (None: none, or disabled since)."""
    member = register.member(db, number)
    if member is None or member.line_manager is None:
        return None
    manager = register.member(db, member.line_manager)
    return manager if manager is not None and manager.active else None


def assignee_for(db: sqlite_utils.Database, staff_number: str) -> str | None:
    """Whom a task for this member of staff's line manager is given to (None: the role at the office)."""
    manager = recorded(db, staff_number)
    return manager.number if manager else None


def to_call(ctx: Context, contact: Contact) -> str:
    """Whom the member of staff dealing with the customer calls now: their own line manager, or else
    the line managers of the office (the roles the pack gives their welfare to)."""
    db = ctx.store.db
    manager = recorded(db, contact.staff_number)
    if manager is not None:
        return f"Call your line manager now: {manager.name}, staff number {manager.number}."
    roles = sorted(manager_roles(ctx)) or ["line_manager"]
    office = [m for role in roles for m in register.with_role(db, role, contact.office)]
    listed = "; ".join(f"{m.name}, staff number {m.number}" for m in office) or "none is on the register"
    return (f"No line manager is recorded for you: call a line manager of {contact.office} now ({listed}). "
            "Ask your administrator to record yours (counter staff set).")


def whom(ctx: Context, contact: Contact) -> str:
    """Who the member of staff dealing with the customer refers them to, as the record says it."""
    manager = recorded(ctx.store.db, contact.staff_number)
    if manager is not None:
        return f"{manager.name}, staff number {manager.number}"
    return f"no line manager recorded: a line manager of {contact.office}"


def queued_for(ctx: Context, task: Task, actor: Actor) -> str:
    """Who a task given to a member of staff's line manager is for, as the queue shows it ("" for other tasks)."""
    spec = next((t for t in ctx.pack.tasks if t.id == task.spec), None)
    if spec is None or spec.assign_to != ASSIGN:
        return ""
    if task.assignee is None:
        return "no line manager recorded: for the office's line managers"
    return "you are their line manager" if task.assignee == actor.number else f"for {register.name_of(ctx.store.db, task.assignee) or task.assignee}"
