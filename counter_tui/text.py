"""Validation of text typed by people: NFC, a length limit, no control or bidi-override characters.

Text typed by staff is data, never markup; this module only decides whether it is acceptable.
Use the `Name`, `Reference`, `ShortText` and `NoteText` annotated types on pydantic fields.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

#: Characters that reorder text on screen and can disguise what a record says.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

#: Characters that show as nothing (zero-width space, non-joiner, joiner, word joiner, byte-order mark,
#: soft hyphen): "John\u200bSmith" looks like "John Smith" but would not match him. Names and
#: references refuse them; matching and searching ignore them (`match_key`).
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
REFUSED_INVISIBLE = INVISIBLE - {"\u200c", "\u200d"}
"""Refused in names and references. The joiners stay: Persian names need the zero-width non-joiner and
emoji sequences the joiner; matching ignores them all (`INVISIBLE`)."""

NAME_LIMIT = 120
"""The most characters in a person's name."""
REFERENCE_LIMIT = 40
"""The most characters in an application or case reference."""
SHORT_LIMIT = 500
"""The most characters in a one-line answer."""
NOTE_LIMIT = 20_000
"""The most characters in a note."""
SEARCH_LIMIT = 200
"""The most characters searched for: more words than this only make a search slower, never better."""


class TextProblem(ValueError):
    """The text cannot be accepted; the message says why in words for staff."""


def match_key(text: str) -> str:
    """Text as it is compared when matching a name or reference: invisible characters removed."""
    return "".join(ch for ch in text if ch not in INVISIBLE)


def clean_text(value: str, *, max_length: int, multiline: bool, required: bool = False,
               visible: bool = False, whole: bool = False) -> str:
    """Normalise and check a piece of typed text.

    Args:
        value: what was typed.
        max_length: the most characters allowed after normalising.
        multiline: whether newlines and tabs are allowed.
        required: whether empty (or blank) text is refused.
        visible: whether invisible characters (`INVISIBLE`) are refused, as names and references do.
        whole: check every character as given, the blanks around the text too. For text read from a
            file and shown as it is (configuration, packs, scenarios): stripping would remove a control
            character that counts as a blank (U+001C to U+001F, U+0085 NEL, form feed) at either end
            unseen, while the file's own text, with it, is what reaches the screen.

    Returns:
        The text in NFC with surrounding blanks removed.

    Raises:
        TextProblem: with a message fit to show beside the field.
    """
    # Every line break (CR LF, CR, the Unicode line and paragraph separators) becomes a newline, so
    # one-line fields refuse them all and notes keep them as lines.
    text = unicodedata.normalize("NFC", value)
    for other in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(other, "\n")
    unstripped, text = text, text.strip()
    if required and not text:
        raise TextProblem("This cannot be left empty.")
    if len(text) > max_length:
        raise TextProblem(f"Too long: {len(text)} characters, the limit is {max_length}.")
    for char in (unstripped if whole else text):
        if char in BIDI_CONTROLS:
            raise TextProblem("Contains a hidden direction-changing character; please retype it.")
        if visible and char in REFUSED_INVISIBLE:
            raise TextProblem("Contains an invisible character (such as a zero-width space or soft hyphen), "
                              "so it would not match the same name on record; please retype it.")
        if char in "\n\t":
            if not multiline:
                raise TextProblem("Must be on one line.")
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise TextProblem("Contains a control character; please retype it.")
    return text


def paste_problem(text: str, *, multiline: bool, room: int) -> str | None:
    """Why a paste cannot go into a field as it is (None: it can), in words for staff.

    A paste is never altered to fit: one with a control character (an escape, a bell...), more than
    one line in a one-line field, or more characters than the field has `room` for is refused whole.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not multiline and len([line for line in lines if line.strip()]) > 1:
        return f"Paste refused: {len(lines)} lines, this field takes one."
    for char in text:
        if char in "\n\r\t" and multiline:
            continue
        if char in "\n\r" and not multiline:
            continue  # blank lines around a single line
        if unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS:
            return f"Paste refused: control character U+{ord(char):04X}."
    size = len(text.strip("\r\n")) if not multiline else len(text)
    if size > room:
        return f"Paste refused: {size:,} characters, room for {max(room, 0):,}."
    return None


def _checker(max_length: int, multiline: bool, visible: bool = False):
    def check(value: str) -> str:
        return clean_text(value, max_length=max_length, multiline=multiline, visible=visible)

    return check


Name = Annotated[str, AfterValidator(_checker(NAME_LIMIT, multiline=False, visible=True))]
"""A person's name as typed: one line, at most 120 characters, no invisible characters."""

Reference = Annotated[str, AfterValidator(_checker(REFERENCE_LIMIT, multiline=False, visible=True))]
"""An application or case reference: one line, at most 40 characters, no invisible characters."""

ShortText = Annotated[str, AfterValidator(_checker(SHORT_LIMIT, multiline=False))]
"""A one-line answer such as the customer's query: at most 500 characters."""

NoteText = Annotated[str, AfterValidator(_checker(NOTE_LIMIT, multiline=True))]
"""A note or case-note field: several lines, at most 20,000 characters."""
