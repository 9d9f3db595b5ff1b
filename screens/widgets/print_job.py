"""Printing off the UI thread: the screen says "Printing…" at once and stays usable while the PDF is made
and `lp` answers (a busy printer queue took 30 seconds; the first PDF of a session ~0.3 s).

One print at a time per screen (a second ctrl+r while one runs says so). What the job raises as a known
problem (no such record, the database busy, a file or printer error) is shown as "Not printed: …";
anything else is logged and said too (the app's `report_failure`).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen
from textual.worker import Worker, WorkerState


def print_in_background(screen: Screen, job: Callable[[], object], show: Callable[[str, bool], None]) -> Worker | None:
    """Run `job` (returning a `services.printing.Printed`) on a thread; `show(text, ok)` tells the outcome.

    Returns the worker, or None when a print is already running on this screen.
    """
    from counter_tui.services.errors import NotFound, StoreError

    if any(w.group == "print" and w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in screen.workers):
        show("Still printing the last one…", True)
        return None
    ctx = screen.app.ctx
    show("Printing…", True)

    def run() -> None:
        try:
            printed = job()
        except (StoreError, NotFound, OSError) as problem:
            screen.app.call_from_thread(show, f"Not printed: {problem}", False)
            return
        except Exception as error:  # noqa: BLE001 - logged and said, never lost
            screen.app.call_from_thread(show, f"Not printed: something went wrong ({type(error).__name__}).", False)
            if hasattr(screen.app, "report_failure"):
                screen.app.call_from_thread(screen.app.report_failure, "printing", error)
            return
        finally:
            ctx.store.close()  # this thread's connection
        ok = printed.sent_to_printer or not ctx.settings.printer
        screen.app.call_from_thread(show, printed.message, ok)

    return screen.run_worker(run, thread=True, group="print", exit_on_error=False, name="print")
