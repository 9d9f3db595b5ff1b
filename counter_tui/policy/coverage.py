"""Coverage of the source document: each section a pack lists, and what in the pack cites it.

A pack lists its document's sections and numbered steps (`[[sections]]`: id, heading, and where
nothing cites a section, a review note saying why). Every `section`, `allowed_by`,
`no_further_action_section` and `positive_action_log` text in the pack (and the `section` of each
letter template it uses) is a citation: one or more parts separated by `;`, each a section id
(`7.3`, a range `11.5–11.6`, `5.6, 5.7 and 7`) or a heading, optionally followed by a remark in
brackets or, after an id, by words ("12 sets no deadline..."). A clock's text that only explains
that the document sets no clock ("The guidance sets no deadline...") cites nothing.

A section is covered when something cites it (or one of its parts: `7` through `7.3`); explained
when a review note says why nothing does; not yet covered when its note starts "Not yet covered:"
(a duty the product still lacks); uncovered otherwise. Pure: reads only the shipped letter templates.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from pydantic import BaseModel

from counter_tui.policy.letter_templates import TemplateError, load_template
from counter_tui.policy.schema import Pack, Section

NOT_YET = "Not yet covered:"
CITING_FIELDS = ("section", "allowed_by", "no_further_action_section", "positive_action_log")
EXPLANATION = re.compile(r"^(the (guidance|document) (sets|states) no\b|counter )", re.IGNORECASE)
_NUMBER = r"\d+(?:\.\d+)*"
LEADING_IDS = re.compile(rf"^{_NUMBER}(?:\s*(?:[–-]|,|and)\s*{_NUMBER})*")
_BRACKETS = re.compile(r"\s*\([^()]*\)")
KINDS = {"Step": "step", "Choice": "choice", "TaskSpec": "task", "Form": "form", "FormField": "form field", "LetterSpec": "letter",
         "Flow": "flow", "Role": "role", "Behaviour": "behaviour", "Due": "clock", "MeasureSpec": "measure",
         "MeasureEffect": "measure", "Measures": "measures", "ImmediateRisk": "rule", "IncidentReport": "form",
         "AfterApproval": "letter", "TakeOver": "rule", "Pack": "rule", "Notice": "notice", "Referral": "rule",
         "Preparation": "rule"}


@dataclass(frozen=True)
class Citation:
    """One place in the pack that cites the document."""

    kind: str
    """step, choice, task, form, letter, clock, measure, role, behaviour, rule..."""
    place: str
    text: str


@dataclass
class SectionCoverage:
    section: Section
    cited_by: list[Citation] = field(default_factory=list)
    through_parts: bool = False
    """Nothing cites the section itself, but something cites one of its parts."""

    @property
    def status(self) -> str:
        if self.cited_by or self.through_parts:
            return "covered"
        if self.section.note.startswith(NOT_YET):
            return "not yet covered"
        return "explained" if self.section.note.strip() else "uncovered"


@dataclass
class Coverage:
    pack_id: str
    sections: list[SectionCoverage]
    unknown: list[tuple[Citation, str]]
    """Citations naming a section the pack does not list: (citation, the part not found)."""

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("covered", "explained", "not yet covered", "uncovered"), 0)
        for item in self.sections:
            counts[item.status] += 1
        return counts

    def summary(self) -> str:
        counts = self.counts()
        return (f"{self.pack_id}: {len(self.sections)} sections: {counts['covered']} covered, "
                f"{counts['explained']} explained, {counts['not yet covered']} not yet covered, "
                f"{counts['uncovered']} uncovered")


def _unbracket(text: str) -> str:
    """The text without its remarks in brackets (nested ones too)."""
    while (stripped := _BRACKETS.sub("", text)) != text:
        text = stripped
    return text.strip()


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace("–", "-").casefold().split())


def citations(pack: Pack) -> list[Citation]:
    """Every citation in the pack and in the letter templates its letters use, in pack order."""
    found: list[Citation] = []

    def walk(node: object, place: str) -> None:
        if isinstance(node, BaseModel):
            kind = KINDS.get(type(node).__name__)
            own = getattr(node, "id", None)
            here = "" if isinstance(node, Pack) else f"{place}.{own}" if place and own else (own or place)
            for name in type(node).model_fields:
                value = getattr(node, name)
                if name in CITING_FIELDS and isinstance(value, str) and value.strip() and kind:
                    found.append(Citation(kind, here or "pack", value))
                elif name != "sections":
                    walk(value, ".".join(filter(None, (here, name))) if isinstance(value, BaseModel) else here)
        elif isinstance(node, list):
            for n, item in enumerate(node):
                walk(item, place if getattr(item, "id", None) else f"{place}[{n + 1}]")

    walk(pack, "")
    found = [c if c.place != "pack" else Citation("rule", "positive_action_log", c.text) for c in found]
    for letter in pack.letters:
        try:
            template = load_template(letter.template)
        except TemplateError:
            continue
        found.append(Citation("letter", f"template {letter.template}", template.section))
    return found


def _expand(spec: str, ids: list[str]) -> list[str] | None:
    """The listed ids a numeric spec names ("5.6, 5.7 and 7", "11.5–11.6"); None if one is not listed."""
    out: list[str] = []
    for piece in re.split(r"\s*(?:,|\band\b)\s*", spec):
        ends = [e.strip() for e in re.split(r"[–-]", piece) if e.strip()]
        if any(e not in ids for e in ends):
            return None
        if len(ends) == 2:
            a, b = ids.index(ends[0]), ids.index(ends[1])
            out += ids[a:b + 1]
        else:
            out += ends
    return out


_SUBPART = re.compile(r"^(suggestion|paragraph|step)s?\s+", re.IGNORECASE)


def resolve(part: str, pack: Pack) -> list[str] | None:
    """The section ids one citation part names, [] for an explanation, None if it names no listed section.

    A part is a listed id or heading (a remark in brackets aside), ids ("7.3", "5.6, 5.7 and 7",
    "11.5–11.6") followed by any words, or a heading followed by ": a subheading", by step numbers
    ("Identify Unacceptable Customer Behaviour 1") or by numbered parts listed as "ID suggestion N"
    ("CMEL9271 suggestions 1 and 3"); step numbers in brackets count too ("... (22-27)")."""
    ids = [s.id for s in pack.sections]
    text = part.strip()
    if not text or EXPLANATION.match(text):
        return []
    bare = _unbracket(text)
    in_brackets: list[str] = []
    for inner in re.findall(r"\(([^()]*)\)", text):
        if (ids_in := LEADING_IDS.fullmatch(inner.strip())) and (named := _expand(ids_in.group(0), ids)):
            in_brackets += named
    for candidate in (text, bare):
        for s in pack.sections:
            if _norm(candidate) in (_norm(s.id), _norm(s.heading), _norm(_unbracket(s.heading))):
                return [s.id] + (in_brackets if candidate == bare else [])
    if (leading := LEADING_IDS.match(bare)) is not None:
        return _expand(leading.group(0), ids)
    for s in pack.sections:
        for head in (s.id, _unbracket(s.heading)):
            if len(head) < 4 or not _norm(bare).startswith(_norm(head)):
                continue
            rest = bare[len(head):].strip()
            if rest.startswith(":"):
                return [s.id] + in_brackets
            if (word := _SUBPART.match(rest)) is not None:
                numbers = LEADING_IDS.fullmatch(rest[word.end():].strip())
                kind = word.group(1).lower()
                if numbers is not None:
                    named = [f"{s.id} {kind} {n}" for n in re.findall(_NUMBER, numbers.group(0))]
                    if all(n in ids for n in named):
                        return named
            elif (numbers := LEADING_IDS.fullmatch(rest)) is not None and (named := _expand(numbers.group(0), ids)):
                return [s.id] + named
    return None


def coverage(pack: Pack) -> Coverage:
    """What cites each listed section, and the citations that name no listed section."""
    by_id = {s.id: SectionCoverage(s) for s in pack.sections}
    unknown: list[tuple[Citation, str]] = []
    for citation in citations(pack):
        if EXPLANATION.match(citation.text.strip()):
            continue
        for part in citation.text.split(";"):
            named = resolve(part, pack)
            if named is None:
                if part.strip():
                    unknown.append((citation, part.strip()))
                continue
            for section_id in dict.fromkeys(named):
                by_id[section_id].cited_by.append(citation)
    cited = [i for i, item in by_id.items() if item.cited_by]
    for section_id, item in by_id.items():
        if not item.cited_by and any(c.startswith(section_id + ".") for c in cited):
            item.through_parts = True
    return Coverage(pack.id, list(by_id.values()), unknown)


def problems(pack: Pack) -> list[tuple[str, str, str]]:
    """(rule, place, message) for `counter policy check`: P015 an uncited section with no review
    note; P016 a citation naming a section the pack does not list. A pack listing no sections is
    not checked (test packs)."""
    if not pack.sections:
        return []
    result = coverage(pack)
    found = []
    seen: set[str] = set()
    for s in pack.sections:
        if s.id in seen:
            found.append(("P011", f"sections[{s.id}]", f"the id {s.id!r} is used twice"))
        seen.add(s.id)
    for item in result.sections:
        if item.status == "uncovered":
            found.append(("P015", f"sections[{item.section.id}]",
                          f"nothing cites section {item.section.id} ({item.section.heading}) and no review note says why"))
    for citation, part in result.unknown:
        found.append(("P016", citation.place, f"cites {part!r}, a section the pack does not list"))
    return found


def _cited_by(item: SectionCoverage) -> str:
    if item.cited_by:
        places = list(dict.fromkeys(f"{c.kind} {c.place}" for c in item.cited_by))
        return "; ".join(places)
    if item.through_parts:
        return "(through its parts)"
    note = item.section.note.removeprefix(NOT_YET).strip()
    return item.status.upper() + (f": {note}" if note else "")


def render_text(result: Coverage) -> str:
    """A table: section id, heading, what cites it (or UNCOVERED / the review note); then the summary."""
    width = min(max([len(i.section.id) for i in result.sections] + [2]), 12)
    lines = []
    for item in result.sections:
        lines.append(f"{item.section.id:<{width}}  {item.section.heading}")
        lines += textwrap.wrap(_cited_by(item), 100, initial_indent=" " * (width + 4),
                               subsequent_indent=" " * (width + 6), break_on_hyphens=False)
    for citation, part in result.unknown:
        lines.append(f"NOT LISTED: {citation.kind} {citation.place} cites {part!r}")
    lines.append(result.summary())
    return "\n".join(lines) + "\n"


def render_json(result: Coverage) -> dict:
    return {
        "pack": result.pack_id,
        "counts": result.counts(),
        "sections": [
            {"id": i.section.id, "heading": i.section.heading, "status": i.status, "note": i.section.note,
             "cited_by": [{"kind": c.kind, "place": c.place} for c in i.cited_by], "through_parts": i.through_parts}
            for i in result.sections
        ],
        "not_listed": [{"kind": c.kind, "place": c.place, "cites": part} for c, part in result.unknown],
    }
