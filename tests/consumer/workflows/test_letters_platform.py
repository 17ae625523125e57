"""Digital letters over the message platform (in-process, SQLite and PostgreSQL): the agency's letter box sends,
the bank's operations read and answer with an XLSX (``dsop bank letters``' functions), the agency picks the answer
up and confirms it; SVV's løyveregister letters reach the guarantor's and the carrier's inboxes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
import pytest

from opendsop.backoffice.letters_cli import answer_letter, inbox, read_letter
from opendsop.backoffice.settings import BackofficeError
from opendsop.consumer.letterbox import PlatformLetterBox
from opendsop.consumer.workflows import plan_skatt
from opendsop.contracts.messaging.models import Resource
from opendsop.contracts.registers.loyve_messages import NOTICE_RESOURCE, case_number, filing
from opendsop.contracts.registers.loyve_messages import RESOURCE as GUARANTEES
from opendsop.registers.app import Stores
from opendsop.registers.loyve_post import SvvPost
from opendsop.standard.services.transport_guarantee import Soknad
from tests.altinn.conftest import AGENCY, BANK, SVV, Harness, harness  # noqa: F401 - the harness fixture
from tests.consumer.workflows.test_letters import ANSWER
from tests.provider import bank as seed

pytestmark = pytest.mark.anyio

CARRIER = "299603083"


@pytest.fixture
async def platform(harness: Harness) -> Harness:  # noqa: F811 - the imported fixture, by name
    """The platform of the message platform's own tests, plus SVV's notices to carriers."""
    await harness.platform.store.put_resource(
        Resource(identifier=NOTICE_RESOURCE, owner=SVV, title="Varsel", senders=[SVV], recipients=["*"])
    )
    return harness


async def test_a_letter_round_trip(platform: Harness) -> None:
    agency = PlatformLetterBox(platform.client(AGENCY))
    bank = platform.client(BANK)
    plan = plan_skatt(seed.ANNE, requester_id="sb-17", today=date(2026, 12, 8))
    from opendsop.consumer.letters import build_request

    request = build_request(
        plan, agency_org=AGENCY, agency_name="Skatteetaten", case_number="17", today=date(2026, 12, 8)
    )
    sent = await agency.send(BANK, request)
    assert await agency.send(BANK, request) == sent  # a retried send is the same letter (idempotency key)

    [letter] = await inbox(bank)
    assert letter.property_list["AccountInfoRequestID"] == plan.case.account_info_request_id
    item, read = await read_letter(bank, sent)
    assert read == request and item.content.message_body == request.body()
    with pytest.raises(BackofficeError, match="xlsx or .pdf"):
        await answer_letter(bank, sent, "svar.txt", b"hei")
    await answer_letter(bank, sent, "kontoer.xlsx", ANSWER)

    reminder = await agency.send(BANK, request, reminder_of=sent)  # overdue: a new letter referring to the first
    reminded = await platform.client(BANK).get(reminder)
    assert reminded.content.message_title.startswith("Påminnelse")
    assert [r.reference_value for r in reminded.external_references] == [sent]

    [answer] = await agency.answers()
    assert (answer.bank_org, answer.account_info_request_id) == (BANK, plan.case.account_info_request_id)
    assert (answer.file_name, answer.data) == ("kontoer.xlsx", ANSWER)
    await agency.confirm(answer)
    assert await agency.answers() == []


async def test_svv_answers_reach_the_guarantor_and_the_notice_the_carrier(platform: Harness, database_url: str) -> None:
    stores = Stores(database_url)
    await stores.db.create_schema()
    try:
        await stores.loyve.load(
            transportorer=[{"organisasjonsnummer": CARRIER, "navn": "Fjordfrakt AS", "loyver": {"GODSLOYVE": 1}}],
            konsesjoner=[{"organisasjonsnummer": BANK, "navn": "Banken", "konsesjonstype": "bank"}],
        )
        now = datetime(2026, 12, 8, 9, tzinfo=UTC)
        for kind, form, fields in (
            ("nyGaranti", "nyGaranti", {"garantinummer": "G-1", "garantiType": "GODSLOYVE", "belop": "90000"}),
            ("endreGaranti", "endreGaranti", {"garantinummer": "G-1", "justerOppsigelseCheck": True,
                                              "oppsigelseaarsak": "AVSLUTTET_AV_GARANTIST"}),
        ):  # fmt: skip
            case = msgspec.convert({"transportorOrgnummer": CARRIER, "soknadtype": kind, form: fields}, Soknad)
            await stores.loyve.submit(BANK, case, today=now.date(), now=now)
        post = SvvPost(stores.loyve, stores.db, lambda: platform.client(SVV))
        assert await post.deliver() == 3  # two answers, one notice
        assert await post.deliver() == 0  # nothing twice
        answers = [item async for item in platform.client(BANK).inbox(resource_id=GUARANTEES)]
        assert sorted(item.property_list["status"] for item in answers) == ["OK", "OK"]
        [notice] = [item async for item in platform.client(CARRIER).inbox(resource_id=NOTICE_RESOURCE)]
        assert notice.property_list["frist"] == "2027-02-08" and "tilbakekalt" in notice.content.message_body

        # filed over the platform: SVV reads its inbox, decides once, answers into the guarantor's inbox
        again = msgspec.convert(
            {"transportorOrgnummer": CARRIER, "soknadtype": "nyGaranti",
             "nyGaranti": {"garantinummer": "G-2", "garantiType": "GODSLOYVE", "belop": "80000"}},
            Soknad,
        )  # fmt: skip
        request, attachment = filing(again)
        made = await platform.client(BANK).send(request, [attachment])
        assert await post.receive() == 1 and await post.receive() == 0
        number = case_number(made.correspondences[0].correspondence_id)
        [answer] = [
            item
            async for item in platform.client(BANK).inbox(resource_id=GUARANTEES)
            if item.property_list["saksnummer"] == number
        ]
        assert answer.property_list["status"] == "REJECTED_BELOP_FOR_LAVT"
    finally:
        await stores.db.close()
