"""The lock screen holds (issue 17.1): while a terminal is locked only the lock screen's own keys act.

No command palette (it listed the locked member's customers and opened their records), no call for help
in the locked member's name, no quitting to the shell without a PIN, and nothing shown underneath. The
palette shows customers' names as text, never markup. A property test presses random keys on the lock
screen and checks that no other screen appears and nothing but refused sign-ins reaches the record.
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.command import CommandPalette

from counter_tui.app import CounterApp
from counter_tui.clock import FixedClock
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.lock import LockScreen
from counter_tui.screens.sign_in import SignInScreen
from tests.conftest import START, make_context

SIZE = (100, 34)
HOSTILE = "[@click=app.quit]Mrs Link[/]"


async def _locked_mid_call(pilot, name: str = "Mr Tom Fielding") -> str:
    """Sign in as the call handler, start a call with a customer named `name`, then f2."""
    await pilot.press(*"1001", "enter", *"123427", "enter")
    await pilot.press("1", *[("space" if c == " " else c) for c in name], "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ContactScreen)
    contact_id = pilot.app.screen.contact_id
    await pilot.press("f2")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LockScreen)
    return contact_id


def _event_kinds(ctx) -> list[str]:
    return [row["kind"] for row in ctx.store.db.query("select kind from events order by seq")]


async def test_while_locked_the_palette_help_and_quit_are_refused(ctx):
    """GIVEN a terminal locked mid-call WHEN ctrl+p, ctrl+g and ctrl+q are pressed THEN no palette opens,
    no call for help is raised, the app keeps running on the lock screen, and nothing of the customer shows;
    the locked member's PIN then carries on in the same call."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        contact_id = await _locked_mid_call(pilot)
        before = _event_kinds(ctx)
        for key in ("ctrl+p", "ctrl+g", "ctrl+q"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, LockScreen), key
            assert not CommandPalette.is_open(app)
        assert app.is_running and app.return_code is None
        assert "Fielding" not in app.export_screenshot()
        assert _event_kinds(ctx) == before, "nothing recorded in the locked member's name"
        await pilot.press(*"1001", "enter", *"123427", "enter")  # f2 left the staff number empty
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id


async def test_the_idle_lock_comes_back_after_carrying_on(ctx):
    """GIVEN a terminal locked and unlocked WHEN it is left alone again THEN it locks again."""
    import time

    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _locked_mid_call(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"1001", "enter", *"123427", "enter")
        await pilot.pause()
        assert not app.locked
        app._last_input = time.monotonic() - 60 * 60
        app._check_idle()
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)


async def test_a_lock_covers_an_open_palette_and_clears_notices(ctx):
    """GIVEN the palette open (or a notice naming a customer) WHEN the terminal locks THEN the palette is
    closed under the lock and no notice stays on screen."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1001", "enter", *"123427", "enter")
        app.notify("Mrs Secret's record", markup=False)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        app.lock("Locked after 5 minutes without use.")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen) and not CommandPalette.is_open(app)
        assert "Secret" not in app.export_screenshot()


async def test_the_palette_shows_a_customers_name_as_text_never_markup(ctx):
    """GIVEN an interrupted contact with a customer named like markup WHEN the palette lists it THEN the
    name shows as typed, with no link in it, and choosing it resumes the contact (the app does not quit)."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"1001", "enter", *"123427", "enter")
        await pilot.press("1", *[("space" if c == " " else c) for c in HOSTILE], "enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactScreen)
        contact_id = app.screen.contact_id
        app.go_home()
        await pilot.pause()
        await pilot.press("ctrl+p", *"Resume")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await palette.workers.wait_for_complete()
        await pilot.pause()
        from textual.command import CommandList

        options = palette.query_one(CommandList)
        prompts = [options.get_option_at_index(i).prompt for i in range(options.option_count)]
        shown = [str(p) if not hasattr(p, "plain") else p.plain for p in prompts]
        assert any(HOSTILE in text for text in shown), shown
        assert all("@click" not in str(getattr(span, "style", "")) for p in prompts for span in getattr(p, "spans", []))
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ContactScreen) and app.screen.contact_id == contact_id


async def test_quitting_at_the_sign_in_screen_needs_a_members_pin(ctx):
    """GIVEN the sign-in screen of a terminal with staff WHEN ctrl+q is pressed with no PIN, or a wrong
    one THEN the app keeps running and says how to quit; with a right number and PIN it quits."""
    app = CounterApp(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, SignInScreen)
        assert "To quit" in str(app.screen.query_one("#error").render())
        await pilot.press(*"1001", "enter", *"9999")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running
        app.screen.query_one("#pin").value = "123427"
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0 or app.return_code is None
    assert not app.is_running


# Keys a user could press on the lock screen: every global and screen binding of the app, plus typing.
# Digits are 0 and 9 only, so no sequence can type the locked member's PIN.
LOCK_KEYS = ["ctrl+p", "ctrl+q", "ctrl+g", "ctrl+c", "f1", "f2", "escape", "tab", "shift+tab", "enter",
             "ctrl+n", "ctrl+e", "ctrl+s", "ctrl+r", "ctrl+d", "ctrl+o", "q", "c", "r", "i", "l", "m", "a",
             "0", "9", "up", "down", "backspace", "space"]


@settings(max_examples=max(4, settings().max_examples // 5), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LOCK_KEYS), min_size=1, max_size=15))
def test_no_key_sequence_on_the_lock_screen_reaches_another_screen_or_service(keys):
    """GIVEN a terminal locked mid-call WHEN any sequence of keys is pressed THEN the top screen is only
    ever the lock screen (or, after ctrl+o, the sign-in screen), no palette opens, the app keeps running,
    and nothing but refused sign-ins is recorded."""

    folder = Path(tempfile.mkdtemp(prefix="counter-lock-"))
    ctx = make_context(folder / "counter.db", FixedClock(START, tick=timedelta(seconds=1)))

    async def play() -> None:
        app = CounterApp(ctx)
        async with app.run_test(size=SIZE) as pilot:
            await _locked_mid_call(pilot)
            before = len(_event_kinds(ctx))
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                assert isinstance(app.screen, (LockScreen, SignInScreen)), (key, app.screen)
                assert not CommandPalette.is_open(app)
                assert app.is_running, key
            new = _event_kinds(ctx)[before:]
            assert all(kind.startswith("staff.sign_in") for kind in new), new

    asyncio.run(play())


async def test_a_number_and_pin_typed_ahead_land_in_their_own_fields(tmp_path, clock):
    """GIVEN the app starting, the database still opening WHEN a staff number, Enter, a PIN and Enter are
    typed at once (faster than the form can move focus) THEN that member is signed in: the PIN never lands
    in the number field, and no refused sign-in is recorded."""
    from textual import events

    from counter_tui.screens.home import HomeScreen

    path = tmp_path / "counter.db"
    make_context(path, clock)

    def slow_open():
        from counter_tui.services.context import Context

        return Context.open(path, clock=clock)

    app = CounterApp(open_context=slow_open)
    async with app.run_test(size=SIZE) as pilot:
        for key in [*"1001", "enter", *"123427", "enter"]:
            app.post_message(events.Key(key, "\r" if key == "enter" else key))
        await app.workers.wait_for_complete()
        for _ in range(5):
            await pilot.pause()
        assert app.actor is not None and app.actor.number == "1001"
        assert isinstance(app.screen, HomeScreen)
    ctx = slow_open()
    assert "staff.sign_in_refused" not in _event_kinds(ctx)


async def test_the_palette_does_not_open_at_the_sign_in_screen(ctx):
    """GIVEN nobody signed in (the lock's ctrl+o signed them out) WHEN ctrl+p THEN no palette opens:
    its jumps are the signed-in member's, and an empty palette over the sign-in form only hides it."""
    app = CounterApp(ctx)
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen) and not CommandPalette.is_open(app)
