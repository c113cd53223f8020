"""A real SMTP server (aiosmtpd) on 127.0.0.1, for the integration and browser tests."""

import socket
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Mailbox:
    """Keeps what the server accepted; answers the scripted replies first, one per message."""

    def __init__(self, replies=()):
        self.replies = list(replies)
        self.messages: list[EmailMessage] = []
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):
        if self.replies:
            self.refused += 1
            return self.replies.pop(0)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.messages)} of {count} emails arrived in {timeout}s")
            time.sleep(0.05)
        return self.messages

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(replies=()):
    """Yield (mailbox, email_url) for a server that runs until the block ends."""
    mailbox = Mailbox(replies)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()
