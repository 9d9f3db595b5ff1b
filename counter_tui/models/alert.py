"""A silent call for help raised from a contact screen, shown on every other terminal at the office."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Alert(BaseModel):
    """An open call for help."""

    model_config = ConfigDict(frozen=True)

    id: str
    raised_by: str
    """Staff number of whoever needs help."""
    raised_name: str
    contact_id: str | None
    channel: str
    raised_at: datetime
