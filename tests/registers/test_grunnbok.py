"""Kartverket's stand-ins: a home sale registered in the grunnbok through e-tinglysing (SQLite and PostgreSQL), the
documented refusals, nothing registered twice after a retry; AKELDO; Foretaksregisteret's founding intake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from opendsop.contracts.dsve import signing
from opendsop.contracts.registers.kartverket import (
    SCOPE_ETINGLYSING,
    SCOPE_FORETAK,
    SCOPE_GRUNNBOK,
    Aktoer,
    GrunnbokClient,
    Stiftelsesmelding,
    unit_key,
)
from opendsop.registers.app import Stores
from opendsop.standard.dsve import selskap
from opendsop.standard.dsve import tinglysing as tl
from opendsop.standard.dsve.shipment import to_bytes
from opendsop.standard.dsve.values import Matrikkel

from .kartverket_sample import (
    BUYER,
    BUYER_BANK,
    HOUSE,
    NOW,
    PANT,
    SELLER,
    SELLER_BANK,
    SKJOETE,
    SLETTING,
    STRANGER,
    credential,
    house,
    signed,
    trust,
)

pytestmark = pytest.mark.anyio
KEY = unit_key(HOUSE)


@pytest.fixture
async def kv(database_url: str) -> AsyncIterator[Stores]:
    stores = Stores(database_url, signing_trust=trust(), clock=lambda: NOW)
    await stores.db.create_schema()
    await stores.grunnbok.load([house()])
    try:
        yield stores
    finally:
        await stores.db.close()


async def test_a_home_sale_in_the_grunnbok(kv: Stores) -> None:
    grunnbok = kv.grunnbok
    deed, _ = await grunnbok.submit(signed(SKJOETE, SELLER.id), now=NOW)
    assert (deed.status, deed.dokumenttype) == ("OK", "skjoete")
    mortgage, _ = await grunnbok.submit(signed(PANT, BUYER.id), now=NOW)
    assert mortgage.status == "OK" and mortgage.dokumentnummer and mortgage.embetenummer == tl.EMBETENUMMER
    assert mortgage.dokumentaar == 2026 and mortgage.rettsstiftelsesnummer == 1
    assert b"<status>OK</status>" in mortgage.forsendelsesstatus.encode()
    unit = await grunnbok.unit(KEY)
    assert unit is not None and [h.id for h in unit.hjemmelshavere] == [BUYER.id]
    assert [(h.prioritet, h.panthaver.id) for h in unit.heftelser] == [(1, SELLER_BANK.id), (2, BUYER_BANK.id)]
    assert [u.enhet for u in await grunnbok.units_of(BUYER.id)] == [KEY] and await grunnbok.units_of(SELLER.id) == []
    deleted, _ = await grunnbok.submit(signed(SLETTING, SELLER_BANK.id), now=NOW)
    assert deleted.status == "OK"
    unit = await grunnbok.unit(KEY)
    assert unit is not None and [(h.prioritet, h.panthaver.id) for h in unit.heftelser] == [(1, BUYER_BANK.id)]
    assert [h.dokumentnummer for h in unit.slettede] == [17]


async def test_nothing_is_registered_twice_after_a_retry(kv: Stores) -> None:
    await kv.grunnbok.submit(signed(SKJOETE, SELLER.id), now=NOW)
    document = signed(PANT, BUYER.id)
    first, _ = await kv.grunnbok.submit(document, now=NOW)
    again, duplicate = await kv.grunnbok.submit(document, now=NOW + timedelta(minutes=5))
    assert again == first and not duplicate
    unit = await kv.grunnbok.unit(KEY)
    assert unit is not None and len(unit.heftelser) == 2
    other = tl.Pantedokument(PANT.dokumentreferanse, HOUSE, BUYER_BANK, (BUYER,), 1_000_000)
    refused, duplicate = await kv.grunnbok.submit(signed(other, BUYER.id), now=NOW)
    assert duplicate and (refused.status, refused.kode) == ("REJECTED", "DSVE-009")


REFUSALS = [
    (lambda: signed(PANT, BUYER.id), "REJECTED", "TL-002"),  # the mortgagor does not own the house (no skjøte yet)
    (lambda: signed(SKJOETE, STRANGER.id), "REJECTED", "TL-003"),  # the title holder did not sign
    (lambda: signed(SKJOETE, SELLER.id, STRANGER.id), "REJECTED", "TL-005"),
    (lambda: signed(SLETTING, BUYER_BANK.id), "REJECTED", "TL-003"),  # only the lender deletes its mortgage
    (
        lambda: signed(
            tl.Pantedokument("X1-D1-0001", Matrikkel("0301", "Oslo", 9, 9), BUYER_BANK, (SELLER,), 5), SELLER.id
        ),
        "REJECTED",
        "TL-001",
    ),
    (lambda: b"<sdo><dokument>bm90IHhtbA==</dokument></sdo>", "VALIDATION_FAILED", "DSVE-006"),
    (lambda: b"not xml", "VALIDATION_FAILED", "DSVE-006"),
    (lambda: signing.seal(to_bytes(tl.dokument_xml(SKJOETE)), ["a.b.c"]), "REJECTED", "TL-007"),
    (lambda: _tampered(), "REJECTED", "TL-007"),
]


async def test_e_tinglysing_refusals(kv: Stores) -> None:
    """One row per refusal (a single database per backend: a refused document changes nothing)."""
    for index, (document, status, code) in enumerate(REFUSALS):
        answer, _ = await kv.grunnbok.submit(document(), now=NOW)
        assert (answer.status, answer.kode) == (status, code), (index, answer.beskrivelse)
        unit = await kv.grunnbok.unit(KEY)
        assert unit is not None and [h.id for h in unit.hjemmelshavere] == [SELLER.id] and len(unit.heftelser) == 1


def _tampered() -> bytes:
    """The seller's signature moved onto another document."""
    good = signed(SKJOETE, SELLER.id)
    other = tl.Skjoete(SKJOETE.dokumentreferanse, HOUSE, (SELLER,), (STRANGER,), Decimal(1))
    return good.replace(
        signing.seal(to_bytes(tl.dokument_xml(SKJOETE)), []).split(b"</dokument>")[0].split(b"<dokument>")[1],
        signing.seal(to_bytes(tl.dokument_xml(other)), []).split(b"</dokument>")[0].split(b"<dokument>")[1],
    )


# ------------------------------------------------------------------------------------ Foretaksregisteret

NOTICE = Stiftelsesmelding(
    referanse="SRM-1",
    foretaksnavn="Fjordlys Testselskap AS",
    aksjekapital=Decimal(30_000),
    stiftelsesdato=date(2026, 12, 1),
    stiftere=(BUYER.id,),
    styre=(BUYER.id, SELLER.id),
    bankOrganisasjonsnummer=BUYER_BANK.id,
)


def confirmation(**change: Any) -> bytes:
    fields = {
        "meldingsreferanse": "SRM-1",
        "foretaksnavn": NOTICE.foretaksnavn,
        "beloep": Decimal(30_000),
        "dato": date(2026, 12, 2),
        "bank_orgnr": BUYER_BANK.id,
        "bank_navn": BUYER_BANK.navn,
        "bekreftet_av": "Bente Bank",
        **change,
    }
    value = selskap.Kapitalbekreftelse(**fields)  # type: ignore[arg-type]
    return signing.sign(to_bytes(selskap.bekreftelse_xml(value)), [credential(BUYER_BANK.id)], at=NOW)


async def test_a_company_is_founded_once_and_signs_by_its_board(kv: Stores) -> None:
    foretak = kv.foretak
    assert (await foretak.notify(NOTICE)).status == "mottatt"
    assert (await foretak.notify(NOTICE)).status == "mottatt"  # the same notice again
    wrong = await foretak.confirm("SRM-1", confirmation(beloep=Decimal(20_000)), now=NOW, today=NOW.date())
    assert wrong is not None and (wrong.status, wrong.kode) == ("mottatt", "FR-003")
    done = await foretak.confirm("SRM-1", confirmation(), now=NOW, today=NOW.date())
    assert done is not None and done.status == "registrert" and done.organisasjonsnummer
    again = await foretak.confirm("SRM-1", confirmation(), now=NOW, today=NOW.date())
    assert again == done
    unit = await kv.enhetsregister.organisation(done.organisasjonsnummer)
    assert unit is not None and unit.navn == NOTICE.foretaksnavn and unit.organisasjonsform == "AS"
    both = await kv.enhetsregister.signature_right(done.organisasjonsnummer, BUYER.id, [SELLER.id])
    alone = await kv.enhetsregister.signature_right(done.organisasjonsnummer, BUYER.id)
    assert both is not None and both.allowed and alone is not None and not alone.allowed
    changes = await kv.enhetsregister.changes_after(0, 10)
    assert [c.organisasjonsnummer for c in changes.oppdateringer] == [done.organisasjonsnummer]


MISMATCHES = [
    (lambda: confirmation(foretaksnavn="Annet AS"), date(2026, 12, 8), "mottatt", "FR-003"),
    (lambda: confirmation(meldingsreferanse="SRM-2"), date(2026, 12, 8), "mottatt", "FR-003"),
    (lambda: confirmation(), date(2027, 3, 2), "avvist", "FR-004"),  # more than three months after founding
    (lambda: signing.sign(b"<x/>", [credential(BUYER_BANK.id)], at=NOW), date(2026, 12, 8), "mottatt", "FR-001"),
    (lambda: confirmation_signed_by(SELLER.id), date(2026, 12, 8), "mottatt", "FR-005"),
    (lambda: b"<sdo/>", date(2026, 12, 8), "mottatt", "FR-005"),
]


def confirmation_signed_by(who: str) -> bytes:
    return signing.sign(signing.document_of(confirmation()), [credential(who)], at=NOW)


async def test_a_confirmation_that_does_not_match_is_refused(kv: Stores) -> None:
    """One row per refusal; the notice still waits for a right confirmation, except after three months."""
    await kv.foretak.notify(NOTICE)
    for index, (sdo, today, status, code) in enumerate(MISMATCHES):
        if status == "avvist":
            continue
        answer = await kv.foretak.confirm("SRM-1", sdo(), now=NOW, today=today)
        assert answer is not None and (answer.status, answer.kode) == (status, code), index
        assert answer.organisasjonsnummer is None
    late = await kv.foretak.confirm("SRM-1", MISMATCHES[2][0](), now=NOW, today=MISMATCHES[2][1])
    assert late is not None and (late.status, late.kode) == ("avvist", "FR-004")
    after = await kv.foretak.confirm("SRM-1", confirmation(), now=NOW, today=date(2026, 12, 8))
    assert after == late  # refused for good


# ------------------------------------------------------------------------------------------- over HTTP


async def test_over_http(app_for: Any, token_for: Any, tmp_path: Any) -> None:
    stores = Stores(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", signing_trust=trust(), clock=lambda: NOW)
    await stores.db.create_schema()
    await stores.grunnbok.load(
        [house()],
        [
            Aktoer(
                organisasjonsnummer=BUYER_BANK.id,
                navn=BUYER_BANK.navn,
                rolle="bank",
                sendeliste=("SignedMortgageDeed",),
                mottaksliste=(),
            )
        ],
    )
    transport = httpx.ASGITransport(app=app_for(stores))
    token = token_for(f"{SCOPE_GRUNNBOK} {SCOPE_ETINGLYSING} {SCOPE_FORETAK}")
    try:
        async with GrunnbokClient("http://registers.test", token, transport=transport) as client:
            unit = await client.unit(HOUSE)
            assert unit is not None and unit.heftelser[0].panthaver.id == SELLER_BANK.id
            assert await client.unit("0301-1-1-0-0") is None
            answer = await client.submit(signed(SKJOETE, SELLER.id))
            assert answer.status == "OK" and (await client.forsendelse(SKJOETE.dokumentreferanse)) == answer
            entry = await client.aktoer(BUYER_BANK.id)
            assert entry is not None and entry.sendeliste == ("SignedMortgageDeed",)
            assert await client.aktoer(SELLER_BANK.id) is None
            assert (await client.notify_founding(NOTICE)).status == "mottatt"
            assert (await client.confirm_capital("SRM-1", confirmation())).status == "registrert"
        async with httpx.AsyncClient(transport=transport, base_url="http://registers.test") as raw:
            auth = {"Authorization": f"Bearer {token}"}
            assert (await raw.get(f"/grunnbok/api/v1/registerenheter/{unit_key(HOUSE)}")).status_code == 401
            assert (await raw.get("/akeldo/aktoer")).status_code == 200  # public
            assert (await raw.get("/akeldo/aktoer/123")).status_code == 400
            assert (
                await raw.get("/grunnbok/api/v1/hjemmelshavere/abc/registerenheter", headers=auth)
            ).status_code == 400
            other = tl.Skjoete(SKJOETE.dokumentreferanse, HOUSE, (BUYER,), (SELLER,), Decimal(1))
            duplicate = await raw.post(
                "/etinglysing/api/v1/forsendelser", content=signed(other, BUYER.id), headers=auth
            )
            assert duplicate.status_code == 409 and duplicate.json()["kode"] == "DSVE-009"
            empty = await raw.post("/etinglysing/api/v1/forsendelser", content=b"", headers=auth)
            assert empty.status_code == 400
            bad = await raw.post("/foretaksregisteret/api/v1/stiftelser", content=b'{"referanse": 1}', headers=auth)
            assert bad.status_code == 400 and "Stiftelsesmelding" in bad.json()["message"]
            small = {
                **{
                    k: str(v) if isinstance(v, Decimal) else v
                    for k, v in __import__("msgspec").to_builtins(NOTICE).items()
                },
                "referanse": "SRM-9",
                "aksjekapital": "1000",
            }
            refused = await raw.post("/foretaksregisteret/api/v1/stiftelser", json=small, headers=auth)
            assert refused.status_code == 400 and "FR-006" in refused.json()["message"]
            missing = await raw.post(
                "/foretaksregisteret/api/v1/stiftelser/NOPE/kapitalbekreftelse", content=b"<sdo/>", headers=auth
            )
            assert missing.status_code == 404
    finally:
        await stores.db.close()


async def test_the_public_page_names_holders_never_their_number(app_for: Any, tmp_path: Any) -> None:
    stores = Stores(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", signing_trust=trust(), clock=lambda: NOW)
    await stores.db.create_schema()
    await stores.grunnbok.load([house()])
    transport = httpx.ASGITransport(app=app_for(stores))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://registers.test") as raw:
            form = await raw.get("/grunnboken/")
            assert form.status_code == 200 and 'name="enhet"' in form.text
            page = await raw.get("/grunnboken/", params={"enhet": unit_key(HOUSE)})
            assert page.status_code == 200 and SELLER.navn in page.text and SELLER.id not in page.text
            assert "17/2020-200/1" in page.text and SELLER_BANK.navn in page.text
            assert page.headers["content-security-policy"]
            missing = await raw.get("/grunnboken/", params={"enhet": "0301-1-1-0-0"})
            assert missing.status_code == 404 and "finnes ikke" in missing.text
            english = await raw.get("/grunnboken/", params={"enhet": unit_key(HOUSE), "lang": "en"})
            assert "Title holder" in english.text
    finally:
        await stores.db.close()
