"""Configuration of the consumer CLI; the only module of ``opendsop.samtykke`` that reads the environment.

Environment variables (prefix ``DSOP_SAMTYKKE_``):

* ``ORG`` / ``CLIENT_ID`` / ``KEY_FILE`` — the consumer's organisation number, its client id at the
  token service and its private signing key (a JWK JSON file, or PEM with ``KID``);
* ``AUTHORITY_URL`` — the token service's issuer URL (the grant's ``aud``; ``/token`` below it);
* ``CONSENT_URL`` (+ ``CONSENT_AUDIENCE``) — the consent service;
* ``SKATTEETATEN_URL``, ``LANEKASSEN_URL``, ``NAV_URL``, ``KRAV_URL`` — the data sources, each with
  ``…_AUDIENCE`` (default: the audience ``opendsop.sources`` requires by default);
* ``LANEKASSEN_API_KEY`` — Lånekassen's static ``ApiKey``;
* ``REDIRECT_URL`` — where the consent service sends the person back (https); ``BANK_NAME`` — the
  official name shown in the guarantor's text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.samtykke.client import Endpoints, Identity, SamtykkeError, Service


class SamtykkeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_SAMTYKKE_", frozen=True, extra="forbid")

    org: str = ""
    client_id: str = ""
    key_file: Path | None = None
    kid: str | None = None
    authority_url: str = "http://127.0.0.1:8040/"
    consent_url: str = "http://127.0.0.1:8060"
    consent_audience: str | None = None
    skatteetaten_url: str | None = None
    skatteetaten_audience: str = "https://api.skatteetaten.test/"
    lanekassen_url: str | None = None
    lanekassen_audience: str = "https://ekstern01.api.test.lanekassen.no/"
    lanekassen_api_key: SecretStr = SecretStr("lanekassen-test-key")
    nav_url: str | None = None
    nav_audience: str = "https://api.nav.test/"
    krav_url: str | None = None
    krav_audience: str = "https://kravogbetalinger.api.skatteetaten.test/"
    redirect_url: str = "https://bank.test/samtykke/callback"
    bank_name: str | None = None

    def endpoints(self) -> Endpoints:
        def service(url: str | None, audience: str) -> Service | None:
            return Service(url.rstrip("/"), audience) if url else None

        return Endpoints(
            authority=self.authority_url, consent=Service(self.consent_url.rstrip("/"), self.consent_audience),
            skatteetaten=service(self.skatteetaten_url, self.skatteetaten_audience),
            lanekassen=service(self.lanekassen_url, self.lanekassen_audience),
            nav=service(self.nav_url, self.nav_audience), krav=service(self.krav_url, self.krav_audience),
            lanekassen_api_key=self.lanekassen_api_key.get_secret_value(),
        )  # fmt: skip

    def identity(self) -> Identity:
        if not self.org or not self.client_id or self.key_file is None:
            raise SamtykkeError(
                "set DSOP_SAMTYKKE_ORG, DSOP_SAMTYKKE_CLIENT_ID and DSOP_SAMTYKKE_KEY_FILE "
                "(or --org, --client-id, --key-file)"
            )
        return Identity(self.org, self.client_id, load_key(self.key_file, self.kid))


def load_key(path: Path, kid: str | None = None) -> Any:
    """A private signing key from a JWK JSON file or a PEM file."""
    from opendsop.trust.errors import TrustError
    from opendsop.trust.keys import as_jwk, key_from_pem

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SamtykkeError(f"the key file {path} cannot be read: {exc.strerror}") from None
    try:
        if data.lstrip().startswith(b"{"):
            key = as_jwk(json.loads(data), kid=kid)
        else:
            key = key_from_pem(data, kid=kid)
    except (ValueError, TypeError, TrustError) as exc:
        raise SamtykkeError(f"the key file {path} holds no usable private key: {exc}") from None
    if not getattr(key, "kid", None):
        raise SamtykkeError(f"the key in {path} has no kid; give --kid")
    return key


__all__ = ["SamtykkeSettings", "load_key"]
