# SPDX-License-Identifier: Apache-2.0
"""Accounts, roles, cards and money flows ("links") of one shard.

Decides (DSOP “Data model” account type / status enums, AccountRole; DSOP “Endpoint … V.2.0” pages; the DSOP services'
“Løsningsbeskrivelse” pages):

* Every account number is a valid MOD11 kontonummer at one of its bank's own bank codes
  (``generate_kontonr``), unique in the world.  All **eleven** v2 account types occur in every
  shard: a missing type is added to a fitting owner after the random draw.
* Roles: the owner is ``primaryOwner``; couples share savings (both ``rightToUseAlone``) and
  loans (both ``rightToUseWithOther``) as ``primaryOwner`` + ``secondaryOwner``; parents are
  ``disponent`` on their children's accounts; a guardian whose vergemål includes
  ``representasjonDagligbank`` is ``disponent`` on the ward's salary account for the vergemål's
  validity (the Verge service needs exactly that, the DSOP services' “Løsningsbeskrivelse” pages); a company's signature
  holders are
  ``disponent`` on its accounts.
* Status: ``disabled`` from the bankruptcy ruling date for every account of the debtor (and the
  debtor's ENK), and from the date of death for a deceased owner; ``deleted`` for a closed account.
* Links are the recurring flows between two synthetic accounts (salary, withholding tax, rent,
  transfers between friends at other banks, savings, loan instalments, card bills, currency
  purchases, allowances, client funds).  A link runs only while both accounts are active.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from random import Random

from opendsop.standard.identifiers import kontonr_check_digit
from opendsop.synth._context import Used, Window
from opendsop.synth.banks import bank_weights
from opendsop.synth.model import (
    Account,
    AccountPermissionType,
    AccountRole,
    AccountStatus,
    AccountType,
    Bank,
    Card,
    CardStatus,
    CardType,
    Company,
    Link,
    PartyKind,
    Person,
    RoleKind,
)
from opendsop.synth.population import People, _age

ALONE = AccountPermissionType.RIGHT_TO_USE_ALONE
WITH_OTHER = AccountPermissionType.RIGHT_TO_USE_WITH_OTHER
FOREIGN_CURRENCIES = ("EUR", "USD", "SEK", "GBP")
T = AccountType


@dataclass(slots=True)
class Ledger:
    accounts: list[Account] = field(default_factory=list)
    roles: list[AccountRole] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    by_kontonr: dict[str, Account] = field(default_factory=dict)
    active: dict[str, tuple[date, date]] = field(default_factory=dict)  # kontonr → first/last active day
    of_owner: dict[tuple[str, AccountType], Account] = field(default_factory=dict)  # first per type


def _cents(rng: Random, low: int, high: int) -> int:
    return rng.randint(low, high) * 100


class _LedgerBuilder:
    def __init__(
        self,
        rng: Random,
        used: Used,
        window: Window,
        banks: tuple[Bank, ...],
        people: People,
        *,
        account_base: int,
        card_base: int,
        link_base: int,
    ) -> None:
        self.rng, self.used, self.window, self.banks, self.people = rng, used, window, banks, people
        self.cum_weights = list(accumulate(bank_weights(banks)))
        self.bank_of = {bank.orgnr: bank for bank in banks}
        self.next_account, self.next_card, self.next_link = account_base, card_base, link_base
        self.out = Ledger()
        self.blocked: dict[str, date] = {d.person_id: d.date_of_death for d in people.deaths}
        for bankruptcy in people.bankruptcies:
            self.blocked[bankruptcy.debtor_id] = bankruptcy.kjennelsesdato
            if bankruptcy.linked_orgnr:
                self.blocked[bankruptcy.linked_orgnr] = bankruptcy.kjennelsesdato
        self.names = {p.person_id: p.name for p in people.persons} | {c.orgnr: c.name for c in people.companies}
        self.bins = {b.orgnr: (f"4{rng.randint(10000, 99999)}", f"5{rng.randint(10000, 99999)}") for b in banks}

    # -- accounts ------------------------------------------------------------------------------

    def bank(self) -> Bank:
        return self.rng.choices(self.banks, cum_weights=self.cum_weights)[0]

    def kontonr(self, bank: Bank) -> str:
        """A new valid kontonummer at one of the bank's codes.

        The same rule as ``generate_kontonr`` (MOD11 via ``kontonr_check_digit``, redrawing a
        serial without a check digit), drawn ~10× faster: this runs millions of times for ``large``.
        """
        rng = self.rng
        while True:
            first_ten = f"{rng.choice(bank.bank_codes)}{rng.getrandbits(20) % 1_000_000:06d}"
            check = kontonr_check_digit(first_ten)
            if check is None:
                continue
            value = f"{first_ten}{check}"
            if int(value) not in self.used.kontonrs:
                self.used.kontonrs.add(int(value))
                return value

    def opening(self, earliest: date) -> date:
        today = self.window.today
        earliest = max(earliest, today - timedelta(days=20 * 365))
        if self.rng.random() < 0.08:  # opened during the history window
            earliest = max(earliest, self.window.start)
        return earliest + timedelta(days=self.rng.randint(0, max(0, (today - timedelta(days=20) - earliest).days)))

    def account(
        self,
        owner: str,
        kind: PartyKind,
        bank: Bank,
        type_: AccountType,
        *,
        opened: date,
        balance: int,
        currency: str = "NOK",
        credit_limit: int | None = None,
        closed: date | None = None,
        permission: AccountPermissionType = ALONE,
    ) -> Account:
        window = self.window
        blocked = self.blocked.get(owner)
        if closed is not None:
            status = AccountStatus.DELETED
        elif blocked is not None and blocked <= window.today:
            status = AccountStatus.DISABLED
        else:
            status = AccountStatus.ENABLED
        account = Account(
            account_id=self.next_account,
            kontonr=self.kontonr(bank),
            bank_orgnr=bank.orgnr,
            type=type_,
            currency=currency,
            status=status,
            owner_id=owner,
            owner_kind=kind,
            opened=opened,
            closed=closed,
            balance_date=max(opened, window.start),
            opening_balance=Decimal(balance).scaleb(-2),
            credit_limit=None if credit_limit is None else Decimal(credit_limit).scaleb(-2),
            blocked_from=blocked if status is AccountStatus.DISABLED else None,
        )
        self.next_account += 1
        out = self.out
        out.accounts.append(account)
        out.by_kontonr[account.kontonr] = account
        out.of_owner.setdefault((owner, type_), account)
        ends = [window.today]
        if closed is not None:
            ends.append(closed - timedelta(days=1))
        if blocked is not None:
            ends.append(blocked - timedelta(days=1))
        first, last = account.balance_date, min(ends)
        if first <= last and type_ is not T.ACCOUNT_WITHOUT_BALANCE and closed is None:
            out.active[account.kontonr] = (first, last)
        self.role(account, owner, kind, "primaryOwner", permission, opened)
        return account

    def role(
        self,
        account: Account,
        party: str,
        kind: PartyKind,
        role: RoleKind,
        permission: AccountPermissionType,
        start: date,
        end: date | None = None,
    ) -> None:
        end = end or account.closed
        start = max(start, account.opened)
        if end is not None and end < start:
            return  # e.g. a guardianship that ended before the ward's account was opened: no role at all
        self.out.roles.append(
            AccountRole(
                kontonr=account.kontonr,
                party_id=party,
                party_kind=kind,
                name=self.names[party][:140],
                role=role,
                permission=permission,
                start_date=start,
                end_date=end,
            )
        )

    def card(self, account: Account, holder: str, type_: CardType) -> None:
        rng, today = self.rng, self.window.today
        start = max(account.opened, today - timedelta(days=rng.randint(30, 1300)))
        bin6 = self.bins[account.bank_orgnr][type_ is CardType.CREDIT_CARD]
        blocked = account.status is not AccountStatus.ENABLED or rng.random() < 0.02
        bank = self.bank_of[account.bank_orgnr]
        self.out.cards.append(
            Card(
                card_id=self.next_card,
                kontonr=account.kontonr,
                card_identifier=f"{bin6}XXXXXX{rng.randint(0, 9999):04d}",
                holder_id=holder,
                holder_name=self.names[holder][:140],
                type=type_,
                status=CardStatus.BLOCKED if blocked else CardStatus.ACTIVE,
                start_date=f"{start.year:04d}-{start.month:02d}",
                expiry_date=f"{start.year + 4:04d}-{start.month:02d}",
                version_number="2" if rng.random() < 0.1 else "1",
                issuer_name=bank.name[:140],
                issuer_orgnr=bank.orgnr,
            )
        )
        self.next_card += 1

    # -- owners --------------------------------------------------------------------------------

    def households(self) -> None:
        rng, people = self.rng, self.people
        for household in people.households:
            main = self.bank()
            adults = [people.by_id[i] for i in household.adults]
            for person in adults:
                self.adult(person, main if rng.random() < 0.7 else self.bank())
            if len(adults) == 2:
                self.couple(adults[0], adults[1], main)
            for child_id in household.children:
                self.child(people.by_id[child_id], adults[0], main)

    def adult(self, person: Person, bank: Bank) -> None:
        rng, today = self.rng, self.window.today
        pid, age = person.person_id, _age(person.birth_date, today)
        salary = self.account(
            pid,
            "person",
            bank,
            T.SALARY_ACCOUNT,
            opened=self.opening(person.birth_date),
            balance=_cents(rng, 1000, 60000),
        )
        self.card(salary, pid, CardType.DEBIT_CARD)
        if rng.random() < 0.55:
            other = bank if rng.random() < 0.75 else self.bank()
            self.account(
                pid,
                "person",
                other,
                T.SAVINGS_ACCOUNT,
                opened=self.opening(person.birth_date),
                balance=_cents(rng, 5000, 400000),
            )
        if rng.random() < 0.3:
            limit = _cents(rng, 10, 100) * 1000
            account = self.account(
                pid,
                "person",
                self.bank(),
                T.CREDIT_CARD_ACCOUNT,
                opened=self.opening(person.birth_date),
                balance=-_cents(rng, 0, 15000),
                credit_limit=limit,
            )
            self.card(account, pid, CardType.CREDIT_CARD)
        if 25 <= age <= 70 and rng.random() < 0.15:
            self.account(
                pid,
                "person",
                bank,
                T.LOAN_ACCOUNT,
                opened=self.opening(person.birth_date),
                balance=-_cents(rng, 50000, 900000),
            )
        if rng.random() < 0.04:
            self.account(
                pid,
                "person",
                bank,
                T.CURRENCY_ACCOUNT,
                opened=self.opening(person.birth_date),
                balance=_cents(rng, 100, 8000),
                currency=rng.choice(FOREIGN_CURRENCIES),
            )
        if rng.random() < 0.03:
            self.account(
                pid,
                "person",
                bank,
                T.OTHER_ACCOUNT,
                opened=self.opening(person.birth_date),
                balance=_cents(rng, 0, 30000),
            )
        if rng.random() < 0.015:
            self.account(
                pid, "person", bank, T.ACCOUNT_WITHOUT_BALANCE, opened=self.opening(person.birth_date), balance=0
            )
        if rng.random() < 0.03:
            opened = self.window.start - timedelta(days=rng.randint(100, 2000))
            closed = self.window.start + timedelta(days=rng.randint(1, max(1, (today - self.window.start).days - 1)))
            self.account(
                pid, "person", bank, T.SAVINGS_ACCOUNT, opened=max(opened, person.birth_date), balance=0, closed=closed
            )

    def couple(self, first: Person, second: Person, bank: Bank) -> None:
        rng = self.rng
        earliest = max(first.birth_date, second.birth_date) + timedelta(days=18 * 365)
        if rng.random() < 0.4:
            joint = self.account(
                first.person_id,
                "person",
                bank,
                T.SAVINGS_ACCOUNT,
                opened=self.opening(earliest),
                balance=_cents(rng, 5000, 300000),
            )
            self.role(joint, second.person_id, "person", "secondaryOwner", ALONE, joint.opened)
        if rng.random() < 0.35:
            loan = self.account(
                first.person_id,
                "person",
                bank,
                T.LOAN_ACCOUNT,
                opened=self.opening(earliest),
                balance=-_cents(rng, 500000, 4000000),
                permission=WITH_OTHER,
            )
            self.role(loan, second.person_id, "person", "secondaryOwner", WITH_OTHER, loan.opened)
        if rng.random() < 0.05:  # the spouse may use the salary account too
            salary = self.out.of_owner[(first.person_id, T.SALARY_ACCOUNT)]
            self.role(salary, second.person_id, "person", "disponent", ALONE, salary.opened)
            self.card(salary, second.person_id, CardType.DEBIT_CARD)

    def child(self, child: Person, parent: Person, bank: Bank) -> None:
        rng, age = self.rng, _age(child.birth_date, self.window.today)
        cid = child.person_id
        account = None
        if age >= 13:
            account = self.account(
                cid,
                "person",
                bank,
                T.SALARY_ACCOUNT,
                opened=self.opening(child.birth_date + timedelta(days=13 * 365)),
                balance=_cents(rng, 0, 5000),
            )
            self.card(account, cid, CardType.DEBIT_CARD)
        elif rng.random() < 0.6:
            account = self.account(
                cid,
                "person",
                bank,
                T.SAVINGS_ACCOUNT,
                opened=self.opening(child.birth_date),
                balance=_cents(rng, 0, 40000),
            )
        if account is not None:
            self.role(account, parent.person_id, "person", "disponent", ALONE, account.opened)
        if age >= 10 and rng.random() < 0.4:
            prepaid = self.account(
                cid,
                "person",
                bank,
                T.PREPAID_CARD_ACCOUNT,
                opened=self.opening(child.birth_date + timedelta(days=10 * 365)),
                balance=_cents(rng, 0, 1000),
            )
            self.role(prepaid, parent.person_id, "person", "disponent", ALONE, prepaid.opened)
            self.card(prepaid, cid, CardType.DEBIT_CARD)

    def guardians(self) -> None:
        for guardianship in self.people.guardianships:
            if "representasjonDagligbank" not in guardianship.tjenesteoppgaver:
                continue
            salary = self.out.of_owner.get((guardianship.ward_id, T.SALARY_ACCOUNT))
            if salary is not None:
                self.role(
                    salary,
                    guardianship.guardian_id,
                    "person",
                    "disponent",
                    ALONE,
                    guardianship.valid_from,
                    guardianship.valid_to,
                )

    def companies(self) -> None:
        rng = self.rng
        employees = set(self.people.employer_of.values())
        for company in self.people.employers:
            bank = self.bank()
            opened = company.founded
            accounts = [
                self.account(
                    company.orgnr,
                    "organisation",
                    bank,
                    T.BUSINESS_ACCOUNT,
                    opened=opened,
                    balance=_cents(rng, 50000, 2000000),
                )
            ]
            if company.orgnr in employees:
                accounts.append(
                    self.account(
                        company.orgnr,
                        "organisation",
                        bank,
                        T.TAX_DEDUCTION_ACCOUNT,
                        opened=opened,
                        balance=_cents(rng, 0, 20000),
                    )
                )
            if company.org_form == "AS" and rng.random() < 0.08:
                accounts.append(
                    self.account(
                        company.orgnr,
                        "organisation",
                        bank,
                        T.CLIENT_ACCOUNT,
                        opened=opened,
                        balance=_cents(rng, 100000, 5000000),
                    )
                )
            if rng.random() < 0.12:
                accounts.append(
                    self.account(
                        company.orgnr,
                        "organisation",
                        bank,
                        T.LOAN_ACCOUNT,
                        opened=opened,
                        balance=-_cents(rng, 100000, 5000000),
                    )
                )
            if rng.random() < 0.05:
                accounts.append(
                    self.account(
                        company.orgnr,
                        "organisation",
                        bank,
                        T.CURRENCY_ACCOUNT,
                        opened=opened,
                        balance=_cents(rng, 1000, 100000),
                        currency=rng.choice(FOREIGN_CURRENCIES),
                    )
                )
            if rng.random() < 0.03:
                accounts.append(
                    self.account(
                        company.orgnr, "organisation", bank, T.ACCOUNT_WITHOUT_BALANCE, opened=opened, balance=0
                    )
                )
            for account in accounts:
                self.signatories(company, account)

    def signatories(self, company: Company, account: Account) -> None:
        if company.signature is None:
            return
        permission = ALONE if company.signature.kind == "alene" else WITH_OTHER
        for holder in company.signature.holders:
            self.role(account, holder, "person", "disponent", permission, account.opened)

    def coverage(self) -> None:
        """Add what the random draw missed: a joint account, and any of the eleven account types."""
        if not any(role.role == "secondaryOwner" for role in self.out.roles):
            couple = next((h for h in self.people.households if len(h.adults) == 2), None)
            if couple is not None:
                first, second = (self.people.by_id[pid] for pid in couple.adults)
                joint = self.account(
                    first.person_id,
                    "person",
                    self.bank(),
                    T.SAVINGS_ACCOUNT,
                    opened=self.opening(max(first.birth_date, second.birth_date)),
                    balance=_cents(self.rng, 5000, 300000),
                )
                self.role(joint, second.person_id, "person", "secondaryOwner", ALONE, joint.opened)
        present = {account.type for account in self.out.accounts}
        company = self.people.employers[-1]
        adult = next(
            p
            for p in self.people.persons
            if _age(p.birth_date, self.window.today) >= 25 and p.date_of_death is None and p.address_protection is None
        )
        for type_ in AccountType:
            if type_ in present:
                continue
            if type_ in (T.BUSINESS_ACCOUNT, T.TAX_DEDUCTION_ACCOUNT, T.CLIENT_ACCOUNT):
                account = self.account(
                    company.orgnr,
                    "organisation",
                    self.bank(),
                    type_,
                    opened=company.founded,
                    balance=_cents(self.rng, 1000, 100000),
                )
                self.signatories(company, account)
            else:
                balance = -_cents(self.rng, 1000, 100000) if type_ in (T.LOAN_ACCOUNT, T.CREDIT_CARD_ACCOUNT) else 0
                currency = "EUR" if type_ is T.CURRENCY_ACCOUNT else "NOK"
                limit = 5000000 if type_ is T.CREDIT_CARD_ACCOUNT else None
                account = self.account(
                    adult.person_id,
                    "person",
                    self.bank(),
                    type_,
                    opened=self.opening(adult.birth_date),
                    balance=balance,
                    currency=currency,
                    credit_limit=limit,
                )
                if type_ in (T.CREDIT_CARD_ACCOUNT, T.PREPAID_CARD_ACCOUNT):
                    self.card(
                        account,
                        adult.person_id,
                        CardType.CREDIT_CARD if type_ is T.CREDIT_CARD_ACCOUNT else CardType.DEBIT_CARD,
                    )


def build_ledger(
    rng: Random,
    used: Used,
    window: Window,
    banks: tuple[Bank, ...],
    people: People,
    *,
    account_base: int,
    card_base: int,
    link_base: int,
) -> Ledger:
    from opendsop.synth.links import add_links

    builder = _LedgerBuilder(
        rng, used, window, banks, people, account_base=account_base, card_base=card_base, link_base=link_base
    )
    builder.households()
    builder.guardians()
    builder.companies()
    builder.coverage()
    add_links(rng, people, builder.out, today=window.today, link_base=link_base)
    return builder.out


__all__ = ["FOREIGN_CURRENCIES", "Ledger", "build_ledger"]
