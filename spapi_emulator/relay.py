"""A test SMTP relay (aiosmtpd) that can accept a message and then lose its `250` reply.

Amazon's buyer-seller messaging relay, as seen from a sender when the network or the relay
misbehaves: the message is accepted (DATA received, kept in `received`) and then the
connection drops before the `250` (mode `drop`) or the `250` comes after the client's timeout
(mode `slow`). Which messages: the first transmission of every `every_nth` message (keyed by
the outbox id in the Message-ID, else the recipients), or a seeded `rate`.

    with LossyRelay(every_nth=3) as relay:
        ... SmtpSettings("127.0.0.1", relay.port, ...) ...
        relay.received, relay.lost
"""

from __future__ import annotations

import asyncio
import random
import re
import socket
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any

_OUTBOX_ID = re.compile(r"outbox-(\d+)")


class LossyRelay:
    def __init__(
        self,
        *,
        every_nth: int | None = None,
        rate: float | None = None,
        mode: str = "drop",
        delay_s: float = 2.0,
        seed: int = 1,
        host: str = "127.0.0.1",
    ) -> None:
        if mode not in ("drop", "slow"):
            raise ValueError(f"mode must be drop or slow, not {mode!r}")
        if every_nth is not None and every_nth < 1:
            raise ValueError("every_nth must be >= 1")
        self.every_nth, self.rate, self.mode, self.delay_s = every_nth, rate, mode, delay_s
        self.host = host
        self.port = 0
        self.received: list[Message] = []
        self.lost: list[str] = []  # keys of the messages whose reply was lost
        self._seen: dict[str, int] = {}
        self._rng = random.Random(f"relay:{seed}")
        self._lock = threading.Lock()
        self._controller: Any = None

    def _lose(self, key: str) -> bool:
        with self._lock:
            if key in self._seen:  # only a message's first transmission loses its reply
                return False
            self._seen[key] = rank = len(self._seen) + 1
            if self.every_nth:
                return rank % self.every_nth == 0
            return bool(self.rate) and self._rng.random() < float(self.rate or 0)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content)
        found = _OUTBOX_ID.search(message.get("Message-ID", ""))
        key = found.group(0) if found else ",".join(sorted(envelope.rcpt_tos))
        with self._lock:
            self.received.append(message)
        if self._lose(key):
            with self._lock:
                self.lost.append(key)
            if self.mode == "drop":  # accepted, then the connection dies before the 250
                server.transport.abort()
                return "250 OK"
            await asyncio.sleep(self.delay_s)
        return "250 OK"

    def start(self) -> LossyRelay:
        from aiosmtpd.controller import Controller

        with socket.socket() as sock:
            sock.bind((self.host, 0))
            self.port = sock.getsockname()[1]
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> LossyRelay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
