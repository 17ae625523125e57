"""AuthoritySettings: environment prefix DSOP_AUTHORITY_, defaults from Maskinporten, PKI roots from PEM files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from opendsop.authority.app import load_pki_roots
from opendsop.authority.settings import AuthoritySettings
from opendsop.trust.pki import certificate_pem
from tests.authority.authority_helpers import Pki


def test_defaults_follow_maskinporten(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ISSUER", "DATABASE_URL", "TOKEN_LIFETIME_SECONDS", "PKI_ROOTS"):
        monkeypatch.delenv(f"DSOP_AUTHORITY_{name}", raising=False)
    settings = AuthoritySettings()
    assert settings.token_lifetime_seconds == 120
    assert settings.max_grant_lifetime_seconds == 120
    assert settings.clock_skew_seconds == 10
    assert settings.database_url == "sqlite+aiosqlite:///var/authority.db"
    assert settings.metadata_url == settings.issuer.rstrip("/") + "/.well-known/oauth-authorization-server"


def test_environment_and_pki_roots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pki: Pki) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(certificate_pem(pki.root.certificate) + certificate_pem(pki.other_root.certificate))
    monkeypatch.setenv("DSOP_AUTHORITY_ISSUER", "https://authority.example/")
    monkeypatch.setenv("DSOP_AUTHORITY_PKI_ROOTS", f'["{bundle}"]')
    monkeypatch.setenv("DSOP_AUTHORITY_TOKEN_LIFETIME_SECONDS", "60")
    settings = AuthoritySettings()
    assert settings.token_endpoint == "https://authority.example/token"
    assert settings.token_lifetime_seconds == 60
    assert load_pki_roots(settings) == [pki.root.certificate, pki.other_root.certificate]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("issuer", "authority.example", id="issuer-not-a-url"),
        pytest.param("issuer", "https://a.example/?x=1", id="issuer-with-query"),
        pytest.param("token_lifetime_seconds", 0, id="zero-lifetime"),
        pytest.param("unknown_setting", 1, id="unknown-key"),
    ],
)
def test_bad_settings_fail_at_startup_naming_the_key(name: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        AuthoritySettings(**{name: value})  # type: ignore[arg-type]
    assert name in str(caught.value)
