"""Control measures as stored: one measure, a customer's measures, those whose review is near, and
the requests for a decision made from a customer's record."""

from __future__ import annotations

import json
from datetime import date

import sqlite_utils

from counter_tui.clock import parse_iso
from counter_tui.models.measure import Measure

_MEASURE = """id, customer_id, office, pack, spec, kind, status, reason, detail, told, connected_person, starts_on, review_on,
incident_id, decision_task_id, proposers, set_by, set_at, version, changed_by, changed_at, review_task_id, lifted_reason"""
_NAMES = [n.strip() for n in _MEASURE.split(",")]


def _measure(row: tuple) -> Measure:
    data = dict(zip(_NAMES, row, strict=True))
    data["proposers"] = json.loads(data["proposers"])
    data["starts_on"] = date.fromisoformat(data["starts_on"])
    data["review_on"] = date.fromisoformat(data["review_on"]) if data["review_on"] else None
    data["set_at"], data["changed_at"] = parse_iso(data["set_at"]), parse_iso(data["changed_at"])
    return Measure(**data)


def measure(db: sqlite_utils.Database, measure_id: str) -> Measure | None:
    row = db.execute(f"SELECT {_MEASURE} FROM measures WHERE id = ?", [measure_id]).fetchone()
    return _measure(row) if row else None


def for_customer(db: sqlite_utils.Database, customer_id: str, *, live_only: bool = False) -> list[Measure]:
    """A customer's measures, live ones first, newest first."""
    where = "customer_id = ?" + (" AND status = 'live'" if live_only else "")
    rows = db.execute(
        f"SELECT {_MEASURE} FROM measures WHERE {where} ORDER BY status = 'lifted', set_at DESC, id DESC", [customer_id]
    ).fetchall()
    return [_measure(r) for r in rows]


def by_review_task(db: sqlite_utils.Database, task_id: str) -> Measure | None:
    row = db.execute(f"SELECT {_MEASURE} FROM measures WHERE review_task_id = ?", [task_id]).fetchone()
    return _measure(row) if row else None


def reviews_due(db: sqlite_utils.Database, *, by: date) -> list[Measure]:
    """Live measures with a review on or before `by` and no review task yet."""
    rows = db.execute(
        f"""SELECT {_MEASURE} FROM measures WHERE status = 'live' AND review_task_id IS NULL
        AND review_on IS NOT NULL AND review_on <= ? ORDER BY review_on, id""",
        [by.isoformat()],
    ).fetchall()
    return [_measure(r) for r in rows]


def request(db: sqlite_utils.Database, task_id: str) -> dict | None:
    """The request for a decision made from a customer's record: customer, who asked and why."""
    row = db.execute(
        "SELECT customer_id, proposed_by, reason, at FROM measure_requests WHERE task_id = ?", [task_id]
    ).fetchone()
    return {"customer_id": row[0], "proposed_by": row[1], "reason": row[2], "at": parse_iso(row[3])} if row else None

