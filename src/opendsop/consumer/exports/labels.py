"""What a reader of an export or of ``dsop case show`` sees: amounts, facts and the party, in words.

Decided here (docs/decisions.md, "Exports a case handler reads"):

* amounts are written the Norwegian way, a space between thousands and a decimal comma
  (``1 327 502,16``, ``-180 343,00``); the space is a no-break space where a renderer could wrap;
* a case's facts keep their recorded keys (``kjennelsesdato``, ``date_of_death`` …) in JSON and
  CSV, and are shown under their Norwegian names (Konkursloven § 146's *kjennelsesdato*,
  Arveloven's *dødsdato*) with the English in brackets;
* the party's name is not part of a case: it is read from the banks' answers (``primaryOwner.name``
  of an account whose ``primaryOwner.identifier`` is the party), else left as "not in the answers";
* an account's balance over time is rebuilt backwards from its booked balance and the booked
  transactions, one point per booking day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from opendsop.consumer.exports.model import AccountExport, CaseExport, balance

FACT_LABELS = {
    "kjennelsesdato": "Kjennelsesdato (bankruptcy ruling date)",
    "date_of_death": "Dødsdato (date of death)",
    "dødsdato": "Dødsdato (date of death)",
    "year": "Kontrollår (year controlled)",
    "extraditionOrderID": "Utleveringspålegg (extradition order ID)",
    "servicer": "Kontoførende bank (account servicer)",
}
SERVICE_NAMES = {
    "konkurs": "Konkursbehandling",
    "oed": "Oppgjør etter dødsfall",
    "verge": "Vergekontroll",
    "politi": "Politi-utlevering",
    "skatt": "Skatt-kontroll",
    "nav": "NAV-kontroll",
    "fi_utlegg": "FI-Utlegg Saldo",
    "fi_utlegg_an": "FI-Utlegg Saldo (alminnelig namsmann)",
}
NO_NAME = "not in the answers"


def norwegian_amount(value: Decimal | None, *, space: str = " ") -> str:
    """``1 327 502,16``: thousands separated by ``space``, a decimal comma, two decimals."""
    if value is None:
        return ""
    text = f"{value:,.2f}"  # 1,327,502.16
    return text.replace(",", space).replace(".", ",")


def fact_label(name: str) -> str:
    return FACT_LABELS.get(name, name)


def service_label(service: str) -> str:
    name = SERVICE_NAMES.get(service)
    return f"{name} ({service})" if name else service


def party_name(export: CaseExport) -> str | None:
    """The party's name as a bank delivered it with an account the party owns."""
    wanted = export.case.parameters.party_id
    for bank in export.banks:
        for account in bank.accounts:
            for source in (account.detail, account.account):
                owner = getattr(source, "primary_owner", None)
                identifier = getattr(getattr(owner, "identifier", None), "value", None)
                if owner is not None and owner.name and identifier == wanted:
                    return str(owner.name)
    return None


def party_line(export: CaseExport) -> str:
    name = party_name(export)
    return (
        f"{name} ({export.case.parameters.party_id})" if name else f"{export.case.parameters.party_id} (name {NO_NAME})"
    )


def balance_history(account: AccountExport) -> list[tuple[date, Decimal]]:
    """The booked balance at the end of each booking day, oldest first (empty without a balance)."""
    closing = balance(account.detail, "bookedBalance")
    if closing is None:
        return []
    by_day: dict[date, Decimal] = {}
    for transaction in _booked(account.transactions):
        day = _day(transaction.booking_date)
        if day is None or transaction.amount is None:
            continue
        signed = -transaction.amount if _indicator(transaction) == "debit" else transaction.amount
        by_day[day] = by_day.get(day, Decimal(0)) + signed
    points: list[tuple[date, Decimal]] = []
    running = closing
    for day in sorted(by_day, reverse=True):
        points.append((day, running))
        running -= by_day[day]
    points.reverse()
    return points


def _booked(transactions: Iterable[Any]) -> Iterable[Any]:
    for transaction in transactions:
        status = getattr(getattr(transaction, "status", None), "value", getattr(transaction, "status", None))
        if status in (None, "booked"):
            yield transaction


def _indicator(item: Any) -> str | None:
    value = getattr(item, "credit_debit_indicator", None)
    return None if value is None else str(getattr(value, "value", value))


def _day(value: datetime | date | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


__all__ = [
    "FACT_LABELS",
    "NO_NAME",
    "SERVICE_NAMES",
    "balance_history",
    "fact_label",
    "norwegian_amount",
    "party_line",
    "party_name",
    "service_label",
]
