"""FI-K&B: the business's claims overview in the net bank (DSOP FI Krav og betalinger pages; DSOP SBL
“Samtykkeløsningen”; DSOP “Altinn 3.0”).

The organisation's representative gives consent ``ske-krav-betalinger`` (at most 90 days); the bank
re-exchanges as needed (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”) and reads ``…/finans/{orgnr}/aapnekrav``: open
claims with remaining
amounts and unplaced payments, with Skatteetaten's own totals (``totalOversikt``).

``overview_from`` (pure) turns that answer into the rows and totals the bank shows: each open claim
with its due date and whether it is overdue today, the totals as Skatteetaten computed them, and
per claim group.  It also re-adds the rows and reports whether they agree with ``totalOversikt``
(``consistent``): a difference means the bank shows numbers it cannot explain, which it should log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from opendsop.clock import oslo_today
from opendsop.samtykke.client import ConsentRef, ConsentRequest, SamtykkeClient, organisation_urn, readable, right

RESOURCE = "ske-krav-betalinger"
SCOPE = "skatteetaten:kravogbetalinger"
PACKAGE = "finans"
VALIDITY = timedelta(days=90)
SOURCE = "Skatteetaten Krav og betalinger"
_CENT = Decimal("0.01")


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(_CENT)


@dataclass(frozen=True, slots=True)
class OpenClaim:
    krav_id: str
    kravtype: str
    description: str
    group: str
    due: date | None
    original: Decimal
    remaining: Decimal
    interest: Decimal
    overdue: bool


@dataclass(frozen=True, slots=True)
class Totals:
    overdue: Decimal  # sumForfalteKrav
    not_due: Decimal  # sumIkkeForfalteKrav
    interest: Decimal  # sumStipulerteRenter
    unplaced: Decimal  # sumUplasserteInnbetalinger
    balance: Decimal  # saldo


@dataclass(frozen=True, slots=True)
class ClaimsOverview:
    orgnr: str
    consent_id: str
    claims: tuple[OpenClaim, ...]
    totals: Totals
    per_group: Mapping[str, Decimal]  # remaining + interest per kravgruppe
    consistent: bool

    def as_dict(self) -> dict[str, Any]:
        t = self.totals
        return {
            "orgnr": self.orgnr, "consentId": self.consent_id, "consistent": self.consistent,
            "totals": {"overdue": str(t.overdue), "notDue": str(t.not_due), "interest": str(t.interest),
                       "unplaced": str(t.unplaced), "balance": str(t.balance)},
            "perGroup": {k: str(v) for k, v in self.per_group.items()},
            "claims": [{"kravId": c.krav_id, "kravtype": c.kravtype, "description": c.description, "group": c.group,
                        "due": c.due.isoformat() if c.due else None, "original": str(c.original),
                        "remaining": str(c.remaining), "interest": str(c.interest), "overdue": c.overdue}
                       for c in self.claims],
        }  # fmt: skip


async def request_krav_consent(
    client: SamtykkeClient, orgnr: str, *, redirect_url: str, validity: timedelta = VALIDITY
) -> ConsentRequest:
    """Ask the organisation (its representative answers) for the K&B consent (at most 90 days)."""
    return await client.request_consent(
        organisation_urn(orgnr), [right(RESOURCE)], valid_to=client.clock() + validity, redirect_url=redirect_url
    )


def overview_from(body: Mapping[str, Any], *, consent_id: str, today: date) -> ClaimsOverview:
    claims = []
    for krav in body.get("aapentKravMedGjenstaaendeBeloep", []):
        due_dates = [
            date.fromisoformat(f["forfallsdato"]) for f in krav.get("kravforfall", []) if f.get("forfallsdato")
        ]
        due = min(due_dates) if due_dates else None
        remaining = _money(krav.get("gjenstaaendeBeloep"))
        is_overdue = due is not None and due < today and remaining > 0
        claims.append(
            OpenClaim(
                str(krav.get("kravidentifikator", "")),
                str(krav.get("kravtype", "")),
                str(krav.get("kravbeskrivelse", "")),
                str(krav.get("kravgruppe", "")),
                due,
                _money(krav.get("opprinneligBeloep")),
                remaining,
                _money(krav.get("stipulerteRenter")),
                is_overdue,
            )
        )
    claims.sort(key=lambda c: (c.due or date.max, c.krav_id))
    total = body.get("totalOversikt", {})
    totals = Totals(
        _money(total.get("sumForfalteKrav")),
        _money(total.get("sumIkkeForfalteKrav")),
        _money(total.get("sumStipulerteRenter")),
        _money(total.get("sumUplasserteInnbetalinger")),
        _money(total.get("saldo")),
    )
    per_group: dict[str, Decimal] = {}
    for claim in claims:
        per_group[claim.group] = per_group.get(claim.group, Decimal(0)) + claim.remaining + claim.interest
    overdue = sum((c.remaining for c in claims if c.overdue), Decimal(0))
    not_due = sum((c.remaining for c in claims if not c.overdue), Decimal(0))
    interest = sum((c.interest for c in claims), Decimal(0))
    unplaced = sum(
        (_money(p.get("innbetaltBeloep")) for p in body.get("innbetalingMedUplassertBeloep", [])), Decimal(0)
    )
    consistent = (
        (overdue, not_due, interest) == (totals.overdue, totals.not_due, totals.interest)
        and totals.balance == overdue + not_due + interest - totals.unplaced
        and unplaced >= totals.unplaced
    )
    return ClaimsOverview(
        str(body.get("partIdentifikator", "")),
        consent_id,
        tuple(claims),
        totals,
        dict(sorted(per_group.items())),
        consistent,
    )


async def claims_overview(client: SamtykkeClient, orgnr: str, consent: ConsentRef) -> ClaimsOverview:
    """Open claims and totals of the organisation, with its consent in the token."""
    source = client.endpoints.require("krav")
    token = await client.access_token([SCOPE], source.aud, consent)
    body = await client.get_json(
        SOURCE,
        source.at(f"/api/innkreving/kravogbetalinger/v1/{PACKAGE}/{quote(orgnr)}/aapnekrav"),
        headers={"Authorization": f"Bearer {token}"},
    )
    with readable(SOURCE):
        return overview_from(body, consent_id=consent.id, today=oslo_today(client.clock))


__all__ = [
    "RESOURCE",
    "ClaimsOverview",
    "OpenClaim",
    "Totals",
    "claims_overview",
    "overview_from",
    "request_krav_consent",
]
