"""Incidents: what happened to a member of staff, opened when a contact ends."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Incident(BaseModel):
    """An incident as its projection holds it."""

    model_config = ConfigDict(frozen=True)

    id: str
    contact_id: str
    channel: str
    office: str
    staff_number: str
    customer_name: str
    reference: str
    occurred_at: datetime
    summary: str
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    report: dict[str, str] = {}
    """The incident report form: as typed so far, then as completed."""
    report_version: int = 0
    reported_at: datetime | None = None
    """When the incident report form was completed (None: still due)."""
    reported_by: str | None = None
    distribution: list[str] = []
    """Who the completed form was sent to, as recorded (name, and address where configured)."""
