"""Retention: the personal data of records past the schedule is removed from the database file,
while the hash chain still verifies and records within the schedule are untouched.

GIVEN calls recorded and closed through the services (every task done, follow-up contacts and
letters included), WHEN the clock moves years on and a retention run (or a dry run) is made, THEN
a dry run lists and changes nothing; a run leaves no trace of the customer in the file's bytes or
the full-text indexes, `verify` holds, and whatever is still open or within the schedule stays.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from counter_tui.cli import main
from counter_tui.clock import FixedClock
from counter_tui.config import ConfigError, RetentionSettings, load_settings
from counter_tui.models.staff import Actor
from counter_tui.services import audit, contacts, incident_report, letter_sign_off, letters, printing, queue, records
from counter_tui.services import letter_notice, retention, staff, welfare
from counter_tui.services.context import Context
from counter_tui.store import events
from tests.conftest import START, make_context
from tests.letters_helpers import ADE, GRACE, OWEN, RAVI, ended_interview, letter_context

SIX = RetentionSettings(incident_years=6, contact_years=2)
HANDLER = Actor(number="1001", name="Sam Okafor", role="call_handler", office="Main office")
MANAGER = Actor(number="2001", name="Jo Lindqvist", role="line_manager", office="Main office")
GONE = ("Zebulon", "Quaterfield", "ZQX 9911", "Quixotic", "Xylophonic", "Thanked politely")
"""What the closed call typed: none of it may be left in the file after the run."""


def abusive_call(ctx: Context, name: str = "Zebulon Quaterfield", reference: str = "ZQX 9911",
                 note: str = "Xylophonic threats noted.", query: str = "Quixotic passport query") -> str:
    """A call warned, not improved and ended with its case note; returns the contact id."""
    contact_id = contacts.start_contact(ctx, HANDLER, "telephone", customer_name=name, reference=reference,
                                        query=query)
    for number, step in ((1, "warn"), (2, "allow"), (1, "tell_end")):
        contacts.take_step(ctx, HANDLER, contact_id, number, at_step=step)
    contacts.save_note(ctx, HANDLER, contact_id, note, version=0)
    fields = {fid: text for fid, _, text, _ in records.draft_record(ctx, HANDLER, contact_id)}
    records.finish(ctx, HANDLER, contact_id, fields)
    return contact_id


def close_every_task(ctx: Context, people: dict[str, Actor] | None = None) -> None:
    """Do every open task as staff would: the incident report form, the call-back and welfare
    flows (new contacts), the welfare record signed, anything else marked done."""
    people = people or {HANDLER.number: HANDLER, MANAGER.number: MANAGER}
    by_role = {actor.role: actor for actor in people.values()}
    for _ in range(10):
        open_ids = [r[0] for r in ctx.store.db.execute("SELECT id FROM tasks WHERE status = 'open' ORDER BY id")]
        if not open_ids:
            return
        for task_id in open_ids:
            task = queue.get_task(ctx, task_id)
            actor = people.get(task.assignee or "") or by_role[task.role]
            if task.spec == "incident_report":
                draft = incident_report.draft(ctx, actor, task_id)
                incident_report.complete(ctx, actor, task_id, {f.id: f.text or ("no" if f.yes_no else "Recorded.") for f in draft.fields},
                                         version=0)
            elif task.flow:
                follow_up = queue.open_task(ctx, actor, task_id)
                while not (view := contacts.view(ctx, follow_up)).step.is_final:
                    contacts.take_step(ctx, actor, follow_up, view.offered[0][0], at_step=view.step.id)
                fields = {fid: text or ("Thanked politely." if required else "") for fid, _, text, required in records.draft_record(ctx, actor, follow_up)}
                records.finish(ctx, actor, follow_up, fields)
            elif task.spec.startswith("sign"):
                welfare.sign(ctx, actor, task_id, agreed=True, comment="Thanked politely for the support.")
            elif letter_notice.notice_step(ctx, task) is not None:
                letter_notice.send_notice(ctx, actor, task_id)
            else:
                queue.complete_task(ctx, actor, task_id, "Done.")
    raise AssertionError("tasks kept appearing")


def closed_case(ctx: Context, **typed) -> str:
    """An abusive call with everything it set going done; returns its contact id."""
    contact_id = abusive_call(ctx, **typed)
    close_every_task(ctx)
    return contact_id


def file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as on disk."""
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def traces(path: Path, words=GONE) -> list[str]:
    data = file_bytes(path)
    return [w for w in words if w.encode() in data or w.lower().encode() in data or w.upper().encode() in data]


def fts_hits(ctx: Context, word: str) -> int:
    db = ctx.store.db
    return (db.execute("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?", [f'"{word}"']).fetchone()[0]
            + db.execute("SELECT count(*) FROM customers_fts WHERE customers_fts MATCH ?", [f'"{word}"']).fetchone()[0])


def years_on(years: int) -> datetime:
    return START.replace(year=START.year + years)


@pytest.fixture
def closed(ctx) -> Context:
    """A closed call (Zebulon Quaterfield) and, a day later, another customer's call still being handled."""
    closed_case(ctx)
    ctx.clock.advance(timedelta(days=1))
    abusive_call(ctx, name="Ottoline Varga", reference="OVA 4242", note="Still open: Ottoline's tasks are not done.",
                 query="Ordinary passport query")
    ctx.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return ctx


def test_nothing_is_due_within_the_schedule_or_without_one(closed):
    """GIVEN a case closed today WHEN planned five years on, or with no schedule configured THEN nothing is due."""
    assert retention.plan(closed.store, SIX, years_on(5)).empty
    assert retention.plan(closed.store, RetentionSettings(), years_on(50)).empty
    outcome = retention.run(closed.store, RetentionSettings(), years_on(50))
    assert outcome.event_seqs == [] and outcome.purged_events == 0


def test_a_dry_run_lists_the_case_and_changes_nothing(closed):
    """GIVEN a case closed six years and a day ago WHEN planned THEN it is listed, whole, and the file is unchanged."""
    path = closed.store.path
    before = hashlib.sha256(file_bytes(path)).hexdigest()
    plan = retention.plan(closed.store, SIX, years_on(6) + timedelta(days=1))
    (due,) = plan.cases
    assert due.case.contacts == ["C-000001", "C-000002", "C-000003"], "the call, its call-back and the welfare record"
    assert due.case.incidents == ["I-000001"] and len(due.case.tasks) == 4
    assert due.schedule == "incident_years" and due.years == 6
    assert plan.customers == ["P-000001"] and plan.events > 20
    assert hashlib.sha256(file_bytes(path)).hexdigest() == before
    assert traces(path) == list(GONE)


def test_a_run_removes_the_data_from_the_file_and_the_chain_still_holds(closed):
    """GIVEN the closed case and one still open WHEN the run is made seven years on THEN nothing the
    closed call typed is left in the file or the search indexes, the chain verifies, and the open
    case is untouched."""
    db = closed.store.db
    open_before = [tuple(r) for r in db.execute("SELECT * FROM contacts WHERE customer_name = 'Ottoline Varga'")]
    outcome = retention.run(closed.store, SIX, years_on(7), actor="cli", role="administrator")
    assert outcome.compacted and outcome.purged_events == outcome.plan.events > 20
    assert traces(closed.store.path) == []
    assert traces(closed.store.path, ("Ottoline Varga", "OVA 4242")) == ["Ottoline Varga", "OVA 4242"]
    assert fts_hits(closed, "Zebulon") == 0 and fts_hits(closed, "Xylophonic") == 0
    assert fts_hits(closed, "Ottoline") > 0
    assert [tuple(r) for r in db.execute("SELECT * FROM contacts WHERE customer_name = 'Ottoline Varga'")] == open_before

    assert events.verify(db) == (events.count(db), None)
    assert audit.verify(closed.store).problem is None
    (run,) = [e for e in events.for_stream(db, "retention:R-000001")]
    assert run.kind == "retention.purged" and run.actor == "cli"
    assert run.payload["contacts"] == ["C-000001", "C-000002", "C-000003"] and run.payload["customers"] == ["P-000001"]
    assert run.payload["schedule"] == {"incident_years": 6, "contact_years": 2}
    assert all(e.payload == {"purged": True} for e in events.for_stream(db, "contact:C-000001"))
    contact = db.execute("SELECT customer_name, note, record, purged_at FROM contacts WHERE id = 'C-000001'").fetchone()
    assert contact[:3] == ("", "", "{}") and contact[3] is not None


def test_a_second_run_finds_nothing_more(closed):
    retention.run(closed.store, SIX, years_on(7))
    again = retention.run(closed.store, SIX, years_on(8))
    assert again.plan.empty and again.event_seqs == []


def test_a_big_run_is_recorded_in_parts(ctx, monkeypatch):
    """GIVEN three closed cases and parts of two WHEN run THEN two `retention.purged` events name them and the chain holds."""
    for n in range(3):
        closed_case(ctx, name=f"Zebulon Quaterfield {n}", reference=f"ZQX 99{n}")
    monkeypatch.setattr(retention, "PART", 2)
    outcome = retention.run(ctx.store, SIX, years_on(7))
    assert len(outcome.plan.cases) == 3 and len(outcome.event_seqs) == 2
    named = [e.payload for seq in outcome.event_seqs for e in events.for_stream(ctx.store.db, f"retention:R-00000{seq - outcome.event_seqs[0] + 1}")]
    assert [len(p["contacts"]) for p in named] == [6, 3] and named[-1]["customers"] == ["P-000001", "P-000002", "P-000003"]
    assert audit.verify(ctx.store).problem is None and traces(ctx.store.path) == []


def test_an_open_task_keeps_the_whole_case(ctx):
    """GIVEN a call whose tasks are not all done WHEN run twenty years on THEN nothing of it goes."""
    abusive_call(ctx)
    assert retention.plan(ctx.store, SIX, years_on(20)).empty


def test_a_customer_on_a_live_record_keeps_their_name(ctx):
    """GIVEN the same customer on an old closed case and a recent open one WHEN the old case goes THEN the customer's name stays."""
    closed_case(ctx)
    ctx.clock.advance(timedelta(days=365 * 6))
    abusive_call(ctx, note="A later call.")
    plan = retention.plan(ctx.store, SIX, years_on(7))
    assert [d.case.contacts[0] for d in plan.cases] == ["C-000001"] and plan.customers == []
    retention.run(ctx.store, SIX, years_on(7))
    assert ctx.store.db.execute("SELECT name FROM customers").fetchall() == [("Zebulon Quaterfield",)]
    assert events.verify(ctx.store.db)[1] is None


def test_a_contact_without_an_incident_follows_contact_years(ctx):
    """GIVEN a call where the customer improved after the warning (no incident; the line manager's
    welfare task done) WHEN planned THEN contact_years applies."""
    contact_id = contacts.start_contact(ctx, HANDLER, "telephone", customer_name="Zebulon Quaterfield")
    for number, step in ((1, "warn"), (1, "allow")):
        contacts.take_step(ctx, HANDLER, contact_id, number, at_step=step)
    fields = {fid: text or ("Xylophonic." if required else "") for fid, _, text, required in records.draft_record(ctx, HANDLER, contact_id)}
    assert records.finish(ctx, HANDLER, contact_id, fields).incident_id is None
    close_every_task(ctx)  # the welfare check for the member of staff who dealt with the customer
    assert retention.plan(ctx.store, SIX, years_on(2) - timedelta(days=1)).empty
    (due,) = retention.plan(ctx.store, SIX, years_on(2) + timedelta(days=1)).cases
    assert due.schedule == "contact_years" and due.case.incidents == []


def test_letters_and_their_e_mail_go_with_the_case(tmp_path, clock):
    """GIVEN an interview whose warning letter was signed off (copies queued with the PDF) WHEN the case goes THEN the letter's draft, the messages' bodies and attachments go too."""
    ctx = letter_context(tmp_path / "letters.db", clock)
    staff.add_staff(ctx, number=MANAGER.number, name=MANAGER.name, role=MANAGER.role, office=MANAGER.office, pin="234527")
    task_id = ended_interview(ctx, name="Mr Quentin Zabriskie", reference="QZA 7777")
    view = letters.view(ctx, ADE, task_id)
    letters.submit(ctx, ADE, view.letter.id, view.values, version=view.letter.version)
    letter_sign_off.approve(ctx, GRACE, view.letter.id, version=view.letter.version + 1)
    people = {a.number: a for a in (RAVI, ADE, GRACE, OWEN, MANAGER)}
    close_every_task(ctx, people)
    db = ctx.store.db
    assert db.execute("SELECT count(*) FROM outbox WHERE attachment IS NOT NULL").fetchone()[0] > 0
    outcome = retention.run(ctx.store, SIX, years_on(7))
    (due,) = outcome.plan.cases
    assert due.case.letters and due.case.messages
    assert db.execute("SELECT count(*) FROM outbox WHERE attachment IS NOT NULL OR body != ''").fetchone()[0] == 0
    assert db.execute("SELECT draft FROM letters").fetchall() == [("{}",)]
    assert traces(ctx.store.path, ("Quentin", "Zabriskie", "QZA 7777")) == []
    assert audit.verify(ctx.store).problem is None


def test_a_removed_incident_still_prints_without_the_customer(closed):
    """GIVEN a removed incident WHEN its incident report form is printed THEN it prints, with nothing of the customer."""
    retention.run(closed.store, SIX, years_on(7))
    from counter_tui.printing.pdf import render
    from tests.test_incident_report import pdf_text

    text = pdf_text(render(printing.printable(closed, "I-000001", "incident")))
    assert "Zebulon" not in text and "Record anchor" in text


def test_a_purge_behind_the_services_back_is_caught(closed):
    """GIVEN a payload replaced by the purge marker without a retention run (the one UPDATE the
    trigger allows) WHEN verified THEN verify names that event."""
    conn = sqlite3.connect(str(closed.store.path), isolation_level=None)
    seq = conn.execute("SELECT seq FROM events WHERE kind = 'note.saved' AND stream = 'contact:C-000004'").fetchone()[0]
    conn.execute("UPDATE events SET payload = ? WHERE seq = ?", [events.PURGED_TEXT, seq])
    conn.close()
    checked, broken = events.verify(closed.store.db)
    assert broken is not None and broken.seq == seq and "no retention run" in broken.reason


def test_the_trigger_allows_only_the_purge_marker(closed):
    """GIVEN the guard WHEN anything but the purge marker is written, or the digest changes with it THEN it is refused."""
    conn = sqlite3.connect(str(closed.store.path), isolation_level=None)
    for sql in ("UPDATE events SET payload = '{}' WHERE seq = 5",
                f"UPDATE events SET payload = '{events.PURGED_TEXT}', payload_sha256 = hash WHERE seq = 5",
                f"UPDATE events SET payload = '{events.PURGED_TEXT}', actor = 'x' WHERE seq = 5",
                "UPDATE events SET seq = 99999 WHERE seq = 5"):
        with pytest.raises(sqlite3.DatabaseError, match="events cannot be changed"):
            conn.execute(sql)
    conn.close()


# --- configuration and the command line ----------------------------------------------------------


def test_the_retention_table_is_read_and_checked(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text("[retention]\nincident_years = 6\n", encoding="utf-8")
    assert load_settings(good).retention == RetentionSettings(incident_years=6)
    bad = tmp_path / "bad.toml"
    bad.write_text("[retention]\nincident_years = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="retention.incident_years"):
        load_settings(bad)


def test_cli_retention_dry_run_then_run(tmp_path):
    """GIVEN a case closed in 2015 and `[retention] incident_years = 6` WHEN `counter retention run --dry-run` THEN it is listed and nothing changes; WHEN run THEN it goes and `audit verify` still passes."""
    db = tmp_path / "counter.db"
    ctx = make_context(db, FixedClock(datetime(2015, 3, 2, 10, 0, tzinfo=UTC), tick=timedelta(seconds=1)))
    closed_case(ctx)
    ctx.store.close()
    config = tmp_path / "counter.toml"
    config.write_text("[retention]\nincident_years = 6\n", encoding="utf-8")
    runner = CliRunner()
    def records() -> list:
        """Everything but the record of each command run (a dry run is itself recorded as run)."""
        with sqlite3.connect(db) as conn:
            return [conn.execute("select seq, kind, payload from events where kind != 'cli.command_run'").fetchall(),
                    conn.execute("select * from contacts").fetchall(), conn.execute("select * from customers").fetchall()]

    before = records()
    dry = runner.invoke(main, ["retention", "run", "--dry-run", "--admin", "--db", str(db), "--config", str(config)])
    assert dry.exit_code == 0, dry.output
    assert "C-000001, C-000002, C-000003 incident I-000001: closed 02 Mar 2015" in dry.output
    assert "Nothing was changed" in dry.output and "P-000001" in dry.output
    assert records() == before

    done = runner.invoke(main, ["retention", "run", "--admin", "--db", str(db), "--config", str(config)])
    assert done.exit_code == 0, done.output
    assert "Removed the personal data of 1 record(s) and 1 customer(s)" in done.output
    assert traces(db) == []
    verified = runner.invoke(main, ["audit", "verify", "--db", str(db), "--config", str(config)])
    assert verified.exit_code == 0 and verified.output.startswith("ok:"), verified.output


def test_cli_retention_without_a_schedule_removes_nothing(tmp_path):
    db = tmp_path / "counter.db"
    closed_case(make_context(db, FixedClock(datetime(2010, 1, 4, tzinfo=UTC), tick=timedelta(seconds=1))))
    result = CliRunner().invoke(main, ["retention", "run", "--admin", "--db", str(db)],
                                env={"COUNTER_CONFIG": str(tmp_path / "none.toml")})
    assert result.exit_code == 0, result.output
    assert "kept (no incident_years in [retention])" in result.output
    assert "Nothing is past the retention schedule." in result.output
    assert traces(db) != []
