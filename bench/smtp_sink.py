"""An SMTP server for the benchmarks, in a process of its own: it accepts every message and
writes one line per confirmation email (recipient, then the link's path) to a file.

    python bench/smtp_sink.py PORT FILE        # runs until terminated
"""

import re
import signal
import sys
import threading

from aiosmtpd.controller import Controller

# The link in the text part; quoted-printable may break the line inside it ("=" + CRLF).
LINK = re.compile(rb"https?://[^/\s]+(/(?:[a-z-]+/)?signatures/confirm/[A-Za-z0-9_-]+/)")


class Sink:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):
        found = LINK.search(envelope.original_content.replace(b"=\r\n", b""))
        if found:
            for address in envelope.rcpt_tos:
                self.out.write(f"{address} {found.group(1).decode()}\n")
            self.out.flush()
        return "250 Message accepted for delivery"


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    with open(path, "a", encoding="utf-8") as out:
        controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
        controller.start()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        stop.wait()
        controller.stop()


if __name__ == "__main__":
    main()
