"""Pasted text is text, never key presses: an input parser that reads a bracketed paste whole.

Textual 8.2.8's `XTermParser` collects a bracketed paste (between ESC [ 200 ~ and ESC [ 201 ~) one
character at a time, but an ESC inside the paste starts its escape-sequence reader, which does not add
what it reads to the paste: after 32 characters, on a second ESC, or when the paste ends, it re-issues
what it read as key presses. A pasted "note ESC ... ctrl+g ... enter" pressed ctrl+g and enter on the
screen, and the paste itself kept only the text before the ESC.

`PasteSafeParser` lets Textual parse everything else exactly as before. From the moment Textual has
read the paste's opening marker until the closing marker, it reads the characters itself, ESC and
control characters included, and hands them on as one `events.Paste`; the fields then refuse what
they cannot take (see `fields.py`). A paste whose closing marker never comes ends after a second of
silence, so a lost marker cannot swallow the keyboard.

`install_paste_parser()` puts it in every Textual driver (the terminal's, the inline one, the
browser's for `counter serve`, Windows'); the app calls it once before it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Generator

from textual import events
from textual._parser import ParseEOF, ParseError, ParseTimeout, Peek1, Read1, TokenCallback
from textual._xterm_parser import BRACKETED_PASTE_END, BRACKETED_PASTE_START, XTermParser
from textual.message import Message

PASTE_SILENCE = 1.0
"""Seconds without a character that end a paste whose closing marker never came."""

_DRIVERS = (
    "textual.drivers.linux_driver",
    "textual.drivers.linux_inline_driver",
    "textual.drivers.web_driver",
    "textual.drivers.win32",
)


class PasteSafeParser(XTermParser):
    """Textual's terminal input parser, except that a bracketed paste arrives whole, as text."""

    def parse(self, token_callback: TokenCallback) -> Generator[Read1 | Peek1, str, None]:
        def from_textual(token: Message) -> None:
            # Textual's own (truncated) paste is replaced by the one read here.
            if not isinstance(token, events.Paste):
                token_callback(token)

        textual = super().parse(from_textual)
        request = next(textual)
        recent = ""
        while True:
            try:
                character = yield request
            except ParseError as error:  # a timeout or the end of input: Textual's parser handles it
                try:
                    request = textual.throw(error)
                except StopIteration:
                    return
                continue
            try:
                request = textual.send(character)
            except StopIteration:
                return
            recent = (recent + character)[-len(BRACKETED_PASTE_START):]
            # Textual has just read the opening marker and now waits (with no timeout) for the paste.
            if recent == BRACKETED_PASTE_START and request.timeout is None:
                recent = ""
                text, ended = yield from self._read_paste()
                self.debug_log(f"PASTE {len(text)} characters")
                token_callback(events.Paste(text))
                if not ended:
                    return
                # Textual's parser still thinks it is inside the paste: let it read the closing marker.
                for marker_character in BRACKETED_PASTE_END:
                    request = textual.send(marker_character)

    def _read_paste(self) -> Generator[Read1, str, tuple[str, bool]]:
        """The paste's text up to its closing marker (or a second's silence), and False at the end
        of input."""
        characters: list[str] = []
        marker = list(BRACKETED_PASTE_END)
        size = len(marker)
        while True:
            try:
                character = yield Read1(PASTE_SILENCE)
            except ParseTimeout:
                return "".join(characters), True
            except ParseEOF:
                return "".join(characters), False
            characters.append(character)
            if character == "~" and characters[-size:] == marker:
                return "".join(characters[:-size]), True


def install_paste_parser() -> None:
    """Make every Textual driver read input with `PasteSafeParser` (idempotent)."""
    for name in _DRIVERS:
        try:
            module = importlib.import_module(name)
        except ImportError:  # the Windows driver imports Windows-only modules
            continue
        if getattr(module, "XTermParser", None) is not None:
            module.XTermParser = PasteSafeParser
