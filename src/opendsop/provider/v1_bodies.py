"""v2 response bodies as Control API v1 bodies (Bank_v1.yaml 1.1.1; spec/datamodel.md §5).

The bank computes every answer as v2 (one store, one rules engine, one filter) and only the last
step differs for a v1 consumer.  Decides, per §5 "Changes from v1.x to v2", read backwards:

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
* v1-only fields the bank does not hold since v2 (``primaryOwner.postalAddress``,
  ``electronicAddresses``) stay absent: they are optional in Bank_v1.yaml.

The result is built from the *filtered* v2 body, so a v1 consumer never sees a field its service
may not receive.
"""

from __future__ import annotations

from typing import Any

from msgspec.structs import asdict

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


def _role(value: v2.AccountRole | None) -> v1.AccountRole | None:
    if value is None:
        return None
    return v1.AccountRole(permission=value.permission, identifier=value.identifier, name=value.name,
                          start_date=value.start_date, end_date=value.end_date)


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


def _account(value: v2.Account, accounts_path: str) -> v1.Account:
    return v1.Account(status=value.status, servicer=_servicer(value.servicer),
                      links=_links(value.account_reference, accounts_path),
                      account_identifier=value.account_identifier, account_reference=value.account_reference,
                      type=_type(value.type), currency=value.currency, primary_owner=_role(value.primary_owner),
                      name=value.name)


def _detail(value: v2.AccountDetail | None) -> v1.AccountDetail | None:
    if value is None:
        return None
    return v1.AccountDetail(status=value.status, servicer=_servicer(value.servicer),
                            account_identifier=value.account_identifier, account_reference=value.account_reference,
                            type=_type(value.type), currency=value.currency, name=value.name,
                            balances=value.balances, primary_owner=_role(value.primary_owner),
                            start_date=value.start_date, end_date=value.end_date)


def _transaction(value: v2.Transaction) -> v1.Transaction:
    fields = asdict(value)
    fields["payment_card"] = _card(value.payment_card)
    return v1.Transaction(**fields)


def _many(items: tuple[Any, ...] | None, convert: Any) -> tuple[Any, ...] | None:
    return None if items is None else tuple(convert(item) for item in items)


def to_v1(endpoint: Endpoint, body: Any, *, path: str) -> Any:
    """The v1 body for the (filtered) v2 ``body`` of ``endpoint``; ``path`` is the request path."""
    if isinstance(body, v2.Accounts):
        return v1.Accounts(response_status=_status(body.response_details),
                           accounts=_many(body.accounts, lambda item: _account(item, path)), links=body.links)
    if isinstance(body, v2.AccountDetails):
        return v1.AccountDetails(response_status=_status(body.response_details), account=_detail(body.account))
    if isinstance(body, v2.Transactions):
        return v1.Transactions(response_status=_status(body.response_details),
                               transactions=_many(body.transactions, _transaction), links=body.links)
    if isinstance(body, v2.Cards):
        return v1.Cards(response_status=_status(body.response_details),
                        payment_cards=_many(body.payment_cards, _card))
    if isinstance(body, v2.Roles):
        return v1.Roles(response_status=_status(body.response_details), roles=_many(body.roles, _role))
    raise TypeError(f"no v1 body for {endpoint.operation_id} from {type(body).__name__}")


__all__ = ["ACCOUNT_LINKS", "to_v1"]
