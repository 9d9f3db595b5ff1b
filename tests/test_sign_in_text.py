"""The organisation's name from configuration is text on the sign-in screen, never markup (issue 17.11):
"Revenues [/] Benefits" crashed `counter demo --config` with a markup error."""

from __future__ import annotations

from counter_tui.app import CounterApp
from counter_tui.config import Settings
from counter_tui.services.context import Context
from tests.conftest import make_context


async def test_an_organisation_named_like_markup_shows_as_typed(tmp_path, clock):
    path = tmp_path / "counter.db"
    make_context(path, clock)
    name = "Revenues [/] Benefits [@click=app.quit]x[/]"
    app = CounterApp(Context.open(path, Settings(organisation=name), clock=clock))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.is_running
        shown = app.screen.query_one("#sign-in")._border_title
        assert shown.plain == f"Sign in to {name}", "as typed: nothing taken as markup"
        assert not any("@click" in str(span.style) for span in shown.spans)
