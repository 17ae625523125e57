"""The message platform's tables (SQLAlchemy Core; the same statements on SQLite and PostgreSQL).

Times are integers (microseconds since the epoch, UTC) so both backends order and compare them alike.
Each message's full wire form is kept as JSON (``data``) next to the columns it is searched by.
The event feed (``altinn_event``) is the outbox: events are written in the transaction that changes
the state they report, numbered under the lock of ``altinn_feed_head`` so that sequence order is
commit order (a poller resuming after ``n`` never skips an event committed later with a lower number).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ID = 36  # a UUID's text form

resources = Table(
    "altinn_resource",
    metadata,
    Column("identifier", String(255), primary_key=True),
    Column("owner", String(11), nullable=False),
    Column("data", Text, nullable=False),
)

roles = Table(
    "altinn_role",
    metadata,
    Column("holder", String(11), primary_key=True),
    Column("party", String(11), primary_key=True),
    Column("role", String(255), primary_key=True),
)

blobs = Table(
    "altinn_blob",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

attachments = Table(
    "altinn_attachment",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("resource_id", String(255), nullable=False),
    Column("sender", String(11), nullable=False),
    Column("status", String(32), nullable=False),
    Column("sha256", String(64)),
    Column("size", BigInteger, nullable=False, default=0),
    Column("created", BigInteger, nullable=False),
    Column("data", Text, nullable=False),  # AttachmentInit
)

correspondences = Table(
    "altinn_correspondence",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("resource_id", String(255), nullable=False),
    Column("sender", String(11), nullable=False),
    Column("recipient", String(11), nullable=False),
    Column("senders_reference", String(4096), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_changed", BigInteger, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("published", BigInteger),
    Column("publish_at", BigInteger),  # requestedPublishTime (or created)
    Column("due", BigInteger),
    Column("delete_after", BigInteger),
    Column("confirmation_needed", Boolean, nullable=False, default=False),
    Column("never_confirmed_sent", Boolean, nullable=False, default=False),
    Column("idempotent_key", String(64)),
    Column("reply_to", String(ID)),
    Column("data", Text, nullable=False),  # Correspondence (the sender's request)
)
Index("altinn_correspondence_recipient", correspondences.c.recipient, correspondences.c.created)
Index("altinn_correspondence_sender", correspondences.c.sender, correspondences.c.created)
Index("altinn_correspondence_publish", correspondences.c.status, correspondences.c.publish_at)

correspondence_attachments = Table(
    "altinn_correspondence_attachment",
    metadata,
    Column("correspondence_id", String(ID), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("attachment_id", String(ID), nullable=False),
)

history = Table(
    "altinn_status",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("object_id", String(ID), nullable=False, index=True),
    Column("recipient", String(11)),  # a broker recipient's own status; None: the message's
    Column("status", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("by", String(11)),
)

idempotency = Table(
    "altinn_idempotency",
    metadata,
    Column("sender", String(11), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("result", Text, nullable=False),
)

file_transfers = Table(
    "altinn_file_transfer",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("resource_id", String(255), nullable=False),
    Column("sender", String(11), nullable=False),
    Column("status", String(32), nullable=False),
    Column("status_changed", BigInteger, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("sha256", String(64)),
    Column("size", BigInteger, nullable=False, default=0),
    Column("data", Text, nullable=False),  # FileTransferInitialize
)
Index("altinn_file_transfer_resource", file_transfers.c.resource_id, file_transfers.c.created)
Index("altinn_file_transfer_status", file_transfers.c.status)

file_recipients = Table(
    "altinn_file_recipient",
    metadata,
    Column("file_transfer_id", String(ID), primary_key=True),
    Column("recipient", String(11), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("status_changed", BigInteger, nullable=False),
)
Index("altinn_file_recipient_party", file_recipients.c.recipient, file_recipients.c.status)

feed_head = Table(
    "altinn_feed_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
)

events = Table(
    "altinn_event",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("party", String(11), nullable=False),  # who may see it: the sender or a recipient
    Column("resource_id", String(255), nullable=False),
    Column("type", String(128), nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("data", Text, nullable=False),  # the CloudEvent
)
Index("altinn_event_party", events.c.party, events.c.seq)

subscriptions = Table(
    "altinn_subscription",
    metadata,
    Column("id", String(ID), primary_key=True),
    Column("consumer", String(11), nullable=False, index=True),
    Column("end_point", String(2048), nullable=False),
    Column("resource_filter", String(255)),
    Column("subject_filter", String(255)),
    Column("type_filter", String(128)),
    Column("secret", String(128), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("cursor", BigInteger, nullable=False),  # the last sequence delivered or dead-lettered
    Column("attempts", Integer, nullable=False, default=0),  # failed tries of the event after the cursor
    Column("next_attempt", BigInteger, nullable=False, default=0),
    Column("last_error", String(512)),
)

dead_letters = Table(
    "altinn_dead_letter",
    metadata,
    Column("subscription_id", String(ID), primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", String(512), nullable=False),
    Column("dead_at", BigInteger, nullable=False),
)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch (UTC) of an aware datetime."""
    delta = moment.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


__all__ = [
    "attachments",
    "blobs",
    "correspondence_attachments",
    "correspondences",
    "dead_letters",
    "events",
    "feed_head",
    "file_recipients",
    "file_transfers",
    "from_us",
    "history",
    "idempotency",
    "metadata",
    "resources",
    "roles",
    "subscriptions",
    "to_us",
]
