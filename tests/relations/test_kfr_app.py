"""The KFR write API over HTTP (DSOP Kundeforholdsregister “Om”; KAR.yaml "Financial institution")."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from opendsop.relations.app import Hub
from opendsop.relations.batch import MAX_BATCH_BYTES
from tests.relations.conftest import BANK_A, BANK_B, TODAY, orgnr, person

pytestmark = pytest.mark.anyio
T = TypeVar("T")
WRITE = "bits:kundeforhold.write"
CUSTOMER = person(21)
ONE = f"/customers/financialInstitutions/{BANK_A}/relationshipType/DSOPBANK"
BATCH = f"/customers/financialInstitutions/{BANK_A}/batch"
OWN = f"/customers/financialInstitutions/{BANK_A}/"


def hub_of(client: AsyncTestClient[Litestar]) -> Hub:
    service: Hub = client.app.state.relations
    return service


async def in_app(client: AsyncTestClient[Litestar], fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    """Run a coroutine function on the app's own event loop (the test client runs the app in a portal)."""
    return await anyio.to_thread.run_sync(client.blocking_portal.call, fn, *args)


async def drain(client: AsyncTestClient[Litestar]) -> None:
    await in_app(client, hub_of(client).worker.drain)


async def count_open(client: AsyncTestClient[Litestar], org: str | None = None) -> int:
    return await in_app(client, hub_of(client).kfr.count_open, org)


def write_headers(token: str, customer: str | None = CUSTOMER, correlation: str | None = None) -> dict[str, str]:
    headers = {"Authorization": token, "CorrelationID": correlation or str(uuid.uuid4())}
    if customer is not None:
        headers["CustomerID"] = customer
    return headers


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["errorCode"] == code and body["errorMessage"] and body["timestamp"]
    return body


async def test_add_then_already_present_then_delete_then_404(
    client: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    bearer = token(BANK_A, WRITE)
    correlation = str(uuid.uuid4())
    first = await client.post(ONE, headers=write_headers(bearer, correlation=correlation))
    assert first.status_code == 201 and first.headers["CorrelationID"] == correlation
    again = await client.post(ONE, headers=write_headers(bearer))
    assert again.status_code == 200
    assert await count_open(client, BANK_A) == 1
    gone = await client.delete(ONE, headers=write_headers(bearer, correlation=correlation))
    assert gone.status_code == 204 and gone.headers["CorrelationID"] == correlation
    twice = await client.delete(ONE, headers=write_headers(bearer, correlation=correlation))
    _error(twice, 404, "KFR-008")
    assert twice.headers["CorrelationID"] == correlation


async def test_own_registrations(client: AsyncTestClient[Litestar], token: Callable[[str, str], str]) -> None:
    bearer = token(BANK_A, WRITE)
    assert (await client.post(ONE, headers=write_headers(bearer))).status_code == 201
    found = await client.get(OWN, headers=write_headers(bearer), params={"fromDate": "2025-01-01"})
    assert found.status_code == 200, found.text
    assert found.json() == {"banks": [{"organizationID": BANK_A, "bankName": BANK_A, "activeAccount": False}]}
    other = await client.get(OWN, headers=write_headers(bearer, customer=person(22)))
    assert other.json() == {"banks": []}
    _error(await client.get(OWN, headers=write_headers(bearer, customer="123")), 400, "ERR-002")
    _error(await client.get(OWN, headers=write_headers(bearer), params={"fromDate": "2025/01/01"}), 400, "ERR-003")
    _error(await client.get(OWN, headers=write_headers(token(BANK_B, WRITE))), 403, "ERR-001")
    _error(await client.get(OWN, headers=write_headers("Bearer x")), 401, "ERR-001")


WRITE_ERRORS = [
    ("no-token", None, ONE, {}, 401, "KFR-001"),
    ("wrong-scope", (BANK_A, "bits:kundeforhold"), ONE, {}, 403, "KFR-002"),
    ("other-bank", (BANK_B, WRITE), ONE, {}, 403, "KFR-003"),
    ("unknown-type", (BANK_A, WRITE), ONE.replace("DSOPBANK", "NICSBANK"), {}, 400, "KFR-009"),
    ("bad-customer", (BANK_A, WRITE), ONE, {"CustomerID": "12345678901"}, 400, "KFR-005"),
    ("no-correlation", (BANK_A, WRITE), ONE, {"CorrelationID": ""}, 400, "KFR-004"),
]


@pytest.mark.parametrize("method", ["POST", "DELETE"])
@pytest.mark.parametrize(
    ("who", "path", "changes", "status", "code"), [w[1:] for w in WRITE_ERRORS], ids=[w[0] for w in WRITE_ERRORS]
)
async def test_write_errors(
    client: AsyncTestClient[Litestar],
    token: Callable[[str, str], str],
    method: str,
    who: tuple[str, str] | None,
    path: str,
    changes: dict[str, str],
    status: int,
    code: str,
) -> None:
    headers = write_headers(token(*who) if who else "")
    if who is None:
        del headers["Authorization"]
    headers.update(changes)
    response = await client.request(method, path, headers=headers)
    _error(response, status, code)
    assert response.headers.get("CorrelationID")
    assert await count_open(client) == 0


async def _upload(
    client: AsyncTestClient[Litestar],
    bearer: str,
    text: str | bytes,
    *,
    customer_type: str = "DSOPBANK",
    fid: str = BANK_A,
) -> Any:
    return await client.post(
        f"/customers/financialInstitutions/{fid}/batch",
        headers={"Authorization": bearer, "CorrelationID": str(uuid.uuid4())},
        data={"customer_type": customer_type},
        files={"customers": ("customers.csv", text, "text/csv")},
    )


async def test_batch_is_applied_and_idempotent(
    client: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    bearer = token(BANK_A, WRITE)
    text = f"{orgnr(5)}#2019-11-08,{person(31)},{person(32)}#2020-01-01"
    accepted = await _upload(client, bearer, text)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "pending" and accepted.json()["total"] == 3
    await drain(client)
    status = await client.get(accepted.headers["Location"], headers={"Authorization": bearer})
    assert status.json()["status"] == "applied" and status.json()["added"] == 3
    again = await _upload(client, bearer, text)
    await drain(client)
    second = (await client.get(again.headers["Location"], headers={"Authorization": bearer})).json()
    assert (second["status"], second["added"], second["unchanged"]) == ("applied", 0, 3)
    assert await count_open(client, BANK_A) == 3
    # the status belongs to the uploading institution only
    _error(
        await client.get(accepted.headers["Location"], headers={"Authorization": token(BANK_B, WRITE)}), 403, "KFR-003"
    )


async def test_bad_batch_stores_nothing_and_reports_every_line(
    client: AsyncTestClient[Litestar], token: Callable[[str, str], str]
) -> None:
    bearer = token(BANK_A, WRITE)
    text = f"{person(41)},{person(42)}\n1234,{person(43)}#2019-02-30\n{person(44)}#x#y"
    body = _error(await _upload(client, bearer, text), 400, "KFR-005")
    assert body["errorCount"] == 3
    assert [(e["line"], e["position"], e["code"]) for e in body["errors"]] == [
        (2, 1, "KFR-005"),
        (2, 2, "KFR-010"),
        (3, 1, "KFR-004"),
    ]
    await drain(client)
    assert await count_open(client) == 0
    assert await in_app(client, hub_of(client).kfr.pending_batches) == []


async def test_batch_form_errors(client: AsyncTestClient[Litestar], token: Callable[[str, str], str]) -> None:
    bearer = token(BANK_A, WRITE)
    _error(await _upload(client, bearer, person(51), customer_type="NICS"), 400, "KFR-009")
    _error(await _upload(client, token(BANK_B, WRITE), person(51)), 403, "KFR-003")
    _error(await _upload(client, token(BANK_A, "bits:kundeforhold"), person(51)), 403, "KFR-002")
    not_multipart = await client.post(
        BATCH, headers={"Authorization": bearer, "CorrelationID": str(uuid.uuid4())}, json={"customers": person(51)}
    )
    _error(not_multipart, 400, "KFR-004")
    assert await count_open(client) == 0


async def test_oversized_upload_is_refused(client: AsyncTestClient[Litestar], token: Callable[[str, str], str]) -> None:
    line = (person(61) + ",").encode()
    big = line * (MAX_BATCH_BYTES // len(line) + 1)
    response = await _upload(client, token(BANK_A, WRITE), big)
    body = _error(response, 400, "KFR-004")
    assert "10 MB" in body["errorMessage"]
    far_too_big = await _upload(client, token(BANK_A, WRITE), big * 2)  # refused while the body is read
    assert "10 MB" in _error(far_too_big, 400, "KFR-004")["errorMessage"]
    assert far_too_big.headers.get("CorrelationID")
    assert await in_app(client, hub_of(client).kfr.pending_batches) == []


async def test_batch_survives_restart(
    make_app: Callable[..., Litestar], database_url: str, token: Callable[[str, str], str]
) -> None:
    """Accepted then the process stops before applying: the next start applies it, nothing is lost."""
    bearer = token(BANK_A, WRITE)
    customers = [person(70 + i) for i in range(5)]
    async with AsyncTestClient(make_app(database_url, resume_batches=False)) as first:
        hub_of(first).worker.schedule = lambda batch_id: None  # type: ignore[method-assign]  # "crash" before applying
        accepted = await _upload(first, bearer, ",".join(customers))
        assert accepted.status_code == 201
        assert await count_open(first) == 0
    async with AsyncTestClient(make_app(database_url)) as second:
        await drain(second)
        status = await second.get(accepted.headers["Location"], headers={"Authorization": bearer})
        assert status.json()["status"] == "applied"
        assert await count_open(second, BANK_A) == len(customers)


async def test_merge_sees_kfr_writes(
    make_app: Callable[..., Litestar], database_url: str, token: Callable[[str, str], str]
) -> None:
    from opendsop.standard.mandate import SKATT

    async with AsyncTestClient(make_app(database_url)) as client:
        assert (await client.post(ONE, headers=write_headers(token(BANK_A, WRITE)))).status_code == 201
        headers = {
            "Authorization": token("974761076", "bits:kundeforhold"),
            "CustomerID": CUSTOMER,
            "CorrelationID": str(uuid.uuid4()),
            "AccountInfoRequestID": str(uuid.uuid4()),
            "Legal-Mandate": SKATT.encoded,
        }
        response = await client.get(
            "/customers/customerRelationships",
            headers=headers,
            params={"fromDate": TODAY.isoformat(), "toDate": TODAY.isoformat()},
        )
    assert response.json() == {"banks": [{"organizationID": BANK_A, "bankName": BANK_A, "activeAccount": False}]}


async def test_a_cut_database_is_503_with_retry_after_and_not_ready(
    make_app: Callable[..., Litestar],
    database_url: str,
    token: Callable[[str, str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A KFR write while the hub's database is cut: 503 KFR-007 with Retry-After, never 500; readiness
    false, liveness true; the write goes through once the database is back (SQLite and PostgreSQL)."""
    from tests.outages import database_cut

    monkeypatch.setenv("DSOP_SERVING_STATEMENT_TIMEOUT", "0.3")  # a write-locked SQLite file answers promptly
    async with AsyncTestClient(make_app(database_url, resume_batches=False)) as client:
        with database_cut(database_url):
            refused = await client.post(ONE, headers=write_headers(token(BANK_A, WRITE)))
            _error(refused, 503, "KFR-007")
            assert refused.headers["retry-after"].isdigit()
            ready = await client.get("/health/ready")
            assert (ready.status_code, ready.json()["checks"]["database"]) == (503, "unavailable")
            assert (await client.get("/health/live")).status_code == 200
        assert (await client.post(ONE, headers=write_headers(token(BANK_A, WRITE)))).status_code == 201
        assert (await client.get("/health/ready")).json() == {
            "status": "ready",
            "checks": {"database": "ok", "keys": "ok"},
        }
