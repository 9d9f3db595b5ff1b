"""The audit check: is the event log's hash chain whole?"""

from __future__ import annotations

from dataclasses import dataclass

from counter_tui.services.context import Context
from counter_tui.store import events


@dataclass(frozen=True)
class AuditResult:
    checked: int
    problem: str | None
    """The first break, naming its event, or None when the chain holds."""


def verify(ctx: Context) -> AuditResult:
    checked, broken = events.verify(ctx.store.db)
    return AuditResult(checked=checked, problem=str(broken) if broken else None)
