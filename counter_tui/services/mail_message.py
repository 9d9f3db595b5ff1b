"""An e-mail as Counter sends it: plain text, with an optional attachment, built so that nothing
in it that came from people (subject, body, attachment name, addresses) can add a header, change who
it goes to, or become markup. The subject is made one line, the body keeps its line breaks and loses
other control characters, every recipient must be a plain address (`config.check_address`), and the
built message is checked once more before it goes. `MailError` says, in one line for staff, why a
message cannot go and whether trying again later can help.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate

from counter_tui.config import check_address
from counter_tui.text import BIDI_CONTROLS

SUBJECT_LIMIT = 200
"""The most characters a subject keeps; a longer one is cut and ends in "…"."""

FILENAME_LIMIT = 120
"""The most characters an attachment's file name keeps (its extension is kept)."""

REPLY_LIMIT = 300
"""The most characters of a server's reply quoted in a reason."""

HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type",
           "Content-Transfer-Encoding")
"""Every header a built message may carry at its top level."""

_MESSAGE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}$")
_LINE_BREAKS = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Whatever a one-line subject shows as a space: white space, control characters, lone surrogates."""
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters other than newline and tab, and lone surrogates."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message."""

    filename: str
    """The name the recipient sees, e.g. "L-000001-letter.pdf"."""
    content: bytes
    mime: str = "application/pdf"
    """The content type, "type/subtype"."""


@dataclass(frozen=True)
class OutgoingMail:
    """One message as the outbox keeps it."""

    message_id: str
    """The outbox id (e.g. "M-000004"); the Message-ID header is made from it, so a resend of the
    same message carries the same Message-ID and can be recognised by the recipient's mail system."""
    sender: str
    """The From address: `SmtpSettings.from_address`."""
    to: list[str]
    """The recipients, each a plain address."""
    subject: str
    body: str
    """Plain text."""
    attachment: Attachment | None = None


class MailError(Exception):
    """Sending failed.

    Attributes:
        reason: one line fit to show to staff (never a password, never a traceback).
        permanent: True when retrying cannot help (a 5xx refusal of every recipient, the sender or
            the sign-in refused, a bad address, a partial delivery that a resend would duplicate);
            False when it may (the server down or slow, a 4xx reply, a dropped connection).
        refused: the recipients the server refused, each with its one-line reply (may be empty).
    """

    def __init__(self, reason: str, *, permanent: bool, refused: dict[str, str] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.refused = dict(refused or {})


# --- text -----------------------------------------------------------------------------------------


def one_line(text: str, limit: int = REPLY_LIMIT) -> str:
    """Text made printable and one line: anything unprintable becomes a space, runs of spaces
    collapse, and it is cut to `limit` characters with "…"."""
    text = "".join(c if c.isprintable() else " " for c in text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _defuse_encoded_words(text: str) -> str:
    # A header value holding "=?utf-8?q?...?=" is decoded by the email package when it is set, and
    # the decoded text may hold CR/LF (a header injection); "= ?" is never decoded.
    return text.replace("=?", "= ?")


def clean_subject(subject: str) -> str:
    """The subject as one line: line breaks, tabs and control characters become a space,
    direction-changing characters go, spaces collapse, and it is cut to `SUBJECT_LIMIT` with "…"."""
    text = _SPACES.sub(" ", _BIDI.sub("", subject))
    text = " ".join(_defuse_encoded_words(text).split())
    if len(text) > SUBJECT_LIMIT:
        text = text[: SUBJECT_LIMIT - 1].rstrip() + "…"
    return text


def clean_body(body: str) -> str:
    """The body with its line breaks made "\\n" and its tabs kept; every other control character,
    unpaired surrogate and direction-changing character removed."""
    return _CONTROLS.sub("", _BIDI.sub("", body.replace("\r\n", "\n").translate(_LINE_BREAKS)))


def clean_filename(filename: str) -> str:
    """An attachment name that is one line, has no folders in it and keeps its extension."""
    name = one_line(_defuse_encoded_words("".join(c for c in filename if c not in BIDI_CONTROLS)), limit=10_000)
    name = re.sub(r"[\\/\"]", "_", name).strip(" .") or "attachment"
    if len(name) > FILENAME_LIMIT:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: FILENAME_LIMIT - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:FILENAME_LIMIT].rstrip()
    return name


def _address(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise MailError(f"The {what} is not an e-mail address", permanent=True)
    try:
        address = check_address(value)
    except ValueError:
        address = ""
    if not address or "=?" in address:
        raise MailError(f"The {what} {one_line(repr(value), 120)} is not an e-mail address", permanent=True)
    return address


def _recipients(to: Iterable[str] | str) -> list[str]:
    if isinstance(to, str):
        to = [to]
    seen: dict[str, str] = {}
    for value in to:
        address = _address(value, "recipient")
        seen.setdefault(address.lower(), address)
    if not seen:
        raise MailError("The message has no recipients", permanent=True)
    return list(seen.values())


# --- building -------------------------------------------------------------------------------------


class MailPolicy(email_policy.EmailPolicy):
    """`email.policy.default`, but a Subject with non-ASCII text is folded as RFC 2047 encoded words
    that each hold whole stretches of the text, spaces included.

    The standard folder can end one encoded word at a space and start the next on the following
    line ("=?utf-8?q?Zo=C3=AB?= =?utf-8?q?Si=C3=A2n?="); the white space between two encoded
    words is not part of the text, so "Zoë Siân" reached the recipient as "ZoëSiân". A message
    written with `utf8=True` (SMTPUTF8) carries the text as it is and folds as usual.
    """

    def _encoded_subject(self, name: str, value: str) -> str | None:
        text = str(value)
        if name.lower() != "subject" or self.utf8 or text.isascii():
            return None
        folded = Header(text, "utf-8", maxlinelen=self.max_line_length or 78, header_name=name)
        return f"{name}: {folded.encode(linesep=self.linesep)}{self.linesep}"

    def fold(self, name, value):  # noqa: D102 (email.policy's name)
        return self._encoded_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):  # noqa: D102 (email.policy's name)
        encoded = self._encoded_subject(name, value)
        return encoded.encode("ascii") if encoded else super().fold_binary(name, value)


MAIL_POLICY = MailPolicy()
"""The policy every message Counter builds carries (`MailPolicy`)."""


def message_id_header(mail: OutgoingMail) -> str:
    """The Message-ID header for a message: "<M-000004.1a2b3c4d5e6f7a8b@example.org>".

    The same for every attempt at the same message (the outbox id, the sender's domain and a hash of
    the subject, body and attachment), so a resend can be recognised; a different message that
    happens to reuse the id (another database, a training copy) gets a different one.

    Raises:
        MailError: (permanent) the outbox id or the sender is unusable.
    """
    if not isinstance(mail.message_id, str) or not _MESSAGE_ID.match(mail.message_id):
        raise MailError(f"The outbox id {one_line(repr(mail.message_id), 60)} cannot name a message", permanent=True)
    domain = _address(mail.sender, "sender").rpartition("@")[2].lower()
    digest = hashlib.sha256()
    for part in (mail.message_id, clean_subject(mail.subject), clean_body(mail.body)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    if mail.attachment is not None:
        digest.update(clean_filename(mail.attachment.filename).encode("utf-8", "surrogatepass") + b"\0")
        digest.update(bytes(mail.attachment.content))
    return f"<{mail.message_id}.{digest.hexdigest()[:16]}@{domain}>"


def build_message(mail: OutgoingMail, *, date: datetime | None = None) -> EmailMessage:
    """The message to send: plain text, with the attachment if there is one.

    Args:
        mail: what to send.
        date: the Date header's moment (an aware datetime; default now).

    Returns:
        A message with From, To, Subject, Date, Message-ID and `Auto-Submitted: auto-generated`.

    Raises:
        MailError: (permanent) no recipients, an address that is not a plain address, or an
            attachment whose content type is not "type/subtype".
    """
    sender = _address(mail.sender, "sender")
    recipients = _recipients(mail.to)
    message_id = message_id_header(mail)
    maintype = subtype = ""
    if mail.attachment is not None:
        if not isinstance(mail.attachment.mime, str) or not _MIME.match(mail.attachment.mime):
            raise MailError(f"The attachment's type {one_line(repr(mail.attachment.mime), 60)} is not a content type",
                            permanent=True)
        maintype, _, subtype = mail.attachment.mime.lower().partition("/")

    msg = EmailMessage(policy=MAIL_POLICY)
    try:
        msg["From"] = sender
        msg["To"] = ", ".join(recipients)
        msg["Subject"] = clean_subject(mail.subject)
        msg["Date"] = formatdate(date.timestamp() if date is not None else None, localtime=False)
        msg["Message-ID"] = message_id
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(clean_body(mail.body), subtype="plain", charset="utf-8")
        if mail.attachment is not None:
            msg.add_attachment(bytes(mail.attachment.content), maintype=maintype, subtype=subtype,
                               filename=clean_filename(mail.attachment.filename))
    except (ValueError, TypeError) as error:
        raise MailError(f"The message cannot be built ({one_line(str(error), 120)})", permanent=True) from None
    _check_built(msg, recipients)
    return msg


def _check_built(msg: EmailMessage, recipients: list[str]) -> None:
    # Defence in depth: whatever the text held, the headers are ours, on one line each, and the
    # addresses are the ones checked.
    unexpected = [name for name in msg.keys() if name not in HEADERS]
    broken = any("\r" in str(value) or "\n" in str(value) for part in msg.walk() for value in part.values())
    parsed = [a.addr_spec for a in msg["To"].addresses]
    if unexpected or broken or parsed != recipients or msg.get_content_type() not in ("text/plain", "multipart/mixed"):
        raise MailError("The message cannot be built safely from this text", permanent=True)


# --- sending --------------------------------------------------------------------------------------
