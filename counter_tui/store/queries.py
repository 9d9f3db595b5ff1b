"""Read models: contacts, steps, tasks and incidents as pydantic models, paged from SQL."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from counter_tui.clock import iso, parse_iso
from counter_tui.models.contact import Contact, StepTaken
from counter_tui.models.incident import Incident
from counter_tui.models.task import Task

_CONTACT = """id, pack, flow, channel, staff_number, staff_name, office, customer_name, reference, query, status,
step, started_at, ended_at, outcome, note, note_version, task_id, incident_id, immediate_risk, customer_id,
connection_ended_at, taken_over_by, taken_over_name, taken_over_at"""


def _when(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def _contact(row: tuple) -> Contact:
    names = [n.strip() for n in _CONTACT.split(",")]
    data = dict(zip(names, row, strict=True))
    data["started_at"] = parse_iso(data["started_at"])
    data["ended_at"] = _when(data["ended_at"])
    data["connection_ended_at"] = _when(data["connection_ended_at"])
    data["taken_over_at"] = _when(data["taken_over_at"])
    data["immediate_risk"] = bool(data["immediate_risk"])
    return Contact(**data)


def contact(db: sqlite_utils.Database, contact_id: str) -> Contact | None:
    row = db.execute(f"SELECT {_CONTACT} FROM contacts WHERE id = ?", [contact_id]).fetchone()
    return _contact(row) if row else None


def contact_record(db: sqlite_utils.Database, contact_id: str) -> dict[str, str]:
    """The completed form (case note, terminated call log) of a finished contact."""
    row = db.execute("SELECT record FROM contacts WHERE id = ?", [contact_id]).fetchone()
    return json.loads(row[0]) if row else {}


def open_contacts(db: sqlite_utils.Database, staff_number: str | None = None) -> list[Contact]:
    """Contacts still open (interrupted, or in progress elsewhere), newest first; with
    `staff_number`, those they handle now (started and not taken over from them, or taken over by them)."""
    if staff_number is None:
        rows = db.execute(f"SELECT {_CONTACT} FROM contacts WHERE status = 'open' ORDER BY started_at DESC").fetchall()
    else:
        rows = db.execute(
            f"""SELECT {_CONTACT} FROM contacts WHERE status = 'open' AND coalesce(taken_over_by, staff_number) = ?
            ORDER BY started_at DESC""",
            [staff_number],
        ).fetchall()
    return [_contact(r) for r in rows]


def live_contacts(db: sqlite_utils.Database, *, active_since: datetime, limit: int = 200) -> list[tuple[Contact, datetime]]:
    """Open contacts with something recorded since `active_since` (started, a step, a note), each with
    when that last was, the earliest started first; at most `limit`."""
    rows = db.execute(
        f"""SELECT * FROM (SELECT {_CONTACT}, (SELECT max(at) FROM events WHERE stream = 'contact:' || contacts.id)
        AS last_at FROM contacts WHERE status = 'open') WHERE last_at >= ? ORDER BY started_at, id LIMIT ?""",
        [iso(active_since), limit],
    ).fetchall()
    return [(_contact(r[:-1]), parse_iso(r[-1])) for r in rows]


def taken_from(db: sqlite_utils.Database, contact_id: str) -> set[str]:
    """The staff numbers a contact was taken over from (each take-over's `from_number`)."""
    rows = db.execute(
        "SELECT json_extract(payload, '$.from_number') FROM events WHERE stream = ? AND kind = 'contact.taken_over'",
        [f"contact:{contact_id}"],
    ).fetchall()
    return {r[0] for r in rows if r[0]}


def contact_for_task(db: sqlite_utils.Database, task_id: str) -> Contact | None:
    """The newest contact opened from a task (to resume a call-back already begun)."""
    row = db.execute(
        f"SELECT {_CONTACT} FROM contacts WHERE task_id = ? ORDER BY started_at DESC LIMIT 1", [task_id]
    ).fetchone()
    return _contact(row) if row else None


def _same_customer(customer_id: str | None, reference: str, name: str) -> tuple[str, list] | None:
    """A WHERE clause for contacts with the same customer: the register's customer, or the same
    application reference (spaces and case ignored), or the same exact name where there is no reference."""
    key = reference.replace(" ", "").upper()
    if customer_id:
        return "(contacts.customer_id = ? OR (? != '' AND contacts.reference_key = ?))", [customer_id, key, key]
    if key:
        return "contacts.reference_key = ?", [key]
    if name.strip():
        return "contacts.reference = '' AND lower(contacts.customer_name) = lower(?)", [name.strip()]
    return None


def earlier_warnings(db: sqlite_utils.Database, *, customer_id: str | None = None, reference: str, channel: str, before: str) -> int:
    """Warnings given to the same customer (by register or application reference) in contacts of
    this channel other than `before`."""
    same = _same_customer(customer_id, reference, "")
    if same is None:
        return 0
    where, params = same
    row = db.execute(
        f"""SELECT count(*) FROM steps JOIN contacts ON contacts.id = steps.contact_id
        WHERE contacts.channel = ? AND {where} AND contacts.id != ? AND steps.warning = 1""",
        [channel, *params, before],
    ).fetchone()
    return row[0]


def customer_history(
    db: sqlite_utils.Database, *, customer_id: str | None = None, reference: str, name: str, before: str, limit: int = 3
) -> tuple[int, list[dict]]:
    """Earlier contacts with the same customer. Returns (how many, the newest few)."""
    same = _same_customer(customer_id, reference, name)
    if same is None:
        return 0, []
    where, params = same
    total = db.execute(f"SELECT count(*) FROM contacts WHERE {where} AND id != ?", [*params, before]).fetchone()[0]
    rows = db.execute(
        f"""SELECT contacts.started_at, contacts.channel, contacts.outcome, contacts.status,
        (SELECT count(*) FROM steps WHERE steps.contact_id = contacts.id AND steps.warning = 1)
        FROM contacts WHERE {where} AND id != ? ORDER BY started_at DESC LIMIT ?""",
        [*params, before, limit],
    ).fetchall()
    return total, [
        {"started_at": parse_iso(r[0]), "channel": r[1], "outcome": r[2], "status": r[3], "warnings": r[4]} for r in rows
    ]


def connection_changes(db: sqlite_utils.Database, contact_id: str) -> list[tuple[datetime, bool]]:
    """When a contact's connection ended (True) or came back (False), in order."""
    rows = db.execute(
        "SELECT at, json_extract(payload, '$.ended') FROM events WHERE stream = ? AND kind = 'contact.connection' ORDER BY seq",
        [f"contact:{contact_id}"],
    ).fetchall()
    return [(parse_iso(r[0]), bool(r[1])) for r in rows]


def steps(db: sqlite_utils.Database, contact_id: str) -> list[StepTaken]:
    rows = db.execute(
        "SELECT contact_id, position, step, number, label, said, at, actor FROM steps WHERE contact_id = ? ORDER BY position",
        [contact_id],
    ).fetchall()
    return [
        StepTaken(contact_id=r[0], position=r[1], step=r[2], number=r[3], label=r[4], said=json.loads(r[5]),
                  at=parse_iso(r[6]), actor=r[7])
        for r in rows
    ]


_TASK = """id, spec, title, role, office, flow, contact_id, incident_id, customer_name, reference, created_at,
due_at, status, done_at, done_by, channel, assignee, letter_id"""


def _task(row: tuple) -> Task:
    names = [n.strip() for n in _TASK.split(",")]
    data = dict(zip(names, row, strict=True))
    for key in ("created_at", "due_at", "done_at"):
        data[key] = _when(data[key])
    return Task(**data)


def task(db: sqlite_utils.Database, task_id: str) -> Task | None:
    row = db.execute(f"SELECT {_TASK} FROM tasks WHERE id = ?", [task_id]).fetchone()
    return _task(row) if row else None


@dataclass(frozen=True)
class TaskFilter:
    """Which open tasks a queue shows: those of `role` at `office` (None: any), plus any assigned to
    `assignee`; narrowed to one kind (`spec`) or one channel where given."""

    role: str | None = None
    office: str | None = None
    assignee: str | None = None
    spec: str | None = None
    channel: str | None = None

    def branches(self) -> list[tuple[str, list[str]]]:
        """One WHERE clause per index-friendly branch (the role's tasks; the person's own), each with
        its parameters: read with UNION ALL, since an OR between them would scan every task."""
        narrow, narrow_params = "", []
        for column in ("spec", "channel"):
            if (value := getattr(self, column)) is not None:
                narrow += f" AND {column} = ?"
                narrow_params.append(value)
        scope, params = ["status = 'open'", "assignee IS NULL"], []
        for column in ("role", "office"):
            if (value := getattr(self, column)) is not None:
                scope.append(f"{column} = ?")
                params.append(value)
        found = [(" AND ".join(scope) + narrow, params + narrow_params)]
        if self.assignee is not None:  # one person's own tasks are theirs alone
            found.append(("status = 'open' AND assignee = ?" + narrow, [self.assignee, *narrow_params]))
        return found

    def select(self, columns: str) -> tuple[str, list[str]]:
        """`SELECT columns FROM tasks` for every branch, as one compound statement."""
        parts = [(f"SELECT {columns} FROM tasks WHERE {where}", params) for where, params in self.branches()]
        return " UNION ALL ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


def queue(db: sqlite_utils.Database, which: TaskFilter, *, now: datetime | None = None, limit: int = 200,
          offset: int = 0) -> list[Task]:
    """Open tasks a page at a time: the overdue by due time, then those with no due time (no time
    set by the guidance) oldest first, in plain sight, then the rest by due time."""
    sql, params = which.select(_TASK)
    order = "CASE WHEN due_at IS NULL THEN 1 WHEN due_at < ? THEN 0 ELSE 2 END, coalesce(due_at, created_at), id"
    at = iso(now or datetime.now(UTC))
    rows = db.execute(f"SELECT {_TASK} FROM ({sql}) ORDER BY {order} LIMIT ? OFFSET ?",
                      [*params, at, limit, offset]).fetchall()
    return [_task(r) for r in rows]


def queue_counts(db: sqlite_utils.Database, which: TaskFilter, *, now: datetime) -> tuple[int, int]:
    """(open, overdue) task counts."""
    sql, params = which.select("due_at")
    row = db.execute(f"SELECT count(*), coalesce(sum(due_at < ?), 0) FROM ({sql})", [iso(now), *params]).fetchone()
    return row[0], row[1]


def queue_kinds(db: sqlite_utils.Database, which: TaskFilter, *, now: datetime) -> list[tuple[str, int, int]]:
    """(kind, open, overdue) for each kind of open task, most overdue first: each branch is counted
    from its covering index alone, then the branches are added up."""
    totals: dict[str, list[int]] = {}
    for where, params in which.branches():
        for spec, count, overdue in db.execute(
            f"SELECT spec, count(*), coalesce(sum(due_at < ?), 0) FROM tasks WHERE {where} GROUP BY spec",
            [iso(now), *params],
        ):
            total = totals.setdefault(spec, [0, 0])
            total[0] += count
            total[1] += overdue
    return sorted(((spec, n, late) for spec, (n, late) in totals.items()), key=lambda k: (-k[2], -k[1], k[0]))


_INCIDENT = """id, contact_id, channel, office, staff_number, customer_name, reference, occurred_at, summary,
recorded_at, recorded_by, report, report_version, reported_at, reported_by, distribution"""


def _incident(row: tuple) -> Incident:
    names = [n.strip() for n in _INCIDENT.split(",")]
    data = dict(zip(names, row, strict=True))
    data["occurred_at"] = parse_iso(data["occurred_at"])
    for key in ("recorded_at", "reported_at"):
        data[key] = _when(data[key])
    data["report"], data["distribution"] = json.loads(data["report"]), json.loads(data["distribution"])
    return Incident(**data)


def incident(db: sqlite_utils.Database, incident_id: str) -> Incident | None:
    row = db.execute(f"SELECT {_INCIDENT} FROM incidents WHERE id = ?", [incident_id]).fetchone()
    return _incident(row) if row else None


def incidents(db: sqlite_utils.Database, *, after: str = "", limit: int = 1000) -> list[Incident]:
    """Incidents in the order they happened, a page at a time (`after`: the last id of the page before)."""
    rows = db.execute(
        f"SELECT {_INCIDENT} FROM incidents WHERE id > ? ORDER BY id LIMIT ?", [after, limit]
    ).fetchall()
    return [_incident(r) for r in rows]


def tasks_for_contact(db: sqlite_utils.Database, contact_id: str) -> list[Task]:
    """The hand-offs a contact created, in order."""
    rows = db.execute(f"SELECT {_TASK} FROM tasks WHERE contact_id = ? ORDER BY id", [contact_id]).fetchall()
    return [_task(r) for r in rows]


def open_alerts(db: sqlite_utils.Database, office: str) -> list[dict]:
    """Calls for help at an office that nobody has acknowledged yet, oldest first."""
    rows = db.execute(
        "SELECT id, raised_by, raised_name, contact_id, channel, raised_at FROM alerts "
        "WHERE office = ? AND acknowledged_at IS NULL ORDER BY raised_at, id",
        [office],
    ).fetchall()
    return [
        {"id": r[0], "raised_by": r[1], "raised_name": r[2], "contact_id": r[3], "channel": r[4], "raised_at": parse_iso(r[5])}
        for r in rows
    ]


def alert_acknowledged_by(db: sqlite_utils.Database, alert_id: str) -> str | None:
    """Who acknowledged an alert (their name), or None while it is still open."""
    row = db.execute("SELECT acknowledged_name FROM alerts WHERE id = ?", [alert_id]).fetchone()
    return row[0] if row else None


def signature(db: sqlite_utils.Database, contact_id: str) -> dict | None:
    """Whether the member of staff signed the record of `contact_id` as agreed, with their comment."""
    row = db.execute(
        "SELECT staff_number, agreed, comment, at FROM signatures WHERE contact_id = ?", [contact_id]
    ).fetchone()
    return {"staff_number": row[0], "agreed": bool(row[1]), "comment": row[2], "at": parse_iso(row[3])} if row else None


def task_specs_for_contact(db: sqlite_utils.Database, contact_id: str) -> list[str]:
    """The pack task ids handed on by a contact, in the order they were created."""
    rows = db.execute("SELECT spec FROM tasks WHERE contact_id = ? ORDER BY created_at, id", [contact_id]).fetchall()
    return [row[0] for row in rows]


def incident_tasks(db: sqlite_utils.Database, incident_id: str, spec: str) -> list[tuple[Task, str]]:
    """The tasks of one kind (`spec`) raised for an incident, oldest first, each with its done note."""
    rows = db.execute(f"SELECT {_TASK}, done_note FROM tasks WHERE incident_id = ? AND spec = ? ORDER BY created_at, id",
                      [incident_id, spec]).fetchall()
    return [(_task(row[:-1]), row[-1] or "") for row in rows]
