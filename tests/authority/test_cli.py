"""`dsop authority …` commands (the typer app in authority.cli), driven with CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opendsop.authority.cli import app
from opendsop.trust.keys import generate_rsa_key, private_key_pem, public_jwk, public_jwks
from tests.authority.authority_helpers import KID_CLIENT, SKATT, SUPPLIER

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'var' / 'authority.db'}"  # var/ does not exist yet


def run(db: str, *args: str) -> Any:
    return runner.invoke(app, ["--database-url", db, *args])


def test_client_add_and_list(db: str, tmp_path: Path, client_key: Any) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(public_jwks([client_key])))
    assert run(db, "client", "add", KID_CLIENT, "--org", SKATT, "--scope", "bits:kontoinformasjon",
               "--jwks", str(jwks)).exit_code == 0  # fmt: skip
    assert run(db, "client", "add", "lev", "--org", SUPPLIER, "--certificate").exit_code == 0
    assert run(db, "scope", "grant", "lev", "bits:kundeforhold").exit_code == 0
    listing = run(db, "client", "list", "--json")
    assert listing.exit_code == 0
    assert [json.loads(line) for line in listing.output.splitlines()] == [  # sorted by client_id
        {"client_id": "lev", "organisation_number": SUPPLIER, "auth_method": "virksomhetssertifikat",
         "scopes": ["bits:kundeforhold"], "kids": []},
        {"client_id": KID_CLIENT, "organisation_number": SKATT, "auth_method": "private_key_jwt",
         "scopes": ["bits:kontoinformasjon"], "kids": ["client-key-1"]},
    ]  # fmt: skip
    table = runner.invoke(app, ["--database-url", db, "client", "list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert "virksomhetssertifikat" in table.output and "client-key-1" in table.output


def test_the_database_url_comes_from_the_environment(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'env.db'}"
    env = {"DSOP_AUTHORITY_DATABASE_URL": url}
    assert runner.invoke(app, ["client", "add", "c", "--org", SKATT, "--certificate"], env=env).exit_code == 0
    assert (tmp_path / "env.db").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(["client", "add", "c", "--org", "974761077", "--certificate"], "not a valid 9-digit", id="orgno"),
        pytest.param(["client", "add", "c", "--org", SKATT], "give either a JWKS", id="no-method"),
        pytest.param(["client", "add", "c", "--org", SKATT, "--certificate", "--scope", 'a"b'], "not a valid scope",
                     id="scope-syntax"),
        pytest.param(["client", "add", "c", "--org", SKATT, "--jwks", "/nonexistent.json"], "cannot read JWKS",
                     id="jwks-missing"),
        pytest.param(["scope", "grant", "ghost", "a:b"], "client ghost is not registered", id="grant-unknown-client"),
        pytest.param(["delegation", "add", "--consumer", SKATT, "--supplier", SKATT, "--scope", "a"],
                     "cannot delegate to itself", id="self-delegation"),
        pytest.param(["delegation", "add", "--consumer", "123", "--supplier", SUPPLIER, "--scope", "a"],
                     "not a valid 9-digit", id="delegation-orgno"),
    ],
)  # fmt: skip
def test_bad_registrations_fail_with_a_clear_message(db: str, args: list[str], words: str) -> None:
    result = run(db, *args)
    assert result.exit_code == 1
    assert words in " ".join(result.output.split())


def test_a_jwks_with_private_keys_is_refused(db: str, tmp_path: Path) -> None:
    key = generate_rsa_key(kid="k")
    jwks = tmp_path / "private.json"
    jwks.write_text(json.dumps({"keys": [dict(key.as_dict(private=True))]}))
    result = run(db, "client", "add", "c", "--org", SKATT, "--jwks", str(jwks))
    assert result.exit_code == 1
    assert "private key material" in result.output
    assert private_key_pem(key)  # the key was a real private key


def test_a_jwks_key_without_kid_is_refused(db: str, tmp_path: Path) -> None:
    jwk = public_jwk(generate_rsa_key(kid="k"))
    del jwk["kid"]
    jwks = tmp_path / "nokid.json"
    jwks.write_text(json.dumps({"keys": [jwk]}))
    result = run(db, "client", "add", "c", "--org", SKATT, "--jwks", str(jwks))
    assert result.exit_code == 1 and "has no kid" in result.output


def test_a_client_is_registered_once(db: str) -> None:
    assert run(db, "client", "add", "c", "--org", SKATT, "--certificate").exit_code == 0
    result = run(db, "client", "add", "c", "--org", SKATT, "--certificate")
    assert result.exit_code == 1 and "already registered" in result.output


def test_rotate_key_makes_a_new_active_key(db: str) -> None:
    first = run(db, "rotate-key")
    second = run(db, "rotate-key")
    assert first.exit_code == 0 and second.exit_code == 0
    assert first.output.split()[-1] != second.output.split()[-1]


def test_delegation_add(db: str) -> None:
    result = run(
        db, "delegation", "add", "--consumer", SKATT, "--supplier", SUPPLIER, "--scope", "bits:kontoinformasjon"
    )
    assert result.exit_code == 0
    assert f"{SKATT} delegates bits:kontoinformasjon to {SUPPLIER}" in result.output
