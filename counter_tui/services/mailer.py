"""Sending one e-mail through the organisation's mail server (SMTP), as plain text.

The outbox decides what to send and when; this module only turns an `OutgoingMail` into a message
and hands it to the server, and says in one line for staff why it could not, and whether trying
again later can help (`MailError.permanent`).

Everything in a message that came from people (subject, body, attachment name) is data: it can
never add a header, change who the message goes to, or become markup. The subject is made one line,
the body keeps its line breaks and loses other control characters, and every recipient must be a
plain address (`counter_tui.config.check_address`). Messages are plain text only, never HTML.

Uses only the standard library's `smtplib` and `email`.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from datetime import datetime
from email.message import EmailMessage

from counter_tui.config import SmtpSettings
from counter_tui.services.mail_message import (
    FILENAME_LIMIT,
    SUBJECT_LIMIT,
    Attachment,
    MailError,
    OutgoingMail,
    _address,
    _recipients,
    build_message,
    clean_body,
    clean_filename,
    clean_subject,
    message_id_header,
    one_line,
)

__all__ = [
    "FILENAME_LIMIT", "SUBJECT_LIMIT", "Attachment", "MailError", "OutgoingMail", "build_message", "clean_body",
    "clean_filename", "clean_subject", "deliver", "message_id_header", "one_line",
]

def deliver(smtp: SmtpSettings, mail: OutgoingMail, *, password: str | None = None, date: datetime | None = None) -> None:
    """Send one message through the configured server.

    Connects with `smtp.timeout_seconds`, upgrades with STARTTLS when configured, signs in when a
    user name is configured, sends, and always says goodbye to the server.

    Args:
        smtp: the server settings.
        mail: what to send.
        password: the sign-in password; default: the environment variable `smtp.password_env`.
        date: the Date header's moment (default now).

    Raises:
        MailError: with a one-line reason and whether a retry can help. A message that reached only
            some recipients raises a permanent error naming the others (a resend would duplicate it).
    """
    msg = build_message(mail, date=date)
    sender = _address(mail.sender, "sender")
    recipients = _recipients(mail.to)
    where = f"{smtp.host}:{smtp.port}"
    if smtp.username:
        if password is None:
            password = os.environ.get(smtp.password_env)
        if not password:
            raise MailError(
                f"The mail server {where} needs a password for {one_line(smtp.username, 80)}: "
                f"set the environment variable {smtp.password_env}",
                permanent=True,
            )

    stage = "connect"
    client: smtplib.SMTP | None = None
    try:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        if smtp.starttls:
            stage = "starttls"
            client.starttls(context=ssl.create_default_context())
        if smtp.username:
            stage = "login"
            client.login(smtp.username, password or "")
        stage = "send"
        refused = _send(client, msg, sender, recipients)
    except (smtplib.SMTPException, OSError) as error:
        raise _explain(error, smtp, stage, sender) from None
    finally:
        if client is not None:
            _goodbye(client)
    if refused:
        replies = {address: _reply(code, text) for address, (code, text) in refused.items()}
        went = [a for a in recipients if a not in refused]
        raise MailError(
            one_line(f"The message went to {', '.join(went)}, but the mail server {where} refused {_list(replies)}", 2000),
            permanent=True,
            refused=replies,
        )


def _send(client: smtplib.SMTP, msg: EmailMessage, sender: str, recipients: list[str]) -> dict:
    """`SMTP.send_message`, less its one flaw: it writes the message with `mangle_from_`, so a body
    line starting "From " would arrive as ">From ". The message is written here exactly as built."""
    options: tuple[str, ...] = ()
    policy = msg.policy.clone(linesep="\r\n")
    if not all(address.isascii() for address in (sender, *recipients)):
        client.ehlo_or_helo_if_needed()
        if not client.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError("One or more source or delivery addresses require internationalized "
                                                "email support, but the server does not advertise the SMTPUTF8 extension")
        options = ("SMTPUTF8", "BODY=8BITMIME")
        policy = policy.clone(utf8=True)
    return client.sendmail(sender, recipients, msg.as_bytes(policy=policy), mail_options=options)


def _goodbye(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        client.close()


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return one_line(f"{code} {text}" if code and code > 0 else str(text))


def _list(replies: dict[str, str]) -> str:
    return "; ".join(f"{address} ({reply})" for address, reply in replies.items())


def _timed_out(error: BaseException) -> bool:
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _explain(error: BaseException, smtp: SmtpSettings, stage: str, sender: str) -> MailError:
    """The one-line reason and permanence for what went wrong at `stage`."""
    where = f"The mail server {smtp.host}:{smtp.port}"
    seconds = f"{smtp.timeout_seconds:g} s"

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = {address: _reply(code, text) for address, (code, text) in error.recipients.items()}
        permanent = bool(replies) and all(500 <= code < 600 for code, _ in error.recipients.values())
        return MailError(one_line(f"{where} refused every recipient: {_list(replies)}", 2000),
                         permanent=permanent, refused=replies)
    if isinstance(error, smtplib.SMTPSenderRefused):
        return MailError(f"{where} refused the sender {sender} ({_reply(error.smtp_code, error.smtp_error)})",
                         permanent=not _temporary_code(error.smtp_code))
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return MailError(f"{where} refused the sign-in as {one_line(smtp.username, 80)} "
                         f"({_reply(error.smtp_code, error.smtp_error)})",
                         permanent=not _temporary_code(error.smtp_code))
    if isinstance(error, smtplib.SMTPNotSupportedError):
        if stage == "starttls":
            return MailError(f"{where} does not offer STARTTLS, which the configuration asks for", permanent=True)
        if stage == "login":
            return MailError(f"{where} does not offer sign-in, but the configuration gives a user name", permanent=True)
        return MailError(f"{where} cannot take this message ({one_line(str(error), 200)})", permanent=True)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if _timed_out(error):
            return MailError(f"{where} did not answer within {seconds}", permanent=False)
        return MailError(f"{where} closed the connection unexpectedly", permanent=False)
    if isinstance(error, smtplib.SMTPResponseException):
        doing = {"connect": "the connection", "starttls": "STARTTLS", "login": "the sign-in"}.get(stage, "the message")
        return MailError(f"{where} refused {doing} ({_reply(error.smtp_code, error.smtp_error)})",
                         permanent=500 <= error.smtp_code < 600)
    if isinstance(error, smtplib.SMTPException):
        if stage == "login":
            return MailError(f"{where} offers no sign-in method Counter can use ({one_line(str(error), 120)})",
                             permanent=True)
        return MailError(f"{where} failed ({one_line(str(error), 120)})", permanent=False)
    if isinstance(error, TimeoutError):
        return MailError(f"{where} did not answer within {seconds}", permanent=False)
    if isinstance(error, ConnectionRefusedError):
        return MailError(f"{where} is not answering (connection refused)", permanent=False)
    if isinstance(error, socket.gaierror):
        return MailError(f"{where} cannot be found (the name {smtp.host} is not known)", permanent=False)
    if isinstance(error, ssl.SSLError):
        return MailError(f"{where} could not make a secure connection ({one_line(error.reason or str(error), 120)})",
                         permanent=False)
    detail = one_line(error.strerror or str(error) or type(error).__name__, 120) if isinstance(error, OSError) else ""
    return MailError(f"{where} is not answering ({detail or 'network error'})", permanent=False)


def _temporary_code(code: int) -> bool:
    return 400 <= code < 500
