"""The procedure in force, read in the app (`i` on the home screen), and its name on every screen.

GIVEN the HMPO pack and a call handler signed in, WHEN they press i, THEN the pack's name, source and
review notes show (as text, never markup), and each step's words with its section and its choices;
escape goes back home. Every screen shows the pack's name in its header.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Static

from counter_tui import screens
from counter_tui.app import CounterApp
from counter_tui.policy.render import NOT_FROM_GUIDANCE
from counter_tui.screens.contact import ContactScreen
from counter_tui.screens.find_customer import FindCustomerScreen
from counter_tui.screens.home import HomeScreen
from counter_tui.screens.lock import LockScreen
from counter_tui.screens.procedure import ProcedureScreen
from counter_tui.screens.record import RecordScreen
from counter_tui.screens.sign_in import SignInScreen

SIZE = (80, 24)
HANDLER = [*"1001", "enter", *"123427", "enter"]


def text_of(widget: Static) -> str:
    return str(widget.content)


def words(text: str) -> str:
    """The text with its line breaks and indents as single spaces (the screen wraps long lines)."""
    return " ".join(text.split())


def flows_shown(screen: ProcedureScreen) -> str:
    """Every flow's text as shown, unwrapped."""
    return words("\n".join(text_of(w) for w in screen.query(".procedure-flow").results(Static)))


async def test_i_shows_the_procedure_and_every_screen_of_a_call_names_it(ctx):
    """GIVEN the HMPO pack WHEN the call handler presses i THEN the pack, its review notes for
    administrators, and the warning step's words under its title and section show; the pack's own
    words are marked as not from the guidance; g adds each step's guidance; escape goes back home.
    AND WHEN they then find the customer, take the call to its case note and lock the terminal THEN
    each screen on the way shows the header naming the pack.

    (One journey, one sign-in: the suite runs at its time budget.)"""
    pack = ctx.pack
    app = CounterApp(ctx)
    seen = []

    def header_shown() -> None:
        header = app.screen.query_one(Header)
        assert header.display and header.region == Region(0, 0, SIZE[0], 1), type(app.screen).__name__
        seen.append(type(app.screen))

    async with app.run_test(size=SIZE) as pilot:
        assert app.sub_title == pack.name
        header_shown()
        await pilot.press(*HANDLER)
        await pilot.pause()
        header_shown()
        await pilot.press("i")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ProcedureScreen)
        header_shown()

        about = text_of(screen.query_one("#procedure-about", Static))
        assert f"{pack.organisation}: {pack.name}" in about
        assert pack.source in about
        notes = screen.query_one("#procedure-notes", Static)
        assert notes.border_title == "For administrators: review notes"
        assert notes.region.y < SIZE[1] - 1  # in view as the screen opens, under the pack's name
        # "[deadlines] call_back" would vanish if the note were read as markup
        assert "[deadlines] call_back" in pack.review_notes[0]
        assert all(f"• {note}" in text_of(notes) for note in pack.review_notes)

        shown = flows_shown(screen)
        warn = pack.flow("telephone").step("warn")
        assert words(f'-- warn: {warn.title} [{warn.section}] SAY: "{warn.say[0]}" '
                     f"1. {warn.choices[0].label} -> {warn.choices[0].next}") in shown
        supplied = next(s for f in pack.flows for s in f.steps if s.say and not s.words_from_guidance)
        assert words(f'SAY: "{supplied.say[0]}" {NOT_FROM_GUIDANCE.strip()}') in shown

        guidance = warn.guidance[0]
        assert words(guidance) not in shown
        await pilot.press("g")  # each step's guidance, in the document's words
        assert words(f"- {guidance}") in flows_shown(screen)

        await pilot.press("n", "n")  # the next flows
        assert screen.query_one("#procedure", VerticalScroll).scroll_y > 0
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)

        await pilot.press("1")
        header_shown()
        await pilot.press("enter")
        await pilot.pause()
        header_shown()
        await pilot.press("1", "2", "1")
        await pilot.pause()
        header_shown()
        await pilot.press("f2")
        await pilot.pause()
        header_shown()
    assert seen[:4] == [SignInScreen, HomeScreen, ProcedureScreen, FindCustomerScreen]
    assert issubclass(seen[4], ContactScreen)
    assert seen[5:] == [RecordScreen, LockScreen]


def screen_classes() -> list[type[Screen]]:
    """Every full screen Counter defines (dialogs are modal: the screen beneath shows its header)."""
    found = []
    for info in pkgutil.walk_packages(screens.__path__, prefix="counter_tui.screens."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Screen) and not issubclass(cls, ModalScreen):
                found.append(cls)
    return found


def test_every_screen_composes_the_header():
    """GIVEN every full screen in counter_tui.screens THEN its compose (its own or the one it inherits)
    yields the header, which shows the app's sub-title: the name of the procedure in force."""
    classes = screen_classes()
    assert {HomeScreen, ProcedureScreen, LockScreen, RecordScreen, SignInScreen} <= set(classes)
    missing = [cls.__qualname__ for cls in classes
               if cls.compose is Screen.compose or "yield Header()" not in inspect.getsource(cls.compose)]
    assert missing == []
