"""The architecture's rules, checked: import-linter contracts from pyproject.toml, module docstrings,
and no contact details from the guidance documents in the product.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(tmp_path):
    """GIVEN the contracts in pyproject.toml (core free of textual, screens free of the store, a pure
    policy package, layers pointing down) THEN lint-imports keeps every one.

    The package is laid out as it installs (screens/ and data/ inside counter_tui/), since
    import-linter reads the files on disk and knows nothing of setuptools' package-dir mapping.
    """
    tree = tmp_path / "counter_tui"
    shutil.copytree(ROOT / "counter_tui", tree, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "screens", tree / "screens", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", tree / "data", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, '.'); from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout, result.stdout


def test_every_module_says_what_it_provides():
    missing = []
    for folder in ("counter_tui", "screens", "data"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "__main__.py":
                continue
            if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_no_contact_details_from_the_guidance_in_the_product():
    pattern = re.compile(r"gsi\.gov\.uk|northtyneside\.gov\.uk|0808 196 2016|07418 360 780|NTCCL|@[a-z0-9-]+\.gov\.uk", re.I)
    hits = []
    for folder in ("counter_tui", "screens", "data"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in {".py", ".toml", ".tcss", ".txt", ".md"}:
                if pattern.search(path.read_text(encoding="utf-8")):
                    hits.append(str(path.relative_to(ROOT)))
    assert hits == []


def test_every_package_folder_is_installed():
    """A folder of modules missing from `[tool.setuptools] packages` works in the editable install
    and vanishes from a real one: every folder with an __init__.py must be listed."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = set()
    for folder, package in (("counter_tui", "counter_tui"), ("screens", "counter_tui.screens"), ("data", "counter_tui.data")):
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *parts)))
    assert found - listed == set()


EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w])(?:\+\d{1,3}[\s-]?)?\(?0\d{2,4}\)?(?:[\s-]?\d{3,4}){2}(?![\w])")


def test_no_pack_scenario_or_letter_holds_an_email_address_or_phone_number():
    """Contacts and distribution lists are configuration: no shipped pack, practice scenario or
    letter template carries an e-mail address or a telephone number (the patterns are proved on
    made-up examples first)."""
    assert EMAIL.findall("write to complaints@council.example.gov.uk") and PHONE.findall("call 0808 123 4567")
    hits = []
    for folder in ("policies", "scenarios", "letters"):
        for path in sorted((ROOT / "data" / folder).glob("*.toml")):
            text = path.read_text(encoding="utf-8")
            hits += [f"{path.name}: {found}" for found in EMAIL.findall(text) + PHONE.findall(text)]
    assert hits == []
