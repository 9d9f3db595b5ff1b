"""Letter templates: the letters the guidance names, loaded from `data/letters/*.toml`, and their merge.

A template holds the letter's subject and default paragraphs with `string.Template` merge fields
(`$customer_name`, `${reference}`...) from the fixed set `MERGE_FIELDS`, what the guidance says the
letter must explain, and where the guidance gives words (DWP's CMEL9271) its suggested texts.
Merging treats every value as data: a value is never parsed again, so `$name` or markup in it
stays literal. Problems with a template are raised as `TemplateError`, one line naming the file,
the place and the problem. Pure: reads only the shipped files.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources
from string import Template
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from counter_tui.policy.loader import check_texts

PACKAGE = "counter_tui.data.letters"

MERGE_FIELDS: frozenset[str] = frozenset(
    {"customer_name", "reference", "incident_date", "channel", "office", "application_office", "organisation",
     "applied_online", "passport_helpline"}
)
"""The merge fields a template may use: the customer's name, the application or case reference (may
be empty), the incident's date ("25 November 2026"), the channel ("face-to-face interview"), the
office where it happened, the office that dealt with the application, the organisation's name,
"yes" where the customer applied online (else empty), the passport helpline's number (configuration;
may be empty)."""


class TemplateError(Exception):
    """A template that cannot be used; `str()` is one line: file, place, problem."""

    def __init__(self, file: str, place: str, problem: str) -> None:
        self.file, self.place, self.problem = file, place, problem
        super().__init__(f"{file}: {place}: {problem}" if place else f"{file}: {problem}")


def _check_merge_text(text: str) -> str:
    """Refuse control characters, a stray `$` and merge fields outside MERGE_FIELDS."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text):
        raise ValueError("contains a line break or control character (one paragraph per item)")
    template = Template(text)
    if not template.is_valid():
        raise ValueError("has a '$' that is not a merge field (write '$$' for a dollar sign)")
    unknown = sorted(set(template.get_identifiers()) - MERGE_FIELDS)
    if unknown:
        known = ", ".join(sorted(MERGE_FIELDS))
        raise ValueError(f"uses the unknown merge field ${unknown[0]} (known: {known})")
    return text


MergeText = Annotated[str, AfterValidator(_check_merge_text)]
"""Template text: one line, merge fields from MERGE_FIELDS only, a literal dollar written `$$`."""


def _not_blank(text: str) -> str:
    """Refuse text that is empty or only spaces."""
    if not text.strip():
        raise ValueError("is blank")
    return text


PlainText = Annotated[str, AfterValidator(_not_blank)]
"""Text that must say something."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Suggestion(_Strict):
    """A suggested text the guidance gives for a free-text letter, quoted verbatim."""

    title: PlainText
    """As the guidance heads it ("Suggestion 1")."""
    paragraphs: list[MergeText] = Field(min_length=1)
    """The text, a paragraph each, with the document's paragraph breaks."""


def _condition(text: str) -> str:
    if text.removeprefix("!") not in MERGE_FIELDS:
        raise ValueError(f"only_if names {text!r}, which is not a merge field (write FIELD or !FIELD)")
    return text


class Paragraph(_Strict):
    """A paragraph that applies only where a merge field has a value (`only_if = "applied_online"`),
    or has none (`only_if = "!passport_helpline"`)."""

    text: MergeText
    only_if: Annotated[str, AfterValidator(_condition)]

    def applies(self, fields: Mapping[str, str]) -> bool:
        present = bool((fields.get(self.only_if.removeprefix("!")) or "").strip())
        return present != self.only_if.startswith("!")


def _table_paragraph(item: object) -> object:
    """A table is a conditional paragraph: checked as one, so its own problem is the one reported."""
    if not isinstance(item, dict):
        return item
    try:
        return Paragraph.model_validate(item)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(x) for x in first["loc"] if not str(x).startswith("function-"))
        raise ValueError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None


class LetterTemplate(_Strict):
    """A letter the guidance names: what it must explain, its subject and its default text."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    """The file name without `.toml`."""
    title: PlainText
    """What the letter is called in the guidance."""
    source: PlainText
    """The document the letter comes from (title, version and seed file name)."""
    section: PlainText
    """The section(s) of the document that ask for the letter, by the document's own headings."""
    must_explain: list[PlainText] = Field(min_length=1)
    """What the guidance says the letter must explain, in the guidance's words, one item each."""
    subject: Annotated[MergeText, AfterValidator(_not_blank)]
    """The letter's subject line."""
    words_from_guidance: bool = False
    """True only where the text is the guidance's own words; otherwise Counter supplied them."""
    paragraphs: list[Annotated[MergeText | Paragraph, BeforeValidator(_table_paragraph)]] = Field(default_factory=list)
    """The default text, a paragraph each (no salutation or sign-off: the letter layout adds them); a
    paragraph the guidance makes conditional ("if they applied online") is a table with `only_if`."""
    free_text: bool = False
    """An editable letter the writer composes for the situation (DWP's CMEL9271)."""
    suggestions: list[Suggestion] = Field(default_factory=list)
    """Suggested texts the guidance gives for a free-text letter."""

    @model_validator(mode="after")
    def _has_text(self) -> LetterTemplate:
        if not self.free_text and not self.paragraphs:
            raise ValueError("a letter that is not free text needs its paragraphs")
        return self


def _place(loc: tuple) -> str:
    """Turn a pydantic error location into a readable place: `suggestions[2].paragraphs[1]`."""
    place = ""
    for item in loc:
        if isinstance(item, int):
            place += f"[{item + 1}]"
        elif not str(item).startswith("function-"):
            place += f".{item}" if place else str(item)
    return place


def parse_template(text: str, file: str) -> LetterTemplate:
    """Validate a template's TOML text.

    Args:
        text: the TOML source.
        file: the file name used in error messages.

    Raises:
        TemplateError: the first problem found.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(file, "", " ".join(f"not valid TOML ({error})".split())) from None
    if (found := check_texts(data)) is not None:  # shown and printed as it is: no escape sequences
        raise TemplateError(file, *found)
    try:
        return LetterTemplate.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False, include_url=False)[0]
        problem = " ".join(first["msg"].removeprefix("Value error, ").split())
        raise TemplateError(file, _place(first["loc"]), problem) from None


def shipped_template_ids() -> list[str]:
    """The ids of the templates shipped in `data/letters`, sorted."""
    root = resources.files(PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


@cache
def load_template(template_id: str) -> LetterTemplate:
    """Load a shipped template by id (`hmpo_interview_warning`...), once per process.

    Raises:
        TemplateError: no such template, or the file is malformed.
    """
    file = f"{template_id}.toml"
    if template_id not in shipped_template_ids():
        known = ", ".join(shipped_template_ids())
        raise TemplateError(file, "", f"no such letter template (shipped: {known})")
    template = parse_template(resources.files(PACKAGE).joinpath(file).read_text(encoding="utf-8"), file)
    if template.id != template_id:
        raise TemplateError(file, "id", f"is {template.id!r}, not the file name {template_id!r}")
    return template


_SPACES = re.compile(r" {2,}")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[,.;:!?)])")
_SLOT = re.compile(r"\x00(\d+)\x00")


def merge(text: str, fields: Mapping[str, str]) -> str:
    """Fill a template text's merge fields.

    Values are data: each is put in as it is and never read as a template again. A missing or
    blank field becomes "", and the space it leaves is tidied (runs of spaces collapsed, no space
    before punctuation, none at either end); the values themselves are not changed.

    Args:
        text: template text (`$name` or `${name}`; `$$` for a dollar sign).
        fields: the values by merge field name.

    Returns:
        The merged text.
    """
    values: list[str] = []

    class _Slots(dict):
        def __missing__(self, name: str) -> str:
            value = fields.get(name) or ""
            if not value.strip():
                return ""
            values.append(value)
            return f"\x00{len(values) - 1}\x00"

    # Fields go in as numbered slots first, so only the template's own text is tidied; a NUL in
    # the template text itself (never valid in a shipped one) is dropped so it cannot fake a slot.
    shaped = Template(text.replace("\x00", "")).safe_substitute(_Slots())
    shaped = _SPACE_BEFORE_PUNCTUATION.sub("", _SPACES.sub(" ", shaped)).strip()
    return _SLOT.sub(lambda m: values[int(m.group(1))], shaped)


def _one_line(value: str) -> str:
    """A value fit for a subject line: line breaks and control characters become single spaces."""
    value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    return " ".join(value.split())


def subject(template: LetterTemplate, fields: Mapping[str, str]) -> str:
    """The letter's subject, merged, on one line.

    Args:
        template: the letter template.
        fields: the values by merge field name.
    """
    return merge(template.subject, {name: _one_line(value or "") for name, value in fields.items()})


def body(template: LetterTemplate, fields: Mapping[str, str]) -> str:
    """The letter's default text, merged, paragraphs separated by a blank line.

    Args:
        template: the letter template.
        fields: the values by merge field name.
    """
    texts = [p if isinstance(p, str) else p.text for p in template.paragraphs
             if isinstance(p, str) or p.applies(fields)]
    return "\n\n".join(merge(text, fields) for text in texts)


def suggestion_text(template: LetterTemplate, index: int, fields: Mapping[str, str]) -> str:
    """One of the guidance's suggested texts, merged, paragraphs separated by a blank line.

    Args:
        template: a free-text letter template with suggestions.
        index: which suggestion, counting from 0 ("Suggestion 1" is 0).
        fields: the values by merge field name.

    Raises:
        IndexError: the template has no such suggestion.
    """
    if not 0 <= index < len(template.suggestions):
        raise IndexError(f"{template.id} has {len(template.suggestions)} suggestions, not one at {index}")
    return "\n\n".join(merge(paragraph, fields) for paragraph in template.suggestions[index].paragraphs)
