"""Staff: adding members with a hashed PIN, listing them, and signing in on a shared terminal."""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from pydantic import BaseModel, ValidationError, field_validator

from counter_tui.models.staff import Actor, StaffMember
from counter_tui.services.context import Context
from counter_tui.services.errors import FieldErrors, SignInRefused
from counter_tui.store import projections
from counter_tui.store import staff as register
from counter_tui.store.connection import write
from counter_tui.text import Name

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_DUMMY_SALT = b"\x00" * 16


def hash_pin(pin: str, salt: bytes) -> bytes:
    """The scrypt hash of a PIN with a per-member salt."""
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, **SCRYPT)


class NewStaff(BaseModel):
    """What is typed to add a member of staff."""

    number: str
    name: Name
    role: str
    office: str
    pin: str

    @field_validator("number")
    @classmethod
    def _number(cls, value: str) -> str:
        value = value.strip()
        if not re.fullmatch(r"[A-Za-z0-9]{1,20}", value):
            raise ValueError("A staff number is 1 to 20 letters or digits.")
        return value

    @field_validator("pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        if not re.fullmatch(r"[0-9]{4,12}", value):
            raise ValueError("A PIN is 4 to 12 digits.")
        return value

    @field_validator("name")
    @classmethod
    def _name_given(cls, value: str) -> str:
        if not value:
            raise ValueError("A name is needed.")
        return value


def add_staff(ctx: Context, *, number: str, name: str, role: str, office: str, pin: str, actor: Actor | None = None) -> StaffMember:
    """Add a member of staff; the PIN is stored only as a salted scrypt hash.

    Raises:
        FieldErrors: a field is invalid, the role is not in the pack, the office not configured,
            or the staff number is taken.
    """
    try:
        new = NewStaff(number=number, name=name, role=role, office=office, pin=pin)
    except ValidationError as error:
        raise FieldErrors.from_validation(error) from None
    roles = {r.id for r in ctx.pack.roles}
    if new.role not in roles:
        raise FieldErrors({"role": f"Not a role in the {ctx.pack.id} pack (one of: {', '.join(sorted(roles))})."})
    if new.office not in ctx.settings.offices:
        raise FieldErrors({"office": f"Not a configured office (one of: {', '.join(ctx.settings.offices)})."})
    member = StaffMember(number=new.number, name=new.name, role=new.role, office=new.office)
    salt = os.urandom(16)
    digest = hash_pin(new.pin, salt)
    db = ctx.store.db
    with write(db):
        if register.exists(db, member.number):
            raise FieldErrors({"number": f"Staff number {member.number} is already in use."})
        register.add(db, member, salt, digest)
        projections.record(
            db, at=ctx.clock.now(), actor=actor.number if actor else "admin", role=actor.role if actor else "administrator",
            kind="staff.added", stream=f"staff:{member.number}",
            payload={"number": member.number, "name": member.name, "role": member.role, "office": member.office},
        )
    return member


def list_staff(ctx: Context) -> list[StaffMember]:
    return register.all_staff(ctx.store.db)


def sign_in(ctx: Context, number: str, pin: str) -> Actor:
    """Check a staff number and PIN.

    Raises:
        SignInRefused: wrong number or PIN, or a disabled account, with the same message for each.
    """
    found = register.credentials(ctx.store.db, number.strip())
    salt, expected = (found[1], found[2]) if found else (_DUMMY_SALT, b"")
    given = hash_pin(pin, salt)
    if found is None or not hmac.compare_digest(given, expected) or not found[0].active:
        raise SignInRefused("Staff number or PIN not recognised.")
    member = found[0]
    return Actor(number=member.number, name=member.name, role=member.role, office=member.office)


def name_of(ctx: Context, number: str) -> str:
    """A member of staff's name for a message ("staff 1234" where the number is not on the register)."""
    from counter_tui.store import staff as staff_store

    return staff_store.name_of(ctx.store.db, number) or f"staff {number}"
