"""Pasted text is text, never key presses, and a field refuses beside itself what it cannot take.

GIVEN a bracketed paste holding an escape, control characters and a line break (what a pasted e-mail,
a terminal log or a hostile string can hold), WHEN it reaches the app, THEN it arrives whole as one
paste and presses no key (Textual 8.2.8's parser turned everything after the ESC into key presses:
ctrl+g raised the silent help alarm, enter started a contact); and a field refuses a paste with a
control character, more lines than it takes or more characters than it has room for, keeping what
it held and saying why on its border.

The parser is tested by feeding it the bytes a terminal sends; the fields with Pilot; and the whole
path once through a real terminal (tmux), which is the only place the old parser went wrong.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.binding import Binding

from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea
from counter_tui.screens.widgets.paste import PasteSafeParser, install_paste_parser
from tests.tmux_terminal import TmuxTerminal, tmux_available

START, END = "\x1b[200~", "\x1b[201~"
HOSTILE = "Kovac\x1b[Xa\x07\x07\rmore"
"""A paste with an escape, two ctrl+g (the silent help alarm) and a carriage return (enter)."""


def parsed(parser, *chunks: str) -> list[tuple[str, str]]:
    out = []
    for chunk in chunks:
        for event in parser.feed(chunk):
            if isinstance(event, events.Paste):
                out.append(("paste", event.text))
            elif isinstance(event, events.Key):
                out.append(("key", event.key))
    return out


# -- the parser -----------------------------------------------------------------------------------
def test_textual_s_own_parser_turns_a_pasted_escape_into_key_presses():
    """The fault itself, so this file notices if a Textual upgrade changes it."""
    got = parsed(XTermParser(), START + HOSTILE + END)
    assert ("key", "ctrl+g") in got and ("key", "enter") in got
    assert ("paste", "Kovac") in got


def test_a_paste_with_an_escape_arrives_whole_and_presses_no_key():
    assert parsed(PasteSafeParser(), "x" + START + HOSTILE + END + "y") == [
        ("key", "x"), ("paste", HOSTILE), ("key", "y")]


def test_a_paste_split_anywhere_between_reads_arrives_the_same():
    data = START + HOSTILE + "\x1b" + END + "z"
    for cut in range(1, len(data)):
        assert parsed(PasteSafeParser(), data[:cut], data[cut:]) == [("paste", HOSTILE + "\x1b"), ("key", "z")], cut
    assert parsed(PasteSafeParser(), *data) == [("paste", HOSTILE + "\x1b"), ("key", "z")]


def test_keys_escape_sequences_and_a_second_paste_still_parse_as_before():
    got = parsed(PasteSafeParser(), "a\x1b[A" + START + "one" + END + "\x1b[B" + START + "two\x1b\x1b" + END + "\r")
    assert got == [("key", "a"), ("key", "up"), ("paste", "one"), ("key", "down"), ("paste", "two\x1b\x1b"),
                   ("key", "enter")]


def test_a_lone_escape_key_is_still_the_escape_key():
    parser = PasteSafeParser()
    assert parsed(parser, "\x1b") == []
    parser._timeout_time = 0.0  # the escape delay has passed
    assert [e.key for e in parser.tick()] == ["escape"]


def test_a_paste_whose_closing_marker_never_comes_ends_after_a_silence():
    parser = PasteSafeParser()
    assert parsed(parser, START + "half a paste\x07") == []
    parser._timeout_time = 0.0
    assert [(type(e).__name__, getattr(e, "text", "")) for e in parser.tick()] == [("Paste", "half a paste\x07")]
    assert parsed(parser, "q") == [("key", "q")], "the keyboard works again"


def test_installing_puts_the_parser_in_every_driver():
    install_paste_parser()
    install_paste_parser()
    from textual.drivers import linux_driver, linux_inline_driver, web_driver

    assert linux_driver.XTermParser is linux_inline_driver.XTermParser is web_driver.XTermParser is PasteSafeParser


def test_the_app_reads_its_input_with_the_paste_safe_parser(monkeypatch):
    """CounterApp installs it (one line in app.py): every screen gets pastes as text."""
    import textual.drivers.linux_driver as linux_driver

    from counter_tui.app import CounterApp

    monkeypatch.setattr(linux_driver, "XTermParser", XTermParser)  # as Textual ships it
    CounterApp(open_context=lambda: None)
    assert linux_driver.XTermParser is PasteSafeParser


# -- the fields -------------------------------------------------------------------------------------
class Fields(App):
    """A one-line field and a note; ctrl+g and enter bindings that count, as the real screens have."""

    BINDINGS = [Binding("ctrl+g", "alarm", priority=True)]

    def __init__(self) -> None:
        super().__init__()
        self.alarms = 0

    def compose(self) -> ComposeResult:
        yield LimitedInput("Ms Dana", id="name", limit=20)
        yield LimitedTextArea("First line", id="note", limit=30)

    def action_alarm(self) -> None:
        self.alarms += 1


async def paste(pilot, text: str) -> None:
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def name_field_at_its_end(pilot) -> LimitedInput:
    """The one-line field, focused, its cursor after what it holds."""
    field = pilot.app.query_one("#name", LimitedInput)
    field.focus()
    await pilot.pause()
    field.cursor_position = len(field.value)
    return field


async def test_a_one_line_field_takes_a_clean_paste_and_counts_it():
    app = Fields()
    async with app.run_test() as pilot:
        field = await name_field_at_its_end(pilot)
        await paste(pilot, " Kovac\n")
        assert field.value == "Ms Dana Kovac"
        assert field.border_subtitle == "13/20"


@pytest.mark.parametrize("text, why", [
    (HOSTILE, "lines"),
    ("Kovac\x1b[Xa", "control character U+001B"),
    ("Kovac\x07", "control character U+0007"),
    ("Kov\tac", "control character U+0009"),
    ("Kovac\u202e", "control character U+202E"),
    ("line one\nline two", "2 lines, this field takes one"),
    ("x" * 14, "14 characters, room for 13"),
])
async def test_a_one_line_field_refuses_what_it_cannot_take_whole_and_says_why(text, why):
    app = Fields()
    async with app.run_test() as pilot:
        field = await name_field_at_its_end(pilot)
        await paste(pilot, text)
        assert field.value == "Ms Dana", "what was there is kept, nothing is cut to fit"
        assert field.border_subtitle.startswith("Paste refused") and why in field.border_subtitle
        assert field.has_class("-refused")
        assert any(why in n.message for n in app._notifications)
        await pilot.press("x")
        assert field.value == "Ms Danax" and field.border_subtitle == "8/20", "the next change clears it"
        assert app.alarms == 0


async def test_a_note_takes_several_lines_but_refuses_control_characters_and_too_much():
    app = Fields()
    async with app.run_test() as pilot:
        note = app.query_one("#note", LimitedTextArea)
        note.focus()
        note.move_cursor(note.document.end)
        await paste(pilot, "\nsecond\tline")
        assert note.text == "First line\nsecond\tline" and note.border_subtitle == "22/30"
        await paste(pilot, "\nagreed\x1b[A\x07\r")
        assert note.text == "First line\nsecond\tline"
        assert "control character U+001B" in note.border_subtitle
        await paste(pilot, "123456789")
        assert note.text == "First line\nsecond\tline" and "room for 8" in note.border_subtitle
        await pilot.press(*"12345678")
        assert len(note.text) == 30
        await pilot.press("9")
        assert len(note.text) == 30 and "limit is 30" in note.border_subtitle, "typing stops at the limit"


async def test_the_local_clipboard_is_checked_as_a_paste_is():
    app = Fields()
    async with app.run_test() as pilot:
        field = await name_field_at_its_end(pilot)
        app.copy_to_clipboard("two\nlines")
        await pilot.press("ctrl+v")
        assert field.value == "Ms Dana" and "2 lines" in field.border_subtitle


# -- a real terminal ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not tmux_available(), reason="tmux is not installed")
def test_in_a_real_terminal_a_hostile_paste_presses_no_key(tmp_path: Path):
    db = tmp_path / "demo.db"
    terminal = TmuxTerminal([sys.executable, "-m", "counter_tui", "demo", "--db", str(db)], width=110, height=35)
    try:
        terminal.wait_for("Demo accounts")
        terminal.keys("1001")
        terminal.wait_for("1001")
        terminal.keys("Tab")
        terminal.keys("123427")
        terminal.wait_for("••••")
        terminal.keys("Enter")
        terminal.wait_for("Start a contact")
        terminal.keys("1")
        terminal.wait_for("who is the customer?")
        before = last_event(db)
        terminal.paste(HOSTILE)
        shown = terminal.wait_for("Paste refused")
        assert "who is the customer?" in shown, "enter was not pressed: no contact started"
        terminal.paste("Kovac")
        shown = terminal.wait_for("5/120")
        assert "Kovac" in shown
    finally:
        terminal.close()
    with sqlite3.connect(db) as read:
        since = [kind for (kind,) in read.execute("SELECT kind FROM events WHERE rowid > ?", [before])]
    assert "alert.raised" not in since, "ctrl+g in the paste raised no help alarm"
    assert "contact.started" not in since, "enter in the paste started no contact"


def last_event(db: Path) -> int:
    with sqlite3.connect(db) as read:
        return read.execute("SELECT max(rowid) FROM events").fetchone()[0]
