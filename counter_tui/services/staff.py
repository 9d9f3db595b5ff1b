"""Staff: adding members with a hashed PIN, listing, disabling and resetting them, and signing in
on a shared terminal.

Sign-in never says whether a staff number exists: a wrong number, a wrong PIN and a disabled
account get one message, and wrong PINs are counted for any number typed. After `LOCK_AFTER` wrong
PINs in a row that number must wait (`FIRST_WAIT`, doubling with each further wrong PIN, at most
`LONGEST_WAIT`) before its PIN is checked again; the wait is the same whether the number exists or
not. A member added or reset by an administrator chooses their own PIN at their next sign-in, and so does
one whose PIN breaks today's rule (`pin_hash`); a PIN hashed at a lower cost than today's is remade
at today's cost when its owner signs in.
"""

from __future__ import annotations

import hmac
import math
import os
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ValidationError, field_validator, model_validator

from counter_tui.clock import iso, parse_iso
from counter_tui.models.staff import Actor, StaffMember
from counter_tui.services.context import Context
from counter_tui.services import pin_hash
from counter_tui.services.errors import FieldErrors, SignInRefused
from counter_tui.services.pin_hash import PinCost, pin_problem
from counter_tui.store import projections
from counter_tui.store import staff as register
from counter_tui.store.connection import write
from counter_tui.text import BIDI_CONTROLS, Name

_DUMMY_SALT = b"\x00" * 16

NUMBER_PATTERN = r"[A-Za-z0-9]{1,20}"
NUMBER_RULE = "A staff number is 1 to 20 letters or digits."
NOT_RECOGNISED = "Staff number or PIN not recognised."

LOCK_AFTER = 5
"""Wrong PINs in a row for one staff number typed before it must wait."""
FIRST_WAIT = timedelta(seconds=30)
"""The wait after the LOCK_AFTER-th wrong PIN; each further wrong PIN doubles it."""
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=24)
"""A count of wrong PINs with none added for this long is forgotten (far longer than any wait)."""
KEEP_COUNTS = 10_000
"""At most this many staff numbers' counts are kept, so numbers typed at random cannot fill the disk."""
REFUSAL_WINDOW = timedelta(minutes=10)
"""Refused sign-ins are recorded at most once per staff number in this window (and each time a new
wait starts), with the count of wrong PINs so far: a script cannot fill the disk with refusals."""


class SignInWait(SignInRefused):
    """Too many wrong PINs for this staff number: no PIN is checked until `until` (UTC)."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class PinChangeNeeded(SignInRefused):
    """The PIN was right, but was set by an administrator: `actor` chooses a new one (`change_pin`)
    before they are signed in. A caller that does not handle this refuses the sign-in."""

    ADMINISTRATOR_SET = "Your PIN was set by an administrator: choose your own on the sign-in screen first."
    TOO_WEAK = "Your PIN no longer meets the rule for PINs: choose a new one on the sign-in screen first."

    def __init__(self, actor: Actor, *, weak: bool = False) -> None:
        super().__init__(self.TOO_WEAK if weak else self.ADMINISTRATOR_SET)
        self.actor = actor
        self.weak = weak


def _check_number(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(NUMBER_PATTERN, value):
        raise ValueError(NUMBER_RULE)
    return value


class NewStaff(BaseModel):
    """What is typed to add a member of staff."""

    number: Annotated[str, AfterValidator(_check_number)]
    name: Name
    role: str
    office: str
    pin: str

    @field_validator("name")
    @classmethod
    def _name_given(cls, value: str) -> str:
        if not value:
            raise ValueError("A name is needed.")
        return value

    @model_validator(mode="after")
    def _pin_rule(self) -> NewStaff:
        problem = pin_problem(self.pin, self.number)
        if problem:
            raise ValueError(problem)
        return self


def _by(actor: Actor | None) -> dict[str, str]:
    """Who an administrative change is recorded as: the signed-in actor, or the administrator at the CLI."""
    return {"actor": actor.number, "role": actor.role} if actor else {"actor": "admin", "role": "administrator"}


def add_staff(ctx: Context, *, number: str, name: str, role: str, office: str, pin: str, actor: Actor | None = None,
              must_change_pin: bool = False, cost: PinCost | None = None, line_manager: str | None = None) -> StaffMember:
    """Add a member of staff; the PIN is stored only as a salted scrypt hash.

    Args:
        must_change_pin: they choose their own PIN at their first sign-in (`counter staff add` sets it).
        cost: the hash's cost, when not today's (`pin_hash.DEMO_COST` for the demo's published PINs).
        line_manager: their own line manager's staff number (`line_managers.check`).

    Raises:
        FieldErrors: a field is invalid, the role is not in the pack, the office not configured,
            the staff number is taken, or the line manager cannot be theirs.
    """
    try:
        new = NewStaff(number=number, name=name, role=role, office=office, pin=pin)
    except ValidationError as error:
        raise FieldErrors.from_validation(error, form_field="pin") from None
    roles = {r.id for r in ctx.pack.roles}
    if new.role not in roles:
        raise FieldErrors({"role": f"Not a role in the {ctx.pack.id} pack (one of: {', '.join(sorted(roles))})."})
    if new.office not in ctx.settings.offices:
        raise FieldErrors({"office": f"Not a configured office (one of: {', '.join(ctx.settings.offices)})."})
    member = StaffMember(number=new.number, name=new.name, role=new.role, office=new.office,
                         must_change_pin=must_change_pin)
    salt, cost = os.urandom(16), cost or pin_hash.COST
    digest = pin_hash.hash_pin(new.pin, salt, cost)
    db = ctx.store.db
    with write(db):
        if register.exists(db, member.number):
            raise FieldErrors({"number": f"Staff number {member.number} is already in use."})
        if line_manager is not None:
            from counter_tui.services import line_managers

            member = member.model_copy(update={"line_manager": line_managers.check(ctx, db, member.number, line_manager)})
        register.add(db, member, salt, digest, cost.text())
        projections.record(
            db, at=ctx.clock.now(), **_by(actor), kind="staff.added", stream=f"staff:{member.number}",
            payload={"number": member.number, "name": member.name, "role": member.role, "office": member.office,
                     **({"line_manager": member.line_manager} if member.line_manager else {})},
        )
    return member


def list_staff(ctx: Context) -> list[StaffMember]:
    return register.all_staff(ctx.store.db)


def _member_for_admin(ctx: Context, number: str) -> StaffMember:
    try:
        number = _check_number(number)
    except ValueError as error:
        raise FieldErrors({"number": str(error)}) from None
    found = register.member(ctx.store.db, number)
    if found is None:
        raise FieldErrors({"number": f"No member of staff has the number {number}."})
    return found


def disable_staff(ctx: Context, number: str, actor: Actor | None = None) -> StaffMember:
    """Disable a member of staff: they can no longer sign in (with the same message as a wrong PIN).

    Raises:
        FieldErrors: no such staff number, or already disabled.
    """
    member = _member_for_admin(ctx, number)
    if not member.active:
        raise FieldErrors({"number": f"Staff number {member.number} is already disabled."})
    db = ctx.store.db
    with write(db):
        register.disable(db, member.number)
        projections.record(db, at=ctx.clock.now(), **_by(actor), kind="staff.disabled", stream=f"staff:{member.number}",
                           payload={"number": member.number})
    return member.model_copy(update={"active": False})


def reset_pin(ctx: Context, number: str, pin: str, actor: Actor | None = None) -> StaffMember:
    """Give a member of staff a new PIN set by an administrator: they choose their own at their next
    sign-in, and any count of wrong PINs for their number is forgotten.

    Raises:
        FieldErrors: no such staff number, or the PIN breaks the rule for PINs (`pin_hash.pin_problem`).
    """
    member = _member_for_admin(ctx, number)
    problem = pin_problem(pin, member.number)
    if problem:
        raise FieldErrors({"pin": problem})
    salt = os.urandom(16)
    digest = pin_hash.hash_pin(pin, salt)
    db = ctx.store.db
    with write(db):
        register.set_pin(db, member.number, salt, digest, pin_hash.COST.text(), must_change=True)
        register.clear_failures(db, member.number)
        projections.record(db, at=ctx.clock.now(), **_by(actor), kind="staff.pin_reset", stream=f"staff:{member.number}",
                           payload={"number": member.number})
    return member.model_copy(update={"must_change_pin": True})


# --- signing in ---------------------------------------------------------------------------------


def wait_after(failures: int) -> timedelta | None:
    """How long a staff number waits after this many wrong PINs in a row (None: no wait yet)."""
    if failures < LOCK_AFTER:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - LOCK_AFTER, 16), LONGEST_WAIT)


def wait_text(wait: timedelta) -> str:
    """A wait as staff read it: "45 s", "1 min 30 s", "15 min" (whole seconds, rounded up)."""
    minutes, seconds = divmod(max(1, math.ceil(wait.total_seconds())), 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def wait_message(until: datetime, now: datetime) -> str:
    """What the sign-in screen says while a staff number must wait."""
    if until <= now:
        return "You may try your PIN again now."
    return f"Too many wrong PINs: try again in {wait_text(until - now)}."


def _counted_as(typed: str) -> str:
    """The staff number a wrong PIN is counted against: as typed, printable, and of bounded length."""
    return "".join("\ufffd" if not c.isprintable() or c in BIDI_CONTROLS else c for c in typed[:40])


def _proves(ctx: Context, number: str, pin: str) -> StaffMember | None:
    """The active member whose number and PIN these are; None otherwise, after the same scrypt work.
    A PIN proved against a hash made at less than today's cost is hashed again at today's."""
    found = register.credentials(ctx.store.db, number) if re.fullmatch(NUMBER_PATTERN, number) else None
    salt, expected, cost = (found[1], found[2], PinCost.parse(found[3])) if found else (_DUMMY_SALT, b"", None)
    valid = pin_hash.SIGN_IN_PIN.fullmatch(pin) is not None  # nothing else can be a PIN (nor be encoded: a lone surrogate)
    given = pin_hash.hash_pin(pin if valid else "0000", salt, cost)  # the same scrypt work either way
    weaker = cost is not None and cost.weaker_than(pin_hash.COST)
    if found is None or not valid or not hmac.compare_digest(given, expected) or not found[0].active:
        if weaker:  # work at today's cost too, as for a number not on the register: the time never tells it exists
            pin_hash.hash_pin("0000", _DUMMY_SALT)
        return None
    if weaker:
        _rehash(ctx, found[0], pin)
    return found[0]


def _rehash(ctx: Context, member: StaffMember, pin: str) -> None:
    """Remake a member's PIN hash at today's cost (the PIN itself, and whether they must change it, stay)."""
    salt = os.urandom(16)
    digest = pin_hash.hash_pin(pin, salt)
    db = ctx.store.db
    with write(db):
        register.set_pin(db, member.number, salt, digest, pin_hash.COST.text(), must_change=member.must_change_pin)


def _locked_until(ctx: Context, key: str, now: datetime) -> datetime | None:
    until = register.failures(ctx.store.db, key)[1]
    return parse_iso(until) if until is not None and parse_iso(until) > now else None


def _attempt(ctx: Context, key: str, now: datetime, check: Callable[[], StaffMember | None]) -> StaffMember:
    """Check a PIN for the staff number typed (`key`) within the wait rules: a right PIN forgets the
    count; a wrong one (or a wait still running) is counted, recorded as an event, and refused.

    Raises:
        SignInWait: the number must wait (whether or not this PIN was checked).
        SignInRefused: a wrong number or PIN, or a disabled account.
    """
    db = ctx.store.db
    waiting = _locked_until(ctx, key, now)
    member = check() if waiting is None else None  # scrypt before the write lock is taken
    refusal: SignInRefused | None = None
    with write(db):
        count, until_text = register.failures(db, key)
        # Another terminal may have set a wait while the hash was worked out.
        until = parse_iso(until_text) if until_text and parse_iso(until_text) > now else None
        if waiting is not None or until is not None:
            until = until or waiting
            refusal = SignInWait(wait_message(until, now), until)
            lockout = True
        elif member is not None:
            register.clear_failures(db, key)
        else:
            count += 1
            wait = wait_after(count)
            until = now + wait if wait else None
            register.count_failure(db, key, count, iso(until) if until else None, iso(now))
            register.prune_failures(db, older_than=iso(now - FORGET_AFTER), keep=KEEP_COUNTS)
            refusal = SignInWait(f"{NOT_RECOGNISED} {wait_message(until, now)}", until) if until else SignInRefused(NOT_RECOGNISED)
            lockout = False
        if refusal is not None:
            _record_refusal(db, key, now, lockout=lockout, failures=count, new_wait=not lockout and until is not None)
    if refusal is not None:
        raise refusal
    return member


def _typed_shape(typed: str) -> dict[str, object]:
    """What the record keeps of a number typed that is no staff number: its length and the kind of
    characters, never the text (which can hold a PIN typed ahead into the number field)."""
    if typed.isdigit() and typed.isascii():
        shape = "digits"
    elif re.fullmatch(NUMBER_PATTERN, typed):
        shape = "letters and digits"
    else:
        shape = "other characters"
    return {"length": len(typed), "shape": shape}


def _record_refusal(db, key: str, now: datetime, *, lockout: bool, failures: int, new_wait: bool) -> None:
    """Record a refused sign-in as an event, at most once per staff number per REFUSAL_WINDOW (and
    whenever a new wait starts); numbers not on the register share one stream and name no number."""
    known = re.fullmatch(NUMBER_PATTERN, key) is not None and register.exists(db, key)
    stream = f"sign-in:{key}" if known else "sign-in:unknown-number"
    last = register.last_refusal_at(db, stream)
    if last is not None and parse_iso(last) > now - REFUSAL_WINDOW and not new_wait:
        return
    typed = {"number": key} if known else {"number": None, "typed": _typed_shape(key)}
    projections.record(db, at=now, actor="unknown", role="none", kind="staff.sign_in_refused", stream=stream,
                       payload={**typed, "lockout": lockout, "failures": failures})


def _actor(member: StaffMember) -> Actor:
    return Actor(number=member.number, name=member.name, role=member.role, office=member.office)


def sign_in(ctx: Context, number: str, pin: str) -> Actor:
    """Check a staff number and PIN.

    Raises:
        SignInRefused: wrong number or PIN, or a disabled account, with the same message for each.
        SignInWait: too many wrong PINs for this number; the message says how long to wait.
        PinChangeNeeded: the PIN is right but an administrator set it, or it breaks today's rule for
            PINs (`weak`): `change_pin` first.
    """
    typed = number.strip()
    member = _attempt(ctx, _counted_as(typed), ctx.clock.now(), lambda: _proves(ctx, typed, pin))
    if member.must_change_pin:
        raise PinChangeNeeded(_actor(member))
    if pin_problem(pin, member.number):
        raise PinChangeNeeded(_actor(member), weak=True)
    return _actor(member)


def new_pin_problem(old_pin: str, new_pin: str, number: str = "") -> str | None:
    """Why a new PIN cannot be chosen, or None if it can."""
    problem = pin_problem(new_pin, number)
    if problem:
        return problem
    if new_pin == old_pin:
        return "The new PIN must differ from the old one."
    return None


def change_pin(ctx: Context, actor: Actor, old_pin: str, new_pin: str) -> Actor:
    """A member of staff chooses a new PIN, proving the old one (which counts as a sign-in attempt).

    Returns:
        The actor, signed in.

    Raises:
        FieldErrors: the new PIN breaks a rule (`new_pin`).
        SignInRefused: the old PIN is wrong, the account disabled, or (SignInWait) the number must wait.
    """
    problem = new_pin_problem(old_pin, new_pin, actor.number)
    if problem:
        raise FieldErrors({"new_pin": problem})
    member = _attempt(ctx, actor.number, ctx.clock.now(), lambda: _proves(ctx, actor.number, old_pin))
    salt = os.urandom(16)
    digest = pin_hash.hash_pin(new_pin, salt)
    db = ctx.store.db
    with write(db):
        current = register.member(db, member.number)
        if current is None or not current.active:
            raise SignInRefused(NOT_RECOGNISED)  # disabled since the old PIN was checked
        register.set_pin(db, member.number, salt, digest, pin_hash.COST.text(), must_change=False)
        projections.record(db, at=ctx.clock.now(), actor=member.number, role=member.role, kind="staff.pin_changed",
                           stream=f"staff:{member.number}", payload={"number": member.number})
    return _actor(member)


def name_of(ctx: Context, number: str) -> str:
    """A member of staff's name for a message ("staff 1234" where the number is not on the register)."""
    return register.name_of(ctx.store.db, number) or f"staff {number}"
