"""Autosave (issue 17.12): typing that never pauses is still saved at least every two seconds."""

from __future__ import annotations

import pytest

from counter_tui.app import CounterApp
from counter_tui.screens.widgets import autosave
from counter_tui.store import queries
from test_app import SIZE, sign_in, type_text


@pytest.fixture
def typing_clock(monkeypatch):
    """Each reading of the autosave clock is 0.3 s after the last; the pause timer never fires."""
    moments = iter(n * 0.3 for n in range(100_000))
    monkeypatch.setattr(autosave, "monotonic", lambda: next(moments))
    monkeypatch.setattr(autosave, "AUTOSAVE_SECONDS", 3600.0)


async def test_continuous_typing_is_saved_without_a_pause(ctx, typing_clock):
    """GIVEN a call in progress WHEN a note is typed with never a pause (a key each 0.3 s) THEN what
    was typed is in the database within two seconds of typing, before any pause."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "1234")
        await pilot.press("1", *"Mr Tom Fielding", "enter", "ctrl+n")
        contact_id = app.screen.contact_id
        await type_text(pilot, "Shouting")  # 8 keys: 2.1 s of typing by the clock
        await pilot.pause()
        saved = queries.contact(ctx.store.db, contact_id).note
        assert saved and "Shouting".startswith(saved)
        await type_text(pilot, " and swearing at me")
        await pilot.pause()
        later = queries.contact(ctx.store.db, contact_id).note
        assert len(later) > len(saved) and "Shouting and swearing at me".startswith(later)


async def test_without_the_max_wait_nothing_would_be_saved(ctx, typing_clock, monkeypatch):
    """The same typing with the two-second rule turned off saves nothing: the test above depends on it."""
    monkeypatch.setattr(autosave, "MAX_WAIT_SECONDS", 3600.0)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "1001", "1234")
        await pilot.press("1", *"Mr Tom Fielding", "enter", "ctrl+n")
        await type_text(pilot, "Shouting and swearing")
        await pilot.pause()
        assert queries.contact(ctx.store.db, app.screen.contact_id).note == ""
