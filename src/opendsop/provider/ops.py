"""The bank's operations console (``/ops``): what came in, what the Konkursvarsel feed blocked, the limits.

For the bank's own staff (the local OIDC-shaped login, role ``operations``), on the bank's own app:

* **incoming requests** from the audit log, counted by consumer, service and outcome; the list shows no
  personal data — the party and account reference of one request are shown only after a click that is
  itself written to the audit log (endpoint ``ops:view``, RequesterID the staff member);
* **Konkursvarsel**: the notices the bank has read and the accounts they blocked;
* **rate limits**: the configured rate and burst per consumer.

Extension point: :meth:`OpsConsole.add_section` adds a section (its nav entry, text and routes) — the
digital letters to answer and the transport guarantees plug in there (``opendsop.backoffice.ops_console``).
In production no local login exists, so the console is not mounted unless the bank configures its staff directory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from litestar import Request, Response, Router, get, post
from litestar.params import FromPath
from sqlalchemy import select

from opendsop.audit.log import AuditRecord
from opendsop.clock import Clock, utc_now
from opendsop.web import ROLE_LETTERS, ROLE_OPERATIONS, PageError, StaffDirectory, StaffUser, WebKit

PAGES = Path(__file__).parent / "ops_pages"
PREFIX = "/ops"
SCAN_LIMIT = 50_000  # audit records read for the overview (the newest are listed)
LISTED = 200

TEXTS: Mapping[str, Mapping[str, str]] = {
    "nb": {
        "ops_home": "Oversikt", "requests": "Innkommende forespørsler", "konkurs": "Konkursvarsel",
        "limits": "Grenser", "by_consumer": "Per konsument", "by_service": "Per tjeneste", "by_outcome":
        "Per utfall", "consumer": "Konsument", "service": "Tjeneste", "outcome": "Utfall", "count": "Antall",
        "time": "Tidspunkt", "endpoint": "Endepunkt", "status": "HTTP-status", "records": "Poster",
        "show_party": "Vis part (loggføres)", "party": "Part", "account_ref": "Kontoreferanse", "request":
        "Forespørsel", "audited": "Visningen er skrevet til revisjonsloggen.", "notices": "Varsler lest",
        "blocked": "Sperrede kontoer", "debtor": "Skyldner", "type": "Type", "ruling": "Kjennelsesdato",
        "changed": "Kontoer endret", "account": "Konto", "blocked_at": "Sperret", "rate": "Forespørsler per "
        "sekund per konsument", "burst": "Største topp", "rate_off": "av (ingen grense)", "scanned": "Leste "
        "revisjonsposter",
        "console": "Driftskonsoll", "no_data": "Ingen data ennå.",
    },
    "en": {
        "ops_home": "Overview", "requests": "Incoming requests", "konkurs": "Konkursvarsel", "limits": "Limits",
        "by_consumer": "By consumer", "by_service": "By service", "by_outcome": "By outcome", "consumer":
        "Consumer", "service": "Service", "outcome": "Outcome", "count": "Count", "time": "Time", "endpoint":
        "Endpoint", "status": "HTTP status", "records": "Records", "show_party": "Show party (audited)",
        "party": "Party", "account_ref": "Account reference", "request": "Request", "audited": "This view is "
        "written to the audit log.", "notices": "Notices read", "blocked": "Blocked accounts", "debtor":
        "Debtor", "type": "Type", "ruling": "Ruling date", "changed": "Accounts changed", "account": "Account",
        "blocked_at": "Blocked", "rate": "Requests per second per consumer", "burst": "Largest burst",
        "rate_off": "off (no limit)", "scanned": "Audit records read",
        "console": "Operations console", "no_data": "No data yet.",
    },
}  # fmt: skip


def default_staff(bank_orgno: str) -> StaffDirectory:
    """The test environment's synthetic staff: ``drift`` (operations, letters), ``brev`` (letters only)."""
    return StaffDirectory([
        StaffUser("drift", "Driftsansvarlig (test)", bank_orgno, (ROLE_OPERATIONS, ROLE_LETTERS)),
        StaffUser("brev", "Brevbehandler (test)", bank_orgno, (ROLE_LETTERS,)),
    ])  # fmt: skip


@dataclass
class OpsConsole:
    """The console of one bank; ``pipeline()`` gives the running pipeline (store, audit log, limiter)."""

    bank_orgno: str
    bank_name: str
    pipeline: Callable[[], Any]
    kit: WebKit
    sections: list[tuple[str, str]] = field(default_factory=list)  # (path below /ops, text key)
    handlers: list[Any] = field(default_factory=list)

    def add_section(
        self, path: str, texts: Mapping[str, Mapping[str, str]], key: str, routes: Sequence[Any], *,
        templates: Path | None = None,
    ) -> None:  # fmt: skip
        """A section of its own: its nav entry (``key`` in ``texts``) at ``/ops{path}``, its handlers and the
        folder of its templates (looked up before the console's own)."""
        if templates is not None:
            self.kit.env.loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(templates), self.kit.env.loader])  # type: ignore[list-item]
        for lang, words in texts.items():
            self.kit.texts[lang].update(words)
        self.kit.nav.append((path, key, "staff"))
        self.handlers.extend(routes)

    async def audited(
        self, subject: str | None, *, endpoint: str, correlation_id: str, party_id: str | None = None,
        account_reference: str | None = None, account_info_request_id: str | None = None,
    ) -> None:  # fmt: skip
        """A staff member saw personal data: one record in the bank's audit log (``ops:…``, the staff member as
        RequesterID), so every click-through of the console is accounted for."""
        await self.pipeline().audit.append(
            AuditRecord(
                recorded_at=self.kit.now(),
                correlation_id=correlation_id,
                requester_id=subject,
                consumer_org=self.bank_orgno,
                endpoint=endpoint,
                party_id=party_id,
                account_reference=account_reference,
                account_info_request_id=account_info_request_id,
                outcome="allowed",
                status=200,
            )  # fmt: skip
        )

    def router(self) -> Router:
        return self.kit.router([*ops_routes(self), *self.handlers])


async def _scan(audit: Any) -> tuple[list[Any], Counter[str], Counter[str], Counter[str], int]:
    rows: list[Any] = []
    consumers: Counter[str] = Counter()
    services: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    after = scanned = 0
    while scanned < SCAN_LIMIT:
        batch = await audit.records(after=after, limit=1000)
        if not batch:
            break
        for row in batch:
            record: AuditRecord = row.record
            if record.endpoint.startswith("ops:"):
                continue
            consumers[record.consumer_org or "—"] += 1
            services[record.service or "—"] += 1
            outcomes[record.outcome] += 1
        rows = [*rows, *batch][-LISTED:]
        scanned += len(batch)
        after = batch[-1].sequence
    return rows, consumers, services, outcomes, scanned


async def _konkurs(store: Any) -> tuple[list[Any], list[Any]]:
    from opendsop.provider.store import schema

    engine = getattr(store, "_engine", None)
    if engine is None:  # the in-memory twin keeps no such tables
        return [], []
    n, b, a = schema.konkurs_notice, schema.konkurs_block, schema.account
    async with engine.connect() as conn:
        notices = (
            await conn.execute(
                select(n.c.uuid, n.c.type, n.c.debitor, n.c.kjennelsesdato, n.c.applied_at, n.c.accounts_changed)
                .order_by(n.c.applied_at.desc())
                .limit(200)
            )
        ).all()
        blocks = (await conn.execute(select(a.c.account_number, b.c.party_id, b.c.blocked_at)
                                     .join(a, a.c.account_id == b.c.account_id)
                                     .order_by(b.c.blocked_at.desc()).limit(500))).all()  # fmt: skip
    return list(notices), list(blocks)


def ops_routes(console: OpsConsole) -> list[Any]:
    kit = console.kit

    def staff(request: Request[Any, Any, Any]) -> Any:
        return kit.require(request, kind="staff", role=ROLE_OPERATIONS)

    @get("/")
    async def home(request: Request[Any, Any, Any]) -> Response[str]:
        session = staff(request)
        _, consumers, services, outcomes, scanned = await _scan(console.pipeline().audit)
        return kit.render(request, "ops_home.html", session=session, bank=console.bank_name, consumers=consumers,
                          services=services, outcomes=outcomes, scanned=scanned)  # fmt: skip

    @get("/requests")
    async def requests(request: Request[Any, Any, Any]) -> Response[str]:
        session = staff(request)
        rows, *_ = await _scan(console.pipeline().audit)
        wanted = {k: request.query_params.get(k) for k in ("consumer", "service", "outcome")}
        listed = [
            r for r in reversed(rows)
            if not r.record.endpoint.startswith("ops:")
            and (not wanted["consumer"] or r.record.consumer_org == wanted["consumer"])
            and (not wanted["service"] or r.record.service == wanted["service"])
            and (not wanted["outcome"] or r.record.outcome == wanted["outcome"])
        ]  # fmt: skip
        return kit.render(request, "ops_requests.html", session=session, rows=listed, wanted=wanted)

    @post("/requests/{sequence:int}/party", status_code=200)
    async def show_party(request: Request[Any, Any, Any], sequence: FromPath[int]) -> Response[str]:
        staff(request)
        session, _ = await kit.form(request)
        audit = console.pipeline().audit
        found = await audit.records(after=sequence - 1, limit=1)
        if not found or found[0].sequence != sequence:
            raise PageError(404, "not_found")
        seen = found[0].record
        await console.audited(
            session.subject, endpoint="ops:view", correlation_id=f"ops-view-{sequence}", party_id=seen.party_id,
            account_reference=seen.account_reference, account_info_request_id=seen.account_info_request_id,
        )  # fmt: skip
        return kit.render(request, "ops_party.html", session=session, row=found[0])

    @get("/konkurs")
    async def konkurs(request: Request[Any, Any, Any]) -> Response[str]:
        session = staff(request)
        notices, blocks = await _konkurs(console.pipeline().store)
        return kit.render(request, "ops_konkurs.html", session=session, notices=notices, blocks=blocks)

    @get("/limits")
    async def limits(request: Request[Any, Any, Any]) -> Response[str]:
        session = staff(request)
        limiter = console.pipeline().limiter
        return kit.render(request, "ops_limits.html", session=session, rate=limiter.rate, burst=limiter.burst)

    return [home, requests, show_party, konkurs, limits]


def console_for(
    bank_orgno: str, bank_name: str, pipeline: Callable[[], Any], staff: StaffDirectory, *,
    clock: Clock = utc_now, secure: bool = False,
) -> OpsConsole:  # fmt: skip
    kit = WebKit(
        title={"nb": f"{bank_name} — driftskonsoll", "en": f"{bank_name} — operations console"}, templates=PAGES,
        texts=TEXTS, prefix=PREFIX, staff=staff, clock=clock, secure=secure, client_id=f"bank-ops-{bank_orgno}",
        nav=[("/", "ops_home", "staff"), ("/requests", "requests", "staff"), ("/konkurs", "konkurs", "staff"),
             ("/limits", "limits", "staff")],
    )  # fmt: skip
    return OpsConsole(bank_orgno, bank_name, pipeline, kit)


__all__ = ["PREFIX", "TEXTS", "OpsConsole", "console_for", "default_staff"]
