"""Configuration (issue 17.11, 17.12): text in it is checked like typed text, with one line naming
the key; setting one deadline keeps every other default."""

from __future__ import annotations

import pytest
from counter_tui.config import DEFAULT_DEADLINES, ConfigError, load_settings
from counter_tui.services.context import Context


def write(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_one_deadline_set_keeps_the_other_defaults_and_the_app_can_open(tmp_path):
    settings = load_settings(write(tmp_path, "[deadlines]\ncall_back = 12\n"))
    assert settings.deadlines["call_back"] == 12
    assert {k: v for k, v in settings.deadlines.items() if k != "call_back"} == {
        k: v for k, v in DEFAULT_DEADLINES.items() if k != "call_back"}
    Context.open(tmp_path / "x.db", settings)  # every pack deadline is there: no PackError


@pytest.mark.parametrize(("toml", "key"), [
    ('organisation = "Revenues \\u001b]2;owned\\u0007 Benefits"', "organisation"),
    ('offices = ["Main", "Second\\u001b[2J"]', "offices[1]"),
    ('staff_support = ["EAP \\u202e reversed"]', "staff_support[0]"),
    ('[letterhead]\nname = "Line one\\nline two"', "letterhead.name"),
    ('[office_facilities]\n"Main\\u0007" = ["post_box"]', "office_facilities.Main\x07"),
    (f'organisation = "{"x" * 121}"', "organisation"),
])
def test_control_characters_and_long_text_are_refused_naming_the_key(tmp_path, toml, key):
    with pytest.raises(ConfigError) as refused:
        load_settings(write(tmp_path, toml + "\n"))
    message = str(refused.value)
    assert "\n" not in message and "\x1b" not in message
    assert f": {key.split(chr(7))[0]}" in message
    assert any(word in message for word in ("control character", "direction", "one line", "Too long"))


def test_markup_in_the_organisation_name_is_text(tmp_path):
    settings = load_settings(write(tmp_path, 'organisation = "Revenues [/] Benefits [@click=app.quit]x[/]"\n'))
    assert settings.organisation == "Revenues [/] Benefits [@click=app.quit]x[/]"


def test_the_command_line_says_one_line_for_a_bad_config_never_a_traceback(tmp_path):
    from counter_tui.cli.common import settings_from

    path = write(tmp_path, 'organisation = "Revenues \\u001b[2J Benefits"\n')
    with pytest.raises(SystemExit) as stopped:
        settings_from(path)
    assert stopped.value.code != 0
