"""Test doubles that behave like real providers: mail backends and an HTTP SMS gateway on 127.0.0.1."""

from __future__ import annotations

import json
import os
import smtplib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class BrokenMailServerBackend(BaseEmailBackend):
    """A mail server that is down: every send raises a connection error."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingMailServerBackend(BaseEmailBackend):
    """A mail server that refuses every recipient: a permanent error."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})


class KeyLogEmailBackend(BaseEmailBackend):
    """Append each sent message's Message-ID to a log file, after a short pause that gives a sender a "middle".

    ``KEYLOG_PATH`` is the log; ``KEYLOG_SLEEP`` the pause in seconds. A line ``begin <id> <pid> <time>`` is written
    when a send starts and ``sent <id> <pid>`` when it completes.
    """

    def send_messages(self, email_messages: Any) -> int:
        path = Path(os.environ["KEYLOG_PATH"])
        pause = float(os.environ.get("KEYLOG_SLEEP", "0"))
        for message in email_messages:
            message_id = message.extra_headers["Message-ID"]
            _append(path, f"begin {message_id} {os.getpid()} {time.time()}\n")
            time.sleep(pause)
            _append(path, f"sent {message_id} {os.getpid()}\n")
        return len(email_messages)


def _append(path: Path, line: str) -> None:
    # One write of a short line in append mode is atomic between processes.
    with path.open("a", encoding="utf-8") as log:
        log.write(line)
        log.flush()
        os.fsync(log.fileno())


class SmsGateway:
    """A tiny SMS gateway on 127.0.0.1 that records requests and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.answer: dict[str, Any] = {"id": "gw-1"}
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append({"headers": dict(self.headers), "body": json.loads(self.rfile.read(length))})
                time.sleep(gateway.delay)
                payload = json.dumps(gateway.answer).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SmsGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
