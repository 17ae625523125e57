"""SSU: an insurer's claim flow over NAV's sickness and disability data (DSOP SSU pages; DSOP SBL “Samtykkeløsningen”;
DSOP “Altinn 3.0”).

The insurer asks the person for consent ``nav-ssu`` (at most 3 years), exchanges it once for a token
with both scopes (``nav:arbeid/v1/aap nav:helse/v1/uforeopplysninger``; DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”:
"once per consent", so
the token is reused while it lives) and reads the three lists:

* AAP decisions (``finnVedtakListe``), chronological; a decision whose ``tilDato`` is the day
  before its ``fraDato`` is **invalidated** (NAV's FAQ) — it stays in the timeline, marked so;
* meldekort (``finnMeldekortListe``): 14-day periods with hours worked;
* uføretrygd decisions (``getUforedata``): ``virkningsdato``, ``uforegrad``, ``uforetidspunkt``.

``build_timeline`` (pure) merges them into one dated list, ordered by start date, then by kind
(decisions before the cards of the same day), then by reference — what a claims handler reads
top to bottom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from opendsop.clock import oslo_today
from opendsop.samtykke.client import ConsentRef, ConsentRequest, SamtykkeClient, person_urn, readable, right

RESOURCE = "nav-ssu"
SCOPE_AAP = "nav:arbeid/v1/aap"
SCOPE_UFORE = "nav:helse/v1/uforeopplysninger"
VALIDITY = timedelta(days=3 * 365)
SOURCE = "NAV"
_KIND_ORDER = {"uforevedtak": 0, "aap-vedtak": 1, "aap-vedtak-annullert": 2, "meldekort": 3}


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    start: date
    end: date | None
    kind: str  # aap-vedtak | aap-vedtak-annullert | meldekort | uforevedtak
    reference: str
    text: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "kind": self.kind,
            "reference": self.reference,
            "text": self.text,
            "details": dict(self.details),
        }


@dataclass(frozen=True, slots=True)
class ClaimTimeline:
    fnr: str
    consent_id: str
    events: tuple[TimelineEvent, ...]
    hours_worked: Decimal  # over the delivered meldekort
    current_uforegrad: int | None  # of the latest uføre decision in effect

    def as_dict(self) -> dict[str, Any]:
        return {
            "fnr": self.fnr,
            "consentId": self.consent_id,
            "hoursWorked": str(self.hours_worked),
            "currentUforegrad": self.current_uforegrad,
            "events": [e.as_dict() for e in self.events],
        }


async def request_ssu_consent(
    client: SamtykkeClient, fnr: str, *, redirect_url: str, validity: timedelta = VALIDITY
) -> ConsentRequest:
    """Ask the insured person for the SSU consent (at most three years)."""
    return await client.request_consent(
        person_urn(fnr), [right(RESOURCE)], valid_to=client.clock() + validity, redirect_url=redirect_url
    )


def _day(value: object) -> date:
    return date.fromisoformat(str(value))


def build_timeline(
    vedtak: Mapping[str, Any], meldekort: Mapping[str, Any], ufore: Mapping[str, Any]
) -> tuple[TimelineEvent, ...]:
    """One dated list of the three NAV answers."""
    events: list[TimelineEvent] = []
    for item in vedtak.get("vedtaksliste", []):
        start, end = _day(item["fraDato"]), _day(item["tilDato"])
        invalidated = end == start - timedelta(days=1)
        kind = "aap-vedtak-annullert" if invalidated else "aap-vedtak"
        text = (
            f"AAP-vedtak {item.get('vedtakstype', '')} annullert"
            if invalidated
            else f"AAP-vedtak {item.get('vedtakstype', '')} ({item.get('status', '')})"
        )
        events.append(
            TimelineEvent(
                start,
                None if invalidated else end,
                kind,
                str(item["vedtakId"]),
                text,
                {"vedtakstype": item.get("vedtakstype"), "status": item.get("status")},
            )
        )
    for item in meldekort.get("meldekortliste", []):
        hours = Decimal(str(item.get("timerArbeidet", 0)))
        events.append(
            TimelineEvent(
                _day(item["fraDato"]),
                _day(item["tilDato"]),
                "meldekort",
                str(item["meldekortId"]),
                f"Meldekort: {hours} timer arbeidet",
                {"timerArbeidet": str(hours)},
            )
        )
    for item in ufore.get("vedtak", []):
        events.append(
            TimelineEvent(
                _day(item["virkningsdato"]),
                None,
                "uforevedtak",
                str(item["vedtakId"]),
                f"Uføretrygd {item.get('uforegrad')} %",
                {"uforegrad": item.get("uforegrad"), "uforetidspunkt": item.get("uforetidspunkt")},
            )
        )
    return tuple(sorted(events, key=lambda e: (e.start, _KIND_ORDER[e.kind], e.reference)))


def _current_grade(events: tuple[TimelineEvent, ...], today: date) -> int | None:
    grades = [e for e in events if e.kind == "uforevedtak" and e.start <= today]
    return int(grades[-1].details["uforegrad"]) if grades else None


async def nav_timeline(
    client: SamtykkeClient,
    fnr: str,
    consent: ConsentRef,
    *,
    fra_og_med: date | None = None,
    til_og_med: date | None = None,
) -> ClaimTimeline:
    """Fetch AAP decisions, meldekort and uføre decisions and merge them into a timeline."""
    source = client.endpoints.require("nav")
    token = await client.access_token([SCOPE_AAP, SCOPE_UFORE], source.aud, consent)
    headers = {"Authorization": f"Bearer {token}", "Nav-Personident": fnr}
    params = {k: v.isoformat() for k, v in (("fraOgMed", fra_og_med), ("tilOgMed", til_og_med)) if v is not None}
    answers = []
    for path in ("/arbeid/v1/aap/vedtak", "/arbeid/v1/aap/meldekort", "/helse/v1/uforeopplysninger"):
        answers.append(await client.get_json(SOURCE, source.at(path), headers=headers, params=params))
    with readable(SOURCE):
        events = build_timeline(*answers)
        hours = sum((Decimal(str(e.details["timerArbeidet"])) for e in events if e.kind == "meldekort"), Decimal(0))
    return ClaimTimeline(fnr, consent.id, events, hours, _current_grade(events, oslo_today(client.clock)))


__all__ = ["RESOURCE", "ClaimTimeline", "TimelineEvent", "build_timeline", "nav_timeline", "request_ssu_consent"]
