"""A 100 MB body is refused (413, the error shape) without being read whole: memory stays
flat, with a declared length or streamed in chunks, against a real server."""

from __future__ import annotations

import json
import socket
import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from casebycase.store.store import Store

from .live_server import Live, live_server

HUNDRED_MB = 100 * 1024 * 1024
CHUNK = b"[" + b"0," * 32_767 + b"0"  # 64 KiB of a JSON array, never closed


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    store = Store.open(f"sqlite:///{tmp_path / 'limit.sqlite3'}")
    with live_server(store) as running:
        yield running
    store.close()


def _connect(live: Live) -> socket.socket:
    host, port = live.base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def _answer(sock: socket.socket) -> tuple[int, dict[str, object]]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        more = sock.recv(65536)
        if not more:
            break
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_a_declared_100_mb_body_is_refused_before_reading(live: Live) -> None:
    with _connect(live) as sock:
        sock.sendall(
            b"POST /api/cases HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\n" + f"Content-Length: {HUNDRED_MB}\r\n\r\n".encode()
        )
        sock.sendall(CHUNK)  # the rest is never sent: the answer comes first
        status, body = _answer(sock)
    assert status == 413 and body["error"] == "request too large"
    assert set(body) == {"error", "problems"}


@pytest.mark.parametrize("path", ["/api/login", "/api/cases", "/api/cases/batch"])
def test_a_streamed_100_mb_body_keeps_memory_flat(live: Live, path: str) -> None:
    sent = 0
    tracemalloc.start()
    try:
        with _connect(live) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: test\r\n".encode()
                + b"Content-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            stop = threading.Event()

            def stream() -> None:
                nonlocal sent
                frame = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
                try:
                    while sent < HUNDRED_MB and not stop.is_set():
                        sock.sendall(frame)
                        sent += len(CHUNK)
                except OSError:
                    return  # the server closed the connection after answering

            sender = threading.Thread(target=stream)
            sender.start()
            try:
                status, body = _answer(sock)
            finally:
                stop.set()
                with suppress(OSError):  # the server may have closed it already
                    sock.shutdown(socket.SHUT_RDWR)
                sender.join(30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status == 413 and body["error"] == "request too large"
    assert sent < HUNDRED_MB
    assert peak < 40 * 1024 * 1024, peak  # the batch limit is 16 MB; never the whole body
