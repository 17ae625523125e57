"""v2 response bodies as Control API v1 bodies (Bank_v1.yaml 1.1.1; DSOP “Change log”).

The bank computes every answer as v2 (one store, one rules engine, one filter) and only the last
step differs for a v1 consumer.  Decides, per DSOP “Change log” "Changes from v1.x to v2", read backwards:

* ``responseDetails{status, message}`` → the v1 string ``responseStatus`` (the ``partial``
  explanation has no place in v1 and is dropped; the status itself is kept);
* ``accountWithoutBalance`` (new in v2) → ``otherAccount``, the v1 catch-all;
* ``cardStatus`` and ``versionNumber`` (new in v2) are dropped from ``paymentCards[]`` and from
  ``transactions[].paymentCard``;
* every listed account gets v1's per-account ``links``: hrefs relative to the API base
  (``/accounts/{ref}/…``, like ``next``) to its details, transactions, cards and roles (none for the predefined
  ``dataNotDelivered``, which names no account);
* ``FinancialInstitution.identifier`` is required in v1: a servicer without one (the service's
  filter took it) is left out whole rather than sent half;
* the v1-only ``postalAddress`` and ``electronicAddresses`` of ``primaryOwner`` and ``roles[]`` come
  from the bank's party records (``parties``, read by the pipeline for the :func:`holders` of the
  filtered body), and only for a holder whose ``name`` the service's filter kept: an address is
  the holder's personal data as much as the name is (docs/decisions.md, "v1 holder addresses").

The result is built from the *filtered* v2 body, so a v1 consumer never sees a field its service
may not receive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec.structs import asdict

from opendsop.provider.store.records import PartyRow
from opendsop.provider.store.references import is_data_not_delivered
from opendsop.standard.control import v1, v2
from opendsop.standard.endpoints import Endpoint
from opendsop.standard.paging import api_relative_path

# rel names of the per-account links (Bank_v1.yaml defines the array, not its rel values).
ACCOUNT_LINKS = (("self", ""), ("transactions", "/transactions"), ("cards", "/cards"), ("roles", "/roles"))
_CARD_FIELDS_NOT_IN_V1 = ("card_status", "version_number")


def _status(details: v2.ResponseDetails | None) -> v2.ResponseStatus | None:
    return details.status if details is not None else None


def _type(value: v2.AccountType | None) -> v1.AccountType | None:
    if value is None:
        return None
    if value is v2.AccountType.ACCOUNT_WITHOUT_BALANCE:
        return v1.AccountType.OTHER_ACCOUNT
    return v1.AccountType(value.value)


def _servicer(value: v2.FinancialInstitution | None) -> v1.FinancialInstitution | None:
    if value is None or value.identifier is None:
        return None
    return v1.FinancialInstitution(identifier=value.identifier, name=value.name)


def holders(body: Any) -> set[str]:
    """The parties whose stored contact details a v1 rendering of the filtered ``body`` carries."""
    if isinstance(body, v2.Accounts):
        roles = [account.primary_owner for account in body.accounts or ()]
    elif isinstance(body, v2.AccountDetails):
        roles = [body.account.primary_owner if body.account is not None else None]
    elif isinstance(body, v2.Roles):
        roles = list(body.roles or ())
    else:
        return set()
    return {
        role.identifier.value
        for role in roles
        if role is not None and role.name is not None and role.identifier is not None
    }


def _role(value: v2.AccountRole | None, parties: Mapping[str, PartyRow]) -> v1.AccountRole | None:
    if value is None:
        return None
    party = parties.get(value.identifier.value) if value.name is not None and value.identifier is not None else None
    electronic = (
        tuple(v1.ElectronicAddress(type=item.type, value=item.value) for item in party.electronic_addresses)
        if party is not None
        else ()
    )
    return v1.AccountRole(
        permission=value.permission,
        identifier=value.identifier,
        name=value.name,
        start_date=value.start_date,
        end_date=value.end_date,
        postal_address=party.postal_address if party is not None else None,
        electronic_addresses=electronic or None,
    )


def _card(value: v2.PaymentCard | None) -> v1.PaymentCard | None:
    if value is None:
        return None
    fields = asdict(value)
    for name in _CARD_FIELDS_NOT_IN_V1:
        fields.pop(name)
    return v1.PaymentCard(**fields)


def _links(reference: str, accounts_path: str) -> tuple[v1.Link, ...] | None:
    if is_data_not_delivered(reference):
        return None
    base = f"{api_relative_path(accounts_path).rstrip('/')}/{reference}"  # relative to the API base, as `next`
    return tuple(v1.Link(rel=rel, href=base + suffix) for rel, suffix in ACCOUNT_LINKS)


def _account(value: v2.Account, accounts_path: str, parties: Mapping[str, PartyRow]) -> v1.Account:
    return v1.Account(
        status=value.status,
        servicer=_servicer(value.servicer),
        links=_links(value.account_reference, accounts_path),
        account_identifier=value.account_identifier,
        account_reference=value.account_reference,
        type=_type(value.type),
        currency=value.currency,
        primary_owner=_role(value.primary_owner, parties),
        name=value.name,
    )


def _detail(value: v2.AccountDetail | None, parties: Mapping[str, PartyRow]) -> v1.AccountDetail | None:
    if value is None:
        return None
    return v1.AccountDetail(
        status=value.status,
        servicer=_servicer(value.servicer),
        account_identifier=value.account_identifier,
        account_reference=value.account_reference,
        type=_type(value.type),
        currency=value.currency,
        name=value.name,
        balances=value.balances,
        primary_owner=_role(value.primary_owner, parties),
        start_date=value.start_date,
        end_date=value.end_date,
    )


def _transaction(value: v2.Transaction) -> v1.Transaction:
    fields = asdict(value)
    fields["payment_card"] = _card(value.payment_card)
    return v1.Transaction(**fields)


def _many(items: tuple[Any, ...] | None, convert: Any) -> tuple[Any, ...] | None:
    return None if items is None else tuple(convert(item) for item in items)


def to_v1(endpoint: Endpoint, body: Any, *, path: str, parties: Mapping[str, PartyRow] | None = None) -> Any:
    """The v1 body for the (filtered) v2 ``body`` of ``endpoint``; ``path`` is the request path and
    ``parties`` the stored records of the body's :func:`holders` (for their addresses)."""
    parties = parties or {}
    if isinstance(body, v2.Accounts):
        return v1.Accounts(
            response_status=_status(body.response_details),
            accounts=_many(body.accounts, lambda item: _account(item, path, parties)),
            links=body.links,
        )
    if isinstance(body, v2.AccountDetails):
        return v1.AccountDetails(response_status=_status(body.response_details), account=_detail(body.account, parties))
    if isinstance(body, v2.Transactions):
        return v1.Transactions(
            response_status=_status(body.response_details),
            transactions=_many(body.transactions, _transaction),
            links=body.links,
        )
    if isinstance(body, v2.Cards):
        return v1.Cards(response_status=_status(body.response_details), payment_cards=_many(body.payment_cards, _card))
    if isinstance(body, v2.Roles):
        return v1.Roles(
            response_status=_status(body.response_details), roles=_many(body.roles, lambda item: _role(item, parties))
        )
    raise TypeError(f"no v1 body for {endpoint.operation_id} from {type(body).__name__}")


__all__ = ["ACCOUNT_LINKS", "holders", "to_v1"]
