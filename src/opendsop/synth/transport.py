# SPDX-License-Identifier: Apache-2.0
"""Licence-bound carriers of the synthetic world and their guarantees (Statens vegvesen's løyveregister).

Deterministic from the world: about one company in ten (by organisation number) is a carrier, with
one to four goods licences (``GODSLOYVE``) and, for some, one coach licence (``TURVOGNLOYVE``).
Two carriers in three have a guarantee per licence type from one of the world's banks, for the sum
the year's rates require (``standard.services.transport_guarantee``); the rest have none yet, so a
guarantor can file ``nyGaranti`` for them.  Every bank of the world holds a concession.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import msgspec

from opendsop.standard.services import transport_guarantee as tg
from opendsop.synth.model import Bank, Company

MAX_CARRIERS = 200


class Carrier(msgspec.Struct, frozen=True, kw_only=True):
    orgnr: str
    name: str
    licences: dict[str, int]  # Garantitype value → active licences


def _is_carrier(company: Company) -> bool:
    return company.invalid_reason is None and company.org_form in ("AS", "ENK") and int(company.orgnr[-3:-1]) % 10 == 3


def carriers(companies: tuple[Company, ...]) -> list[Carrier]:
    found = []
    for company in sorted((c for c in companies if _is_carrier(c)), key=lambda c: c.orgnr)[:MAX_CARRIERS]:
        digit = int(company.orgnr[3])
        licences = {tg.Garantitype.GODSLOYVE.value: 1 + digit % 4}
        if digit % 3 == 0:
            licences[tg.Garantitype.TURVOGNLOYVE.value] = 1
        found.append(Carrier(orgnr=company.orgnr, name=company.name, licences=licences))
    return found


def guarantees(found: list[Carrier], banks: tuple[Bank, ...], today: date) -> list[tg.Garanti]:
    """A guarantee per licence type for two carriers in three (the first of every three has none)."""
    if not banks:
        return []
    out = []
    for index, carrier in enumerate(found):
        if index % 3 == 0:
            continue
        bank = banks[int(carrier.orgnr) % len(banks)]
        for kind, count in sorted(carrier.licences.items()):
            out.append(
                tg.Garanti(
                    garantiNummer=f"TLG-{carrier.orgnr}-{kind[0]}",
                    garantistOrgnummer=bank.orgnr,
                    transportorOrgnummer=carrier.orgnr,
                    garantiType=tg.Garantitype(kind),
                    garantiBelop=Decimal(tg.required_sum(count, today.year)),
                    status=tg.Garantistatus.AKTIV,
                    gyldigFra=today - timedelta(days=365 + int(carrier.orgnr[-2:])),
                    loyvedekning=count,
                )
            )
    return out


__all__ = ["MAX_CARRIERS", "Carrier", "carriers", "guarantees"]
