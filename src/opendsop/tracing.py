"""Traces across the parties: OpenTelemetry spans joined by the W3C ``traceparent`` header.

One agency call follows a path — consumer → token service → bank → registers — and each hop is a
span in the same trace: every party's app continues the caller's ``traceparent`` in a server span
(:class:`ServerSpans`, put in front of each app by :func:`opendsop.serving.observe`); the consumer's
transport opens a client span per request and sends its context (:func:`client_span`); a bank's
register clients pass on the context of the request they serve (:func:`propagate`).  W3C Trace
Context is the header (https://www.w3.org/TR/trace-context/), so an operator's own tracing joins in.

Exporting is the operator's choice, ``DSOP_TRACES`` (read by :func:`configure_tracing`):

* ``off`` (the default) — spans are not recorded (OpenTelemetry's no-op provider: no cost);
* ``console`` — each finished span as one JSON line on stderr;
* ``otlp`` — to an OpenTelemetry collector over OTLP/HTTP (``OTEL_EXPORTER_OTLP_ENDPOINT``), when
  ``opentelemetry-exporter-otlp-proto-http`` is installed (``pip install 'opendsop[otlp]'``).

Span names and attributes carry the method, the route and the status, never a query string, and a
person number in a path is masked as in the logs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, MutableMapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger("opendsop.tracing")

_W3C = TraceContextTextMapPropagator()
_provider: Any = None  # set by configure_tracing / use_tracer_provider; else OpenTelemetry's global one
MODES = ("off", "console", "otlp")


def tracer() -> trace.Tracer:
    """The project's tracer, from the configured provider (no-op until one is configured)."""
    return (_provider or trace.get_tracer_provider()).get_tracer("opendsop")


def use_tracer_provider(provider: Any) -> None:
    """Record spans with ``provider`` (an SDK ``TracerProvider``; None: back to OpenTelemetry's global one)."""
    global _provider
    _provider = provider


def configure_tracing(mode: str | None = None) -> str:
    """Set up exporting as ``mode`` says (default ``DSOP_TRACES``, else ``off``); returns the mode in force.

    An unknown mode or an OTLP exporter that is not installed leaves tracing off, with one warning line.
    Without ``mode``, a provider already in use is kept ("on"): ``dsop up --tour`` configures it, its agency asks again.
    """
    if mode is None and _provider is not None:
        return "on"
    mode = (mode if mode is not None else os.environ.get("DSOP_TRACES", "off")).strip().lower() or "off"
    if mode not in MODES:
        log.warning("DSOP_TRACES=%s is not one of %s; traces are off", mode, "|".join(MODES))
        return "off"
    if mode == "off":
        return mode
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    exporter: SpanExporter
    if mode == "console":
        exporter = ConsoleSpanExporter(out=sys.stderr, formatter=lambda span: span.to_json(indent=None) + "\n")
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            log.warning(
                "DSOP_TRACES=otlp needs opentelemetry-exporter-otlp-proto-http "
                "(pip install 'opendsop[otlp]'); traces are off"
            )
            return "off"
        exporter = OTLPSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "opendsop"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    use_tracer_provider(provider)
    return mode


def inject(headers: MutableMapping[str, str]) -> None:
    """Add the current span's ``traceparent`` (and ``tracestate``) to outgoing ``headers``."""
    _W3C.inject(headers)


async def _inject_httpx(request: Any) -> None:
    _W3C.inject(request.headers)


def propagate(client: Any) -> Any:
    """``client`` (an ``httpx.AsyncClient``) sending the current trace context with every request."""
    hooks = client.event_hooks
    hooks["request"] = [*hooks.get("request", []), _inject_httpx]
    client.event_hooks = hooks
    return client


@contextlib.contextmanager
def client_span(method: str, url: str, headers: MutableMapping[str, str]) -> Iterator[trace.Span]:
    """A client span for one outgoing request; its context is added to ``headers`` to send."""
    from opendsop.serving import redact

    path = url.split("?", 1)[0]
    with tracer().start_as_current_span(
        f"{method} {redact(path)}",
        kind=SpanKind.CLIENT,
        attributes={"http.request.method": method, "url.full": redact(path)},
    ) as span:
        _W3C.inject(headers)
        yield span


def record_status(span: trace.Span, status: int) -> None:
    """The response status on ``span``; a 5xx marks it as an error (OpenTelemetry HTTP conventions)."""
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))


class ServerSpans:
    """An ASGI layer: one server span per HTTP request, continuing the caller's ``traceparent``."""

    def __init__(self, inner: Any, party: str, bank: str | None = None) -> None:
        self.inner, self.party, self.bank = inner, party, bank

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        from opendsop.serving import redact

        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in (b"traceparent", b"tracestate")
        }
        method = scope.get("method", "GET")
        path = redact(scope.get("path", "/"))
        attributes = {"http.request.method": method, "url.path": path, "dsop.party": self.party}
        if self.bank:
            attributes["dsop.bank"] = self.bank
        answered: list[int] = []

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                answered.append(message["status"])
            await send(message)

        with tracer().start_as_current_span(
            f"{method} {path}", context=_W3C.extract(carrier), kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            try:
                await self.inner(scope, receive, sending)
            finally:
                route = scope.get("path_template")
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                record_status(span, answered[0] if answered else 500)


__all__ = [
    "MODES",
    "ServerSpans",
    "client_span",
    "configure_tracing",
    "inject",
    "propagate",
    "record_status",
    "tracer",
    "use_tracer_provider",
]
