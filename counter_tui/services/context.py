"""The context every service works in: the store, the policy pack, the settings and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from counter_tui.clock import Clock, SystemClock
from counter_tui.config import Settings
from counter_tui.policy.loader import PackError, load_pack
from counter_tui.policy.schema import Pack
from counter_tui.store.connection import Store


@dataclass
class Context:
    """What a running Counter needs: one per app, CLI command or test."""

    store: Store
    pack: Pack
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    def open(cls, db_path: Path, settings: Settings | None = None, clock: Clock | None = None) -> Context:
        """Open the database and load the configured pack, refusing one the linter finds unsafe.

        Raises:
            PackError: the pack is malformed or breaks a lint rule (one line: file, place, rule).
        """
        settings = settings or Settings()
        pack = load_pack(settings.policy)
        from counter_tui.policy.lint import lint

        file = settings.policy if settings.policy.endswith(".toml") else f"{pack.id}.toml"
        findings = lint(pack)
        if findings:
            raise PackError(file, findings[0].place, f"{findings[0].rule} {findings[0].message}")
        # a task whose [deadlines] entry is not configured has no due time (services.deadlines): no error
        return cls(store=Store(db_path, settings.busy_timeout_ms), pack=pack, settings=settings,
                   clock=clock or SystemClock())
