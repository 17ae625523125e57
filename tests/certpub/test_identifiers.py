"""Participant and process ids as CertPub writes them (DSOP “Security design”)."""

from __future__ import annotations

import pytest

from opendsop.contracts.certpub.identifiers import (
    DSOP_PROCESS,
    MalformedIdentifier,
    ParticipantId,
    parse_participant,
    parse_process,
)


@pytest.mark.parametrize(
    ("raw", "orgno"),
    [
        pytest.param("iso6523-actorid-upis::0192:991825827", "991825827", id="canonical"),
        pytest.param("iso6523-actorid-upis::0192: 991825827", "991825827", id="stray-space-as-in-the-docs"),
        pytest.param("0192: 991825827", "991825827", id="bare-participant-id-from-the-table"),
        pytest.param("iso6523-actorid-upis::0192:991 825 827", "991825827", id="grouped-digits"),
        pytest.param("  iso6523-actorid-upis::0192:889640782 ", "889640782", id="surrounding-blanks"),
    ],
)
def test_accepted_participants_normalise_to_the_canonical_form(raw: str, orgno: str) -> None:
    participant = parse_participant(raw)
    assert participant == ParticipantId(orgno)
    assert str(participant) == f"iso6523-actorid-upis::0192:{orgno}"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("iso6523-actorid-upis::0192:991825828", id="check-digit-wrong"),
        pytest.param("iso6523-actorid-upis::0192:99182582", id="eight-digits"),
        pytest.param("iso6523-actorid-upis::0192:9918258270", id="ten-digits"),
        pytest.param("iso6523-actorid-upis::0192:99182582X", id="letter"),
        pytest.param("iso6523-actorid-upis::0192:", id="no-number"),
        pytest.param("iso6523-actorid-upis::9908:991825827", id="other-icd"),
        pytest.param("busdox-actorid-upis::0192:991825827", id="other-scheme"),
        pytest.param("991825827", id="no-icd"),
        pytest.param("iso6523-actorid-upis::0192:٩٩١٨٢٥٨٢٧", id="non-ascii-digits"),
        pytest.param("", id="empty"),
    ],
)
def test_malformed_participants_are_refused_naming_the_parameter(raw: str) -> None:
    with pytest.raises(MalformedIdentifier) as caught:
        parse_participant(raw)
    assert caught.value.parameter == "participant"
    assert isinstance(caught.value, ValueError)


def test_the_dsop_process_round_trips() -> None:
    process = parse_process(DSOP_PROCESS)
    assert (process.scheme, process.value) == ("bdx-procid-dsop", "urn:fdc:bits.no:2018:dsop:account:1.0")
    assert str(process) == "bdx-procid-dsop::urn:fdc:bits.no:2018:dsop:account:1.0"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("urn:fdc:bits.no:2018:dsop:account:1.0", id="no-qualifier"),
        pytest.param("bdx-procid-dsop::", id="no-value"),
        pytest.param("::urn:fdc:bits.no:2018:dsop:account:1.0", id="empty-qualifier"),
        pytest.param("bdx-procid-dsop::urn with spaces", id="whitespace-in-value"),
        pytest.param("bdx procid::urn:x", id="whitespace-in-qualifier"),
    ],
)
def test_malformed_processes_are_refused(raw: str) -> None:
    with pytest.raises(MalformedIdentifier) as caught:
        parse_process(raw)
    assert caught.value.parameter == "process"
