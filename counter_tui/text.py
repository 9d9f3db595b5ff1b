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


class TextProblem(ValueError):
    """The text cannot be accepted; the message says why in words for staff."""


def clean_text(value: str, *, max_length: int, multiline: bool, required: bool = False) -> str:
    """Normalise and check a piece of typed text.

    Args:
        value: what was typed.
        max_length: the most characters allowed after normalising.
        multiline: whether newlines and tabs are allowed.
        required: whether empty (or blank) text is refused.

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
    text = text.strip()
    if required and not text:
        raise TextProblem("This cannot be left empty.")
    if len(text) > max_length:
        raise TextProblem(f"Too long: {len(text)} characters, the limit is {max_length}.")
    for char in text:
        if char in BIDI_CONTROLS:
            raise TextProblem("Contains a hidden direction-changing character; please retype it.")
        if char in "\n\t":
            if not multiline:
                raise TextProblem("Must be on one line.")
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            raise TextProblem("Contains a control character; please retype it.")
    return text


def _checker(max_length: int, multiline: bool):
    def check(value: str) -> str:
        return clean_text(value, max_length=max_length, multiline=multiline)

    return check


Name = Annotated[str, AfterValidator(_checker(120, multiline=False))]
"""A person's name as typed: one line, at most 120 characters."""

Reference = Annotated[str, AfterValidator(_checker(40, multiline=False))]
"""An application or case reference: one line, at most 40 characters."""

ShortText = Annotated[str, AfterValidator(_checker(500, multiline=False))]
"""A one-line answer such as the customer's query: at most 500 characters."""

NoteText = Annotated[str, AfterValidator(_checker(20_000, multiline=True))]
"""A note or case-note field: several lines, at most 20,000 characters."""
