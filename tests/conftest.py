"""Shared fixtures: a fixed clock, a fresh database with a call handler and a line manager, and an app.

Everything that varies is pinned here (time, ids come from the database's counters), so tests and
snapshots are deterministic by construction.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.services import staff
from counter_tui.services.context import Context

settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""The fixed moment every test starts at (09:00 in London in winter)."""

CALL_HANDLER = {"number": "1001", "name": "Sam Okafor", "role": "call_handler", "office": "Main office", "pin": "1234"}
LINE_MANAGER = {"number": "2001", "name": "Jo Lindqvist", "role": "line_manager", "office": "Main office", "pin": "2345"}


@pytest.fixture
def clock() -> FixedClock:
    """A clock that starts at START and moves one second per reading, so timestamps are ordered and known."""
    return FixedClock(START, tick=timedelta(seconds=1))


def make_context(db_path: Path, clock: FixedClock, policy: str = "hmpo") -> Context:
    """A context on a fresh database with the two standard members of staff (those whose role the pack has)."""
    ctx = Context.open(db_path, Settings(policy=policy), clock=clock)
    roles = {role.id for role in ctx.pack.roles}
    for member in (CALL_HANDLER, LINE_MANAGER):
        if member["role"] in roles:
            staff.add_staff(ctx, **member)
    return ctx


@pytest.fixture
def ctx(tmp_path: Path, clock: FixedClock) -> Context:
    """The HMPO pack on a real SQLite file in a temporary folder."""
    return make_context(tmp_path / "counter.db", clock)


@pytest.fixture
def handler() -> Actor:
    return Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")


@pytest.fixture
def manager() -> Actor:
    return Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
