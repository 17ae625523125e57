"""``import_files``: a bank's own data into its store — everything checked first, then one transaction.

Decides the import's guarantees (``dsop provider import``, docs/import-bundle.md):

* **Validated line by line, all of it, before anything is written.**  The first pass reads every
  file as a stream and collects every problem (a malformed line, an account of another bank, a
  row naming an account or party neither the import nor the store has, a key given twice, a
  statement of the wrong schema), each as one line naming the file, the line and the fix.  Any
  problem refuses the whole import (:class:`ImportRefused`) and the store is unchanged.
* **One transaction.**  The second pass reads the files again and merges every row by its key
  (:func:`opendsop.provider.store.writes.merge`): nothing is half-imported, importing the same
  files again changes nothing, and accountReferences already issued for an account stay valid.
* **Streaming.**  Neither pass holds more than one line (one statement entry) of a file, plus the
  keys needed for the cross-checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from opendsop.provider.imports import bundle, camt053
from opendsop.provider.imports.problems import ImportRefused, Problem
from opendsop.provider.store.records import (
    AccountRow,
    BookedBalanceRow,
    CardRow,
    PartyRow,
    RelationRow,
    TransactionRow,
)
from opendsop.provider.store.repository import LoadCounts

CAMT: Final = "camt.053"
_ORDER: Final = (*bundle.ENTITIES, CAMT)
_FIX_LINE: Final = f"correct the line as {bundle.DOC} describes"


class ImportTarget(Protocol):
    """What the import needs of a bank store (``SqlBankStore`` and ``MemoryBankStore`` have it)."""

    async def known_accounts(self, *, ids: Sequence[str] = (), numbers: Sequence[str] = ()) -> dict[str, str]: ...

    async def known_parties(self, ids: Sequence[str]) -> set[str]: ...

    async def merge(
        self,
        *,
        parties: Iterable[PartyRow] = (),
        accounts: Iterable[AccountRow] = (),
        relations: Iterable[RelationRow] = (),
        balances: Iterable[BookedBalanceRow] = (),
        cards: Iterable[CardRow] = (),
        transactions: Iterable[TransactionRow] = (),
    ) -> LoadCounts: ...


@dataclass(frozen=True, slots=True)
class Source:
    path: Path
    kind: str  # a bundle entity, or CAMT

    @property
    def name(self) -> str:
        return str(self.path)


def classify(paths: Sequence[Path]) -> tuple[list[Source], list[Problem]]:
    """Which entity each file holds (by its name), in load order; unknown files are problems."""
    sources, problems = [], []
    for path in paths:
        if not path.is_file():
            problems.append(Problem(str(path), 0, "is not a readable file", "give the path of an existing file"))
            continue
        entity = bundle.entity_of(path)
        if entity is not None:
            sources.append(Source(path, entity))
        elif path.suffix.lower() == ".xml":
            sources.append(Source(path, CAMT))
        else:
            problems.append(
                Problem(
                    str(path),
                    0,
                    "is neither a bundle file nor a camt.053 statement",
                    f"name it {'|'.join(bundle.ENTITIES)} with .jsonl or .csv ({bundle.DOC}), "
                    "or give a camt.053 statement as .xml",
                )
            )
    sources.sort(key=lambda source: _ORDER.index(source.kind))
    return sources, problems


LINES_NAMED: Final = 20  # bad lines named one by one per unknown key; the rest are counted


@dataclass
class _Uses:
    """The lines that name one account or party: the first ``LINES_NAMED`` of them, and how many."""

    lines: list[tuple[str, int]] = field(default_factory=list)
    count: int = 0

    def add(self, file: str, line: int) -> None:
        self.count += 1
        if len(self.lines) < LINES_NAMED:
            self.lines.append((file, line))

    def problems(self, message: str, fix: str) -> list[Problem]:
        out = [Problem(file, line, message, fix) for file, line in self.lines]
        if self.count > len(self.lines):
            file, line = self.lines[-1]
            out.append(
                Problem(file, 0, f"{self.count - len(self.lines)} more lines after line {line} ({message})", fix)
            )
        return out


@dataclass
class _Check:
    """The first pass's findings."""

    bank: str
    problems: list[Problem] = field(default_factory=list)
    accounts: dict[str, tuple[str, int]] = field(default_factory=dict)  # account id → where defined
    numbers: dict[str, str] = field(default_factory=dict)  # account number → account id (this import)
    parties: dict[str, tuple[str, int]] = field(default_factory=dict)
    account_uses: dict[str, _Uses] = field(default_factory=dict)  # account id → the lines naming it
    party_uses: dict[str, _Uses] = field(default_factory=dict)
    statement_numbers: dict[str, tuple[str, int]] = field(default_factory=dict)  # number → first Acct
    statement_balances: list[tuple[str, BookedBalanceRow]] = field(default_factory=list)  # (number, balance)
    keys: dict[tuple[str, Any], tuple[str, int]] = field(default_factory=dict)  # (entity, key) → first line

    def problem(self, source: Source, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(source.name, line, message, fix))

    def once(self, source: Source, line: int, key: Any, what: str) -> None:
        first = self.keys.setdefault((source.kind, key), (source.name, line))
        if first != (source.name, line):
            self.problem(
                source,
                line,
                f"repeats {what} of {first[0]}:{first[1]}",
                "keep one line per key (a later import updates it)",
            )

    @staticmethod
    def use(uses: dict[str, _Uses], key: str, source: Source, line: int) -> None:
        found = uses.get(key)
        if found is None:
            found = uses[key] = _Uses()
        found.add(source.name, line)


def _check_row(check: _Check, source: Source, line: int, row: Any) -> None:
    kind = source.kind
    if kind == "parties":
        check.once(source, line, row.party_id, f"party {row.party_id}")
        check.parties.setdefault(row.party_id, (source.name, line))
    elif kind == "accounts":
        check.once(source, line, row.account_id, f"account {row.account_id}")
        check.accounts.setdefault(row.account_id, (source.name, line))
        other = check.numbers.setdefault(row.account_number, row.account_id)
        if other != row.account_id:
            check.problem(
                source,
                line,
                f"account number {row.account_number} is also account {other}",
                "give each account number to one account id",
            )
    else:
        check.use(check.account_uses, row.account_id, source, line)
        if kind == "roles":
            check.use(check.party_uses, row.party_id, source, line)
            check.once(source, line, (row.party_id, row.account_id, row.role, row.start_date), "this role")
        elif kind == "balances":
            check.once(source, line, (row.account_id, row.day), f"the balance of {row.account_id} on {row.day}")
        elif kind == "cards":
            check.once(source, line, (row.account_id, row.card_id), f"card {row.card_id}")
        elif kind == "transactions":
            key = (row.account_id, row.transaction.transaction_identifier)
            check.once(source, line, key, f"transaction {key[1]}")


def _check_bundle(check: _Check, source: Source, advance: Callable[[int], None]) -> None:
    with_bank = source.kind == "accounts"
    for item in bundle.read(source.path, source.kind, progress=advance):
        if item.error is not None:
            check.problem(source, item.number, item.error, _FIX_LINE)
            continue
        if with_bank and item.row is not None:
            bank = item.bank or ""
            if bank != check.bank:
                check.problem(
                    source,
                    item.number,
                    f"account {item.row.account_id} belongs to bank {bank}, not {check.bank}",
                    f"import this file with --bank {bank}, or correct its bank field",
                )
                continue
        _check_row(check, source, item.number, item.row)


def _check_statement(check: _Check, source: Source, advance: Callable[[int], None]) -> None:
    current: str | None = None
    try:
        for item in camt053.read(source.path, progress=advance):
            if item.error is not None:
                check.problem(
                    source,
                    item.line,
                    item.error,
                    "correct the entry, or leave it out of the statement (ISO 20022 camt.053)",
                )
            elif item.account is not None:
                account = item.account
                current = None
                if account.servicer_orgno is not None and account.servicer_orgno != check.bank:
                    check.problem(
                        source,
                        item.line,
                        f"is a statement of bank {account.servicer_orgno}, not {check.bank}",
                        f"import it with --bank {account.servicer_orgno}",
                    )
                    continue
                current = account.number
                check.statement_numbers.setdefault(account.number, (source.name, item.line))
            elif current is not None and item.balance is not None:
                check.once(
                    source,
                    item.line,
                    ("camt-balance", current, item.balance[0]),
                    f"the balance of {current} on {item.balance[0]}",
                )
                check.statement_balances.append(
                    (current, BookedBalanceRow(account_id="", day=item.balance[0], amount=item.balance[1]))
                )
            elif current is not None and item.transaction is not None:
                check.once(
                    source,
                    item.line,
                    ("camt", current, item.transaction.transaction_identifier),
                    f"transaction {item.transaction.transaction_identifier}",
                )
    except camt053.StatementError as error:
        check.problem(source, error.line, str(error), error.fix)


async def _check_references(check: _Check, store: ImportTarget) -> None:
    stored = await store.known_accounts(
        ids=sorted(set(check.account_uses) | set(check.accounts)),
        numbers=sorted(set(check.statement_numbers) | set(check.numbers)),
    )
    stored_ids = set(stored.values())
    for number, account_id in check.numbers.items():
        owner = stored.get(number)
        if owner is not None and owner != account_id:
            file, line = check.accounts[account_id]
            check.problems.append(
                Problem(
                    file,
                    line,
                    f"account number {number} is already account {owner} in the store",
                    f"use account id {owner} for it",
                )
            )
    for account_id, uses in check.account_uses.items():
        if account_id not in check.accounts and account_id not in stored_ids:
            check.problems += uses.problems(
                f"names unknown account {account_id}",
                f"add account {account_id} to accounts.jsonl/.csv of this import, or import the bank's accounts first",
            )
    for number, (file, line) in check.statement_numbers.items():
        if number not in check.numbers and number not in stored:
            check.problems.append(
                Problem(
                    file,
                    line,
                    f"account {number} is not an account of bank {check.bank}",
                    "import the account in accounts.jsonl/.csv first (or in this import)",
                )
            )
    if check.party_uses:
        known = await store.known_parties(sorted(set(check.party_uses) - set(check.parties)))
        for party_id, uses in check.party_uses.items():
            if party_id not in check.parties and party_id not in known:
                check.problems += uses.problems(
                    f"names unknown party {party_id}", f"add party {party_id} to parties.jsonl/.csv of this import"
                )


def _rows(sources: Sequence[Source], kind: str, advance: Callable[[int], None]) -> Iterator[Any]:
    for source in sources:
        if source.kind != kind:
            continue
        for item in bundle.read(source.path, kind, progress=advance):
            if item.error is not None:  # the file changed since it was checked
                raise ImportRefused([Problem(source.name, item.number, item.error, _FIX_LINE)])
            yield item.row


def _statements(
    sources: Sequence[Source], ids: dict[str, str], advance: Callable[[int], None]
) -> Iterator[TransactionRow]:
    for source in sources:
        if source.kind != CAMT:
            continue
        account_id: str | None = None
        for item in camt053.read(source.path, progress=advance):
            if item.account is not None:
                account_id = ids[item.account.number]
            elif account_id is not None and item.transaction is not None:
                yield TransactionRow(account_id=account_id, transaction=item.transaction)


@dataclass(frozen=True, slots=True)
class ImportReport:
    files: int
    counts: LoadCounts


async def import_files(
    store: ImportTarget,
    bank: str,
    paths: Sequence[Path],
    *,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every file, then merge all of it in one transaction; raises :class:`ImportRefused`.

    ``on_total`` is told the number of bytes both passes will read, ``progress`` each step.
    """
    advance = progress or (lambda _size: None)
    sources, problems = classify(paths)
    check = _Check(bank, problems)
    if on_total is not None:
        on_total(2 * sum(source.path.stat().st_size for source in sources))
    for source in sources:
        if source.kind == CAMT:
            _check_statement(check, source, advance)
        else:
            _check_bundle(check, source, advance)
    await _check_references(check, store)
    if check.problems:
        order = {source.name: index for index, source in enumerate(sources)}
        raise ImportRefused(
            sorted(
                check.problems, key=lambda problem: (order.get(problem.file, -1), problem.file, problem.line or 1 << 62)
            )
        )
    stored = await store.known_accounts(numbers=sorted(check.statement_numbers))
    ids = {**stored, **check.numbers}

    def transactions() -> Iterator[TransactionRow]:
        yield from _rows(sources, "transactions", advance)
        yield from _statements(sources, ids, advance)

    def balances() -> Iterator[BookedBalanceRow]:
        yield from _rows(sources, "balances", advance)
        for number, balance in check.statement_balances:  # a few per statement, kept from the check
            yield BookedBalanceRow(account_id=ids[number], day=balance.day, amount=balance.amount)

    counts = await store.merge(
        parties=_rows(sources, "parties", advance),
        accounts=_rows(sources, "accounts", advance),
        relations=_rows(sources, "roles", advance),
        balances=balances(),
        cards=_rows(sources, "cards", advance),
        transactions=transactions(),
    )
    return ImportReport(files=len(sources), counts=counts)


__all__ = ["CAMT", "ImportReport", "ImportRefused", "ImportTarget", "Problem", "classify", "import_files"]
