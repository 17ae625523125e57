"""Every party's server bounds how long a client may take to send a request, and how much it may send.

Each test talks to a real uvicorn server over a real socket.  The client's socket timeout is the
bound: a server that kept waiting would leave ``recv`` to time out, and the test fails.
"""

from __future__ import annotations

import ast
import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opendsop.server import config
from opendsop.serving import ServingSettings

LIMITS = ServingSettings(header_timeout=0.5, body_timeout=0.5, max_header_bytes=2048, max_body_bytes=256 * 1024)
TOO_LARGE = LIMITS.max_body_bytes + 1
BOUND = 5.0  # seconds: far above each limit, far below "forever"
SRC = Path(__file__).resolve().parent.parent / "src" / "opendsop"


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the whole body, answers its length; ``/busy`` first works for twice the body timeout."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/busy":
        await asyncio.sleep(2 * LIMITS.body_timeout)  # the app's own slow work (say, a database), not a wait
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = str(size).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def address() -> Iterator[tuple[str, int]]:
    """A guarded uvicorn server on an ephemeral loopback port, in a thread of its own."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # connections queue in the kernel from now on: no need to wait for the server
    server = uvicorn_server()
    thread = threading.Thread(target=asyncio.run, args=(server.serve(sockets=[listener]),), daemon=True)
    thread.start()
    yield listener.getsockname()
    server.should_exit = True
    thread.join(BOUND)
    listener.close()


def uvicorn_server() -> Any:
    import uvicorn

    return uvicorn.Server(config(echo, limits=LIMITS, log_config=None, access_log=False, lifespan="off"))


def connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=BOUND)


def until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (``socket.timeout`` past ``BOUND``)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def one_response(sock: socket.socket) -> bytes:
    """One whole response (headers and its Content-Length of body) from a kept-alive connection."""
    answer = b""
    while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < int(
        answer.lower().partition(b"content-length: ")[2].split(b"\r\n")[0] or 0
    ):
        chunk = sock.recv(65536)
        assert chunk, "the server closed a connection it should have kept"
        answer += chunk
    return answer


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


HEAD = b"POST /echo HTTP/1.1\r\nHost: party.test\r\n"


@pytest.mark.parametrize(
    ("sent", "expected", "within"),
    [
        pytest.param(b"", 0, LIMITS.header_timeout, id="connects-and-says-nothing-is-dropped"),
        pytest.param(b"GET /echo HT", 408, LIMITS.header_timeout, id="half-a-request-line-times-out"),
        pytest.param(HEAD + b"X-Slow: 1\r\n", 408, LIMITS.header_timeout, id="headers-never-finished-time-out"),
        pytest.param(
            HEAD + b"Content-Length: 100\r\n\r\n" + b"x" * 10,
            408,
            LIMITS.body_timeout,
            id="a-body-that-stops-times-out",
        ),
        pytest.param(HEAD + b"X-Padding: " + b"x" * 4096, 431, 0.0, id="headers-too-large-are-refused"),
        pytest.param(
            HEAD + b"Content-Length: %d\r\n\r\n" % TOO_LARGE, 413, 0.0, id="a-declared-body-too-large-is-refused"
        ),
        pytest.param(
            HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % TOO_LARGE + b"x" * TOO_LARGE,
            413,
            0.0,
            id="a-chunked-body-growing-too-large-is-refused",
        ),
    ],
)
def test_a_slow_or_oversized_request_is_cut_off(
    address: tuple[str, int], sent: bytes, expected: int, within: float
) -> None:
    with connect(address) as sock:
        started = time.monotonic()
        sock.sendall(sent)
        answer = until_closed(sock)
        elapsed = time.monotonic() - started
    assert status(answer) == expected, answer[:200]
    assert within * 0.8 <= elapsed < within + 2.0  # the configured limit, not sooner and not much later


def test_a_trickled_header_does_not_reset_the_clock(address: tuple[str, int]) -> None:
    """One byte per quarter of the header timeout: each byte is on time, the headers as a whole are not."""
    with connect(address) as sock:
        started = time.monotonic()
        sock.settimeout(LIMITS.header_timeout / 4)  # the pace of the trickle, not a synchronisation
        answer, trickle = b"", iter(HEAD + b"X-Slow: " + b"x" * 1000)
        while time.monotonic() - started < BOUND:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                sock.send(bytes([next(trickle)]))
                continue
            if not chunk:
                break
            answer += chunk
        elapsed = time.monotonic() - started
    assert status(answer) == 408
    assert elapsed < LIMITS.header_timeout + 2.0


def test_prompt_requests_are_answered_on_a_kept_alive_connection(address: tuple[str, int]) -> None:
    with connect(address) as sock:
        for body in (b"hello", b"x" * LIMITS.max_body_bytes):
            sock.sendall(HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            answer = one_response(sock)
            assert status(answer) == 200 and answer.endswith(str(len(body)).encode())


def test_a_busy_app_is_not_mistaken_for_a_slow_client(address: tuple[str, int]) -> None:
    """A prompt client whose body waits in the buffers while the app is busy still gets its answer."""
    body = b"x" * (LIMITS.max_body_bytes // 2)  # beyond uvicorn's buffer: it stops reading until the app reads
    with connect(address) as sock:
        sock.sendall(b"POST /busy HTTP/1.1\r\nHost: party.test\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        answer = one_response(sock)
    assert status(answer) == 200 and answer.endswith(str(len(body)).encode())


def test_every_server_runs_on_the_guarded_protocol() -> None:
    """Only ``opendsop.server`` may start uvicorn: every ``serve`` command and ``dsop up`` go through it."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "server.py" and path.parent == SRC:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "uvicorn"
                and node.attr in ("run", "Config")
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno} uvicorn.{node.attr}")
    assert offenders == []
