# SPDX-License-Identifier: Apache-2.0
"""Rows for bulk loading, and JSONL/CSV files for inspection.

Every entity kind has a column tuple (``COLUMNS[kind]``) and a row iterator over a
:class:`~opendsop.synth.world.Population` that yields plain tuples in that order, ready for
``COPY`` (asyncpg ``copy_records_to_table``) or ``executemany``.  Values are ``str`` (enum members
are ``StrEnum``, i.e. ``str``), ``int``, ``bool``, :class:`~decimal.Decimal` (2 decimals; rates 2),
:class:`~datetime.date`, time-zone-aware :class:`~datetime.datetime` (UTC) or ``None``.
Lists are JSON text.  Only *valid* records are exported unless ``include_invalid=True``.

Row shapes (key columns first):

* ``banks``: orgnr, name, bic, reports_to (KAR|KFR), api_base_url, orgnr_synthetic
* ``bank_codes``: bank_code, bank_orgnr
* ``persons``: person_id, id_kind, given_name, family_name, birth_date, female, street_name,
  building_number, post_code, town_name, country, household_id, date_of_death, address_protection,
  invalid_reason
* ``household_members``: household_id, person_id, member (adult|child)
* ``companies``: orgnr, name, org_form, kind (employer|merchant), street_name, building_number,
  post_code, town_name, country, founded, signature_kind, signature_holders (JSON list),
  prokura_kind, prokura_holders (JSON list), merchant_category, invalid_reason
* ``company_roles``: orgnr, role (innehaver|dagligLeder|styreleder|styremedlem), person_id, start_date
* ``accounts``: account_id, kontonr, bank_orgnr, type, currency, status, owner_id, owner_kind,
  opened, closed, balance_date, opening_balance (signed), credit_limit, blocked_from, invalid_reason
* ``account_roles``: kontonr, party_id, party_kind, name, role, permission, start_date, end_date
* ``cards``: card_id, kontonr, card_identifier, holder_id, holder_name, type, status, start_date,
  expiry_date, version_number, issuer_name, issuer_orgnr
* ``transactions``: ``TRANSACTION_COLUMNS`` — the ``Transaction`` fields with ``references`` as
  ``references_json``, a JSON list of ``[type, value]`` pairs (``references`` is an SQL reserved
  word), and the counterparty address in five columns
* ``balances``: kontonr, type, amount, credit_debit_indicator, registered, currency,
  credit_line_included, credit_line_amount, credit_line_currency
* ``deaths``: person_id, date_of_death
* ``guardianships``: ward_id, guardian_id, guardian_name, tjenesteoppgaver (JSON list), valid_from,
  valid_to
* ``bankruptcies``: debtor_id, debtor_kind, debtor_name, kjennelsesdato, notice_uuid, notice_type,
  notice_registered, linked_orgnr
* ``customer_relations``, ``freg_persons``, ``konkursvarsel``: see ``opendsop.synth.registers``
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from opendsop.synth import registers
from opendsop.synth.model import Account, Balance, Transaction, TransactionReference
from opendsop.synth.world import Population

_encode = msgspec.json.Encoder().encode
_astuple = msgspec.structs.astuple
_NO_ADDRESS = (None, None, None, None, None)

TRANSACTION_COLUMNS: tuple[str, ...] = (
    "transaction_id",
    "kontonr",
    "amount",
    "currency",
    "credit_debit_indicator",
    "status",
    "registered",
    "booking_date",
    "value_date",
    "domain",
    "family",
    "sub_family",
    "free_text",
    "additional_info",
    "reversal_indicator",
    "references_json",
    "counterparty_type",
    "counterparty_account",
    "counterparty_id",
    "counterparty_id_type",
    "counterparty_name",
    "counterparty_street_name",
    "counterparty_building_number",
    "counterparty_post_code",
    "counterparty_town_name",
    "counterparty_country",
    "merchant",
    "card_id",
    "card_identifier",
    "fx_original_amount",
    "fx_source_currency",
    "fx_target_currency",
    "fx_unit_currency",
    "fx_exchange_rate",
    "invalid_reason",
)
BALANCE_COLUMNS = tuple(Balance.__struct_fields__)
COLUMNS: dict[str, tuple[str, ...]] = {
    "banks": ("orgnr", "name", "bic", "reports_to", "api_base_url", "orgnr_synthetic"),
    "bank_codes": ("bank_code", "bank_orgnr"),
    "persons": (
        "person_id",
        "id_kind",
        "given_name",
        "family_name",
        "birth_date",
        "female",
        "street_name",
        "building_number",
        "post_code",
        "town_name",
        "country",
        "household_id",
        "date_of_death",
        "address_protection",
        "invalid_reason",
    ),
    "household_members": ("household_id", "person_id", "member"),
    "companies": (
        "orgnr",
        "name",
        "org_form",
        "kind",
        "street_name",
        "building_number",
        "post_code",
        "town_name",
        "country",
        "founded",
        "signature_kind",
        "signature_holders",
        "prokura_kind",
        "prokura_holders",
        "merchant_category",
        "invalid_reason",
    ),
    "company_roles": ("orgnr", "role", "person_id", "start_date"),
    "accounts": tuple(Account.__struct_fields__),
    "account_roles": ("kontonr", "party_id", "party_kind", "name", "role", "permission", "start_date", "end_date"),
    "cards": (
        "card_id",
        "kontonr",
        "card_identifier",
        "holder_id",
        "holder_name",
        "type",
        "status",
        "start_date",
        "expiry_date",
        "version_number",
        "issuer_name",
        "issuer_orgnr",
    ),
    "transactions": TRANSACTION_COLUMNS,
    "balances": BALANCE_COLUMNS,
    "deaths": ("person_id", "date_of_death"),
    "guardianships": ("ward_id", "guardian_id", "guardian_name", "tjenesteoppgaver", "valid_from", "valid_to"),
    "bankruptcies": (
        "debtor_id",
        "debtor_kind",
        "debtor_name",
        "kjennelsesdato",
        "notice_uuid",
        "notice_type",
        "notice_registered",
        "linked_orgnr",
    ),
    "customer_relations": registers.CUSTOMER_RELATION_COLUMNS,
    "freg_persons": registers.FREG_PERSON_COLUMNS,
    "konkursvarsel": registers.KONKURSVARSEL_COLUMNS,
}
STREAMED = ("transactions", "balances")  # generated per account; the rest is in memory


def _address(address: Any) -> tuple[Any, ...]:
    if address is None:
        return _NO_ADDRESS
    return address.street_name, address.building_number, address.post_code, address.town_name, address.country


def transaction_row(tx: Transaction) -> tuple[Any, ...]:
    """One row of ``TRANSACTION_COLUMNS``."""
    return values_row(_astuple(tx))


def values_row(t: tuple[Any, ...]) -> tuple[Any, ...]:
    """One row of ``TRANSACTION_COLUMNS`` from a tuple in ``Transaction`` field order."""
    address = t[21]
    flat = (
        _NO_ADDRESS
        if address is None
        else (address.street_name, address.building_number, address.post_code, address.town_name, address.country)
    )
    return (*t[:15], _references_json(t[15]), *t[16:21], *flat, *t[22:])


def _references_json(references: tuple[TransactionReference, ...]) -> str:
    if len(references) == 1 and references[0].value.isalnum():  # the usual case, ~5× faster than encoding
        return f'[["{references[0].type}","{references[0].value}"]]'
    return _encode(references).decode()


def balance_row(balance: Balance) -> tuple[Any, ...]:
    return _astuple(balance)


def _json(values: Iterable[str]) -> str:
    return json.dumps(list(values))


def _persons(p: Population, ok: Callable[[Any], bool]) -> Iterator[tuple[Any, ...]]:
    for x in p.persons:
        if ok(x):
            yield (
                x.person_id,
                x.id_kind,
                x.given_name,
                x.family_name,
                x.birth_date,
                x.female,
                *_address(x.address),
                x.household_id,
                x.date_of_death,
                x.address_protection,
                x.invalid_reason,
            )


def _household_members(p: Population, ok: Callable[[Any], bool]) -> Iterator[tuple[Any, ...]]:
    for h in p.households:
        yield from ((h.household_id, pid, "adult") for pid in h.adults)
        yield from ((h.household_id, pid, "child") for pid in h.children)


def _companies(p: Population, ok: Callable[[Any], bool]) -> Iterator[tuple[Any, ...]]:
    for c in p.companies:
        if ok(c):
            sig, pro = c.signature, c.prokura
            yield (
                c.orgnr,
                c.name,
                c.org_form,
                c.kind,
                *_address(c.address),
                c.founded,
                sig and sig.kind,
                sig and _json(sig.holders),
                pro and pro.kind,
                pro and _json(pro.holders),
                c.merchant_category,
                c.invalid_reason,
            )


_STATIC: dict[str, Callable[[Population, Callable[[Any], bool]], Iterable[tuple[Any, ...]]]] = {
    "banks": lambda p, ok: ((b.orgnr, b.name, b.bic, b.reports_to, b.api_base_url, b.orgnr_synthetic) for b in p.banks),
    "bank_codes": lambda p, ok: ((code, b.orgnr) for b in p.banks for code in b.bank_codes),
    "persons": _persons,
    "household_members": _household_members,
    "companies": _companies,
    "company_roles": lambda p, ok: (
        (c.orgnr, r.role, r.person_id, r.start_date) for c in p.companies if ok(c) for r in c.roles
    ),
    "accounts": lambda p, ok: (_astuple(a) for a in p.accounts if ok(a)),
    "account_roles": lambda p, ok: (
        (r.kontonr, r.party_id, r.party_kind, r.name, r.role, r.permission, r.start_date, r.end_date) for r in p.roles
    ),
    "cards": lambda p, ok: (_astuple(c) for c in p.cards),
    "deaths": lambda p, ok: ((d.person_id, d.date_of_death) for d in p.deaths),
    "guardianships": lambda p, ok: (
        (g.ward_id, g.guardian_id, g.guardian_name, _json(g.tjenesteoppgaver), g.valid_from, g.valid_to)
        for g in p.guardianships
    ),
    "bankruptcies": lambda p, ok: (_astuple(b) for b in p.bankruptcies),
    "customer_relations": lambda p, ok: registers.customer_relations(p),
    "freg_persons": lambda p, ok: registers.freg_persons(p),
    "konkursvarsel": lambda p, ok: registers.konkursvarsel(p),
}


def static_rows(population: Population, kind: str, *, include_invalid: bool = False) -> Iterator[tuple[Any, ...]]:
    """Rows of an in-memory kind (everything except ``transactions`` and ``balances``)."""
    make = _STATIC.get(kind)
    if make is None:
        raise ValueError(f"unknown or streamed kind {kind!r}: choose one of {', '.join(_STATIC)}")
    yield from make(population, lambda record: include_invalid or record.invalid_reason is None)


def streamed_rows(
    population: Population, *, bank_orgnr: str | None = None, include_invalid: bool = False
) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """``("transactions", row)`` and ``("balances", row)`` in one pass over the accounts."""
    for account, transactions, found in population.statements():
        if bank_orgnr is not None and account.bank_orgnr != bank_orgnr:
            continue
        for tx in transactions:
            if include_invalid or tx.invalid_reason is None:
                yield "transactions", transaction_row(tx)
        for balance in found:
            yield "balances", balance_row(balance)


def transaction_rows(population: Population, *, bank_orgnr: str | None = None) -> Iterator[tuple[Any, ...]]:
    """Rows of ``TRANSACTION_COLUMNS`` for every valid transaction (optionally of one bank).

    The bulk path: no balances, no ``Transaction`` objects, straight from the generator's tuples.
    """
    for account in population.accounts:
        if bank_orgnr is None or account.bank_orgnr == bank_orgnr:
            for values in population.statement_values(account):
                yield values_row(values)


def _plain(value: Any) -> Any:
    """A JSON/CSV-friendly scalar (dates and datetimes as ISO 8601, Decimals as strings)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class _Sink:
    """One output file per kind, JSONL (one object per line) or CSV (header + rows)."""

    def __init__(self, directory: Path, fmt: str) -> None:
        self.directory, self.fmt = directory, fmt
        self.files: dict[str, Any] = {}
        self.writers: dict[str, Callable[[tuple[Any, ...]], None]] = {}
        self.counts: dict[str, int] = {}

    def write(self, kind: str, row: tuple[Any, ...]) -> None:
        writer = self.writers.get(kind)
        if writer is None:
            writer = self._open(kind)
        writer(row)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _open(self, kind: str) -> Callable[[tuple[Any, ...]], None]:
        columns = COLUMNS[kind]
        handle = (self.directory / f"{kind}.{self.fmt}").open("w", encoding="utf-8", newline="")
        self.files[kind] = handle
        if self.fmt == "csv":
            out = csv.writer(handle)
            out.writerow(columns)

            def write_csv(row: tuple[Any, ...]) -> None:
                out.writerow([_plain(v) for v in row])

            self.writers[kind] = write_csv
        else:

            def write_jsonl(row: tuple[Any, ...]) -> None:
                handle.write(_encode(dict(zip(columns, row, strict=True))).decode())
                handle.write("\n")

            self.writers[kind] = write_jsonl
        return self.writers[kind]

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def write_files(
    populations: Iterable[Population],
    directory: str | Path,
    *,
    fmt: str = "jsonl",
    include_invalid: bool = False,
    on_account: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write every kind of every population to ``directory/<kind>.<fmt>``; returns row counts.

    ``on_account`` is called with the number of transactions of each account as it is written
    (for progress bars).  Banks and bank codes are written once.
    """
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"fmt must be 'jsonl' or 'csv', not {fmt!r}")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    sink = _Sink(target, fmt)
    try:
        for index, population in enumerate(populations):
            for kind in COLUMNS:
                if kind in STREAMED or (index and kind in ("banks", "bank_codes")):
                    continue
                for row in static_rows(population, kind, include_invalid=include_invalid):
                    sink.write(kind, row)
            for account, transactions, found in population.statements():
                if account.invalid_reason is not None and not include_invalid:
                    continue
                for tx in transactions:
                    if include_invalid or tx.invalid_reason is None:
                        sink.write("transactions", transaction_row(tx))
                for balance in found:
                    sink.write("balances", balance_row(balance))
                if on_account is not None:
                    on_account(len(transactions))
    finally:
        sink.close()
    return sink.counts


def write_jsonl(
    populations: Population | Iterable[Population], directory: str | Path, *, include_invalid: bool = False
) -> dict[str, int]:
    """JSONL files for inspection: ``directory/<kind>.jsonl``, one object per line."""
    items = [populations] if isinstance(populations, Population) else populations
    return write_files(items, directory, fmt="jsonl", include_invalid=include_invalid)


__all__ = [
    "BALANCE_COLUMNS",
    "COLUMNS",
    "STREAMED",
    "TRANSACTION_COLUMNS",
    "balance_row",
    "static_rows",
    "streamed_rows",
    "transaction_row",
    "transaction_rows",
    "values_row",
    "write_files",
    "write_jsonl",
]
