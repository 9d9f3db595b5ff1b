"""Every text field on every screen declares a maximum length (issue 17, item 3: "apply sane
maximum lengths to every field, with the limit stated beside the field").

Text fields are `LimitedInput` / `LimitedTextArea` (`screens/widgets/fields.py`), which take a
`limit`, show it on their border and refuse a paste they cannot take as it is. This scans the source
of `screens/` (so a field on a screen no test opens is covered too): every construction of Textual's
`Input` or `TextArea` must be on the allowlist below, with a `max_length`; every Limited* field must
be given its `limit`; and no screen defines its own subclass of `Input` or `TextArea` beside fields.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import counter_tui.screens

SCREENS = Path(counter_tui.screens.__file__).resolve().parent
RAW = {"Input", "TextArea"}
LIMITED = {"LimitedInput", "LimitedTextArea"}

ALLOWED_RAW = {
    # Sign-in, lock and change-PIN forms: a staff number (max_length 20) and PINs (max_length 12,
    # `restrict` to digits, so nothing but digits can be typed or pasted into them). They stay plain
    # Inputs: a PIN field must not show its count on the border, and what a refused sign-in typed is
    # never stored beyond the number's shape (issue 17, item 6), so a refusal beside it adds nothing.
    ("sign_in.py", "number"): 20,
    ("sign_in.py", "pin"): 12,
    ("lock.py", "lock-number"): 20,
    ("lock.py", "lock-pin"): 12,
    ("change_pin.py", "new-pin"): 12,
    ("change_pin.py", "new-pin-again"): 12,
}
"""(file, the field's id) -> its max_length: plain Textual fields allowed, and why, above."""


def sources() -> list[tuple[str, ast.Module]]:
    return [(str(path.relative_to(SCREENS)), ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted(SCREENS.rglob("*.py"))]


def called_name(call: ast.Call) -> str | None:
    """`Input` for `Input(...)`, `widgets.Input(...)` and `TextArea.code_editor(...)` -> `TextArea`."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "code_editor" and isinstance(func.value, ast.Name):
        return func.value.id
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def aliases(tree: ast.Module) -> dict[str, str]:
    """Local names for Textual's and fields.py's classes (`from textual.widgets import Input as Box`)."""
    names = {name: name for name in RAW | LIMITED}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in RAW | LIMITED and alias.asname:
                    names[alias.asname] = alias.name
    return names


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def constructions():
    """(file, line, class, call) for every construction of a text field in screens/."""
    for file, tree in sources():
        names = aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := names.get(called_name(node) or "")) is not None:
                yield file, node.lineno, name, node


def test_the_scan_finds_the_fields():
    """The scan sees the screens' fields (a scan that found nothing would pass every test below)."""
    found = {name for _, _, name, _ in constructions()}
    assert found >= {"Input"} | LIMITED, found
    assert sum(1 for *_, name, _ in constructions() if name in LIMITED) >= 20


def test_every_plain_input_or_text_area_is_allowed_and_has_a_max_length():
    problems, seen = [], set()
    for file, line, name, call in constructions():
        if name not in RAW:
            continue
        field_id = keyword(call, "id")
        key = (Path(file).name, field_id.value if isinstance(field_id, ast.Constant) else None)
        max_length = keyword(call, "max_length")
        if key not in ALLOWED_RAW:
            problems.append(f"{file}:{line}: a plain {name} (id {key[1]!r}): use Limited{name} with a limit")
        elif not (isinstance(max_length, ast.Constant) and max_length.value == ALLOWED_RAW[key]):
            problems.append(f"{file}:{line}: {name} {key[1]!r} must keep max_length={ALLOWED_RAW[key]}")
        seen.add(key)
    assert not problems, "\n".join(problems)
    assert seen == set(ALLOWED_RAW), f"allowed but no longer on a screen: {set(ALLOWED_RAW) - seen}"


def test_every_limited_field_is_given_its_limit():
    problems = []
    for file, line, name, call in constructions():
        if name not in LIMITED:
            continue
        limit = keyword(call, "limit")
        if limit is None:
            problems.append(f"{file}:{line}: {name} without limit=")
        elif isinstance(limit, ast.Constant) and not (isinstance(limit.value, int) and 0 < limit.value <= 20_000):
            problems.append(f"{file}:{line}: {name} limit={limit.value!r} is not a sane length")
    assert not problems, "\n".join(problems)


def test_no_screen_defines_its_own_text_field():
    """A subclass of Input or TextArea elsewhere would escape the scan above."""
    problems = []
    for file, tree in sources():
        names = aliases(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {names.get(b.id if isinstance(b, ast.Name) else getattr(b, "attr", ""), "") for b in node.bases}
                if bases & RAW and file != str(Path("widgets") / "fields.py"):
                    problems.append(f"{file}:{node.lineno}: class {node.name} subclasses {bases & RAW}")
    assert not problems, "\n".join(problems)


def test_the_limited_fields_enforce_the_limit_they_state():
    from counter_tui.screens.widgets.fields import LimitedInput, LimitedTextArea

    one_line = LimitedInput(limit=40)
    assert one_line.max_length == 40 and one_line.limit == 40
    assert LimitedTextArea(limit=500).limit == 500
