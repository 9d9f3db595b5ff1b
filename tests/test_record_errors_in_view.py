"""A refused record shows its first error: the field is focused and the message beside it is on screen.

GIVEN a call's record on a short terminal (80x14), WHEN a required field far down the form is left empty and
ctrl+s is pressed, THEN the form stays, and the message under that field is within the screen.
"""

from __future__ import annotations

from textual.widgets import Static, TextArea

from counter_tui.app import CounterApp
from counter_tui.screens.record import RecordScreen
from tests.test_app import ended_call, type_text


async def test_the_first_errors_message_is_scrolled_into_view(ctx):
    app = CounterApp(ctx)
    async with app.run_test(size=(80, 14)) as pilot:
        await ended_call(pilot, app)
        screen = app.screen
        await type_text(pilot, "Mr Gareth Rowe")
        screen.query_one("#field-query", TextArea).focus()
        await type_text(pilot, "Where is my passport")
        screen.query_one("#field-said_or_did", TextArea).clear()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, RecordScreen), "an empty required field keeps the form"
        error = screen.query_one("#error-said_or_did", Static)
        assert "cannot be left empty" in str(error.render())
        assert screen.query_one("#field-said_or_did", TextArea).has_focus
        assert 0 <= error.region.y and error.region.bottom <= app.size.height - 1, error.region  # above the footer
