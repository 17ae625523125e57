"""The production OED consumer's request sequence, replayed against ``dsop up`` over real HTTP.

Altinn's data.altinn.no banking plugin (``data-altinn-no/plugin-banking``: ``KARService``,
``KAR.Get``, ``BankService``, ``Bank_v2.ListTransactionsAsync``, with the ``Altinn.ApiClients.
Maskinporten`` grant) is what Digitalt dødsbo runs in production.  The client below is written with
plain httpx in the shapes that code sends — not with our SDK — so it fails the way the plugin fails:

* the grant carries ``x5c`` with the leaf enterprise certificate only (no ``kid``, no ``typ``), a
  10-second lifetime and no ``resource`` for KAR (so that token has no ``aud``);
* KAR gets the token *without* the ``Bearer`` scheme, ``onlyPrimaryOwner=true`` in the query and
  the Legal-Mandate URL-escaped;
* the banks come from the API catalogue; each bank's ``url`` is both the token's ``resource`` and the
  base the plugin appends ``accounts…`` to; answers are JWE and decrypted with the agency's key;
* transactions follow ``next`` by appending the href (leading ``/`` trimmed) to that base, with a
  fresh CorrelationID per page; the bank pages by four here, so an account takes many pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from typer.testing import CliRunner

from opendsop.authority.cli import app as authority_cli
from opendsop.clock import utc_now
from opendsop.ecosystem.provision import Paths
from opendsop.ecosystem.runner import Running
from opendsop.synth import generate
from opendsop.trust.jwe import decrypt_compact
from opendsop.trust.jwt import sign_jwt, unverified_claims
from opendsop.trust.keys import key_from_pem
from opendsop.trust.pki import CertificateAuthority, Credential, certificate_from_pem
from tests.ecosystem.harness import Background, tiny_topology

pytestmark = pytest.mark.timeout(600)
OSLO = ZoneInfo("Europe/Oslo")
PAGE_SIZE = 4
CLIENT_ID = "digdir-dodsbo-plugin"
# PluginConstants.LegalMandate: the text, Uri.EscapeDataString'd
LEGAL_MANDATE = quote("Arveloven § 92 første ledd og § 118, jf. § 88 a, jf. forskrift om Digitalt dødsbo", safe="")
DATA_NOT_DELIVERED = re.compile("dataNotDelivered", re.IGNORECASE)
POPULATION = generate("tiny").population()
DECEASED = next(death for death in POPULATION.deaths if any(a.owner_id == death.person_id for a in POPULATION.accounts))


@pytest.fixture(scope="module")
def ecosystem(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    topology = tiny_topology(tmp_path_factory.mktemp("plugin-banking"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DSOP_PROVIDER_PAGE_SIZE", str(PAGE_SIZE))  # read when dsop up builds each bank
        with Background(topology) as running:
            env.undo()
            yield running


@pytest.fixture(scope="module")
def enterprise_certificate(ecosystem: Running) -> Credential:
    """Digdir's virksomhetssertifikat from the local PKI, registered as a certificate client (the CLI)."""
    orgno = ecosystem.topology.agency_for("oed").orgno
    paths = Paths(ecosystem.topology.var_dir)
    pki = paths.keys / "pki"
    issuing = CertificateAuthority(
        certificate=certificate_from_pem((pki / "issuing.pem").read_bytes()),
        private_key=key_from_pem((pki / "issuing-key.pem").read_bytes()),
    )
    credential = issuing.issue_enterprise(orgno, organisation_name="DIGITALISERINGSDIREKTORATET", now=utc_now())
    result = CliRunner().invoke(
        authority_cli,
        [
            "--database-url",
            paths.database("authority"),
            "client",
            "add",
            CLIENT_ID,
            "--org",
            orgno,
            "--scope",
            "bits:kundeforhold",
            "--scope",
            "bits:kontoinformasjon",
            "--certificate",
        ],
    )
    assert result.exit_code == 0, result.output
    return credential


class PluginBanking:
    """The plugin's calls, one method per call site."""

    def __init__(self, running: Running, credential: Credential, http: httpx.Client) -> None:
        self.running = running
        self.credential = credential
        self.http = http
        agency = Paths(running.topology.var_dir).agency(running.topology.agency_for("oed").orgno)
        self.decryption_key = key_from_pem((agency / "encryption.pem").read_bytes())
        self.pages: dict[str, list[int]] = {}  # accountReference → transactions per page
        self.hrefs: list[str] = []

    # MaskinportenService.GetToken / GetJwtAssertion
    def token(self, scope: str, resource: str | None) -> str:
        der = self.credential.certificate.public_bytes(serialization.Encoding.DER)
        thumbprint = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
        issued = int(utc_now().timestamp())
        claims: dict[str, Any] = {
            "aud": self.running.urls["authority"] + "/",
            "scope": scope,
            "iss": CLIENT_ID,
            "exp": issued + 10,
            "iat": issued,
            "jti": str(uuid.uuid4()),
        }
        if resource:
            claims["resource"] = resource
        assertion = sign_jwt(
            claims,
            self.credential.private_key,
            alg="RS256",
            header={"typ": None, "kid": None, "x5t": thumbprint, "x5c": [base64.b64encode(der).decode()]},
        )  # the leaf only
        response = self.http.post(
            self.running.urls["authority"] + "/token",
            headers={"Accept": "application/json"},
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    # KARService.GetBanksForCustomer → KAR.Get → GetCustomerRelationAsync
    def banks_for_customer(self, ssn: str, from_date: date, to_date: date, case: str) -> list[dict[str, Any]]:
        token = self.token("bits:kundeforhold", None)
        assert "aud" not in unverified_claims(token)  # no resource asked: Maskinporten's token has no aud
        url = (
            f"{self.running.urls['relations']}/customers/customerRelationships?fromDate={from_date:%Y-%m-%d}"
            f"&toDate={to_date:%Y-%m-%d}&onlyPrimaryOwner=true"
        )
        response = self.http.get(
            url,
            headers={
                "Authorization": token,
                "CustomerID": ssn,  # no "Bearer"
                "CorrelationID": str(uuid.uuid4()),
                "Legal-Mandate": LEGAL_MANDATE,
                "AccountInfoRequestID": case,
                "Accept": "application/json",
            },
        )
        assert response.status_code == 200, response.text
        banks: list[dict[str, Any]] = response.json()["banks"]
        return banks

    # the Kontrollinformasjon dataset (GetEndpointsFromBitsPlugin)
    def endpoints(self) -> list[dict[str, Any]]:
        response = self.http.get(
            f"{self.running.urls['relations']}/catalogue/kontrollinformasjon", params={"environment": "test"}
        )
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries

    def _get(self, url: str, token: str, headers: dict[str, str]) -> dict[str, Any]:
        response = self.http.get(
            url, headers={**headers, "Authorization": f"Bearer {token}", "Accept": "application/jose"}
        )
        assert response.status_code == 200, (url, response.status_code, response.text)
        document: dict[str, Any] = json.loads(decrypt_compact(response.text, self.decryption_key))  # ProcessResponse
        return document

    # BankService.InvokeBank: GetAllAccounts, GetAccountById, ListTransactionsForAccount
    def bank(
        self, endpoint: dict[str, Any], ssn: str, from_date: date, to_date: date, case: str
    ) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
        token = self.token("bits:kontoinformasjon", endpoint["url"])  # BankAudience = the catalogue url
        base = endpoint["url"] if endpoint["url"].endswith("/") else endpoint["url"] + "/"
        period = f"fromDate={from_date:%Y-%m-%d}&toDate={to_date:%Y-%m-%d}"

        def headers() -> dict[str, str]:
            return {"AccountInfoRequestID": case, "CorrelationID": str(uuid.uuid4()), "Legal-Mandate": LEGAL_MANDATE}

        accounts = self._get(f"{base}accounts?OnlyPrimaryOwner=true&{period}", token, {**headers(), "PartyID": ssn})
        found = {}
        for account in accounts.get("accounts") or []:
            reference = account["accountReference"]
            if DATA_NOT_DELIVERED.search(reference):
                continue
            details = self._get(f"{base}accounts/{quote(reference, safe='')}?{period}", token, headers())
            transactions: list[dict[str, Any]] = []
            url: str | None = None
            while True:
                url = url or f"{base}accounts/{quote(reference, safe='')}/transactions?{period}"
                page = self._get(url, token, headers())  # a fresh CorrelationID per page
                transactions += page.get("transactions") or []
                self.pages.setdefault(reference, []).append(len(page.get("transactions") or []))
                following = [link["href"] for link in page.get("links") or [] if link["rel"].lower() == "next"]
                if not following:
                    break
                self.hrefs.append(following[0])
                url = base + following[0].lstrip("/")  # GetTransactionUrlBuilder
            found[account["accountIdentifier"]] = (details, transactions)
        return found


def _period() -> tuple[date, date]:
    """FraDato three months before the death (the OED window), TilDato today (Oslo)."""
    died = DECEASED.date_of_death
    month, year = died.month - 3, died.year
    if month <= 0:
        month, year = month + 12, year - 1
    return date(year, month, min(died.day, 28)), utc_now().astimezone(OSLO).date()


def _booked_in(kontonr: str, from_date: date, to_date: date) -> set[str]:
    start = datetime.combine(from_date, time(0), OSLO)
    end = datetime.combine(to_date, time(23, 59, 59, 999_999), OSLO)
    return {
        t.transaction_id
        for t in POPULATION.statement(kontonr)
        if t.booking_date is not None and start <= t.booking_date <= end
    }


def test_the_plugin_gets_every_account_and_every_page_of_transactions(
    ecosystem: Running, enterprise_certificate: Credential
) -> None:
    with httpx.Client(timeout=30.0) as http:
        _replay(PluginBanking(ecosystem, enterprise_certificate, http))


def _replay(plugin: PluginBanking) -> None:
    from_date, to_date = _period()
    case = str(uuid.uuid4())
    ssn = DECEASED.person_id

    related = {bank["organizationID"] for bank in plugin.banks_for_customer(ssn, from_date, to_date, case)}
    owned = [a for a in POPULATION.accounts if a.owner_id == ssn]
    assert related >= {a.bank_orgnr for a in owned}
    endpoints = [e for e in plugin.endpoints() if e["orgNo"] in related and e["version"].upper() == "V2"]
    assert endpoints

    found: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for endpoint in endpoints:
        found.update(plugin.bank(endpoint, ssn, from_date, to_date, case))

    assert set(found) == {a.kontonr for a in owned}
    for kontonr, (details, transactions) in found.items():
        assert details["account"]["accountIdentifier"] == kontonr
        identifiers = [t["transactionIdentifier"] for t in transactions]
        assert len(identifiers) == len(set(identifiers)), "a page repeated"
        assert set(identifiers) == _booked_in(kontonr, from_date, to_date)
    assert max(len(pages) for pages in plugin.pages.values()) >= 3, "some account must span several pages"
    assert all(size <= PAGE_SIZE for pages in plugin.pages.values() for size in pages)
    assert plugin.hrefs and all(href.startswith("/accounts/") for href in plugin.hrefs)  # relative to the base
