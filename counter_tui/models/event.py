"""An entry in the append-only, hash-chained event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """One thing that happened: who, in which role, when (UTC), what, and its details."""

    model_config = ConfigDict(frozen=True)

    seq: int
    at: datetime
    actor: str
    role: str
    kind: str
    stream: str
    """The record the event belongs to, for example `contact:C-0001`."""
    payload: dict[str, Any]
    prev_hash: str
    hash: str
