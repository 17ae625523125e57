"""The ``Legal-Mandate`` header: its encoding, and the registry of known legal bases.

Decides which legal basis (hjemmel) a request names.  The value is "the exact text, percent-encoded
as UTF-8" the way JavaScript ``encodeURIComponent`` does it (the DSOP data model page, "Legal-Mandate");
the exact strings are those of each service's løsningsbeskrivelse and legal page ("Juridiske
rammebetingelser"), and for the Control API v1 the v1 legal page "Juridiske rammebetingelser
Kontrollinformasjon".

Matching is one rule set, applied by :func:`comparable` to every text, header or not:

* percent-escapes are decoded as UTF-8, in either hex case (``%c2%a7`` = ``%C2%A7``); ``+`` stays a plus;
* ``<br>`` rendering artefacts of the published tables are dropped;
* Unicode NFC (a copied "ø" may arrive decomposed), zero-width characters removed;
* every run of whitespace (NBSP included) is one space, and the ends are stripped;
* **case is significant**: the standard publishes exact strings ("etaten benytter eksakt denne
  tekststrengen"), so ``straffeprosessloven …`` names no basis (docs/decisions.md, "Legal-Mandate
  matching").

Each distinct text is its own :class:`Mandate`; ``aliases`` holds only other *spellings* the standard
publishes for the very same text (Skatt's validation table).  A text that is the basis of one step
only — Vergekontroll's "§20a (1) a" for customer relations, OED's shorter § 92 basis — is a mandate
of its own, and each service profile says which mandates it accepts at step 1 (the relations hub)
and which at step 2 (the Control API).

>>> encode_uri_component("Straffeprosessloven §210 (3) første punktum")
'Straffeprosessloven%20%C2%A7210%20(3)%20f%C3%B8rste%20punktum'
>>> parse("kkl.%20%C2%A7156%20(3)%20og%20(4)%2C%20jf.%20kkfor.%C2%A721").key
'konkurs'
>>> match("Straffeprosessloven%20%C2%A7210%20(3)%20tredje%20punktum") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from opendsop.standard.errors import InvalidRequest, UnknownMandate

HEADER: Final = "Legal-Mandate"

# encodeURIComponent leaves exactly these unescaped: ECMA-262 uriUnreserved (alphanumerics and marks).
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
_ESCAPE_RUN: Final = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# "<br>" (any case, optional "/" and spaces) is a rendering artefact of the published tables.
_BR_TAG: Final = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
# Zero-width characters copied along with the text carry no meaning in a statute reference.
_ZERO_WIDTH: Final = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# str patterns: \s is every character for which str.isspace() holds, NBSP (U+00A0) included.
_WHITESPACE_RUN: Final = re.compile(r"\s+")
_SHOWN_CHARS: Final = 120


def encode_uri_component(text: str) -> str:
    """Percent-encode ``text`` exactly as JavaScript ``encodeURIComponent`` does.

    Everything outside ``A–Z a–z 0–9 - _ . ! ~ * ' ( )`` becomes its UTF-8 bytes as ``%XX``
    with upper-case hex.  A lone surrogate cannot be encoded (JavaScript throws ``URIError``),
    so it raises :class:`InvalidRequest`.

    >>> encode_uri_component("a b,§")
    'a%20b%2C%C2%A7'
    """
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRequest(
            f"{HEADER} text contains a lone surrogate at position {exc.start} and cannot be UTF-8 encoded",
            parameter=HEADER,
        ) from None
    return "".join(chr(byte) if chr(byte) in _UNRESERVED else f"%{byte:02X}" for byte in raw)


def decode_header(value: str) -> str:
    """Percent-decode a ``Legal-Mandate`` header value as UTF-8.

    * ``+`` stays a plus: ``encodeURIComponent`` writes a space as ``%20``, never as ``+``.
    * A literal ``<br>`` is dropped before decoding: inside encoded text it can only be a
      rendering artefact of the published tables, since a real space would be ``%20``.
    * Characters that are not escapes are kept as they are, so already-decoded plain text
      decodes to itself (unless it contains ``%``).
    * A ``%`` not followed by two hex digits, or escapes that are not valid UTF-8, raise
      :class:`InvalidRequest` for ``Legal-Mandate``.

    >>> decode_header("kkfor.%C2%A721+x")
    'kkfor.§21+x'
    """
    value = _BR_TAG.sub("", value)
    parts: list[str] = []
    position = 0
    for run in _ESCAPE_RUN.finditer(value):
        parts.append(_literal(value, position, run.start()))
        escaped = run.group()
        try:
            parts.append(bytes.fromhex(escaped.replace("%", "")).decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidRequest(
                f"{HEADER} is not valid UTF-8 after percent-decoding: the escapes starting at "
                f"position {run.start()} ({_shorten(escaped)}) do not form UTF-8 characters",
                parameter=HEADER,
            ) from None
        position = run.end()
    parts.append(_literal(value, position, len(value)))
    return "".join(parts)


def _literal(value: str, start: int, end: int) -> str:
    """The unescaped stretch ``value[start:end]``; a ``%`` in it is a malformed escape."""
    segment = value[start:end]
    stray = segment.find("%")
    if stray >= 0:
        where = start + stray
        raise InvalidRequest(
            f"{HEADER} has a malformed percent-escape at position {where} "
            f"({value[where : where + 3]!r}): '%' must be followed by two hexadecimal digits",
            parameter=HEADER,
        )
    return segment


def normalise(text: str) -> str:
    """The comparable form of a mandate text.

    Unicode NFC (a copied "ø" may arrive decomposed), ``<br>`` artefacts and zero-width
    characters removed, every run of whitespace (NBSP included) collapsed to one space, and
    the ends stripped.  A ``<br>`` in plain text stood for a line break, so it becomes a space.

    >>> normalise(" Straffeprosessloven\\u00a0§210 (3)<br>første  punktum ")
    'Straffeprosessloven §210 (3) første punktum'
    """
    text = unicodedata.normalize("NFC", text)
    text = _BR_TAG.sub(" ", text)
    text = _ZERO_WIDTH.sub("", text)
    return _WHITESPACE_RUN.sub(" ", text).strip()


@dataclass(frozen=True)
class Mandate:
    """One legal basis as the standard publishes it.

    ``key`` is our stable name (the constant's name in lower case); ``text`` the canonical plain
    text; ``aliases`` other spellings the standard itself publishes for the same basis.
    """

    key: str
    text: str
    aliases: tuple[str, ...] = ()
    test_only: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        for spelling in self.spellings:
            if normalise(spelling) != spelling:
                raise ValueError(f"mandate {self.key!r}: spelling {spelling!r} is not in normal form")

    @property
    def encoded(self) -> str:
        """The header value a consumer sends for the canonical text."""
        return encode_uri_component(self.text)

    @property
    def spellings(self) -> tuple[str, ...]:
        """The canonical text followed by its aliases."""
        return (self.text, *self.aliases)


# Skatt: the løsningsbeskrivelse's request tables (steps 1, 2a, 2b); the validation table on the same
# page omits "jf. § 10-14" and the space after "§": the same basis, spelled twice by the standard.
SKATT: Final = Mandate(
    key="skatt",
    text=("Skatteforvaltningsloven § 10-2 første ledd, jf. § 10-14, jf. skatteforvaltningsforskriften § 10-2-1"),
    aliases=("Skatteforvaltningsloven §10-2 første ledd, jf. skatteforvaltningsforskriften §10-2-1",),
    note="The validation table's spelling (without 'jf. § 10-14') is kept as an alias.",
)
POLITI_STRAFFESAK: Final = Mandate(
    key="politi_straffesak",
    text="Straffeprosessloven §210 (3) første punktum",
    note="Politi-utlevering, criminal case.",
)
POLITI_SAVNET: Final = Mandate(
    key="politi_savnet",
    text="Straffeprosessloven §210 (3) andre punktum",
    note="Politi-utlevering, missing person.",
)
NAV: Final = Mandate(
    key="nav",
    text="Folketrygdloven § 21-4 første ledd",
    note="The v1 legal page's text; NAV-kontroll has no v2 specification yet.",
)
KONKURS: Final = Mandate(key="konkurs", text="kkl. §156 (3) og (4), jf. kkfor.§21")
# OED: the løsningsbeskrivelse's string, valid at both steps.
OED: Final = Mandate(
    key="oed",
    text="Arveloven § 92 første ledd og § 118, jf. § 88 a, jf. forskrift om Digitalt dødsbo",
    note="Oppgjør etter dødsfall, steps 1 and 2 (løsningsbeskrivelse).",
)
# OED's legal page names a narrower basis for step 1 only: § 92 covers the customer relations, not the
# account data of § 118 and § 88 a.
OED_RELATIONS: Final = Mandate(
    key="oed_relations",
    text="arveloven § 92 første ledd, jf. forskrift om Digitalt dødsbo",
    note="Oppgjør etter dødsfall, step 1 only (legal page).",
)
# Verge: vergemålsforskriften § 20a first paragraph, letter a for customer relations (step 1), letters
# b–e for account data (step 2); the step-1 text cites "§20a (2)" where step 2 cites "§ 20 (2)".
VERGE: Final = Mandate(
    key="verge",
    text=("Vergemålsloven § 54 (2), jf. vergemålsforskriften § 20 (2), jf. vergemålsforskriften § 20a (1) b-e"),
    note="Vergekontroll, step 2: account data (§ 20a first paragraph, letters b-e).",
)
VERGE_RELATIONS: Final = Mandate(
    key="verge_relations",
    text=("Vergemålsloven § 54 (2), jf. vergemålsforskriften §20a (2), jf. vergemålsforskriften §20a (1) a"),
    note="Vergekontroll, step 1: customer relations (§ 20a first paragraph, letter a).",
)
FI_UTLEGG_TEST: Final = Mandate(
    key="fi_utlegg_test",
    text="FI-Utlegg-Test",
    test_only=True,
    note="FI-Utlegg's test value; the production basis is not yet published.",
)

# The Control API v1's texts (legal page "Juridiske rammebetingelser Kontrollinformasjon"), served at
# /v1 while its phase-out window is open and refused at /v2.  NAV's and Konkurs' texts did not change.
SKATT_V1: Final = Mandate(key="skatt_v1", text="Skatteforvaltningsloven § 10-2", note="Skatt-kontroll, Control API v1.")
SKATT_KOMPENSASJON_V1: Final = Mandate(
    key="skatt_kompensasjon_v1",
    text="Kompensasjonsordningen for næringslivet § 8 jf. forskriften §4-2(3)",
    note="Skatt-kontroll (follow-up of the compensation scheme), Control API v1.",
)
POLITI_HVITVASKING_V1: Final = Mandate(
    key="politi_hvitvasking_v1",
    text="Hvitvaskingsloven § 26",
    note="Politi (Enheten for finansiell etterretning only), Control API v1.",
)
POLITI_210_FORSTE_V1: Final = Mandate(
    key="politi_210_forste_v1",
    text="Straffeprosessloven § 210 første ledd",
    note="Politi, Control API v1, with AdditionalReferenceIDType pol.",
)
POLITI_210_TREDJE_V1: Final = Mandate(
    key="politi_210_tredje_v1",
    text="Straffeprosessloven § 210 tredje ledd",
    note="Politi, Control API v1, with AdditionalReferenceIDType pol.",
)

MANDATES: Final[tuple[Mandate, ...]] = (
    SKATT,
    POLITI_STRAFFESAK,
    POLITI_SAVNET,
    NAV,
    KONKURS,
    OED,
    OED_RELATIONS,
    VERGE,
    VERGE_RELATIONS,
    FI_UTLEGG_TEST,
    SKATT_V1,
    SKATT_KOMPENSASJON_V1,
    POLITI_HVITVASKING_V1,
    POLITI_210_FORSTE_V1,
    POLITI_210_TREDJE_V1,
)


def _index(registry: tuple[Mandate, ...]) -> dict[str, Mandate]:
    """Spelling → mandate; a spelling shared by two mandates would make matching ambiguous."""
    index: dict[str, Mandate] = {}
    for mandate in registry:
        for spelling in mandate.spellings:
            other = index.setdefault(spelling, mandate)
            if other is not mandate:
                raise ValueError(f"spelling {spelling!r} belongs to both {other.key!r} and {mandate.key!r}")
    return index


_BY_SPELLING: Final[dict[str, Mandate]] = _index(MANDATES)
BY_KEY: Final[dict[str, Mandate]] = {mandate.key: mandate for mandate in MANDATES}
# The header exactly as a conforming consumer encodes it: the common case skips decoding entirely.
_BY_ENCODED: Final[dict[str, Mandate]] = {
    encode_uri_component(spelling): mandate for mandate in MANDATES for spelling in mandate.spellings
}


def comparable(value: str, *, encoded: bool = True) -> str:
    """The one form every Legal-Mandate text is compared in (the rules in the module docstring).

    ``encoded`` for a header value (percent-decoded first; :class:`InvalidRequest` when it cannot
    be); ``False`` for plain text such as the extradition order's ``mandate`` claim.

    >>> comparable("Straffeprosessloven%20%c2%a7210<br>%20(3)")
    'Straffeprosessloven §210 (3)'
    """
    return normalise(decode_header(value) if encoded else value)


def match_text(text: str) -> Mandate | None:
    """The mandate a plain (not percent-encoded) text names, or ``None``."""
    return _BY_SPELLING.get(comparable(text, encoded=False))


def match(header_value: str) -> Mandate | None:
    """The mandate a ``Legal-Mandate`` header names, or ``None`` if it names none we know.

    Raises :class:`InvalidRequest` when the value cannot be percent-decoded.
    """
    known = _BY_ENCODED.get(header_value)  # the exact encoding of a spelling: comparable() would agree
    return known if known is not None else _BY_SPELLING.get(comparable(header_value))


def by_key(key: str) -> Mandate:
    """The registered mandate with this key; an unknown key is a programming error (KeyError)."""
    return BY_KEY[key]


def parse(header_value: str | None) -> Mandate:
    """The mandate of a required ``Legal-Mandate`` header.

    Missing → :class:`InvalidRequest` ("required"); present but empty or blank (also once decoded)
    → :class:`InvalidRequest` ("empty"); undecodable → :class:`InvalidRequest`; not a known basis →
    :class:`UnknownMandate` quoting the decoded text (shortened).
    """
    if header_value is None:
        raise InvalidRequest(f"{HEADER} header is required", parameter=HEADER)
    known = _BY_ENCODED.get(header_value)
    if known is not None:
        return known
    text = comparable(header_value)
    if not text:
        raise InvalidRequest(f"{HEADER} header is present but empty: it must name the legal basis", parameter=HEADER)
    mandate = _BY_SPELLING.get(text)
    if mandate is None:
        raise UnknownMandate(f"{HEADER} {_shorten(text)} is not a known legal basis", parameter=HEADER)
    return mandate


def _shorten(text: str) -> str:
    """``text`` quoted with control characters escaped, cut to about 120 characters."""
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 1] + "…"
    return repr(text)


__all__ = [
    "BY_KEY",
    "FI_UTLEGG_TEST",
    "HEADER",
    "KONKURS",
    "MANDATES",
    "NAV",
    "OED",
    "OED_RELATIONS",
    "POLITI_210_FORSTE_V1",
    "POLITI_210_TREDJE_V1",
    "POLITI_HVITVASKING_V1",
    "POLITI_SAVNET",
    "POLITI_STRAFFESAK",
    "SKATT",
    "SKATT_KOMPENSASJON_V1",
    "SKATT_V1",
    "VERGE",
    "VERGE_RELATIONS",
    "Mandate",
    "by_key",
    "comparable",
    "decode_header",
    "encode_uri_component",
    "match",
    "match_text",
    "normalise",
    "parse",
]
