"""The ``Legal-Mandate`` header: its encoding, and the registry of known legal bases.

Decides which legal basis (hjemmel) a request names.  Sources: spec/datamodel.md §0.9 (the value
is "the exact text, percent-encoded as UTF-8 the same way as JavaScript ``encodeURIComponent``")
and §3.2 (the exact string per service), §3.6 (NAV, v1 only); spec/protocol.md §2.1 ("comparing
the URL-decoded value against the decoded reference string is more robust than a byte-exact
match") and §4.1–4.7; spec/services.md §2.6 (FI-Utlegg, test value ``FI-Utlegg-Test``).

A header is matched by *decoding* it, normalising the text (NFC, whitespace, ``<br>`` rendering
artefacts) and looking the result up among the normalised spellings of every known mandate.  The
comparison is case-sensitive: the standard publishes exact strings.  Where the standard itself
publishes two spellings of one basis (Skatt, OED, Verge: spec/datamodel.md §6 items 13–14,
spec/protocol.md §7 items 1–2), the mandate carries the second as an alias; which spelling a
service accepts at which step is the service profile's decision, not this module's.

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
      rendering artefact (spec/datamodel.md §0.9), since a real space would be ``%20``.
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


# Skatt: request tables (steps 1, 2a, 2b); the validation table on the same page omits
# "jf. § 10-14" and the space after "§" (spec/datamodel.md §3.2, §6 item 13).
SKATT: Final = Mandate(
    key="skatt",
    text=(
        "Skatteforvaltningsloven § 10-2 første ledd, jf. § 10-14, jf. skatteforvaltningsforskriften § 10-2-1"
    ),
    aliases=("Skatteforvaltningsloven §10-2 første ledd, jf. skatteforvaltningsforskriften §10-2-1",),
    note="The validation table's variant (without 'jf. § 10-14') is kept as an alias.",
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
    note="v1 only and provisional: NAV-kontroll has no v2 specification (spec/datamodel.md §3.6).",
)
KONKURS: Final = Mandate(key="konkurs", text="kkl. §156 (3) og (4), jf. kkfor.§21")
# OED: the løsningsbeskrivelse's string (both steps); the legal page names a shorter basis for
# step 1 (spec/protocol.md §4.5).
OED: Final = Mandate(
    key="oed",
    text="Arveloven § 92 første ledd og § 118, jf. § 88 a, jf. forskrift om Digitalt dødsbo",
    aliases=("arveloven § 92 første ledd, jf. forskrift om Digitalt dødsbo",),
    note="The legal page's shorter step-1 basis is kept as an alias.",
)
# Verge: the step-2 string is canonical; step 1 cites "§20a (2)" where step 2 cites "§ 20 (2)"
# (spec/datamodel.md §6 item 14).
VERGE: Final = Mandate(
    key="verge",
    text=(
        "Vergemålsloven § 54 (2), jf. vergemålsforskriften § 20 (2), jf. vergemålsforskriften § 20a (1) b-e"
    ),
    aliases=(
        "Vergemålsloven § 54 (2), jf. vergemålsforskriften §20a (2), jf. vergemålsforskriften §20a (1) a",
    ),
    note="Canonical = step 2 (account data); alias = step 1 (customer relations).",
)
FI_UTLEGG_TEST: Final = Mandate(
    key="fi_utlegg_test",
    text="FI-Utlegg-Test",
    test_only=True,
    note="FI-Utlegg's test value; the production basis is not yet published (spec/services.md §2.6).",
)

MANDATES: Final[tuple[Mandate, ...]] = (
    SKATT,
    POLITI_STRAFFESAK,
    POLITI_SAVNET,
    NAV,
    KONKURS,
    OED,
    VERGE,
    FI_UTLEGG_TEST,
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


def match_text(text: str) -> Mandate | None:
    """The mandate whose normalised spelling equals ``normalise(text)``; plain text, no decoding.

    Used for texts that are not headers, such as the extradition order's ``mandate`` claim.
    """
    return _BY_SPELLING.get(normalise(text))


def match(header_value: str) -> Mandate | None:
    """The mandate a ``Legal-Mandate`` header names, or ``None`` if it names none we know.

    Raises :class:`InvalidRequest` when the value cannot be percent-decoded.
    """
    known = _BY_ENCODED.get(header_value)
    return known if known is not None else match_text(decode_header(header_value))


def by_key(key: str) -> Mandate:
    """The registered mandate with this key; an unknown key is a programming error (KeyError)."""
    return BY_KEY[key]


def parse(header_value: str | None) -> Mandate:
    """The mandate of a required ``Legal-Mandate`` header.

    Missing, empty or blank → :class:`InvalidRequest`; undecodable → :class:`InvalidRequest`;
    not a known basis → :class:`UnknownMandate` quoting the decoded text (shortened).
    """
    if header_value is None or not header_value.strip():
        raise InvalidRequest(f"{HEADER} header is required", parameter=HEADER)
    known = _BY_ENCODED.get(header_value)
    if known is not None:
        return known
    text = normalise(decode_header(header_value))
    if not text:
        raise InvalidRequest(f"{HEADER} header is required", parameter=HEADER)
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
    "POLITI_SAVNET",
    "POLITI_STRAFFESAK",
    "SKATT",
    "VERGE",
    "Mandate",
    "by_key",
    "decode_header",
    "encode_uri_component",
    "match",
    "match_text",
    "normalise",
    "parse",
]
