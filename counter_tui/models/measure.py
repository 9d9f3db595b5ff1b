"""Control measures on a customer: a marker, a contact restriction or a warning given, as stored."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class Measure(BaseModel):
    """A control measure decided by the role the pack names, live until it is lifted."""

    model_config = ConfigDict(frozen=True)

    id: str
    customer_id: str
    office: str
    """The office of the decision: its review is queued there."""
    pack: str
    spec: str
    """The pack's measure type (`pv_marker`, `writing_only`...)."""
    kind: str
    """`marker`, `restriction`, `adjustment` or `warning`."""
    status: str
    """`live` or `lifted`."""
    reason: str
    detail: str = ""
    """The investigation's detail: shown only to the roles the pack names."""
    told: str = ""
    """Whether and how the customer was told, or why telling them would put staff at risk."""
    connected_person: str = ""
    """The person connected to the customer who behaved so, where it was not the customer."""
    starts_on: date
    review_on: date | None = None
    incident_id: str | None = None
    decision_task_id: str | None = None
    proposers: list[str] = []
    """Staff numbers of whoever proposed it: none of them may decide or review it."""
    set_by: str
    set_at: datetime
    version: int
    changed_by: str
    changed_at: datetime
    review_task_id: str | None = None
    lifted_reason: str = ""
