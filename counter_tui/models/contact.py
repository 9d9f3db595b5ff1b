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
    taken_over_by: str | None = None
    """The staff number of the manager who last took the contact over (None: still its starter's)."""
    taken_over_name: str | None = None
    """Their name, as the take-over recorded it."""
    taken_over_at: datetime | None = None
    """When they took it over."""

    @property
    def handler_number(self) -> str:
        """Whose contact it is now: the manager who took it over, else whoever started it."""
        return self.taken_over_by or self.staff_number

    @property
    def handler_name(self) -> str:
        """The name of whoever handles it now."""
        return self.taken_over_name or self.staff_name


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
