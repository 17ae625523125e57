"""``dsop provider import`` and ``reset`` on SQLite and PostgreSQL: a bank's own bundle and camt.053
statements (001.02 and 001.08) in, idempotent, all or nothing, one line per problem; then a Skatt
request over HTTP sees the imported accounts (docs/import-bundle.md)."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from opendsop.provider.cli import app
from opendsop.provider.imports import ImportRefused, import_files
from opendsop.provider.store import SqlBankStore
from opendsop.provider.store.schema import metadata
from opendsop.standard.period import Period
from tests.provider import bank as seed
from tests.provider.harness import Pki, open_bank

DATA = Path(__file__).resolve().parents[1] / "data"
BUNDLE = sorted((DATA / "bundle").iterdir())
STATEMENTS = [DATA / "camt053_v02.xml", DATA / "camt053_v08.xml"]
BANK = seed.BANK_ORGNO
OWNER, DISPONENT = "14837923353", "02898199145"
SALARY, SAVINGS = "12000000011", "12000000012"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"empty_{request.param}"))


def _cli(*arguments: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(arguments), env=env, catch_exceptions=False)


def _import(url: str, *files: Path, bank: str = BANK) -> Any:
    return _cli("import", "--bank", bank, "--database-url", url, *map(str, files))


async def _snapshot_async(url: str) -> dict[str, list[tuple[Any, ...]]]:
    store = await SqlBankStore.open(url, migrate=False)
    try:
        async with store.engine.connect() as conn:
            return {
                table.name: sorted((await conn.execute(select(table))).all(), key=repr)
                for table in metadata.sorted_tables
            }
    finally:
        await store.close()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return asyncio.run(_snapshot_async(url))


def test_bundle_and_both_statement_versions_load_and_reimport_changes_nothing(url: str) -> None:
    result = _import(url, *BUNDLE, *STATEMENTS)
    assert result.exit_code == 0, result.output
    assert "2 accounts" in result.output and "6 transactions" in result.output
    first = snapshot(url)
    assert len(first["bank_transaction"]) == 6  # 1 from the bundle, 3 + 2 from the statements
    salary = {row.transaction_identifier: row for row in first["bank_transaction"] if row.account_id == "K-11"}
    assert salary["TB-20251215-001122"].fx_source_currency == "EUR"  # currency exchange of the 001.02 entry
    assert salary["TB-20251215-001122"].card_card_number == "4925000012345678"
    assert {
        (row.account_id, row.day.isoformat(), str(row.amount).rstrip("0").rstrip("."))
        for row in first["bank_booked_balance"]
    } >= {("K-11", "2025-12-31", "42379.25"), ("K-12", "2025-12-31", "52500")}
    assert _import(url, *BUNDLE, *STATEMENTS).exit_code == 0
    assert snapshot(url) == first


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _statement_of(directory: Path, *, namespace: str | None = None, servicer: str | None = None) -> Path:
    text = (DATA / "camt053_v02.xml").read_text(encoding="utf-8")
    if namespace is not None:
        text = text.replace("urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", namespace)
    if servicer is not None:
        text = text.replace("<Othr><Id>910000001</Id></Othr>", f"<Othr><Id>{servicer}</Id></Othr>")
    return _write(directory, "statement.xml", text)


BAD = [
    # (id, files made in a directory, the line's file name, its line number, words of the message)
    (
        "malformed-bundle-line",
        lambda d: [
            *BUNDLE[:-1],
            _write(
                d,
                "transactions.jsonl",
                (DATA / "bundle" / "transactions.jsonl").read_text()
                + '{"accountId": "K-11", "transactionIdentifier": \n',
            ),
        ],
        "transactions.jsonl",
        2,
        "is not valid JSON",
    ),
    (
        "unknown-account-in-transaction",
        lambda d: [
            *BUNDLE[:-1],
            _write(
                d,
                "transactions.jsonl",
                (DATA / "bundle" / "transactions.jsonl").read_text().replace('"K-11"', '"K-99"'),
            ),
        ],
        "transactions.jsonl",
        1,
        "unknown account K-99",
    ),
    (
        "camt-of-the-wrong-schema",
        lambda d: [*BUNDLE, _statement_of(d, namespace="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02")],
        "statement.xml",
        4,
        "camt.053.001.02",
    ),
    (
        "camt-of-another-bank",
        lambda d: [*BUNDLE, _statement_of(d, servicer="999999999")],
        "statement.xml",
        13,
        "bank 999999999",
    ),
    (
        "accounts-of-another-bank",
        lambda d: [
            *BUNDLE[1:],
            _write(
                d,
                "accounts.jsonl",
                (DATA / "bundle" / "accounts.jsonl").read_text().replace('"bank":"910000001"', '"bank":"999999999"', 1),
            ),
        ],
        "accounts.jsonl",
        1,
        "belongs to bank 999999999",
    ),
]


@pytest.mark.parametrize(("files", "file", "line", "words"), [case[1:] for case in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_one_line_each_exit_2_store_unchanged(
    url: str, tmp_path: Path, files: Any, file: str, line: int, words: str
) -> None:
    assert _import(url, *BUNDLE[:1]).exit_code == 0  # some data already there
    before = snapshot(url)
    result = _import(url, *files(tmp_path))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    named = [text for text in lines if f"{file}:{line}:" in text]
    assert len(named) == 1, result.output
    assert words in named[0] and "; fix: " in named[0]
    assert "Traceback" not in result.output
    assert lines[-1].startswith("nothing imported")
    assert snapshot(url) == before


def test_every_bad_line_is_named(tmp_path: Path, empty_sqlite: str) -> None:
    roles = _write(
        tmp_path,
        "roles.csv",
        "accountId,partyId,role,startDate\nK-11,14837923353,owner,2016-04-01\n"
        "K-11,00000000000,disponent,2020-01-01\nK-11,14837923353,disponent,x\n",
    )
    result = _import(empty_sqlite, *BUNDLE[:2], roles)
    assert result.exit_code == 2
    assert [text.split(": ", 1)[0].rsplit("/", 1)[-1] for text in result.output.strip().splitlines()[:-1]] == [
        "roles.csv:2",
        "roles.csv:3",
        "roles.csv:4",
    ]  # each line once: two malformed, one unknown party


def test_unknown_file_and_command_failures_are_one_line(tmp_path: Path, empty_sqlite: str) -> None:
    stray = _write(tmp_path, "notes.txt", "hello")
    result = _import(empty_sqlite, stray)
    assert result.exit_code == 2 and "notes.txt: is neither a bundle file" in result.output
    broken = _cli(
        "import", "--bank", BANK, "--database-url", "postgresql+asyncpg://nobody@127.0.0.1:1/none", str(BUNDLE[0])
    )
    assert broken.exit_code == 1 and len(broken.output.strip().splitlines()) == 1, broken.output
    assert "Traceback" not in broken.output
    assert _cli("import", "--bank", "12", str(BUNDLE[0])).exit_code == 2


def test_reset_empties_in_test_mode_and_is_refused_in_production(url: str) -> None:
    assert _import(url, *BUNDLE).exit_code == 0
    refused = _cli("reset", "--bank", BANK, "--database-url", url, env={"DSOP_PROVIDER_ENVIRONMENT": "production"})
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
    assert "refused in production" in refused.output
    assert snapshot(url)["bank_account"]
    done = _cli("reset", "--bank", BANK, "--database-url", url, env={"DSOP_PROVIDER_ENVIRONMENT": "test"})
    assert done.exit_code == 0, done.output
    assert not any(snapshot(url).values())


@pytest.mark.anyio
async def test_issued_references_survive_a_reimport(url: str) -> None:
    store = await SqlBankStore.open(url, migrate=False, reference_secret=seed.REFERENCE_SECRET)
    try:
        await import_files(store, BANK, [*BUNDLE, *STATEMENTS])
        period = Period(date(2025, 1, 1), seed.TODAY)
        listed = await store.accounts_for_party(
            OWNER,
            period=period,
            only_primary_owner=True,
            consumer_org=seed.SKATT.orgno,
            account_info_request_id="case-1",
        )
        references = {account.account_reference for account in listed.accounts}
        assert len(references) == 2
        report = await import_files(store, BANK, [*BUNDLE, *STATEMENTS])
        assert report.counts.accounts == 2
        for reference in references:
            assert await store.account_by_reference(reference, consumer_org=seed.SKATT.orgno) is not None
    finally:
        await store.close()


@pytest.mark.anyio
async def test_a_refused_import_raises_with_every_problem(empty_sqlite: str, tmp_path: Path) -> None:
    store = await SqlBankStore.open(empty_sqlite, migrate=False)
    try:
        with pytest.raises(ImportRefused) as refused:
            await import_files(store, BANK, [*STATEMENTS])  # the statements' accounts are not imported yet
        assert [(Path(problem.file).name, problem.line) for problem in refused.value.problems] == [
            ("camt053_v02.xml", 13),
            ("camt053_v08.xml", 13),
        ]  # each statement's Acct
        assert all("not an account of bank" in problem.message for problem in refused.value.problems)
    finally:
        await store.close()


@pytest.mark.anyio
async def test_skatt_sees_the_imported_accounts_with_names_and_owners(url: str, pki: Pki, token_issuer: Any) -> None:
    """A Skatt request over HTTP after an import: the Skatt column of the delivery tables applies
    (``account.name`` SU in AccountDetails, ``accounts.name`` UI; owner name and identifier), and the
    owner's address reaches a v1 consumer (Bank_v1.yaml ``AccountRole``), never v2."""
    loader = await SqlBankStore.open(url, migrate=False)
    try:
        await import_files(loader, BANK, [*BUNDLE, *STATEMENTS])
    finally:
        await loader.close()
    store = await SqlBankStore.open(
        url, migrate=False, reference_secret=seed.REFERENCE_SECRET, servicer=seed.SERVICER, clock=lambda: seed.NOW
    )
    bank = await open_bank(pki, token_issuer, store=store)
    try:
        async with bank.client:
            listed = await bank.accounts(seed.SKATT, OWNER)
            assert listed.status_code == 200, listed.text
            accounts = {item["accountIdentifier"]: item for item in listed.json()["accounts"]}
            assert set(accounts) == {SALARY, SAVINGS}
            assert all("name" not in item for item in accounts.values())  # accounts.name: UI for Skatt
            owner = accounts[SALARY]["primaryOwner"]
            assert (owner["name"], owner["identifier"]["value"]) == ("Ingrid Fjeldstad", OWNER)
            assert "postalAddress" not in owner  # not in Bank_v2.yaml
            reference = accounts[SALARY]["accountReference"]
            details = (await bank.get(seed.SKATT, f"/v2/accounts/{reference}")).json()["account"]
            assert details["name"] == "Lønnskonto"  # account.name: SU for Skatt
            assert details["primaryOwner"]["name"] == "Ingrid Fjeldstad"
            transactions = (
                await bank.get(seed.SKATT, f"/v2/accounts/{reference}/transactions", params={"fromDate": "2025-11-01"})
            ).json()
            assert "TB-20251212-000417" in {item["transactionIdentifier"] for item in transactions["transactions"]}
            roles = (await bank.get(seed.SKATT, f"/v2/accounts/{reference}/roles")).json()["roles"]
            assert {role["name"] for role in roles} == {"Ingrid Fjeldstad", "Ola Fjeldstad"}
            from tests.provider.test_v1 import v1_accounts

            old = await v1_accounts(bank, seed.NAV, OWNER)
            assert old.status_code == 200, old.text
            v1_owner = next(item for item in old.json()["accounts"] if item["accountIdentifier"] == SALARY)
            assert v1_owner["primaryOwner"]["postalAddress"]["streetName"] == "Bygdøy allé"
            assert v1_owner["primaryOwner"]["electronicAddresses"][0] == {"type": "phoneNumber", "value": "+4791112233"}
    finally:
        await store.close()


def test_the_fixtures_are_the_two_schema_versions() -> None:
    assert "camt.053.001.02" in STATEMENTS[0].read_text() and "camt.053.001.08" in STATEMENTS[1].read_text()


def test_many_lines_naming_one_unknown_account_are_named_then_counted(tmp_path: Path, empty_sqlite: str) -> None:
    line = (DATA / "bundle" / "transactions.jsonl").read_text().strip().replace('"K-11"', '"K-99"')
    lines = [line.replace("TB-20251105-000101", f"T-{index}") for index in range(25)]
    result = _import(empty_sqlite, _write(tmp_path, "transactions.jsonl", "\n".join(lines) + "\n"))
    assert result.exit_code == 2
    named = [text for text in result.output.splitlines() if "unknown account K-99" in text]
    assert [text.split(": ", 1)[0].rsplit(":", 1)[-1] for text in named[:20]] == [str(n) for n in range(1, 21)]
    assert "5 more lines after line 20" in named[20] and len(named) == 21
