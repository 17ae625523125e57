"""Every DSVE message type: a valid shipment passes the receiver's checks; each documented rejection is refused.

One row per message type (catalogue.MESSAGES) and one per rule of the manifest, the ZIP and the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from opendsop.contracts.dsve.zipfiles import pack, unzip
from opendsop.standard.dsve.catalogue import MESSAGES, reply_status_for_rejection
from opendsop.standard.dsve.errors import DsveError
from opendsop.standard.dsve.messages import Outgoing
from opendsop.standard.dsve.shipment import check_shipment

from .sample import DEED, REF, valid

VALID = valid()
SignedMortgageDeedPdf = "SignedMortgageDeedPdf"


def receive(out: Outgoing) -> object:
    return check_shipment(out.properties, unzip(pack(out.files)))


def test_every_catalogued_type_has_a_valid_sample() -> None:
    assert set(MESSAGES) - set(VALID) == {SignedMortgageDeedPdf}  # the PDF variant carries a PAdES, same rules


@pytest.mark.parametrize("message_type", sorted(VALID))
def test_a_valid_message_passes(message_type: str) -> None:
    shipment = receive(VALID[message_type])
    assert shipment.message_type == message_type  # type: ignore[attr-defined]


def _replace(out: Outgoing, **properties: str | None) -> Outgoing:
    merged = {**out.properties, **properties}
    return Outgoing(out.message_type, {k: v for k, v in merged.items() if v is not None}, out.files)


def _files(out: Outgoing, change: Callable[[dict[str, bytes]], None]) -> Outgoing:
    files = dict(out.files)
    change(files)
    return Outgoing(out.message_type, out.properties, files)


def _edit_xml(out: Outgoing, old: str, new: str) -> Outgoing:
    def change(files: dict[str, bytes]) -> None:
        for name, data in files.items():
            if name.endswith(".xml") and old.encode() in data:
                files[name] = data.replace(old.encode(), new.encode(), 1)
                return
        raise AssertionError(f"{old!r} not found")

    return _files(out, change)


deed = VALID["SignedMortgageDeed"]
REJECTIONS = [
    ("manifest without messageType", _replace(deed, messageType=None), "DSVE-001"),
    ("unknown messageType", _replace(deed, messageType="Pantefrafall"), "DSVE-002"),
    ("deed without coverLetter", _replace(deed, coverLetter=None), "DSVE-003"),
    ("deed with an unknown coverLetter value", _replace(deed, coverLetter="Attached"), "DSVE-003"),
    (
        "two deeds in one ZIP",
        _files(deed, lambda f: f.__setitem__("signedmortgagedeed_second.sdo", DEED)),
        "DSVE-005",
    ),
    ("no deed in the ZIP", _files(deed, lambda f: f.clear()), "DSVE-005"),
    ("a file that does not belong", _files(deed, lambda f: f.__setitem__("notes.txt", b"x")), "DSVE-005"),
    (
        "reply status outside its list",
        _replace(VALID["IntensjonssvarFraMegler"], status="Ok"),
        "DSVE-003",
    ),
    ("reply without status", _replace(VALID["Restgjeldssvar"], status=None), "DSVE-003"),
    (
        "intention without the bank's referanse (required)",
        _edit_xml(VALID["IntensjonFraBank"], "<referanse>BANKCASE1</referanse>", ""),
        "DSVE-006",
    ),
    (
        "intention with an unknown metode",
        _edit_xml(VALID["IntensjonFraBank"], "Elektronisk tinglysing", "Digital tinglysing"),
        "DSVE-006",
    ),
    (
        "kommunenummer not 4 digits",
        _edit_xml(VALID["IntensjonFraBank"], 'kommunenummer="0301"', 'kommunenummer="301"'),
        "DSVE-006",
    ),
    (
        "unknown eiendomsnivaa",
        _edit_xml(VALID["IntensjonFraBank"], 'eiendomsnivaa="E"', 'eiendomsnivaa="G"'),
        "DSVE-006",
    ),
    (
        "payoff request with five dates",
        _edit_xml(
            VALID["Innfrielsessaldoforespoersel"],
            "<innfrielsesdato>2026-12-15</innfrielsesdato>",
            "".join(f"<innfrielsesdato>2026-12-1{d}</innfrielsesdato>" for d in range(5)),
        ),
        "DSVE-006",
    ),
    (
        "kontonummer not 11 digits",
        _edit_xml(VALID["Restgjeldssvar"], "<kontonummer>12345678903", "<kontonummer>1234"),
        "DSVE-006",
    ),
    (
        "elements out of order",
        _files(
            VALID["AvbruttSamhandling"],
            lambda f: f.update(
                {
                    n: f[n]
                    .replace(b"<begrunnelse>Kj\xc3\xb8per har trukket seg</begrunnelse>", b"")
                    .replace(b"<mottaker ", b"<begrunnelse>x</begrunnelse><mottaker ")
                    for n in list(f)
                }
            ),
        ),
        "DSVE-006",
    ),
    (
        "an XML entity (billion laughs guard)",
        _files(
            VALID["AvbruttSamhandling"],
            lambda f: f.update(
                {
                    n: b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]>'
                    b"<avbruttsamhandling>&x;</avbruttsamhandling>"
                    for n in list(f)
                }
            ),
        ),
        "DSVE-006",
    ),
    (
        "not well-formed",
        _files(VALID["AvbruttSamhandling"], lambda f: f.update({n: b"<avbrutt" for n in list(f)})),
        "DSVE-006",
    ),
    (
        "a namespace the model does not have",
        _edit_xml(VALID["OppnaaddPrioritetOk"], "<oppnaaddprioritetok>", '<oppnaaddprioritetok xmlns="urn:x">'),
        "DSVE-006",
    ),
    (
        "GjennomfoertEtinglysing without forsendelsesstatus",
        _files(VALID["GjennomfoertEtinglysing"], lambda f: [f.pop(n) for n in list(f) if n.startswith("forsendelse")]),
        "DSVE-005",
    ),
    (
        "deed processed with an unknown Status",
        _edit_xml(VALID["SignedMortgageDeedProcessed"], "RoutedSuccessfully", "Routed"),
        "DSVE-006",
    ),
    (
        "contract push with the answer's root",
        _edit_xml(VALID["KjoepekontraktFraMegler"], "kjoepekontraktEndringFraMegler", "kjoepekontraktsvarFraMegler"),
        "DSVE-006",
    ),
    (
        "contract answer without a contract",
        _edit_xml(VALID["KjoepekontraktsvarFraMegler"], "<kjoepekontrakt>", "<x>"),
        "DSVE-006",
    ),
    (
        "restgjeld request without hjemmelshaver",
        _edit_xml(VALID["Restgjeldsforespoersel"], "<hjemmelshaver>", "<selger>"),
        "DSVE-006",
    ),
    ("a loan's saldo not a decimal", _edit_xml(VALID["Restgjeldssvar"], "<saldo>1800000.00", "<saldo>mye"), "DSVE-006"),
    ("intention change without metadata", _edit_xml(VALID["Intensjonsendring"], "<metadata>", "<meta>"), "DSVE-006"),
    (
        "contract request without buyers element",
        _edit_xml(VALID["KjoepekontraktforespoerselFraBank"], "<kjoepere>", "<kjoeperne>"),
        "DSVE-006",
    ),
    (
        "payoff answer with a bad date",
        _edit_xml(VALID["Innfrielsessaldosvar"], "<dato>2026-12-15", "<dato>15.12.2026"),
        "DSVE-006",
    ),
    (
        "intention answer (ACK) without its XML",
        _files(VALID["IntensjonssvarFraMegler"], lambda f: f.clear()),
        "DSVE-005",
    ),
]


@pytest.mark.parametrize(("case", "out", "code"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_each_documented_rejection(case: str, out: Outgoing, code: str) -> None:
    with pytest.raises(DsveError) as error:
        receive(out)
    assert error.value.code == code, error.value.message


def test_a_nack_carries_a_dummy_zip_that_is_not_read() -> None:
    nack = Outgoing(
        "IntensjonssvarFraMegler",
        {
            "messageType": "IntensjonssvarFraMegler",
            "status": "UgyldigKjøper",
            "statusDescription": "Ingen av kjøperne finnes",
        },
        {"dummy.txt": b""},
    )
    assert receive(nack).properties["status"] == "UgyldigKjøper"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"not a zip", "not a ZIP"),
        (pack({"../evil.xml": b"x"}), "top level"),
        (pack({f"f{i}.xml": b"" for i in range(21)}), "at most 20"),
        (pack({"a.xml": b"", "A.XML": b""}), "twice"),
    ],
)
def test_unsafe_zip_files_are_refused(payload: bytes, fragment: str) -> None:
    with pytest.raises(DsveError) as error:
        unzip(payload)
    assert error.value.code == "DSVE-004" and fragment in error.value.message


@pytest.mark.parametrize(
    ("message_type", "reply"),
    [
        ("SignedMortgageDeed", ("SignedMortgageDeedProcessed", "Rejected")),
        ("IntensjonFraBank", ("IntensjonssvarFraMegler", "Avvist")),
        ("KjoepekontraktforespoerselFraBank", ("KjoepekontraktsvarFraMegler", "Avvist")),
        ("Restgjeldsforespoersel", ("Restgjeldssvar", "Feil")),
        ("Innfrielsessaldoforespoersel", ("Innfrielsessaldosvar", "Feil")),
        ("OppnaaddPrioritetOk", None),
        ("AvbruttSamhandling", None),
    ],
)
def test_a_request_that_breaks_the_rules_is_answered_with_the_replys_nack(
    message_type: str, reply: tuple[str, str] | None
) -> None:
    assert reply_status_for_rejection(message_type) == reply


def test_file_names_are_matched_case_insensitively() -> None:
    out = VALID["Restgjeldsforespoersel"]
    files = {name.upper().replace(".XML", ".xml"): data for name, data in out.files.items()}
    assert receive(Outgoing(out.message_type, out.properties, files))


def test_deed_reference_in_the_file_name() -> None:
    assert any(re.fullmatch(rf"signedmortgagedeed_{REF}\.sdo", name) for name in deed.files)


def test_the_deed_with_its_cover_letter_passes_and_a_letter_that_breaks_its_model_is_refused() -> None:
    from datetime import date
    from decimal import Decimal

    from opendsop.standard.dsve import messages as m

    from .sample import AT, BANK, BUYER, MEGLER, UNIT

    letter = m.forutsetningsbrev(
        BANK, [BUYER], UNIT, beloep=3_600_000, overfoeres=date(2026, 12, 15), total=Decimal(4_500_000),
        til_kontonummer="97100000017", megler=MEGLER, saksbehandler="Kari Kreditt", kreditor_saksnummer="BANKCASE1",
        megler_saksnummer="OPPDRAG-7", at=AT,
    )  # fmt: skip
    assert b"<?xml-stylesheet" in letter
    with_letter = m.signed_mortgage_deed(DEED, reference=REF, cover_letter=letter)
    assert with_letter.properties["coverLetter"] == "XmlAttached"
    assert receive(with_letter)
    broken = m.signed_mortgage_deed(
        DEED, reference=REF, cover_letter=letter.replace(b"<ForstePrioritet>true", b"<ForstePrioritet>ja")
    )
    with pytest.raises(DsveError, match="DSVE-006"):
        receive(broken)
