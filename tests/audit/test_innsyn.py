"""Innsyn over HTTP, in-process: a person sees what each party logged about them, checked; nothing more.

Two parties (a bank and a consent source) serve their audit API over a signed in-memory log; the innsyn
service fans out to both with person-bound tokens.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from opendsop.audit.api import audit_routes
from opendsop.audit.innsyn_app import Holder, InnsynConfig, create_app
from opendsop.audit.log import AuditRecord, MemoryAuditLog
from opendsop.audit.signing import Signer
from opendsop.standard.identifiers import generate_fodselsnummer

pytestmark = pytest.mark.anyio
ANNE, BO = (generate_fodselsnummer(__import__("random").Random(seed), date(1980, 1, 2)) for seed in (1, 2))
BANK, SOURCE = Signer.generate("bank-984851006"), Signer.generate("source-nav")
INNSYN, PROSECUTION, STRANGER = Signer.generate("innsyn"), Signer.generate("prosecution"), Signer.generate("innsyn")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def record(
    person: str, service: str, *, case: str, consent: str | None = None, outcome: str = "allowed"
) -> AuditRecord:
    return AuditRecord(
        recorded_at=datetime(2026, 11, 27, 9, tzinfo=UTC),
        account_info_request_id=case,
        consumer_org="915429785" if service == "politi" else "974760673",
        service=service,
        endpoint="accountList",
        party_id=person,
        outcome=outcome,
        status=200,
        consent_id=consent,
    )


class World:
    def __init__(self, tmp_path: Path, clock: Clock) -> None:
        self.clock = clock
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.keys_file = tmp_path / "keys.json"
        keys = {s.name: s.public_b64 for s in (BANK, SOURCE, INNSYN, PROSECUTION)}
        self.keys_file.write_text(json.dumps(keys))
        self.bank = MemoryAuditLog(origin=BANK.name, signer=BANK, clock=clock)
        self.source = MemoryAuditLog(origin=SOURCE.name, signer=SOURCE, clock=clock)
        self.apps = {
            "http://bank.test": self._party(self.bank),
            "http://nav.test": self._party(self.source),
        }
        config = InnsynConfig(
            signer=INNSYN,
            holders=[Holder(BANK.name, "http://bank.test", "Banken"), Holder(SOURCE.name, "http://nav.test", "NAV")],
            keys=lambda: {name: base64.b64decode(key) for name, key in keys.items()},
            names={"915429785": "Politiet", "974760673": "Konkursforvaltning"},
            mounts={url: httpx.ASGITransport(app=app) for url, app in self.apps.items()},
        )
        self.innsyn = create_app(config, secret="s" * 32, clock=clock)

    def _party(self, log: MemoryAuditLog) -> Litestar:
        return Litestar(audit_routes(lambda: log, keys_file=str(self.keys_file), clock=self.clock))

    def party(self, url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.apps[url]), base_url=url)

    async def seen_by(self, person: str, *, http: httpx.AsyncClient | None = None) -> list[dict[str, Any]]:
        client = http or httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.innsyn), base_url="http://innsyn.test"
        )
        login = await client.get("/login", params={"next": "/innsyn"})
        token = _CSRF.search(login.text)
        assert token
        await client.post("/login/person", data={"csrf": token.group(1), "pid": person, "next": "/innsyn"})
        page = await client.get("/innsyn", params={"format": "json"})
        assert page.status_code == 200, page.text
        return list(page.json()["entries"])


async def test_a_person_sees_every_disclosure_about_them_checked_and_a_police_request_only_once_lifted(
    tmp_path: Path,
) -> None:
    world = World(tmp_path, Clock())
    await world.bank.append(record(ANNE, "konkurs", case="k-1"))
    await world.bank.append(record(BO, "konkurs", case="k-2"))  # someone else's: never shown to Anne
    await world.bank.append(record(ANNE, "politi", case="p-1"))
    await world.bank.append(record(ANNE, "konkurs", case="k-3", outcome="ACC-011"))  # refused: nothing disclosed
    await world.source.append(record(ANNE, "nav-ssu", case="s-1", consent="consent-42"))
    seen = await world.seen_by(ANNE)
    assert sorted((e["holder"], e["service"], e["consent"]) for e in seen) == [
        ("Banken", "konkurs", None),
        ("NAV", "nav-ssu", "consent-42"),
    ]
    assert all(e["proven"] for e in seen) and seen[0]["who"].endswith("(974760673)")
    token = PROSECUTION.token({"aud": BANK.name, "scope": "dsop:audit.lift", "lift": "p-1"}, now=world.clock())
    async with world.party("http://bank.test") as bank:
        lifted = await bank.post("/audit/v1/lifts", headers={"Authorization": f"Bearer {token}"})
        assert lifted.status_code == 201
    after = await world.seen_by(ANNE)
    assert [e["who"] for e in after if e["service"] == "politi"] == ["Politiet (915429785)"]
    assert await world.bank.verify() == 5  # the lift is a record of its own


async def test_an_embargoed_entry_changes_nothing_the_person_can_see(tmp_path: Path) -> None:
    with_police, without = World(tmp_path / "a", Clock()), World(tmp_path / "b", Clock())
    for world in (with_police, without):
        await world.bank.append(record(ANNE, "konkurs", case="k-1"))
    await with_police.bank.append(record(ANNE, "politi", case="p-1"))
    await without.bank.append(record(BO, "konkurs", case="k-2"))  # the same size of log, someone else's record
    seen_with, seen_without = await with_police.seen_by(ANNE), await without.seen_by(ANNE)
    strip = [{k: v for k, v in e.items() if k not in {"problem"}} for e in seen_with]
    assert strip == [{k: v for k, v in e.items() if k not in {"problem"}} for e in seen_without]


@pytest.mark.parametrize(
    ("issuer", "claims", "status"),
    [
        (INNSYN, {"aud": "bank-000000000"}, 401),  # for another party
        (STRANGER, {}, 401),  # someone else's key calling itself innsyn
        (INNSYN, {"scope": "dsop:audit.read"}, 403),  # the wrong scope
        (INNSYN, {"exp_in": -1}, 401),  # expired
    ],
)
async def test_a_token_that_is_not_the_person_s_is_refused(
    tmp_path: Path, issuer: Signer, claims: dict[str, Any], status: int
) -> None:
    world = World(tmp_path, Clock())
    await world.bank.append(record(ANNE, "konkurs", case="k-1"))
    base = {"sub": ANNE, "aud": BANK.name, "scope": "dsop:innsyn", **claims}
    moment = world.clock() - timedelta(minutes=10) if base.pop("exp_in", 0) else world.clock()
    token = issuer.token(base, now=moment)
    async with world.party("http://bank.test") as bank:
        answer = await bank.post("/audit/v1/innsyn", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == status and answer.json()["code"].startswith("AUD-")


async def test_the_page_asks_for_the_logged_in_person_only_and_an_expired_session_logs_in_again(tmp_path: Path) -> None:
    world = World(tmp_path, Clock())
    await world.bank.append(record(BO, "konkurs", case="k-2"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.innsyn), base_url="http://innsyn.test"
    ) as http:
        assert await world.seen_by(ANNE, http=http) == []
        sneaky = await http.get("/innsyn", params={"format": "json", "pid": BO, "sub": BO})
        assert sneaky.json()["entries"] == []  # the person comes from the session, never from the request
        world.clock.now += timedelta(hours=2)
        expired = await http.get("/innsyn", params={"format": "json"})
        assert expired.status_code == 303 and expired.headers["location"].startswith("/login")


async def test_an_auditor_reads_the_whole_log_with_its_own_scope_and_checkpoints_are_public(tmp_path: Path) -> None:
    auditor = Signer.generate("auditor")
    world = World(tmp_path, Clock())
    keys = json.loads(world.keys_file.read_text())
    world.keys_file.write_text(json.dumps({**keys, "auditor": auditor.public_b64}))
    await world.bank.append(record(ANNE, "politi", case="p-1"))  # embargoed for Anne, not for the auditor
    await world.bank.append(record(BO, "konkurs", case="k-2"))
    await world.bank.checkpoint()
    read = auditor.token({"aud": BANK.name, "scope": "dsop:audit.read"}, now=world.clock())
    wrong = INNSYN.token({"sub": ANNE, "aud": BANK.name, "scope": "dsop:innsyn"}, now=world.clock())
    async with world.party("http://bank.test") as bank:
        found = await bank.get(
            "/audit/v1/records", params={"service": "politi"}, headers={"Authorization": f"Bearer {read}"}
        )
        refused = await bank.get("/audit/v1/records", headers={"Authorization": f"Bearer {wrong}"})
        anonymous = await bank.get("/audit/v1/records")
        checkpoints = await bank.get("/audit/v1/checkpoints")
    assert found.status_code == 200 and [row["account_info_request_id"] for row in found.json()] == ["p-1"]
    assert (refused.status_code, refused.json()["code"]) == (403, "AUD-002")
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "AUD-001")
    assert [c["size"] for c in checkpoints.json()] == [2]
