"""Customers in the register: who they are, and what a member of staff must see before speaking to them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Customer(BaseModel):
    """A customer as the register holds them; `version` grows with every change (a stale edit is a conflict)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    reference: str
    version: int
    changed_at: datetime
    changed_by: str


class CustomerSummary(BaseModel):
    """A customer with what the start of a contact shows: earlier warnings by channel, earlier contacts."""

    model_config = ConfigDict(frozen=True)

    customer: Customer
    warnings: dict[str, int]
    """Warnings given in earlier contacts, by channel (only channels with any)."""
    contacts: int
    last_contact: datetime | None = None
    letters: list[tuple[str, datetime]] = []
    """Signed-off letters to this customer, newest first: (the pack's letter id, when signed off)."""
