"""The løyveregister and Finanstilsynet stand-ins: a guarantee's life cycle, stored (SQLite and PostgreSQL) and
over HTTP, and the documented rejections (DSOP Transportløyvegaranti “Om”; vegvesen.no gebyr og garanti)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx
import msgspec
import pytest

from opendsop.contracts.registers.loyve import SCOPE_LOYVEGARANTI, LoyveregisterClient
from opendsop.registers.app import Stores
from opendsop.standard.services.transport_guarantee import Garantistatus, Reason, Soknad, Status

pytestmark = pytest.mark.anyio

GUARANTOR = "326018155"  # a bank with a concession
OTHER = "283016617"  # another bank with a concession
UNLICENSED = "218609139"
CARRIER = "299603083"
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _seed(stores: Stores) -> None:
    await stores.loyve.load(
        transportorer=[
            {"organisasjonsnummer": CARRIER, "navn": "Fjordfrakt AS", "loyver": {"GODSLOYVE": 2, "TURVOGNLOYVE": 1}}
        ],
        konsesjoner=[
            {"organisasjonsnummer": GUARANTOR, "navn": "Testbanken ASA", "konsesjonstype": "bank"},
            {"organisasjonsnummer": OTHER, "navn": "Annen Sparebank", "konsesjonstype": "bank"},
        ],
        garantier=[
            {
                "garantiNummer": "A-1",
                "garantistOrgnummer": OTHER,
                "transportorOrgnummer": CARRIER,
                "garantiType": "TURVOGNLOYVE",
                "garantiBelop": "90000",
                "status": "AKTIV",
                "gyldigFra": "2024-01-01",
                "loyvedekning": 1,
            }
        ],
    )


def _case(kind: str, form: str, **fields: Any) -> Soknad:
    return msgspec.convert({"transportorOrgnummer": CARRIER, "soknadtype": kind, form: fields}, Soknad)


NEW = _case("nyGaranti", "nyGaranti", garantinummer="G-1", garantiType="GODSLOYVE", belop="140000")


async def test_a_guarantee_new_replaced_terminated(stores: Stores) -> None:
    await _seed(stores)
    loyve = stores.loyve
    new = await loyve.submit(GUARANTOR, NEW, today=TODAY, now=NOW)
    assert new.status is Status.OK and new.garanti is not None and new.kreves == 140_000  # 90 000 + 50 000
    replace = _case(
        "erstattEgenGaranti",
        "erstattGaranti",
        garantinummer="G-2",
        garantiType="GODSLOYVE",
        belop="150000",
        gammelGarantinummer="G-1",
    )
    replaced = await loyve.submit(GUARANTOR, replace, today=TODAY, now=NOW)
    assert replaced.status is Status.OK
    assert [(g.garantiNummer, g.status) for g in replaced.endret] == [("G-1", Garantistatus.INAKTIV)]
    too_soon = _case(
        "endreGaranti",
        "endreGaranti",
        garantinummer="G-2",
        justerOppsigelseCheck=True,
        oppsigelseaarsak="AVSLUTTET_AV_GARANTIST",
        oppsigelsedato="2026-04-01",
    )
    refused = await loyve.submit(GUARANTOR, too_soon, today=TODAY, now=NOW)
    assert (refused.status, refused.arsak) == (Status.REJECTED, Reason.OPPSIGELSE_FOR_TIDLIG)
    terminate = _case(
        "endreGaranti",
        "endreGaranti",
        garantinummer="G-2",
        justerOppsigelseCheck=True,
        oppsigelseaarsak="AVSLUTTET_AV_GARANTIST",
    )
    ended = await loyve.submit(GUARANTOR, terminate, today=TODAY, now=NOW)
    assert ended.status is Status.OK and ended.endret[0].gyldigTil == date(2026, 5, 2)

    mine = {g.garantiNummer: g.status for g in await loyve.guarantees_by(GUARANTOR)}
    assert mine == {"G-1": Garantistatus.INAKTIV, "G-2": Garantistatus.OPPSAGT}
    assert [c.svar.status for c in await loyve.cases_by(GUARANTOR)] == [
        Status.OK,
        Status.OK,
        Status.REJECTED,
        Status.OK,
    ]
    answers = await loyve.letters_to(GUARANTOR)
    assert [letter.svar.status for letter in answers if letter.svar] == [
        Status.OK,
        Status.OK,
        Status.REJECTED,
        Status.OK,
    ]
    notices = await loyve.letters_to(CARRIER)
    assert len(notices) == 1 and notices[0].tilbakekall is not None
    assert (notices[0].tilbakekall.garantiNummer, notices[0].tilbakekall.frist) == ("G-2", date(2026, 5, 2))
    view = await loyve.overview(CARRIER, OTHER)  # another guarantor sees type, status, orgnr and name only
    assert view is not None and {(o.orgnummer, o.navn) for o in view.andreGarantister} == {
        (GUARANTOR, "Testbanken ASA")
    }


@pytest.mark.parametrize(
    ("guarantor", "case", "status", "reason"),
    [
        (UNLICENSED, NEW, Status.REJECTED, Reason.KONSESJON_MANGLER),
        (
            GUARANTOR,
            msgspec.structs.replace(NEW, transportorOrgnummer="256230127"),
            Status.REJECTED,
            Reason.UKJENT_TRANSPORTOR,
        ),
        (
            GUARANTOR,
            _case("nyGaranti", "nyGaranti", garantinummer="G-1", garantiType="GODSLOYVE", belop="139999"),
            Status.REJECTED_BELOP_FOR_LAVT,
            Reason.BELOP_FOR_LAVT,
        ),
        (
            GUARANTOR,
            _case(
                "erstattAnnenGaranti",
                "erstattAndreGarantister",
                orgnummer=OTHER,
                gammelGarantinummer="X-9",
                garantinummer="G-5",
                garantiType="TURVOGNLOYVE",
                belop="90000",
            ),
            Status.REJECTED_FEIL_GAMMEL_GARANTI,
            Reason.FEIL_GAMMEL_GARANTI,
        ),
    ],
    ids=["no concession", "unknown carrier", "under the sum", "wrong old guarantee"],
)
async def test_rejections_write_nothing_but_the_answer(
    stores: Stores, guarantor: str, case: Soknad, status: Status, reason: Reason
) -> None:
    await _seed(stores)
    answer = await stores.loyve.submit(guarantor, case, today=TODAY, now=NOW)
    assert (answer.status, answer.arsak) == (status, reason)
    assert await stores.loyve.guarantees_by(guarantor) == []
    assert [letter.type for letter in await stores.loyve.letters_to(guarantor)] == ["svar"]
    assert await stores.loyve.letters_to(CARRIER) == []


async def test_over_http_with_the_client(app_for: Any, sqlite_stores: Stores, token_issuer: Any) -> None:
    await _seed(sqlite_stores)
    token = str(token_issuer.mint(GUARANTOR, SCOPE_LOYVEGARANTI, "http://registers.test"))
    transport = httpx.ASGITransport(app=app_for(sqlite_stores))
    async with LoyveregisterClient("http://registers.test", token, transport=transport) as client:
        overview = await client.carrier(CARRIER)
        assert overview is not None and overview.loyveoversikt.GODSLOYVE == 2
        assert [(o.orgnummer, o.garantiType.value) for o in overview.andreGarantister] == [(OTHER, "TURVOGNLOYVE")]
        assert await client.carrier("256230127") is None
        answer = await client.submit(NEW)
        assert answer.status is Status.OK
        assert [g.garantiNummer for g in await client.guarantees(CARRIER)] == ["G-1"]
        assert [c.saksnummer for c in await client.cases()] == [answer.saksnummer]
        assert [m.saksnummer for m in await client.letters()] == [answer.saksnummer]
        assert (await client.concession(GUARANTOR)) is not None
        assert await client.concession(UNLICENSED) is None
    async with httpx.AsyncClient(transport=transport, base_url="http://registers.test") as raw:
        bad = await raw.post(
            "/loyveregister/api/v1/saker",
            content=b'{"soknadtype": "nyGaranti"}',
            headers={"Authorization": f"Bearer {token}"},
        )
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
        anonymous = await raw.post("/loyveregister/api/v1/saker", json={})
        assert anonymous.status_code == 401
