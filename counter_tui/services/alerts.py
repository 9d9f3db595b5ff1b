"""Silent calls for help: "if safe to do so alert other members of staff" (council guidance 4).

One key on a contact screen raises an alert; every other terminal signed in at that office sees it
within a couple of seconds (each polls the shared database: no extra server) until someone
acknowledges it. Raising and acknowledging are events on the record.
"""

from __future__ import annotations

from counter_tui.models.alert import Alert
from counter_tui.models.staff import Actor
from counter_tui.services.context import Context
from counter_tui.store import projections, queries
from counter_tui.store.connection import write


def raise_alert(ctx: Context, actor: Actor, contact_id: str | None = None, channel: str = "") -> str:
    """Ask the other terminals at the actor's office for help; returns the alert's id."""
    db = ctx.store.db
    with write(db):
        alert_id = projections.next_id(db, "alert", "A")
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="alert.raised",
            stream=f"alert:{alert_id}",
            payload={"alert_id": alert_id, "office": actor.office, "staff_name": actor.name,
                     "contact_id": contact_id, "channel": channel},
        )
    return alert_id


def alerts_for(ctx: Context, actor: Actor) -> list[Alert]:
    """Open calls for help at the actor's office raised by someone else."""
    return [Alert(**row) for row in queries.open_alerts(ctx.store.db, actor.office) if row["raised_by"] != actor.number]


def acknowledge(ctx: Context, actor: Actor, alert_id: str) -> None:
    """Say that you are going to help (recorded with who and when); the alert closes everywhere."""
    db = ctx.store.db
    with write(db):
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="alert.acknowledged",
            stream=f"alert:{alert_id}", payload={"alert_id": alert_id, "staff_name": actor.name},
        )


def acknowledged_by(ctx: Context, alert_id: str) -> str | None:
    """The name of whoever acknowledged the alert, or None while it is open."""
    return queries.alert_acknowledged_by(ctx.store.db, alert_id)
