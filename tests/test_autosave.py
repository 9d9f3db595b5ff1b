"""Autosave (issue 17.12): typing that never pauses is still saved at least every two seconds, on a
thread, so a database locked by another process never freezes typing; one save at a time, the last
text typed is what is stored, and a final write is never followed by a late draft."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from textual.widgets import Static, TextArea
from textual.worker import WorkerState

from counter_tui.app import CounterApp
from counter_tui.screens.widgets import autosave
from counter_tui.services import contacts, records
from counter_tui.services.demo import HMPO_LOGINS
from counter_tui.store import queries
from test_app import SIZE, sign_in, type_text

HANDLER = HMPO_LOGINS[0]
"""Sam Okafor, the call handler (the demo's PINs are changed there, never here)."""


@pytest.fixture
def typing_clock(monkeypatch):
    """Each reading of the autosave clock is 0.3 s after the last; the pause timer never fires."""
    moments = iter(n * 0.3 for n in range(100_000))
    monkeypatch.setattr(autosave, "monotonic", lambda: next(moments))
    monkeypatch.setattr(autosave, "AUTOSAVE_SECONDS", 3600.0)


async def start_call(pilot, app) -> str:
    """Signed in as the call handler, a call started and the note focused; returns the contact's id."""
    await sign_in(pilot, HANDLER.number, HANDLER.pin)
    await pilot.press("1", *"Mr Tom Fielding", "enter", "ctrl+n")
    return app.screen.contact_id


def status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


def autosaving(app) -> bool:
    return any(w.group == "autosave" and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)


async def settled(app, pilot) -> None:
    """Every save on its thread finished and its outcome applied (a save asked for meanwhile too)."""
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not autosaving(app) and not app.screen._autosave.saving:
            return
    raise AssertionError("the autosave never settled")


async def test_continuous_typing_is_saved_without_a_pause(ctx, typing_clock):
    """GIVEN a call in progress WHEN a note is typed with never a pause (a key each 0.3 s) THEN what
    was typed is in the database within two seconds of typing, before any pause."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start_call(pilot, app)
        await type_text(pilot, "Shouting")  # 8 keys: 2.1 s of typing by the clock
        await settled(app, pilot)
        saved = queries.contact(ctx.store.db, contact_id).note
        assert saved and "Shouting".startswith(saved)
        assert status(app).startswith("Saved ")
        await type_text(pilot, " and swearing at me")
        await settled(app, pilot)
        later = queries.contact(ctx.store.db, contact_id).note
        assert len(later) > len(saved) and "Shouting and swearing at me".startswith(later)


async def test_without_the_max_wait_nothing_would_be_saved(ctx, typing_clock, monkeypatch):
    """The same typing with the two-second rule turned off saves nothing: the test above depends on it."""
    monkeypatch.setattr(autosave, "MAX_WAIT_SECONDS", 3600.0)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await start_call(pilot, app)
        await type_text(pilot, "Shouting and swearing")
        await settled(app, pilot)
        assert queries.contact(ctx.store.db, app.screen.contact_id).note == ""


async def test_a_locked_database_never_freezes_typing_and_the_draft_is_saved_once_it_is_free(ctx, typing_clock,
                                                                                            monkeypatch):
    """GIVEN another process holding the database's write lock WHEN a note is typed past the two-second
    save THEN the keys land in the note while the save waits for the lock on its thread (with its own
    connection), the screen says the database is busy and the draft is kept; once the lock is
    released the retry saves the note as typed."""
    monkeypatch.setattr(autosave, "RETRY_SECONDS", 0.05)
    connections = []
    real_save_note = contacts.save_note

    def save_note(ctx_, *args, **kwargs):
        connections.append((threading.get_ident(), ctx_.store.db))
        return real_save_note(ctx_, *args, **kwargs)

    monkeypatch.setattr(contacts, "save_note", save_note)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start_call(pilot, app)
        blocker = sqlite3.connect(ctx.store.path)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            await type_text(pilot, "Shouting")  # the eighth key saves, on a thread: it waits for the lock
            await type_text(pilot, " and swearing")
            assert app.screen.query_one("#note", TextArea).text == "Shouting and swearing"
            assert autosaving(app), "the keys were handled while the save still waited for the lock"
            assert status(app) == autosave.SAVING
            for _ in range(100):  # the save gives up after the busy timeout (2 s) and says so
                await app.workers.wait_for_complete()
                await pilot.pause()
                if status(app) == autosave.BUSY:
                    break
            assert status(app) == autosave.BUSY
            assert queries.contact(ctx.store.db, contact_id).note == ""
            assert app.screen.query_one("#note", TextArea).text == "Shouting and swearing"  # kept on screen
        finally:
            blocker.rollback()
            blocker.close()
        for _ in range(200):  # the retry on the timer gets through
            await pilot.pause(0.05)
            if queries.contact(ctx.store.db, contact_id).note == "Shouting and swearing" and not autosaving(app):
                break
        assert queries.contact(ctx.store.db, contact_id).note == "Shouting and swearing"
        assert status(app).startswith("Saved ")
    ui_thread = threading.main_thread().ident
    assert connections and all(thread != ui_thread for thread, _ in connections)
    assert all(db is not ctx.store.db for _, db in connections), "each worker thread has its own connection"


async def test_saves_are_one_at_a_time_and_the_last_text_typed_is_stored(ctx, typing_clock, monkeypatch):
    """GIVEN a save waiting for the lock on its thread WHEN typing goes on (asking for more saves) and
    the lock is released THEN the saves are made one after the other, each of a longer text than
    the one before (never an older draft after a newer one), and the last text typed is stored."""
    written = []
    real_save_note = contacts.save_note
    running = threading.Lock()

    def save_note(ctx_, actor, contact_id, text, **kwargs):
        assert running.acquire(blocking=False), "two saves at once"
        try:
            version = real_save_note(ctx_, actor, contact_id, text, **kwargs)
        finally:
            running.release()
        written.append(text)
        return version

    monkeypatch.setattr(contacts, "save_note", save_note)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await start_call(pilot, app)
        blocker = sqlite3.connect(ctx.store.path)
        blocker.execute("BEGIN IMMEDIATE")
        await type_text(pilot, "Shouting")  # a save starts, and waits for the lock
        await type_text(pilot, " and swearing")  # another is asked for while it runs
        blocker.rollback()
        blocker.close()
        await type_text(pilot, " at me and at the guard")
        await settled(app, pilot)
        app.screen.save_typing()  # whatever typing left unsaved
        typed = "Shouting and swearing at me and at the guard"
        assert app.screen.query_one("#note", TextArea).text == typed
        assert queries.contact(ctx.store.db, contact_id).note == typed
    assert written and written[-1] == typed
    assert all(later.startswith(earlier) and later != earlier for earlier, later in zip(written, written[1:])), written


async def test_finishing_the_record_waits_for_a_draft_save_and_no_draft_follows_it(ctx, typing_clock, monkeypatch):
    """GIVEN the record form with a draft save on its thread that has not written yet WHEN ctrl+s
    finishes the record THEN the draft is written first and the record after it, and no draft save
    comes later (the final record is never overwritten by a late draft)."""
    order = []
    started, go = threading.Event(), threading.Event()
    real_draft, real_finish = records.save_record_draft, records.finish

    def save_record_draft(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            started.set()
            assert go.wait(10), "the test never let the draft save go on"
        result = real_draft(*args, **kwargs)
        order.append("draft")
        return result

    def finish(*args, **kwargs):
        order.append("finish")
        return real_finish(*args, **kwargs)

    real_settle = autosave.Autosave.settle

    def settle(self):
        go.set()  # the draft save is still on its thread, not written: settle must wait for it
        real_settle(self)

    monkeypatch.setattr(records, "save_record_draft", save_record_draft)
    monkeypatch.setattr(records, "finish", finish)
    monkeypatch.setattr(autosave.Autosave, "settle", settle)
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await start_call(pilot, app)
        await type_text(pilot, "Swore at me twice")
        await pilot.press("escape", "1", "2", "1")
        await pilot.pause()
        assert type(app.screen).__name__ == "RecordScreen"
        order.clear()
        go.clear()
        await type_text(pilot, "Raised voice, then swore")  # the two-second save starts on its thread
        for _ in range(100):
            await pilot.pause()
            if started.is_set():
                break
        assert started.is_set() and order == []
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        for _ in range(5):
            await pilot.pause()
    assert order[:2] == ["draft", "finish"], order
    assert "draft" not in order[1:], order
