"""What an operator sees of a running ecosystem: one trace per agency call across the parties, a page at
``/`` naming each party, health and metrics everywhere, API docs that load without the internet, and
JSON log lines that name the party (and the bank) that wrote them."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from rich.console import Console

from opendsop import tracing
from opendsop.ecosystem.runner import Running
from opendsop.ecosystem.tour import run_tour
from tests.ecosystem.harness import DSOP, Background, tiny_topology

pytestmark = pytest.mark.timeout(600)
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    yield exporter
    tracing.use_tracer_provider(None)


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory, spans: InMemorySpanExporter) -> Iterator[Running]:
    with Background(tiny_topology(tmp_path_factory.mktemp("observed"))) as running:
        yield running


def test_one_agency_call_is_one_trace_from_the_consumer_through_the_token_service_and_the_bank_to_the_registers(
    ecosystem: Running, spans: InMemorySpanExporter
) -> None:
    spans.clear()
    asyncio.run(run_tour(ecosystem, Console(file=StringIO(), width=200), ("konkurs",)))
    finished = spans.get_finished_spans()
    by_id = {span.context.span_id: span for span in finished}
    calls = [span for span in finished if span.name.startswith("dsop ") and span.parent is None]
    assert calls, "the consumer opens a span per call"

    def party_of(span: ReadableSpan) -> str | None:
        party = (span.attributes or {}).get("dsop.party")
        return str(party) if party is not None else None

    def ancestors(span: ReadableSpan) -> list[ReadableSpan]:
        chain = []
        while span.parent is not None:
            span = by_id[span.parent.span_id]  # every parent is a span of the same trace: the links hold
            chain.append(span)
        return chain

    complete = []
    for call in calls:
        trace = [span for span in finished if span.context.trace_id == call.context.trace_id]
        parties = {party_of(span) for span in trace if span.kind is SpanKind.SERVER}
        if {"authority", "bank", "registers"} <= parties:
            complete.append(trace)
            for span in trace:
                assert span is call or ancestors(span)[-1] is call  # one tree, rooted at the agency's call
            registers = next(span for span in trace if party_of(span) == "registers")
            assert "bank" in {party_of(span) for span in ancestors(registers)}  # the bank asked the registers
    assert complete, (
        f"no call reached the token service, a bank and the registers in one trace: "
        f"{sorted({party_of(span) for span in finished} - {None})}"
    )


def origins(running: Running) -> list[tuple[str, str]]:
    """Each party and its origin (a bank's registered URL ends in /v2: its pages are at the root)."""
    return [(party, f"{urlsplit(url).scheme}://{urlsplit(url).netloc}") for party, url in running.urls.items()]


def test_every_party_names_itself_at_the_root_and_serves_health_and_metrics(ecosystem: Running) -> None:
    with httpx.Client(timeout=30) as http:
        for party, url in origins(ecosystem):
            home = http.get(url + "/")
            assert home.status_code == 200, party
            assert home.headers["content-type"].startswith("text/html")
            assert "version" in home.text and 'href="/metrics"' in home.text, party
            assert http.get(url + "/health").status_code == 200, party
            metrics = http.get(url + "/metrics")
            assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain"), party


def test_the_api_docs_load_every_asset_from_the_party_itself(ecosystem: Running) -> None:
    documented = 0
    with httpx.Client(timeout=30) as http:
        for party, url in origins(ecosystem):
            page = http.get(url + "/docs")
            if party in ("callbacks", "agency-ui", "megler-ui"):  # pages for a browser, no API
                assert page.status_code == 404
                continue
            assert page.status_code == 200, party
            references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
            references += re.findall(r'url: "([^"]+)"', page.text)  # the OpenAPI document Swagger UI loads
            assert len(references) >= 4, party
            for reference in references:
                target = urljoin(url + "/docs", reference)
                assert urlsplit(target).netloc == urlsplit(url).netloc, (party, reference)
                assert http.get(target).status_code == 200, (party, reference)
            assert http.get(url + "/schema/swagger").status_code in (308, 404), party  # never a CDN page
            redoc = http.get(url + "/redoc")
            assert redoc.status_code == 200, party
            scripts = re.findall(r'src="([^"]+)"', redoc.text)
            assert scripts and all(urlsplit(urljoin(url, src)).netloc == urlsplit(url).netloc for src in scripts)
            assert all(http.get(urljoin(url, src)).status_code == 200 for src in scripts), party
            assert "Redoc.init(" + json.dumps(references[-1]) in redoc.text, party  # the same OpenAPI document
            documented += 1
    assert documented >= 10


def test_no_source_file_names_a_cdn() -> None:
    cdn = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.|fonts\.googleapis")
    offenders = [
        str(path)
        for path in SRC.rglob("*")
        if path.suffix in (".py", ".html", ".js", ".css", ".j2")
        and cdn.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_every_log_line_of_a_running_bank_and_register_is_json_naming_its_party(tmp_path: Path) -> None:
    topology = tiny_topology(tmp_path)
    bank = topology.banks[0]
    env = {**os.environ, "DSOP_ECOSYSTEM": str(topology.path), "COLUMNS": "200"}
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [
                DSOP,
                "up",
                "--topology",
                str(topology.path),
                "--only",
                "registers",
                "--only",
                f"bank-{bank.orgno}",
                "--log-level",
                "INFO",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=topology.var_dir,
        )
    assert process.stdout is not None
    shown: list[str] = []
    try:
        for line in process.stdout:  # until dsop up says every party serves
            shown.append(line)
            if "Ctrl-C stops them all" in line:
                break
        else:
            pytest.fail("dsop up ended before serving:\n" + "".join(shown) + log.read_text())
        with httpx.Client(timeout=30) as http:
            for base in (f"http://{topology.host}:{bank.port}", topology.url("registers")):
                for path in ("/", "/health", "/no-such-page", "/v2/accounts?x=12345678901"):
                    http.get(base + path)
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records, "dsop up --log-level INFO logs"
    assert all("party" in record for record in records)
    assert not any("12345678901" in line for line in lines)  # person numbers stay masked
    assert {"bank", "registers"} <= {record["party"] for record in records}
    assert all(record.get("bank") == bank.orgno for record in records if record["party"] == "bank")
    assert any(record["logger"].startswith("uvicorn") for record in records)  # uvicorn's lines are JSON too
