"""`counter train` on the command line: check (a broken scenario names its file, place and reason),
list, results and debrief; and the training room is never a database file."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from counter_tui.cli import main
from counter_tui.policy.scenario import shipped_scenario_ids
from counter_tui.services import training
from tests.training_helpers import room


@pytest.fixture
def run(tmp_path):
    def invoke(*args: str):
        env = {"COUNTER_CONFIG": str(tmp_path / "none.toml"), "COUNTER_DB": str(tmp_path / "live.db"),
               "COUNTER_TRAINING_ROOM": str(tmp_path / "room")}
        return CliRunner().invoke(main, list(args), env=env)

    return invoke


def test_check_passes_every_shipped_scenario(run):
    result = run("train", "check")
    assert result.exit_code == 0, result.output
    assert f"{len(shipped_scenario_ids())} scenario(s): no problems found." in result.output


def test_check_names_the_file_the_place_and_the_reason(run, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("""id = "broken"
title = "Broken"
pack = "hmpo"
flow = "telephone"
teaches = "nothing"
brief = "A scenario naming a step the flow lacks."
[customer]
name = "A Customer"
[[moments]]
step = "no_such_step"
lines = [{ say = "Hello" }]
expect = "allow"
why = "because"
section = "1"
[ending]
outcome = "ended"
section = "1"
why = "because"
""", encoding="utf-8")
    result = run("train", "check", str(broken))
    assert result.exit_code == 1
    assert f"{broken}: moments[1] (step no_such_step): S003 names the step 'no_such_step'" in result.output


def test_list_results_and_debrief(run, tmp_path):
    shared = room(tmp_path / "room")
    practice = training.start(shared, "Ann Lee", "hmpo_phone_abuse_ends")
    training.finish(shared, practice)
    listed = run("train", "list")
    assert "hmpo_phone_abuse_ends" in listed.output
    results = run("train", "results")
    assert "A0001" in results.output and "Ann Lee" in results.output and "Most often missed:" in results.output
    out = tmp_path / "debrief.pdf"
    printed = run("train", "debrief", "A0001", "--out", str(out))
    assert printed.exit_code == 0, printed.output
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Practice debrief" in text and "Ann Lee" in text and "MISSED" in text
    missing = run("train", "debrief", "A0099")
    assert missing.exit_code == 1 and "No scored attempt A0099" in missing.output


def test_the_training_room_is_never_a_database_file(run, tmp_path):
    result = run("train", "--room", str(tmp_path / "live.db"))
    assert result.exit_code == 1
    assert "the training room is a folder of its own" in result.output


def test_an_unknown_scenario_is_one_line(run):
    result = run("train", "no_such_scenario")
    assert result.exit_code == 1
    assert "no such scenario" in result.output
