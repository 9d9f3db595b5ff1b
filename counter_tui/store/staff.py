"""The staff register: who may sign in, their role and office, and their hashed PIN."""

from __future__ import annotations

import sqlite_utils

from counter_tui.models.staff import StaffMember


def add(db: sqlite_utils.Database, member: StaffMember, salt: bytes, pin_hash: bytes) -> None:
    """Add a member of staff (inside a write transaction)."""
    db.execute(
        "INSERT INTO staff (number, name, role, office, pin_salt, pin_hash, active) VALUES (?,?,?,?,?,?,?)",
        [member.number, member.name, member.role, member.office, salt, pin_hash, int(member.active)],
    )


def exists(db: sqlite_utils.Database, number: str) -> bool:
    return db.execute("SELECT 1 FROM staff WHERE number = ?", [number]).fetchone() is not None


def credentials(db: sqlite_utils.Database, number: str) -> tuple[StaffMember, bytes, bytes] | None:
    """The member with their PIN salt and hash, or None if there is no such staff number."""
    row = db.execute(
        "SELECT number, name, role, office, active, pin_salt, pin_hash FROM staff WHERE number = ?", [number]
    ).fetchone()
    if row is None:
        return None
    member = StaffMember(number=row[0], name=row[1], role=row[2], office=row[3], active=bool(row[4]))
    return member, row[5], row[6]


def all_staff(db: sqlite_utils.Database) -> list[StaffMember]:
    rows = db.execute("SELECT number, name, role, office, active FROM staff ORDER BY number").fetchall()
    return [StaffMember(number=r[0], name=r[1], role=r[2], office=r[3], active=bool(r[4])) for r in rows]


def name_of(db: sqlite_utils.Database, number: str) -> str | None:
    row = db.execute("SELECT name FROM staff WHERE number = ?", [number]).fetchone()
    return row[0] if row else None
