# SPDX-License-Identifier: Apache-2.0
"""One account's statement: its link events and its own events, sorted and numbered.

See ``opendsop.synth.transactions`` for the rules; this module holds the per-shard context that
turns events into :class:`~opendsop.synth.model.Transaction` values.  Transaction identifiers are
``<account_id, 8 digits><sequence, 5 digits>`` in booking order, unique within the world.
"""

from __future__ import annotations

import calendar
from bisect import bisect
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from opendsop.synth._context import Window
from opendsop.synth.accounts import Ledger
from opendsop.synth.model import (
    Account,
    AccountType,
    Card,
    Company,
    CounterPartyType,
    CreditOrDebit,
    Link,
    Person,
    Transaction,
    TransactionReference,
    TransactionStatus,
)
from opendsop.synth.model import TransactionReferenceType as Ref
from opendsop.synth.population import MERCHANT_CATEGORIES, People
from opendsop.synth.transactions import (
    BOOKED,
    CODES,
    CREDIT,
    DEBIT,
    NAV,
    NOK_PER_UNIT,
    ORG_ID,
    PENDING,
    PERSON_ID,
    PURCHASE_RANGES,
    SKATTEETATEN,
    ZERO,
    ZONE,
    Counterparty,
    _at,
    _money,
    link_events,
    make_rng,
    months,
    reference,
)

T = AccountType
COUNTRY_CURRENCY = {"SE": "SEK", "DK": "DKK", "DE": "EUR"}
Event = tuple[datetime, int, tuple[Any, ...]]
NO_CARD: tuple[None, None] = (None, None)
NO_FX: tuple[Any, ...] = (None,) * 5
NO_PARTY: tuple[Any, ...] = (None,) * 6
# Positions in an event's value tuple (Transaction fields after ``transaction_id``).
AMOUNT, INDICATOR, REVERSAL, REFERENCES = 1, 3, 13, 14


def values(
    kontonr: str,
    amount: Decimal,
    currency: str,
    indicator: CreditOrDebit,
    status: TransactionStatus,
    registered: datetime,
    booking: datetime | None,
    code: tuple[Any, ...],
    info: str | None,
    refs: tuple[TransactionReference, ...],
    party: tuple[Any, ...],
    merchant: str | None = None,
    card: tuple[Any, ...] = NO_CARD,
    fx: tuple[Any, ...] = NO_FX,
    reversal: bool = False,
) -> tuple[Any, ...]:
    """A Transaction's fields after ``transaction_id``, in order (positional construction is fast)."""
    domain, family, sub_family, text = code
    return (
        kontonr,
        amount,
        currency,
        indicator,
        status,
        registered,
        booking,
        booking,
        domain,
        family,
        sub_family,
        text,
        info,
        reversal,
        refs,
        *party,
        merchant,
        *card,
        *fx,
        None,
    )


class Statements:
    """Generates statements for the accounts of one shard (cheap to build, holds no transactions)."""

    def __init__(self, seed: int, window: Window, people: People, ledger: Ledger) -> None:
        self.seed, self.window, self.ledger = seed, window, ledger
        self.persons: dict[str, Person] = people.by_id
        self.companies: dict[str, Company] = {c.orgnr: c for c in people.companies}
        self.cards: dict[str, list[Card]] = {}
        for card in ledger.cards:
            self.cards.setdefault(card.kontonr, []).append(card)
        self.links: dict[str, list[tuple[Link, bool]]] = {}
        for link in ledger.links:
            self.links.setdefault(link.source, []).append((link, True))
            self.links.setdefault(link.target, []).append((link, False))
        categories = dict((c, w) for c, _, w in MERCHANT_CATEGORIES)
        self.merchants = [m for m in people.merchants if m.merchant_category in categories]
        self.cum = list(accumulate(categories[m.merchant_category] for m in self.merchants))  # type: ignore[index]
        # Per merchant: (name, NOK range in øre, counterparty columns, foreign currency or None).
        self.merchant_facts = [
            (
                m.name[:140],
                tuple(x * 100 for x in PURCHASE_RANGES[m.merchant_category]),  # type: ignore[index]
                self.company_party(m).values(DEBIT),
                COUNTRY_CURRENCY.get(m.address.country),
            )
            for m in self.merchants
        ]
        self.utilities = [m for m in people.merchants if (m.merchant_category or "").startswith("utility:")]
        self.payers = people.employers
        self.employed = frozenset(people.employer_of)
        self._cache: dict[int, list[tuple[datetime, int, int, str]]] = {}
        self._mornings: dict[int, datetime | None] = {}
        self._parties: dict[str, Counterparty] = {}

    # -- counterparties ------------------------------------------------------------------------

    def party(self, account: Account) -> Counterparty:
        found = self._parties.get(account.kontonr)
        if found is None:
            person = self.persons.get(account.owner_id)
            if person is not None:
                found = Counterparty(
                    account.kontonr,
                    person.person_id,
                    PERSON_ID,
                    person.name,
                    None if person.address_protection else person.address,
                )
            else:
                company = self.companies[account.owner_id]
                found = Counterparty(account.kontonr, company.orgnr, ORG_ID, company.name, company.address)
            self._parties[account.kontonr] = found
        return found

    def morning(self, ordinal: int) -> datetime | None:
        """06:00 on the day with this ordinal, or ``None`` if that is after today (cached)."""
        found = self._mornings.get(ordinal, False)
        if found is False:
            day = date.fromordinal(ordinal)
            found = None if day > self.window.today else _at(day, 6, 0)
            self._mornings[ordinal] = found
        return found  # type: ignore[return-value]

    @staticmethod
    def company_party(company: Company) -> Counterparty:
        return Counterparty(None, company.orgnr, ORG_ID, company.name, company.address)

    def events_of(self, link: Link) -> list[tuple[datetime, int, int, str]]:
        # Each link is needed twice (source and target); keep it until the second use.
        found = self._cache.pop(link.link_id, None)
        if found is None:
            found = link_events(link, self.seed)
            self._cache[link.link_id] = found
        return found

    # -- statement -----------------------------------------------------------------------------

    def statement(self, account: Account) -> list[Transaction]:
        return [Transaction(*values) for values in self.statement_values(account)]

    def statement_values(self, account: Account) -> list[tuple[Any, ...]]:
        """The account's transactions as tuples in ``Transaction`` field order (the bulk path)."""
        active = self.ledger.active.get(account.kontonr)
        if active is None:
            return []
        events: list[Event] = []
        for link, outgoing in self.links.get(account.kontonr, ()):
            self._link(account, link, outgoing, events)
        _Own(self, account, active[0], active[1], events).run()
        events.sort(key=lambda event: (event[0], event[2][5], event[1]))  # booking, registered, order
        prefix = f"{account.account_id:08d}"
        return [(f"{prefix}{n:05d}", *fields) for n, (_, _, fields) in enumerate(events)]

    def _link(self, account: Account, link: Link, outgoing: bool, events: list[Event]) -> None:
        other = self.ledger.by_kontonr[link.target if outgoing else link.source]
        indicator = DEBIT if outgoing else CREDIT
        party = self.party(other)
        code = CODES[link.kind + ("-" if outgoing else "+")]
        info = f"{code[3]} {party.name}"[:500]
        cp = party.values(indicator)
        kontonr, currency = account.kontonr, account.currency
        fx_currency = (other.currency if outgoing else currency) if link.kind == "fx" else None
        for when, cents, _, e2e in self.events_of(link):
            amount, fx = _money(cents), NO_FX
            if fx_currency is not None:
                rate = NOK_PER_UNIT[fx_currency]
                fx = (amount, "NOK", fx_currency, fx_currency, _money(rate))
                if not outgoing:
                    amount = _money(cents * 100 // rate)
            refs = (reference(Ref.END_TO_END_IDENTIFICATION, e2e),)
            events.append(
                (
                    when,
                    len(events),
                    values(kontonr, amount, currency, indicator, BOOKED, when, when, code, info, refs, cp, fx=fx),
                )
            )


class _Own:
    """The events an account makes on its own (not mirrored on another synthetic account)."""

    def __init__(self, owner: Statements, account: Account, first: date, last: date, events: list[Event]) -> None:
        self.s, self.account, self.first, self.last, self.events = owner, account, first, last, events
        self.rng = make_rng(owner.seed, account)
        self.rand = self.rng.random
        self.today = owner.window.today

    def between(self, low: int, high: int) -> int:
        """A uniform integer in [low, high] (``randint`` is 3× slower and this is the hot path)."""
        return low + int(self.rand() * (high - low + 1))

    def add(self, when: datetime, fields: tuple[Any, ...]) -> None:
        self.events.append((when, len(self.events), fields))

    def simple(
        self,
        when: datetime,
        cents: int,
        indicator: CreditOrDebit,
        key: str,
        info: str | None = None,
        refs: tuple[TransactionReference, ...] = (),
        party: tuple[Any, ...] = NO_PARTY,
    ) -> None:
        code = CODES[key]
        self.add(
            when,
            values(
                self.account.kontonr,
                _money(cents),
                self.account.currency,
                indicator,
                BOOKED,
                when,
                when,
                code,
                info or code[3],
                refs,
                party,
            ),
        )

    def run(self) -> None:
        kind, a = self.account.type, self.account
        cards = self.s.cards.get(a.kontonr, ())
        person = self.s.persons.get(a.owner_id)
        adult = person is not None and (self.today - person.birth_date).days >= 18 * 365
        if kind is T.SALARY_ACCOUNT and person is not None and adult:
            mirrored = len(self.events)  # the links' events so far: their other side is on another account
            self.purchases(cards, (10, 26), credit=False)
            self.monthly_bills()
            self.cash()
            paid = [link.end for link, outgoing in self.s.links.get(a.kontonr, ()) if link.kind == "salary"]
            if a.owner_id not in self.s.employed or not paid:
                self.nav_income((self.today - person.birth_date).days >= 67 * 365)
            elif max(paid) < self.last:  # the employer stopped paying (closed, bankrupt): NAV from then on
                self.nav_income((self.today - person.birth_date).days >= 67 * 365, since=max(paid))
            self.declined_without_funds(mirrored)
            self.fee(25_00)
        elif kind is T.SALARY_ACCOUNT:  # a teenager's account: a few small purchases
            self.purchases(cards, (2, 8), credit=False, cap=300_00)
            self.fee(25_00)
        elif kind is T.CREDIT_CARD_ACCOUNT:
            self.purchases(cards, (3, 9), credit=True)
        elif kind is T.PREPAID_CARD_ACCOUNT:
            self.purchases(cards, (2, 6), credit=False, cap=400_00)
        elif kind is T.CURRENCY_ACCOUNT and person is not None:
            self.purchases(cards, (0, 2), credit=False, local_currency=True)
        elif kind is T.BUSINESS_ACCOUNT:
            self.invoices()
            self.fee(150_00)
            self.within_credit_line()
        elif kind is T.TAX_DEDUCTION_ACCOUNT:
            self.tax_payments()
        elif kind is T.LOAN_ACCOUNT:
            self.interest(-a.opening_balance, 550, monthly=True)
        elif kind in (T.SAVINGS_ACCOUNT, T.OTHER_ACCOUNT, T.CLIENT_ACCOUNT):
            self.interest(a.opening_balance, 300, monthly=False)

    def _month_span(self, year: int, month: int) -> tuple[date, int, int]:
        first = max(self.first, date(year, month, 1))
        length = calendar.monthrange(year, month)[1]
        last = min(self.last, date(year, month, length))
        return first, (last - first).days, length

    def purchases(
        self, cards: Any, per_month: tuple[int, int], *, credit: bool, cap: int = 0, local_currency: bool = False
    ) -> None:
        s, account, rand, between = self.s, self.account, self.rand, self.between
        if not s.merchants or not cards:
            return  # every purchase is made with a card of the account
        choices = [(card.card_id, card.card_identifier) for card in cards]
        code = CODES["creditcard" if credit else "debitcard"]
        kontonr, currency, facts, cum = account.kontonr, account.currency, s.merchant_facts, s.cum
        total, getrandbits, archive = cum[-1], self.rng.getrandbits, Ref.ARCHIVE_REFERENCE
        domain, family, sub_family, text = code
        morning, events = self.s.morning, self.events
        status_booked, status_pending = BOOKED, PENDING
        for year, month in months(self.first, self.last):
            first, span, length = self._month_span(year, month)
            if span < 0:
                continue
            first_ordinal = first.toordinal()
            for _ in range(between(*per_month) * (span + 1) // length):
                ordinal = first_ordinal + int(rand() * (span + 1))
                name, (low, high), cp, foreign = facts[bisect(cum, rand() * total)]
                if cap:
                    high = min(high, cap)
                cents = low + int(rand() * (high - low + 1))
                card = choices[int(rand() * len(choices))]
                second = 25200 + int(rand() * 57600)  # 07:00–22:59
                day = date.fromordinal(ordinal)
                when = datetime(
                    day.year, day.month, day.day, second // 3600, second // 60 % 60, second % 60, tzinfo=ZONE
                )
                booking = morning(ordinal + 1)  # booked the next morning, unless that is after today
                amount = _money(cents)
                fx = NO_FX
                if foreign is not None and not local_currency:
                    rate = NOK_PER_UNIT[foreign] * between(970, 1030) // 1000
                    fx = (_money(cents * 100 // rate), foreign, currency, foreign, _money(rate))
                refs = (TransactionReference(archive, f"{getrandbits(40):013d}"),)
                fields = (
                    kontonr,
                    amount,
                    currency,
                    DEBIT,
                    status_pending if booking is None else status_booked,
                    when,
                    booking,
                    booking,
                    domain,
                    family,
                    sub_family,
                    text,
                    f"{text} {name}",
                    False,
                    refs,
                    *cp,
                    name,
                    *card,
                    *fx,
                    None,
                )
                events.append((booking or when, len(events), fields))
                if booking is not None and rand() < 0.015:
                    self.reversal(fields, date.fromordinal(ordinal + 1), cp)

    def reversal(self, original: tuple[Any, ...], booked_day: date, cp: tuple[Any, ...]) -> None:
        """The merchant pays a purchase back a few days later (reversalIndicator)."""
        day = booked_day + timedelta(days=self.between(1, 5))
        if day > self.last:
            return
        when = _at(day, 6, 30)
        refund = (CounterPartyType.DEBTOR, *cp[1:])
        code = (*original[8:11], "Tilbakeføring")
        self.add(
            when,
            values(
                self.account.kontonr,
                original[AMOUNT],
                original[2],
                CREDIT,
                BOOKED,
                when,
                when,
                code,
                f"Tilbakeføring {original[21]}"[:500],
                original[14],
                refund,
                original[21],
                original[22:24],
                original[24:29],
                reversal=True,
            ),
        )

    def monthly_bills(self) -> None:
        s = self.s
        if not s.utilities:
            return
        chosen = [u for u in s.utilities if self.rand() < 0.6]
        for year, month in months(self.first, self.last):
            for n, utility in enumerate(chosen):
                day = date(year, month, 20 + n)
                if not self.first <= day <= self.last:
                    continue
                kid = f"{self.rng.getrandbits(33):010d}"
                self.simple(
                    _at(day, 5, 0),
                    self.between(300, 1600) * 100,
                    DEBIT,
                    "bill",
                    f"Avtalegiro {utility.name}",
                    (reference(Ref.REMITTANCE_REFERENCE, kid),),
                    self.s.company_party(utility).values(DEBIT),
                )

    def cash(self) -> None:
        for year, month in months(self.first, self.last):
            first, span, _ = self._month_span(year, month)
            if span < 0 or self.rand() > 0.2:
                continue
            day = first + timedelta(days=self.between(0, span))
            self.simple(_at(day, self.between(8, 20), self.between(0, 59)), self.between(2, 20) * 10000, DEBIT, "cash")

    def nav_income(self, pension: bool, since: date | None = None) -> None:
        """Adults without an employer (or ``since`` the employer stopped paying) get a pension (67 and over) or a
        benefit from NAV on the 20th."""
        key = "pension" if pension else "benefit"
        cents = self.between(180, 350) * 10000 if pension else self.between(120, 250) * 10000
        nav = Counterparty(None, NAV[0], ORG_ID, NAV[1], None).values(CREDIT)
        first = max(self.first, since) if since is not None else self.first
        for year, month in months(first, self.last):
            day = date(year, month, 20)
            if first <= day <= self.last and (since is None or day > since):
                self.simple(_at(day, 4, 0), cents, CREDIT, key, f"{CODES[key][3]} {NAV[1]}", (), nav)

    def fee(self, cents: int) -> None:
        for year, month in months(self.first, self.last):
            day = date(year, month, 1)
            if self.first <= day <= self.last:
                self.simple(_at(day, 0, 5), cents, DEBIT, "fee", "Kontogebyr")

    def interest(self, principal: Decimal, basis_points: int, *, monthly: bool) -> None:
        """Loan interest (debit, monthly) or deposit interest (credit, on 31 December)."""
        cents = int(principal * basis_points / 100) // (12 if monthly else 1)  # NOK × basis points / 100 = øre
        if cents <= 0:
            return
        for year, month in months(self.first, self.last):
            if not monthly and month != 12:
                continue
            day = date(year, month, calendar.monthrange(year, month)[1])
            if self.first <= day <= self.last:
                self.simple(
                    _at(day, 23, 0), cents, DEBIT if monthly else CREDIT, "interest-" if monthly else "interest+"
                )

    def invoices(self) -> None:
        s = self.s
        payers = [c for c in s.payers if c.orgnr != self.account.owner_id] or s.payers
        payees = s.merchants or payers
        for year, month in months(self.first, self.last):
            first, span, length = self._month_span(year, month)
            if span < 0:
                continue
            for incoming, (low, high) in ((True, (3, 12)), (False, (2, 8))):
                indicator = CREDIT if incoming else DEBIT
                for _ in range(self.between(low, high) * (span + 1) // length):
                    day = first + timedelta(days=self.between(0, span))
                    when = _at(day, self.between(6, 18), self.between(0, 59))
                    other = self.rng.choice(payers if incoming else payees)
                    ref = (
                        reference(Ref.REMITTANCE_REFERENCE, f"{self.rng.getrandbits(30):010d}")
                        if incoming
                        else reference(Ref.INVOICE_NUMBER, f"F{self.between(10000, 999999)}")
                    )
                    key = "invoice+" if incoming else "invoice-"
                    self.simple(
                        when,
                        self.between(500, 80000) * 100,
                        indicator,
                        key,
                        f"{CODES[key][3]} {other.name}"[:500],
                        (ref,),
                        s.company_party(other).values(indicator),
                    )

    def declined_without_funds(self, mirrored: int) -> None:
        """A person's own payments (card purchases, bills, cash) that would take the account below its credit
        line (zero without one) are declined, as a bank declines them; the links' payments (salary, rent,
        transfers) stay, since the other account of each holds the other side."""
        floor = -(self.account.credit_limit or ZERO)
        running = self.account.opening_balance
        kept: list[Event] = []
        declined: set[tuple[TransactionReference, ...]] = set()
        for event in sorted(self.events, key=lambda event: (event[0], event[2][5], event[1])):
            fields = event[2]
            amount = fields[AMOUNT] if fields[INDICATOR] is CREDIT else -fields[AMOUNT]
            if amount < 0 and event[1] >= mirrored and running + amount < floor:
                declined.add(fields[REFERENCES])
                continue
            if fields[REVERSAL] and fields[REFERENCES] in declined:
                continue  # nothing to pay back for a purchase that never went through
            running += amount
            kept.append(event)
        self.events[:] = kept

    def within_credit_line(self) -> None:
        """A business account stays within its credit line (zero without one): where the payroll and
        bills would take it below, a customer's payment arrives the moment before, with some margin."""
        floor = -(self.account.credit_limit or ZERO)
        running = self.account.opening_balance
        payers = [c for c in self.s.payers if c.orgnr != self.account.owner_id] or self.s.payers
        for when, _, fields in sorted(self.events, key=lambda event: (event[0], event[2][5], event[1])):
            amount = fields[AMOUNT] if fields[INDICATOR] is CREDIT else -fields[AMOUNT]
            if running + amount < floor and payers:
                cents = int((floor - running - amount) * 100) + self.between(20_000, 200_000) * 100
                other = self.rng.choice(payers)
                ref = (reference(Ref.REMITTANCE_REFERENCE, f"{self.rng.getrandbits(30):010d}"),)
                info = f"{CODES['invoice+'][3]} {other.name}"[:500]
                self.simple(
                    when - timedelta(seconds=1),
                    cents,
                    CREDIT,
                    "invoice+",
                    info,
                    ref,
                    self.s.company_party(other).values(CREDIT),
                )
                running += _money(cents)
            running += amount

    def tax_payments(self) -> None:
        """Withholding tax collected by the links is paid to Skatteetaten every second month."""
        collected = sorted((e for e in self.events if e[2][INDICATOR] is CREDIT), key=lambda e: (e[0], e[1]))
        due, total = 0, 0
        skatt = Counterparty(None, SKATTEETATEN[0], ORG_ID, SKATTEETATEN[1], None).values(DEBIT)
        for year, month in months(self.first, self.last):
            day = date(year, month, 15)
            if month % 2 == 0 or not self.first <= day <= self.last:
                continue
            when = _at(day, 9, 0)
            while due < len(collected) and collected[due][0] < when:
                total += int(collected[due][2][AMOUNT] * 100)
                due += 1
            if total > 0:
                ref = (reference(Ref.REMITTANCE_REFERENCE, f"{self.account.owner_id}{month:02d}"),)
                self.simple(when, total, DEBIT, "taxpay", "Forskuddstrekk termin", ref, skatt)
                total = 0
