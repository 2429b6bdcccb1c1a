"""A server that answers what the test tells it to: broken JSON, wrong shapes, huge bodies,
lies about transactions. Routes are matched by method and path prefix."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes | Callable[[], Iterator[bytes]]]

EMPTY_HISTORY = {"resourceType": "Bundle", "type": "history", "entry": []}


def fhir(body: Any, status: int = 200) -> Answer:
    return status, {"Content-Type": "application/fhir+json"}, json.dumps(body).encode()


@dataclass
class BadServer:
    routes: dict[tuple[str, str], Answer] = field(default_factory=dict)
    # Answers given once each, in order, before the route's standing answer.
    queued: dict[tuple[str, str], list[Answer]] = field(default_factory=dict)
    seen: list[tuple[str, str]] = field(default_factory=list)
    seen_at: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                owner.seen.append((self.command, self.path))
                owner.seen_at.append(time.monotonic())
                for (method, prefix), answer in owner.routes.items():
                    if method == self.command and self.path.startswith(prefix):
                        waiting = owner.queued.get((method, prefix))
                        status, headers, body = waiting.pop(0) if waiting else answer
                        self.send_response(status)
                        for name, value in headers.items():
                            self.send_header(name, value)
                        if callable(body):
                            self.end_headers()
                            for piece in body():
                                self.wfile.write(piece)
                        else:
                            if "Content-Length" not in headers:
                                self.send_header("Content-Length", str(len(body)))
                            self.end_headers()
                            self.wfile.write(body)
                        return
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = _answer  # noqa: N815 - http.server's names

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._server.server_address[1])
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fhir"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
