# SPDX-License-Identifier: Apache-2.0
"""The kit's test world: the parties, accounts and register facts every check needs, for one "today".

The bank under test loads it as an import bundle (``dsop provider import``, docs/import-bundle.md);
the kit's registers serve its facts (death, bankruptcy ruling, guardianship, shielding).  Every
subject account holds every field of the data model (DSOP “Data model”), so the delivery checks
can tell a withheld field from one the bank simply does not hold.  Identities are synthetic
(Tenor-style) and derived from a seed: the same seed and date give the same world.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from opendsop.standard.identifiers import generate_fodselsnummer, generate_orgnr
from opendsop.standard.period import last_calendar_year, months_before

# The calling agencies: service → (consumer organisation number, the step-2 Legal-Mandate key).
PAGED_TRANSACTIONS = 1_050  # more than one page of 1,000 (DSOP “eOppslag”: at least 1,000 per page)
CARD_NUMBER = "4925000012345678"


@dataclass(frozen=True)
class Subject:
    """Whom a service's checks ask about: the party, its account, and a period the rules accept."""

    party: str
    account: str  # account number (kontonummer)
    from_date: date
    to_date: date


@dataclass
class World:
    today: date
    bank: str
    seed: int = 2026
    parties: dict[str, str] = field(default_factory=dict)  # role name → identifier
    numbers: dict[str, str] = field(default_factory=dict)  # account key → account number
    death: date | None = None
    ruling: date | None = None
    guardianship_from: date | None = None

    @property
    def anne(self) -> str:
        return self.parties["anne"]

    def subject(self, service: str) -> Subject:
        today = self.today
        if service == "oed":
            assert self.death is not None
            return Subject(self.parties["dag"], self.numbers["estate"], months_before(self.death, 3), today)
        if service == "konkurs":
            assert self.ruling is not None
            return Subject(self.parties["firma"], self.numbers["business"], months_before(self.ruling, 12), today)
        if service == "verge":
            year = last_calendar_year(today)
            return Subject(self.parties["ward"], self.numbers["ward_main"], year.from_date, year.to_date)
        if service == "fi_utlegg":
            return Subject(self.anne, self.numbers["salary"], today, today)
        return Subject(self.anne, self.numbers["salary"], today - timedelta(days=365), today)

    # -- the register facts ------------------------------------------------------------------------

    def facts(self) -> dict[str, Any]:
        """What the kit's registers hold (and the bank must learn from them)."""
        return {
            "deaths": {self.parties["dag"]: self.death},
            "rulings": {self.parties["firma"]: self.ruling},
            "shielded": [self.parties["skjermet"]],
            "guardianships": [
                {"ward": self.parties["ward"], "guardian": self.parties["guardian"], "from": self.guardianship_from}
            ],
        }

    # -- the import bundle ---------------------------------------------------------------------------

    def bundle(self) -> dict[str, list[dict[str, Any]]]:
        """The rows of the import bundle, file by file (docs/import-bundle.md)."""
        p, n = self.parties, self.numbers
        today = self.today
        names = {
            "anne": "Anne Kontroll",
            "berit": "Berit Disponent",
            "former": "Frida Tidligere",
            "dag": "Dag Avdød",
            "firma": "Konkurs Testfirma AS",
            "ward": "Vera Vergehaver",
            "guardian": "Geir Verge",
            "skjermet": "Skjermet Person",
        }
        address = {
            "type": "residential",
            "streetName": "Kirkegata",
            "buildingNumber": "7",
            "postCode": "0153",
            "townName": "Oslo",
            "country": "NO",
        }
        parties = [{"partyId": p[key], "name": name, "postalAddress": address} for key, name in names.items()]
        owners = {
            "salary": "anne",
            "savings": "anne",
            "other": "berit",
            "estate": "dag",
            "business": "firma",
            "ward_main": "ward",
            "ward_other": "ward",
            "hidden": "skjermet",
        }
        opened = today - timedelta(days=365 * 9)
        accounts = [
            {
                "accountId": f"kit-{key}",
                "accountNumber": n[key],
                "bank": self.bank,
                "type": "businessAccount" if key == "business" else "salaryAccount",
                "currency": "NOK",
                "startDate": opened.isoformat(),
                "name": f"Konto {key}",
                "creditLineAmount": "5000",
                "creditLineCurrency": "NOK",
                "availableAmount": "1500.00",
                "availableRegistered": _stamp(today, 8),
                **({"status": "disabled"} if key == "business" else {}),
            }
            for key in owners
        ]
        roles = [self._role(key, p[owner], "primaryOwner", opened) for key, owner in owners.items()]
        roles += [
            self._role("salary", p["berit"], "disponent", opened),
            self._role("other", p["anne"], "disponent", opened),  # Politi: partial (rights on others' accounts)
            self._role("ward_main", p["guardian"], "disponent", opened),
        ]
        ended = today - timedelta(days=100)
        roles += [
            {**self._role(key, p["former"], "disponent", opened), "endDate": ended.isoformat()}
            for key in ("salary", "estate", "business", "ward_main")
        ]
        days = {today - timedelta(days=1), last_calendar_year(today).to_date}
        balances = [
            {"accountId": f"kit-{key}", "day": day.isoformat(), "amount": "2500.00"}
            for key in owners
            for day in sorted(days)
        ]
        cards = [
            {
                "accountId": f"kit-{key}",
                "cardId": f"card-{key}",
                "holderPartyId": p[owners[key]],
                **_card(self.bank, names[owners[key]]),
            }
            for key in ("salary", "estate", "business", "ward_main")
        ]
        transactions = [
            _transaction("salary", f"s-{index:05d}", _stamp(today - timedelta(days=1 + index % 360), 9 + index % 8))
            for index in range(PAGED_TRANSACTIONS)
        ]
        assert self.death is not None and self.ruling is not None
        for key, day in (
            ("estate", self.death - timedelta(days=10)),
            ("business", self.ruling - timedelta(days=20)),
            ("ward_main", last_calendar_year(today).from_date + timedelta(days=160)),
            ("hidden", today - timedelta(days=30)),
        ):
            transactions += [
                _transaction(key, f"{key}-{index}", _stamp(day + timedelta(days=index), 10)) for index in range(3)
            ]
        return {
            "parties": parties,
            "accounts": accounts,
            "roles": roles,
            "balances": balances,
            "cards": cards,
            "transactions": transactions,
        }

    @staticmethod
    def _role(key: str, party: str, role: str, start: date) -> dict[str, Any]:
        return {
            "accountId": f"kit-{key}",
            "partyId": party,
            "role": role,
            "startDate": start.isoformat(),
            "permission": "rightToUseAlone",
        }

    def write_bundle(self, directory: Path) -> list[Path]:
        """The bundle as JSON Lines files in ``directory``, in the order the import reads them."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for entity, rows in self.bundle().items():
            path = directory / f"{entity}.jsonl"
            path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
            paths.append(path)
        return paths


def build_world(today: date, bank: str, *, seed: int = 2026) -> World:
    rng = random.Random(seed)
    births = {
        "anne": date(1980, 5, 17),
        "berit": date(1982, 3, 2),
        "former": date(1970, 1, 1),
        "dag": date(1940, 8, 9),
        "ward": date(1935, 1, 20),
        "guardian": date(1965, 11, 30),
        "skjermet": date(1990, 6, 6),
        "stranger": date(1971, 2, 2),
    }
    parties = {key: generate_fodselsnummer(rng, born) for key, born in births.items()}
    parties["firma"] = generate_orgnr(rng)
    keys = ("salary", "savings", "other", "estate", "business", "ward_main", "ward_other", "hidden")
    numbers = {key: f"1{seed % 1000:03d}{index:07d}" for index, key in enumerate(keys, start=1)}
    return World(
        today=today,
        bank=bank,
        seed=seed,
        parties=parties,
        numbers=numbers,
        death=today - timedelta(days=40),
        ruling=today - timedelta(days=60),
        guardianship_from=date(today.year - 3, 6, 1),
    )


def _stamp(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _card(bank: str, holder: str) -> dict[str, Any]:
    return {
        "cardIdentifier": CARD_NUMBER,
        "holderName": holder,
        "startDate": "2024-01",
        "expiryDate": "2030-12",
        "cardIssuerName": "Kontrollbanken",
        "type": "debitCard",
        "cardStatus": "active",
        "versionNumber": "1",
        "cardIssuerIdentifier": {"countryOfResidence": "NO", "value": bank, "type": "countryIdentificationCode"},
    }


def _transaction(key: str, identifier: str, booked: str) -> dict[str, Any]:
    """A debit with every field of Bank_v2.yaml ``Transaction`` set."""
    return {
        "accountId": f"kit-{key}",
        "transactionIdentifier": identifier,
        "references": [{"value": "E2E-77", "type": "endToEndIdentification"}],
        "creditDebitIndicator": "debit",
        "reversalIndicator": False,
        "status": "booked",
        "transactionCode": {
            "domain": "payments",
            "family": "customerCardTransactions",
            "subFamily": "pointOfSalePosPayment",
            "freeText": "Visa Varekjøp",
        },
        "bookingDate": booked,
        "valueDate": booked,
        "registered": booked,
        "counterParties": [
            {
                "accountIdentifier": "98760000001",
                "name": "Butikken AS",
                "type": "creditor",
                "identifier": {"countryOfResidence": "NO", "value": "910000003", "type": "countryIdentificationCode"},
                "postalAddress": {
                    "postCode": "0150",
                    "type": "business",
                    "streetName": "Storgata",
                    "buildingNumber": "1",
                    "townName": "Oslo",
                    "country": "NO",
                    "addressLines": ["Storgata 1", "0150 Oslo"],
                },
            }
        ],
        "additionalInfo": "Visa varekjøp Butikken AS",
        "currencyExchange": {
            "originalAmount": "10.50",
            "sourceCurrency": "EUR",
            "targetCurrency": "NOK",
            "unitCurrency": "EUR",
            "exchangeRate": "11.5",
        },
        "merchant": "Butikken AS Storgata",
        "paymentCard": _card("910000003", "Anne Kontroll"),
        "amount": "120.75",
        "currency": "NOK",
    }


__all__ = ["CARD_NUMBER", "PAGED_TRANSACTIONS", "Subject", "World", "build_world"]
