"""Errors in background work are never lost (issue 17.10): an unexpected error opening the database
ended with "Opening the database…" on screen for ever. Now the app ends with one line naming the
error's kind and where the log is, and the log holds the failure without the error's own words (which
may carry personal data)."""

from __future__ import annotations

from counter_tui.app import CounterApp


async def test_an_unexpected_error_opening_the_database_ends_the_app_and_says_so(tmp_path, monkeypatch):
    def broken():
        raise RuntimeError("Mrs Jones of 4 Acacia Avenue")

    app = CounterApp(open_context=broken)
    said: list[str] = []
    exit_ = app.exit
    monkeypatch.setattr(app, "exit", lambda result=None, return_code=0, message=None: (said.append(str(message)), exit_(result, return_code, message)))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.return_code == 1
    said = " ".join(said)
    assert "RuntimeError" in said and "log" in said
    assert "Acacia" not in said, "the error's own words may hold personal data"
