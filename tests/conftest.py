"""Shared fixtures: a fixed clock, a fresh database with a call handler and a line manager, and an app.

Everything that varies is pinned here (time, ids come from the database's counters), so tests and
snapshots are deterministic by construction.
"""

from __future__ import annotations

import atexit
import copy
import dataclasses
import inspect
import os
import shutil
import tempfile
from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from counter_tui.clock import FixedClock
from counter_tui.config import Settings
from counter_tui.models.staff import Actor
from counter_tui.private_files import keep_private
from counter_tui.services import pin_hash, staff
from counter_tui.services.context import Context
from counter_tui.store.connection import Store

settings.register_profile("ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

keep_private()  # as `counter` does at its entry: every file a test creates is its owner's only
pin_hash.COST = pin_hash.PinCost(n=2**4, r=8, p=1)
"""PINs are hashed cheaply in tests: the real cost (0.3 s and 128 MiB a hash) is slow on purpose and is
tested on its own (tests/test_pin_rule.py); the demo's accounts stay at their DEMO_COST, above this."""

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""The fixed moment every test starts at (09:00 in London in winter)."""

CALL_HANDLER = {"number": "1001", "name": "Sam Okafor", "role": "call_handler", "office": "Main office", "pin": "123427"}
LINE_MANAGER = {"number": "2001", "name": "Jo Lindqvist", "role": "line_manager", "office": "Main office", "pin": "234527"}


@pytest.fixture(autouse=True)
def _steady_cursors(monkeypatch):
    """Cursors do not blink in tests: a blink every half second made a snapshot depend on how long a
    loaded machine took between focusing a field and taking the picture."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def clock() -> FixedClock:
    """A clock that starts at START and moves one second per reading, so timestamps are ordered and known."""
    return FixedClock(START, tick=timedelta(seconds=1))


def make_context(db_path: Path, clock: FixedClock, policy: str = "hmpo") -> Context:
    """A context on a fresh database with the two standard members of staff (those whose role the pack has).

    Built once per pack and clock state, then copied (see `from_template`)."""

    def build(path: Path, clock: FixedClock) -> Context:
        ctx = Context.open(path, Settings(policy=policy), clock=clock)
        roles = {role.id for role in ctx.pack.roles}
        for member in (CALL_HANDLER, LINE_MANAGER):
            if member["role"] in roles:
                staff.add_staff(ctx, **member)
        return ctx

    pack = pack_key(policy)
    return from_template(db_path, clock, pack and ("make_context", pack), build)


def from_template(db_path: Path, clock: FixedClock, key: Hashable | None, build: Callable[[Path, FixedClock], Context]) -> Context:
    """`build(db_path, clock)`, the first time for this `key` and clock state only: its database is kept
    as a template, and later calls copy that file and move the clock on exactly as building did.

    `key` names everything `build` depends on besides the path and the clock. Building is the long way
    (`Context.open`, which lints the pack, then every migration, the scrypt hash of each member's PIN,
    their `staff.added` events); a copy has the same rows, hash chain and clock, and its context is the
    template's (the same frozen pack, linted when it was built) with its own store, a copy of the
    settings and the caller's clock. A key of None, a clock other than a FixedClock, or a path that
    already holds a database is built the long way every time.
    """
    if key is None or type(clock) is not FixedClock or _exists(db_path):
        return build(db_path, clock)
    key = (key, tuple(sorted(vars(clock).items())))
    if key not in _TEMPLATES:
        builder = copy.copy(clock)
        template = _template_dir() / f"{len(_TEMPLATES)}.db"
        opened = build(template, builder)
        opened.store.db  # opened and migrated, even where building wrote nothing
        opened.store.close()  # the last connection: the WAL is checkpointed into the file
        _TEMPLATES[key] = (template, vars(builder).copy(), dataclasses.replace(opened, settings=opened.settings.model_copy(deep=True)))
    template, clock_after, opened = _TEMPLATES[key]
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, db_path)
    vars(clock).update(clock_after)
    return dataclasses.replace(opened, store=Store(db_path, opened.settings.busy_timeout_ms),
                               settings=opened.settings.model_copy(deep=True), clock=clock)


_TEMPLATES: dict[tuple, tuple[Path, dict, Context]] = {}
"""(key, clock state) -> (template database, the clock's state after building it, its context)."""
_TEMPLATE_DIR: list[Path] = []


def pack_key(policy: str) -> tuple | None:
    """A shipped pack by id (read once per process); a pack file by path and contents (read afresh
    each time); None for a pack file that cannot be read (opening it says why)."""
    if not policy.endswith(".toml"):
        return (policy,)
    try:
        return (policy, Path(policy).read_bytes())
    except OSError:
        return None


def _exists(db_path: Path) -> bool:
    return any(Path(f"{db_path}{suffix}").exists() for suffix in ("", "-wal", "-journal"))


def _template_dir() -> Path:
    if not _TEMPLATE_DIR:
        _TEMPLATE_DIR.append(Path(tempfile.mkdtemp(prefix="counter-templates-")))
        atexit.register(shutil.rmtree, _TEMPLATE_DIR[0], ignore_errors=True)
    return _TEMPLATE_DIR[0]


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


@pytest.fixture
def snap_compare(snap_compare):
    """pytest-textual-snapshot's `snap_compare`, with each key pressed once the screen before it has
    drawn, and a form's draft saved as a pause in typing would save it before the picture is taken.

    Under load on CI a key could arrive before its screen was ready, and whether a form's autosave
    timer had fired ("Saved 09:00:00") decided the picture: now neither depends on timing.
    """

    def compare(app, press=(), terminal_size=(80, 24), run_before=None, *, save_draft=True):
        async def settled(pilot):
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await pilot.pause()
            for key in press:
                await pilot.press(key)
                await pilot.pause()
            autosave = getattr(pilot.app.screen, "_autosave", None)
            if autosave is not None and save_draft:  # save_draft=False: the picture is of a refused save
                autosave.save_now()
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()

        return snap_compare(app, terminal_size=terminal_size, run_before=settled)

    return compare
