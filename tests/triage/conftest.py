"""A local HTTP server standing in for a remote OpenAI-compatible LLM vendor.

This is the only fake in the triage tests, and it replaces something outside the
application (a vendor's API on the internet). It speaks real HTTP on 127.0.0.1, so the
client's `requests` calls, timeouts and error handling all run for real. Each test sets what
the server does next (`behaviour`) and reads back what it received.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.codes.conftest import (  # noqa: F401 - fixtures are found by name
    codes_services,
    codes_template,
)
from tests.records.conftest import (  # noqa: F401 - fixtures are found by name
    admin,
    desk,
    doctor,
    nurse,
    open_visit,
    patient,
    records,
)

GOOD_ANSWER = {
    "urgency": "emergency",
    "summary": "Possible acute coronary syndrome.",
    "red_flags": ["chest pain at rest"],
    "recommendations": ["ECG now"],
}


@dataclass
class FakeVendor:
    url: str
    behaviour: str = "ok"  # ok | error500 | slow | malformed | prose | empty
    answer: dict[str, Any] = field(default_factory=lambda: dict(GOOD_ANSWER))
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


def _handler(vendor: FakeVendor) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            vendor.requests.append(json.loads(self.rfile.read(length)))
            vendor.headers.append(dict(self.headers.items()))
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"error": "not found"}')
                return
            if vendor.behaviour == "slow":
                time.sleep(1.5)
            if vendor.behaviour == "error500":
                self._send(500, b'{"error": "overloaded"}')
                return
            if vendor.behaviour == "malformed":
                self._send(200, b'{"choices": [ {"message": ')
                return
            content = {
                "prose": "I think this is probably fine.",
                "empty": "{}",
            }.get(vendor.behaviour, "```json\n" + json.dumps(vendor.answer) + "\n```")
            body = {"choices": [{"message": {"role": "assistant", "content": content}}]}
            self._send(200, json.dumps(body).encode())

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (timeout test)
                self.wfile.write(body)

    return Handler


@pytest.fixture
def fake_vendor() -> Iterator[FakeVendor]:
    vendor = FakeVendor(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(vendor))
    server.daemon_threads = True
    vendor.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield vendor
    server.shutdown()
    server.server_close()
