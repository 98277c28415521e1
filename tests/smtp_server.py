"""A real SMTP server for the email tests: aiosmtpd on 127.0.0.1, on a free port, keeping
each message it receives (parsed). `down()` and `up()` stand for a mail server that is down
for a while: connections are refused meanwhile, and the port stays this server's, so no other
test's server (another xdist worker's) can take it and answer in its place."""

import email
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    def part(self, kind: str) -> str:
        found = self.message.get_body(preferencelist=(kind.split("/")[1],))
        return found.get_content() if found is not None and \
            found.get_content_type() == kind else ""


@dataclass
class SmtpServer:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _held: socket.socket | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=default)
        with self._lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def down(self) -> None:
        """Stop, keeping the port with a socket bound to it that doesn't listen: connecting
        is refused, as with a mail server that is down."""
        self.stop()
        self._held = socket.socket()
        self._held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._held.bind(("127.0.0.1", self.port))

    def up(self) -> "SmtpServer":
        if self._held is not None:
            self._held.close()
            self._held = None
        return self.start()

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]
