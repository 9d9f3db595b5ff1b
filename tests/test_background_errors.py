"""Errors in background work are never lost (issue 17.10): an unexpected error opening the database
ended with "Opening the database…" on screen for ever. Now the app ends with one line naming the
error's kind and where the log is, and the log holds the failure without the error's own words (which
may carry personal data)."""

from __future__ import annotations

from counter_tui.app import CounterApp


async def test_an_unexpected_error_opening_the_database_ends_the_app_and_says_so(tmp_path, monkeypatch):
    from counter_tui import logs

    log = tmp_path / "log" / "counter.log"
    logs.setup_logging(log)

    private = " ".join(["Mrs Jones of 4", "Acacia Avenue"])  # data, so the code line logged does not hold it

    def broken():
        raise RuntimeError(private)

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
    written = log.read_text(encoding="utf-8")
    assert "opening the database" in written and "RuntimeError" in written and "test_background_errors" in written
    assert "Acacia" not in written
    logs.setup_logging(tmp_path / "after" / "counter.log")  # later tests never write into this one


async def test_an_unexpected_error_in_printing_is_said_and_logged(ctx, tmp_path, monkeypatch):
    """GIVEN a print whose job fails unexpectedly WHEN it runs THEN the screen says it was not printed and
    the failure is in the log; the app keeps running."""
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import Static

    from counter_tui import logs
    from counter_tui.screens.widgets.print_job import print_in_background

    log = tmp_path / "log" / "counter.log"
    logs.setup_logging(log)
    app = CounterApp(ctx)
    shown: list[tuple[str, bool]] = []

    private = "Mr " + "Private"

    def job():
        raise KeyError(private)

    async with app.run_test(size=(100, 30)) as pilot:
        worker = print_in_background(app.screen, job, lambda text, ok: shown.append((text, ok)))
        await worker.wait()
        await pilot.pause()
        assert app.is_running
    assert shown[0] == ("Printing…", True)
    assert shown[-1][0].startswith("Not printed") and shown[-1][1] is False
    written = log.read_text(encoding="utf-8")
    assert "printing" in written and "KeyError" in written and "Private" not in written
    logs.setup_logging(tmp_path / "after" / "counter.log")
