"""Digital letters (DSOP “Architecture document” step 2.2 b): a bank without a Control API is asked by letter,
its XLSX/PDF answer joins the case and its export; overdue letters are reminded.  The store runs on SQLite and
PostgreSQL; the command line against the in-process world with the in-memory letter box."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import xlsxwriter
from rich.console import Console
from typer.testing import CliRunner

from opendsop.consumer.cases import CaseStore
from opendsop.consumer.cli import build_app
from opendsop.consumer.letters import ANSWERED, LetterAnswer, Letters, LetterStore, MemoryLetterBox
from opendsop.consumer.workflows import plan_skatt
from opendsop.contracts.digital_letter import answer_type, decode_request, encode_request
from tests.consumer.agency import NOW
from tests.consumer.workflows.test_cli import twins
from tests.provider import bank as seed

OTHER_BANK = "937901003"


def xlsx() -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet("Konti").write_row(0, 0, ["Kontonummer", "Saldo"])
    book.close()
    return out.getvalue()


ANSWER = xlsx()  # once: a workbook's ZIP carries the time it was written


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.anyio
async def test_a_letter_is_sent_once_answered_attached_and_reminded(database_url: str) -> None:
    store = CaseStore.from_url(database_url)
    await store.create_schema()
    box, clock = MemoryLetterBox(), Clock(NOW)
    letters = Letters(LetterStore(store.engine), box, agency_org="974761076", agency_name="Skatteetaten", clock=clock)
    try:
        plans = [plan_skatt(seed.ANNE, requester_id="sb-17", today=date(2026, 3, 2)) for _ in range(2)]
        for plan in plans:
            await letters.send(plan, [(OTHER_BANK, "Annen Bank")], "2026/17")
            await letters.send(plan, [(OTHER_BANK, "Annen Bank")], "2026/17")  # again: nothing new is sent
        assert len(box.sent) == 2
        bank, request, _ = box.sent[0]
        assert bank == OTHER_BANK and request.accountInfoRequestId == plans[0].case.account_info_request_id
        assert request.property_list()["Legal-Mandate"] == plans[0].case.mandate.text
        assert decode_request(encode_request(request)) == request and "XLSX eller PDF" in request.body()

        answered_id = plans[0].case.account_info_request_id
        box.inbox += [
            LetterAnswer("a-1", OTHER_BANK, answered_id, "svar.xlsx", ANSWER),
            LetterAnswer("a-2", OTHER_BANK, str(uuid.uuid4()), "svar.pdf", b"%PDF-1.4"),  # no letter of ours
        ]
        done = await letters.collect()
        assert [letter.case_id for letter in done.answered] == [answered_id]
        assert len(done.refused) == 1 and box.confirmed == ["a-1", "a-2"]
        [stored] = await letters.store.letters(answered_id)
        assert (stored.status, stored.file_name, stored.data) == (ANSWERED, "svar.xlsx", ANSWER)

        clock.now = NOW + timedelta(days=15)  # the other letter is overdue: one reminder, not two
        assert len((await letters.collect()).reminded) == 1
        assert (await letters.collect()).reminded == []
        assert box.sent[-1][2] is not None  # the reminder refers to the first letter
        clock.now = NOW + timedelta(days=23)
        assert len((await letters.collect()).reminded) == 1
    finally:
        await store.close()


@pytest.mark.parametrize(
    ("name", "data"),
    [("svar.txt", b"hei"), ("svar.xlsx", b"%PDF-1.4"), ("svar.pdf", b"PK\x03\x04")],
    ids=["not xlsx or pdf", "a pdf named xlsx", "a zip named pdf"],
)
def test_an_answer_must_be_the_xlsx_or_pdf_it_says(name: str, data: bytes) -> None:
    with pytest.raises(ValueError, match=name):
        answer_type(name, data)


def test_dsop_case_asks_the_bank_without_api_by_letter_and_exports_its_answer(tmp_path: Path) -> None:
    box = MemoryLetterBox()
    runner, app = CliRunner(), build_app(twins(tmp_path, box), console=Console(width=200, color_system=None))
    ran = runner.invoke(app, ["case", "skatt", "--party", seed.ANNE, "--requester", "sb-17"])
    assert ran.exit_code == 0, ran.output
    case_id = re.search(r"Case ([0-9a-f-]{36})", ran.output).group(1)  # type: ignore[union-attr]
    assert "Digital letters" in ran.output and "sent" in ran.output
    [(bank, request, _)] = box.sent
    box.inbox.append(LetterAnswer("a-1", bank, case_id, "kontoer.xlsx", ANSWER))

    collected = runner.invoke(app, ["case", "letters"])
    assert collected.exit_code == 0, collected.output
    assert "answered by letter" in collected.output and "answered-by-letter" in collected.output
    shown = runner.invoke(app, ["case", "show", case_id])
    assert "kontoer.xlsx" in shown.output

    exported = runner.invoke(app, ["case", "export", case_id])
    [letter] = json.loads(exported.stdout)["letters"]
    assert (letter["orgNo"], letter["status"]) == (bank, "answered-by-letter")
    assert base64.b64decode(letter["data"]) == ANSWER
    workbook = tmp_path / "case.xlsx"
    assert runner.invoke(app, ["case", "export", case_id, "--format", "xlsx", "--out", str(workbook)]).exit_code == 0
    assert (tmp_path / f"case-letter-{bank}.xlsx").read_bytes() == ANSWER

    # "ytterligere opplysninger": another bank asked by letter for what the Control API does not carry
    asked = ["case", "letter", case_id, "--bank", "984851006", "--document", "signert låneavtale"]
    ran_letter = runner.invoke(app, asked)
    assert ran_letter.exit_code == 0, ran_letter.output
    documents = box.sent[-1][1]
    assert (documents.documents, documents.asked) == (("signert låneavtale",), ())
    assert "dokument: signert låneavtale" in documents.body()
    again = runner.invoke(app, asked)
    assert again.exit_code == 2 and "already asked" in again.output
    assert request.customerId == seed.ANNE
