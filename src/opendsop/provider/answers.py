"""The data step of the pipeline: what an allowed request gets from the bank's store, paged and filtered.

Decides (DSOP “eOppslag”; DSOP “Endpoint … V.2.0” pages; the DSOP services' “Løsningsbeskrivelse” pages; DSOP
“Recommendations regarding validation”):

* a shielded person's account list is empty with ``complete``, without asking the store;
* Vergekontroll lists only accounts the guardian (``AdditionalReferenceID``) could use; a profile
  with ``flag_other_rights`` (Politi, "Alternative 1") gets owned accounts only when
  ``OnlyPrimaryOwner=true``, flagged ``partial`` when the party also holds rights of disposal;
  Skatt and Politi may see ``dataNotDelivered``;
* transactions come in pages of ``page_size``; the ``next`` link is relative to the API base
  (``/accounts/{ref}/transactions?…``, no ``/v2``: consumers append it to the base) and carries a
  ``continuationToken`` bound to consumer, accountReference, AccountInfoRequestID and period
  (``standard.paging``), so a token replayed anywhere else is 400 ACC-001;
* the body is filtered for the service *by copy*: stores may hand out shared objects (the memory
  twin returns its own ``Transaction`` values), which must not be changed in place — unless the
  store declares ``fresh_bodies`` (the SQL store builds every answer from its own rows), when
  fields are cleared on the objects themselves (a tenth of the cost of copying a 1000-row page).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import msgspec

from opendsop.clock import utc_now
from opendsop.provider.errors import UnknownReference
from opendsop.provider.negotiation import choose_media_type
from opendsop.provider.store.records import ReferencedAccount
from opendsop.provider.store.repository import complete
from opendsop.standard import wire
from opendsop.standard.account_rules import flags_other_rights
from opendsop.standard.control.v2 import Accounts, Link
from opendsop.standard.decision import Allowed
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.errors import DsopError, InvalidRequest
from opendsop.standard.filtering import filter_response
from opendsop.standard.identifiers import validate_party_id
from opendsop.standard.paging import (
    CONTINUATION_PARAM,
    api_relative_path,
    decode_continuation,
    encode_continuation,
    next_link,
)
from opendsop.standard.request import ControlRequest
from opendsop.standard.services import ReferenceKind, ServiceProfile, get_profile
from opendsop.standard.values import parse_uuid

if TYPE_CHECKING:
    from opendsop.provider.pipeline import Answer, Pipeline

JSON = "application/json"


def is_uuid(text: str | None) -> bool:
    if not text:
        return False
    try:
        parse_uuid(text.strip(), parameter="UUID")
    except InvalidRequest:
        return False
    return True


def uuid_or_none(text: str | None) -> str | None:
    """A header value fit for a log line: a UUID (lower case) or nothing."""
    return text.strip().lower() if text is not None and is_uuid(text) else None


# Pure functions of header values asked on every request: answers for short values are remembered,
# bounded, the least recently used going first; a long value (never a valid one) is simply computed.
_MEMO_TEXT = 128


def media_type(accept: str | None, *, plaintext_allowed: bool) -> str | None:
    """``negotiation.choose_media_type``, remembered per ``Accept`` value."""
    if accept is not None and len(accept) > _MEMO_TEXT:
        return choose_media_type(accept, plaintext_allowed=plaintext_allowed)
    return _remembered_media_type(accept, plaintext_allowed)


@lru_cache(maxsize=64)
def _remembered_media_type(accept: str | None, plaintext_allowed: bool) -> str | None:
    return choose_media_type(accept, plaintext_allowed=plaintext_allowed)


def valid_party(party: str, *, synthetic_allowed: bool, today: date) -> bool:
    """Whether ``standard.identifiers.validate_party_id`` accepts ``party`` on ``today``, remembered per day."""
    if len(party) > _MEMO_TEXT:
        return _party_check(party, synthetic_allowed, today)
    return _remembered_party_check(party, synthetic_allowed, today)


def _party_check(party: str, synthetic_allowed: bool, today: date) -> bool:
    try:
        validate_party_id(party, synthetic_allowed=synthetic_allowed, today=today)
    except DsopError:
        return False
    return True


_remembered_party_check = lru_cache(maxsize=4096)(_party_check)


def code_and_message(answer: Answer) -> tuple[str | None, str | None]:
    """``(code, message)`` of an error answer; ``(None, None)`` for a 200."""
    if answer.status == 200:
        return None, None
    try:
        body = msgspec.json.decode(answer.body)
    except msgspec.DecodeError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    code, message = body.get("code"), body.get("message")
    return (code if isinstance(code, str) else None), (message if isinstance(message, str) else None)


def encode_filtered(service: ServiceProfile, endpoint: Endpoint, body: Any, *, in_place: bool = False) -> bytes:
    """The JSON bytes the service may receive (``in_place``: ``body`` is ours to change)."""
    return wire.encode(filter_response(service, endpoint, body, in_place=in_place))


def fresh_bodies(store: object) -> bool:
    """Whether the store's answers share nothing, so they may be filtered in place (repository.py)."""
    return getattr(store, "fresh_bodies", False) is True


async def fetch(
    pipeline: Pipeline,
    decision: Allowed,
    request: ControlRequest,
    referenced: ReferencedAccount | None,
    *,
    path: str,
    query: Mapping[str, str],
) -> tuple[Any, int]:
    """The 200 body for an allowed request and the number of records in it."""
    profile = get_profile(decision.service)
    store = pipeline.store
    endpoint = decision.endpoint
    if endpoint is Endpoint.ACCOUNTS:
        if decision.return_empty:
            return Accounts(response_details=complete(), accounts=()), 0
        assert decision.party is not None
        guardian = (
            (request.additional_reference_id or "").strip() or None
            if profile.reference is ReferenceKind.GUARDIAN
            else None
        )
        listed = await store.accounts_for_party(
            decision.party.value,
            period=decision.period,
            only_primary_owner=bool(decision.only_primary_owner),
            consumer_org=request.consumer_org,
            account_info_request_id=decision.account_info_request_id,
            data_not_delivered_allowed=profile.data_not_delivered_allowed,
            with_right_of_use=guardian,
            flag_other_rights=flags_other_rights(profile, only_primary_owner=bool(decision.only_primary_owner)),
        )
        return listed.body(), len(listed.accounts)
    assert referenced is not None
    try:
        if endpoint is Endpoint.ACCOUNT_DETAILS:
            details = await store.account_details(referenced, period=decision.period)
            return details.body(), 1
        if endpoint is Endpoint.TRANSACTIONS:
            return await _transactions(pipeline, decision, referenced, path=path, query=query)
        if endpoint is Endpoint.CARDS:
            cards = await store.cards(referenced, period=decision.period)
            return cards.body(), len(cards.cards)
        roles = await store.roles(referenced, period=decision.period)
        return roles.body(), len(roles.roles)
    except LookupError:  # the account was removed after the reference was issued
        raise UnknownReference("accountReference names an account that no longer exists") from None


def _binding(decision: Allowed, referenced: ReferencedAccount) -> str:
    period = decision.period
    return "|".join(
        (
            "transactions",
            referenced.consumer_org,
            referenced.reference,
            decision.account_info_request_id,
            period.from_date.isoformat(),
            period.to_date.isoformat(),
        )
    )


async def _transactions(
    pipeline: Pipeline, decision: Allowed, referenced: ReferencedAccount, *, path: str, query: Mapping[str, str]
) -> tuple[Any, int]:
    binding = _binding(decision, referenced)
    token = query.get(CONTINUATION_PARAM)
    after = decode_continuation(pipeline.paging_key, token, binding=binding) if token is not None else None
    page = await pipeline.store.transactions_page(
        referenced,
        period=decision.period,
        after=after,  # type: ignore[arg-type]
        limit=pipeline.page_size,
    )
    links: tuple[Link, ...] = ()
    if page.next_position is not None:
        following = encode_continuation(pipeline.paging_key, tuple(page.next_position), binding=binding)
        links = (Link(rel="next", href=next_link(api_relative_path(path), query, following)),)
    return page.body(links), len(page.transactions)


__all__ = [
    "JSON",
    "code_and_message",
    "encode_filtered",
    "fetch",
    "fresh_bodies",
    "is_uuid",
    "media_type",
    "utc_now",
    "uuid_or_none",
    "valid_party",
]
