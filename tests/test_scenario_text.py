"""Training scenarios and policy packs are text shown to staff as it is (the words to say, step
titles, role names, a scenario's brief and the customer's lines), so they are checked like typed
text when loaded (issue 17, item 11): a control character (C0 but newline and tab where several
lines are allowed, C1, escape) or a bidi override refuses the file, naming the file and the field.

GIVEN a shipped scenario or pack with an escape sequence written into one of its texts (TOML's
`\\u001b`: a raw escape is not valid TOML at all), WHEN it is loaded from a file, THEN loading fails
with a ScenarioError / PackError naming the file and the field, and no control character is in the
message; and every file shipped in `data/` still loads and passes `counter policy check` and
`counter train check`.
"""

from __future__ import annotations

from importlib import resources

import pytest
from click.testing import CliRunner

from counter_tui.cli import main
from counter_tui.config import ConfigError, load_settings
from counter_tui.policy.loader import PackError, load_pack, shipped_pack_ids
from counter_tui.policy.scenario import ScenarioError, load_scenario, shipped_scenario_ids

SCENARIO = "hmpo_phone_abuse_ends"
ESCAPE = "\\u001b]0;pwned\\u0007"  # TOML escapes: an OSC that retitles a terminal window, then a bell


def shipped_text(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def planted(text: str, marker: str, hostile: str) -> str:
    """`text` with `hostile` put inside the first string that follows `marker` (e.g. 'say = "')."""
    at = text.index(marker) + len(marker)
    return text[:at] + hostile + text[at:]


def no_control(message: str) -> bool:
    return all(ch in "\n" or (ord(ch) >= 0x20 and not 0x7f <= ord(ch) <= 0x9f) for ch in message)


def test_a_scenario_with_an_escape_in_a_line_is_refused_naming_the_file_and_field(tmp_path):
    path = tmp_path / "hostile_scenario.toml"
    path.write_text(planted(shipped_text("counter_tui.data.scenarios", f"{SCENARIO}.toml"), 'say = "', ESCAPE),
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(str(path))
    message = str(raised.value)
    assert str(path) in message and "moments[1].lines[1].say" in message
    assert "control character" in message and "U+001B" in message
    assert no_control(message)


@pytest.mark.parametrize("hostile, problem", [
    ("\\u0085", "control character"),      # C1 (NEL), also a blank that stripping would hide
    ("\\u009b31m", "control character"),   # C1 CSI
    ("\\u202e", "direction-changing"),     # right-to-left override
    ("\\u0007", "control character"),      # bell
    ("two\\nlines", "one line"),          # the customer's lines are one line each
])
def test_scenario_text_refuses_each_kind_of_hidden_character(tmp_path, hostile, problem):
    path = tmp_path / "s.toml"
    path.write_text(planted(shipped_text("counter_tui.data.scenarios", f"{SCENARIO}.toml"), 'title = "', hostile),
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(str(path))
    assert str(path) in str(raised.value) and ": title:" in str(raised.value) and problem in str(raised.value)
    assert no_control(str(raised.value))


def test_a_scenario_brief_may_have_several_lines_but_no_control_character(tmp_path):
    text = shipped_text("counter_tui.data.scenarios", f"{SCENARIO}.toml")
    path = tmp_path / "s.toml"
    path.write_text(planted(text, 'brief = """', "First line.\\n\\tIndented.\n"), encoding="utf-8")
    assert "Indented" in load_scenario(str(path)).brief
    path.write_text(planted(text, 'brief = """', ESCAPE), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"s\.toml: brief: .*control character"):
        load_scenario(str(path))


def test_a_hostile_key_is_refused_without_echoing_it(tmp_path):
    """An unknown key is refused by the schema, whose message names it: it is checked first."""
    path = tmp_path / "s.toml"
    path.write_text('"\\u001b[2J" = "x"\n' + shipped_text("counter_tui.data.scenarios", f"{SCENARIO}.toml"),
                    encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(str(path))
    assert "control character" in str(raised.value) and no_control(str(raised.value))


@pytest.mark.parametrize("marker, place", [
    ('say = ["', "flows[telephone].steps[warn].say[1]"),  # the words to say
    ('title = "', "forms[case_note].title"),               # a form's title
    ('name = "', "name"),                                   # the pack's name
])
def test_pack_text_shown_to_staff_is_refused_with_a_control_character(tmp_path, marker, place):
    path = tmp_path / "hostile_pack.toml"
    path.write_text(planted(shipped_text("counter_tui.data.policies", "hmpo.toml"), marker, ESCAPE), encoding="utf-8")
    with pytest.raises(PackError) as raised:
        load_pack(str(path))
    assert str(raised.value).startswith(f"{path}: {place}: ") and raised.value.place == place
    assert "control character" in raised.value.rule and "U+001B" in raised.value.rule
    assert no_control(str(raised.value))


def test_a_role_name_with_a_bidi_override_is_refused(tmp_path):
    text = shipped_text("counter_tui.data.policies", "hmpo.toml")
    at = text.index("[[roles]]")
    path = tmp_path / "p.toml"
    path.write_text(text[:at] + planted(text[at:], 'name = "', "\\u202e"), encoding="utf-8")
    with pytest.raises(PackError) as raised:
        load_pack(str(path))
    assert raised.value.place == "roles[call_handler].name" and "direction-changing" in raised.value.rule


def test_every_shipped_pack_and_scenario_still_loads():
    assert [load_pack(p).id for p in shipped_pack_ids()] == shipped_pack_ids()
    assert [load_scenario(s).id for s in shipped_scenario_ids()] == shipped_scenario_ids()


def test_the_shipped_data_passes_the_checks_on_the_command_line():
    runner = CliRunner()
    packs = runner.invoke(main, ["policy", "check"])
    assert packs.exit_code == 0, packs.output
    scenarios = runner.invoke(main, ["train", "check"])
    assert scenarios.exit_code == 0, scenarios.output
    assert "no problems found" in scenarios.output


def test_configuration_text_refuses_a_control_character_stripping_would_hide(tmp_path):
    """The same check, on the whole text: a NEL or separator at the end of a text is refused, not
    stripped away while the file's own text, with it, reaches the screen."""
    path = tmp_path / "counter.toml"
    path.write_text('organisation = "HM Passport Office\\u0085"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="organisation.*control character"):
        load_settings(path)


def test_a_letter_template_with_an_escape_sequence_is_refused_naming_the_file_and_field():
    """Letter templates are shown on screen and printed as they are: checked like packs and scenarios."""
    from counter_tui.policy.letter_templates import TemplateError, parse_template

    with pytest.raises(TemplateError) as refused:
        parse_template('subject = "Your letter\\u001b]0;owned\\u0007"\n', "evil_letter.toml")
    assert str(refused.value) == "evil_letter.toml: subject: Contains a control character; please retype it. (U+001B)"
