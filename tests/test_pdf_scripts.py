"""Names in any script print as text: Chinese, full-width Latin, emoji in the shipped fonts (never a
blank box), private-use characters visibly as their code point, Arabic joined and right to left,
Hebrew right to left, direction controls never obeyed; in forms and letters alike."""

from __future__ import annotations

import io
import time
import unicodedata

from pypdf import PdfReader

from counter_tui.printing import typeset
from counter_tui.printing.letter import Letter, render_letter
from counter_tui.printing.pdf import Printable, render

CHINESE, FULL_WIDTH, EMOJI, PRIVATE = "王秀英", "ＡＢＣ１２３", "😀🌍", "\ue000"
ARABIC, HEBREW = "محمد علي", "דוד לוי"


def form(*fields: tuple[str, str]) -> bytes:
    return render(Printable(title="Incident report form", organisation="HM Passport Office", reference="I-000001",
                            printed_at="1 Dec 2026 09:00", fields=list(fields)))


def text_of(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fonts_of(data: bytes) -> dict[str, set[int]]:
    """Each embedded font's base name and the code points its ToUnicode map gives glyphs for."""
    found: dict[str, set[int]] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/ToUnicode" not in font:
                continue
            codes = found.setdefault(font["/BaseFont"].split("+")[-1], set())
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for line in cmap.splitlines():
                parts = line.strip("<> ").split("> <")
                if len(parts) == 2 and len(parts[1]) in (4, 8):
                    codes.add(ord(bytes.fromhex(parts[1]).decode("utf-16-be")))
    return found


def test_every_script_prints_in_a_font_that_has_it() -> None:
    data = form(("Name", CHINESE), ("Reference", FULL_WIDTH), ("Said", EMOJI))
    text = text_of(data)
    for word in (CHINESE, FULL_WIDTH):
        assert word in text
    assert "[U+" not in text  # the emoji too are in a shipped font (pypdf cannot read their code points back)
    fonts = fonts_of(data)
    assert any(name.startswith("NotoSansCJK") for name in fonts)
    assert any(name.startswith("NotoSansSymbols2") for name in fonts)  # 🌍
    printed = set().union(*fonts.values())
    for char in CHINESE + FULL_WIDTH:
        assert ord(char) in printed  # a real glyph was embedded for it, not .notdef
    for char in CHINESE + FULL_WIDTH + EMOJI:
        assert typeset._font_for(ord(char), typeset.REGULAR) != ""  # some shipped font has it


def test_what_no_font_has_prints_as_its_code_point() -> None:
    text = text_of(form(("Name", f"A{PRIVATE}B"), ("Unassigned", "x\U000e0fffy")))
    assert "A[U+E000]B" in text and "x[U+E0FFF]y" in text


# pypdf reads right-to-left runs back into reading order: typed-order drawing would come back reversed.


def test_arabic_is_joined_and_right_to_left() -> None:
    text = text_of(form(("Name", ARABIC)))
    shaped = typeset.visual(ARABIC)
    assert shaped[::-1] in text  # drawn left to right in visual order, read back right to left
    assert all(unicodedata.name(c).startswith("ARABIC LETTER") and "FORM" in unicodedata.name(c)
               for c in shaped if c != " ")  # every letter in its joined presentation form
    first, _, second = shaped.partition(" ")
    assert first.startswith("\ufef2") and second.endswith("\ufee3")  # علي then محمد: yeh final leftmost, meem initial rightmost
    assert ARABIC not in text  # no unjoined letters


def test_hebrew_is_right_to_left_and_direction_controls_are_not_obeyed() -> None:
    text = text_of(form(("Name", HEBREW), ("Sneaky", "pay \u202eevil\u202c now")))
    assert HEBREW in text and HEBREW[::-1] not in text
    assert typeset.visual(HEBREW) == HEBREW[::-1]
    assert "pay evil now" in text and "live" not in text


def test_a_letter_and_its_banner_print_every_script_too() -> None:
    letter = Letter(organisation="Council", address=[CHINESE], reference="L-000001", their_reference=FULL_WIDTH,
                    date="1 December 2026", customer_name=f"{ARABIC} {PRIVATE}", subject=f"Re: {HEBREW}",
                    body=f"{CHINESE} {EMOJI}", signatory=["Grace"], status=f"DRAFT {CHINESE}", printed_at="now")
    text = text_of(render_letter(letter))
    assert text.count(CHINESE) >= 3  # the address, the body and the banner
    assert "Dear " in text and typeset.visual(ARABIC)[::-1] + "[U+E000]," in text
    assert "Re: " + HEBREW in text and FULL_WIDTH in text


def test_latin_text_stays_fast() -> None:
    form(("Name", "warm up"))
    started = time.perf_counter()
    for _ in range(5):
        form(("Name", "Zoë Siân O'Brien"), ("Notes", "The customer shouted. " * 50))
    assert (time.perf_counter() - started) / 5 < 0.2
