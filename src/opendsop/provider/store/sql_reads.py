"""The request path's reads of :class:`.sql.SqlBankStore`: one statement each, rows straight from tuples.

Decides how many round trips a Control API request costs the database (an account list used
to take ~9).  Each read the pipeline makes is one prebuilt statement with bound parameters (built
once, so SQLAlchemy's compiled cache hits without rebuilding the expression per request):

* ``party_graph`` — the account list: the accounts on which a party holds an access role,
  *every* relation on them, the parties of those relations and the references already stored
  for this consumer and case (so a repeated list in a case writes nothing);
* ``account_graph`` — one account with its relations, their parties and (when a day is
  bound) the latest booked balance on or before it: account details, roles;
* ``pages`` — one account row outer-joined with a keyset page of its transactions
  (a derived table with its own ``ORDER BY … LIMIT``, so it stays one index range scan).

Rows are read by position (the column order below is fixed), and the converters unpack tuples
instead of looking up ~40 names per row: the conversion was most of a 1000-row page's time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import Integer, Numeric, String, and_, bindparam, literal_column, select, true, tuple_, type_coerce
from sqlalchemy.sql import Select

from opendsop.provider.store import schema
from opendsop.provider.store.records import (
    ACCESS_ROLES,
    AccountGraph,
    AccountRow,
    BookedBalanceRow,
    Delivery,
    ElectronicAddressRow,
    PartyRow,
    RelationRole,
    RelationRow,
)
from opendsop.standard.control.v2 import (
    AccountPermissionType,
    AccountStatus,
    AccountType,
    BankTransactionCode,
    CardStatus,
    CardType,
    CounterParty,
    CreditOrDebit,
    CurrencyExchange,
    DomainType,
    FamilyType,
    Identifier,
    IdentifierType,
    PaymentCard,
    PostalAddress,
    SubFamilyType,
    Transaction,
    TransactionReference,
    TransactionStatus,
)

_REFERENCES = msgspec.json.Decoder(tuple[TransactionReference, ...])
_COUNTER_PARTIES = msgspec.json.Decoder(tuple[CounterParty, ...])
_POSTAL = msgspec.json.Decoder(PostalAddress)
_ELECTRONIC = msgspec.json.Decoder(tuple[ElectronicAddressRow, ...])
_MEMBERS: dict[Any, dict[Any, Any]] = {}


def enum(kind: Any, value: Any) -> Any:
    """``kind(value)`` (``None`` stays ``None``) by a dict lookup: ``Enum.__call__`` is slow per row."""
    members = _MEMBERS.get(kind)
    if members is None:
        members = _MEMBERS[kind] = {None: None, **{member.value: member for member in kind}}
    found = members.get(value, members)
    return kind(value) if found is members else found  # an unknown value raises as kind(value) does


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive values that were written in UTC; PostgreSQL aware ones."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


a, r, p, b, t = schema.account, schema.relation, schema.party, schema.booked_balance, schema.transaction

ACCOUNT = tuple(
    a.c[name]
    for name in (
        "account_id",
        "account_number",
        "type",
        "currency",
        "status",
        "start_date",
        "end_date",
        "servicer_id",
        "servicer_name",
        "credit_line_amount",
        "credit_line_currency",
        "credit_line_included",
        "available_amount",
        "available_registered",
        "history_from",
        "delivery",
        "name",
    )
)
RELATION = tuple(r.c[name] for name in ("account_id", "party_id", "role", "start_date", "end_date", "permission"))
PARTY = (p.c.party_id, p.c.name, p.c.country, p.c.postal_address, p.c.electronic_addresses)
TRANSACTION = tuple(column for column in t.c if column.name != "account_id")
_A, _R, _P = len(ACCOUNT), len(RELATION), len(PARTY)


def account_at(row: Sequence[Any], at: int = 0) -> AccountRow:
    (
        account_id,
        number,
        kind,
        currency,
        status,
        start,
        end,
        servicer_id,
        servicer_name,
        line_amount,
        line_currency,
        line_included,
        available,
        registered,
        history_from,
        delivery,
        name,
    ) = row[at : at + _A]
    return AccountRow(
        account_id=account_id,
        account_number=number,
        type=enum(AccountType, kind),
        currency=currency,
        status=enum(AccountStatus, status),
        start_date=start,
        end_date=end,
        servicer_id=servicer_id,
        servicer_name=servicer_name,
        credit_line_amount=line_amount,
        credit_line_currency=line_currency,
        credit_line_included=bool(line_included),
        available_amount=available,
        available_registered=aware(registered) if registered else None,
        history_from=history_from,
        delivery=enum(Delivery, delivery),
        name=name,
    )


def relation_at(row: Sequence[Any], at: int) -> RelationRow:
    account_id, party_id, role, start, end, permission = row[at : at + _R]
    return RelationRow(
        account_id=account_id,
        party_id=party_id,
        role=enum(RelationRole, role),
        start_date=start,
        end_date=end,
        permission=enum(AccountPermissionType, permission),
    )


def party_at(row: Sequence[Any], at: int) -> PartyRow | None:
    party_id, name, country, postal, electronic = row[at : at + _P]
    if party_id is None:
        return None
    return PartyRow(
        party_id=party_id,
        name=name,
        country=country,
        postal_address=_POSTAL.decode(postal) if postal is not None else None,
        electronic_addresses=_ELECTRONIC.decode(electronic) if electronic is not None else (),
    )


# ---- the statements, built once per dialect ------------------------------------------------------
class Statements:
    """The request path's prebuilt statements for one dialect (:func:`statements`).

    On PostgreSQL money columns are read as plain ``NUMERIC``: asyncpg returns ``Decimal`` itself,
    and :class:`.schema.Money`'s per-value hook was most of SQLAlchemy's share of a 1000-row page
    (SQLite keeps it: there the value is decimal text).
    """

    def __init__(self, dialect_name: str) -> None:
        native = dialect_name == "postgresql"

        def plain(column: Any) -> Any:
            kind = column.type
            if native and isinstance(kind, schema.Money):
                return type_coerce(column, Numeric(kind.precision, kind.scale, asdecimal=True)).label(column.name)
            return column

        account = tuple(plain(column) for column in ACCOUNT)
        party_id, account_id = bindparam("party_id", type_=String), bindparam("account_id", type_=String)
        ref = schema.account_reference
        self.party_graph = (
            select(*account, *RELATION, *PARTY, ref.c.reference)
            .select_from(
                a.join(r, r.c.account_id == a.c.account_id)
                .outerjoin(p, p.c.party_id == r.c.party_id)
                .outerjoin(
                    ref,
                    and_(
                        ref.c.account_id == a.c.account_id,
                        ref.c.party_id == party_id,
                        ref.c.consumer_org == bindparam("consumer_org", type_=String),
                        ref.c.account_info_request_id == bindparam("case", type_=String),
                    ),
                )
            )
            .where(
                a.c.account_id.in_(
                    select(r.c.account_id).where(
                        r.c.party_id == party_id,
                        # Constants in the SQL text: an expanding IN parameter is re-rendered per execution.
                        r.c.role.in_([literal_column(f"'{role.value}'") for role in sorted(ACCESS_ROLES)]),
                    )
                )
            )
            .order_by(a.c.account_id, r.c.party_id, r.c.role, r.c.start_date)
        )
        latest = (
            select(b.c.day, plain(b.c.amount))
            .where(b.c.account_id == account_id, b.c.day <= bindparam("day", type_=b.c.day.type))
            .order_by(b.c.day.desc())
            .limit(1)
            .subquery("latest")
        )
        self.account_graph = (
            select(*account, *RELATION, *PARTY, latest.c.day, latest.c.amount)
            .select_from(
                a.outerjoin(r, r.c.account_id == a.c.account_id)
                .outerjoin(p, p.c.party_id == r.c.party_id)
                .outerjoin(latest, true())
            )
            .where(a.c.account_id == account_id)
            .order_by(r.c.party_id, r.c.role, r.c.start_date)
        )
        self.reference = (
            select(ref.c.reference, ref.c.consumer_org, ref.c.account_info_request_id, ref.c.party_id, *account)
            .join(a, a.c.account_id == ref.c.account_id)
            .where(ref.c.reference == bindparam("reference", type_=String))
        )
        transaction = tuple(plain(column) for column in TRANSACTION)
        self.pages = {after: self._page(account, transaction, account_id, after) for after in (False, True)}

    @staticmethod
    def _page(account: tuple[Any, ...], transaction: tuple[Any, ...], account_id: Any, after: bool) -> Select[Any]:
        """Columns: the account's, then the transaction's (all ``NULL`` when the page is empty)."""
        booking = t.c.booking_date
        conditions = [
            t.c.account_id == account_id,
            booking >= bindparam("start", type_=booking.type),
            booking < bindparam("end", type_=booking.type),
        ]
        if after:
            # A row-value comparison: one index range on (account_id, booking_date, identifier).
            conditions.append(
                tuple_(booking, t.c.transaction_identifier)
                > tuple_(
                    bindparam("after_booking", type_=booking.type),
                    bindparam("after_identifier", type_=t.c.transaction_identifier.type),
                )
            )
        page = (
            select(*transaction)
            .where(*conditions)
            .order_by(booking, t.c.transaction_identifier)
            .limit(bindparam("limit", type_=Integer))
            .subquery("page")
        )
        return (
            select(*account, *page.c)
            .select_from(a.outerjoin(page, true()))
            .where(a.c.account_id == account_id)
            .order_by(page.c.booking_date, page.c.transaction_identifier)
        )


_STATEMENTS: dict[str, Statements] = {}


def statements(dialect_name: str) -> Statements:
    found = _STATEMENTS.get(dialect_name)
    if found is None:
        found = _STATEMENTS[dialect_name] = Statements(dialect_name)
    return found


def graph_of(
    rows: Iterable[Sequence[Any]], *, with_booked: bool = False, with_references: bool = False
) -> AccountGraph:
    """Rows of ``party_graph`` (``with_references``) or ``account_graph`` (``with_booked``)."""
    accounts: dict[str, AccountRow] = {}
    relations: list[RelationRow] = []
    parties: dict[str, PartyRow] = {}
    stored: set[str] = set()
    booked = None
    for row in rows:
        account_id = row[0]
        if account_id not in accounts:
            accounts[account_id] = account_at(row)
            if with_booked and row[_A + _R + _P] is not None:
                booked = BookedBalanceRow(account_id=account_id, day=row[_A + _R + _P], amount=row[_A + _R + _P + 1])
        if row[_A] is not None:  # an account without relations (outer join)
            relations.append(relation_at(row, _A))
        party = party_at(row, _A + _R)
        if party is not None:
            parties[party.party_id] = party
        if with_references and row[_A + _R + _P] is not None:
            stored.add(row[_A + _R + _P])
    return AccountGraph(accounts, relations, parties, booked, frozenset(stored))


def page_parameters(
    account_id: str, start: datetime, end: datetime, after: tuple[datetime, str] | None, limit: int
) -> dict[str, Any]:
    parameters: dict[str, Any] = {"account_id": account_id, "start": start, "end": end, "limit": limit}
    if after is not None:
        parameters["after_booking"], parameters["after_identifier"] = after
    return parameters


_CREDIT_DEBIT: dict[str | None, CreditOrDebit | None] = {
    None: None,
    **{member.value: member for member in CreditOrDebit},
}
_STATUS: dict[str | None, TransactionStatus | None] = {
    None: None,
    **{member.value: member for member in TransactionStatus},
}


def transactions_at(rows: Iterable[Sequence[Any]], at: int) -> list[Transaction]:
    """The transactions in ``rows`` from column ``at`` on (a row whose identifier is ``NULL`` is skipped).

    Equal JSON texts (the same shop, employer or reference layout) are decoded once per call: the
    transactions of one answer may share those values, answers never do (``fresh_bodies``).
    """
    out: list[Transaction] = []
    append = out.append
    references: dict[str, Any] = {}
    counter_parties: dict[str, Any] = {}
    for row in rows:
        (
            identifier,
            booking,
            value,
            registered,
            status,
            credit_debit,
            reversal,
            amount,
            currency,
            info,
            merchant,
            domain,
            family,
            sub_family,
            free_text,
            refs,
            parties,
            fx_original,
            fx_source,
            fx_target,
            fx_unit,
            fx_rate,
            card_number,
            holder,
            card_start,
            card_expiry,
            issuer_name,
            issuer_value,
            issuer_type,
            issuer_country,
            card_type,
            card_status,
            card_version,
        ) = row[at:]
        if identifier is None:
            continue
        code = fx = card = None
        if domain is not None or family is not None or sub_family is not None or free_text is not None:
            code = BankTransactionCode(
                domain=enum(DomainType, domain),
                family=enum(FamilyType, family),
                sub_family=enum(SubFamilyType, sub_family),
                free_text=free_text,
            )
        if (
            fx_original is not None
            or fx_source is not None
            or fx_target is not None
            or fx_unit is not None
            or fx_rate is not None
        ):
            fx = CurrencyExchange(
                original_amount=fx_original,
                source_currency=fx_source,
                target_currency=fx_target,
                unit_currency=fx_unit,
                exchange_rate=fx_rate,
            )
        if card_number is not None:
            card = payment_card(
                card_number,
                holder,
                card_start,
                card_expiry,
                issuer_name,
                issuer_value,
                issuer_type,
                issuer_country,
                card_type,
                card_status,
                card_version,
            )
        if refs is not None:
            decoded = references.get(refs)
            if decoded is None:
                decoded = references[refs] = _REFERENCES.decode(refs)
            refs = decoded
        if parties is not None:
            decoded = counter_parties.get(parties)
            if decoded is None:
                decoded = counter_parties[parties] = _COUNTER_PARTIES.decode(parties)
            parties = decoded
        append(
            Transaction(
                transaction_identifier=identifier,
                references=refs,
                credit_debit_indicator=_CREDIT_DEBIT[credit_debit]
                if credit_debit in _CREDIT_DEBIT
                else CreditOrDebit(credit_debit),
                reversal_indicator=reversal,
                status=_STATUS[status] if status in _STATUS else TransactionStatus(status),
                transaction_code=code,
                booking_date=booking if booking.tzinfo is not None else booking.replace(tzinfo=UTC),
                value_date=value if value is None or value.tzinfo is not None else value.replace(tzinfo=UTC),
                counter_parties=parties,
                additional_info=info,
                currency_exchange=fx,
                merchant=merchant,
                payment_card=card,
                registered=registered
                if registered is None or registered.tzinfo is not None
                else registered.replace(tzinfo=UTC),
                amount=amount,
                currency=currency,
            )
        )
    return out


def payment_card(
    number: str,
    holder: str | None,
    start: str | None,
    expiry: str | None,
    issuer_name: str | None,
    issuer_value: str | None,
    issuer_type: str | None,
    issuer_country: str | None,
    kind: str | None,
    status: str | None,
    version: str | None,
) -> PaymentCard:
    issuer = None
    if issuer_value is not None:
        if issuer_type is None:
            raise ValueError(f"card {number}: an issuer identifier without its type")
        issuer = Identifier(country_of_residence=issuer_country, value=issuer_value, type=IdentifierType(issuer_type))
    return PaymentCard(
        card_identifier=number,
        holder_name=holder,
        start_date=start,
        expiry_date=expiry,
        card_issuer_name=issuer_name,
        type=enum(CardType, kind),
        card_status=enum(CardStatus, status),
        version_number=version,
        card_issuer_identifier=issuer,
    )


__all__ = [
    "ACCOUNT",
    "PARTY",
    "RELATION",
    "TRANSACTION",
    "Statements",
    "account_at",
    "aware",
    "enum",
    "graph_of",
    "page_parameters",
    "party_at",
    "payment_card",
    "relation_at",
    "statements",
    "transactions_at",
]
