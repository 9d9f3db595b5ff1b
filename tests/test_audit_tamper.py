"""Attacks on the audit trail by raw SQL on the database file (issue 17 item 4): each is reported.

GIVEN the HMPO demo's record (and the council demo's, for control measures) verified once, WHEN an
attacker who can write the file (a) blanks a payload and appends a correctly hashed, forged
`retention.purged` event, (b) deletes the audit checkpoint to hide a truncated tail, (c) edits a
projection table (a role, a letter's, a measure's, a task's state), or (d) truncates the tail
with the head published outside the database, THEN `audit verify` (the service and `counter audit
verify`) and, where it can see it, the start-up check report it; and (e) a legitimate retention
run still verifies.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from counter_tui.cli import main
from counter_tui.clock import FixedClock
from counter_tui.config import RetentionSettings
from counter_tui.services import audit, demo, retention
from counter_tui.services.context import Context
from counter_tui.store import events
from counter_tui.store.connection import Store
from tests.conftest import START


def build(path: Path, policy: str = "hmpo", now: datetime = START) -> Path:
    ctx = Context.open(path, demo.settings(None, policy), clock=FixedClock(now, tick=timedelta(seconds=1)))
    demo.fill(ctx, now)
    assert audit.verify(ctx.store).problem is None, "the untouched demo verifies (and its checkpoint moves to the head)"
    ctx.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ctx.store.close()
    return path


@pytest.fixture(scope="module")
def hmpo(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("hmpo") / "demo.db")


@pytest.fixture(scope="module")
def council(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("council") / "demo.db", "council")


def copy(source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "counter.db"
    shutil.copyfile(source, path)
    return path


def raw(path: Path, guards_off: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    if guards_off:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("DROP TRIGGER events_no_delete")
    return conn


def verify(path: Path, **options) -> audit.AuditResult:
    store = Store(path)
    try:
        return audit.verify(store, **options)
    finally:
        store.close()


def config(tmp_path: Path, text: str = "") -> Path:
    file = tmp_path / "counter.toml"
    file.write_text(text, encoding="utf-8")
    return file


def cli(*arguments: str, path: Path, config_file: Path):
    return CliRunner().invoke(main, [*arguments, "--db", str(path), "--config", str(config_file)])


def cli_verify(path: Path, config_file: Path, *anchors: str):
    return cli("audit", "verify", *[a for anchor in anchors for a in ("--anchor", anchor)], path=path,
               config_file=config_file)


def refused(result, *words: str) -> None:
    assert result.exit_code != 0, result.output
    assert "tampered with" in result.output, result.output
    for word in words:
        assert word in result.output, (word, result.output)


# --- (a) a forged retention run ------------------------------------------------------------------


def forge_purge(path: Path, stream: str, payload: dict, at: str | None = None, kind: str = "note.saved") -> int:
    """Blank the newest `kind` event of `stream` (the one UPDATE the trigger allows) and append a
    `retention.purged` event listing it, hashed as `store.events.append` hashes; returns its seq."""
    conn = raw(path)
    seq, digest = conn.execute("SELECT seq, payload_sha256 FROM events WHERE stream = ? AND kind = ? ORDER BY seq DESC",
                               [stream, kind]).fetchone()
    conn.execute("UPDATE events SET payload = ? WHERE seq = ?", [events.PURGED_TEXT, seq])
    last, prev, last_at = conn.execute("SELECT seq, hash, at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
    at = at or (datetime.fromisoformat(last_at) + timedelta(minutes=5)).isoformat(timespec="microseconds")
    text = events.canonical(payload | {"purged": [[seq, digest]]})
    own_digest = events.payload_digest(text)
    own = events.chain_hash(last + 1, at, "2001", "line_manager", events.PURGE_KIND, "retention:R-000001",
                            own_digest, prev)
    conn.execute("INSERT INTO events (seq, at, actor, role, kind, stream, payload, payload_sha256, prev_hash, hash)"
                 " VALUES (?,?,?,?,?,?,?,?,?,?)",
                 [last + 1, at, "2001", "line_manager", events.PURGE_KIND, "retention:R-000001", text, own_digest,
                  prev, own])
    conn.close()
    assert events.verify(Store(path).db)[1] is None, "the chain itself holds: the forgery is hashed correctly"
    return last + 1


def case(contact: str, rule: str = "contact_years", years: int = 2, **ids) -> dict:
    return {"contacts": [contact], "incidents": [], "tasks": [], "letters": [], "messages": [], "rule": rule,
            "years": years, "closed_at": "2026-11-23T09:07:33.000000+00:00"} | ids


def test_a_forged_purge_that_names_no_rule_is_flagged(hmpo, tmp_path):
    path = copy(hmpo, tmp_path)
    seq = forge_purge(path, "contact:C-000003", {"contacts": ["C-000003"], "streams": ["contact:C-000003"]})
    problem = verify(path).problem
    assert problem.startswith(f"event {seq}:") and "does not name the rule" in problem, problem
    refused(cli_verify(path, config(tmp_path)), f"event {seq}", "retention run")


def test_a_forged_purge_of_a_recent_closed_contact_is_not_due(hmpo, tmp_path):
    """Ms Marsh's call (no incident, closed two days ago): a forged run under its own rule is not due yet."""
    path = copy(hmpo, tmp_path)
    seq = forge_purge(path, "contact:C-000004", {"contacts": ["C-000004"], "cases": [case("C-000004")]})
    problem = verify(path).problem
    assert problem.startswith(f"event {seq}:") and "C-000004" in problem and "less than 2 years before" in problem
    refused(cli_verify(path, config(tmp_path)), "less than 2 years before")


def test_a_forged_purge_of_an_open_case_is_flagged(hmpo, tmp_path):
    """Mr Rowe's call (its call-back and other tasks still open)."""
    path = copy(hmpo, tmp_path)
    forge_purge(path, "contact:C-000003", {"cases": [case("C-000003", "incident_years", 6, incidents=["I-000001"],
                                                         tasks=["T-000001", "T-000002", "T-000003"])]})
    assert "T-000001 was never done" in verify(path).problem


def test_a_forged_purge_no_schedule_authorises_is_flagged(hmpo, tmp_path):
    """With `[retention]` in force: a rule it does not set, or fewer years than it sets."""
    path = copy(hmpo, tmp_path)
    forge_purge(path, "contact:C-000004", {"cases": [case("C-000004", years=1)]})
    only_incidents = config(tmp_path, "[retention]\nincident_years = 6\n")
    refused(cli_verify(path, only_incidents), "sets no contact_years")
    assert "sets no contact_years" in verify(path, schedule=RetentionSettings(incident_years=6)).problem
    refused(cli_verify(path, config(tmp_path, "[retention]\ncontact_years = 3\n")),
            "after 1 years where [retention] contact_years = 3")


def test_a_forged_purge_dated_in_the_future_is_flagged(hmpo, tmp_path):
    """Dating the forgery years on makes a closed case look due under its rule; no run is dated after the check."""
    path = copy(hmpo, tmp_path)
    seq = forge_purge(path, "contact:C-000004", {"cases": [case("C-000004")]}, at="2040-01-01T00:00:00.000000+00:00")
    problem = verify(path, now=datetime(2026, 12, 1, tzinfo=UTC)).problem
    assert problem is not None and problem.startswith(f"event {seq}:") and "after" in problem, problem
    refused(cli_verify(path, config(tmp_path, "[retention]\ncontact_years = 2\n")), f"event {seq}")
    refused(cli_verify(path, config(tmp_path, "")), f"event {seq}", "after")  # no schedule: today is still today


def test_a_forged_purge_listing_another_records_event_is_flagged(hmpo, tmp_path):
    """A run naming a case that was due, but blanking an event of the open call (Mrs Adeyemi's)."""
    path = copy(hmpo, tmp_path)
    seq = forge_purge(path, "contact:C-000013", {"cases": [case("C-000004")]}, at="2030-01-01T00:00:00.000000+00:00")
    problem = verify(path, now=datetime(2031, 1, 1, tzinfo=UTC)).problem
    assert problem.startswith(f"event {seq}:") and "contact:C-000013" in problem and "not part of the records" in problem


# --- (b) the checkpoint deleted to hide a truncated tail ------------------------------------------


def truncate(path: Path, events_gone: int = 3, checkpoint: str = "delete") -> None:
    """Delete the newest events and the checkpoint row (or move it back to the new head: 'rewind')."""
    conn = raw(path, guards_off=True)
    conn.execute("DELETE FROM events WHERE seq > (SELECT max(seq) FROM events) - ?", [events_gone])
    if checkpoint == "delete":
        conn.execute("DELETE FROM audit_checkpoint")
    else:
        conn.execute("UPDATE audit_checkpoint SET head_seq = (SELECT max(seq) FROM events),"
                     " head_hash = (SELECT hash FROM events ORDER BY seq DESC LIMIT 1), sweep_seq = 0")
    conn.close()


def published(path: Path, tmp_path: Path) -> tuple[Path, str]:
    """`counter audit head --out FILE` on the untouched record: the file and the anchor it holds."""
    out = tmp_path / "published" / "head.txt"
    out.parent.mkdir()
    result = cli("audit", "head", "--out", str(out), path=path, config_file=config(tmp_path))
    assert result.exit_code == 0, result.output
    anchor = result.output.splitlines()[1]
    assert anchor in out.read_text(encoding="utf-8")
    return out, anchor


def test_a_deleted_checkpoint_and_truncated_tail_are_flagged_by_verify(hmpo, tmp_path):
    path = copy(hmpo, tmp_path)
    head_file, anchor = published(path, tmp_path)
    truncate(path)
    assert events.verify(Store(path).db)[1] is None, "the shorter chain holds"
    assert verify(path).problem == audit.MISSING_CHECKPOINT
    refused(cli_verify(path, config(tmp_path)), "checkpoint is missing")
    assert "behind its published head" in verify(path, head_file=head_file).problem
    assert "deleted from the end" in verify(path, anchors=[events.parse_anchor(anchor)]).problem
    refused(cli_verify(path, config(tmp_path), anchor), f"event {anchor.split(':')[0]}", "deleted from the end")
    refused(cli_verify(path, config(tmp_path, f"[audit]\nhead_file = {json.dumps(str(head_file))}\n")),
            "behind its published head")


def test_a_deleted_checkpoint_and_truncated_tail_are_flagged_at_start(hmpo, tmp_path):
    path = copy(hmpo, tmp_path)
    head_file, _ = published(path, tmp_path)
    truncate(path)
    store = Store(path)
    warning = audit.startup_check(store, head_file=head_file)
    assert warning is not None and "behind its published head" in warning
    assert audit.startup_check(store, head_file=head_file) == warning, "the warning stays"
    assert "checkpoint is missing" in audit.startup_check(store), "without the head file: the missing row itself"
    store.close()


async def test_the_app_warns_at_start_when_the_head_file_is_configured(hmpo, tmp_path):
    from counter_tui.app import CounterApp

    path = copy(hmpo, tmp_path)
    head_file, anchor = published(path, tmp_path)
    truncate(path)
    from counter_tui.config import AuditSettings

    settings = demo.settings(None).model_copy(update={"audit": AuditSettings(head_file=str(head_file))})
    ctx = Context.open(path, settings, clock=FixedClock(START, tick=timedelta(seconds=1)))
    app = CounterApp(ctx)
    async with app.run_test(size=(100, 34)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sub_title.startswith("RECORD CHECK FAILED")
    assert anchor in head_file.read_text(encoding="utf-8"), "the evidence is never overwritten"


# --- (c) projection tables edited behind the log's back -------------------------------------------


@pytest.mark.parametrize(("table", "sql", "named"), [
    ("staff", "UPDATE staff SET role = 'seo' WHERE number = '1001'",
     "staff row 1001, column role: the events say 'call_handler', the table says 'seo'"),
    ("staff", "UPDATE staff SET active = 0 WHERE number = '2002'",
     "staff row 2002, column active: the events say 1, the table says 0"),
    ("letters", "UPDATE letters SET status = 'approved' WHERE id = 'L-000002'",
     "letters row L-000002, column status: the events say 'submitted', the table says 'approved'"),
    ("tasks", "UPDATE tasks SET status = 'done' WHERE id = 'T-000001'",
     "tasks row T-000001, column status: the events say 'open', the table says 'done'"),
])
def test_an_edited_projection_is_reported(hmpo, tmp_path, table, sql, named):
    path = copy(hmpo, tmp_path)
    conn = raw(path)
    conn.execute(sql)
    conn.close()
    result = verify(path)
    assert named in result.differences and named in result.problem, result
    refused(cli_verify(path, config(tmp_path)), named)


def test_an_edited_measure_is_reported(council, tmp_path):
    path = copy(council, tmp_path)
    conn = raw(path)
    measure = conn.execute("SELECT id FROM measures WHERE status = 'live' ORDER BY id").fetchone()[0]
    conn.execute("UPDATE measures SET status = 'lifted' WHERE id = ?", [measure])
    conn.close()
    named = f"measures row {measure}, column status: the events say 'live', the table says 'lifted'"
    assert named in verify(path).differences
    refused(cli_verify(path, config(tmp_path)), named)


def test_a_row_inserted_or_deleted_is_reported(hmpo, tmp_path):
    path = copy(hmpo, tmp_path)
    conn = raw(path)
    conn.execute("INSERT INTO staff (number, name, role, office, pin_salt, pin_hash, active, must_change_pin)"
                 " SELECT '9999', 'Mallory', 'seo', office, pin_salt, pin_hash, 1, 0 FROM staff WHERE number = '1001'")
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM tasks WHERE id = 'T-000014'")
    conn.close()
    found = verify(path).differences
    assert "staff row 9999: in the table but no event created it" in found
    assert "tasks row T-000014: in the events but missing from the table" in found


# --- (d) a truncated tail with the head published --------------------------------------------------


def test_a_truncated_tail_fails_against_the_published_head(hmpo, tmp_path):
    """The attacker moves the checkpoint back to the new end as well: only the published head can tell."""
    path = copy(hmpo, tmp_path)
    head_file, anchor = published(path, tmp_path)
    truncate(path, events_gone=1, checkpoint="rewind")
    assert events.verify(Store(path).db)[1] is None, "the shorter chain holds"
    assert audit.startup_check(Store(path)) is None, "the start-up check without the head file cannot tell"
    assert "contacts row C-000014, column note" in verify(path).problem, "the deleted note still shows in the table"
    assert "behind its published head" in verify(path, head_file=head_file).problem
    with_head = config(tmp_path, f"[audit]\nhead_file = {json.dumps(str(head_file))}\n")
    refused(cli_verify(path, with_head), "behind its published head", str(head_file))
    refused(cli_verify(path, config(tmp_path), anchor), "deleted from the end")
    assert "behind its published head" in audit.startup_check(Store(path), head_file=head_file)
    assert anchor in head_file.read_text(encoding="utf-8"), "the evidence is never overwritten"


# --- (e) a legitimate retention run is no false alarm -------------------------------------------


def test_a_retention_run_through_the_service_verifies(tmp_path):
    path = build(tmp_path / "old.db", now=datetime(2015, 3, 2, 10, 0, tzinfo=UTC))
    schedule = RetentionSettings(incident_years=6, contact_years=2)
    store = Store(path)
    outcome = retention.run(store, schedule, datetime(2022, 1, 1, tzinfo=UTC), actor="cli", role="administrator")
    assert outcome.purged_events > 0
    result = audit.verify(store, schedule=schedule, now=datetime(2022, 1, 2, tzinfo=UTC))
    assert result.problem is None and result.differences == (), result
    assert audit.verify(store).problem is None and audit.startup_check(store) is None
    store.close()


def test_a_retention_run_on_the_command_line_verifies(tmp_path):
    path = build(tmp_path / "old.db", now=datetime(2015, 3, 2, 10, 0, tzinfo=UTC))
    head_file, _ = published(path, tmp_path)
    settings = config(tmp_path, "[retention]\nincident_years = 6\ncontact_years = 2\n"
                                f"[audit]\nhead_file = {json.dumps(str(head_file))}\n")
    done = cli("retention", "run", "--admin", path=path, config_file=settings)
    assert done.exit_code == 0 and "Removed the personal data of" in done.output, done.output
    ok = cli_verify(path, settings)
    assert ok.exit_code == 0 and ok.output.startswith("ok:"), ok.output
    assert events.parse_anchor(head_file.read_text(encoding="utf-8").splitlines()[1]) == events.head(Store(path).db)
