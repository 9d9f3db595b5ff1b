"""What the policy linter reports: one broken rule, where and why (shared by `policy.lint` and its
rule modules)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One broken rule."""

    rule: str
    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.rule} {self.message}"


def duplicates(kind: str, ids: list[str]) -> list[Finding]:
    seen: set[str] = set()
    found = []
    for item in ids:
        if item in seen:
            found.append(Finding("P011", f"{kind}[{item}]", f"the id {item!r} is used twice"))
        seen.add(item)
    return found
