# SPDX-License-Identifier: Apache-2.0
"""The recurring money flows between two synthetic accounts of a shard (``Link``).

Each link is a (source → target) pair with a kind, a base amount and a day of month.  Its events
are generated later from the link's own random stream (``transactions.link_events``), once for
the debit on the source and once for the mirror credit on the target, so both sides agree.

Kinds: ``salary`` (employer business → employee salary), ``tax`` (business → withholding-tax
account), ``rent``, ``transfer`` (friends and family, preferably at another bank), ``savings``,
``loan`` (instalments), ``card`` (credit-card bill), ``fx`` (NOK → own currency account),
``allowance`` (parent → child), ``client`` (business → client account).
"""

from __future__ import annotations

from datetime import date
from random import Random

from opendsop.synth.accounts import Ledger
from opendsop.synth.model import Account, AccountType, Link, Person
from opendsop.synth.population import People, _age

T = AccountType
MONTHLY_KINDS = frozenset({"salary", "tax", "rent", "savings", "loan", "card", "allowance"})
# What a person without an employer receives from NAV at the least each month (``statements.nav_income``).
NAV_FLOOR_CENTS = {"benefit": 12_000_00, "pension": 18_000_00}
# How much of a month's income a household's own flows may take, cumulatively, in the order they are drawn:
# rent first, then the children's allowances, then loans, savings, card bills, transfers and currency.
SPENDING_SHARE = {"rent": 0.35, "allowance": 0.45, "personal": 0.7}


class _Linker:
    def __init__(self, rng: Random, ledger: Ledger, link_base: int) -> None:
        self.rng, self.ledger, self.next_id = rng, ledger, link_base
        self.income: dict[str, int] = {}  # salary account → net pay a month, in øre
        self.spent: dict[str, int] = {}  # salary account → the monthly flows out of it so far
        self.paid_from: dict[str, date] = {}  # salary account → the first day a salary reaches it

    def within_means(
        self, payer: Account, means: int, kind: str, target: Account | None, cents: int, day: int
    ) -> Link | None:
        """A personal monthly flow out of ``payer``, cut to what is left of its income (none when nothing is)."""
        amount = self.affordable(payer, cents, "personal", means)
        return self.add(kind, payer, target, amount, day) if amount else None

    def affordable(self, payer: Account | None, drawn_cents: int, share: str, floor_cents: int) -> int:
        """``drawn_cents`` cut to what ``payer`` can still pay each month (whole 100 NOK; 0: nothing left), so a
        person's own account does not drift into a debt no bank would allow."""
        if payer is None:
            return drawn_cents
        budget = int(self.income.get(payer.kontonr, floor_cents) * SPENDING_SHARE[share]) - self.spent.get(
            payer.kontonr, 0
        )
        return max(min(drawn_cents, budget), 0) // 10000 * 10000

    def add(
        self, kind: str, source: Account | None, target: Account | None, amount_cents: int, day: int
    ) -> Link | None:
        if source is None or target is None or source.kontonr == target.kontonr:
            return None
        a, b = self.ledger.active.get(source.kontonr), self.ledger.active.get(target.kontonr)
        if a is None or b is None:
            return None
        start, end = max(a[0], b[0]), min(a[1], b[1])
        if kind != "salary" and source.kontonr in self.paid_from:
            start = max(start, self.paid_from[source.kontonr])  # a person pays their bills once paid themselves
        if start > end:
            return None
        link = Link(
            link_id=self.next_id,
            kind=kind,
            source=source.kontonr,
            target=target.kontonr,
            start=start,
            end=end,
            amount_cents=amount_cents,
            day_of_month=day,
        )
        self.next_id += 1
        self.ledger.links.append(link)
        if kind == "salary":
            self.income[target.kontonr] = self.income.get(target.kontonr, 0) + amount_cents
            self.paid_from[target.kontonr] = min(start, self.paid_from.get(target.kontonr, start))
        elif source.type is T.SALARY_ACCOUNT:
            self.spent[source.kontonr] = self.spent.get(source.kontonr, 0) + amount_cents
        return link


def add_links(rng: Random, people: People, ledger: Ledger, *, today: date, link_base: int) -> None:
    linker = _Linker(rng, ledger, link_base)
    salary_of = {pid: ledger.of_owner.get((pid, T.SALARY_ACCOUNT)) for pid in people.by_id}
    _payroll(rng, people, linker, salary_of)
    adults = [p for p in people.persons if _age(p.birth_date, today) >= 18]
    floor = {p.person_id: NAV_FLOOR_CENTS["pension" if _age(p.birth_date, today) >= 67 else "benefit"] for p in adults}
    _households(rng, people, linker, salary_of, adults, floor)
    _personal(rng, linker, salary_of, adults, floor)


def _payroll(rng: Random, people: People, linker: _Linker, salary_of: dict[str, Account | None]) -> None:
    """Salaries from the employer's business account; withholding tax; client funds."""
    own = linker.ledger.of_owner
    payday = {c.orgnr: rng.choice((12, 15, 20, 25)) for c in people.employers}
    payroll: dict[str, int] = {}
    for person_id, orgnr in people.employer_of.items():
        net = rng.randint(220, 650) * 100 * 100
        if linker.add("salary", own.get((orgnr, T.BUSINESS_ACCOUNT)), salary_of[person_id], net, payday[orgnr]):
            payroll[orgnr] = payroll.get(orgnr, 0) + net
    for orgnr, net in payroll.items():
        linker.add(
            "tax",
            own.get((orgnr, T.BUSINESS_ACCOUNT)),
            own.get((orgnr, T.TAX_DEDUCTION_ACCOUNT)),
            net * 35 // 65 // 100 * 100,
            payday[orgnr],
        )
        if rng.random() < 0.5:
            linker.add(
                "client",
                own.get((orgnr, T.BUSINESS_ACCOUNT)),
                own.get((orgnr, T.CLIENT_ACCOUNT)),
                rng.randint(50, 500) * 10000,
                5,
            )


def _households(
    rng: Random,
    people: People,
    linker: _Linker,
    salary_of: dict[str, Account | None],
    adults: list[Person],
    floor: dict[str, int],
) -> None:
    """Rent to a landlord in another household; allowances to the children (each within the payer's means)."""
    own = linker.ledger.of_owner
    landlords = [p.person_id for p in adults if rng.random() < 0.05] or [adults[0].person_id]
    for household in people.households:
        payer = salary_of.get(household.adults[0])
        means = floor.get(household.adults[0], NAV_FLOOR_CENTS["benefit"])
        if rng.random() < 0.18:
            landlord = rng.choice(landlords)
            rent = linker.affordable(payer, rng.randint(70, 160) * 10000, "rent", means)
            if landlord not in household.adults and rent:
                linker.add("rent", payer, salary_of.get(landlord), rent, 1)
        for n, child_id in enumerate(household.children):
            target = own.get((child_id, T.PREPAID_CARD_ACCOUNT)) or salary_of.get(child_id)
            allowance = rng.randint(10, 60) * 1000
            if linker.affordable(payer, allowance, "allowance", means) >= allowance or allowance < 10000:
                linker.add("allowance", payer, target, allowance, 1 + (n * 7) % 28)


def _personal(
    rng: Random, linker: _Linker, salary_of: dict[str, Account | None], adults: list[Person], floor: dict[str, int]
) -> None:
    """Transfers to friends (preferably at another bank) and flows to one's own accounts, the loan first,
    each cut to what is left of the person's monthly income (``SPENDING_SHARE``)."""
    own = linker.ledger.of_owner
    for person in adults:
        pid = person.person_id
        salary = salary_of.get(pid)
        if salary is None:
            continue
        means = floor[pid]
        friend: Account | None = None
        transfer = rng.random() < 0.55
        if transfer:
            for _ in range(4):
                friend = salary_of.get(rng.choice(adults).person_id)
                if friend is not None and friend.bank_orgnr != salary.bank_orgnr:
                    break
            transfer_cents, transfer_day = rng.randint(2, 30) * 10000, rng.randint(1, 28)
        savings = rng.randint(5, 50) * 10000
        loan = rng.randint(30, 200) * 10000
        card = rng.randint(10, 80) * 10000
        # the bank's instalment comes first
        linker.within_means(salary, means, "loan", own.get((pid, T.LOAN_ACCOUNT)), loan, 20)
        linker.within_means(salary, means, "savings", own.get((pid, T.SAVINGS_ACCOUNT)), savings, 26)
        linker.within_means(salary, means, "card", own.get((pid, T.CREDIT_CARD_ACCOUNT)), card, 18)
        if transfer:
            linker.within_means(salary, means, "transfer", friend, transfer_cents, transfer_day)
        if (currency := own.get((pid, T.CURRENCY_ACCOUNT))) is not None:
            linker.within_means(salary, means, "fx", currency, rng.randint(10, 100) * 10000, rng.randint(1, 28))


__all__ = ["MONTHLY_KINDS", "add_links"]
