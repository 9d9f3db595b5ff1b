"""The `counter` command, run in-process with click's CliRunner.

GIVEN a temporary database and no configuration file, WHEN a user runs a subcommand (with `--db`
after its name), THEN it prints what they need, and any error is one clear line with a non-zero
exit and never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import make_context

from counter_tui.cli import main
from counter_tui.services import contacts, records, staff
from counter_tui.services.context import Context
from counter_tui.services.errors import SignInRefused
from counter_tui.services.staff import PinChangeNeeded

HMPO_TEXT = (Path(__file__).parent.parent / "data" / "policies" / "hmpo.toml").read_text(encoding="utf-8")
WARNING_WORDS = "The call will not continue unless you improve your behaviour."


@pytest.fixture
def run(tmp_path):
    """Invoke `counter ARGS...` with no configuration file and no default database in reach."""

    def invoke(*args: str, input: str | None = None) -> Result:
        env = {"COUNTER_CONFIG": str(tmp_path / "no-config.toml"), "COUNTER_DB": str(tmp_path / "env-default.db")}
        return CliRunner().invoke(main, list(args), input=input, env=env)

    return invoke


def assert_one_line_error(result: Result, *parts: str) -> str:
    """A failure: non-zero exit by sys.exit (not an exception), one line of output, naming each part."""
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    text = result.output.strip()
    assert "\n" not in text, text
    assert "Traceback" not in text
    for part in parts:
        assert part in text, (part, text)
    return text


# --- policy ------------------------------------------------------------------------------------


def test_policy_list(run):
    """GIVEN the shipped packs WHEN `counter policy list` THEN hmpo and ico are listed with their organisations and channels."""
    result = run("policy", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("hmpo") and "HM Passport Office" in line and "telephone" in line and "counter" in line for line in lines)
    assert any(line.startswith("ico") and "Information Commissioner" in line for line in lines)
    assert "malformed" not in result.output


def test_policy_check_shipped(run):
    """GIVEN the shipped packs WHEN `counter policy check` THEN each is ok and the exit is 0."""
    result = run("policy", "check")
    assert result.exit_code == 0, result.output
    assert "hmpo.toml: ok (11 flows" in result.output  # contact and follow-up flows, the police decisions, the line manager's written step
    assert "ico.toml: ok (4 flows" in result.output


def test_policy_check_one_shipped_pack(run):
    """GIVEN a pack id WHEN `counter policy check ico` THEN only that pack is checked, ok."""
    result = run("policy", "check", "ico")
    assert result.exit_code == 0
    assert result.output.startswith("ico.toml: ok") and "hmpo" not in result.output


def test_policy_check_schema_violation(run, tmp_path):
    """GIVEN a pack file whose step words are a number WHEN `counter policy check bad.toml` THEN one line names the file, the place and the rule."""
    bad = tmp_path / "bad.toml"
    bad.write_text(HMPO_TEXT.replace(f'say = ["{WARNING_WORDS}"]', "say = 42"), encoding="utf-8")
    result = run("policy", "check", str(bad))
    assert result.exit_code != 0
    text = result.output.strip()
    assert "\n" not in text and "Traceback" not in text
    assert str(bad) in text and "flows[telephone].steps[warn].say" in text and "valid list" in text


def test_policy_check_not_toml(run, tmp_path):
    """GIVEN a file that is not TOML WHEN checked THEN one line names the file and says so."""
    bad = tmp_path / "garbled.toml"
    bad.write_text("id = \n", encoding="utf-8")
    result = run("policy", "check", str(bad))
    assert result.exit_code != 0
    text = result.output.strip()
    assert "\n" not in text and str(bad) in text and "not valid TOML" in text


def test_policy_check_lint_finding(run, tmp_path):
    """GIVEN a well-formed pack whose warning step no longer warns WHEN checked THEN P005 is reported in one line with file and place."""
    bad = tmp_path / "unwarned.toml"
    text = HMPO_TEXT.replace("warning = true\n", "warning = false\n", 1)
    assert text != HMPO_TEXT
    bad.write_text(text, encoding="utf-8")
    result = run("policy", "check", str(bad))
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith(f"{bad}: ") for line in lines)
    assert any("flows[telephone].steps[ended]: P005" in line for line in lines)
    assert "Traceback" not in result.output


def test_policy_check_unknown_pack(run):
    """GIVEN no such pack WHEN checked THEN one line says so and lists the shipped packs."""
    result = run("policy", "check", "nonexistent")
    assert result.exit_code != 0
    assert result.output.strip() == "nonexistent.toml: no such policy pack (shipped: council, dwp, hmpo, ico, north_tyneside)"


def test_policy_show_has_the_warning_words(run):
    """GIVEN the HMPO pack WHEN `counter policy show hmpo telephone` THEN the warning words and the steps' citations are shown."""
    result = run("policy", "show", "hmpo", "telephone")
    assert result.exit_code == 0
    assert WARNING_WORDS in result.output
    assert "Customer conduct: how to deal with abusive telephone calls" in result.output
    assert "-- refuse:" in result.output


def test_policy_show_unknown_channel_and_pack(run):
    """GIVEN an unknown channel or pack WHEN shown THEN one line, non-zero."""
    assert_one_line_error(run("policy", "show", "hmpo", "pigeon"), "pigeon")
    assert_one_line_error(run("policy", "show", "nonexistent"), "no such policy pack")


# --- staff -------------------------------------------------------------------------------------

SECRET_PIN = "80417263"
"""Long and unusual, so finding it in the file's bytes means it was stored, not a coincidence."""


def add(run, db: Path, number: str = "3001", role: str = "call_handler", pin: str = SECRET_PIN) -> Result:
    return run("staff", "add", "--admin", "--number", number, "--name", "Ann Example", "--role", role, "--pin-stdin",
               "--db", str(db), input=f"{pin}\n")


def database_bytes(db: Path) -> bytes:
    """The database file and any WAL or journal beside it."""
    return b"".join(p.read_bytes() for p in sorted(db.parent.glob(db.name + "*")))


def test_staff_add_and_list_never_show_or_store_the_pin(run, tmp_path, clock):
    """GIVEN a PIN on standard input WHEN `counter staff add --pin-stdin` then `staff list` THEN the member is listed (to choose their own PIN), the PIN appears in neither output nor the database bytes, and proves the member at sign-in."""
    db = tmp_path / "counter.db"
    added = add(run, db)
    assert added.exit_code == 0, added.output
    assert added.output.strip() == "added 3001 Ann Example (call_handler, Main office)"
    listed = run("staff", "list", "--admin", "--db", str(db))
    assert listed.exit_code == 0
    (header, line) = listed.output.splitlines()
    assert header.split() == ["NUMBER", "NAME", "ROLE", "OFFICE", "ACCOUNT", "PIN", "LINE", "MANAGER"]
    assert line.split() == ["3001", "Ann", "Example", "call_handler", "Main", "office", "active", "must", "change", "—"]
    assert SECRET_PIN not in added.output + listed.output
    assert SECRET_PIN.encode() not in database_bytes(db)
    assert SECRET_PIN.encode("utf-16-le") not in database_bytes(db)
    ctx = Context.open(db, clock=clock)
    try:
        with pytest.raises(PinChangeNeeded) as needed:
            staff.sign_in(ctx, "3001", SECRET_PIN)
        assert needed.value.actor.role == "call_handler"
        with pytest.raises(SignInRefused):
            staff.sign_in(ctx, "3001", SECRET_PIN + "\n")
    finally:
        ctx.store.close()


def test_staff_add_bad_role(run, tmp_path):
    """GIVEN a role the pack does not define WHEN `staff add` THEN one line names the role problem and nothing is added."""
    db = tmp_path / "counter.db"
    assert_one_line_error(add(run, db, role="chief"), "role", "Not a role in the hmpo pack", "call_handler")
    assert run("staff", "list", "--admin", "--db", str(db)).output == ""


def test_staff_add_duplicate_number(run, tmp_path):
    """GIVEN a staff number already in use WHEN added again THEN one line says so and the first member is kept."""
    db = tmp_path / "counter.db"
    assert add(run, db).exit_code == 0
    assert_one_line_error(add(run, db, role="line_manager", pin="555527"), "number", "3001", "already in use")
    assert run("staff", "list", "--admin", "--db", str(db)).output.count("3001") == 1


def test_staff_add_bad_pin(run, tmp_path):
    """GIVEN a PIN that is too short WHEN added THEN one line says what a PIN must be and does not echo it."""
    text = assert_one_line_error(add(run, tmp_path / "counter.db", pin="12"), "PIN is 6 to 12 digits")
    assert "12 " not in text.replace("6 to 12 digits", "")


# --- queue and audit ---------------------------------------------------------------------------


def test_queue_lists_the_call_back(run, tmp_path, clock, handler):
    """GIVEN a call ended through the services WHEN `counter queue --db FILE` THEN the call-back and the staff-welfare task are listed with the customer."""
    db = tmp_path / "counter.db"
    ctx = make_context(db, clock)
    contact_id = contacts.start_contact(ctx, handler, "telephone", customer_name="Pat Customer", reference="AB123")
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, handler, contact_id, number, at_step=step)
    records.finish(ctx, handler, contact_id, {"who": "Pat Customer", "query": "Passport", "told": "Warned",
                                               "said_or_did": "Swore"})
    ctx.store.close()
    result = run("queue", "--admin", "--db", str(db))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("3 open")
    assert any("Fill in the incident report form" in line for line in lines)
    call_back = next(line for line in lines if "Call the customer back" in line)
    assert "Pat Customer" in call_back and "AB123" in call_back and "[line_manager, Main office]" in call_back
    assert any("Support the member of staff" in line for line in lines)
    only_other = run("queue", "--admin", "--role", "call_handler", "--db", str(db))
    assert only_other.output.splitlines() == ["0 open, 0 overdue"]


def test_queue_on_an_empty_database(run, tmp_path):
    """GIVEN a new database WHEN `counter queue --db FILE` THEN nothing is due."""
    result = run("queue", "--admin", "--db", str(tmp_path / "new.db"))
    assert result.exit_code == 0
    assert result.output.strip() == "0 open, 0 overdue"


def test_unknown_policy_is_refused_in_one_line(run, tmp_path):
    """GIVEN `--policy nonexistent` WHEN `counter --policy nonexistent staff list --db FILE` THEN one line says the pack was refused."""
    assert_one_line_error(run("--policy", "nonexistent", "staff", "list", "--admin", "--db", str(tmp_path / "c.db")),
                          "policy pack refused", "nonexistent", "no such policy pack")


def test_audit_verify_needs_no_policy_pack(run, tmp_path):
    """GIVEN a database and a configuration naming a pack that does not exist WHEN `audit verify` runs
    THEN the chain is still checked: the audit never depends on the pack."""
    assert run("staff", "list", "--admin", "--db", str(tmp_path / "c.db")).exit_code == 0
    result = run("--policy", "nonexistent", "audit", "verify", "--db", str(tmp_path / "c.db"))
    assert result.exit_code == 0 and result.output.startswith("ok:")


def test_audit_verify_without_a_database_says_so(run, tmp_path):
    assert_one_line_error(run("audit", "verify", "--db", str(tmp_path / "missing.db")), "no database at")


def test_audit_verify_with_a_malformed_policy_file(run, tmp_path):
    """GIVEN `--policy` naming a pack file that breaks the linter WHEN `audit verify` runs THEN one line names the file, place and rule."""
    bad = tmp_path / "unwarned.toml"
    bad.write_text(HMPO_TEXT.replace("warning = true\n", "warning = false\n", 1), encoding="utf-8")
    assert_one_line_error(run("--policy", str(bad), "staff", "list", "--admin", "--db", str(tmp_path / "c.db")),
                          str(bad), "flows[telephone].steps[ended]", "P005")


def test_audit_verify_new_database(run, tmp_path):
    """GIVEN a new database WHEN `counter audit verify --db FILE` THEN ok with one event: the queue
    read by the administrator."""
    assert run("queue", "--admin", "--db", str(tmp_path / "c.db")).exit_code == 0
    result = run("audit", "verify", "--db", str(tmp_path / "c.db"))
    assert result.exit_code == 0
    assert result.output.strip() == "ok: 1 events, the hash chain holds"


def test_unreadable_database_is_one_line(run, tmp_path):
    """GIVEN a --db path that is a file of garbage WHEN a data command runs THEN one line, non-zero, no traceback."""
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    assert_one_line_error(run("queue", "--admin", "--db", str(junk)), "counter:")


def test_help_for_every_command(run):
    """GIVEN each subcommand WHEN run with --help THEN it exits 0 with a usage line."""
    for args in (["--help"], ["policy", "--help"], ["policy", "check", "--help"], ["staff", "add", "--help"],
                 ["queue", "--help"], ["audit", "verify", "--help"], ["audit", "head", "--help"],
                 ["retention", "run", "--help"], ["staff", "disable", "--help"], ["staff", "reset-pin", "--help"],
                 ["demo", "--help"]):
        result = run(*args)
        assert result.exit_code == 0, args
        assert result.output.startswith("Usage: "), args


def test_the_readme_configuration_example_is_valid():
    """The configuration shown in the README loads as it is written."""
    import re
    import tomllib
    from pathlib import Path

    from counter_tui.config import Settings

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S).group(1)
    settings = Settings.model_validate(tomllib.loads(example))
    assert settings.staff_support and settings.incident_distribution and "incident_report" in settings.deadlines
