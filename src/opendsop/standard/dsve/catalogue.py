# SPDX-License-Identifier: Apache-2.0
"""The DSVE message catalogue: each ``messageType`` with its direction, ZIP files, manifest keys, reply and statuses.

Source: Bits' e-tinglysing-afpant specifications (``spesifikasjoner/afpant/*.md``; DSOP "Digital
samhandling ved eiendomshandel").  Every message is one Altinn broker shipment: a ZIP payload plus a
manifest property list whose key ``messageType`` is always set.  File names are matched
case-insensitively (the restgjeld specification says so; we apply it to all).

Where the specification leaves a name open we chose one and say so here:

* ``SignedMortgageDeedProcessed``'s XML file: ``signedmortgagedeedprocessed*.xml``;
* the reply files of ``Restgjeldssvar``/``Innfrielsessaldosvar``: ``restgjeldssvar*.xml``/``innfrielsessaldosvar*.xml``;
* ``OppnaaddPrioritetOk``: ``oppnaaddprioritet*.xml`` (the specification's ``oppnaaddprioritet_*.zip`` names the
  ZIP, not the XML inside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    BANK = "bank"
    MEGLER = "megler"  # eiendomsmeglerforetak or oppgjørsforetak


@dataclass(frozen=True)
class FileRule:
    """Files in the ZIP whose names match ``pattern`` (case-insensitive): between ``min`` and ``max`` of them."""

    pattern: str
    min: int
    max: int
    root: str | None = None  # the XML root element the file must hold (validated against the model)

    def matches(self, name: str) -> bool:
        return re.fullmatch(self.pattern, name, re.IGNORECASE) is not None


@dataclass(frozen=True)
class MessageSpec:
    message_type: str
    senders: frozenset[Role]
    receivers: frozenset[Role]
    files: tuple[FileRule, ...]
    reply: str | None = None
    required_keys: tuple[str, ...] = ()
    key_values: tuple[tuple[str, tuple[str, ...]], ...] = ()  # manifest keys restricted to listed values
    statuses: tuple[str, ...] = ()  # for a reply: its statuses, the ACK first
    empty_on_nack: bool = False  # a NACK reply carries a dummy ZIP

    @property
    def ack(self) -> str | None:
        return self.statuses[0] if self.statuses else None


BANK, MEGLER = frozenset({Role.BANK}), frozenset({Role.MEGLER})
EITHER = BANK | MEGLER


def xml(prefix: str, root: str, *, minimum: int = 1) -> FileRule:
    return FileRule(prefix + r"[^/\\]*\.xml", minimum, 1, root)


DEED_FILE = FileRule(r"signedmortgagedeed_[^/\\]*\.(sdo|xml|pdf)", 1, 1)
COVER_LETTER = FileRule(r"coverletter_[^/\\]*\.xml", 0, 1, "Forutsetningsbrev")
SIGNED_CONTRACT = FileRule(r"signert_kjoepekontrakt[^/\\]*\.(pdf|sdo)", 0, 1)
COVER_LETTER_VALUES = ("XmlAttached", "SentOutOfBand", "Omitted")
# Reply statuses (ACK first).
PROCESSED_STATUSES = ("RoutedSuccessfully", "UnknownCadastre", "DebitorMismatch", "Rejected")
INTENSJON_STATUSES = (
    "RutetSuksessfullt",
    "UavklartTinglysingsmetode",
    "UkjentRegisterenhet",
    "UgyldigKjøper",
    "Avvist",
)
KONTRAKT_STATUSES = ("RutetSuksessfullt", "UgyldigKjøper", "Avvist")
SALDO_STATUSES = ("RutetSuksessfullt", "LaanNedbetalt", "LaanSolgt", "SvarerMedEpost", "Feil")
STATUS_KEYS = ("status", "statusDescription")


def _deed(message_type: str) -> MessageSpec:
    return MessageSpec(
        message_type,
        BANK,
        MEGLER,
        (DEED_FILE, COVER_LETTER),
        reply="SignedMortgageDeedProcessed",
        required_keys=("coverLetter",),
        key_values=(("coverLetter", COVER_LETTER_VALUES),),
    )


MESSAGES: dict[str, MessageSpec] = {
    spec.message_type: spec
    for spec in (
        _deed("SignedMortgageDeed"),
        _deed("SignedMortgageDeedPdf"),
        MessageSpec(
            "SignedMortgageDeedProcessed",
            MEGLER,
            BANK,
            (xml("signedmortgagedeedprocessed", "SignedMortgageDeedProcessedMessage"),),
            statuses=PROCESSED_STATUSES,
        ),
        MessageSpec(
            "IntensjonFraBank",
            BANK,
            MEGLER,
            (xml("intensjonfrabank", "intensjonfrabank"),),
            reply="IntensjonssvarFraMegler",
        ),
        MessageSpec(
            "IntensjonssvarFraMegler",
            MEGLER,
            BANK,
            (xml("intensjonssvarframegler", "intensjonssvarframegler", minimum=0),),
            required_keys=STATUS_KEYS,
            statuses=INTENSJON_STATUSES,
            empty_on_nack=True,
        ),
        MessageSpec("Intensjonsendring", EITHER, EITHER, (xml("intensjonsendring", "intensjonsendring"),)),
        MessageSpec(
            "KjoepekontraktforespoerselFraBank",
            BANK,
            MEGLER,
            (xml("kjoepekontraktforespoerselfrabank", "kjoepekontraktforespoerselFraBank"),),
            reply="KjoepekontraktsvarFraMegler",
        ),
        MessageSpec(
            "KjoepekontraktsvarFraMegler",
            MEGLER,
            BANK,
            (xml("kjoepekontraktsvarframegler", "kjoepekontraktsvarFraMegler", minimum=0), SIGNED_CONTRACT),
            required_keys=STATUS_KEYS,
            statuses=KONTRAKT_STATUSES,
            empty_on_nack=True,
        ),
        MessageSpec(
            "KjoepekontraktFraMegler",
            MEGLER,
            BANK,
            (FileRule(r"kjoepekontraktframegler[^/\\]*\.xml", 1, 1), SIGNED_CONTRACT),
        ),
        MessageSpec("AvbruttSamhandling", EITHER, EITHER, (xml("avbruttsamhandling", "avbruttsamhandling"),)),
        MessageSpec(
            "GjennomfoertEtinglysing",
            MEGLER,
            BANK,
            (
                xml("gjennomfoertetinglysing_", "gjennomfoertetinglysing"),
                xml("forsendelsesstatus_", "forsendelsesstatus"),
            ),
        ),
        MessageSpec("OppnaaddPrioritetOk", MEGLER, BANK, (xml("oppnaaddprioritet", "oppnaaddprioritetok"),)),
        MessageSpec(
            "Restgjeldsforespoersel",
            EITHER,
            BANK,
            (xml("restgjeldsforespoersel_", "restgjeldsforespoersel"),),
            reply="Restgjeldssvar",
        ),
        MessageSpec(
            "Restgjeldssvar",
            BANK,
            EITHER,
            (xml("restgjeldssvar", "restgjeldssvar", minimum=0),),
            required_keys=STATUS_KEYS,
            statuses=SALDO_STATUSES,
            empty_on_nack=True,
        ),
        MessageSpec(
            "Innfrielsessaldoforespoersel",
            EITHER,
            BANK,
            (xml("innfrielsessaldoforespoersel_", "innfrielsessaldoforespoersel"),),
            reply="Innfrielsessaldosvar",
        ),
        MessageSpec(
            "Innfrielsessaldosvar",
            BANK,
            EITHER,
            (xml("innfrielsessaldosvar", "innfrielsessaldosvar", minimum=0),),
            required_keys=STATUS_KEYS,
            statuses=SALDO_STATUSES,
            empty_on_nack=True,
        ),
    )
}

# kjoepekontraktframegler*.xml holds either root (the push after a change, or the unsolicited one).
CONTRACT_PUSH_ROOTS = ("kjoepekontraktEndringFraMegler", "kjoepekontraktUoppfordretFraMegler")
# Altinn 2 broker service of DSVE, and its Altinn 3 resource ids (DSOP DSVE "Tilgang").
SERVICE_CODE, SERVICE_EDITION = "4752", "1"
RESOURCE_TEST, RESOURCE_PROD = "kv_dsve_test", "kv_dsve"


def reply_status_for_rejection(message_type: str) -> tuple[str, str] | None:
    """The reply type and its "rejected" status for a request that breaks the rules (None: no reply exists)."""
    spec = MESSAGES.get(message_type)
    if spec is None or spec.reply is None:
        return None
    reply = MESSAGES[spec.reply]
    rejected = {"SignedMortgageDeedProcessed": "Rejected", "Restgjeldssvar": "Feil", "Innfrielsessaldosvar": "Feil"}
    return reply.message_type, rejected.get(reply.message_type, "Avvist")


__all__ = [
    "CONTRACT_PUSH_ROOTS",
    "COVER_LETTER_VALUES",
    "MESSAGES",
    "RESOURCE_PROD",
    "RESOURCE_TEST",
    "SERVICE_CODE",
    "SERVICE_EDITION",
    "FileRule",
    "MessageSpec",
    "Role",
    "reply_status_for_rejection",
]
