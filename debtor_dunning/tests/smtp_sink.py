"""A real SMTP server for the e-mail tests, run in a process of its own.

The tests run on a frozen clock (freeze_time); an asyncio server in the test process
would read that clock for its timeouts and drop connections. In its own process it
keeps real time. Usage: python smtp_sink.py PORT FOLDER. Each accepted message is
written to FOLDER/<n>.eml; recipients listed in FOLDER/refused (one a line) are
refused with 550.
"""

import asyncio
import os
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    def _refused(self):
        try:
            with open(os.path.join(self.folder, "refused"), encoding="utf-8") as file:
                return {line.strip() for line in file if line.strip()}
        except FileNotFoundError:
            return set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self._refused():
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = os.path.join(self.folder, f"{self.count:06d}.eml")
        with open(path + ".part", "wb") as file:
            file.write(envelope.content)
        os.replace(path + ".part", path)  # readers never see half a message
        return "250 Message accepted for delivery"


def main(port, folder):
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=int(port))
    controller.start()
    with open(os.path.join(folder, "ready"), "w", encoding="utf-8"):
        pass
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main(*sys.argv[1:3])
