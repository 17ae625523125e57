"""Traces: a party continues its caller's W3C traceparent; exporting is off unless DSOP_TRACES asks."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
from collections.abc import Iterator

import httpx
import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from opendsop import tracing
from opendsop.serving import observe

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    yield exporter
    tracing.use_tracer_provider(None)


@get("/persons/{number:str}", sync_to_thread=False)
def person(number: FromPath[str]) -> dict[str, str]:
    return {"number": number}


def test_a_party_continues_the_callers_trace_and_masks_person_numbers(spans: InMemorySpanExporter) -> None:
    app = observe(Litestar([person], openapi_config=None, logging_config=None), "registers")

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registers") as http:
            return await http.get(
                "/persons/12345678901?x=1", headers={"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}
            )

    assert asyncio.run(call()).status_code == 200
    (span,) = spans.get_finished_spans()
    assert span.kind is SpanKind.SERVER
    assert format(span.context.trace_id, "032x") == CALLER_TRACE
    assert span.parent is not None and format(span.parent.span_id, "016x") == CALLER_SPAN
    assert span.attributes is not None and span.attributes["dsop.party"] == "registers"
    assert span.attributes["http.response.status_code"] == 200
    assert "12345678901" not in str(span.name) + str(dict(span.attributes))


def test_traces_are_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DSOP_TRACES", raising=False)
    assert tracing.configure_tracing() == "off"


def test_an_unknown_mode_leaves_traces_off_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "opendsop.tracing"):
        assert tracing.configure_tracing("jaeger") == "off"
    assert [record.getMessage() for record in caplog.records] == [
        "DSOP_TRACES=jaeger is not one of off|console|otlp; traces are off"
    ]


@pytest.mark.skipif(
    importlib.util.find_spec("opentelemetry.exporter") is not None, reason="the OTLP exporter is installed here"
)
def test_otlp_without_its_exporter_says_what_to_install(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "opendsop.tracing"):
        assert tracing.configure_tracing("otlp") == "off"
    assert "pip install 'opendsop[otlp]'" in caplog.text
