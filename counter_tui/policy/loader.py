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


def parse_toml(text: str, file: str, model, error=PackError):
    """Validate TOML text as `model`, raising `error` (file, place, rule) for the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise error(file, "", f"not valid TOML ({problem})") from None
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
