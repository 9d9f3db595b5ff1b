"""Contacts (a call, an interview, a follow-up flow) and the steps taken in them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Contact(BaseModel):
    """A guided contact as its projection holds it."""

    model_config = ConfigDict(frozen=True)

    id: str
    pack: str
    flow: str
    channel: str
    staff_number: str
    staff_name: str
    office: str
    customer_name: str
    reference: str
    query: str
    status: str
    """`open` while steps are being taken, `finished` once the record is complete."""
    step: str
    started_at: datetime
    ended_at: datetime | None = None
    outcome: str | None = None
    note: str = ""
    note_version: int = 0
    task_id: str | None = None
    """The task this contact was opened from (a call-back), if any."""
    incident_id: str | None = None
    immediate_risk: bool = False
    customer_id: str | None = None
    """The customer in the register, where they were found or added at the start."""
    connection_ended_at: datetime | None = None
    """When a video contact's connection ended (None while it is up)."""


class StepTaken(BaseModel):
    """A decision taken in a contact, as stored with its timestamp."""

    model_config = ConfigDict(frozen=True)

    contact_id: str
    position: int
    step: str
    number: int
    label: str
    said: list[str]
    at: datetime
    actor: str
