"""Preparing for an interview (HMPO, telephone section: the interview officer "will review the
application and your case notes when they prepare for the interview; know the customer may become
abusive during the interview").

A flow with `prepare` shows, when its contact starts, the earlier records (case notes, interview
notes) and incidents of the same customer or application reference, newest first, under the
guidance's words. A customer with none gets nothing to read. A member of staff's welfare record is
their HR file, never a customer's record, so it is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_tui.models.contact import Contact
from counter_tui.policy.schema import CHANNEL_NAMES
from counter_tui.services import contacts
from counter_tui.services.context import Context
from counter_tui.store import earlier_records

LIMIT = 20
"""The most earlier records, and incidents, shown (the newest)."""


@dataclass(frozen=True)
class EarlierRecord:
    """One earlier contact's finished record."""

    contact_id: str
    at: datetime
    title: str
    """The flow's title (Telephone call, Face to face interview...)."""
    staff_name: str
    fields: list[tuple[str, str]]
    """(label, text) in the form's order; a field left empty is left out."""


@dataclass(frozen=True)
class EarlierIncident:
    incident_id: str
    at: datetime
    channel: str
    summary: str


@dataclass(frozen=True)
class Preparation:
    title: str
    section: str
    guidance: list[str]
    records: list[EarlierRecord]
    incidents: list[EarlierIncident]


def _fields(ctx: Context, contact: Contact, stored: dict[str, str]) -> tuple[str, list[tuple[str, str]]] | None:
    """The flow's title and the record's fields by their labels; None for a welfare record (HR)."""
    try:
        flow = ctx.pack.flow(contact.flow)
    except KeyError:  # a contact of another pack: its labels are not known, its ids are
        return contact.flow, [(key, text) for key, text in stored.items() if text.strip()]
    if flow.staff_record:
        return None
    step = next((s for s in flow.steps if s.id == contact.step), None)
    form = ctx.pack.form(step.form) if step is not None and step.form else None
    labels = {f.id: f.label for f in form.fields} if form else {}
    order = list(labels) + [key for key in stored if key not in labels]
    return flow.title, [(labels.get(key, key), stored[key]) for key in order if stored.get(key, "").strip()]


def preparation(ctx: Context, contact_id: str) -> Preparation | None:
    """What to read before this contact, or None: its flow asks for no preparation, or the customer
    (or their reference) has no earlier record or incident."""
    current = contacts.view(ctx, contact_id)
    rules, contact = current.flow.prepare, current.contact
    if rules is None:
        return None
    who = {"customer_id": contact.customer_id, "reference": contact.reference, "name": contact.customer_name,
           "before": contact.id, "limit": LIMIT, "exclude_flows": tuple(f.id for f in ctx.pack.flows if f.staff_record)}
    db = ctx.store.db
    records = []
    for earlier, stored in earlier_records.earlier_records(db, **who):
        shown = _fields(ctx, earlier, stored)
        if shown is not None:
            records.append(EarlierRecord(earlier.id, earlier.started_at, shown[0], earlier.staff_name, shown[1]))
    incidents = [EarlierIncident(i.id, i.occurred_at, CHANNEL_NAMES.get(i.channel, i.channel), i.summary)
                 for i in earlier_records.earlier_incidents(db, **who)]
    if not records and not incidents:
        return None
    return Preparation(title=rules.title, section=rules.section, guidance=list(rules.guidance),
                       records=records, incidents=incidents)
