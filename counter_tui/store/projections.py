"""Projections: the tables the screens read, kept in step with the event log in one transaction.

`record` appends an event and applies it to the projections; call it inside `connection.write`, so
either both land or neither does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlite_utils

from counter_tui.clock import iso
from counter_tui.models.event import Event
from counter_tui.store import events, letter_projections, measure_projections


def next_id(db: sqlite_utils.Database, name: str, prefix: str) -> str:
    """The next readable id of a kind (`C-000001`), from a counter kept in the database."""
    db.execute(
        "INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
        [name],
    )
    value = db.execute("SELECT value FROM counters WHERE name = ?", [name]).fetchone()[0]
    return f"{prefix}-{value:06d}"


def _contact_started(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        """INSERT INTO contacts (id, pack, flow, channel, staff_number, staff_name, office, customer_name,
        reference, query, status, step, started_at, task_id, customer_id) VALUES (?,?,?,?,?,?,?,?,?,?, 'open', ?,?,?,?)""",
        [p["contact_id"], p["pack"], p["flow"], p["channel"], p["staff_number"], p["staff_name"], p["office"],
         p["customer_name"], p["reference"], p["query"], p["step"], iso(event.at), p.get("task_id"),
         p.get("customer_id")],
    )


def _details_changed(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE contacts SET customer_name = ?, reference = ?, query = ?, customer_id = coalesce(?, customer_id) WHERE id = ?",
        [p["customer_name"], p["reference"], p["query"], p.get("customer_id"), p["contact_id"]],
    )


def _contact_linked(db: sqlite_utils.Database, event: Event) -> None:
    """A contact (and its incident) recorded with the customer not known, linked to them later."""
    p = event.payload
    db.execute("UPDATE contacts SET customer_id = ?, customer_name = ?, reference = ? WHERE id = ?",
               [p["customer_id"], p["customer_name"], p["reference"], p["contact_id"]])
    db.execute("UPDATE incidents SET customer_name = ?, reference = ? WHERE contact_id = ?",
               [p["customer_name"], p["reference"], p["contact_id"]])


def _customer_added(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "INSERT INTO customers (id, name, reference, version, added_at, changed_at, changed_by) VALUES (?,?,?,1,?,?,?)",
        [p["customer_id"], p["name"], p["reference"], iso(event.at), iso(event.at), event.actor],
    )


def _customer_changed(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE customers SET name = ?, reference = ?, version = ?, changed_at = ?, changed_by = ? WHERE id = ?",
        [p["name"], p["reference"], p["version"], iso(event.at), event.actor, p["customer_id"]],
    )


def _connection(db: sqlite_utils.Database, event: Event) -> None:
    """A video contact's connection ended (or came back)."""
    p = event.payload
    db.execute("UPDATE contacts SET connection_ended_at = ? WHERE id = ?",
               [iso(event.at) if p["ended"] else None, p["contact_id"]])


def _step_taken(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "INSERT INTO steps (contact_id, position, step, number, label, said, warning, at, actor, event_seq) "
        "VALUES (?,?,?,?,?,?,?,?,?,?)",
        [p["contact_id"], p["position"], p["step"], p["number"], p["label"], json.dumps(p["said"]),
         int(p.get("warning", False)), iso(event.at), event.actor, event.seq],
    )
    db.execute(
        "UPDATE contacts SET step = ?, immediate_risk = max(immediate_risk, ?) WHERE id = ?",
        [p["next"], int(p.get("immediate_risk", False)), p["contact_id"]],
    )


def _taken_over(db: sqlite_utils.Database, event: Event) -> None:
    """A manager took the contact over: its steps are theirs from now on."""
    p = event.payload
    db.execute("UPDATE contacts SET taken_over_by = ?, taken_over_name = ?, taken_over_at = ? WHERE id = ?",
               [p["to_number"], p["to_name"], iso(event.at), p["contact_id"]])


def _note_saved(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE contacts SET note = ?, note_version = ? WHERE id = ?", [p["text"], p["version"], p["contact_id"]])


def _record_drafted(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE contacts SET record = ? WHERE id = ? AND status = 'open'", [json.dumps(p["record"]), p["contact_id"]])


def _contact_finished(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE contacts SET status = 'finished', ended_at = ?, outcome = ?, record = ?, incident_id = ? WHERE id = ?",
        [iso(event.at), p["outcome"], json.dumps(p["record"]), p.get("incident_id"), p["contact_id"]],
    )


def _incident_opened(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        """INSERT INTO incidents (id, contact_id, channel, office, staff_number, customer_name, reference,
        occurred_at, summary) VALUES (?,?,?,?,?,?,?,?,?)""",
        [p["incident_id"], p["contact_id"], p["channel"], p["office"], p["staff_number"], p["customer_name"],
         p["reference"], p["occurred_at"], p["summary"]],
    )


def _report_drafted(db: sqlite_utils.Database, event: Event) -> None:
    """The incident report form as typed so far (versioned: a stale save is a conflict)."""
    p = event.payload
    db.execute("UPDATE incidents SET report = ?, report_version = ? WHERE id = ?",
               [json.dumps(p["report"]), p["version"], p["incident_id"]])


def _report_completed(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE incidents SET report = ?, report_version = ?, reported_at = ?, reported_by = ?, distribution = ? WHERE id = ?",
        [json.dumps(p["report"]), p["version"], iso(event.at), event.actor, json.dumps(p["distribution"]), p["incident_id"]],
    )


def _incident_recorded(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE incidents SET recorded_at = ?, recorded_by = ? WHERE id = ? AND recorded_at IS NULL",
        [iso(event.at), event.actor, p["incident_id"]],
    )


def _task_created(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        """INSERT INTO tasks (id, spec, title, role, office, flow, contact_id, incident_id, customer_name,
        reference, created_at, due_at, status, channel, assignee, letter_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?, 'open', ?, ?, ?)""",
        [p["task_id"], p["spec"], p["title"], p["role"], p["office"], p.get("flow"), p.get("contact_id"),
         p.get("incident_id"), p["customer_name"], p["reference"], iso(event.at), p["due_at"],
         p.get("channel", ""), p.get("assignee"), p.get("letter_id")],
    )


def _task_done(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE tasks SET status = 'done', done_at = ?, done_by = ?, done_note = ?, done_record = ? WHERE id = ?",
        [iso(event.at), event.actor, p.get("note", ""), json.dumps(p.get("record") or {}), p["task_id"]],
    )


def _alert_raised(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "INSERT INTO alerts (id, office, raised_by, raised_name, contact_id, channel, raised_at) VALUES (?,?,?,?,?,?,?)",
        [p["alert_id"], p["office"], event.actor, p["staff_name"], p.get("contact_id"), p.get("channel", ""), iso(event.at)],
    )


def _alert_acknowledged(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_name = ? WHERE id = ? AND acknowledged_at IS NULL",
        [iso(event.at), event.actor, p["staff_name"], p["alert_id"]],
    )


def _record_signed(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "INSERT INTO signatures (contact_id, task_id, staff_number, agreed, comment, at) VALUES (?,?,?,?,?,?)",
        [p["contact_id"], p["task_id"], event.actor, int(p["agreed"]), p.get("comment", ""), iso(event.at)],
    )


def _nothing(db: sqlite_utils.Database, event: Event) -> None:
    """Events that are part of the record but change no projection (staff added, access refused)."""


APPLY: dict[str, Callable[[sqlite_utils.Database, Event], None]] = {
    "contact.started": _contact_started,
    "contact.details_changed": _details_changed,
    "customer.added": _customer_added,
    "contact.linked": _contact_linked,
    "customer.changed": _customer_changed,
    "contact.connection": _connection,
    "step.taken": _step_taken,
    "note.saved": _note_saved,
    "contact.taken_over": _taken_over,
    "record.drafted": _record_drafted,
    "contact.finished": _contact_finished,
    "incident.opened": _incident_opened,
    "incident.recorded": _incident_recorded,
    "incident.report_drafted": _report_drafted,
    "incident.reported": _report_completed,
    "incident.decided": _nothing,  # a decision on the incident (the police informed, or not): read from its stream
    "task.created": _task_created,
    "task.done": _task_done,
    "alert.raised": _alert_raised,
    "alert.acknowledged": _alert_acknowledged,
    "record.signed": _record_signed,
    "staff.added": _nothing,
    # The staff register and the counts of wrong PINs are kept by the staff service in the same
    # transaction (a PIN's hash never goes in an event).
    "staff.disabled": _nothing,
    "staff.pin_reset": _nothing,
    "staff.line_manager_set": _nothing,
    "staff.pin_changed": _nothing,
    "staff.sign_in_refused": _nothing,
    "access.refused": _nothing,
    "cli.command_run": _nothing,
    "welfare.viewed": _nothing,
    **letter_projections.APPLY,
    **measure_projections.APPLY,
}


def record(
    db: sqlite_utils.Database, *, at: datetime, actor: str, role: str, kind: str, stream: str, payload: dict[str, Any]
) -> Event:
    """Append an event and apply it to the projections (inside the caller's write transaction)."""
    if kind not in APPLY:
        raise ValueError(f"unknown event kind {kind!r}")
    if kind != "staff.disabled":  # a disabled member's open session does nothing more (issue 17.9)
        from counter_tui.store.staff import check_active

        check_active(db, actor)
    event = events.append(db, at=at, actor=actor, role=role, kind=kind, stream=stream, payload=payload)
    APPLY[kind](db, event)
    return event
