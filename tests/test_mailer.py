"""The SMTP transport against a real mail server on loopback (aiosmtpd): what arrives, what
hostile text cannot do, and how every kind of failure is explained to staff and classed as worth
retrying or not.
"""

from __future__ import annotations

import re
import smtplib
import time

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from smtp_sink import SilentServer, SmtpSink, closed_port

from counter_tui.config import SmtpSettings
from counter_tui.services import mailer
from counter_tui.services.mailer import Attachment, MailError, OutgoingMail, build_message, deliver

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
"""Bytes that look like a PDF and hold every byte value, so any re-encoding would show."""

SENDER = "counter@example.org"
TOP_HEADERS = {"From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"}
"""The only headers a message with an attachment may carry at its top level."""


def settings(host: str, port: int, **more) -> SmtpSettings:
    return SmtpSettings(host=host, port=port, from_address=SENDER, **more)


def mail(**changes) -> OutgoingMail:
    values = dict(
        message_id="M-000004",
        sender=SENDER,
        to=["seo@example.org", "line.manager@example.org"],
        subject="Letter L-000001 to sign off",
        body="A letter is waiting for your signature.\n\nIncident I-000001.\n",
        attachment=Attachment("L-000001-letter.pdf", PDF),
    )
    values.update(changes)
    return OutgoingMail(**values)


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def no_connection(monkeypatch):
    """Any attempt to reach a mail server fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("connected to a mail server")

    monkeypatch.setattr(smtplib, "SMTP", refuse)


def first_difference(got: str, expected: str) -> str | None:
    """Where two long texts first differ, briefly (pytest's own diff of megabyte strings takes minutes)."""
    if got == expected:
        return None
    at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
    return f"at {at} of {len(got)}/{len(expected)}: got {got[at - 20:at + 20]!r}, expected {expected[at - 20:at + 20]!r}"


def one_line(reason: str) -> bool:
    return reason == reason.strip() and reason.isprintable() and len(reason) < 2100


# --- what arrives -----------------------------------------------------------------------------------


def test_a_message_arrives_with_its_recipients_headers_text_and_pdf(sink):
    """Guards the happy path end to end.

    GIVEN a message to two people with a PDF attached
    WHEN it is delivered to a real SMTP server
    THEN the envelope goes to exactly those two from the configured sender, the headers say who it
    is from and to, the subject and plain-text body are as written, and the PDF arrives byte for
    byte with its name and type.
    """
    deliver(settings(sink.host, sink.port), mail())

    (got,) = sink.wait_for(1)
    assert got.mail_from == SENDER
    assert got.rcpt_tos == ["seo@example.org", "line.manager@example.org"]
    msg = got.message
    assert set(msg.keys()) == TOP_HEADERS
    assert msg["From"] == SENDER
    assert [a.addr_spec for a in msg["To"].addresses] == ["seo@example.org", "line.manager@example.org"]
    assert msg["Subject"] == "Letter L-000001 to sign off"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Date"].datetime is not None
    assert msg["Message-ID"].startswith("<M-000004.") and msg["Message-ID"].endswith("@example.org>")
    body = msg.get_body(preferencelist=("plain",))
    assert body.get_content() == "A letter is waiting for your signature.\n\nIncident I-000001.\n"
    (pdf,) = list(msg.iter_attachments())
    assert pdf.get_filename() == "L-000001-letter.pdf"
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content() == PDF
    assert [p.get_content_type() for p in msg.walk()] == ["multipart/mixed", "text/plain", "application/pdf"]


def test_a_message_without_attachment_is_a_single_plain_text_part(sink):
    """GIVEN a message with no attachment WHEN delivered THEN it is one text/plain part in utf-8, no HTML."""
    deliver(settings(sink.host, sink.port), mail(attachment=None, body="Café – naïve — 日本語\n"))

    msg = sink.wait_for(1)[0].message
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content() == "Café – naïve — 日本語\n"


def test_a_one_megabyte_body_with_dot_lines_arrives_intact(sink):
    """Guards SMTP's end-of-data marker and long bodies.

    GIVEN a 1 MB body with lines that are a single dot, start with a dot, or say "From "
    WHEN delivered THEN the body arrives exactly as written.
    """
    block = ".\n..\n.hidden\nFrom the customer\n" + "x" * 2000 + "\n" + "é" * 100 + "\n"
    body = block * (1_000_000 // len(block) + 1)
    deliver(settings(sink.host, sink.port), mail(body=body, attachment=None))

    assert first_difference(sink.wait_for(1)[0].message.get_content(), body) is None


# --- hostile text -------------------------------------------------------------------------------------


HOSTILE_SUBJECT = "Hi\r\nBcc: evil@x.org\r\n\r\n[b]bold[/b] <script>alert(1)</script>\x00\x1b[31m\u202etxt.exe\tend"
HOSTILE_BODY = (
    "Dear manager,\r\nBcc: evil@x.org\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>\n"
    "[b red]markup[/] \x00NUL \x1b[2J\x07 \u202eevil\u202c \x0bvtab\x0cff\rCR\u2028LS\ttab\n"
)


def test_hostile_subject_and_body_cannot_add_headers_or_recipients(sink):
    """Guards header injection and markup in what staff and customers typed.

    GIVEN a subject and body holding CR/LF + "Bcc:" and "Content-Type:" lines, Rich markup, HTML,
    NUL, escape sequences and a bidi override
    WHEN the message is delivered
    THEN it goes to the one recipient only, carries only our headers, the subject is one line with
    the markup kept as literal text, and the body is plain text with its lines kept and the
    control characters gone.
    """
    deliver(settings(sink.host, sink.port), mail(to=["seo@example.org"], subject=HOSTILE_SUBJECT,
                                                 body=HOSTILE_BODY, attachment=None))

    (got,) = sink.wait_for(1)
    assert got.rcpt_tos == ["seo@example.org"]
    msg = got.message
    assert set(msg.keys()) == TOP_HEADERS | {"Content-Transfer-Encoding"}
    assert msg["Bcc"] is None
    assert b"\nBcc:" not in got.raw.split(b"\r\n\r\n", 1)[0]
    # (a long header is folded onto the next line, and the parser keeps the fold's leading space)
    assert msg["Subject"].strip() == "Hi Bcc: evil@x.org [b]bold[/b] <script>alert(1)</script> [31mtxt.exe end"
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content() == (
        "Dear manager,\nBcc: evil@x.org\nContent-Type: text/html\n\n<script>alert(1)</script>\n"
        "[b red]markup[/] NUL [2J evil vtabff\nCR\nLS\ttab\n"
    )


def test_an_encoded_word_cannot_smuggle_a_line_break_into_a_header(sink):
    """Guards an injection the email package allows on its own (Python 3.11 decodes RFC 2047
    "=?utf-8?q?...?=" words when a header is set, and the decoded text may hold CR/LF).

    GIVEN a subject and attachment name that are encoded words for "Hi<CR><LF>Bcc: evil@x.org"
    WHEN the message is delivered
    THEN no Bcc header appears, the recipients are unchanged and the subject stays one line.
    """
    word = "=?utf-8?q?Hi=0D=0ABcc:_evil@x.org?="
    deliver(settings(sink.host, sink.port),
            mail(to=["seo@example.org"], subject=word, attachment=Attachment(word + ".pdf", PDF)))

    (got,) = sink.wait_for(1)
    assert got.rcpt_tos == ["seo@example.org"]
    header_lines = got.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    assert not [line for line in header_lines if line.lower().startswith(b"bcc")]
    for part in got.message.walk():
        assert "Bcc" not in part.keys()
        assert all("\r" not in str(v) and "\n" not in str(v) for v in part.values())
    assert "\n" not in got.message["Subject"] and "\r" not in got.message["Subject"]
    (pdf,) = list(got.message.iter_attachments())
    assert "\n" not in pdf.get_filename() and pdf.get_filename().endswith(".pdf")


def test_an_attachment_name_cannot_name_a_folder_or_break_a_line():
    """GIVEN an attachment named with folders, quotes, a line break and a bidi override
    WHEN the message is built THEN its name is one line with no folder separators, and keeps ".pdf"."""
    msg = build_message(mail(attachment=Attachment('../../etc/"pass\r\nwd\u202e"' + "x" * 300 + ".pdf", PDF)))

    (pdf,) = list(msg.iter_attachments())
    name = pdf.get_filename()
    assert "/" not in name and "\\" not in name and '"' not in name and "\u202e" not in name
    assert name.isprintable() and name.endswith(".pdf") and len(name) <= mailer.FILENAME_LIMIT


def test_a_long_subject_is_cut_with_an_ellipsis():
    """GIVEN a 10,000-character subject WHEN built THEN it is cut to 200 characters ending in "…"."""
    msg = build_message(mail(subject="word " * 2000))

    assert len(msg["Subject"]) == mailer.SUBJECT_LIMIT
    assert msg["Subject"].endswith("…")


PIECES = st.sampled_from(["\r", "\n", "\r\n", "\t", " ", "=?", "?=", "utf-8?q?", "=0D=0A", "Bcc: ", "evil@x.org",
                          "\u202e", "\u2028", "\x00", "\x1b[31m", "[b]", "<script>", ".", "From ", "é", "\ud800"])
HOSTILE_TEXT = st.lists(st.one_of(PIECES, st.characters()), max_size=300).map("".join)
"""Text built from the pieces injections are made of, mixed with any characters."""


@given(subject=HOSTILE_TEXT, body=st.one_of(HOSTILE_TEXT, st.text(max_size=2000)))
@example(subject="utf-8?q?utf-8?q?\r0\r=?=?=?utf-8?q?evil@x.orgevil@x.org\r\u00a1", body="")  # folds with two spaces
def test_no_text_changes_the_headers_or_the_recipients(subject, body):
    """Property guard: GIVEN any subject and body WHEN built, written out and read back
    THEN the headers are ours alone, the recipients are unchanged, the subject is one line and the
    body reads back as its cleaned text."""
    import email
    import email.policy

    built = build_message(mail(to=["seo@example.org"], subject=subject, body=body, attachment=None))
    back = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)

    assert set(back.keys()) == TOP_HEADERS | {"Content-Transfer-Encoding"}
    assert [a.addr_spec for a in back["To"].addresses] == ["seo@example.org"]
    # Folding a long header with encoded words may leave two spaces where it unfolds (RFC 5322
    # unfolding keeps the whitespace): the words, and their order, must be the same.
    assert back["Subject"].split() == mailer.clean_subject(subject).split()
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", back["Subject"])
    assert back.get_content_type() == "text/plain"
    cleaned = mailer.clean_body(body)
    assert back.get_content() == (cleaned if cleaned.endswith("\n") else cleaned + "\n")


# --- refusals and failures ------------------------------------------------------------------------


def test_a_refused_recipient_is_permanent_and_quotes_the_server(sink):
    """GIVEN a server that refuses the recipient with 550 WHEN delivering
    THEN a permanent MailError names the address and quotes the server's reply, and nothing arrived."""
    sink.refuse = "550 5.7.1 Mailbox unavailable"

    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port), mail(to=["seo@example.org"]))

    assert caught.value.permanent is True
    assert "seo@example.org" in caught.value.reason
    assert "550 5.7.1 Mailbox unavailable" in caught.value.reason
    assert caught.value.refused == {"seo@example.org": "550 5.7.1 Mailbox unavailable"}
    assert one_line(caught.value.reason)
    assert sink.messages == []


def test_a_recipient_refused_for_now_is_temporary(sink):
    """GIVEN a server that answers RCPT with 450 (mailbox busy) WHEN delivering THEN the failure is temporary."""
    sink.refuse = "450 4.2.1 Mailbox busy, try later"

    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port), mail())

    assert caught.value.permanent is False
    assert "450 4.2.1 Mailbox busy" in caught.value.reason


def test_a_partial_delivery_is_permanent_and_says_who_got_it(sink):
    """Guards against a resend duplicating a message some people already have.

    GIVEN a server that refuses one of two recipients WHEN delivering
    THEN the other gets the message, and a permanent MailError names both: who got it, who did not.
    """
    sink.refuse_for["seo@example.org"] = "550 5.1.1 No such user"

    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port), mail())

    assert sink.wait_for(1)[0].rcpt_tos == ["line.manager@example.org"]
    assert caught.value.permanent is True
    assert caught.value.reason.startswith("The message went to line.manager@example.org")
    assert "seo@example.org (550 5.1.1 No such user)" in caught.value.reason
    assert set(caught.value.refused) == {"seo@example.org"}


def test_a_refused_sender_is_permanent(sink):
    """GIVEN a server that refuses our sender WHEN delivering THEN the error is permanent and names the sender."""
    sink.refuse_sender = "553 5.7.1 Sender address rejected"

    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port), mail())

    assert caught.value.permanent is True
    assert SENDER in caught.value.reason and "553 5.7.1 Sender address rejected" in caught.value.reason


@pytest.mark.parametrize(("reply", "permanent"), [("451 4.3.0 Try again later", False),
                                                  ("554 5.6.0 Message rejected", True)])
def test_a_refused_message_is_temporary_for_4xx_and_permanent_for_5xx(sink, reply, permanent):
    """GIVEN a server that refuses the message after DATA WHEN delivering
    THEN 4xx is worth retrying and 5xx is not, and the reason quotes the reply."""
    sink.fail_data = reply

    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port), mail())

    assert caught.value.permanent is permanent
    assert reply in caught.value.reason
    assert sink.messages == []


def test_a_reply_with_control_characters_is_shown_as_one_printable_line(sink):
    """GIVEN a server whose reply holds an escape sequence and markup WHEN quoted in the reason
    THEN the reason is one printable line and the markup is just text."""
    sink.refuse = "550 \x1b[31m[b]no[/b]\x07 thanks"

    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port), mail())

    assert one_line(caught.value.reason)
    assert "[b]no[/b]" in caught.value.reason


def test_a_closed_port_is_temporary_and_says_the_server_is_not_answering():
    """GIVEN nothing listening on the configured port WHEN delivering
    THEN a temporary MailError says the server is not answering (connection refused)."""
    port = closed_port()

    with pytest.raises(MailError) as caught:
        deliver(settings("127.0.0.1", port), mail())

    assert caught.value.permanent is False
    assert caught.value.reason == f"The mail server 127.0.0.1:{port} is not answering (connection refused)"


def test_a_silent_server_times_out_as_temporary():
    """GIVEN a server that accepts the connection and never greets WHEN delivering with a 0.5 s timeout
    THEN it gives up within about that time with a temporary "did not answer within 0.5 s"."""
    with SilentServer() as silent:
        started = time.monotonic()
        with pytest.raises(MailError) as caught:
            deliver(settings(silent.host, silent.port, timeout_seconds=0.5), mail())
        elapsed = time.monotonic() - started

    assert caught.value.permanent is False
    assert caught.value.reason == f"The mail server 127.0.0.1:{silent.port} did not answer within 0.5 s"
    assert elapsed < 3


def test_starttls_asked_for_but_not_offered_is_permanent(sink):
    """GIVEN a configuration asking for STARTTLS and a server that does not offer it WHEN delivering
    THEN nothing is sent in clear and the error is permanent, naming STARTTLS."""
    with pytest.raises(MailError) as caught:
        deliver(settings(sink.host, sink.port, starttls=True), mail())

    assert caught.value.permanent is True
    assert "STARTTLS" in caught.value.reason
    assert sink.messages == []


# --- signing in -----------------------------------------------------------------------------------


def test_signing_in_with_the_password_from_the_environment(monkeypatch):
    """GIVEN a server that requires a sign-in and the password in COUNTER_SMTP_PASSWORD
    WHEN delivering THEN it signs in and the message arrives."""
    monkeypatch.setenv("COUNTER_SMTP_PASSWORD", "s3cret-pw")
    with SmtpSink(credentials=("counter", "s3cret-pw")) as sink:
        deliver(settings(sink.host, sink.port, username="counter"), mail())
        assert len(sink.wait_for(1)) == 1


def test_a_wrong_password_is_permanent_and_never_shown():
    """GIVEN a wrong password WHEN delivering THEN the sign-in error is permanent and the reason does
    not contain the password."""
    with SmtpSink(credentials=("counter", "right-pw")) as sink:
        with pytest.raises(MailError) as caught:
            deliver(settings(sink.host, sink.port, username="counter"), mail(), password="wrong-pw-123")

    assert caught.value.permanent is True
    assert "sign-in" in caught.value.reason and "counter" in caught.value.reason
    assert "wrong-pw-123" not in caught.value.reason and "right-pw" not in caught.value.reason


def test_a_missing_password_is_permanent_and_names_the_variable(monkeypatch, no_connection):
    """GIVEN a user name but no password in the environment WHEN delivering
    THEN it fails before connecting, permanently, naming the environment variable to set."""
    monkeypatch.delenv("COUNTER_MAIL_PW", raising=False)

    with pytest.raises(MailError) as caught:
        deliver(settings("smtp.example.org", 587, username="counter", password_env="COUNTER_MAIL_PW"), mail())

    assert caught.value.permanent is True
    assert "COUNTER_MAIL_PW" in caught.value.reason


# --- addresses and ids --------------------------------------------------------------------------------


@pytest.mark.parametrize("to", [
    [],
    ["not an address"],
    ["seo@example.org", "evil@x.org\r\nBcc: more@x.org"],
    ["Boss <boss@example.org>"],
    ["a@example.org, b@example.org"],
    ["=?utf-8?q?a=0D=0ABcc:_x?=@example.org"],
    [""],
])
def test_bad_or_missing_recipients_are_permanent_before_connecting(to, no_connection):
    """GIVEN no recipients, or one that is not a plain address (display names, lists, line breaks,
    encoded words) WHEN delivering THEN a permanent MailError is raised without contacting the server."""
    with pytest.raises(MailError) as caught:
        deliver(settings("smtp.example.org", 25), mail(to=to))

    assert caught.value.permanent is True
    assert one_line(caught.value.reason)


def test_a_bad_sender_is_permanent_before_connecting(no_connection):
    """GIVEN a sender that is not a plain address WHEN delivering THEN a permanent MailError, no connection."""
    with pytest.raises(MailError) as caught:
        deliver(settings("smtp.example.org", 25), mail(sender="Counter <counter@example.org>"))

    assert caught.value.permanent is True


def test_the_message_id_is_the_same_for_every_attempt_at_the_same_message():
    """Guards recognising a resend.

    GIVEN the same outbox message built twice (at different moments)
    THEN the Message-ID is the same, made from the outbox id and the sender's domain; a different
    message, or different text under the same id, gets a different one.
    """
    first = build_message(mail())["Message-ID"]
    again = build_message(mail())["Message-ID"]

    assert first == again
    assert first.startswith("<M-000004.") and first.endswith("@example.org>")
    assert build_message(mail(message_id="M-000005"))["Message-ID"] != first
    assert build_message(mail(body="Other text"))["Message-ID"] != first
    assert build_message(mail(to=["seo@example.org"]))["Message-ID"] == first


@pytest.mark.parametrize("subject", [
    "Re: Zoë Siân " + "x" * 70 + " Zoë Siân",  # the standard folder dropped the space: "ZoëSiân"
    "Letter for " + "Zoë Siân Ní Bhriain Ó Súilleabháin " * 5,
    "王秀英 " * 30,
    "a" * 150 + " Zoë",
])
def test_a_folded_subject_reads_back_as_it_was_written(subject: str) -> None:
    """However the subject is folded, for SMTP (encoded words) or SMTPUTF8 (raw), a mail reader
    parsing the message gets the same words with the same spaces, and no line is over 78."""
    from email import message_from_bytes
    from email import policy as email_policy

    from counter_tui.services.mail_message import clean_subject

    msg = build_message(mail(subject=subject))
    for policy in (msg.policy.clone(linesep="\r\n"), msg.policy.clone(linesep="\r\n", utf8=True)):  # as mailer.py sends
        data = msg.as_bytes(policy=policy)
        head = data.split(b"\r\n\r\n")[0]
        if not policy.utf8:
            assert head.isascii() and max(len(line) for line in head.split(b"\r\n")) <= 78
        assert message_from_bytes(data, policy=email_policy.default)["Subject"] == clean_subject(subject)
