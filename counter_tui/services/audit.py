"""The audit check: is the event log's hash chain whole? Needs only the database, never the pack."""

from __future__ import annotations

from dataclasses import dataclass

from counter_tui.store import events
from counter_tui.store.connection import Store


@dataclass(frozen=True)
class AuditResult:
    checked: int
    problem: str | None
    """The first break, naming its event, or None when the chain holds."""


def verify(store: Store) -> AuditResult:
    checked, broken = events.verify(store.db)
    return AuditResult(checked=checked, problem=str(broken) if broken else None)
