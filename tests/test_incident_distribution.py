"""Each recipient of the incident report form gets its own copy (HMPO "How to record an incident":
send the form to the human resources service centre, the Equality and Diversity team, the PCS branch
health and safety representatives, and the security help desk if there was a security or data breach).

GIVEN a completed form WHEN it is completed THEN one outbox message per recipient (the help desk only
for a breach) is queued in the same transaction, the form's PDF attached, each recorded as sent when
the mail server takes it (a real SMTP server on loopback), or kept ready, with the reason, without
one; the completed form shows each recipient and its state.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from textual.widgets import Checkbox, Static

from counter_tui.app import CounterApp
from counter_tui.config import Settings
from counter_tui.services import incident_report, outbox, staff
from counter_tui.services.context import Context
from counter_tui.store import events
from tests.conftest import CALL_HANDLER, LINE_MANAGER
from tests.smtp_sink import SmtpSink
from tests.test_incident_report import ended_call, report_task

LISTS = {
    "Human resources service centre": ["hr-incidents@example.org"],
    "Equality and Diversity team": ["equality@example.org"],
    "PCS branch health and safety representatives": ["pcs-hs@example.org"],
    "Security help desk": ["security-desk@example.org"],
}


def context(path, clock, **settings) -> Context:
    ctx = Context.open(path, Settings(**settings), clock=clock)
    for member in (CALL_HANDLER, LINE_MANAGER):
        staff.add_staff(ctx, **member)
    return ctx


ANSWERED = {"very_serious": "no", "identity_known": "yes"}
"""The line manager's two questions on serious incidents (answered: never taken as no)."""


def complete(ctx, handler, manager, *, breach: bool) -> tuple[str, str]:
    """A call ended and its form completed (a breach ticked or not); returns (incident id, task id)."""
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    values = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | ANSWERED
    values["security_breach"] = incident_report.YES if breach else incident_report.NO
    return incident_report.complete(ctx, manager, task_id, values, version=0).id, task_id


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_one_message_per_recipient_with_the_pdf_sent_and_recorded_each(tmp_path, clock, handler, manager):
    with SmtpSink() as sink:
        smtp = {"host": sink.host, "port": sink.port, "from_address": "counter@example.org", "timeout_seconds": 5}
        ctx = context(tmp_path / "c.db", clock, mail_lists=LISTS, smtp=smtp)
        incident_id, _ = complete(ctx, handler, manager, breach=False)
        queued = outbox.messages(ctx, incident_id=incident_id)
        assert sorted(m.list_name for m in queued) == [
            "Equality and Diversity team", "Human resources service centre", "PCS branch health and safety representatives",
        ], "one each, and the security help desk only for a breach"
        assert {m.status for m in queued} == {"queued"}
        assert [c.state for c in incident_report.copies(ctx, incident_id)] == ["waiting to send"] * 3
        results = outbox.send_due(ctx)
        assert [r.status for r in results] == ["sent"] * 3
        received = sink.wait_for(3)
    assert sorted(r.rcpt_tos[0] for r in received) == ["equality@example.org", "hr-incidents@example.org", "pcs-hs@example.org"]
    mail = received[0].message
    attachment = next(mail.iter_attachments())
    assert attachment.get_filename() == f"{incident_id}-incident-report.pdf"
    text = pdf_text(attachment.get_content())
    assert "Incident report form" in text and "DRAFT" not in text and "sort me out" in text
    copies = incident_report.copies(ctx, incident_id)
    assert [c.name for c in copies] == [
        "Human resources service centre", "Equality and Diversity team", "PCS branch health and safety representatives"]
    assert all(c.state.startswith("sent ") for c in copies)
    sent = [e for m in copies for e in events.for_stream(ctx.store.db, f"mail:{m.message_id}") if e.kind == "mail.sent"]
    assert len(sent) == 3, "each recipient recorded as sent, not one event for the list"


def test_a_breach_adds_the_security_help_desk(tmp_path, clock, handler, manager):
    ctx = context(tmp_path / "c.db", clock, mail_lists=LISTS)
    incident_id, _ = complete(ctx, handler, manager, breach=True)
    assert [c.name for c in incident_report.copies(ctx, incident_id)][-1] == "Security help desk"
    reported = next(e for e in events.for_stream(ctx.store.db, f"incident:{incident_id}") if e.kind == "incident.reported")
    assert reported.payload["recipients"][-1] == "Security help desk"


def test_without_a_mail_server_or_an_address_each_copy_is_kept_ready_with_the_reason(tmp_path, clock, handler, manager):
    """No [smtp]: held, ready to send. An [incident_distribution] address is used where [mail_lists]
    has none; a recipient with neither is held naming the setting."""
    ctx = context(tmp_path / "c.db", clock,
                  incident_distribution={"Human resources service centre": "hr-incidents@example.org"})
    incident_id, _ = complete(ctx, handler, manager, breach=False)
    messages = {m.list_name: m for m in outbox.messages(ctx, incident_id=incident_id)}
    assert messages["Human resources service centre"].recipients == ["hr-incidents@example.org"]
    assert messages["Human resources service centre"].status == "held"
    assert "No mail server is configured" in messages["Human resources service centre"].last_error
    assert messages["Equality and Diversity team"].recipients == []
    assert 'No addresses for "Equality and Diversity team"' in messages["Equality and Diversity team"].last_error
    assert len(messages) == 3


def test_a_failure_while_queueing_stores_neither_the_form_nor_any_copy(tmp_path, clock, handler, manager, monkeypatch):
    """The copies are queued in the completing transaction: if one cannot be, nothing is stored."""
    ctx = context(tmp_path / "c.db", clock, mail_lists=LISTS)
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    values = {f.id: f.text for f in incident_report.draft(ctx, manager, task_id).fields} | ANSWERED
    real, calls = outbox.queue_mail, []

    def second_fails(*args, **kwargs):
        calls.append(kwargs["key"])
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(outbox, "queue_mail", second_fails)
    with pytest.raises(RuntimeError):
        incident_report.complete(ctx, manager, task_id, values, version=0)
    assert ctx.store.db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
    assert ctx.store.db.execute("SELECT status FROM tasks WHERE id = ?", [task_id]).fetchone()[0] == "open"
    assert ctx.store.db.execute("SELECT reported_at FROM incidents").fetchone()[0] is None


async def test_the_completed_form_shows_each_recipient_and_its_state(tmp_path, clock, handler, manager):
    """Pressed as the line manager would: ctrl+s completes the form; the heading lists each copy."""
    from counter_tui.screens.incident_report import IncidentReportScreen

    ctx = context(tmp_path / "c.db", clock, mail_lists=LISTS)
    task_id = report_task(ctx, ended_call(ctx, handler)).id
    app = CounterApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        app.signed_in(manager)
        await pilot.pause()
        app.push_screen(IncidentReportScreen(task_id))
        await pilot.pause()
        app.screen.query_one("#field-security_breach", Checkbox).value = True
        app.screen.query_one("#field-very_serious").focus()
        await pilot.press("right", "enter")  # No
        app.screen.query_one("#field-identity_known").focus()
        await pilot.press("enter")  # Yes
        await pilot.press("ctrl+s")
        await pilot.pause()
        heading = str(app.screen.query_one("#record-heading", Static).render())
    for name in ("Human resources service centre", "Equality and Diversity team",
                 "PCS branch health and safety representatives", "Security help desk"):
        assert f"{name} (M-" in heading
    assert "held: No mail server is configured" in heading
