"""Legal-Mandate: encodeURIComponent, decoding, the one matching rule set and the registry.

The documented strings below are copied from the services' løsningsbeskrivelser (plain text and the
exact encoded value sent) as the data-model digest tabulates them; ``test_every_row_of_the_spec_table``
re-reads that table.  The v1 texts are the v1 legal page's ("Juridiske rammebetingelser Kontrollinformasjon").
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.standard import mandate as m
from opendsop.standard.errors import InvalidRequest, UnknownMandate

# (row id, plain text, encoded value, mandate it must match) — the DSOP services' “Løsningsbeskrivelse” pages.
DOCUMENTED = [
    (
        "skatt-request",
        "Skatteforvaltningsloven § 10-2 første ledd, jf. § 10-14, jf. skatteforvaltningsforskriften § 10-2-1",
        "Skatteforvaltningsloven%20%C2%A7%2010-2%20f%C3%B8rste%20ledd%2C%20jf.%20%C2%A7%2010-14%2C%20jf."
        "%20skatteforvaltningsforskriften%20%C2%A7%2010-2-1",
        m.SKATT,
    ),
    (
        "skatt-validation-table",
        "Skatteforvaltningsloven §10-2 første ledd, jf. skatteforvaltningsforskriften §10-2-1",
        "Skatteforvaltningsloven%20%C2%A710-2%20f%C3%B8rste%20ledd%2C%20jf.%20skatteforvaltningsforskriften"
        "%20%C2%A710-2-1",
        m.SKATT,
    ),
    (
        "politi-straffesak",
        "Straffeprosessloven §210 (3) første punktum",
        "Straffeprosessloven%20%C2%A7210%20(3)%20f%C3%B8rste%20punktum",
        m.POLITI_STRAFFESAK,
    ),
    (
        "politi-savnet",
        "Straffeprosessloven §210 (3) andre punktum",
        "Straffeprosessloven%20%C2%A7210%20(3)%20andre%20punktum",
        m.POLITI_SAVNET,
    ),
    (
        "oed",
        "Arveloven § 92 første ledd og § 118, jf. § 88 a, jf. forskrift om Digitalt dødsbo",
        "Arveloven%20%C2%A7%2092%20f%C3%B8rste%20ledd%20og%20%C2%A7%20118%2C%20jf.%20%C2%A7%2088%20a%2C%20jf."
        "%20forskrift%20om%20Digitalt%20d%C3%B8dsbo",
        m.OED,
    ),
    (
        "verge-step-1",
        "Vergemålsloven § 54 (2), jf. vergemålsforskriften §20a (2), jf. vergemålsforskriften §20a (1) a",
        "Vergem%C3%A5lsloven%20%C2%A7%2054%20(2)%2C%20jf.%20vergem%C3%A5lsforskriften%20%C2%A720a%20(2)%2C"
        "%20jf.%20vergem%C3%A5lsforskriften%20%C2%A720a%20(1)%20a",
        m.VERGE_RELATIONS,
    ),
    (
        "verge-step-2",
        "Vergemålsloven § 54 (2), jf. vergemålsforskriften § 20 (2), jf. vergemålsforskriften § 20a (1) b-e",
        "Vergem%C3%A5lsloven%20%C2%A7%2054%20(2)%2C%20jf.%20vergem%C3%A5lsforskriften%20%C2%A7%2020%20(2)%2C"
        "%20jf.%20vergem%C3%A5lsforskriften%20%C2%A7%2020a%20(1)%20b-e",
        m.VERGE,
    ),
    (
        "konkurs",
        "kkl. §156 (3) og (4), jf. kkfor.§21",
        "kkl.%20%C2%A7156%20(3)%20og%20(4)%2C%20jf.%20kkfor.%C2%A721",
        m.KONKURS,
    ),
    # The v1 legal page's texts, encoded by the same convention (the page gives only the plain text).
    (
        "nav-v1",
        "Folketrygdloven § 21-4 første ledd",
        "Folketrygdloven%20%C2%A7%2021-4%20f%C3%B8rste%20ledd",
        m.NAV,
    ),
    ("skatt-v1", "Skatteforvaltningsloven § 10-2", "Skatteforvaltningsloven%20%C2%A7%2010-2", m.SKATT_V1),
    (
        "skatt-kompensasjon-v1",
        "Kompensasjonsordningen for næringslivet § 8 jf. forskriften §4-2(3)",
        "Kompensasjonsordningen%20for%20n%C3%A6ringslivet%20%C2%A7%208%20jf.%20forskriften%20%C2%A74-2(3)",
        m.SKATT_KOMPENSASJON_V1,
    ),
    ("politi-hvitvasking-v1", "Hvitvaskingsloven § 26", "Hvitvaskingsloven%20%C2%A7%2026", m.POLITI_HVITVASKING_V1),
    (
        "politi-210-forste-v1",
        "Straffeprosessloven § 210 første ledd",
        "Straffeprosessloven%20%C2%A7%20210%20f%C3%B8rste%20ledd",
        m.POLITI_210_FORSTE_V1,
    ),
    (
        "politi-210-tredje-v1",
        "Straffeprosessloven § 210 tredje ledd",
        "Straffeprosessloven%20%C2%A7%20210%20tredje%20ledd",
        m.POLITI_210_TREDJE_V1,
    ),
]
ROW_IDS = [row[0] for row in DOCUMENTED]


@pytest.mark.parametrize(("row", "plain", "encoded", "expected"), DOCUMENTED, ids=ROW_IDS)
def test_encoding_equals_the_documented_value(row: str, plain: str, encoded: str, expected: m.Mandate) -> None:
    assert m.encode_uri_component(plain) == encoded


@pytest.mark.parametrize(("row", "plain", "encoded", "expected"), DOCUMENTED, ids=ROW_IDS)
def test_documented_value_decodes_to_the_right_mandate(row: str, plain: str, encoded: str, expected: m.Mandate) -> None:
    assert m.decode_header(encoded) == plain
    assert m.match(encoded) is expected
    assert m.parse(encoded) is expected
    assert plain in expected.spellings


@pytest.mark.parametrize(
    ("mandate", "encoded"),
    [
        (m.SKATT, DOCUMENTED[0][2]),
        (m.POLITI_STRAFFESAK, DOCUMENTED[2][2]),
        (m.POLITI_SAVNET, DOCUMENTED[3][2]),
        (m.OED, DOCUMENTED[4][2]),
        (m.VERGE, DOCUMENTED[6][2]),  # canonical = step 2
        (m.KONKURS, DOCUMENTED[7][2]),
    ],
    ids=lambda value: value.key if isinstance(value, m.Mandate) else "",
)
def test_canonical_text_is_the_request_table_string(mandate: m.Mandate, encoded: str) -> None:
    assert mandate.encoded == encoded


def test_every_row_of_the_spec_table(spec_dir: Path) -> None:
    """Each `plain` | `encoded` row of the DSOP services' “Løsningsbeskrivelse” pages' Legal-Mandate table matches a
    mandate."""
    text = (spec_dir / "datamodel.md").read_text(encoding="utf-8")
    section = text.split("### 3.2", 1)[1].split("**Other parameters**", 1)[0]
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)` \| `([^`]+)` \|$", section, re.MULTILINE)
    assert len(rows) == 8
    for plain, encoded in rows:
        plain = plain.replace("<br>", "")
        encoded = encoded.replace("<br>", "")
        assert m.encode_uri_component(plain) == encoded
        found = m.match(encoded)
        assert found is not None, plain
        assert plain in found.spellings


def test_oed_legal_page_short_form_and_fi_utlegg_test_value() -> None:
    short_form = "arveloven § 92 første ledd, jf. forskrift om Digitalt dødsbo"
    assert m.parse(m.encode_uri_component(short_form)) is m.OED_RELATIONS
    assert m.parse("FI-Utlegg-Test") is m.FI_UTLEGG_TEST
    assert m.FI_UTLEGG_TEST.test_only
    assert not any(mandate.test_only for mandate in m.MANDATES if mandate is not m.FI_UTLEGG_TEST)


def test_registry_keys_and_spellings_are_unique() -> None:
    keys = [mandate.key for mandate in m.MANDATES]
    assert len(set(keys)) == len(keys)
    spellings = [m.normalise(s) for mandate in m.MANDATES for s in mandate.spellings]
    assert len(set(spellings)) == len(spellings)
    assert all(m.by_key(mandate.key) is mandate for mandate in m.MANDATES)


def test_a_spelling_shared_by_two_mandates_is_refused() -> None:
    twin = m.Mandate(key="twin", text="x", aliases=(m.KONKURS.text,))
    with pytest.raises(ValueError, match="belongs to both"):
        m._index((m.KONKURS, twin))


# --- encodeURIComponent ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        pytest.param("A-Z_a.z!0~9*'()", "A-Z_a.z!0~9*'()", id="unreserved-untouched"),
        pytest.param(" ", "%20", id="space"),
        pytest.param("+", "%2B", id="plus"),
        pytest.param("/?#&=:;@$,", "%2F%3F%23%26%3D%3A%3B%40%24%2C", id="reserved-escaped"),
        pytest.param("%", "%25", id="percent"),
        pytest.param("æøåÆØÅ", "%C3%A6%C3%B8%C3%A5%C3%86%C3%98%C3%85", id="norwegian-letters-upper-hex"),
        pytest.param("\u20ac", "%E2%82%AC", id="three-byte"),
        pytest.param("\U0001f600", "%F0%9F%98%80", id="four-byte"),
        pytest.param("", "", id="empty"),
    ],
)
def test_encode_uri_component(text: str, encoded: str) -> None:
    assert m.encode_uri_component(text) == encoded


def test_lone_surrogate_cannot_be_encoded() -> None:
    with pytest.raises(InvalidRequest) as caught:
        m.encode_uri_component("a\ud800b")
    assert caught.value.parameter == "Legal-Mandate"


@settings(max_examples=200)
@given(st.text())
def test_round_trip_and_oracle(text: str) -> None:
    encoded = m.encode_uri_component(text)
    assert encoded == urllib.parse.quote(text, safe="-_.!~*'()")
    assert re.fullmatch(r"(?:[A-Za-z0-9\-_.!~*'()]|%[0-9A-F]{2})*", encoded)
    assert m.decode_header(encoded) == text


# --- decoding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        pytest.param("a+b", "a+b", id="plus-stays-plus"),
        pytest.param("%c2%a7", "§", id="lower-case-hex-accepted"),
        pytest.param("kkl.%20%C2%A7<br>156", "kkl. §156", id="br-artefact-inside-encoded-text-dropped"),
        pytest.param("Straffeprosessloven §210", "Straffeprosessloven §210", id="plain-text-passes"),
        pytest.param("", "", id="empty"),
    ],
)
def test_decode_header(value: str, decoded: str) -> None:
    assert m.decode_header(value) == decoded


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        pytest.param("100%", "malformed", id="trailing-percent"),
        pytest.param("%2", "malformed", id="one-hex-digit"),
        pytest.param("%G0abc", "malformed", id="non-hex"),
        pytest.param("%20%", "malformed", id="percent-after-run"),
        pytest.param("%C2", "UTF-8", id="truncated-sequence"),
        pytest.param("%FF", "UTF-8", id="invalid-byte"),
        pytest.param("%C0%AF", "UTF-8", id="overlong"),
        pytest.param("%ED%A0%80", "UTF-8", id="encoded-surrogate"),
        pytest.param("%C2x%A7", "UTF-8", id="sequence-split-by-literal"),
    ],
)
def test_decode_header_rejects_malformed(value: str, complaint: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        m.decode_header(value)
    assert caught.value.parameter == "Legal-Mandate"
    assert caught.value.code == "ACC-001"
    assert complaint in caught.value.message


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        pytest.param("  a  b\t\nc  ", "a b c", id="strip-and-collapse"),
        pytest.param("a\u00a0\u00a0b", "a b", id="nbsp"),
        pytest.param("a\u202fb", "a b", id="narrow-nbsp"),
        pytest.param("f\u006f\u0308rste", "f\u00f6rste", id="nfc"),
        pytest.param("første<br>punktum", "første punktum", id="br"),
        pytest.param("første <BR/> punktum", "første punktum", id="br-variant"),
        pytest.param("§\u200b210", "§210", id="zero-width"),
    ],
)
def test_normalise(text: str, normal: str) -> None:
    assert m.normalise(text) == normal


# --- the matching rules: one function (``comparable``), one table ---------------------------------
# (rule id, header value as sent, the mandate it must name or None).  The module docstring states the rules.
_STRAFFESAK = "Straffeprosessloven §210 (3) første punktum"
MATCHING_RULES = [
    ("exact-encoding", m.POLITI_STRAFFESAK.encoded, m.POLITI_STRAFFESAK),
    ("lower-case-hex-escapes", m.POLITI_STRAFFESAK.encoded.replace("%C3%B8", "%c3%b8"), m.POLITI_STRAFFESAK),
    ("plain-text-not-encoded", _STRAFFESAK.replace("§", "%C2%A7").replace("ø", "%C3%B8"), m.POLITI_STRAFFESAK),
    ("br-artefact-in-encoded-text", m.KONKURS.encoded.replace("%2C", "%2C<br>"), m.KONKURS),
    (
        "nbsp-and-space-runs",
        m.encode_uri_component("Straffeprosessloven  §210\t(3)\u00a0første punktum "),
        m.POLITI_STRAFFESAK,
    ),
    ("decomposed-letters-nfc", m.encode_uri_component(m.VERGE.text.replace("å", "a\u030a")), m.VERGE),
    ("zero-width-characters", m.encode_uri_component(_STRAFFESAK.replace("§", "§\u200b")), m.POLITI_STRAFFESAK),
    ("leading-trailing-whitespace", m.encode_uri_component(f" {m.OED.text}\n"), m.OED),
    ("plus-is-not-a-space", m.POLITI_STRAFFESAK.encoded.replace("%20", "+"), None),
    ("case-is-significant", m.encode_uri_component(_STRAFFESAK.lower()), None),
    ("case-is-significant-upper", m.encode_uri_component(m.KONKURS.text.upper()), None),
    ("published-second-spelling", m.encode_uri_component(m.SKATT.aliases[0]), m.SKATT),
    ("step-1-text-is-its-own-mandate", m.encode_uri_component(m.VERGE_RELATIONS.text), m.VERGE_RELATIONS),
    (
        "v1-text-is-its-own-mandate",
        m.encode_uri_component("Straffeprosessloven § 210 første ledd"),
        m.POLITI_210_FORSTE_V1,
    ),
    ("missing-words-no-match", m.encode_uri_component("Straffeprosessloven §210 (3)"), None),
]


@pytest.mark.parametrize(
    ("value", "expected"), [row[1:] for row in MATCHING_RULES], ids=[row[0] for row in MATCHING_RULES]
)
def test_matching_rules(value: str, expected: m.Mandate | None) -> None:
    assert m.match(value) is expected
    if expected is not None:  # the plain-text path (extradition orders) follows the same rules
        assert m.match_text(m.decode_header(value)) is expected
        assert m.comparable(value) in {m.normalise(spelling) for spelling in expected.spellings}


def test_mandate_refuses_text_not_in_normal_form() -> None:
    with pytest.raises(ValueError, match="normal form"):
        m.Mandate(key="x", text="two  spaces")


# --- parse --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        (None, "is required"),
        ("", "present but empty"),
        ("   ", "present but empty"),
        ("%20%20", "present but empty"),
        ("<br>", "present but empty"),
    ],
    ids=["none", "empty", "blank", "encoded-blank", "only-an-artefact"],
)
def test_parse_requires_a_value(value: str | None, complaint: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        m.parse(value)
    assert not isinstance(caught.value, UnknownMandate)
    assert complaint in caught.value.message
    assert caught.value.parameter == "Legal-Mandate"
    assert (caught.value.status, caught.value.code) == (400, "ACC-001")


def test_parse_unknown_quotes_the_decoded_text() -> None:
    with pytest.raises(UnknownMandate) as caught:
        m.parse("Tolloven%20%C2%A7%2013-1")
    error = caught.value
    assert error.parameter == "Legal-Mandate"
    assert error.code == "ACC-001"
    assert error.status == 400
    assert "Tolloven § 13-1" in error.message


def test_parse_unknown_truncates_long_text() -> None:
    with pytest.raises(UnknownMandate) as caught:
        m.parse("x" * 5000)
    assert len(caught.value.message) < 200
    assert "…" in caught.value.message


def test_parse_undecodable_is_invalid_request() -> None:
    with pytest.raises(InvalidRequest) as caught:
        m.parse("Straffeprosessloven%2")
    assert not isinstance(caught.value, UnknownMandate)


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_parse_never_crashes(value: str) -> None:
    try:
        result = m.parse(value)
    except InvalidRequest as error:
        assert error.parameter == "Legal-Mandate"
    else:
        assert result in m.MANDATES
