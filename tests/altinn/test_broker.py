"""Broker over HTTP and in-process: a ZIP's life cycle per recipient, acting for another party, and a
crash between upload and publication that is resumed at the next start."""

from __future__ import annotations

import pytest

from opendsop.altinn.common import SimulatedCrash
from opendsop.contracts.messaging import errors as E
from opendsop.contracts.messaging.models import FileTransferInitialize
from opendsop.contracts.messaging.names import EventType, FileTransferStatus, RecipientStatus, org_urn
from tests.altinn.conftest import BANK, FILES, OTHER_BANK, OUTSIDER, SUPPLIER, Harness, open_platform

pytestmark = pytest.mark.anyio
ZIP = b"PK\x03\x04" + b"dsve message" * 100


def transfer(*recipients: str, **fields: object) -> FileTransferInitialize:
    return FileTransferInitialize(
        file_name="melding.zip",
        resource_id=FILES,
        recipients=[org_urn(r) for r in recipients],
        property_list={"messageType": "KjoepersBankForespoersel"},
        **fields,  # type: ignore[arg-type]
    )


async def test_a_file_is_published_downloaded_and_confirmed_per_recipient(harness: Harness) -> None:
    sender, bank, other = harness.client(OUTSIDER), harness.client(BANK), harness.client(OTHER_BANK)
    sent = await sender.send_file(transfer(BANK, OTHER_BANK), ZIP)
    fid = sent.file_transfer_id
    assert sent.file_transfer_status == FileTransferStatus.PUBLISHED and sent.file_transfer_size == len(ZIP)

    assert await bank.available_file_transfers(FILES) == [fid]
    assert await bank.download_file_transfer(fid) == ZIP
    overview = await bank.confirm_download(fid)
    statuses = {
        s.recipient: s.current_recipient_file_transfer_status_code
        for s in overview.recipient_file_transfer_status_details
    }
    assert statuses == {
        org_urn(BANK): RecipientStatus.DOWNLOAD_CONFIRMED,
        org_urn(OTHER_BANK): RecipientStatus.INITIALIZED,
    }
    assert overview.file_transfer_status == FileTransferStatus.PUBLISHED
    assert await bank.available_file_transfers(FILES) == []

    await other.download_file_transfer(fid)
    assert (await other.confirm_download(fid)).file_transfer_status == FileTransferStatus.ALL_CONFIRMED_DOWNLOADED
    types = [e.type for e in (await sender.events()).events]
    assert types == [
        EventType.FILE_TRANSFER_INITIALIZED,
        EventType.UPLOAD_PROCESSING,
        EventType.PUBLISHED,
        EventType.DOWNLOAD_CONFIRMED,
        EventType.DOWNLOAD_CONFIRMED,
        EventType.ALL_CONFIRMED_DOWNLOADED,
    ]
    assert [e.type for e in (await bank.events()).events] == [EventType.PUBLISHED]
    details = await sender.file_transfer_details(fid)
    assert [h.status for h in details.file_transfer_status_history] == [
        "Initialized",
        "UploadProcessing",
        "Published",
        "AllConfirmedDownloaded",
    ]


async def test_a_supplier_acts_for_a_bank_only_with_the_delegated_right(sqlite_harness: Harness) -> None:
    sender = sqlite_harness.client(OUTSIDER)
    fid = (await sender.send_file(transfer(BANK), ZIP)).file_transfer_id
    supplier = sqlite_harness.client(SUPPLIER)
    assert await supplier.available_file_transfers(FILES, on_behalf_of=BANK) == [fid]
    assert await supplier.download_file_transfer(fid, on_behalf_of=BANK) == ZIP
    with pytest.raises(E.NotAuthorized):
        await supplier.available_file_transfers(FILES, on_behalf_of=OTHER_BANK)
    with pytest.raises(E.NotFound):
        await supplier.download_file_transfer(fid)  # not as itself


async def test_a_refused_or_oversized_upload_leaves_nothing_to_download(sqlite_harness: Harness) -> None:
    sender = sqlite_harness.client(OUTSIDER)
    with pytest.raises(E.Rejected):
        await sender.send_file(transfer(BANK), b"PK EICAR-STANDARD-ANTIVIRUS-TEST-FILE")
    fid = await sender.initialize_file_transfer(transfer(BANK))
    with pytest.raises(E.TooLarge):
        await sender.upload_file_transfer(fid, b"x" * (256 * 1024 + 1))
    with pytest.raises(E.ChecksumMismatch):
        await sender.send_file(transfer(BANK, checksum="ab" * 32), ZIP)
    assert await sqlite_harness.client(BANK).available_file_transfers(FILES) == []
    assert (await sender.upload_file_transfer(fid, ZIP)).file_transfer_status == FileTransferStatus.PUBLISHED


async def test_a_crash_between_upload_and_publication_is_finished_at_the_next_start(harness: Harness) -> None:
    def crash(point: str) -> None:
        if point == "broker.upload_processing":
            raise SimulatedCrash(point)

    url = str(harness.platform.store.engine.url.render_as_string(hide_password=False))
    dying = await open_platform(url, harness.clock, harness.webhooks, fault=crash)
    fid = await dying.broker.initialize(OUTSIDER, transfer(BANK, idempotent_key="zip-1"))
    with pytest.raises(SimulatedCrash):
        await dying.broker.upload(OUTSIDER, fid, ZIP)
    await dying.close()

    bank = harness.client(BANK)
    assert await bank.available_file_transfers(FILES) == []  # nothing half published
    assert await harness.platform.recover() == 1  # what every start runs
    assert await bank.available_file_transfers(FILES) == [fid]
    assert await bank.download_file_transfer(fid) == ZIP
    again = await harness.platform.broker.initialize(OUTSIDER, transfer(BANK, idempotent_key="zip-1"))
    assert again == fid  # a retried initialise finds the same transfer
