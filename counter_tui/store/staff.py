"""The staff register: who may sign in, their role and office, and their hashed PIN; and the wrong
PINs counted per staff number typed, with the time that number may next try."""

from __future__ import annotations

import sqlite_utils

from counter_tui.models.staff import StaffMember
from counter_tui.store.connection import StoreError


class ActorDisabled(StoreError):
    """The member of staff acting was disabled after they signed in: nothing they do is kept."""

_MEMBER = "number, name, role, office, active, must_change_pin, line_manager"


def _member(row) -> StaffMember:
    return StaffMember(number=row[0], name=row[1], role=row[2], office=row[3], active=bool(row[4]),
                       must_change_pin=bool(row[5]), line_manager=row[6])


def add(db: sqlite_utils.Database, member: StaffMember, salt: bytes, pin_hash: bytes, pin_cost: str) -> None:
    """Add a member of staff (inside a write transaction); `pin_cost` is the hash's cost as text."""
    db.execute(
        "INSERT INTO staff (number, name, role, office, pin_salt, pin_hash, pin_cost, active, must_change_pin,"
        " line_manager) VALUES (?,?,?,?,?,?,?,?,?,?)",
        [member.number, member.name, member.role, member.office, salt, pin_hash, pin_cost, int(member.active),
         int(member.must_change_pin), member.line_manager],
    )


def exists(db: sqlite_utils.Database, number: str) -> bool:
    return db.execute("SELECT 1 FROM staff WHERE number = ?", [number]).fetchone() is not None


def member(db: sqlite_utils.Database, number: str) -> StaffMember | None:
    row = db.execute(f"SELECT {_MEMBER} FROM staff WHERE number = ?", [number]).fetchone()
    return _member(row) if row else None


def credentials(db: sqlite_utils.Database, number: str) -> tuple[StaffMember, bytes, bytes, str] | None:
    """The member with their PIN salt, hash and the hash's cost, or None if there is no such staff number."""
    row = db.execute(f"SELECT {_MEMBER}, pin_salt, pin_hash, pin_cost FROM staff WHERE number = ?", [number]).fetchone()
    if row is None:
        return None
    return _member(row), row[7], row[8], row[9]


def all_staff(db: sqlite_utils.Database) -> list[StaffMember]:
    return [_member(r) for r in db.execute(f"SELECT {_MEMBER} FROM staff ORDER BY number").fetchall()]


def name_of(db: sqlite_utils.Database, number: str) -> str | None:
    row = db.execute("SELECT name FROM staff WHERE number = ?", [number]).fetchone()
    return row[0] if row else None


def set_pin(db: sqlite_utils.Database, number: str, salt: bytes, pin_hash: bytes, pin_cost: str, *,
            must_change: bool) -> None:
    """Replace a member's PIN (inside a write transaction); `must_change` when an administrator set it."""
    db.execute("UPDATE staff SET pin_salt = ?, pin_hash = ?, pin_cost = ?, must_change_pin = ? WHERE number = ?",
               [salt, pin_hash, pin_cost, int(must_change), number])


def office_of(db: sqlite_utils.Database, number: str) -> str | None:
    row = db.execute("SELECT office FROM staff WHERE number = ?", [number]).fetchone()
    return row[0] if row else None


def check_active(db: sqlite_utils.Database, number: str) -> None:
    """Refuse an actor who is a member of staff on the register and is disabled (one indexed look-up;
    actors not on the register, the administrator or "unknown", are not staff and pass).

    Raises:
        ActorDisabled: they were disabled after they signed in.
    """
    row = db.execute("SELECT active FROM staff WHERE number = ?", [number]).fetchone()
    if row is not None and not row[0]:
        raise ActorDisabled("Your account has been disabled since you signed in: nothing was saved. Ask your line manager.")


def set_line_manager(db: sqlite_utils.Database, number: str, line_manager: str | None) -> None:
    db.execute("UPDATE staff SET line_manager = ? WHERE number = ?", [line_manager, number])


def with_role(db: sqlite_utils.Database, role: str, office: str) -> list[StaffMember]:
    """The active members of staff with this role at this office, by number."""
    rows = db.execute(f"SELECT {_MEMBER} FROM staff WHERE role = ? AND office = ? AND active = 1 ORDER BY number",
                      [role, office]).fetchall()
    return [_member(r) for r in rows]


def disable(db: sqlite_utils.Database, number: str) -> None:
    db.execute("UPDATE staff SET active = 0 WHERE number = ?", [number])


# --- wrong PINs ---------------------------------------------------------------------------------


def failures(db: sqlite_utils.Database, number: str) -> tuple[int, str | None]:
    """How many wrong PINs in a row were typed for this staff number, and until when (ISO text) it
    must wait; (0, None) when there were none."""
    row = db.execute("SELECT failures, locked_until FROM sign_in_failures WHERE number = ?", [number]).fetchone()
    return (row[0], row[1]) if row else (0, None)


def count_failure(db: sqlite_utils.Database, number: str, failures: int, locked_until: str | None, at: str) -> None:
    """Store the count of wrong PINs for a staff number typed (inside a write transaction)."""
    db.execute(
        "INSERT INTO sign_in_failures (number, failures, locked_until, last_failed_at) VALUES (?,?,?,?) "
        "ON CONFLICT(number) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, "
        "last_failed_at = excluded.last_failed_at",
        [number, failures, locked_until, at],
    )


def clear_failures(db: sqlite_utils.Database, number: str) -> None:
    db.execute("DELETE FROM sign_in_failures WHERE number = ?", [number])


def prune_failures(db: sqlite_utils.Database, *, older_than: str, keep: int) -> None:
    """Forget counts last added to before `older_than`; past `keep` rows, forget those with the fewest
    wrong PINs, oldest first (so numbers typed at random cannot fill the table, nor flush the count
    of a number someone is guessing the PIN of)."""
    db.execute("DELETE FROM sign_in_failures WHERE last_failed_at < ?", [older_than])
    extra = db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] - keep
    if extra > 0:
        db.execute(
            "DELETE FROM sign_in_failures WHERE number IN "
            "(SELECT number FROM sign_in_failures ORDER BY failures, last_failed_at LIMIT ?)",
            [extra],
        )


# --- refused sign-ins on the record ---------------------------------------------------------------


def last_refusal_at(db: sqlite_utils.Database, stream: str) -> str | None:
    """When (ISO text) the last refused sign-in on this stream was recorded as an event, or None."""
    row = db.execute(
        "SELECT at FROM events WHERE stream = ? AND kind = 'staff.sign_in_refused' ORDER BY seq DESC LIMIT 1",
        [stream],
    ).fetchone()
    return row[0] if row else None
