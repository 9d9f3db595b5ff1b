"""Setting people's text in the shipped fonts: the one place a PDF's text meets a font.

Names people really have come in many scripts, and reportlab sets a run of text in one font and
neither shapes nor reorders it. So, for every piece of text a PDF prints:

1. Direction-changing characters (overrides, embeddings, isolates, marks) are dropped: text prints in
   the order it was typed, except that right-to-left letters are laid out as they are read (below),
   so nothing a customer types can disguise what a record says.
2. A line holding Arabic letters is shaped (`arabic_reshaper`: each letter in its joined form, from
   Unicode's presentation forms), and a line holding right-to-left letters (Arabic, Hebrew) is put in
   visual order by the Unicode bidirectional algorithm (`python-bidi`), as it should look on paper.
3. Each character is set in the first font that has it: DejaVu Sans (the style's own face), then the
   Noto subsets shipped in `fonts/` (Arabic, common Chinese, Japanese and Korean with the full-width
   forms, symbols and pictographs). Fallback fonts are registered only when text first needs them,
   once per process.
4. What no font has, and private-use or unassigned characters, which mean nothing on paper, print
   visibly as their code point, e.g. "[U+1F600]", never as a blank box.

Limits: a right-to-left run is reordered per line of the typed text, before reportlab wraps it, so a
right-to-left line long enough to wrap reads its wrapped lines in the wrong order; combining marks
over right-to-left letters may sit on the neighbouring letter; the fallback fonts have one weight.
"""

from __future__ import annotations

import pathlib
import threading
import unicodedata
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS = pathlib.Path(__file__).with_name("fonts")
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PRIMARY = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}
"""The faces the styles name, registered as a family (regular and bold)."""
FALLBACKS = (
    ("NotoSansArabic", "NotoSansArabic-Subset.ttf"),
    ("NotoSansCJK", "NotoSansCJKsc-Common.ttf"),
    ("NotoSansSymbols2", "NotoSansSymbols2-Subset.ttf"),
)
"""The fonts tried, in order, for a character the style's face lacks (see fonts/README.md)."""

DROPPED = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # direction controls
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space, non-joiner, joiner, word joiner, byte-order mark
) | frozenset(map(chr, range(0xFE00, 0xFE10)))  # variation selectors (emoji or text presentation)
"""Characters that print as nothing: removed before the text is set."""

_RTL = frozenset(("R", "AL"))
_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}
"""Each registered font's code points, filled as fonts are registered."""


def _register(name: str, file: str) -> frozenset[int]:
    """Register one shipped font (if not yet) and note the code points it has."""
    if name not in _coverage:
        with _lock:
            if name not in _coverage:
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))
                if name not in PRIMARY:  # one weight: bold and italic text use the same face
                    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
                _coverage[name] = frozenset(pdfmetrics.getFont(name).face.charToGlyph)
    return _coverage[name]


def register_primary() -> None:
    """Register DejaVu Sans and DejaVu Sans Bold as one family; the fallbacks wait until needed."""
    for name, file in PRIMARY.items():
        _register(name, file)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)


@lru_cache(maxsize=4096)
def _font_for(code: int, face: str) -> str | None:
    """The font that sets the character `code` in text whose style names `face`: `face` itself
    (None), a fallback's name, or "" when none has it (it prints as its code point)."""
    if unicodedata.category(chr(code)) in ("Co", "Cn"):  # private use, unassigned
        return ""
    if code in _register(face, PRIMARY[face]):
        return None
    for name, file in FALLBACKS:
        if code in _register(name, file):
            return name
    return ""


def code_point(char: str) -> str:
    """How a character no font has prints: "[U+1F600]"."""
    return f"[U+{ord(char):04X}]"


@lru_cache(maxsize=1)
def _reshaper():
    from arabic_reshaper import ArabicReshaper

    return ArabicReshaper(configuration={"delete_harakat": False})


def visual(line: str) -> str:
    """One line of text as it is drawn left to right: direction controls and zero-width characters
    dropped, Arabic letters joined, right-to-left runs in visual order."""
    line = "".join(c for c in line if c not in DROPPED)
    if line.isascii():
        return line
    if any(unicodedata.bidirectional(c) == "AL" for c in line):
        line = _reshaper().reshape(line)
    if any(unicodedata.bidirectional(c) in _RTL for c in line):
        from bidi import get_display

        line = get_display(line)
    return line


def runs(line: str, face: str = REGULAR) -> list[tuple[str, str]]:
    """One line of text, made `visual`, as (font, text) runs left to right: each character in the
    first font that has it, `face` first; a character none has as its code point in `face`."""
    line = visual(line)
    if line.isascii():
        return [(face, line)] if line else []
    out: list[tuple[str, str]] = []
    for char in line:
        found = None if char == " " else _font_for(ord(char), face)
        font, text = (face, code_point(char)) if found == "" else (found or face, char)
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + text)
        else:
            out.append((font, text))
    return out


def markup(text: str, face: str = REGULAR) -> str:
    """Paragraph markup printing `text` (already free of control characters) literally in a style
    whose font is `face`: newlines as line breaks, runs in other fonts as <font face=…>."""
    lines = []
    for line in text.split("\n"):
        lines.append("".join(escape(piece) if font == face else f'<font face="{font}">{escape(piece)}</font>'
                             for font, piece in runs(line, face)))
    return "<br/>".join(lines)


def width(text: str, face: str, size: float) -> float:
    """The width in points of one line of text as `draw` sets it."""
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text, face))


def fit(text: str, face: str, size: float, room: float) -> str:
    """One line of text shortened with an ellipsis, if need be, to be at most `room` points wide."""
    if width(text, face, size) <= room:
        return text
    low, high = 0, len(text)  # the longest prefix that fits, with the ellipsis, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if width(text[:middle] + "…", face, size) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low] + "…"


def draw(canvas: Canvas, x: float, y: float, text: str, face: str, size: float, align: str = "left") -> None:
    """Draw one line of text on `canvas` at `y`, starting at `x` ("left"), ending there ("right") or
    centred on it ("centre"), each run in its font; leaves the canvas's font as `face`."""
    pieces = runs(text, face)
    if align != "left":
        total = sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in pieces)
        x -= total if align == "right" else total / 2
    for font, piece in pieces:
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, font, size)
    canvas.setFont(face, size)
