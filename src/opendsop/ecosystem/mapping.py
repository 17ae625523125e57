# SPDX-License-Identifier: Apache-2.0
"""The one place where synthetic-world records become the stores' loader rows.

Decides how the generator's vocabulary (``opendsop.synth.model``) is told to each store:

* **bank store** (spec/datamodel.md §1–2; ``provider/store/records.py``): per bank, its accounts
  (``account_id`` is the generator's numeric id as text), the parties holding a role on them, the
  roles as relations, the cards (the masked number is all the generator has), the *booked*
  transactions as v2 ``Transaction`` objects and one signed booked balance per day with bookings
  (plus the opening day).  Pending items are left out: the loader stores booked transactions only.
* **registers** (FREG, Konkursvarsel, Enhetsregisteret; datamodel.md §3.2–3.3): persons with
  status, doedsdato and adressebeskyttelse; vergemål with their ``tjenesteoppgaver``; one notice
  per bankruptcy; companies with roles and rules — signatur/prokura ``alene`` (each named holder
  alone), ``iFellesskap`` (the named holders jointly), ``styret`` (the board jointly).
* **relations hub** (protocol.md §6, datamodel.md §2.7): account-level KAR rows from banks that
  report to KAR; one customer-level KFR ``DSOPBANK`` row per (bank, customer) from the others,
  from the customer's earliest role and open while any role is open.

Only valid records are mapped (``invalid_reason is None``): invalid ones exist for negative tests.
A role that ends before it starts was never held and is left out (the generator has made one in
the ``demo`` world; the loaders refuse such rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec

from opendsop.provider.store.loader import card_columns, sqlite_timestamp
from opendsop.provider.store.records import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    RelationRole,
    RelationRow,
    TransactionRow,
)
from opendsop.registers.models import (
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
from opendsop.relations import KarRow, KfrRow, Role
from opendsop.standard.control.v2 import (
    BankTransactionCode,
    CounterParty,
    CurrencyExchange,
    Identifier,
    IdentifierType,
    PaymentCard,
    PostalAddress,
    Transaction,
    TransactionReference,
)
from opendsop.synth import model as synth
from opendsop.synth import transactions as synth_transactions
from opendsop.synth.registers import customer_relations
from opendsop.synth.world import Population

_encode = msgspec.json.Encoder().encode
_NO_FX: tuple[None, ...] = (None,) * 5
_KAR_ROLE = {"primaryOwner": Role.OWNER, "secondaryOwner": Role.SECONDARY_OWNER, "disponent": Role.DISPONENT}
_ADULT_YEARS = 18
_ROLLEKODE = {"innehaver": Rollekode.INNH, "dagligLeder": Rollekode.DAGL, "styreleder": Rollekode.LEDE,
              "styremedlem": Rollekode.MEDL}


# ---- bank store ------------------------------------------------------------------------------
def account_row(account: synth.Account, balances: Iterable[synth.Balance] = ()) -> AccountRow:
    available = next((b for b in balances if b.type == "availableBalance"), None)
    signed = None
    if available is not None:
        signed = available.amount if available.credit_debit_indicator == "credit" else -available.amount
    return AccountRow(
        account_id=str(account.account_id), account_number=account.kontonr, type=account.type,
        currency=account.currency, status=account.status, start_date=account.opened, end_date=account.closed,
        credit_line_amount=account.credit_limit,
        credit_line_currency=account.currency if account.credit_limit is not None else None,
        available_amount=signed, available_registered=available.registered if available else None,
    )


def bank_accounts(population: Population, bank_orgnr: str) -> list[synth.Account]:
    return [a for a in population.accounts if a.bank_orgnr == bank_orgnr and a.invalid_reason is None]


def party_rows(population: Population, kontonrs: set[str]) -> Iterator[PartyRow]:
    """Every party holding a role on one of ``kontonrs``, once, with the name the bank knows."""
    seen: set[str] = set()
    for role in population.roles:
        if role.kontonr in kontonrs and role.party_id not in seen:
            seen.add(role.party_id)
            yield PartyRow(party_id=role.party_id, name=role.name)


def _held(start: date, end: date | None) -> bool:
    return end is None or end >= start


def relation_rows(population: Population, account_ids: dict[str, str]) -> Iterator[RelationRow]:
    """``account_ids`` maps kontonr → the bank's account key."""
    for role in population.roles:
        account_id = account_ids.get(role.kontonr)
        if account_id is not None and _held(role.start_date, role.end_date):
            yield RelationRow(account_id=account_id, party_id=role.party_id, role=RelationRole(role.role),
                              start_date=role.start_date, end_date=role.end_date, permission=role.permission)


def card_rows(population: Population, account_ids: dict[str, str]) -> Iterator[CardRow]:
    for card in population.cards:
        account_id = account_ids.get(card.kontonr)
        if account_id is not None:
            yield CardRow(account_id=account_id, card_id=str(card.card_id), card=payment_card(card),
                          holder_party_id=card.holder_id)


def payment_card(card: synth.Card) -> PaymentCard:
    return PaymentCard(
        card_identifier=card.card_identifier, holder_name=card.holder_name, start_date=card.start_date,
        expiry_date=card.expiry_date, card_issuer_name=card.issuer_name, type=card.type, card_status=card.status,
        version_number=card.version_number,
        card_issuer_identifier=Identifier(value=card.issuer_orgnr, type=IdentifierType.COUNTRY_IDENTIFICATION_CODE,
                                          country_of_residence="NO"),
    )


def booked(transactions: Iterable[synth.Transaction]) -> list[synth.Transaction]:
    """The transactions a bank store holds: booked ones (pending items have no booking date)."""
    return [tx for tx in transactions if tx.booking_date is not None and tx.invalid_reason is None]


def _counter_parties(tx: synth.Transaction) -> tuple[CounterParty, ...] | None:
    if not (tx.counterparty_type or tx.counterparty_account or tx.counterparty_id or tx.counterparty_name):
        return None
    identifier = (Identifier(value=tx.counterparty_id, type=tx.counterparty_id_type or
                             IdentifierType.NATIONAL_IDENTITY_NUMBER)
                  if tx.counterparty_id else None)
    address = tx.counterparty_address
    postal = (PostalAddress(street_name=address.street_name, building_number=address.building_number,
                            post_code=address.post_code, town_name=address.town_name, country=address.country)
              if address else None)
    return (CounterParty(account_identifier=tx.counterparty_account, identifier=identifier,
                         name=tx.counterparty_name, type=tx.counterparty_type, postal_address=postal),)


def _payment_card_of(tx: synth.Transaction, cards: dict[int, synth.Card]) -> PaymentCard | None:
    if tx.card_id is not None and tx.card_id in cards:
        return payment_card(cards[tx.card_id])
    if tx.card_identifier:
        return PaymentCard(card_identifier=tx.card_identifier)
    return None


def transaction(tx: synth.Transaction, cards: dict[int, synth.Card]) -> Transaction:
    code = None
    if tx.domain or tx.family or tx.sub_family or tx.free_text:
        code = BankTransactionCode(domain=tx.domain, family=tx.family, sub_family=tx.sub_family,
                                   free_text=tx.free_text)
    counter = _counter_parties(tx)
    fx = None
    if tx.fx_original_amount is not None or tx.fx_source_currency:
        fx = CurrencyExchange(original_amount=tx.fx_original_amount, source_currency=tx.fx_source_currency,
                              target_currency=tx.fx_target_currency, unit_currency=tx.fx_unit_currency,
                              exchange_rate=tx.fx_exchange_rate)
    card = _payment_card_of(tx, cards)
    return Transaction(
        transaction_identifier=tx.transaction_id,
        references=tuple(TransactionReference(value=r.value, type=r.type) for r in tx.references) or None,
        credit_debit_indicator=tx.credit_debit_indicator, reversal_indicator=tx.reversal_indicator,
        status=tx.status, transaction_code=code, booking_date=tx.booking_date, value_date=tx.value_date,
        counter_parties=counter, additional_info=tx.additional_info, currency_exchange=fx, merchant=tx.merchant,
        payment_card=card, registered=tx.registered, amount=tx.amount, currency=tx.currency,
    )


class TransactionColumns:
    """Booked synthetic transactions straight to ``bank_transaction`` column tuples (the bulk path).

    Gives exactly the values ``loader.transaction_values(TransactionRow(account_id, transaction(tx,
    cards)))`` gives, in ``loader.TRANSACTION_COLUMNS`` order, without building the v2 objects per
    row: counterparties and cards repeat, so their JSON and columns are made once per bank.
    """

    def __init__(self, cards: dict[int, synth.Card]) -> None:
        self._cards = cards
        self._parties: dict[tuple[Any, ...], str | None] = {}
        self._card_columns: dict[tuple[int | None, str | None], tuple[Any, ...]] = {}
        self._stamp = sqlite_timestamp()

    def _counter_parties(self, tx: synth.Transaction) -> str | None:
        key = (tx.counterparty_type, tx.counterparty_account, tx.counterparty_id, tx.counterparty_id_type,
               tx.counterparty_name, tx.counterparty_address)
        found = self._parties.get(key, False)
        if found is False:
            parties = _counter_parties(tx)
            found = _encode(parties).decode() if parties is not None else None
            self._parties[key] = found
        return found  # type: ignore[return-value]

    def _card(self, tx: synth.Transaction) -> tuple[Any, ...]:
        key = (tx.card_id, tx.card_identifier)
        found = self._card_columns.get(key)
        if found is None:
            found = tuple(card_columns(_payment_card_of(tx, self._cards)))
            self._card_columns[key] = found
        return found

    def row(self, account_id: str, tx: synth.Transaction) -> tuple[Any, ...]:
        assert tx.booking_date is not None  # only booked transactions reach here
        refs = _references(tx.references)
        if tx.fx_original_amount is not None or tx.fx_source_currency:
            fx: tuple[Any, ...] = (tx.fx_original_amount, tx.fx_source_currency, tx.fx_target_currency,
                                   tx.fx_unit_currency, tx.fx_exchange_rate)
        else:
            fx = _NO_FX
        return (account_id, tx.transaction_id, tx.booking_date, tx.value_date, tx.registered, _text(tx.status),
                _text(tx.credit_debit_indicator), tx.reversal_indicator, tx.amount, tx.currency,
                tx.additional_info, tx.merchant, _text(tx.domain), _text(tx.family), _text(tx.sub_family),
                tx.free_text, refs, self._counter_parties(tx), *fx, *self._card(tx))


    def sqlite_row(self, account_id: str, tx: synth.Transaction) -> tuple[Any, ...]:
        """``row`` as the SQLite driver's parameters (what the columns' bind processors make of it:
        UTC timestamp text, decimal text, 0/1), in one pass for ``loader.load_sqlite_file``.
        Enum members give their plain ``_value_`` string (``str()`` of a ``StrEnum`` copies it)."""
        stamp = self._stamp
        booking, value_date, registered = tx.booking_date, tx.value_date, tx.registered
        booked_at = stamp(booking)  # type: ignore[arg-type]  # only booked transactions reach here
        domain, family, sub_family = tx.domain, tx.family, tx.sub_family
        if tx.fx_original_amount is not None or tx.fx_source_currency:
            original, rate = tx.fx_original_amount, tx.fx_exchange_rate
            fx: tuple[Any, ...] = (str(original) if original is not None else None, tx.fx_source_currency,
                                   tx.fx_target_currency, tx.fx_unit_currency, str(rate) if rate is not None else None)
        else:
            fx = _NO_FX
        return (account_id, tx.transaction_id, booked_at,
                booked_at if value_date is booking else stamp(value_date) if value_date is not None else None,
                booked_at if registered is booking else stamp(registered) if registered is not None else None,
                tx.status._value_, tx.credit_debit_indicator._value_, int(tx.reversal_indicator), str(tx.amount),
                tx.currency, tx.additional_info, tx.merchant, domain._value_ if domain is not None else None,
                family._value_ if family is not None else None,
                sub_family._value_ if sub_family is not None else None, tx.free_text, _references(tx.references),
                self._counter_parties(tx), *fx, *self._card(tx))


    def sqlite_value_row(self, account_id: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``sqlite_row`` of ``synth.Transaction(*values)`` straight from the generator's field tuple
        (``Population.statement_values``), without the object; counterparty and card columns,
        remembered per bank, build the object only the first time they are seen."""
        (_, _, amount, currency, indicator, status, registered, booking, value_date, domain, family, sub_family,
         free_text, info, reversal, references, *_, merchant, _, _, original, source, target, unit, rate,
         _) = values
        stamp = self._stamp
        booked_at = stamp(booking)
        parties = self._parties.get(values[16:22], False)
        if parties is False:
            parties = self._counter_parties(synth.Transaction(*values))
        card = self._card_columns.get(values[23:25])
        if card is None:
            card = self._card(synth.Transaction(*values))
        if original is not None or source:
            fx: tuple[Any, ...] = (str(original) if original is not None else None, source, target, unit,
                                   str(rate) if rate is not None else None)
        else:
            fx = _NO_FX
        return (account_id, values[0], booked_at,
                booked_at if value_date is booking else stamp(value_date) if value_date is not None else None,
                booked_at if registered is booking else stamp(registered) if registered is not None else None,
                status._value_, indicator._value_, int(reversal), str(amount), currency, info, merchant,
                domain._value_ if domain is not None else None, family._value_ if family is not None else None,
                sub_family._value_ if sub_family is not None else None, free_text, _references(references),
                parties, *fx, *card)


def _references(references: tuple[synth.TransactionReference, ...]) -> str | None:
    if not references:
        return None
    if len(references) == 1 and references[0].value.isascii() and references[0].value.isalnum():
        return f'[{{"value":"{references[0].value}","type":"{references[0].type}"}}]'  # no escaping needed
    return _encode(tuple(TransactionReference(value=r.value, type=r.type) for r in references)).decode()


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def balance_columns(account: synth.Account, transactions: Iterable[synth.Transaction]) -> list[tuple[Any, ...]]:
    """``balance_rows`` as ``(account_id, day, amount)`` tuples (the bulk path)."""
    return [(row.account_id, row.day, row.amount) for row in balance_rows(account, transactions)]


def sqlite_balance_params(account: synth.Account, transactions: Iterable[synth.Transaction]) -> list[tuple[Any, ...]]:
    """``balance_columns`` as the SQLite driver's parameters: ``(account_id, 'YYYY-MM-DD', decimal text)``."""
    account_id = str(account.account_id)
    running = account.opening_balance
    by_day: dict[date, Decimal] = {account.balance_date: running}
    credit = synth.CreditOrDebit.CREDIT
    for tx in transactions:
        running += tx.amount if tx.credit_debit_indicator is credit else -tx.amount  # tx.signed_amount, inlined
        by_day[tx.booking_date.date()] = running  # type: ignore[union-attr]  # booked ones only
    return [(account_id, day.isoformat(), str(by_day[day])) for day in sorted(by_day)]


# Positions in a ``synth.Transaction`` field tuple (``Population.statement_values``).
_AMOUNT, _INDICATOR, _STATUS, _BOOKING, _INVALID = 2, 4, 5, 7, 30


def booked_values(values: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``booked`` for field tuples."""
    return [v for v in values if v[_BOOKING] is not None and v[_INVALID] is None]


def statement_balances(account: synth.Account, values: Iterable[tuple[Any, ...]], today: date) -> list[synth.Balance]:
    """``synth.transactions.balances`` of the statement given as field tuples (summed in the same order)."""
    if not synth_transactions.has_balances(account):
        return []
    booked, pending = account.opening_balance, synth_transactions.ZERO
    credit, debit = synth.CreditOrDebit.CREDIT, synth.CreditOrDebit.DEBIT
    is_booked, is_pending = synth.TransactionStatus.BOOKED, synth.TransactionStatus.PENDING
    for v in values:
        status = v[_STATUS]
        if status is is_booked and v[_INVALID] is None and v[_BOOKING] is not None:
            booked += v[_AMOUNT] if v[_INDICATOR] is credit else -v[_AMOUNT]
        if status is is_pending and v[_INDICATOR] is debit:
            pending += v[_AMOUNT]
    return synth_transactions.balances_of(account, booked, pending, today)


def sqlite_balance_values(account: synth.Account, booked: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``sqlite_balance_params`` of booked field tuples."""
    account_id = str(account.account_id)
    running = account.opening_balance
    by_day: dict[date, Decimal] = {account.balance_date: running}
    credit = synth.CreditOrDebit.CREDIT
    for v in booked:
        running += v[_AMOUNT] if v[_INDICATOR] is credit else -v[_AMOUNT]
        by_day[v[_BOOKING].date()] = running
    return [(account_id, day.isoformat(), str(by_day[day])) for day in sorted(by_day)]


def transaction_rows(account_id: str, transactions: Iterable[synth.Transaction],
                     cards: dict[int, synth.Card]) -> Iterator[TransactionRow]:
    for tx in transactions:
        yield TransactionRow(account_id=account_id, transaction=transaction(tx, cards))


def balance_rows(account: synth.Account, transactions: Iterable[synth.Transaction]) -> Iterator[BookedBalanceRow]:
    """The signed booked balance at the end of the opening day and of every day with bookings.

    ``opening_balance`` is the balance at the start of ``balance_date``, before any generated
    transaction (synth.model.Account), so each day adds its booked transactions to it.
    """
    account_id = str(account.account_id)
    running = account.opening_balance
    by_day: dict[date, Decimal] = {account.balance_date: running}
    for tx in transactions:
        assert tx.booking_date is not None  # only booked transactions reach here
        running += tx.signed_amount
        by_day[tx.booking_date.date()] = running
    for day in sorted(by_day):
        yield BookedBalanceRow(account_id=account_id, day=day, amount=by_day[day])


# ---- registers ---------------------------------------------------------------------------------
def freg_person(person: synth.Person) -> Person:
    address = person.address
    return Person(
        identifikasjonsnummer=person.person_id,
        navn=Navn(fornavn=person.given_name, etternavn=person.family_name),
        status=PersonStatus.DOED if person.date_of_death else PersonStatus.BOSATT,
        doedsdato=person.date_of_death,
        adressebeskyttelse=Adressebeskyttelse(person.address_protection) if person.address_protection
        else Adressebeskyttelse.UGRADERT,
        bostedsadresse=Adresse(adresselinje=f"{address.street_name} {address.building_number}",
                               postnummer=address.post_code, poststed=address.town_name),
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
        out.append(Vergemaal(
            id=f"vm-{g.ward_id}-{g.guardian_id}-{g.valid_from.isoformat()}", vergehaver=g.ward_id,
            verge=Verge(identifikasjonsnummer=g.guardian_id,
                        navn=Navn(fornavn=given or family, etternavn=family)),
            type=VergemaalType.MINDREAARIG if minor else VergemaalType.VOKSEN,
            tjenesteoppgaver=g.tjenesteoppgaver, gyldigFraOgMed=g.valid_from, gyldigTilOgMed=g.valid_to,
        ))
    return out


def notices(population: Population) -> list[Konkursvarsel]:
    return [
        Konkursvarsel(
            uuid=b.notice_uuid, registreringstidspunkt=b.notice_registered, type=KonkursType(b.notice_type),
            debitor=b.debtor_id, kjennelsesdato=b.kjennelsesdato, debitorNavn=b.debtor_name,
            tilknyttedeEnheter=(TilknyttetEnhet(organisasjonsnummer=b.linked_orgnr, organisasjonsform="ENK"),)
            if b.linked_orgnr else (),
        )
        for b in population.bankruptcies
    ]


def _rule(rettighet: Rettighet, rule: synth.SignatureRule) -> Signaturregel:
    if rule.kind == "styret":
        return Signaturregel(rettighet=rettighet, regeltype=Regeltype.FELLESSKAP, tekst="styret i fellesskap",
                             roller=(Rollekrav(rolle=Rollekode.MEDL, antall=None),))
    alone = rule.kind == "alene"
    return Signaturregel(rettighet=rettighet, regeltype=Regeltype.NAVNGITTE_PERSONER,
                         tekst="hver for seg" if alone else "i fellesskap", personer=rule.holders,
                         antall=1 if alone else None)


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
        out.append(Enhet(
            organisasjon=Organisasjon(
                organisasjonsnummer=c.orgnr, navn=c.name, organisasjonsform=c.org_form,
                forretningsadresse=Adresse(adresselinje=f"{c.address.street_name} {c.address.building_number}",
                                           postnummer=c.address.post_code, poststed=c.address.town_name),
                innehaver=owner if c.org_form == "ENK" else None, registreringsdato=c.founded),
            roller=tuple(Rolle(rolle=_ROLLEKODE[r.role], person=r.person_id, navn=names.get(r.person_id))
                         for r in c.roles),
            regler=tuple(rules),
        ))
    return out


# ---- relations hub -----------------------------------------------------------------------------
def kar_rows(population: Population) -> Iterator[KarRow]:
    for (_, org, bank_name, party, _, kontonr, _, role, _, start, end, creditable) in customer_relations(
            population, "KAR"):
        if not _held(start, end):
            continue
        yield KarRow(customer_id=party, org_no=org, account_no=kontonr, role=_KAR_ROLE[role], start=start, end=end,
                     bank_name=bank_name, nics_reachable=creditable)


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
    rows = [KfrRow(org_no=org, customer_id=party, start=start, end=end)
            for (org, party), (start, end) in sorted(spans.items())]
    return rows, names


__all__ = [
    "TransactionColumns", "account_row", "balance_columns", "balance_rows", "bank_accounts", "booked", "card_rows",
    "freg_person", "freg_persons", "kar_rows", "kfr_rows", "notices", "organisations", "party_rows", "payment_card",
    "relation_rows", "transaction", "transaction_rows", "vergemaal",
]
