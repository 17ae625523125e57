"""The message platform's names: scopes, party URNs, statuses and event types (Altinn 3 shaped).

Scopes follow Altinn 3's (docs.altinn.studio, Correspondence and Broker "Getting started"):
``altinn:correspondence.write``/``.read``, ``altinn:broker.write``/``.read``, ``altinn:events.subscribe``
(here ``altinn:events``) and ``altinn:resourceregistry/resource.write`` (here ``altinn:resourceregistry``).
Parties are URNs, as in Altinn 3: ``urn:altinn:organization:identifier-no:<orgnr>`` and
``urn:altinn:person:identifier-no:<fnr>``; the Broker's ``0192:<orgnr>`` form is accepted too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

CORRESPONDENCE_WRITE: Final = "altinn:correspondence.write"
CORRESPONDENCE_READ: Final = "altinn:correspondence.read"
BROKER_WRITE: Final = "altinn:broker.write"
BROKER_READ: Final = "altinn:broker.read"
EVENTS: Final = "altinn:events"
RESOURCE_REGISTRY: Final = "altinn:resourceregistry"
ALL_SCOPES: Final = (CORRESPONDENCE_WRITE, CORRESPONDENCE_READ, BROKER_WRITE, BROKER_READ, EVENTS, RESOURCE_REGISTRY)

ORG_URN: Final = "urn:altinn:organization:identifier-no:"
PERSON_URN: Final = "urn:altinn:person:identifier-no:"
ISO6523_ORG: Final = "0192:"
RESOURCE_RIGHT_URN: Final = "urn:altinn:resource:"  # a single right on one resource, delegated to a holder
ROLE_URN: Final = "urn:altinn:rolecode:"

# Altinn role "Transportløyvegaranti" (urn:altinn:rolecode:A0294): may act for a guarantor at Statens vegvesen.
TRANSPORT_GUARANTEE_ROLE: Final = "A0294"

SIGNATURE_HEADER: Final = "X-Altinn-Signature"  # webhook deliveries: "t=<unix seconds>,v1=<hex HMAC-SHA256>"


class CorrespondenceStatus(StrEnum):
    """Altinn 3 ``CorrespondenceStatusExt`` (the names; Altinn also numbers them 0–13)."""

    INITIALIZED = "Initialized"
    READY_FOR_PUBLISH = "ReadyForPublish"
    PUBLISHED = "Published"
    FETCHED = "Fetched"
    READ = "Read"
    REPLIED = "Replied"
    CONFIRMED = "Confirmed"
    PURGED_BY_RECIPIENT = "PurgedByRecipient"
    PURGED_BY_ALTINN = "PurgedByAltinn"
    ARCHIVED = "Archived"
    RESERVED = "Reserved"
    FAILED = "Failed"
    ATTACHMENTS_DOWNLOADED = "AttachmentsDownloaded"


class AttachmentStatus(StrEnum):
    INITIALIZED = "Initialized"
    UPLOAD_PROCESSING = "UploadProcessing"
    PUBLISHED = "Published"
    FAILED = "Failed"
    PURGED = "Purged"


class FileTransferStatus(StrEnum):
    """Altinn 3 Broker ``FileTransferStatusExt``."""

    INITIALIZED = "Initialized"
    UPLOAD_STARTED = "UploadStarted"
    UPLOAD_PROCESSING = "UploadProcessing"
    PUBLISHED = "Published"
    CANCELLED = "Cancelled"
    ALL_CONFIRMED_DOWNLOADED = "AllConfirmedDownloaded"
    PURGED = "Purged"
    FAILED = "Failed"


class RecipientStatus(StrEnum):
    """Altinn 3 Broker ``RecipientFileTransferStatusExt``."""

    INITIALIZED = "Initialized"
    DOWNLOAD_STARTED = "DownloadStarted"
    DOWNLOAD_CONFIRMED = "DownloadConfirmed"


class Role(StrEnum):
    """Whose side of a message a search looks from (Altinn's ``role`` query parameter)."""

    RECIPIENT = "recipient"
    SENDER = "sender"
    RECIPIENT_AND_SENDER = "recipientandsender"


CORRESPONDENCE_EVENT: Final = "no.altinn.correspondence."
BROKER_EVENT: Final = "no.altinn.broker."


class EventType(StrEnum):
    """The event types (``no.altinn.correspondence.<name>`` / ``no.altinn.broker.<name>``)."""

    CORRESPONDENCE_INITIALIZED = "no.altinn.correspondence.correspondenceinitialized"
    CORRESPONDENCE_PUBLISHED = "no.altinn.correspondence.correspondencepublished"
    CORRESPONDENCE_PUBLISH_FAILED = "no.altinn.correspondence.correspondencepublishfailed"
    CORRESPONDENCE_ARCHIVED = "no.altinn.correspondence.correspondencearchived"
    CORRESPONDENCE_PURGED = "no.altinn.correspondence.correspondencepurged"
    RECEIVER_READ = "no.altinn.correspondence.correspondencereceiverread"
    RECEIVER_CONFIRMED = "no.altinn.correspondence.correspondencereceiverconfirmed"
    RECEIVER_REPLIED = "no.altinn.correspondence.correspondencereceiverreplied"
    RECEIVER_NEVER_CONFIRMED = "no.altinn.correspondence.correspondencereceiverneverconfirmed"
    ATTACHMENT_DOWNLOADED = "no.altinn.correspondence.attachmentdownloaded"
    FILE_TRANSFER_INITIALIZED = "no.altinn.broker.filetransferinitialized"
    UPLOAD_PROCESSING = "no.altinn.broker.uploadprocessing"
    PUBLISHED = "no.altinn.broker.published"
    UPLOAD_FAILED = "no.altinn.broker.uploadfailed"
    DOWNLOAD_CONFIRMED = "no.altinn.broker.downloadconfirmed"
    ALL_CONFIRMED_DOWNLOADED = "no.altinn.broker.allconfirmeddownloaded"
    FILE_PURGED = "no.altinn.broker.filepurged"


def org_urn(orgnr: str) -> str:
    return ORG_URN + orgnr


def person_urn(fnr: str) -> str:
    return PERSON_URN + fnr


def bare_party(value: str) -> str:
    """``orgnr``/``fnr`` of a party written as a URN, ``0192:<orgnr>`` or bare digits (no validation)."""
    value = value.strip()
    for prefix in (ORG_URN, PERSON_URN, ISO6523_ORG):
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def party_urn(value: str) -> str:
    """The URN of a party given in any accepted form: 9 digits an organisation, 11 a person."""
    bare = bare_party(value)
    return person_urn(bare) if len(bare) == 11 else org_urn(bare)


__all__ = [
    "ALL_SCOPES",
    "BROKER_EVENT",
    "BROKER_READ",
    "BROKER_WRITE",
    "CORRESPONDENCE_EVENT",
    "CORRESPONDENCE_READ",
    "CORRESPONDENCE_WRITE",
    "EVENTS",
    "ISO6523_ORG",
    "ORG_URN",
    "PERSON_URN",
    "RESOURCE_REGISTRY",
    "RESOURCE_RIGHT_URN",
    "ROLE_URN",
    "SIGNATURE_HEADER",
    "TRANSPORT_GUARANTEE_ROLE",
    "AttachmentStatus",
    "CorrespondenceStatus",
    "EventType",
    "FileTransferStatus",
    "RecipientStatus",
    "Role",
    "bare_party",
    "org_urn",
    "party_urn",
    "person_urn",
]
