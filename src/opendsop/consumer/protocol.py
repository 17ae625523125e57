"""The Control API as the agency speaks it, without I/O: request builder, response interpreter, call flow.

Decides (DSOP “Architecture document” steps 4–7, DSOP “eOppslag”; DSOP “Data model”; DSOP “Security design”; the DSOP
services' “Løsningsbeskrivelse” pages):

* **headers** of every call: a fresh ``CorrelationID`` per technical request, the case's
  ``AccountInfoRequestID``, the URL-encoded ``Legal-Mandate``, ``RequesterID`` and
  ``AdditionalReferenceIDType``/``AdditionalReferenceID`` (the extradition order, the guardian)
  when the case has them; ``PartyID`` and ``OnlyPrimaryOwner`` on Accounts only; ``fromDate``
  and ``toDate`` as query dates; ``Accept: application/jose`` (plaintext only when asked, test);
* **versions**: the catalogue says whether a bank speaks ``v2`` or ``v1``.  v1 has no
  ``OnlyPrimaryOwner`` and answers with ``responseStatus`` instead of ``responseDetails``; its
  bodies decode into ``standard.control.v1`` models;
* **answers**: a 200 must be a JWE for this agency (``application/jose``) unless plaintext was
  asked for; errors are mapped to the ``consumer.errors`` tree by status, keeping the ACC code;
* **paging**: ``next`` links are relative to the API base (DSOP “eOppslag”; the older ``/v2/…`` form too) and
  are followed only on the bank's own origin
  (a token must never be sent elsewhere), never twice, and at most ``max_pages`` times;
* **401 ACC-010**: the token is fetched afresh once, then the call is denied.

``call_flow`` is a generator in the httpx ``auth_flow`` style: it yields ``NeedToken`` and
``HttpRequest`` steps, is sent an access token or an ``HttpResponse`` back, and returns the pages.
The async client drives it over a real transport; tests can drive it by hand.
"""

from __future__ import annotations

import email.utils
import functools
import random
import uuid
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final
from urllib.parse import quote, urlencode, urljoin, urlsplit

import msgspec

from opendsop.clock import utc_now
from opendsop.consumer.errors import (
    BankDenied,
    BankError,
    BankUnavailable,
    ProtocolViolation,
    RateLimited,
    Unauthorized,
)
from opendsop.contracts.http import HttpRequest, HttpResponse
from opendsop.standard import scopes, wire
from opendsop.standard.control import v1, v2
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError
from opendsop.standard.mandate import Mandate
from opendsop.trust.errors import TrustError

SCOPE: Final = scopes.ACCOUNT_INFORMATION
JOSE: Final = "application/jose"
JSON: Final = "application/json"
DATA_NOT_DELIVERED: Final = "dataNotDelivered"
MAX_PAGES: Final = 1000
_PATHS: Final = {
    Endpoint.ACCOUNTS: "accounts",
    Endpoint.ACCOUNT_DETAILS: "accounts/{ref}",
    Endpoint.TRANSACTIONS: "accounts/{ref}/transactions",
    Endpoint.CARDS: "accounts/{ref}/cards",
    Endpoint.ROLES: "accounts/{ref}/roles",
}
_MODELS: Final[dict[str, dict[Endpoint, type[Any]]]] = {
    "v2": {
        Endpoint.ACCOUNTS: v2.Accounts,
        Endpoint.ACCOUNT_DETAILS: v2.AccountDetails,
        Endpoint.TRANSACTIONS: v2.Transactions,
        Endpoint.CARDS: v2.Cards,
        Endpoint.ROLES: v2.Roles,
    },
    "v1": {
        Endpoint.ACCOUNTS: v1.Accounts,
        Endpoint.ACCOUNT_DETAILS: v1.AccountDetails,
        Endpoint.TRANSACTIONS: v1.Transactions,
        Endpoint.CARDS: v1.Cards,
        Endpoint.ROLES: v1.Roles,
    },
}
VERSIONS: Final = tuple(_MODELS)


# -- values --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NeedToken:
    """Step: an access token for ``audience`` with ``scope``; ``refresh`` discards a cached one."""

    audience: str
    scope: str = SCOPE
    refresh: bool = False


@dataclass(frozen=True, slots=True)
class BankEndpoint:
    """One institution's Control API as the API catalogue lists it (DSOP “Architecture document”)."""

    org_no: str
    base_url: str  # ends in /v2 (or /v1): the token's audience (DSOP “Security design”)
    version: str = "v2"
    name: str = ""

    def __post_init__(self) -> None:
        if self.version not in _MODELS:
            raise ValueError(f"version must be one of {', '.join(_MODELS)}, not {self.version!r}")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"base_url must be an http(s) URL, not {self.base_url[:80]!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseParameters:
    """What every call of one case carries (the DSOP services' “Løsningsbeskrivelse” pages: in 2b every parameter keeps
    its 2a value)."""

    account_info_request_id: str
    mandate: Mandate
    party_id: str = field(repr=False)  # personal data stays out of reprs and so out of logs
    from_date: date | None = None
    to_date: date | None = None
    only_primary_owner: bool = True
    requester_id: str | None = None
    reference_type: str | None = None  # AdditionalReferenceIDType: pol1 (order), srf (guardian)
    reference_id: str | None = field(default=None, repr=False)  # the order (JWS) or the guardian's fnr/d-nr

    def __post_init__(self) -> None:
        try:
            uuid.UUID(self.account_info_request_id)
        except ValueError:
            raise ValueError("account_info_request_id must be a UUID (it names the case at every bank)") from None
        if (self.reference_type is None) != (self.reference_id is None):
            raise ValueError("reference_type and reference_id go together (AdditionalReferenceIDType/-ID)")
        if self.from_date and self.to_date and self.to_date < self.from_date:
            raise ValueError(f"to_date {self.to_date} is before from_date {self.from_date}")


@dataclass(frozen=True, slots=True)
class Page:
    """One decoded 200 answer: the typed body, its completeness and the next link if any."""

    body: Any
    status: str | None  # "complete" / "partial" (None: a v1 bank that did not say)
    message: str | None
    next_href: str | None


_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)  # the version nibble 4 and the RFC 4122 variant bits
_NOT_VERSION = ~((0xF000 << 64) | (0xC000 << 48))


def new_correlation_id() -> str:
    """A random (version 4) UUID as text, without a system call per id (``str(uuid.uuid4())`` costs ~10×).

    A CorrelationID must be unique, not secret (both parties log it): 122 bits of the process's
    pseudo-random generator (reseeded after fork) are plenty.
    """
    text = f"{random.getrandbits(128) & _NOT_VERSION | _VERSION_4:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass(frozen=True, slots=True)
class CallOptions:
    plaintext: bool = False  # test only: Accept application/json (DSOP “Security design”)
    max_pages: int = MAX_PAGES
    new_correlation_id: Callable[[], str] = new_correlation_id


# -- the request builder -------------------------------------------------------------------------


def build_request(
    bank: BankEndpoint,
    case: CaseParameters,
    endpoint: Endpoint,
    *,
    token: str,
    account_reference: str | None = None,
    url: str | None = None,
    options: CallOptions = CallOptions(),
) -> HttpRequest:
    """The GET for ``endpoint`` (or for ``url``, a resolved ``next`` link of the same call)."""
    if endpoint is not Endpoint.ACCOUNTS and not account_reference:
        raise ValueError(f"{endpoint.operation_id} needs an accountReference")
    if account_reference == DATA_NOT_DELIVERED:
        raise ValueError("accountReference dataNotDelivered is served only through the digital letter channel")
    headers = {
        "Authorization": f"Bearer {token}",
        "CorrelationID": options.new_correlation_id(),
        "AccountInfoRequestID": case.account_info_request_id,
        "Legal-Mandate": _encoded_mandate(case.mandate),
        "Accept": JSON if options.plaintext else JOSE,
    }
    if endpoint is Endpoint.ACCOUNTS:
        headers["PartyID"] = case.party_id
    if case.requester_id:
        headers["RequesterID"] = case.requester_id
    if case.reference_type and case.reference_id:
        headers["AdditionalReferenceIDType"] = case.reference_type
        headers["AdditionalReferenceID"] = case.reference_id
    if url is None:
        path = _PATHS[endpoint].format(ref=_quote_segment(account_reference or ""))
        only_primary = case.only_primary_owner if endpoint is Endpoint.ACCOUNTS and bank.version != "v1" else None
        url = f"{bank.base_url.rstrip('/')}/{path}{_query(only_primary, case.from_date, case.to_date)}"
    return HttpRequest("GET", url, headers)


@functools.lru_cache(maxsize=256)
def _query(only_primary_owner: bool | None, from_date: date | None, to_date: date | None) -> str:
    """The query string of a first page (the same for every call of a case)."""
    query: dict[str, str] = {}
    if only_primary_owner is not None:
        query["OnlyPrimaryOwner"] = "true" if only_primary_owner else "false"
    if from_date:
        query["fromDate"] = from_date.isoformat()
    if to_date:
        query["toDate"] = to_date.isoformat()
    return f"?{urlencode(query)}" if query else ""


@functools.lru_cache(maxsize=64)
def _encoded_mandate(mandate: Mandate) -> str:
    """The encoded Legal-Mandate, once per mandate (encoding a long text costs ~0.1 ms a request)."""
    return mandate.encoded


def _quote_segment(reference: str) -> str:
    return quote(reference, safe="")


@functools.lru_cache(maxsize=4096)
def _origin(base_url: str) -> tuple[str, str]:
    split = urlsplit(base_url)
    return split.scheme, split.netloc


# A path-absolute href with nothing urljoin would rewrite (dot segments, fragments, backslashes,
# whitespace): on a URL of the bank's origin, joining it is concatenation with that origin.
_PLAIN_PATH = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_~%?&=+,;:@!$'()*")


def resolve_next(bank: BankEndpoint, current_url: str, href: str) -> str:
    """The absolute URL of a ``next`` link, which must stay on the bank's own origin (DSOP “eOppslag”).

    The href is relative to the API base, as in the DSOP documentation's "Specification of
    eOppslag" example (``/accounts/{ref}/transactions?…``, appended to ``…/v2``); an href that
    already starts with the base's path (``/v2/accounts/…``, the older absolute-path form some
    banks send) is taken from the origin instead.  Absolute URLs are followed only on the origin.
    """
    base = _origin(bank.base_url)
    origin = f"{base[0]}://{base[1]}"
    if href.startswith("?"):  # the same resource, another page (RFC 3986 §5.2.2)
        href = urlsplit(current_url).path + href
    if "://" not in href and not href.startswith("//"):
        base_path = _base_path(bank.base_url)
        path_form = href if href.startswith("/") else "/" + href
        if not (base_path and (path_form.startswith(base_path + "/") or path_form.startswith(base_path + "?"))):
            path_form = base_path + path_form  # relative to the API base
        if "/." not in path_form and _PLAIN_PATH.issuperset(path_form):
            return origin + path_form
        href = path_form
    absolute = urljoin(origin + "/", href)
    split = urlsplit(absolute)
    target = (split.scheme, split.netloc)
    if target != base:
        raise ProtocolViolation(
            f"the next link {href[:120]!r} leaves the bank's origin {base[1]}; "
            "it is not followed (the access token is for this bank only)",
            bank=bank.org_no,
            status=200,
        )
    return absolute


@functools.lru_cache(maxsize=4096)
def _base_path(base_url: str) -> str:
    """The path of the API base without its trailing slash (``/v2``, ``/bank/v2`` or empty)."""
    return urlsplit(base_url).path.rstrip("/")


# -- the response interpreter --------------------------------------------------------------------


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or utc_now())).total_seconds())


def _error_fields(body: bytes) -> tuple[str | None, str | None]:
    try:
        data = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    code, message = data.get("code"), data.get("message")
    return (code if isinstance(code, str) else None), (message if isinstance(message, str) else None)


def error_for(bank: BankEndpoint, response: HttpResponse, *, now: datetime | None = None) -> BankError:
    """The typed error of a non-200 answer (DSOP “eOppslag”): 4xx denied, 401 unauthorised, 429 rate-limited, 5xx
    unavailable."""
    code, message = _error_fields(response.body)
    status = response.status
    text = message or f"HTTP {status} without a DSOP error body"
    kwargs: dict[str, Any] = {"bank": bank.org_no, "status": status, "code": code}
    if status == 401:
        return Unauthorized(text, **kwargs)
    if status == 429:
        return RateLimited(
            text, retry_after=retry_after_seconds(response.headers.get("retry-after"), now=now), **kwargs
        )
    if 400 <= status < 500:
        return BankDenied(text, **kwargs)
    if status >= 500:  # a 503's Retry-After says when the bank's source should be back
        retry_after = retry_after_seconds(response.headers.get("retry-after"), now=now) if status == 503 else None
        return BankUnavailable(text, retry_after=retry_after, **kwargs)
    return ProtocolViolation(f"unexpected HTTP {status} (success is always 200)", **kwargs)


Decrypt = Callable[[str], bytes]


def _violation(bank: BankEndpoint, message: str) -> ProtocolViolation:
    return ProtocolViolation(message, bank=bank.org_no, status=200)


def interpret(
    bank: BankEndpoint,
    endpoint: Endpoint,
    response: HttpResponse,
    *,
    decrypt: Decrypt,
    plaintext_allowed: bool = False,
    now: datetime | None = None,
) -> Page:
    """Decode one answer into a ``Page`` or raise the ``BankError`` it stands for."""
    if response.status != 200:
        raise error_for(bank, response, now=now)
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == JOSE and response.decrypted:
        plaintext = response.body
    elif media == JOSE:
        try:
            token = response.body.decode("ascii").strip()
            plaintext = decrypt(token)
        except UnicodeDecodeError:
            raise _violation(bank, "the JWE body is not ASCII compact serialization") from None
        except TrustError as error:
            raise _violation(
                bank, f"the JWE answer cannot be decrypted with this agency's key ({error.reason}): {error.message}"
            ) from None
    elif media == JSON and plaintext_allowed:
        plaintext = response.body
    elif media == JSON:
        raise _violation(bank, "the bank answered in plaintext; every 200 body must be a JWE (DSOP “Security design”)")
    else:
        raise _violation(bank, f"unexpected Content-Type {media[:60]!r} for a 200 answer")
    model = _MODELS[bank.version][endpoint]
    try:
        body = wire.decode(plaintext, model, what=f"The {endpoint.operation_id} answer")
    except DsopError as error:
        raise _violation(bank, error.message) from None
    if bank.version == "v1":
        status = body.response_status.value if body.response_status else None
        message = None
    else:
        status, message = body.response_details.status.value, body.response_details.message
    links = getattr(body, "links", None) or ()
    next_href = next((link.href for link in links if link.rel == "next"), None)
    return Page(body, status, message, next_href)


# -- the call flow -------------------------------------------------------------------------------

Step = NeedToken | HttpRequest
Flow = Generator[Step, Any, list[Page]]


def call_flow(
    bank: BankEndpoint,
    case: CaseParameters,
    endpoint: Endpoint,
    *,
    decrypt: Decrypt,
    account_reference: str | None = None,
    options: CallOptions = CallOptions(),
    clock: Callable[[], datetime] | None = None,
) -> Flow:
    """All pages of one call: token, request, 401 refresh once, follow ``next`` (see the module doc)."""
    pages: list[Page] = []
    seen: set[str] = set()
    url: str | None = None
    token: str = yield NeedToken(bank.base_url)
    while True:
        request = build_request(
            bank, case, endpoint, token=token, account_reference=account_reference, url=url, options=options
        )
        response: HttpResponse = yield request
        if response.status == 401:
            token = yield NeedToken(bank.base_url, refresh=True)
            request = build_request(
                bank, case, endpoint, token=token, account_reference=account_reference, url=url, options=options
            )
            response = yield request
        page = interpret(
            bank,
            endpoint,
            response,
            decrypt=decrypt,
            plaintext_allowed=options.plaintext,
            now=clock() if clock else None,
        )
        pages.append(page)
        if page.next_href is None:
            return pages
        url = resolve_next(bank, request.url, page.next_href)
        if url in seen or len(pages) >= options.max_pages:
            raise ProtocolViolation(
                f"paging does not end: {len(pages)} pages, next link {page.next_href[:120]!r} "
                "repeats or exceeds the limit",
                bank=bank.org_no,
                status=200,
            )
        seen.add(url)


__all__ = [
    "DATA_NOT_DELIVERED",
    "JOSE",
    "JSON",
    "SCOPE",
    "VERSIONS",
    "BankEndpoint",
    "CallOptions",
    "CaseParameters",
    "Flow",
    "HttpRequest",
    "HttpResponse",
    "NeedToken",
    "Page",
    "build_request",
    "call_flow",
    "error_for",
    "interpret",
    "new_correlation_id",
    "resolve_next",
    "retry_after_seconds",
]
