"""The outbox: e-mail Counter sends (copies of signed-off letters, notices to other offices), kept
in the database until the mail server has taken it.

A message is queued in the same transaction as the decision that makes it, so nothing is lost if
the terminal dies. Sending happens off the UI thread (`send_due`): each message is first claimed
(one sender only, for a lease), then handed to the server, then marked sent. A temporary failure
(server down, timeout, 4xx) is retried with back-off; a permanent one (a refused address) or a
missing mail server or list holds the message with the reason until someone fixes the setting and
retries (`counter outbox --retry`, or `r` on the outbox screen). The Message-ID is the message's own
id, so a message sent twice after a crash mid-send can be recognised as one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from counter_tui.clock import iso
from counter_tui.config import check_address
from counter_tui.models.letter import OutboxMessage
from counter_tui.models.staff import Actor
from counter_tui.services import mailer
from counter_tui.services.context import Context
from counter_tui.store import letters as letter_store
from counter_tui.store import projections
from counter_tui.store.connection import StoreError, write

SENDER = Actor(number="outbox", name="Counter outbox", role="system", office="")
"""Who the outbox's own events are attributed to (sending is nobody's decision)."""

FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)
"""Back-off after a temporary failure: 1, 2, 4 … minutes, at most an hour between attempts."""
LEASE = timedelta(minutes=10)
"""How long a sender holds a message it claimed; one that died mid-send frees it after this."""

STATE_NAMES = {
    "queued": "waiting to send", "sending": "sending", "sent": "sent", "failed": "failed: will retry", "held": "held",
}


def list_key(name: str, office: str | None = None) -> str:
    """The `[mail_lists]` entry for a recipient list, per office where it is kept per office."""
    return f"{name} ({office})" if office else name


def recipients(ctx: Context, key: str) -> list[str]:
    """The configured addresses of a list (empty when configuration does not name it): `[mail_lists]`,
    or else the one address `[incident_distribution]` gives a recipient of the incident report form
    (a mailbox named there that is not an e-mail address is not one to send to)."""
    if key in ctx.settings.mail_lists:
        return list(ctx.settings.mail_lists[key])
    single = ctx.settings.incident_distribution.get(key, "")
    try:
        return [check_address(single)] if single else []
    except ValueError:
        return []


def _hold_reason(ctx: Context, key: str, addresses: list[str]) -> str:
    if not addresses:
        return f'No addresses for "{key}": add it to [mail_lists] in the configuration, then retry.'
    if ctx.settings.smtp is None:
        return "No mail server is configured ([smtp] in the configuration): the message is kept ready to send."
    return ""


def queue_mail(ctx: Context, db: sqlite_utils.Database, base: dict, *, purpose: str, key: str, subject: str, body: str,
               letter_id: str | None = None, incident_id: str | None = None,
               attachment: tuple[str, bytes] | None = None) -> str:
    """Queue one message inside the caller's write transaction; returns its id.

    Held at once, with the reason, where its list has no addresses or no mail server is configured.
    """
    message_id = projections.next_id(db, "message", "M")
    addresses = recipients(ctx, key)
    reason = _hold_reason(ctx, key, addresses)
    name, data = attachment if attachment else (None, None)
    projections.record(
        db, **base, kind="mail.queued", stream=f"mail:{message_id}",
        payload={
            "message_id": message_id, "letter_id": letter_id, "incident_id": incident_id, "purpose": purpose,
            "list_name": key, "recipients": addresses, "subject": subject, "body": body,
            "attachment_name": name, "attachment_sha256": hashlib.sha256(data).hexdigest() if data else None,
            "status": "held" if reason else "queued", "reason": reason,
        },
    )
    if data is not None:
        letter_store.store_attachment(db, message_id, data)
    return message_id


@dataclass(frozen=True)
class SendResult:
    message_id: str
    status: str
    reason: str = ""


def _base(ctx: Context) -> dict:
    return {"at": ctx.clock.now(), "actor": SENDER.number, "role": SENDER.role}


def _claim(ctx: Context, message_id: str, include_held: bool) -> OutboxMessage | None:
    """Take a message for sending (None: another sender has it, or it is no longer due)."""
    db = ctx.store.db
    with write(db):
        now = ctx.clock.now()
        current = letter_store.message(db, message_id)
        states = ("queued", "failed", "sending", "held") if include_held else ("queued", "failed", "sending")
        if current is None or current.status not in states:
            return None
        if current.next_attempt_at is not None and current.next_attempt_at > now and current.status != "held":
            return None
        if ctx.settings.smtp is None or not current.recipients:
            reason = _hold_reason(ctx, current.list_name, current.recipients)
            if current.status != "held" or current.last_error != reason:
                projections.record(db, at=now, actor=SENDER.number, role=SENDER.role, kind="mail.failed",
                                   stream=f"mail:{message_id}",
                                   payload={"message_id": message_id, "status": "held", "reason": reason})
            return None
        projections.record(db, at=now, actor=SENDER.number, role=SENDER.role, kind="mail.sending",
                           stream=f"mail:{message_id}",
                           payload={"message_id": message_id, "attempt": current.attempts + 1, "lease_until": iso(now + LEASE)})
    return letter_store.message(db, message_id)


def _backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


def send_one(ctx: Context, message_id: str, *, include_held: bool = False) -> SendResult | None:
    """Send one message if it is due (None where it was not due, or another sender has it)."""
    claimed = _claim(ctx, message_id, include_held)
    if claimed is None:
        current = letter_store.message(ctx.store.db, message_id)
        return SendResult(message_id, current.status, current.last_error) if current and current.status == "held" else None
    db = ctx.store.db
    found = letter_store.attachment(db, message_id)
    mail = mailer.OutgoingMail(
        message_id=message_id, sender=ctx.settings.smtp.from_address, to=claimed.recipients, subject=claimed.subject,
        body=claimed.body, attachment=mailer.Attachment(found[0], found[1]) if found else None,
    )
    try:
        mailer.deliver(ctx.settings.smtp, mail)
    except mailer.MailError as error:
        status = "held" if error.permanent else "failed"
        retry_at = None if error.permanent else iso(ctx.clock.now() + _backoff(claimed.attempts))
        with write(db):
            projections.record(db, **_base(ctx), kind="mail.failed", stream=f"mail:{message_id}",
                               payload={"message_id": message_id, "status": status, "reason": error.reason,
                                        "next_attempt_at": retry_at})
        return SendResult(message_id, status, error.reason)
    with write(db):
        projections.record(db, **_base(ctx), kind="mail.sent", stream=f"mail:{message_id}",
                           payload={"message_id": message_id, "recipients": claimed.recipients})
    return SendResult(message_id, "sent")


def send_due(ctx: Context, *, include_held: bool = False, limit: int = 20) -> list[SendResult]:
    """Send every message that is due now (for the app's sender thread and `counter outbox`).

    A busy database skips this round: the next round tries again.
    """
    try:
        due = letter_store.due_messages(ctx.store.db, ctx.clock.now(), include_held=include_held, limit=limit)
    except StoreError:
        return []
    results = []
    for message_id in due:
        try:
            result = send_one(ctx, message_id, include_held=include_held)
        except StoreError:
            break
        if result is not None:
            results.append(result)
    return results


def retry(ctx: Context, actor: Actor, message_ids: list[str] | None = None) -> list[str]:
    """Make failed and held messages due now (all of them, or those named), with their addresses
    read again from the configuration; returns the ids made due. Sent messages are never resent."""
    db = ctx.store.db
    made_due = []
    with write(db):
        candidates = letter_store.messages(db, statuses=("failed", "held"), limit=10_000)
        for message in candidates:
            if message_ids is not None and message.id not in message_ids:
                continue
            projections.record(
                db, at=ctx.clock.now(), actor=actor.number, role=actor.role, kind="mail.retry",
                stream=f"mail:{message.id}",
                payload={"message_id": message.id, "list_name": message.list_name,
                         "recipients": recipients(ctx, message.list_name) or message.recipients},
            )
            made_due.append(message.id)
    return made_due


def messages(ctx: Context, *, letter_id: str | None = None, statuses: tuple[str, ...] = (), limit: int = 200,
             offset: int = 0, incident_id: str | None = None) -> list[OutboxMessage]:
    """Messages, newest first (for the outbox screen, a letter's or incident's screen and `counter outbox`)."""
    return letter_store.messages(ctx.store.db, letter_id=letter_id, statuses=statuses, limit=limit, offset=offset,
                                 incident_id=incident_id)


def counts(ctx: Context) -> dict[str, int]:
    """How many messages are in each state."""
    return letter_store.outbox_counts(ctx.store.db)


def describe(ctx: Context, message: OutboxMessage, *, local) -> str:
    """One line for staff: the state, when, and the reason where it waits.

    Args:
        local: formats a moment in the organisation's time (record_text.local_time).
    """
    if message.status == "sent":
        return f"sent {local(message.sent_at)}"
    if message.status == "failed":
        return f"failed ({message.last_error}); next try {local(message.next_attempt_at)}"
    if message.status == "held":
        return f"held: {message.last_error}"
    return STATE_NAMES[message.status]


def is_due(message: OutboxMessage, now: datetime) -> bool:
    return message.status in ("queued", "failed") and (message.next_attempt_at is None or message.next_attempt_at <= now)
