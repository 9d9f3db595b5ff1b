"""Load policy packs: the shipped ones by id, or any pack file by path.

Problems are raised as `PackError`, one line naming the file, the place and the rule, so the CLI
and the app can refuse a malformed pack without a traceback.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from counter_tui.policy.schema import Pack
from counter_tui.text import NOTE_LIMIT, SHORT_LIMIT, TextProblem, clean_text

PACKAGE = "counter_tui.data.policies"
DEFAULT_PACK = "hmpo"


class PackError(Exception):
    """A pack that cannot be used; `str()` is one line: file, place, rule."""

    def __init__(self, file: str, place: str, rule: str) -> None:
        self.file, self.place, self.rule = file, place, rule
        super().__init__(f"{file}: {place}: {rule}" if place else f"{file}: {rule}")


def shipped_pack_ids() -> list[str]:
    """The ids of the packs shipped in `data/policies`, sorted."""
    root = resources.files(PACKAGE)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))


def _place(loc: tuple, data: dict) -> str:
    """Turn a pydantic error location into a readable place, naming list items by their id."""
    parts: list[str] = []
    node: object = data
    for item in loc:
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            node = node[item]
            name = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{name or item + 1}]" if parts else f"[{item}]"
        else:
            node = node.get(item) if isinstance(node, dict) else None
            parts.append(str(item))
    return ".".join(parts)


def check_texts(value: object, place: str = "", *, multiline: frozenset[str] = frozenset(), key: str = "") -> tuple[str, str] | None:
    """Check every text of a pack or scenario (keys too) as typed text is checked (`clean_text`):
    no control characters (C0, C1, escape) or bidi overrides, one line unless its key is in
    `multiline` (there newlines and tabs are allowed), at most `NOTE_LIMIT` characters. Pack and
    scenario text is shown on screen as it is, so an escape sequence in it must never reach the terminal.

    Returns:
        None, or (place, problem) for the first problem, its place named as `_place` names it
        (list items by their id, else by their number from 1).
    """
    if isinstance(value, dict):
        for name, item in value.items():
            where = f"{place}.{name}" if place else str(name)
            try:
                clean_text(str(name), max_length=SHORT_LIMIT, multiline=False, whole=True)
            except TextProblem as problem:
                return place or "top level", f"a key {problem} (U+{_first_bad(str(name))})"
            if (found := check_texts(item, where, multiline=multiline, key=str(name))) is not None:
                return found
    elif isinstance(value, list):
        for n, item in enumerate(value):
            name = item.get("id") if isinstance(item, dict) and isinstance(item.get("id"), str) else None
            where = f"{place}[{n + 1 if name is None or check_texts(name) else name}]"
            if (found := check_texts(item, where, multiline=multiline, key=key)) is not None:
                return found
    elif isinstance(value, str):
        try:
            clean_text(value, max_length=NOTE_LIMIT, multiline=key in multiline, whole=True)
        except TextProblem as problem:
            bad = _first_bad(value, multiline=key in multiline)
            return place, f"{problem}" + (f" (U+{bad})" if bad else "")
    return None


def _first_bad(text: str, *, multiline: bool = False) -> str:
    """The code point of the first character `clean_text` refuses in file text, as hex ("" if none)."""
    for char in text:
        try:
            clean_text(char, max_length=1, multiline=multiline, whole=True)
        except TextProblem:
            return f"{ord(char):04X}"
    return ""


def parse_toml(text: str, file: str, model, error=PackError, *, multiline: frozenset[str] = frozenset()):
    """Validate TOML text as `model`, raising `error` (file, place, rule) for the first problem.

    Every text is checked first (`check_texts`; `multiline` names the keys whose text may have
    several lines), so no control character reaches the screen, an error message included."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(file, "", f"not valid TOML ({problem})") from None
    if (found := check_texts(data, multiline=multiline)) is not None:
        raise error(file, *found)
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        first = problem.errors(include_input=False)[0]
        raise error(file, _place(first["loc"], data), first["msg"]) from None


def parse_pack(text: str, file: str) -> Pack:
    """Validate a pack's TOML text.

    Args:
        text: the TOML source.
        file: the file name used in error messages.

    Raises:
        PackError: the first problem found.
    """
    return parse_toml(text, file, Pack)


def load_pack_file(path: Path) -> Pack:
    """Load a pack from a file anywhere on disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(str(path), "", f"cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise PackError(str(path), "", "is not UTF-8 text") from None
    return parse_pack(text, str(path))


def load_pack(pack_id: str) -> Pack:
    """Load a shipped pack by id (`hmpo`, `ico`...), or a pack file when given a path ending .toml.

    Shipped packs are read once per process; a pack file is read afresh each time, so edits show.
    """
    if pack_id.endswith(".toml"):
        return load_pack_file(Path(pack_id))
    return _load_shipped(pack_id)


@cache
def _load_shipped(pack_id: str) -> Pack:
    if pack_id not in shipped_pack_ids():
        known = ", ".join(shipped_pack_ids())
        raise PackError(f"{pack_id}.toml", "", f"no such policy pack (shipped: {known})")
    text = resources.files(PACKAGE).joinpath(f"{pack_id}.toml").read_text(encoding="utf-8")
    return parse_pack(text, f"{pack_id}.toml")
