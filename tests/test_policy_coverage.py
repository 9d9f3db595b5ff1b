"""`counter policy coverage`: every section of each pack's source document, and what cites it."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from counter_tui.cli import main
from counter_tui.policy import coverage
from counter_tui.policy.loader import load_pack, shipped_pack_ids

PACKS = ["hmpo", "ico", "council", "dwp", "north_tyneside"]
EMAIL = re.compile(r"[\w.'+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(\+44|\b0)\d[\d ]{8,}\d")


def _pack_text(pack_id: str) -> str:
    return resources.files("counter_tui.data.policies").joinpath(f"{pack_id}.toml").read_text(encoding="utf-8")


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_all_five_packs_are_shipped_and_list_their_sections() -> None:
    assert set(PACKS) <= set(shipped_pack_ids())
    for pack_id in PACKS:
        assert load_pack(pack_id).sections, f"{pack_id} lists no sections"


@pytest.mark.parametrize("pack_id", PACKS)
def test_every_pack_coverage_runs_with_no_uncovered_section_and_no_unlisted_citation(pack_id: str) -> None:
    pack = load_pack(pack_id)
    result = coverage.coverage(pack)
    counts = result.counts()
    assert sum(counts.values()) == len(pack.sections)
    assert counts["covered"] > 0
    assert counts["uncovered"] == 0
    assert result.unknown == []
    assert coverage.problems(pack) == []
    for item in result.sections:
        if item.status == "not yet covered":
            assert item.section.note.removeprefix(coverage.NOT_YET).strip(), item.section.id


@pytest.mark.parametrize("pack_id", PACKS)
def test_no_contact_details_in_any_pack_section(pack_id: str) -> None:
    for section in load_pack(pack_id).sections:
        for text in (section.id, section.heading, section.note):
            assert not EMAIL.search(text), (pack_id, section.id, text)
            assert not PHONE.search(text), (pack_id, section.id, text)
            assert "http" not in text.casefold(), (pack_id, section.id, text)


def uncite_14_5(text: str) -> str:
    """The council's pack with every citation of 14.5 taken out."""
    return (text.replace('section = "6.1; 13.1; 14.5"', 'section = "6.1; 13.1"')
            .replace('section = "14.2; 14.3; 14.4; 14.5"', 'section = "14.2; 14.3; 14.4"')
            .replace("section = \"14.5 says", "section = \"14.1 says"))


def test_a_section_nothing_cites_and_no_note_explains_fails_the_check(tmp_path: Path) -> None:
    text = _pack_text("council")
    cited = [i for i in coverage.coverage(load_pack("council")).sections if i.section.id == "14.5"][0]
    assert [c.place for c in cited.cited_by] == ["report_to_line_manager", "training_need.due", "training_need"]
    copy = tmp_path / "council_copy.toml"
    copy.write_text(uncite_14_5(text), encoding="utf-8")
    result = _run("policy", "check", str(copy))
    assert result.exit_code == 1
    assert "P015" in result.output and "sections[14.5]" in result.output
    assert "nothing cites section 14.5" in result.output
    shown = _run("policy", "coverage", str(copy))
    assert shown.exit_code == 1
    assert "UNCOVERED" in shown.output and "1 uncovered" in shown.output


def test_a_review_note_lets_an_uncited_section_pass(tmp_path: Path) -> None:
    text = uncite_14_5(_pack_text("council"))
    text = text.replace('heading = "Coaching, and asking the line manager for more training"',
                        'heading = "Coaching, and asking the line manager for more training"\n'
                        'note = "Not yet covered: asking the line manager for more training"')
    copy = tmp_path / "council_noted.toml"
    copy.write_text(text, encoding="utf-8")
    assert _run("policy", "check", str(copy)).exit_code == 0
    shown = _run("policy", "coverage", str(copy))
    assert "NOT YET COVERED: asking the line manager for more training" in shown.output
    assert "1 not yet covered, 0 uncovered" in shown.output


def test_a_citation_to_a_section_not_listed_fails_the_check(tmp_path: Path) -> None:
    copy = tmp_path / "council_bad.toml"
    copy.write_text(_pack_text("council").replace('section = "6.1; 13.1; 14.5"', 'section = "6.1; 13.1; 14.5; 99.9"'),
                    encoding="utf-8")
    result = _run("policy", "check", str(copy))
    assert result.exit_code == 1
    assert "P016" in result.output and "'99.9'" in result.output and "report_to_line_manager" in result.output


def test_cli_hmpo_shows_the_table_and_the_summary() -> None:
    result = _run("policy", "coverage", "hmpo")
    assert result.exit_code == 0, result.output
    pack = load_pack("hmpo")
    counts = coverage.coverage(pack).counts()
    summary = (f"hmpo: {len(pack.sections)} sections: {counts['covered']} covered, {counts['explained']} explained, "
               f"{counts['not yet covered']} not yet covered, {counts['uncovered']} uncovered")
    assert result.output.rstrip().splitlines()[-1] == summary
    assert "How to deal with serious incidents" in result.output
    assert "task serious_incident" in result.output
    assert "letter template hmpo_written_barring" in result.output


def test_cli_json_format() -> None:
    result = _run("policy", "coverage", "ico", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["pack"] == "ico"
    by_id = {s["id"]: s for s in data["sections"]}
    assert by_id["14.2"]["status"] == "covered"
    assert {"kind": "rule", "place": "take_over"} in by_id["14.2"]["cited_by"]
    assert by_id["2.2"]["status"] == "not yet covered"
    assert sum(data["counts"].values()) == len(data["sections"])


def test_citations_are_read_as_the_packs_write_them() -> None:
    ico, dwp, hmpo = load_pack("ico"), load_pack("dwp"), load_pack("hmpo")
    assert coverage.resolve("11.5–11.6", ico) == ["11.5", "11.6"]
    assert coverage.resolve("7.4.1–7.4.2", ico) == ["7.4.1", "7.4.2"]
    assert coverage.resolve("12 sets no deadline for the Head of Department's decision: configuration.", ico) == ["12"]
    assert coverage.resolve("8 Terminating a telephone call", ico) == ["8"]
    assert coverage.resolve("The guidance sets no deadline: your organisation's configuration does.", ico) == []
    assert coverage.resolve("99", ico) is None
    assert coverage.resolve("Identify Unacceptable Customer Behaviour 1", dwp) == ["identify", "1"]
    assert coverage.resolve("Consider Instance: Team Leader action (11-13)", dwp) == ["consider", "11", "12", "13"]
    assert coverage.resolve("CMEL9271 suggestions 1 and 3", dwp) == ["CMEL9271 suggestion 1", "CMEL9271 suggestion 3"]
    assert coverage.resolve("How to bar a customer from a CSC (draft a letter (CSC) on the day)", hmpo) == ["h18"]
    assert coverage.resolve("Telephone calls: customer’s behaviour does not improve", hmpo) == ["h27"]
    assert coverage.resolve("Telephone calls: the customer shouts", hmpo) is None
