"""The customer register, as the start of a contact uses it: find a customer by name or application
reference, add one, and change their details without overwriting a change made elsewhere.
"""

from __future__ import annotations

import sqlite_utils
from pydantic import BaseModel, ValidationError

from counter_tui.models.customer import Customer, CustomerSummary
from counter_tui.models.staff import Actor
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, NotFound
from counter_tui.store import customers as register
from counter_tui.store import projections
from counter_tui.store.connection import write
from counter_tui.text import Name, Reference


class CustomerDetails(BaseModel):
    """Who the customer is: a name, an application reference, or both."""

    name: Name = ""
    reference: Reference = ""


class CustomerConflict(Exception):
    """The customer's record was changed elsewhere since this copy was read; the newer one is `current`."""

    def __init__(self, current: Customer) -> None:
        self.current = current
        super().__init__(
            f"{current.name or 'This customer'}'s record was changed elsewhere (now: "
            f"{current.name or 'no name'}, {current.reference or 'no reference'}). Nothing was overwritten."
        )


def details(name: str, reference: str) -> CustomerDetails:
    """Validated details, or FieldErrors keyed `name` / `reference`."""
    try:
        return CustomerDetails(name=name, reference=reference)
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None


def find(ctx: Context, *, name: str = "", reference: str = "", limit: int = 8) -> list[CustomerSummary]:
    """Customers matching what has been typed so far (part of a name, the start of a reference),
    each with their earlier warnings by channel. Hostile text is only ever a bound parameter."""
    return register.search(ctx.store.db, name=name, reference=reference, limit=limit)


def get(ctx: Context, customer_id: str) -> Customer:
    found = register.customer(ctx.store.db, customer_id)
    if found is None:
        raise NotFound(f"No customer {customer_id}.")
    return found


def summary(ctx: Context, customer_id: str, *, before: str = "") -> CustomerSummary:
    return register.summary(ctx.store.db, get(ctx, customer_id), before=before)


def _add(db: sqlite_utils.Database, ctx: Context, actor: Actor, found: CustomerDetails) -> str:
    customer_id = projections.next_id(db, "customer", "P")
    projections.record(
        db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="customer.added",
        stream=f"customer:{customer_id}", payload={"customer_id": customer_id, **found.model_dump()},
    )
    return customer_id


def _existing(db: sqlite_utils.Database, found: CustomerDetails) -> Customer | None:
    """The customer these details name: the same application reference, or with no reference given,
    the one customer with exactly this name."""
    if found.reference:
        return register.by_reference(db, found.reference)
    named = register.by_name(db, found.name) if found.name else []
    return named[0] if len(named) == 1 else None


def matching(ctx: Context, *, name: str, reference: str) -> Customer | None:
    """The customer a contact started with these details would be (None: a new customer, or not known)."""
    try:
        return _existing(ctx.store.db, details(name, reference))
    except FieldErrors:
        return None


def resolve(db: sqlite_utils.Database, ctx: Context, actor: Actor, name: str, reference: str) -> str | None:
    """Inside a write: the customer these details name, added if there is none. None when nothing
    was given: the customer is not known yet."""
    found = details(name, reference)
    if not found.name and not found.reference:
        return None
    same = _existing(db, found)
    return same.id if same is not None else _add(db, ctx, actor, found)


def other_with_reference(db: sqlite_utils.Database, reference: str, customer_id: str) -> Customer | None:
    """The customer other than `customer_id` who has this application reference, if any."""
    same = register.by_reference(db, reference)
    return same if same is not None and same.id != customer_id else None


def add(ctx: Context, actor: Actor, *, name: str, reference: str) -> str:
    """Add a customer (or return the one with this reference already) and return their id."""
    db = ctx.store.db
    with write(db):
        customer_id = resolve(db, ctx, actor, name, reference)
    if customer_id is None:
        raise FieldErrors({"name": "Give a name or an application reference."})
    return customer_id


def change(db: sqlite_utils.Database, ctx: Context, actor: Actor, customer_id: str, *, name: str, reference: str,
           version: int) -> int:
    """Inside a write: change the customer's name or reference if `version` is still current; returns
    the new version.

    Raises:
        CustomerConflict: someone changed the record since `version` was read; nothing is written.
    """
    found = details(name, reference)
    current = register.customer(db, customer_id)
    if current is None:
        raise NotFound(f"No customer {customer_id}.")
    if current.version != version:
        raise CustomerConflict(current)
    if (current.name, current.reference) == (found.name, found.reference):
        return version
    projections.record(
        db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="customer.changed",
        stream=f"customer:{customer_id}",
        payload={"customer_id": customer_id, **found.model_dump(), "version": version + 1},
    )
    return version + 1
