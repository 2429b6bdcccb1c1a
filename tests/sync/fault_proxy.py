"""A small HTTP proxy between a workstation and the server that misbehaves on purpose.

Each request gets its own upstream connection (`Connection: close` is forced), and one fault
drawn at random: pass, refuse (the connection is reset before any answer), a 500 or 503, a 429
with Retry-After, a delay, or a cut (the server gets and handles the request, the client gets
half the answer: the "lost answer" case). `faults_on` turns the misbehaviour off for a final,
clean round.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

CANNED = {
    "500": b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    "503": b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    "429": (
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n"
        b"Connection: close\r\n\r\n"
    ),
}
DEFAULT_WEIGHTS = {
    "pass": 60,
    "refuse": 6,
    "500": 6,
    "503": 4,
    "429": 4,
    "delay": 8,
    "cut": 12,
}


@dataclass
class FaultProxy:
    upstream_port: int
    seed: int = 0
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    faults_on: bool = True
    counts: Counter[str] = field(default_factory=Counter)
    # Called with each request's number before it is forwarded (e.g. to kill the server).
    on_request: Callable[[int], None] | None = None
    # Chooses the fault from the request head instead of at random (None: random).
    choose: Callable[[bytes], str | None] | None = None

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()

    def _choose(self) -> str:
        with self._lock:
            if not self.faults_on:
                choice = "pass"
            else:
                names = list(self.weights)
                choice = self._rng.choices(names, [self.weights[n] for n in names])[0]
            self.counts[choice] += 1
            return choice

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(30)
        try:
            request = _read_request(client)
            if request is None:
                return
            fault = self._choose()
            if self.choose is not None:
                fault = self.choose(request.split(b"\r\n\r\n", 1)[0]) or fault
            if self.on_request is not None:
                self.on_request(sum(self.counts.values()))
            if fault == "refuse":
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if fault in CANNED:
                client.sendall(CANNED[fault])
                return
            if fault == "delay":
                time.sleep(self._rng.uniform(0.05, 0.5))
            answer = _forward(self.upstream_port, request)
            if fault == "cut":
                # A plain close after half the answer (a reset could drop what is in flight).
                client.sendall(answer[: max(1, len(answer) // 2)])
                client.shutdown(socket.SHUT_WR)
                return
            client.sendall(answer)
        except OSError:
            return
        finally:
            client.close()


def _read_request(client: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = client.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() in (b"connection", b"keep-alive"):
            continue
        kept.append(line)
    kept.append(b"Connection: close")
    while len(body) < length:
        piece = client.recv(min(1 << 20, length - len(body)))
        if not piece:
            return None
        body += piece
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def _forward(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as upstream:
        upstream.sendall(request)
        chunks = []
        while True:
            piece = upstream.recv(1 << 16)
            if not piece:
                break
            chunks.append(piece)
    return b"".join(chunks)
