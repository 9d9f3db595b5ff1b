"""Role and person checks in the services: a refusal is a clear message and an event on the record."""

from __future__ import annotations

from counter_tui.models.staff import Actor
from counter_tui.services.context import Context
from counter_tui.services.errors import Refused
from counter_tui.store import projections
from counter_tui.store import staff as register
from counter_tui.store.connection import write


def require_active(ctx: Context, actor: Actor) -> None:
    """Refuse a member of staff disabled since they signed in (their open session ends here).

    Every write already checks this inside its own transaction (`store.staff.check_active`, called
    as each event is appended); reads of restricted detail call this first.
    """
    register.check_active(ctx.store.db, actor.number)


def require_welfare_reader(ctx: Context, actor: Actor, subject: str, author: str, writer_role: str, what: str) -> None:
    """Refuse anyone but the member of staff the welfare record is about (`subject`), the manager who
    wrote it (`author`), or a holder of the role that writes these records at the subject's own office.

    The packs name no other role that may read a member of staff's welfare record, and the data holds
    no line-manager relation beyond the office, so a line manager at another office is refused.
    """
    if actor.number in (subject, author):
        return
    office = register.office_of(ctx.store.db, subject)
    if actor.role == writer_role and office is not None and actor.office == office:
        return
    _refuse(ctx, actor, what, "only the member of staff and their own line manager may read it")


def require_role(ctx: Context, actor: Actor, role: str, what: str) -> None:
    """Refuse unless the actor holds `role`; a refusal is recorded before it is raised.

    Args:
        what: the action, as the end of "You cannot ...", for example "start 'Call-back'".
    """
    if actor.role == role:
        return
    needed = ctx.pack.role(role).name if role in {r.id for r in ctx.pack.roles} else role
    _refuse(ctx, actor, what, f"only the {needed} may do this")


def require_any_role(ctx: Context, actor: Actor, roles: list[str], what: str) -> None:
    """Refuse unless the actor holds one of `roles` (the pack's deciders of a measure, say); recorded."""
    if actor.role in roles:
        return
    known = {r.id: r.name for r in ctx.pack.roles}
    names = " or the ".join(known.get(r, r) for r in roles) or "nobody"
    _refuse(ctx, actor, what, f"only the {names} may do this")


def require_person(ctx: Context, actor: Actor, number: str, what: str) -> None:
    """Refuse unless the actor is staff member `number` (their own record); a refusal is recorded."""
    if actor.number != number:
        _refuse(ctx, actor, what, "it is another member of staff's own record")


def require_four_eyes(ctx: Context, actor: Actor, authors: list[str], what: str) -> None:
    """Refuse anyone who wrote what is to be approved: whoever drafts a letter (or proposes a
    marker or restriction) can never approve it. One rule, shared by every sign-off; recorded."""
    if actor.number in authors:
        _refuse(ctx, actor, what, "you drafted it, and a decision needs a second person")


def refuse(ctx: Context, actor: Actor, what: str, reason: str) -> None:
    """Record a refusal as an event, then raise it (`Refused`: "You cannot WHAT: REASON.")."""
    _refuse(ctx, actor, what, reason)


def _refuse(ctx: Context, actor: Actor, what: str, reason: str) -> None:
    """Record the refusal as an event, then raise it."""
    db = ctx.store.db
    with write(db):
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="access.refused",
            stream=f"staff:{actor.number}", payload={"what": what, "reason": reason},
        )
    raise Refused(f"You cannot {what}: {reason}.")
