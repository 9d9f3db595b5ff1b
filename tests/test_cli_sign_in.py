"""`counter` commands that read or change records need a member of staff's number and PIN (`--as`)
whose role may run them, or the administrator (`--admin`, the owner of the database file); every
run is an event naming who ran it (issue 17.5)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from counter_tui.cli import main
from tests.conftest import CALL_HANDLER, LINE_MANAGER, make_context

PROTECTED = [["queue"], ["print", "I-000001"], ["outbox"], ["export", "incidents"], ["staff", "list"],
             ["staff", "disable", "1001"], ["staff", "reset-pin", "1001", "--pin-stdin"],
             ["staff", "add", "--number", "3001", "--name", "Ann Example", "--role", "call_handler", "--pin-stdin"]]


@pytest.fixture
def db(tmp_path, clock) -> Path:
    ctx = make_context(tmp_path / "counter.db", clock)
    ctx.store.close()
    return tmp_path / "counter.db"


def counter(db: Path, *args: str, input: str = "", config: Path | None = None) -> Result:
    env = {"COUNTER_CONFIG": str(config or db.parent / "no-config.toml"), "COUNTER_STAFF": None}
    return CliRunner().invoke(main, [*args, "--db", str(db)], input=input, env=env)


def events(db: Path, kind: str) -> list[tuple[str, str, dict]]:
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT actor, role, payload FROM events WHERE kind = ? ORDER BY seq", [kind]).fetchall()
    return [(actor, role, json.loads(payload)) for actor, role, payload in rows]


@pytest.mark.parametrize("args", PROTECTED, ids=" ".join)
def test_a_command_without_a_sign_in_is_refused_and_changes_nothing(db, args):
    """GIVEN anyone at the shell WHEN they run a command without --as or --admin THEN one line says
    to sign in, and nothing is recorded (the SEO's PIN can no longer be reset this way)."""
    result = counter(db, *args, input="999999\n")
    assert result.exit_code == 1 and result.output.startswith("counter: say who you are"), result.output
    assert events(db, "staff.pin_reset") == [] and events(db, "cli.command_run") == []


def test_a_line_manager_with_their_pin_reads_the_queue_and_it_is_on_the_record(db):
    result = counter(db, "queue", "--as", LINE_MANAGER["number"], input=f"{LINE_MANAGER['pin']}\n")
    assert result.exit_code == 0, result.output
    assert [(actor, role, payload["command"]) for actor, role, payload in events(db, "cli.command_run")] == [
        ("2001", "line_manager", "queue")]


def test_a_wrong_pin_is_refused_and_counted_like_any_sign_in(db):
    result = counter(db, "export", "incidents", "--as", "2001", input="000000\n")
    assert result.exit_code == 1 and "not recognised" in result.output
    assert events(db, "staff.sign_in_refused")[0][2]["number"] == "2001"
    assert events(db, "cli.command_run") == []


def test_a_call_handler_may_not_export_and_the_refusal_is_recorded(db):
    result = counter(db, "export", "incidents", "--as", CALL_HANDLER["number"], input=f"{CALL_HANDLER['pin']}\n")
    assert result.exit_code == 1 and "cannot run `counter export incidents`" in result.output, result.output
    assert [(actor, role) for actor, role, _ in events(db, "access.refused")] == [("1001", "call_handler")]


def test_staff_changes_need_the_administrator_unless_the_configuration_names_a_role(db, tmp_path):
    """GIVEN the packs say nothing about the command line WHEN a line manager resets a PIN THEN it is
    refused by default, and allowed once `command_roles` names their role; the event names them."""
    refused = counter(db, "staff", "reset-pin", "1001", "--pin-stdin", "--as", "2001", input=f"{LINE_MANAGER['pin']}\n707027\n")
    assert refused.exit_code == 1 and "only the administrator" in refused.output
    config = tmp_path / "counter.toml"
    config.write_text('[command_roles]\n"staff reset-pin" = ["line_manager"]\n', encoding="utf-8")
    done = counter(db, "staff", "reset-pin", "1001", "--pin-stdin", "--as", "2001",
                   input=f"{LINE_MANAGER['pin']}\n707027\n", config=config)
    assert done.exit_code == 0, done.output
    assert [actor for actor, _, _ in events(db, "staff.pin_reset")] == ["2001"]


def test_the_owner_of_the_file_adds_the_first_member_as_administrator(tmp_path):
    """GIVEN a new, empty database WHEN its owner runs `staff add --admin` THEN the member is added,
    and the record names the administrator and their operating-system user."""
    new = tmp_path / "new.db"
    result = counter(new, "staff", "add", "--admin", "--number", "3001", "--name", "Ann Example", "--role",
                     "line_manager", "--pin-stdin", input="404027\n")
    assert result.exit_code == 0, result.output
    (actor, role, _), = events(new, "staff.added")
    assert actor.startswith("administrator (os user ") and role == "administrator"


@pytest.mark.skipif(os.getuid() != 0, reason="giving the file to another user needs root")
def test_admin_is_refused_to_anyone_but_the_owner_of_the_file(db):
    os.chown(db, 12345, -1)
    result = counter(db, "staff", "list", "--admin")
    assert result.exit_code == 1 and "owner of the database file" in result.output, result.output
