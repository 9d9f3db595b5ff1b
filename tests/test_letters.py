"""Letters: drafted on the day, signed off by someone else with the approving role, then copied,
scanned, sent, recorded and announced as the guidance lists — by real e-mail.

GIVEN a face-to-face interview that did not improve, WHEN the HEO counter manager drafts the
interview warning letter and the SEO signs it off, THEN each step "When you receive the reply from
your SEO" lists is done or on the queue, and the copies arrive at a real SMTP server with the PDF.
"""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from counter_tui.cli import main
from counter_tui.config import ConfigError, load_settings
from counter_tui.services import letter_notice, letter_record, letter_sign_off, letters, outbox, queue
from counter_tui.services.errors import FieldErrors, Refused
from counter_tui.services.letters import LetterConflict
from counter_tui.store import letters as letter_store
from counter_tui.store import queries
from tests.letters_helpers import ADE, GRACE, OWEN, RAVI, SECOND, ended_interview, letter_context, letter_settings
from tests.smtp_sink import SmtpSink, closed_port


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


@pytest.fixture
def lctx(tmp_path, clock):
    return letter_context(tmp_path / "letters.db", clock)


def _submit(ctx, task_id, **changes):
    view = letters.view(ctx, ADE, task_id)
    if view.mode == "decide":  # the CSC bar: the HEO decides to write it first
        from counter_tui.services import letter_decision

        letter_decision.decide(ctx, ADE, view.letter.id, write_it=True)
        view = letters.view(ctx, ADE, task_id)
    letters.submit(ctx, ADE, view.letter.id, {**view.values, **changes}, version=view.letter.version)
    return view.letter.id


def _approve(ctx, letter_id):
    return letter_sign_off.approve(ctx, GRACE, letter_id, version=letter_store.letter(ctx.store.db, letter_id).version)


def test_the_letter_is_due_by_the_end_of_the_incidents_day_and_opens_prefilled(lctx):
    task = queue.get_task(lctx, ended_interview(lctx))
    assert task.role == "heo_counter_manager" and task.spec == "interview_warning_letter"
    assert task.due_at.astimezone(lctx.settings.zone).strftime("%d %H:%M") == "25 23:59", "the end of the incident's day"
    view = letters.view(lctx, ADE, task.id)
    assert view.mode == "draft"
    assert view.values["subject"] == "Your passport application PEX 6610 2284: your interview on 25 November 2026"
    assert "book another interview" in view.values["body"] and "do an interview" in view.values["body"]
    assert view.values["application_office"] == "Main office" and view.values["live_application"] == "yes"


def test_a_stale_save_is_a_conflict_never_an_overwrite(lctx):
    task_id = ended_interview(lctx)
    view = letters.view(lctx, ADE, task_id)
    assert letters.save_draft(lctx, ADE, view.letter.id, {**view.values, "body": "First"}, version=0) == 1
    with pytest.raises(LetterConflict) as conflict:
        letters.save_draft(lctx, ADE, view.letter.id, {**view.values, "body": "Second"}, version=0)
    assert conflict.value.current["body"] == "First" and conflict.value.by == "Ade Bello"
    assert letter_store.letter(lctx.store.db, view.letter.id).draft["body"] == "First"


def test_an_empty_letter_is_refused_beside_its_fields(lctx):
    task_id = ended_interview(lctx)
    view = letters.view(lctx, ADE, task_id)
    with pytest.raises(FieldErrors) as problem:
        letters.submit(lctx, ADE, view.letter.id, {**view.values, "body": " ", "application_office": "Nowhere"}, version=0)
    assert set(problem.value.errors) == {"body", "application_office"}
    assert queries.task(lctx.store.db, task_id).status == "open"


def test_the_drafter_and_anyone_without_the_role_can_never_sign_off(lctx):
    letter_id = _submit(lctx, ended_interview(lctx))
    for actor in (ADE, RAVI, OWEN):
        with pytest.raises(Refused):
            letter_sign_off.approve(lctx, actor, letter_id, version=1)
    seo_who_drafted = ADE.model_copy(update={"role": "seo"})
    with pytest.raises(Refused, match="you drafted it"):
        letter_sign_off.approve(lctx, seo_who_drafted, letter_id, version=1)
    refusals = lctx.store.db.execute("SELECT count(*) FROM events WHERE kind = 'access.refused'").fetchone()[0]
    assert refusals == 4, "every refusal is on the record"
    assert letter_store.letter(lctx.store.db, letter_id).status == "submitted"


def test_returning_needs_a_reason_and_gives_the_drafter_a_new_task(lctx):
    letter_id = _submit(lctx, ended_interview(lctx))
    with pytest.raises(FieldErrors):
        letter_sign_off.return_letter(lctx, GRACE, letter_id, "  ", version=1)
    redraft = letter_sign_off.return_letter(lctx, GRACE, letter_id, "Say which office to book at.", version=1)
    assert redraft.assignee == ADE.number and redraft.letter_id == letter_id
    view = letters.view(lctx, ADE, redraft.id)
    assert view.mode == "draft" and view.letter.returned_reason == "Say which office to book at."
    letters.submit(lctx, ADE, letter_id, {**view.values, "body": view.values["body"] + "\nBook at any CSO."},
                   version=view.letter.version)
    assert _approve(lctx, letter_id).status == "approved"


def test_after_sign_off_each_step_the_guidance_lists_is_done_or_on_the_queue(lctx):
    letter_id = _submit(lctx, ended_interview(lctx))
    letter = _approve(lctx, letter_id)
    states = {a["title"]: a["state"] for a in letter.actions}
    assert states["Send a copy of the letter to the senior executive officer"] == "in the outbox"
    assert states["Send a copy of the letter to the security liaison officer"] == "in the outbox"
    grade7 = next(t for t in states if t.startswith("Send a copy of the letter to the Grade 7"))
    assert states[grade7] == "not needed: the application was dealt with in this office"
    assert states["Record the incident"].startswith("recorded on incident")
    tasks = {t.spec: t for t in letter_store.tasks_for_letter(lctx.store.db, letter_id)}
    assert tasks["scan_letter"].assignee == ADE.number and tasks["send_letter"].assignee == ADE.number
    assert tasks["tell_other_offices"].role == "eo_counter_manager"
    assert tasks["sign_off_letter"].status == "done" and tasks["interview_warning_letter"].status == "done"
    assert queries.incident(lctx.store.db, letter.incident_id).recorded_at is not None
    held = outbox.messages(lctx)
    assert {m.status for m in held} == {"held"}, "no mail server configured: kept ready"
    assert all("No mail server is configured" in m.last_error for m in held)


def test_the_grade_7_copy_goes_to_the_office_where_the_application_was_dealt_with(lctx):
    letter_id = _submit(lctx, ended_interview(lctx), application_office=SECOND)
    _approve(lctx, letter_id)
    lists = {m.list_name for m in outbox.messages(lctx)}
    assert "Grade 7 manager (Second office)" in lists and "Grade 7 manager (Main office)" not in lists


def test_a_list_missing_from_configuration_holds_the_message_naming_the_setting(tmp_path, clock):
    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(mail_lists={"Senior executive officer": ["seo@example.org"]}))
    _approve(ctx, _submit(ctx, ended_interview(ctx)))
    held = {m.list_name: m.last_error for m in outbox.messages(ctx)}
    assert held["Security liaison officer"] == (
        'No addresses for "Security liaison officer": add it to [mail_lists] in the configuration, then retry.')


@pytest.mark.parametrize("bad, named", [
    ('"Senior executive officer" = []', "is empty"),
    ('"Senior executive officer" = ["seo@example.org, boss@example.org"]', "is not an e-mail address"),
    ('"Senior executive officer" = ["seo@example.org\\nBcc: x@evil.org"]', "Must be on one line"),
])
def test_a_malformed_list_in_configuration_is_one_clear_line(tmp_path, bad, named):
    config = tmp_path / "config.toml"
    config.write_text(f"[mail_lists]\n{bad}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as problem:
        load_settings(config)
    message = str(problem.value)
    assert "mail_lists" in message and "Senior executive officer" in message and named in message
    assert "\n" not in message


def test_the_copies_arrive_by_real_e_mail_with_the_pdf_attached(tmp_path, clock):
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        letter_id = _submit(ctx, ended_interview(ctx))
        _approve(ctx, letter_id)
        results = outbox.send_due(ctx)
        assert [r.status for r in results] == ["sent", "sent"]
        received = sink.wait_for(2)
    by_rcpt = {tuple(r.rcpt_tos): r for r in received}
    assert set(by_rcpt) == {("seo@example.org",), ("security-liaison@example.org",)}
    mail = by_rcpt[("seo@example.org",)].message
    assert mail["Subject"] == "Copy: Your passport application PEX 6610 2284: your interview on 25 November 2026"
    assert "Send a copy of the letter to the senior executive officer." in mail.get_body(("plain",)).get_content()
    attachment = next(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename() == f"{letter_id}-letter.pdf"
    text = pdf_text(attachment.get_content())
    assert "book another interview" in text and "Signed off by Grace Adeyemi" in text
    assert {m.status for m in outbox.messages(ctx)} == {"sent"}


def test_a_refusing_server_keeps_the_message_and_a_retry_sends_it_once(tmp_path, clock):
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        _approve(ctx, _submit(ctx, ended_interview(ctx)))
        sink.refuse = "550 5.1.1 Mailbox unavailable"
        first = outbox.send_due(ctx)
        assert {r.status for r in first} == {"held"} and all("Mailbox unavailable" in r.reason for r in first)
        assert outbox.send_due(ctx) == [], "a refused message waits for a person"
        sink.refuse = None
        assert len(outbox.retry(ctx, GRACE)) == 2
        assert [r.status for r in outbox.send_due(ctx)] == ["sent", "sent"]
        assert outbox.send_due(ctx) == [] and outbox.retry(ctx, GRACE) == [], "sent messages are never resent"
        assert len(sink.wait_for(2)) == 2


def test_a_server_that_fails_for_now_is_retried_with_back_off(tmp_path, clock):
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        _approve(ctx, _submit(ctx, ended_interview(ctx)))
        sink.fail_data = "451 4.3.0 Try again later"
        assert {r.status for r in outbox.send_due(ctx)} == {"failed"}
        sink.fail_data = None
        assert outbox.send_due(ctx) == [], "not due again until the back-off has passed"
        clock.advance(timedelta(minutes=2))
        assert [r.status for r in outbox.send_due(ctx)] == ["sent", "sent"]
        assert len(sink.wait_for(2)) == 2 and all(m.attempts == 2 for m in outbox.messages(ctx))


def test_a_server_that_is_down_loses_nothing(tmp_path, clock):
    smtp = {"host": "127.0.0.1", "port": closed_port(), "from_address": "counter@example.org", "timeout_seconds": 2}
    ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
    _approve(ctx, _submit(ctx, ended_interview(ctx)))
    results = outbox.send_due(ctx)
    assert {r.status for r in results} == {"failed"} and all("not answering" in r.reason for r in results)
    assert all(m.status == "failed" and m.next_attempt_at is not None for m in outbox.messages(ctx))


def test_the_eo_counter_manager_tells_the_other_offices_by_e_mail(tmp_path, clock):
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        letter_id = _submit(ctx, ended_interview(ctx))
        _approve(ctx, letter_id)
        notice = next(t for t in letter_store.tasks_for_letter(ctx.store.db, letter_id) if t.spec == "tell_other_offices")
        with pytest.raises(Refused):
            letter_notice.send_notice(ctx, ADE, notice.id)
        letter_notice.send_notice(ctx, OWEN, notice.id)
        outbox.send_due(ctx)
        received = [r for r in sink.wait_for(3) if r.rcpt_tos == ["regional-counters@example.org"]]
    body = received[0].message.get_body(("plain",)).get_content()
    assert "Mr Colin Hart" in body and "PEX 6610 2284" in body and "I-000001" in body
    assert queries.task(ctx.store.db, notice.id).status == "done"


def test_hostile_text_is_text_in_the_pdf_and_the_e_mail(tmp_path, clock):
    hostile = "<img src='/etc/passwd'/> [b]bold[/b] <script>alert(1)</script> =cmd|' /C calc'!A0"
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        letter_id = _submit(ctx, ended_interview(ctx, name="Mr <b>Evil</b> [red]X[/red]"), body=hostile,
                            subject="Hi <i>there</i> [b]x[/b]")
        _approve(ctx, letter_id)
        outbox.send_due(ctx)
        mail = sink.wait_for(2)[0].message
    assert mail.get_content_type() == "multipart/mixed" and not list(mail.walk())[1].get_content_type() == "text/html"
    pdf = pdf_text(next(mail.iter_attachments()).get_content())
    assert mail["Subject"] == "Copy: Hi <i>there</i> [b]x[/b]"
    assert "[b]bold[/b]" in pdf and "<script>alert(1)</script>" in pdf and "Mr <b>Evil</b> [red]X[/red]" in pdf


def test_counter_outbox_lists_retries_and_print_letter_writes_the_pdf(tmp_path, clock):
    db = tmp_path / "c.db"
    ctx = letter_context(db, clock)
    letter_id = _submit(ctx, ended_interview(ctx))
    incident_id = letter_store.letter(ctx.store.db, letter_id).incident_id
    runner = CliRunner()
    out = tmp_path / "letter.pdf"
    printed = runner.invoke(main, ["print", "--admin", incident_id, "--form", "letter", "--out", str(out), "--db", str(db)])
    assert printed.exit_code == 0, printed.output
    assert "DRAFT: not signed off" in pdf_text(out.read_bytes())
    _approve(ctx, letter_id)
    listed = runner.invoke(main, ["outbox", "--admin", "--db", str(db)])
    assert listed.exit_code == 2, "held messages make a non-zero exit for scripts"
    assert "held" in listed.output and "Senior executive officer" in listed.output
    assert "No mail server is configured" in listed.output
    retried = runner.invoke(main, ["outbox", "--admin", "--retry", "--db", str(db)])
    assert "2 message(s) to send again" in retried.output
    missing = runner.invoke(main, ["print", "--admin", "I-999999", "--form", "letter", "--db", str(db)])
    assert missing.exit_code == 1 and "No incident I-999999" in missing.output


def test_a_pack_names_its_own_approver_the_line_manager_for_cmel9271(tmp_path, clock):
    """DWP: CMEL9271 "must be checked and signed off by your Line Manager"; it is free text, started
    from one of the guidance's three suggested texts."""
    from pathlib import Path

    from counter_tui.config import Settings
    from counter_tui.models.staff import Actor
    from counter_tui.services import contacts, records, staff
    from counter_tui.services.context import Context

    pack = Path(__file__).parent / "packs" / "cmel9271.toml"
    ctx = Context.open(tmp_path / "c.db", Settings(policy=str(pack)), clock=clock)
    leader = Actor(number="7001", name="Tina Shaw", role="team_leader", office="Main office")
    manager = Actor(number="7002", name="Lee Grant", role="line_manager", office="Main office")
    for actor in (leader, manager):
        staff.add_staff(ctx, number=actor.number, name=actor.name, role=actor.role, office=actor.office, pin="123427")
    contact_id = contacts.start_contact(ctx, leader, "re_establish", customer_name="Ms Jo Client", reference="CM 1234")
    contacts.take_step(ctx, leader, contact_id, 1, at_step="attempt")
    task_id = records.finish(ctx, leader, contact_id, {}).task_ids[0]
    view = letters.view(ctx, leader, task_id)
    assert view.values["body"] == "" and view.approver_role == "Line manager" and len(view.template.suggestions) == 3
    text = letters.suggestion(ctx, view.letter.id, 2)
    assert text.startswith("We have standards of service") and "only accept communication from you in writing" in text
    letters.submit(ctx, leader, view.letter.id, {**view.values, "body": text}, version=0)
    with pytest.raises(Refused):
        letter_sign_off.approve(ctx, leader, view.letter.id, version=1)
    approved = letter_sign_off.approve(ctx, manager, view.letter.id, version=1)
    assert approved.approved_name == "Lee Grant, Line manager"
    issue = next(t for t in letter_store.tasks_for_letter(ctx.store.db, view.letter.id) if t.spec == "issue_cmel9271")
    assert issue.assignee == leader.number


CHLOE = RAVI.model_copy(update={"number": "3002", "name": "Chloe Evans", "role": "counter_staff"})


@pytest.mark.parametrize("bar, live, grade7, scanned", [
    ("Bar them from this Customer Service Office", "no", True, True),
    ("Bar them from attending all passport offices", "no", False, False),
    ("Bar them from attending all passport offices", "yes", False, True),
])
def test_the_barring_letters_follow_their_own_sections(tmp_path, clock, bar, live, grade7, scanned):
    """The CSO barring letter's copy to the Grade 7 manager always goes; the CSC's only where the
    application was dealt with elsewhere, and its scan only where there is a live application."""
    from counter_tui.services import staff
    from tests.letters_helpers import counter_bar

    ctx = letter_context(tmp_path / "c.db", clock)
    staff.add_staff(ctx, number="3002", name="Chloe Evans", role="counter_staff", office="Main office", pin="357927")
    letter_id = _submit(ctx, counter_bar(ctx, bar, CHLOE), live_application=live)
    letter = _approve(ctx, letter_id)
    lists = {m.list_name for m in outbox.messages(ctx)}
    assert ("Grade 7 manager (Main office)" in lists) is grade7
    specs = {t.spec for t in letter_store.tasks_for_letter(ctx.store.db, letter_id)}
    assert ("scan_letter" in specs) is scanned and "send_letter" in specs and "tell_other_offices" in specs
    assert sum(a["title"] == "Send the letter to the customer" for a in letter.actions) == 1


def test_every_hmpo_letter_is_sent_to_the_customer_once_and_signed_off_by_the_seo():
    """The written communications sections list "Send the letter to the customer" twice: once is meant."""
    from counter_tui.policy.loader import load_pack

    pack = load_pack("hmpo")
    assert {letter.id for letter in pack.letters} == {
        "interview_warning", "cso_barring", "csc_barring", "written_warning", "written_barring"}
    for letter in pack.letters:
        sends = [step for step in letter.after if step.title.startswith("Send the letter to the customer")]
        assert len(sends) == 1, letter.id
        assert pack.task(letter.sign_off).role == "seo"
        assert any(t.letter == letter.id for t in pack.tasks), f"a task drafts {letter.id}"


def test_a_sender_that_died_mid_send_frees_the_message_after_its_lease(tmp_path, clock):
    """Claimed and never marked sent (the terminal died): nobody else sends it until the lease runs
    out, then it goes, once."""
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = letter_context(tmp_path / "c.db", clock, letter_settings(smtp=smtp))
        _approve(ctx, _submit(ctx, ended_interview(ctx)))
        first = outbox.messages(ctx)[-1]
        assert outbox._claim(ctx, first.id, include_held=False) is not None, "claimed, then the sender died"
        results = outbox.send_due(ctx)
        assert [r.message_id for r in results] == [outbox.messages(ctx)[0].id], "the other one only"
        clock.advance(outbox.LEASE + timedelta(seconds=1))
        assert [(r.message_id, r.status) for r in outbox.send_due(ctx)] == [(first.id, "sent")]
        assert len(sink.wait_for(2)) == 2


async def test_a_signed_off_bar_is_shown_before_the_first_word_of_the_next_contact(tmp_path, clock):
    """GIVEN a customer barred from written communications (the letter signed off), WHEN the next
    letter from them is opened, THEN the finder and the contact screen say so before anything else."""
    from textual.widgets import OptionList

    from counter_tui.app import CounterApp
    from counter_tui.services import customers
    from tests.letters_helpers import barred_from_writing

    ctx = letter_context(tmp_path / "c.db", clock)
    customer_id = barred_from_writing(ctx)
    summary = customers.summary(ctx, customer_id)
    shown = letter_record.on_record(ctx, summary.letters, "written")
    assert shown[0].barred_here and shown[0].text.startswith("Written communications barring letter")
    assert not shown[1].barred_here and "warning letter" in shown[1].text
    app = CounterApp(ctx)
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press(*"5001", "enter", *"567827", "enter", "4", *"Abel")
        await pilot.pause()
        matches = app.screen.query_one("#matches", OptionList)
        assert "barred: written communication" in str(matches.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert "BARRED on this channel" in str(app.screen.query_one("#bar").render())
        assert "Written communications barring letter" in str(app.screen.query_one("#history").render())
