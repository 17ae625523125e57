"""Conventions shared by every party's ASGI app: SQL engines, bearer tokens, correlation ids, logs.

Each party (authority, CertPub, the relations hub, the registers, a bank) is its own small app; what
they must do the same way lives here once, so a bank's operator sees one convention everywhere.

Logs: every line — the parties' own and uvicorn's (its loggers propagate to the one JSON handler,
``log_config=None`` in :mod:`opendsop.server`) — is one JSON object naming the ``party`` that wrote it
and, at a bank, the ``bank`` (organisation number), so twenty banks sharing one ``dsop up`` process
can be told apart.  The party comes from a context variable set per request by :func:`observe` (and
per server by :mod:`opendsop.server`), so library code needs no logger of its own per party.

:func:`observe` wraps a party's app once its factory has built it: the party's log context, a
server span per request continuing the caller's W3C ``traceparent`` (:mod:`opendsop.tracing`), and
the pages every party serves alike (``/``, ``/docs``, ``/metrics``: :mod:`opendsop.party_pages`).
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.files import private_file

if TYPE_CHECKING:  # SQLAlchemy is imported when an engine is made: a command's --help needs none
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# An 11-digit run is a fødselsnummer or D-number until proven otherwise: never log it in clear.
_PERSON_NUMBER = re.compile(r"(?<!\d)\d{6}(\d{5})(?!\d)")


class ServingSettings(BaseSettings):
    """Limits every party applies the same way (environment ``DSOP_SERVING_*``; seconds and bytes).

    * ``STATEMENT_TIMEOUT`` — the longest one SQL statement may run or wait for a lock (PostgreSQL
      ``statement_timeout``, SQLite's busy timeout): a locked table gives a prompt error instead of
      holding requests for as long as the lock lasts.  Below an agency's 30 s call timeout
      (``DSOP_CONSUMER_TIMEOUT``), so the agency hears an error rather than its own timeout;
    * ``HEADER_TIMEOUT`` — the time a client has to send a request's line and headers, from the first
      byte (or from connecting, for the first request on a connection);
    * ``BODY_TIMEOUT`` — the longest wait for the next piece of a request body;
    * ``MAX_HEADER_BYTES`` — the most a request line and headers may take together (then 431);
    * ``MAX_BODY_BYTES`` — the largest request body accepted (then 413).
    """

    model_config = SettingsConfigDict(env_prefix="DSOP_SERVING_", frozen=True, extra="forbid")

    statement_timeout: float = Field(default=5.0, gt=0, le=3600)
    header_timeout: float = Field(default=5.0, gt=0, le=3600)
    body_timeout: float = Field(default=10.0, gt=0, le=3600)
    max_header_bytes: int = Field(default=64 * 1024, ge=1024)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)


def create_engine(database_url: str | URL, *, statement_timeout: float | None = None, **options: Any) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` (embedded default) or ``postgresql+asyncpg://``.

    For a SQLite file its directory is created, a new file is readable by its owner only (it may hold
    keys or customers' data), and every connection gets WAL journaling (with ``synchronous=NORMAL``,
    the setting WAL is designed for) and foreign keys, so readers do not block the writer, commits do
    not each wait for the disk, and references hold as in PostgreSQL.

    Every session has a statement timeout (``statement_timeout``, default ``DSOP_SERVING_STATEMENT_TIMEOUT``):
    PostgreSQL cancels a statement that runs or waits for a lock longer, SQLite gives up waiting for a
    locked database.  ``options`` go to SQLAlchemy's ``create_async_engine``.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    url = make_url(database_url)
    timeout = statement_timeout if statement_timeout is not None else ServingSettings().statement_timeout
    milliseconds = max(1, round(timeout * 1000))
    if url.get_backend_name() != "sqlite":
        connect_args = dict(options.pop("connect_args", {}))
        server_settings = {"statement_timeout": str(milliseconds), **connect_args.pop("server_settings", {})}
        return create_async_engine(
            url, **{"pool_pre_ping": True, **options}, connect_args={**connect_args, "server_settings": server_settings}
        )
    if url.database not in (None, "", ":memory:") and not url.database.startswith("file:"):
        private_file(Path(url.database))  # owner-only: the token service's signing keys, a bank's customers
    engine = create_async_engine(url, **options)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={milliseconds}")  # first: the pragmas below may wait for a lock
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives a process crash; only an OS crash may lose the last ones.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


async def without_statement_timeout(connection: AsyncConnection) -> None:
    """Lift the statement timeout for the rest of ``connection``'s transaction (PostgreSQL; SQLite has none).

    For bulk work only — migrations and loads — whose statements may rightly run longer than a request's.
    Waiting for a lock stays bounded by the same time (``lock_timeout``): a locked table still gives a
    prompt error rather than a load that waits, and makes everyone queued behind it wait, indefinitely.
    """
    from sqlalchemy import text

    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT set_config('lock_timeout', current_setting('statement_timeout'), true)"))
        await connection.execute(text("SET LOCAL statement_timeout = 0"))


def http_url(value: str) -> str:
    """A party's public base URL: http(s) only, without a trailing slash (settings validator)."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


# A settings field holding a public base URL, e.g. ``public_url: PublicUrl = "http://127.0.0.1:8010"``.
PublicUrl = Annotated[str, AfterValidator(http_url)]


def correlation_id(header: str | None) -> str:
    """The caller's CorrelationID when it is a UUID, else a fresh one for our own logs."""
    if header:
        try:
            return str(uuid.UUID(header.strip()))
        except ValueError:
            pass
    return str(uuid.uuid4())


def redact(text: str) -> str:
    """Mask person numbers in free text bound for a log (privacy by default): 12345678901 → ******78901."""
    return _PERSON_NUMBER.sub(lambda match: "******" + match.group(1), text)


# LogRecord attributes that are not ours; everything else passed in ``extra`` is emitted as a field.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}
_json = msgspec.json.Encoder()


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", ...extra fields}`` as one JSON line, person numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD_ATTRIBUTES and not name.startswith("_"):
                fields[name] = value if isinstance(value, int | float | bool) or value is None else str(value)
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return redact(_json.encode(fields).decode("utf-8"))


# Who is speaking: set per request (observe) and per uvicorn server (opendsop.server), read by every record.
_PARTY: ContextVar[tuple[str, str | None] | None] = ContextVar("opendsop_party", default=None)
_PROCESS_PARTY = "opendsop"  # lines written outside any party (the CLI, dsop up's own progress)
# uvicorn's loggers: with log_config=None uvicorn leaves them alone, and they reach the root's JSON handler.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


@contextlib.contextmanager
def speaking_as(party: str, bank: str | None = None) -> Iterator[None]:
    """Every record logged inside the block (and in tasks it starts) names ``party`` and ``bank``."""
    token = _PARTY.set((party, bank))
    try:
        yield
    finally:
        _PARTY.reset(token)


def current_party() -> tuple[str, str | None] | None:
    """The ``(party, bank)`` the running code serves, if any."""
    return _PARTY.get()


class PartyFields(logging.Filter):
    """Adds ``party`` (and, at a bank, ``bank``) to every record unless the call passed its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        party, bank = _PARTY.get() or (_PROCESS_PARTY, None)
        if not hasattr(record, "party"):
            record.party = party
        if bank is not None and not hasattr(record, "bank"):
            record.bank = bank
        return True


def configure_logging(level: str = "INFO") -> None:
    """Every record, uvicorn's included, to stderr as one JSON line naming its party, person numbers masked;
    called by each ``serve`` command and by ``dsop up``."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(PartyFields())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in UVICORN_LOGGERS:  # a uvicorn log_config applied earlier must not keep its text handlers
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers[:] = []
        uvicorn_logger.propagate = True


def observe(
    app: Any, party: str, *, bank: str | None = None, openapi_url: str | None = None, title: str | None = None
) -> Any:
    """``app`` (a party's Litestar app) with its log context, traces and the shared pages; returns ``app``.

    Wraps ``app.asgi_handler`` (outermost), so even a 404 is logged and traced as the party's;
    ``openapi_url`` is the party's OpenAPI document for ``/docs`` (default: Litestar's, when it has one).
    """
    from opendsop.party_pages import PartyPages
    from opendsop.tracing import ServerSpans

    app.state["opendsop_party"] = (party, bank)
    pages = PartyPages(app, party, bank=bank, openapi_url=openapi_url, title=title)
    app.asgi_handler = _Speaking(ServerSpans(pages.wrap(app.asgi_handler), party, bank), party, bank)
    return app


def party_of(app: Any) -> tuple[str, str | None] | None:
    """The ``(party, bank)`` an app was observed as (:func:`observe`), if it was."""
    state = getattr(app, "state", None)
    return state.get("opendsop_party") if state is not None else None


class _Speaking:
    """Sets the party's log context for each request (an ASGI layer)."""

    def __init__(self, inner: Any, party: str, bank: str | None) -> None:
        self.inner, self.party, self.bank = inner, party, bank

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with speaking_as(self.party, self.bank):
            await self.inner(scope, receive, send)


__all__ = [
    "UVICORN_LOGGERS",
    "JsonFormatter",
    "PartyFields",
    "PublicUrl",
    "ServingSettings",
    "configure_logging",
    "correlation_id",
    "create_engine",
    "current_party",
    "http_url",
    "observe",
    "party_of",
    "redact",
    "speaking_as",
    "without_statement_timeout",
]
