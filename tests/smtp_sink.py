"""Real mail servers on loopback for tests: no mocks between Counter and the socket.

- `SmtpSink`: an aiosmtpd server on 127.0.0.1 that keeps every message it accepts, and can be told
  to refuse recipients, the sender, the message (DATA) or to demand a sign-in.
- `SilentServer`: accepts connections and never says a word (for timeouts).
- `closed_port()`: a port with nothing listening (connections are refused).

Plain Python, no pytest: use them as context managers (`with SmtpSink() as sink: ...`).
"""

from __future__ import annotations

import email
import email.policy
import selectors
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"

_held: list[socket.socket] = []
"""Sockets `closed_port` keeps bound (never listening) so nothing else takes their ports."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (aiosmtpd cannot always bind port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def closed_port() -> int:
    """A port on 127.0.0.1 where connections are refused: it is bound but never listens, and stays
    bound for the life of the test process, so nothing else can start listening on it."""
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.bind((HOST, 0))
    _held.append(held)
    return held.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """One message as the sink received it."""

    mail_from: str
    """The envelope sender (MAIL FROM)."""
    rcpt_tos: list[str]
    """The envelope recipients (RCPT TO) the sink accepted: who the message really went to."""
    message: EmailMessage
    """The message parsed with `email.policy.default`, line ends read as "\\n"."""
    raw: bytes
    """The bytes as received after the DATA command (CRLF line ends, dot-unstuffed)."""


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.sink.refuse_sender:
            return self.sink.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink.refuse_for.get(address) or self.sink.refuse
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.sink.fail_data:
            return self.sink.fail_data
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        # Parsed as a mail client stores it: the wire's CRLF line ends read as "\n".
        parsed = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
        self.sink._store(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives.

    Attributes (set them at any time, they apply to the next command):
        refuse: a reply refusing every RCPT, e.g. "550 5.7.1 Mailbox unavailable" (None: accept).
        refuse_for: address → reply, refusing only those recipients.
        refuse_sender: a reply refusing MAIL FROM, e.g. "553 5.7.1 Sender not allowed".
        fail_data: a reply refusing the message after DATA, e.g. "451 4.3.0 Try again later".

    Args:
        credentials: (user, password) to offer a sign-in (AUTH PLAIN/LOGIN without TLS) that accepts
            only these; None: no AUTH.
    """

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.refuse: str | None = None
        self.refuse_for: dict[str, str] = {}
        self.refuse_sender: str | None = None
        self.fail_data: str | None = None
        self.credentials = credentials
        self.host = HOST
        self.port = 0
        self._messages: list[Received] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    # -- life --

    def start(self) -> SmtpSink:
        """Start the server on a free port (tries a few in case another process takes one first)."""
        last: Exception | None = None
        for _ in range(5):
            port = free_port()
            options: dict = {}
            if self.credentials is not None:
                options = {"authenticator": self._authenticate, "auth_require_tls": False}
            controller = Controller(_Handler(self), hostname=HOST, port=port, server_hostname="sink.test",
                                    ready_timeout=5.0, **options)
            try:
                controller.start()
            except Exception as error:  # the port was taken between finding and binding it
                last = error
                continue
            self._controller, self.port = controller, port
            return self
        raise RuntimeError(f"the SMTP sink could not start: {last}")

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what arrived --

    @property
    def messages(self) -> list[Received]:
        """A copy of every message received so far, oldest first."""
        with self._changed:
            return list(self._messages)

    def wait_for(self, n: int = 1, timeout: float = 5.0) -> list[Received]:
        """Wait until at least `n` messages have arrived, and return them all.

        Raises:
            AssertionError: fewer than `n` arrived within `timeout` seconds.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= n, timeout=timeout):
                raise AssertionError(f"expected {n} message(s) within {timeout} s, got {len(self._messages)}")
            return list(self._messages)

    def _store(self, received: Received) -> None:
        with self._changed:
            self._messages.append(received)
            self._changed.notify_all()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            user, password = self.credentials
            if auth_data.login == user.encode() and auth_data.password == password.encode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


class SilentServer:
    """A server on 127.0.0.1 that accepts connections and never says anything (not even the SMTP
    greeting), so a client waiting for it times out. Use as a context manager; `host`, `port`."""

    def __init__(self) -> None:
        self.host = HOST
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((HOST, 0))
        self._listener.listen(16)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="silent-smtp", daemon=True)
        self.connections = 0
        """How many connections were accepted."""

    def _serve(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r:
                        return
                    try:
                        conn, _ = self._listener.accept()
                    except BlockingIOError:
                        continue
                    self._accepted.append(conn)  # held open, never written to
                    self.connections += 1

    def start(self) -> SilentServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._wake_w.send(b"x")
            self._thread.join(timeout=5)
        for conn in (*self._accepted, self._listener, self._wake_r, self._wake_w):
            conn.close()

    def __enter__(self) -> SilentServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


__all__ = ["Received", "SilentServer", "SmtpSink", "closed_port", "free_port"]
