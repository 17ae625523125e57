"""Schemathesis against the relations hub's own OpenAPI document: no generated request gets a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opendsop.relations.app import create_app
from opendsop.standard.values import parse_date
from tests.fuzz import assert_no_server_errors, fuzz
from tests.hostile import assert_sweep_clean, sweep
from tests.relations.conftest import AUDIENCE, BANK_A, NOW, SKATT, settings_for

ADMIN = "fuzz-admin-token"


def test_no_generated_request_gets_a_server_error(tmp_path: Path, token_issuer: Any) -> None:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'relations.db'}", admin_token=ADMIN)
    app = create_app(settings, clock=lambda: NOW, verifier=token_issuer.verifier(None), resume_batches=False)

    def headers(case: Any) -> dict[str, str]:
        if case.path.startswith(("/internal", "/catalogue")):
            return {"Authorization": f"Bearer {ADMIN}"}
        if case.path.startswith("/customers/financialInstitutions"):  # a bank writing its own KFR entries
            case.path_parameters = {**(case.path_parameters or {}), "fid": BANK_A}
            return {"Authorization": "Bearer " + token_issuer.mint(BANK_A, "bits:kundeforhold.write", AUDIENCE)}
        scopes = "bits:kundeforhold bits:kundeforhold.konto"
        return {"Authorization": "Bearer " + token_issuer.mint(SKATT, scopes, AUDIENCE)}

    assert_no_server_errors("relations hub", fuzz(app, schema_path="/schema/openapi.json", headers=headers))


FOREIGN_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
HOSTILE_DATES = st.one_of(
    st.sampled_from(
        [
            "2020-01-01".translate(FOREIGN_DIGITS),
            "2020-01-01\n",
            " 2020-01-01",
            "0001-01-01",
            "9999-12-31",
            "2020-02-30",
            "20200101",
            "2020-1-1",
            "\u0662\u0660\u0662\u0660-01-01",
        ]
    ),
    st.text(alphabet="0123456789-\n\t \u3000０１２", max_size=12).filter(lambda text: text.strip() != ""),
)


def is_plain_date(value: str) -> bool:
    try:
        parse_date(value, parameter="date")
    except ValueError:
        return False
    return True


def test_hostile_query_dates_get_err_003(tmp_path: Path, token_issuer: Any) -> None:
    """customerRelationships: any date not plainly written YYYY-MM-DD is ERR-003 (KAR.yaml), never a 5xx."""
    from litestar.testing import TestClient

    from tests.relations.test_lookup_app import CUSTOMER, PATH, rel_headers

    app = create_app(
        settings_for(f"sqlite+aiosqlite:///{tmp_path / 'relations.db'}"),
        clock=lambda: NOW,
        verifier=token_issuer.verifier(None),
        resume_batches=False,
    )
    with TestClient(app) as client:

        @settings(
            max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        @given(which=st.sampled_from(["fromDate", "toDate"]), value=HOSTILE_DATES)
        def run(which: str, value: str) -> None:
            if is_plain_date(value):
                return  # a plainly written date: other rules (period, look-back) decide, tested elsewhere
            params = {"fromDate": "2020-01-01", "toDate": "2026-01-15", which: value}
            token = "Bearer " + token_issuer.mint(SKATT, "bits:kundeforhold", AUDIENCE)
            response = client.get(PATH, params=params, headers=rel_headers(token, customer=CUSTOMER))
            assert response.status_code == 400, response.text
            assert response.json()["errorCode"] == "ERR-003", response.text

        run()


def test_no_hostile_value_gets_a_server_error(tmp_path: Path, token_issuer: Any) -> None:
    settings = settings_for(f"sqlite+aiosqlite:///{tmp_path / 'relations.db'}", admin_token=ADMIN)
    app = create_app(settings, clock=lambda: NOW, verifier=token_issuer.verifier(None), resume_batches=False)
    token = token_issuer.mint(
        SKATT, "bits:kundeforhold bits:kundeforhold.konto bits:kundeforhold.write", AUDIENCE, lifetime=600
    )
    assert_sweep_clean("relations hub", *sweep(app, headers=lambda: {"Authorization": f"Bearer {token}"}))
