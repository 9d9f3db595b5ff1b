"""Staff members and the signed-in actor every event is attributed to."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StaffMember(BaseModel):
    """A member of staff as the staff register holds them (never their PIN)."""

    model_config = ConfigDict(frozen=True)

    number: str
    """Staff number, typed at sign-in."""
    name: str
    role: str
    """A role id from the active policy pack."""
    office: str
    active: bool = True
    """False once disabled (`counter staff disable`): they cannot sign in."""
    must_change_pin: bool = False
    """Their PIN was set by an administrator (added or reset): they choose their own at the next sign-in."""
    line_manager: str | None = None
    """Their own line manager's staff number (None: not recorded); their welfare tasks go to them."""


class Actor(BaseModel):
    """Whoever is signed in: the `actor` and `role` of every event they cause."""

    model_config = ConfigDict(frozen=True)

    number: str
    name: str
    role: str
    office: str
