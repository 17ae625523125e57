"""A pension institution's sync over HTTP: agreement, employees, income, employments, base and changes; resumable."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from random import Random
from typing import Any

import httpx
import pytest

from opendsop.audit.log import MemoryAuditLog
from opendsop.pension.bransjenorm import DEFAULT_TABLE
from opendsop.pension.client import ApiRefused, OtpClient
from opendsop.pension.membership import MemberMonth, changes
from opendsop.pension.store import PensionStore
from opendsop.pension.sync import sync
from opendsop.serving import create_engine
from opendsop.sources import nav, skatteetaten
from opendsop.sources.data import generate_world
from opendsop.sources.otp_agreements import MemoryAgreements
from opendsop.standard import otp
from opendsop.standard.identifiers import generate_fodselsnummer
from opendsop.standard.values import Month
from opendsop.synth.aordning import AOrdning, make_employer
from tests.otp.test_skatteetaten_otp import EMPLOYER, INST, NOW, STRANGER, TODAY

pytestmark = pytest.mark.anyio
SKE, NAV = "http://ske.test", "http://nav.test"


def world() -> AOrdning:
    rng = Random(3)
    persons = tuple(
        sorted({generate_fodselsnummer(rng, datetime(1970 + n % 30, 1 + n % 12, 5).date()) for n in range(40)})
    )
    employer = make_employer(11, TODAY, EMPLOYER, "TEST AS", persons)
    employer = dataclasses.replace(employer, providers=dict.fromkeys(otp.months(Month(2024, 1), Month(2026, 10)), INST))
    return AOrdning(11, TODAY, {EMPLOYER: employer}, dict.fromkeys(persons, (EMPLOYER,)))


class _Stopped(Exception):
    pass


class _Hosts(httpx.AsyncBaseTransport):
    def __init__(self, apps: dict[str, Any]) -> None:
        self.apps = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.apps[request.url.host].handle_async_request(request)


@pytest.fixture
async def client(token_issuer: Any) -> Any:
    def clock() -> datetime:
        return NOW

    data, agreements = world(), MemoryAgreements()
    small = generate_world(1, today=TODAY, persons=2, organisations=1)
    options: dict[str, Any] = {"audit": MemoryAuditLog(), "clock": clock, "aordning": data, "agreements": agreements}
    apps = {
        "ske.test": skatteetaten.create_app(small, verifier=token_issuer.verifier(SKE + "/", clock=clock), **options),
        "nav.test": nav.create_app(small, verifier=token_issuer.verifier(NAV + "/", clock=clock), **options),
    }

    def build(org: str = INST, fail_after: int | None = None) -> OtpClient:
        calls = [0]

        async def tokens(audience: str, scope: str) -> str:
            calls[0] += 1
            if fail_after is not None and calls[0] > fail_after:
                raise _Stopped  # as Ctrl-C would, in the middle of a month
            return token_issuer.mint(org, scope, audience, now=NOW)

        http = httpx.AsyncClient(transport=_Hosts(apps))
        return OtpClient(http, tokens, skatteetaten_url=SKE, skatteetaten_audience=SKE + "/", nav_url=NAV,
                         nav_audience=NAV + "/")  # fmt: skip

    yield build


@pytest.fixture
async def store(database_url: str) -> Any:
    store = PensionStore(create_engine(database_url))
    await store.create_schema()
    yield store
    await store.close()


async def test_a_sync_then_a_second_run_asks_nothing_again(client: Any, store: PensionStore) -> None:
    report = await sync(client(), store, DEFAULT_TABLE, institution=INST, employer=EMPLOYER, first=Month(2026, 8),
                        today=NOW.date())  # fmt: skip
    assert [m.month for m in report.months] == ["2026-08", "2026-09", "2026-10"]
    assert all(m.listed > 0 and m.base > 0 for m in report.months)
    assert report.months[0].changes == []  # nothing before to compare with
    again = await sync(client(), store, DEFAULT_TABLE, institution=INST, employer=EMPLOYER, first=Month(2026, 8),
                       today=NOW.date())  # fmt: skip
    assert all(m.skipped for m in again.months)


async def test_an_interrupted_month_carries_on_where_it_stopped(client: Any, store: PensionStore) -> None:
    with pytest.raises(_Stopped):
        await sync(client(fail_after=30), store, DEFAULT_TABLE, institution=INST, employer=EMPLOYER,
                   first=Month(2026, 10), today=NOW.date())  # fmt: skip
    report = await sync(client(), store, DEFAULT_TABLE, institution=INST, employer=EMPLOYER, first=Month(2026, 10),
                        today=NOW.date())  # fmt: skip
    [month] = report.months
    assert month.listed == len(await store.members(INST, EMPLOYER, "2026-10"))


async def test_months_without_avtaleforhold_are_not_asked(client: Any, store: PensionStore) -> None:
    """Forutsetninger: the employer's a-melding names another institution, so that one has no avtaleforhold;
    the validity check tells it before any employee is asked for."""
    report = await sync(client(STRANGER), store, DEFAULT_TABLE, institution=STRANGER, employer=EMPLOYER,
                        first=Month(2026, 9), today=NOW.date())  # fmt: skip
    assert [(m.month, m.no_agreement, m.listed) for m in report.months] == [("2026-09", True, 0), ("2026-10", True, 0)]


async def test_a_refusal_names_the_code_and_the_fix(client: Any) -> None:
    with pytest.raises(ApiRefused, match="IM-005 .403.*both the employer"):
        await client(STRANGER).employees(EMPLOYER, Month(2026, 10), Month(2026, 10))


def _member(person: str, *, active: bool = True, percent: float = 100, leave: tuple[str, ...] = (),
            end: str | None = None, reason: str | None = None) -> MemberMonth:  # fmt: skip
    return MemberMonth(person, "2026-10", active, percent, leave, end, reason, Decimal(1000))


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        pytest.param({}, _member("A"), ("new", "from 2026-10, 100 %"), id="a new member"),
        pytest.param({"A": _member("A")}, _member("A", end="2026-10-15", reason="arbeidstakerHarSagtOppSelv"),
                     ("left", "2026-10-15 (arbeidstakerHarSagtOppSelv)"), id="a leaver with sluttårsak"),
        pytest.param({"A": _member("A")}, _member("A", leave=("permisjonMedForeldrepenger",)),
                     ("leave_started", "permisjonMedForeldrepenger"), id="leave started"),
        pytest.param({"A": _member("A", leave=("permittering",))}, _member("A"), ("leave_ended", "permittering"),
                     id="leave ended (permittering as permisjon)"),
        pytest.param({"A": _member("A")}, _member("A", percent=60), ("percent", "100 % → 60 %"),
                     id="position percentage changed"),
        pytest.param({"A": _member("A"), "B": _member("B")}, _member("A"),
                     ("left", "no longer reported by the employer (sluttårsak not given)"), id="no longer reported"),
    ],
)  # fmt: skip
def test_membership_changes(before: dict[str, MemberMonth], now: MemberMonth, expected: tuple[str, str]) -> None:
    assert [(c.kind, c.detail) for c in changes(before, [now])] == [expected]


def test_the_bransjenorm_table() -> None:
    lines = [("fastloenn", Decimal(40000)), ("overtidsgodtgjoerelse", Decimal(3000)), ("bonus", Decimal(9000)),
             ("trekkILoennForFerie", Decimal(-16000)), ("nyKode", Decimal(5))]  # fmt: skip
    assert DEFAULT_TABLE.base(lines) == (Decimal(24000), ("nyKode",))
