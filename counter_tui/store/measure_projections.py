"""Projections of control measures and of the positive-action log, kept in step with the event log
(see `projections.record`)."""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

from counter_tui.clock import iso
from counter_tui.models.event import Event


def _requested(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("INSERT INTO measure_requests (task_id, customer_id, proposed_by, reason, at) VALUES (?,?,?,?,?)",
               [p["task_id"], p["customer_id"], event.actor, p["reason"], iso(event.at)])


def _set(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        """INSERT INTO measures (id, customer_id, office, pack, spec, kind, status, reason, detail, told, connected_person,
        starts_on, review_on, incident_id, decision_task_id, proposers, set_by, set_at, version, changed_by, changed_at)
        VALUES (?,?,?,?,?,?, 'live', ?,?,?,?,?,?,?,?,?,?,?, 1, ?, ?)""",
        [p["measure_id"], p["customer_id"], p["office"], p["pack"], p["spec"], p["kind"], p["reason"], p["detail"], p["told"],
         p["connected_person"], p["starts_on"], p["review_on"], p.get("incident_id"), p.get("task_id"),
         json.dumps(p["proposers"]), event.actor, iso(event.at), event.actor, iso(event.at)],
    )


def _reviewed(db: sqlite_utils.Database, event: Event) -> None:
    """Extended (a new review date), changed (new terms) or lifted, with a reason: the review task
    that was open is done (by `task.done`), so a new one is queued when the new date nears."""
    p = event.payload
    lifted = p["action"] == "lift"
    db.execute(
        """UPDATE measures SET status = ?, review_on = ?, reason = coalesce(?, reason), told = coalesce(?, told),
        version = ?, changed_by = ?, changed_at = ?, review_task_id = NULL, lifted_reason = ? WHERE id = ?""",
        ["lifted" if lifted else "live", p["review_on"], p.get("terms"), p.get("told"), p["version"], event.actor,
         iso(event.at), p["reason"] if lifted else "", p["measure_id"]],
    )


def _review_queued(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE measures SET review_task_id = ? WHERE id = ?", [p["task_id"], p["measure_id"]])


def _positive_action(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("INSERT INTO positive_actions (id, customer_id, note, staff_number, office, at) VALUES (?,?,?,?,?,?)",
               [p["entry_id"], p["customer_id"], p["note"], event.actor, p["office"], iso(event.at)])


def _nothing(db: sqlite_utils.Database, event: Event) -> None:
    """Part of the record, no projection: a decision's summary, a view of restricted detail."""


APPLY: dict[str, Callable[[sqlite_utils.Database, Event], None]] = {
    "measure.requested": _requested,
    "measure.set": _set,
    "measure.reviewed": _reviewed,
    "measure.review_queued": _review_queued,
    "measure.decided": _nothing,
    "measure.detail_viewed": _nothing,
    "customer.positive_action": _positive_action,
}
