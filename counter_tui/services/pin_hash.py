"""PINs: the rule a new PIN must meet, and its scrypt hash with the cost it was made at.

A PIN is 6 to 12 digits and not one an attacker tries first (one digit repeated, a run such as 123456
or 987654, a short pattern repeated such as 121212 or 123123, or the member's own staff number). The
hash is scrypt at the cost OWASP's Password Storage Cheat Sheet recommends (N=2^17, r=8, p=1), and the
cost is stored beside each hash so that a hash made at a lower cost (an older database, the demo's
published accounts) is remade at the current cost the next time its owner signs in.

Sign-in still accepts a PIN of 4 or more digits set under the older rule; a member whose PIN breaks
today's rule chooses a new one before they are signed in.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

PIN_RULE = ("A PIN is 6 to 12 digits, and not easy to guess: not one digit repeated, a run like 123456 "
            "or 987654, a repeated pattern like 121212, or your staff number.")
NEW_PIN = re.compile(r"[0-9]{6,12}")
SIGN_IN_PIN = re.compile(r"[0-9]{4,12}")
"""What sign-in checks: a PIN chosen under the older 4-digit rule still signs its owner in (to change it)."""


@dataclass(frozen=True)
class PinCost:
    """scrypt's cost parameters: N (CPU and memory), r (block size), p (parallelism)."""

    n: int
    r: int
    p: int

    def text(self) -> str:
        """As stored beside the hash: "scrypt:131072:8:1"."""
        return f"scrypt:{self.n}:{self.r}:{self.p}"

    @classmethod
    def parse(cls, text: str) -> PinCost:
        kind, n, r, p = text.split(":")
        if kind != "scrypt":
            raise ValueError(f"Not a scrypt cost: {text!r}")
        return cls(int(n), int(r), int(p))

    def weaker_than(self, other: PinCost) -> bool:
        return self.n < other.n or self.r < other.r or self.p < other.p


RECOMMENDED = PinCost(n=2**17, r=8, p=1)
"""OWASP's Password Storage Cheat Sheet: scrypt with N=2^17, r=8 (1 KiB blocks), p=1: about 0.3 s and
128 MiB a hash on a 2-core machine."""
COST = RECOMMENDED
"""The cost new hashes are made at. The test suite lowers it: a PIN's hash is slow on purpose, and
rarely what a test is about."""
DEMO_COST = PinCost(n=2**10, r=8, p=1)
"""The demo's accounts, whose PINs are printed on its sign-in screen, are made at this cost so the demo
starts at once; each is remade at `COST` the first time it signs in."""


def hash_pin(pin: str, salt: bytes, cost: PinCost | None = None) -> bytes:
    """The scrypt hash of a PIN with a per-member salt, at `cost` (default: today's `COST`)."""
    cost = cost or COST
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=cost.n, r=cost.r, p=cost.p, dklen=32,
                          maxmem=256 * cost.n * cost.r + 2**20)


def _is_run(pin: str) -> bool:
    """Each digit one more (or one less) than the last, wrapping 9 to 0: 123456, 890123, 654321."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    return steps in ({1}, {9})


def _is_repeated_pattern(pin: str) -> bool:
    """A pattern of 1 to 3 digits repeated to fill the PIN: 111111, 121212, 123123, 1231231."""
    return any(pin == (pin[:size] * len(pin))[:len(pin)] for size in (1, 2, 3))


def pin_problem(pin: str, number: str = "") -> str | None:
    """Why `pin` cannot be chosen as a new PIN (for staff number `number`), or None if it can."""
    if not NEW_PIN.fullmatch(pin):
        return PIN_RULE
    if len(set(pin)) == 1:
        return "A PIN of one digit repeated is too easy to guess."
    if _is_run(pin):
        return "A run of digits like 123456 or 987654 is too easy to guess."
    if _is_repeated_pattern(pin):
        return "A repeated pattern like 121212 or 123123 is too easy to guess."
    if number and number in pin:
        return "A PIN must not contain your staff number."
    return None
