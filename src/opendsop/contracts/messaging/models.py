"""Wire models of the message platform (msgspec), named and shaped after Altinn 3's API.

Correspondence (``correspondence/api/v1``): ``InitializeCorrespondences`` is Altinn's
``InitializeCorrespondencesExt`` (a ``correspondence`` plus ``recipients`` URNs, ``existingAttachments``
and an ``idempotentKey``); one correspondence is made per recipient.  Broker (``broker/api/v1``):
``FileTransferInitialize`` is ``FileTransferInitializeExt``.  Events are CloudEvents 1.0, as Altinn's
Events API delivers them.  JSON names are camelCase as in Altinn; where we add to Altinn's shape the
field says so (docs/decisions.md, "Message platform").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class _Wire(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True, forbid_unknown_fields=False):
    pass


# -- correspondence --------------------------------------------------------------------------------


class ExternalReference(_Wire):
    reference_value: str
    reference_type: str = "Generic"  # Generic, AltinnBrokerFileTransfer, DialogportenDialogId, …


class ReplyOption(_Wire):
    link_url: str = msgspec.field(name="linkURL")
    link_text: str | None = None


class Notification(_Wire):
    """Stored and shown; the platform sends no e-mail or SMS (docs/decisions.md)."""

    notification_template: str = "GenericAltinnMessage"
    notification_channel: str = "Email"
    email_subject: str | None = None
    email_body: str | None = None
    sms_body: str | None = None
    send_reminder: bool = False


class AttachmentInit(_Wire):
    """An attachment uploaded with the correspondence (``content.attachments``) or on its own."""

    file_name: str
    senders_reference: str = ""
    name: str | None = None
    data_type: str = "application/octet-stream"
    checksum: str | None = None  # hex SHA-256 of the bytes; a mismatch refuses the upload
    is_encrypted: bool = False
    resource_id: str | None = None  # only for a stand-alone attachment (POST attachment)


class CorrespondenceContent(_Wire):
    message_title: str
    message_body: str  # markdown, at most 30 000 characters
    language: str = "nb"
    message_summary: str = ""
    attachments: list[AttachmentInit] = []


class Correspondence(_Wire):
    """Altinn's ``BaseCorrespondenceExt``."""

    resource_id: str
    senders_reference: str
    content: CorrespondenceContent
    sender: str | None = None  # deprecated in Altinn: the caller's organisation is the sender
    message_sender: str | None = None
    requested_publish_time: datetime | None = None
    due_date_time: datetime | None = None
    allow_system_delete_after: datetime | None = None
    external_references: list[ExternalReference] = []
    property_list: dict[str, str] = {}
    reply_options: list[ReplyOption] = []
    notification: Notification | None = None
    ignore_reservation: bool = False
    is_confirmation_needed: bool = False
    is_confidential: bool = False
    allow_forwarding: bool = True


class InitializeCorrespondences(_Wire):
    correspondence: Correspondence
    recipients: list[str]
    existing_attachments: list[str] = []
    idempotent_key: str | None = None


class InitializedCorrespondence(_Wire):
    correspondence_id: str
    status: str
    recipient: str


class InitializedCorrespondences(_Wire):
    correspondences: list[InitializedCorrespondence]
    attachment_ids: list[str] = []


class AttachmentOverview(_Wire):
    attachment_id: str
    file_name: str
    data_type: str
    checksum: str  # hex SHA-256: the content address
    size: int
    status: str
    name: str | None = None
    senders_reference: str = ""
    is_encrypted: bool = False


class StatusChange(_Wire):
    status: str
    status_changed: datetime
    status_text: str = ""
    by: str | None = None  # the party URN that caused it (ours: Altinn keeps it internally)


class CorrespondenceOverview(_Wire):
    correspondence_id: str
    resource_id: str
    sender: str
    recipient: str
    senders_reference: str
    status: str
    status_changed: datetime
    created: datetime
    content: CorrespondenceContent
    attachments: list[AttachmentOverview] = []
    status_text: str = ""
    message_sender: str | None = None
    published: datetime | None = None
    requested_publish_time: datetime | None = None
    due_date_time: datetime | None = None
    allow_system_delete_after: datetime | None = None
    external_references: list[ExternalReference] = []
    property_list: dict[str, str] = {}
    reply_options: list[ReplyOption] = []
    notification: Notification | None = None
    is_confirmation_needed: bool = False
    is_confidential: bool = False
    allow_forwarding: bool = True
    idempotent_key: str | None = None
    reply_to: str | None = None  # ours: the correspondence this one answers (POST {id}/reply)


class CorrespondenceDetails(CorrespondenceOverview, kw_only=True):
    status_history: list[StatusChange] = []


class CorrespondencePage(_Wire):
    """A search's answer: Altinn's ``ids`` plus (ours) the overviews and the cursor of the next page."""

    ids: list[str]
    items: list[CorrespondenceOverview] = []
    next: str | None = None


# -- broker ------------------------------------------------------------------------------------------


class FileTransferInitialize(_Wire):
    """Altinn's ``FileTransferInitializeExt``."""

    file_name: str
    resource_id: str
    recipients: list[str]
    sender: str | None = None  # defaults to the caller's organisation
    senders_file_transfer_reference: str = ""
    property_list: dict[str, str] = {}
    checksum: str | None = None  # hex SHA-256 of the ZIP
    disable_virus_scan: bool = False
    idempotent_key: str | None = None  # ours: a retried initialise returns the first transfer


class FileTransferInitialized(_Wire):
    file_transfer_id: str


class RecipientFileTransferStatus(_Wire):
    recipient: str
    current_recipient_file_transfer_status_code: str
    current_recipient_file_transfer_status_changed: datetime
    current_recipient_file_transfer_status_text: str = ""


class FileTransferOverview(_Wire):
    file_transfer_id: str
    resource_id: str
    file_name: str
    sender: str
    recipients: list[str]
    file_transfer_status: str
    file_transfer_status_changed: datetime
    created: datetime
    senders_file_transfer_reference: str = ""
    file_transfer_status_text: str = ""
    property_list: dict[str, str] = {}
    checksum: str | None = None
    file_transfer_size: int = 0
    recipient_file_transfer_status_details: list[RecipientFileTransferStatus] = []


class FileTransferDetails(FileTransferOverview, kw_only=True):
    file_transfer_status_history: list[StatusChange] = []
    recipient_file_transfer_status_history: list[StatusChange] = []


class FileTransferPage(_Wire):
    ids: list[str]
    next: str | None = None


# -- events ------------------------------------------------------------------------------------------


class CloudEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A CloudEvents 1.0 event as Altinn's Events API sends it; ``sequence`` (a CloudEvents extension) is
    the feed cursor: resume a poll with ``after=<sequence>``."""

    id: str
    type: str
    source: str
    time: datetime
    resource: str
    resourceinstance: str
    subject: str
    sequence: int
    specversion: str = "1.0"
    alternativesubject: str | None = None
    datacontenttype: str = "application/json"
    data: dict[str, Any] = {}


class EventPage(_Wire):
    events: list[CloudEvent]
    next: int  # pass as ``after`` to read on (the last event's sequence, or ``after`` when empty)


class SubscriptionRequest(_Wire):
    end_point: str
    resource_filter: str | None = None
    subject_filter: str | None = None
    type_filter: str | None = None


class Subscription(_Wire):
    id: str
    end_point: str
    consumer: str
    created: datetime
    status: str = "active"
    resource_filter: str | None = None
    subject_filter: str | None = None
    type_filter: str | None = None
    secret: str | None = None  # the HMAC key: shown only when the subscription is created
    delivered_through: int = 0  # ours: the last sequence delivered (or dead-lettered)


class DeadLetter(_Wire):
    subscription_id: str
    event: CloudEvent
    attempts: int
    last_error: str
    dead_at: datetime


# -- resource registry and roles --------------------------------------------------------------------


class Resource(_Wire):
    """A resource and its policy: who may send and who may receive on it.

    ``senders``/``recipients`` list organisation numbers, ``"*"`` (any organisation) or ``"person"``
    (any person, as recipient); a party also qualifies when it holds one of ``sender_roles`` /
    ``recipient_roles`` for itself.  Acting *for* another party (``onBehalfOf``) needs a role
    assignment from that party: one of these roles, or the resource's own right
    ``urn:altinn:resource:<identifier>``.
    """

    identifier: str
    owner: str
    title: str
    kinds: list[str] = msgspec.field(default_factory=lambda: ["correspondence", "broker"])
    senders: list[str] = []
    recipients: list[str] = []
    sender_roles: list[str] = []
    recipient_roles: list[str] = []
    max_attachment_bytes: int | None = None  # below the platform's own limit, if set


class RoleAssignment(_Wire):
    """``holder`` (an organisation or person) may act for ``party`` with ``role`` (code, package or right)."""

    holder: str
    party: str
    role: str


class Decision(_Wire):
    decision: str  # "Permit" or "NotApplicable"
    reason: str = ""


class DecisionRequest(_Wire):
    subject: str
    resource: str
    action: str  # "send" or "receive"
    party: str | None = None  # defaults to the subject


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, as Altinn 3 answers errors; ``code`` names the rule (errors.py)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None


__all__ = [
    "AttachmentInit",
    "AttachmentOverview",
    "CloudEvent",
    "Correspondence",
    "CorrespondenceContent",
    "CorrespondenceDetails",
    "CorrespondenceOverview",
    "CorrespondencePage",
    "DeadLetter",
    "Decision",
    "DecisionRequest",
    "EventPage",
    "ExternalReference",
    "FileTransferDetails",
    "FileTransferInitialize",
    "FileTransferInitialized",
    "FileTransferOverview",
    "FileTransferPage",
    "InitializeCorrespondences",
    "InitializedCorrespondence",
    "InitializedCorrespondences",
    "Notification",
    "Problem",
    "RecipientFileTransferStatus",
    "ReplyOption",
    "Resource",
    "RoleAssignment",
    "StatusChange",
    "Subscription",
    "SubscriptionRequest",
]
