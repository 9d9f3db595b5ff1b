"""The positive-action log (council 15.3): good conduct from a customer who normally behaves
unacceptably, logged by any member of staff and shown on the customer's record beside their
incidents, so the picture is balanced. Only where the pack keeps such a log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui.clock import parse_iso
from counter_tui.models.staff import Actor
from counter_tui.services import customers, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.store import projections
from counter_tui.store.connection import write
from counter_tui.text import TextProblem, clean_text


@dataclass(frozen=True)
class Entry:
    at: datetime
    note: str
    staff_name: str


def log(ctx: Context, actor: Actor, customer_id: str, note: str) -> str:
    """Log good conduct from a customer; returns the entry's id.

    Raises:
        Refused: the pack keeps no positive-action log.
        FieldErrors: `note` is empty or cannot be accepted.
    """
    if ctx.pack.positive_action_log is None:
        raise Refused(f"The {ctx.pack.name} procedure keeps no positive-action log.")
    try:
        text = clean_text(note, max_length=20_000, multiline=True, required=True)
    except TextProblem as problem:
        raise FieldErrors({"note": str(problem)}) from None
    customer = customers.get(ctx, customer_id)
    db = ctx.store.db
    with write(db):
        entry_id = projections.next_id(db, "positive_action", "G")
        projections.record(db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="customer.positive_action",
                           stream=f"customer:{customer.id}",
                           payload={"entry_id": entry_id, "customer_id": customer.id, "note": text, "office": actor.office})
    return entry_id


def for_customer(ctx: Context, customer_id: str, *, limit: int = 5) -> tuple[int, list[Entry]]:
    """How many entries a customer has, and the newest few."""
    db = ctx.store.db
    total = db.execute("SELECT count(*) FROM positive_actions WHERE customer_id = ?", [customer_id]).fetchone()[0]
    rows = db.execute("SELECT at, note, staff_number FROM positive_actions WHERE customer_id = ? ORDER BY at DESC, id DESC "
                      "LIMIT ?", [customer_id, limit]).fetchall()
    return total, [Entry(parse_iso(r[0]), r[1], staff.name_of(ctx, r[2])) for r in rows]
