"""Read models of a customer's earlier records: the finished records (case notes, interview notes)
and incidents of their earlier contacts, for an interview officer preparing an interview, and what
tasks recorded when they were done (`done_form`), for the customer's record. The same customer is
the register's, or the same application reference (`queries._same_customer`)."""

from __future__ import annotations

import json

import sqlite_utils

from counter_tui.models.contact import Contact
from counter_tui.models.incident import Incident
from counter_tui.models.task import Task
from counter_tui.store.queries import _CONTACT, _INCIDENT, _TASK, _contact, _incident, _same_customer, _task


def _prefixed(columns: str, table: str) -> str:
    return ", ".join(f"{table}.{c.strip()}" for c in columns.split(","))


def _without(where: str, params: list, flows: tuple[str, ...]) -> tuple[str, list]:
    if not flows:
        return where, params
    return f"{where} AND contacts.flow NOT IN ({', '.join('?' for _ in flows)})", [*params, *flows]


def earlier_records(db: sqlite_utils.Database, *, customer_id: str | None, reference: str, name: str,
                    before: str, exclude_flows: tuple[str, ...] = (), limit: int = 20) -> list[tuple[Contact, dict[str, str]]]:
    """Finished earlier contacts with the same customer that have a record, newest first, with it
    (none of the flows in `exclude_flows`: a member of staff's welfare record is their HR file)."""
    same = _same_customer(customer_id, reference, name)
    if same is None:
        return []
    where, params = same
    where, params = _without(where, params, exclude_flows)
    rows = db.execute(
        f"""SELECT {_prefixed(_CONTACT, 'contacts')}, contacts.record FROM contacts
        WHERE {where} AND contacts.id != ? AND contacts.status = 'finished' AND contacts.record != '{{}}'
        ORDER BY contacts.started_at DESC LIMIT ?""",
        [*params, before, limit],
    ).fetchall()
    return [(_contact(r[:-1]), json.loads(r[-1])) for r in rows]


def earlier_incidents(db: sqlite_utils.Database, *, customer_id: str | None, reference: str, name: str,
                      before: str, exclude_flows: tuple[str, ...] = (), limit: int = 20) -> list[Incident]:
    """Incidents opened from earlier contacts with the same customer, newest first (none from `exclude_flows`)."""
    same = _same_customer(customer_id, reference, name)
    if same is None:
        return []
    where, params = same
    where, params = _without(where, params, exclude_flows)
    rows = db.execute(
        f"""SELECT {_prefixed(_INCIDENT, 'incidents')} FROM incidents JOIN contacts ON contacts.id = incidents.contact_id
        WHERE {where} AND contacts.id != ? ORDER BY incidents.occurred_at DESC LIMIT ?""",
        [*params, before, limit],
    ).fetchall()
    return [_incident(r) for r in rows]


def task_outcomes(db: sqlite_utils.Database, *, customer_id: str, reference: str,
                  limit: int = 50) -> list[tuple[Task, dict[str, str]]]:
    """Tasks about this customer done with a form (`done_form`), newest first, with what it recorded."""
    where, params = _same_customer(customer_id, reference, "")
    rows = db.execute(
        f"""SELECT {_prefixed(_TASK, 'tasks')}, tasks.done_record FROM tasks JOIN contacts ON contacts.id = tasks.contact_id
        WHERE {where} AND tasks.done_record != '{{}}' ORDER BY tasks.done_at DESC LIMIT ?""",
        [*params, limit],
    ).fetchall()
    return [(_task(r[:-1]), json.loads(r[-1])) for r in rows]
