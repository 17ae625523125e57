# SPDX-License-Identifier: Apache-2.0
"""The one place where synthetic-world records become the stores' loader rows.

Decides how the generator's vocabulary (``opendsop.synth.model``) is told to each store:

* **bank store** (DSOP “Data model”; ``provider/store/records.py``): per bank, its accounts
  (``account_id`` is the generator's numeric id as text), the parties holding a role on them, the
  roles as relations, the cards (the masked number is all the generator has), the *booked*
  transactions as v2 ``Transaction`` objects and one signed booked balance per day with bookings
  (plus the opening day).  Pending items are left out: the loader stores booked transactions only.
* **registers** (FREG, Konkursvarsel, Enhetsregisteret; the DSOP services' “Løsningsbeskrivelse” pages): persons with
  status, doedsdato and adressebeskyttelse; vergemål with their ``tjenesteoppgaver``; one notice
  per bankruptcy; companies with roles and rules — signatur/prokura ``alene`` (each named holder
  alone), ``iFellesskap`` (the named holders jointly), ``styret`` (the board jointly).
* **relations hub** (DSOP Kundeforholdsregister “Om”, DSOP “Endpoint customerRelationships V.2.0”): account-level KAR
  rows from banks that
  report to KAR; one customer-level KFR ``DSOPBANK`` row per (bank, customer) from the others,
  from the customer's earliest role and open while any role is open.

Only valid records are mapped (``invalid_reason is None``): invalid ones exist for negative tests.
A role that ends before it starts was never held and is left out (the generator has made one in
the ``demo`` world; the loaders refuse such rows).

The bank store's column-tuple bulk path (``TransactionColumns`` and the balance helpers) lives in
:mod:`.bank_rows` and is re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from opendsop.contracts.registers.models import (
    Adresse,
    Adressebeskyttelse,
    Enhet,
    KonkursType,
    Konkursvarsel,
    Navn,
    Organisasjon,
    Person,
    PersonStatus,
    Regeltype,
    Rettighet,
    Rolle,
    Rollekode,
    Rollekrav,
    Signaturregel,
    TilknyttetEnhet,
    Verge,
    Vergemaal,
    VergemaalType,
)
from opendsop.ecosystem.bank_rows import (
    TransactionColumns,
    _counter_parties,
    _payment_card_of,
    balance_columns,
    balance_rows,
    booked_values,
    payment_card,
    sqlite_balance_params,
    sqlite_balance_values,
    statement_balances,
)
from opendsop.provider.store.records import (
    AccountRow,
    CardRow,
    ElectronicAddressRow,
    PartyRow,
    RelationRole,
    RelationRow,
    TransactionRow,
)
from opendsop.relations import KarRow, KfrRow, Role
from opendsop.standard.control.v2 import (
    AddressType,
    BankTransactionCode,
    CurrencyExchange,
    PostalAddress,
    Transaction,
    TransactionReference,
)
from opendsop.synth import contacts
from opendsop.synth import model as synth
from opendsop.synth.registers import customer_relations
from opendsop.synth.world import Population

_KAR_ROLE = {"primaryOwner": Role.OWNER, "secondaryOwner": Role.SECONDARY_OWNER, "disponent": Role.DISPONENT}
_ADULT_YEARS = 18
_ROLLEKODE = {
    "innehaver": Rollekode.INNH,
    "dagligLeder": Rollekode.DAGL,
    "styreleder": Rollekode.LEDE,
    "styremedlem": Rollekode.MEDL,
}


# ---- bank store ------------------------------------------------------------------------------
def account_row(account: synth.Account, balances: Iterable[synth.Balance] = ()) -> AccountRow:
    available = next((b for b in balances if b.type == "availableBalance"), None)
    signed = None
    if available is not None:
        signed = available.amount if available.credit_debit_indicator == "credit" else -available.amount
    return AccountRow(
        account_id=str(account.account_id),
        account_number=account.kontonr,
        type=account.type,
        currency=account.currency,
        status=account.status,
        start_date=account.opened,
        end_date=account.closed,
        name=contacts.account_nickname(account.kontonr, account.type),
        credit_line_amount=account.credit_limit,
        credit_line_currency=account.currency if account.credit_limit is not None else None,
        available_amount=signed,
        available_registered=available.registered if available else None,
    )


def bank_accounts(population: Population, bank_orgnr: str) -> list[synth.Account]:
    return [a for a in population.accounts if a.bank_orgnr == bank_orgnr and a.invalid_reason is None]


def _addresses(population: Population) -> dict[str, tuple[synth.Address, bool]]:
    """party id → (its register address, whether it is an organisation); a few ms per bank."""
    index = {person.person_id: (person.address, False) for person in population.persons}
    index.update({company.orgnr: (company.address, True) for company in population.companies})
    return index


def party_row(party_id: str, name: str, address: synth.Address | None, *, organisation: bool) -> PartyRow:
    """A party as the bank knows it: register name and address, its own phone and e-mail records."""
    postal = None
    if address is not None:
        postal = PostalAddress(
            type=AddressType.BUSINESS if organisation else AddressType.RESIDENTIAL,
            street_name=address.street_name,
            building_number=address.building_number,
            post_code=address.post_code,
            town_name=address.town_name,
            country=address.country,
        )
    electronic = tuple(
        ElectronicAddressRow(type=kind, value=value)
        for kind, value in contacts.electronic_addresses(party_id, name, organisation=organisation)
    )
    return PartyRow(party_id=party_id, name=name, postal_address=postal, electronic_addresses=electronic)


def party_rows(population: Population, kontonrs: set[str]) -> Iterator[PartyRow]:
    """Every party holding a role on one of ``kontonrs``, once, with the name, address and
    electronic addresses the bank knows."""
    seen: set[str] = set()
    addresses = _addresses(population)
    for role in population.roles:
        if role.kontonr in kontonrs and role.party_id not in seen:
            seen.add(role.party_id)
            address, organisation = addresses.get(role.party_id, (None, role.party_kind != "person"))
            yield party_row(role.party_id, role.name, address, organisation=organisation)


def _held(start: date, end: date | None) -> bool:
    return end is None or end >= start


def relation_rows(population: Population, account_ids: dict[str, str]) -> Iterator[RelationRow]:
    """``account_ids`` maps kontonr → the bank's account key."""
    for role in population.roles:
        account_id = account_ids.get(role.kontonr)
        if account_id is not None and _held(role.start_date, role.end_date):
            yield RelationRow(
                account_id=account_id,
                party_id=role.party_id,
                role=RelationRole(role.role),
                start_date=role.start_date,
                end_date=role.end_date,
                permission=role.permission,
            )


def card_rows(population: Population, account_ids: dict[str, str]) -> Iterator[CardRow]:
    for card in population.cards:
        account_id = account_ids.get(card.kontonr)
        if account_id is not None:
            yield CardRow(
                account_id=account_id,
                card_id=str(card.card_id),
                card=payment_card(card),
                holder_party_id=card.holder_id,
            )


def booked(transactions: Iterable[synth.Transaction]) -> list[synth.Transaction]:
    """The transactions a bank store holds: booked ones (pending items have no booking date)."""
    return [tx for tx in transactions if tx.booking_date is not None and tx.invalid_reason is None]


def transaction(tx: synth.Transaction, cards: dict[int, synth.Card]) -> Transaction:
    code = None
    if tx.domain or tx.family or tx.sub_family or tx.free_text:
        code = BankTransactionCode(domain=tx.domain, family=tx.family, sub_family=tx.sub_family, free_text=tx.free_text)
    counter = _counter_parties(tx)
    fx = None
    if tx.fx_original_amount is not None or tx.fx_source_currency:
        fx = CurrencyExchange(
            original_amount=tx.fx_original_amount,
            source_currency=tx.fx_source_currency,
            target_currency=tx.fx_target_currency,
            unit_currency=tx.fx_unit_currency,
            exchange_rate=tx.fx_exchange_rate,
        )
    card = _payment_card_of(tx, cards)
    return Transaction(
        transaction_identifier=tx.transaction_id,
        references=tuple(TransactionReference(value=r.value, type=r.type) for r in tx.references) or None,
        credit_debit_indicator=tx.credit_debit_indicator,
        reversal_indicator=tx.reversal_indicator,
        status=tx.status,
        transaction_code=code,
        booking_date=tx.booking_date,
        value_date=tx.value_date,
        counter_parties=counter,
        additional_info=tx.additional_info,
        currency_exchange=fx,
        merchant=tx.merchant,
        payment_card=card,
        registered=tx.registered,
        amount=tx.amount,
        currency=tx.currency,
    )


def transaction_rows(
    account_id: str, transactions: Iterable[synth.Transaction], cards: dict[int, synth.Card]
) -> Iterator[TransactionRow]:
    for tx in transactions:
        yield TransactionRow(account_id=account_id, transaction=transaction(tx, cards))


# ---- registers ---------------------------------------------------------------------------------
def freg_person(person: synth.Person) -> Person:
    address = person.address
    return Person(
        identifikasjonsnummer=person.person_id,
        navn=Navn(fornavn=person.given_name, etternavn=person.family_name),
        status=PersonStatus.DOED if person.date_of_death else PersonStatus.BOSATT,
        doedsdato=person.date_of_death,
        adressebeskyttelse=Adressebeskyttelse(person.address_protection)
        if person.address_protection
        else Adressebeskyttelse.UGRADERT,
        bostedsadresse=Adresse(
            adresselinje=f"{address.street_name} {address.building_number}",
            postnummer=address.post_code,
            poststed=address.town_name,
        ),
    )


def freg_persons(population: Population) -> list[Person]:
    return [freg_person(p) for p in population.persons if p.invalid_reason is None]


def _years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def vergemaal(population: Population) -> list[Vergemaal]:
    """The vergemål of the world; a ward under 18 on ``valid_from`` has a ``mindreaarig`` one."""
    born = {p.person_id: p.birth_date for p in population.persons}
    out = []
    for g in population.guardianships:
        minor = g.ward_id in born and _years(born[g.ward_id], g.valid_from) < _ADULT_YEARS
        given, _, family = g.guardian_name.rpartition(" ")
        out.append(
            Vergemaal(
                id=f"vm-{g.ward_id}-{g.guardian_id}-{g.valid_from.isoformat()}",
                vergehaver=g.ward_id,
                verge=Verge(identifikasjonsnummer=g.guardian_id, navn=Navn(fornavn=given or family, etternavn=family)),
                type=VergemaalType.MINDREAARIG if minor else VergemaalType.VOKSEN,
                tjenesteoppgaver=g.tjenesteoppgaver,
                gyldigFraOgMed=g.valid_from,
                gyldigTilOgMed=g.valid_to,
            )
        )
    return out


def notices(population: Population) -> list[Konkursvarsel]:
    return [
        Konkursvarsel(
            uuid=b.notice_uuid,
            registreringstidspunkt=b.notice_registered,
            type=KonkursType(b.notice_type),
            debitor=b.debtor_id,
            kjennelsesdato=b.kjennelsesdato,
            debitorNavn=b.debtor_name,
            tilknyttedeEnheter=(TilknyttetEnhet(organisasjonsnummer=b.linked_orgnr, organisasjonsform="ENK"),)
            if b.linked_orgnr
            else (),
        )
        for b in population.bankruptcies
    ]


def _rule(rettighet: Rettighet, rule: synth.SignatureRule) -> Signaturregel:
    if rule.kind == "styret":
        return Signaturregel(
            rettighet=rettighet,
            regeltype=Regeltype.FELLESSKAP,
            tekst="styret i fellesskap",
            roller=(Rollekrav(rolle=Rollekode.MEDL, antall=None),),
        )
    alone = rule.kind == "alene"
    return Signaturregel(
        rettighet=rettighet,
        regeltype=Regeltype.NAVNGITTE_PERSONER,
        tekst="hver for seg" if alone else "i fellesskap",
        personer=rule.holders,
        antall=1 if alone else None,
    )


def organisations(population: Population) -> list[Enhet]:
    names = {p.person_id: p.name for p in population.persons}
    out = []
    for c in population.companies:
        if c.invalid_reason is not None:
            continue
        owner = next((r.person_id for r in c.roles if r.role == "innehaver"), None)
        rules = [_rule(Rettighet.SIGNATUR, c.signature)] if c.signature else []
        if c.prokura:
            rules.append(_rule(Rettighet.PROKURA, c.prokura))
        out.append(
            Enhet(
                organisasjon=Organisasjon(
                    organisasjonsnummer=c.orgnr,
                    navn=c.name,
                    organisasjonsform=c.org_form,
                    forretningsadresse=Adresse(
                        adresselinje=f"{c.address.street_name} {c.address.building_number}",
                        postnummer=c.address.post_code,
                        poststed=c.address.town_name,
                    ),
                    innehaver=owner if c.org_form == "ENK" else None,
                    registreringsdato=c.founded,
                ),
                roller=tuple(
                    Rolle(rolle=_ROLLEKODE[r.role], person=r.person_id, navn=names.get(r.person_id)) for r in c.roles
                ),
                regler=tuple(rules),
            )
        )
    return out


# ---- relations hub -----------------------------------------------------------------------------
def kar_rows(population: Population) -> Iterator[KarRow]:
    for _, org, bank_name, party, _, kontonr, _, role, _, start, end, creditable in customer_relations(
        population, "KAR"
    ):
        if not _held(start, end):
            continue
        yield KarRow(
            customer_id=party,
            org_no=org,
            account_no=kontonr,
            role=_KAR_ROLE[role],
            start=start,
            end=end,
            bank_name=bank_name,
            nics_reachable=creditable,
        )


def kfr_rows(population: Population) -> tuple[list[KfrRow], dict[str, str]]:
    """One relation per (bank, customer) of the KFR banks, and the banks' names."""
    spans: dict[tuple[str, str], tuple[date, date | None]] = {}
    names: dict[str, str] = {}
    row: Any
    for row in customer_relations(population, "KFR"):
        org, name, party, start, end = row[1], row[2], row[3], row[9], row[10]
        if not _held(start, end):
            continue
        names[org] = name
        known = spans.get((org, party))
        if known is None:
            spans[(org, party)] = (start, end)
        else:
            open_end = None if known[1] is None or end is None else max(known[1], end)
            spans[(org, party)] = (min(known[0], start), open_end)
    rows = [
        KfrRow(org_no=org, customer_id=party, start=start, end=end)
        for (org, party), (start, end) in sorted(spans.items())
    ]
    return rows, names


def loyveregister(population: Population) -> dict[str, Any]:
    """SVV's carriers and guarantees, Finanstilsynet's concessions (every bank of the world): the
    ``LoyveStore.load`` arguments (synth.transport decides who is a carrier)."""
    from opendsop.contracts.registers.loyve import Konsesjon, Loyveoversikt, Transportor
    from opendsop.synth import transport

    found = transport.carriers(population.companies)
    return {
        "transportorer": [
            Transportor(organisasjonsnummer=c.orgnr, navn=c.name, loyver=Loyveoversikt(**c.licences)) for c in found
        ],
        "garantier": transport.guarantees(found, population.banks, population.today),
        "konsesjoner": [
            Konsesjon(organisasjonsnummer=b.orgnr, navn=b.name, konsesjonstype="bank") for b in population.banks
        ],
    }


__all__ = [
    "TransactionColumns",
    "account_row",
    "balance_columns",
    "balance_rows",
    "bank_accounts",
    "booked",
    "booked_values",
    "card_rows",
    "freg_person",
    "freg_persons",
    "kar_rows",
    "kfr_rows",
    "loyveregister",
    "notices",
    "organisations",
    "party_rows",
    "payment_card",
    "relation_rows",
    "sqlite_balance_params",
    "sqlite_balance_values",
    "statement_balances",
    "transaction",
    "transaction_rows",
    "vergemaal",
]
