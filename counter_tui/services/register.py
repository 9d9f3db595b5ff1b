"""The customer register: search it (names, references and what contacts recorded), read one
customer's whole record (signed-off letters and bars, warnings, contacts, incidents), and link an
incident recorded with the customer not known to the customer it turns out to be.

A member of staff's welfare record is never part of a customer's record nor found by a search.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from counter_tui.models.customer import CustomerSummary
from counter_tui.models.staff import Actor
from counter_tui.services import customers, letter_record, referrals
from counter_tui.services.context import Context
from counter_tui.services.errors import NotFound, Refused
from counter_tui.store import customers as customer_store
from counter_tui.store import projections, queries
from counter_tui.store import register as register_store
from counter_tui.store.connection import write
from counter_tui.store.register import ContactLine, Hit, UnknownIncident

__all__ = ["ContactLine", "CustomerRecord", "Hit", "UnknownIncident", "link", "record", "search", "unknown_incidents"]

PAGE = 25
"""Lines of search results shown at once."""


def _private_flows(ctx: Context) -> list[str]:
    return [flow.id for flow in ctx.pack.flows if flow.staff_record]


def search(ctx: Context, text: str, *, limit: int = PAGE) -> list[Hit]:
    """Customers matching `text` by name or reference, then by what their contacts recorded.

    Whatever is typed is searched for as text (FTS operators, quotes and markup included).
    """
    return register_store.search(ctx.store.db, text, private_flows=_private_flows(ctx), limit=limit)


@dataclass(frozen=True)
class CustomerRecord:
    """Everything on one customer's record, for the register's customer screen."""

    summary: CustomerSummary
    letters: list[letter_record.OnRecord]
    contacts: list[ContactLine]
    on_incidents: list[tuple[str, str]] = field(default_factory=list)
    """(incident id, line): what each incident was referred to and the decisions on it (the police
    informed or not), oldest incident first."""


def record(ctx: Context, customer_id: str) -> CustomerRecord:
    """The customer's record: who they are, their signed-off letters (bars first), their contacts
    with warnings and incidents, newest first.

    Raises:
        NotFound: no such customer.
    """
    summary = customers.summary(ctx, customer_id)
    lines = register_store.contacts_of(ctx.store.db, customer_id)  # welfare records are never linked to a customer
    incidents = sorted({line.incident_id for line in lines if line.incident_id})
    decided = [(incident_id, item.text) for incident_id in incidents for item in referrals.on_incident(ctx, incident_id)]
    shown = letter_record.on_record(ctx, summary.letters, "") + letter_record.closed_for(ctx, customer_id)
    return CustomerRecord(summary=summary, letters=shown, contacts=lines, on_incidents=decided)


def unknown_incidents(ctx: Context, *, limit: int = 50) -> list[UnknownIncident]:
    """Incidents recorded with the customer not known, newest first: candidates to link."""
    return register_store.incidents_without_customer(ctx.store.db, limit=limit)


def link(ctx: Context, actor: Actor, incident_id: str, customer_id: str) -> None:
    """Link an incident whose customer was not known to `customer_id`: its contact then counts in
    their history, warnings and letters (recorded with who linked it and when).

    Raises:
        NotFound: no such incident or customer.
        Refused: the incident is already linked to a customer.
    """
    db = ctx.store.db
    with write(db):
        incident = queries.incident(db, incident_id)
        customer = customer_store.customer(db, customer_id)
        if incident is None or customer is None:
            raise NotFound(f"No incident {incident_id} or no customer {customer_id}.")
        contact = queries.contact(db, incident.contact_id)
        if contact.customer_id is not None:
            raise Refused(f"Incident {incident_id} is already linked to a customer.")
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="contact.linked",
            stream=f"contact:{contact.id}",
            payload={"contact_id": contact.id, "incident_id": incident_id, "customer_id": customer.id,
                     "customer_name": customer.name, "reference": customer.reference},
        )
