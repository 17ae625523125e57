"""Serving a party's ASGI app with uvicorn, with the read timeouts and size limits uvicorn lacks.

uvicorn closes a keep-alive connection that stays idle, but it waits forever for a request's
headers or for the rest of its body: a client that connects and sends nothing, or trickles a
header a byte at a time, or announces a body and stops, holds a connection (and, for a body, a
running request) as long as it likes.  Every party therefore runs on :class:`GuardedProtocol`,
uvicorn's httptools protocol with four limits from :class:`~opendsop.serving.ServingSettings`:

* the request line and headers must arrive within ``header_timeout`` — counted from the connection
  for its first request, from a request's first byte for the ones after it — else ``408`` (or,
  when nothing at all was sent, the connection is simply closed);
* while a body is read, each piece must follow the last within ``body_timeout``, else ``408`` (the
  clock does not run while uvicorn has stopped reading because the app has not taken what came);
* the request line and headers may take ``max_header_bytes``, else ``431``;
* a ``Content-Length`` above ``max_body_bytes`` is answered ``413`` before the app runs; a chunked
  body that grows past it is answered ``413`` as soon as it does.

Every refusal closes the connection (``Connection: close``); one the app has begun to answer is
only closed.  Each is logged (one warning line, no personal data).  ``run`` replaces ``uvicorn.run`` in
each party's ``serve`` command, and ``dsop up``'s runner builds its servers with ``config``.

uvicorn's own logging setup is never applied (``log_config=None``): its loggers propagate to the
project's JSON handler (:func:`opendsop.serving.configure_logging`), and what a server logs outside
a request names the party it serves (:func:`opendsop.serving.speaking_as`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from opendsop.serving import ServingSettings, party_of, speaking_as

_log = logging.getLogger("opendsop.server")

_REASONS = {408: b"Request Timeout", 413: b"Content Too Large", 431: b"Request Header Fields Too Large"}
_ERRORS = {408: b"request_timeout", 413: b"body_too_large", 431: b"headers_too_large"}
LINGER = 2.0  # seconds a refused client has to stop sending before the connection is closed regardless


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header/body read timeouts and size limits (see the module)."""

    limits: ClassVar[ServingSettings]  # set by ``guarded_protocol``

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._reading: str | None = "head"  # "head", "body", or None while the app answers / the line is idle
        self._head_bytes = 0
        self._body_bytes = 0
        self._closed = False  # refused: whatever the parser still finds in the buffer is ignored

    # -- the connection ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.limits.header_timeout, "head")  # a client that connects and sends nothing

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._closed:
            return
        super().data_received(data)
        if self._reading == "head" and not self._closed and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_header_bytes:
                self._refuse(431, f"the request line and headers exceed {self.limits.max_header_bytes} bytes")

    # -- parser callbacks ----------------------------------------------------------------------

    def on_message_begin(self) -> None:
        if self._closed:
            return
        super().on_message_begin()
        self._head_bytes = self._body_bytes = 0
        if self._deadline is None:  # a later request on a kept-alive connection: from its first byte
            self._arm(self.limits.header_timeout, "head")
        self._reading = "head"

    def on_headers_complete(self) -> None:
        if self._closed:
            return
        self._disarm()
        length = next((value for name, value in self.headers if name == b"content-length"), None)
        if length is not None and length.strip().isdigit() and int(length) > self.limits.max_body_bytes:
            self._refuse(413, f"the request body exceeds {self.limits.max_body_bytes} bytes")
            return  # before the app ever runs
        if self.parser.should_upgrade() and self._should_upgrade():  # a WebSocket protocol takes the connection
            self._reading, self._closed = None, True
            super().on_headers_complete()
            return
        super().on_headers_complete()
        self._arm(self.limits.body_timeout, "body")

    def on_body(self, body: bytes) -> None:
        if self._closed:
            return
        self._body_bytes += len(body)
        if self._body_bytes > self.limits.max_body_bytes:  # chunked: no Content-Length to refuse up front
            self._refuse(413, f"the request body exceeds {self.limits.max_body_bytes} bytes")
            return
        super().on_body(body)
        self._arm(self.limits.body_timeout, "body")

    def on_message_complete(self) -> None:
        if self._closed:
            return
        self._disarm()
        self._reading = None
        super().on_message_complete()

    # -- timers and refusals -------------------------------------------------------------------

    def _arm(self, seconds: float, reading: str) -> None:
        self._disarm()
        self._reading = reading
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._reading == "body" and self.flow.read_paused:  # the app is behind, not the client: wait for it
            self._arm(self.limits.body_timeout, "body")
            return
        if self._reading == "head" and self._head_bytes == 0 and self.cycle is None:
            self._close()  # connected and never spoke: nothing to answer
        elif self._reading == "head":
            self._refuse(408, f"the request line and headers did not arrive within {self.limits.header_timeout} s")
        else:
            self._refuse(408, f"the request body stalled for {self.limits.body_timeout} s")

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with a one-line JSON body unless the app has begun its answer, then close."""
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        _log.warning("closed the connection of %s: %s", client, message, extra={"status": status})
        cycle = self.cycle
        answering = cycle is not None and not cycle.response_complete
        if answering and cycle.response_started:
            self._close()
            return
        if answering:
            cycle.disconnected = True  # the app's own answer, should it still come, goes nowhere
        body = b'{"error": "%s", "message": "%s"}' % (_ERRORS[status], message.encode("ascii", "replace"))
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n%s" % (status, _REASONS[status], len(body), body)
        )
        self._linger()

    def _linger(self) -> None:
        """Close after the answer without losing it: send FIN, then read and discard what the client still
        sends until it closes too (or ``LINGER`` seconds pass).  Closing with unread data would make the
        kernel reset the connection, and the client could lose the answer (RFC 9112 §9.6)."""
        self._disarm()
        self._reading = None
        self._closed = True
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.flow.resume_reading()
        self._deadline = self.loop.call_later(LINGER, self.transport.close)

    def _close(self) -> None:
        self._disarm()
        self._reading = None
        self._closed = True
        self.transport.close()


def guarded_protocol(limits: ServingSettings | None = None) -> type[GuardedProtocol]:
    """:class:`GuardedProtocol` with ``limits`` (default: ``DSOP_SERVING_*`` from the environment)."""
    return type("GuardedProtocol", (GuardedProtocol,), {"limits": limits or ServingSettings()})


def config(app: Any, *, limits: ServingSettings | None = None, **options: Any) -> uvicorn.Config:
    """A uvicorn ``Config`` for ``app`` on the guarded protocol; ``options`` as for ``uvicorn.Config``
    (``log_config`` is None unless given: the project's JSON logging stays in force)."""
    options.setdefault("log_config", None)
    return uvicorn.Config(app, http=guarded_protocol(limits), **options)


async def serve(server: uvicorn.Server, **options: Any) -> None:
    """``server.serve(**options)``, its log lines naming the party its app was observed as."""
    party, bank = party_of(server.config.app) or ("opendsop", None)
    with speaking_as(party, bank):  # tasks the server starts (connections, lifespan) inherit the context
        await server.serve(**options)


def run(app: Any, *, limits: ServingSettings | None = None, workers: int = 1, **options: Any) -> None:
    """``uvicorn.run`` on the guarded protocol, logging as JSON: what every party's ``serve`` command calls.

    ``app`` is the party's ASGI app, or a factory building it (a picklable callable without arguments,
    e.g. ``functools.partial(create_app, settings)``).  With ``workers > 1`` it must be a factory: the
    listening socket is bound here, and ``workers`` processes each build the app and serve on it; one
    that dies is replaced (uvicorn's supervisor), the others serve on meanwhile.  Whatever the party
    keeps must then live outside the process (its database, Redis): see docs/decisions.md.
    """
    from opendsop.tracing import configure_tracing

    if workers > 1:
        _run_workers(app, workers, limits or ServingSettings(), options)
        return
    if isinstance(app, Factory):
        app = app()
    configure_tracing()
    server = uvicorn.Server(config(app, limits=limits, **options))
    party, bank = party_of(app) or ("opendsop", None)
    with speaking_as(party, bank), contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends it, as uvicorn.run
        server.run()  # asyncio.run copies the context (the party) into the server's tasks
    if not server.started:  # as uvicorn.run: an app whose startup failed ends the command with status 3
        raise SystemExit(3)


class Factory:
    """A party's app factory for :func:`run`: ``Factory(create_app, settings)`` builds ``create_app(settings)``
    in whichever process serves it (picklable when its function and arguments are)."""

    def __init__(self, build: Any, *args: Any, **kwargs: Any) -> None:
        self.build, self.args, self.kwargs = build, args, kwargs

    def __call__(self) -> Any:
        return self.build(*self.args, **self.kwargs)


class WorkerProtocol(GuardedProtocol):
    """The guarded protocol in a worker process; ``limits`` is set there by :class:`_WorkerApp` (a class
    made by :func:`guarded_protocol` cannot be sent to a spawned process)."""

    limits: ClassVar[ServingSettings]


class _WorkerApp:
    """Runs in each worker: logging and tracing as in one process, then the party's app."""

    def __init__(self, factory: Factory, limits: ServingSettings, log_level: str) -> None:
        self.factory, self.limits, self.log_level = factory, limits, log_level

    def __call__(self) -> Any:
        from opendsop.serving import configure_logging
        from opendsop.tracing import configure_tracing

        configure_logging(self.log_level)
        configure_tracing()
        WorkerProtocol.limits = self.limits
        return self.factory()


def _run_workers(factory: Any, workers: int, limits: ServingSettings, options: dict[str, Any]) -> None:
    from uvicorn.supervisors import Multiprocess

    if not isinstance(factory, Factory):
        raise TypeError("several workers need the app as a Factory: each worker process builds its own")
    options.setdefault("log_config", None)
    level = logging.getLevelName(logging.getLogger().level)
    worker_config = uvicorn.Config(
        _WorkerApp(factory, limits, level if isinstance(level, str) else "INFO"),
        factory=True,
        http=WorkerProtocol,
        workers=workers,
        **options,
    )
    sock = worker_config.bind_socket()
    try:
        Multiprocess(worker_config, sockets=[sock]).run()
    finally:
        sock.close()


__all__ = ["Factory", "GuardedProtocol", "WorkerProtocol", "config", "guarded_protocol", "run", "serve"]
