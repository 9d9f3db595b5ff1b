"""Projections of letters and the outbox, kept in step with the event log (see `projections.record`).

The letter's PDF attached to an e-mail is not in the event (events hold text): the event holds its
SHA-256, and `outbox.attachment` holds the bytes, written in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlite_utils

from counter_tui.clock import iso
from counter_tui.models.event import Event


def _letter_opened(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        """INSERT INTO letters (id, spec, incident_id, contact_id, office, customer_name, reference, status, created_at)
        VALUES (?,?,?,?,?,?,?,?, ?)""",
        [p["letter_id"], p["spec"], p.get("incident_id"), p.get("contact_id"), p["office"], p["customer_name"],
         p["reference"], "deciding" if p.get("decide_first") else "drafting", iso(event.at)],
    )


def _add_editor(db: sqlite_utils.Database, letter_id: str, number: str) -> None:
    db.execute(
        """UPDATE letters SET editors = (SELECT json_group_array(value) FROM (
             SELECT value FROM json_each(letters.editors) UNION SELECT ?)) WHERE id = ?""",
        [number, letter_id],
    )


def _letter_drafted(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE letters SET draft = ?, version = ? WHERE id = ?", [json.dumps(p["draft"]), p["version"], p["letter_id"]])
    _add_editor(db, p["letter_id"], event.actor)


def _letter_submitted(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE letters SET draft = ?, version = ?, status = 'submitted', drafted_by = ?, submitted_at = ? WHERE id = ?",
        [json.dumps(p["draft"]), p["version"], event.actor, iso(event.at), p["letter_id"]],
    )
    _add_editor(db, p["letter_id"], event.actor)


def _letter_returned(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE letters SET status = 'returned', returned_reason = ?, returned_by = ? WHERE id = ?",
               [p["reason"], event.actor, p["letter_id"]])


def _letter_approved(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE letters SET status = 'approved', approved_by = ?, approved_name = ?, approved_at = ?, actions = ? WHERE id = ?",
        [event.actor, p["approved_name"], iso(event.at), json.dumps(p["actions"]), p["letter_id"]],
    )


def _letter_not_agreed(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE letters SET status = 'not_agreed', closed_reason = ?, closed_by = ?, closed_at = ? WHERE id = ?",
               [p["reason"], event.actor, iso(event.at), p["letter_id"]])


def _letter_decided(db: sqlite_utils.Database, event: Event) -> None:
    """The drafter's decision whether to write the letter at all: write it, or not (closed, with the reason)."""
    p = event.payload
    if p["write"]:
        db.execute("UPDATE letters SET status = 'drafting', decision_reason = ? WHERE id = ?", [p["reason"], p["letter_id"]])
    else:
        db.execute("""UPDATE letters SET status = 'declined', decision_reason = ?, closed_reason = ?, closed_by = ?,
                   closed_at = ? WHERE id = ?""", [p["reason"], p["reason"], event.actor, iso(event.at), p["letter_id"]])


def _mail_queued(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        """INSERT INTO outbox (id, letter_id, incident_id, purpose, list_name, recipients, subject, body,
        attachment_name, attachment_sha256, status, next_attempt_at, last_error, created_at)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        [p["message_id"], p.get("letter_id"), p.get("incident_id"), p["purpose"], p["list_name"],
         json.dumps(p["recipients"]), p["subject"], p["body"], p.get("attachment_name"), p.get("attachment_sha256"),
         p["status"], iso(event.at), p.get("reason", ""), iso(event.at)],
    )


def _mail_sending(db: sqlite_utils.Database, event: Event) -> None:
    """Claimed by one sender: nobody else sends it until `lease_until` (a sender that died frees it then)."""
    p = event.payload
    db.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
               [p["lease_until"], p["message_id"]])


def _mail_sent(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE outbox SET status = 'sent', sent_at = ?, next_attempt_at = NULL, last_error = '' WHERE id = ?",
               [iso(event.at), p["message_id"]])


def _mail_failed(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute("UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
               [p["status"], p.get("next_attempt_at"), p["reason"], p["message_id"]])


def _mail_retry(db: sqlite_utils.Database, event: Event) -> None:
    p = event.payload
    db.execute(
        "UPDATE outbox SET status = 'queued', next_attempt_at = ?, recipients = ?, list_name = ?, last_error = '' WHERE id = ?",
        [iso(event.at), json.dumps(p["recipients"]), p["list_name"], p["message_id"]],
    )


APPLY: dict[str, Callable[[sqlite_utils.Database, Event], None]] = {
    "letter.opened": _letter_opened,
    "letter.drafted": _letter_drafted,
    "letter.submitted": _letter_submitted,
    "letter.returned": _letter_returned,
    "letter.approved": _letter_approved,
    "letter.not_agreed": _letter_not_agreed,
    "letter.decided": _letter_decided,
    "mail.queued": _mail_queued,
    "mail.sending": _mail_sending,
    "mail.sent": _mail_sent,
    "mail.failed": _mail_failed,
    "mail.retry": _mail_retry,
}
