"""Letters and the e-mail they send: as their projections hold them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Letter(BaseModel):
    """A letter the guidance requires, from its draft to its sign-off and what followed."""

    model_config = ConfigDict(frozen=True)

    id: str
    spec: str
    """The pack's letter id (`interview_warning`)."""
    incident_id: str | None
    contact_id: str | None
    office: str
    """The office where the incident happened (the drafter's and the notice's office)."""
    customer_name: str
    reference: str
    status: str
    """`deciding` (whether to write it at all, where the guidance leaves it to the drafter), `drafting`,
    `submitted` (waiting for sign-off), `returned` (with a reason), `approved`, or one of the two ends
    without a letter: `not_agreed` (the approver's reason) or `declined` (the drafter decided not to write)."""
    draft: dict[str, str] = {}
    """The letter as last saved: subject, body, application office, live application ({} : not saved yet)."""
    version: int = 0
    editors: list[str] = []
    """Staff numbers of everyone who saved or sent its text: none of them may sign it off."""
    drafted_by: str | None = None
    """Who last sent it for sign-off."""
    submitted_at: datetime | None = None
    returned_reason: str = ""
    returned_by: str | None = None
    approved_by: str | None = None
    approved_name: str | None = None
    """The approver's name and role, as printed on the letter."""
    approved_at: datetime | None = None
    closed_reason: str = ""
    """Why it ended without a letter: the approver did not agree, or the drafter decided not to write it."""
    closed_by: str | None = None
    closed_at: datetime | None = None
    decision_reason: str = ""
    """The drafter's reason for deciding to write it, where the guidance leaves that to them (optional)."""
    actions: list[dict] = []
    """What followed the sign-off, each step the guidance lists: {title, state, ref}."""
    created_at: datetime


class OutboxMessage(BaseModel):
    """An e-mail Counter sends: a copy of a letter, or a notice to other offices."""

    model_config = ConfigDict(frozen=True)

    id: str
    letter_id: str | None
    incident_id: str | None
    purpose: str
    """Why it goes, in the guidance's words ("Send a copy of the letter to the security liaison officer")."""
    list_name: str
    """The configured list it goes to (`[mail_lists]`)."""
    recipients: list[str]
    subject: str
    body: str
    attachment_name: str | None = None
    status: str
    """`queued`, `sending`, `sent`, `failed` (retried later) or `held` (waits for a person: see `last_error`)."""
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str = ""
    created_at: datetime
    sent_at: datetime | None = None
