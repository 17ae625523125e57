"""Configuration of the consent-based data sources; the only module of the package that reads the environment.

Environment variables (prefix ``DSOP_SOURCES_``):

* ``ISSUER`` / ``JWKS_URL`` — the token service (``opendsop.authority``) whose access tokens the
  sources accept; ``JWKS_URL`` defaults to ``<ISSUER>jwks``.
* ``AUDIENCE_SKATTEETATEN`` / ``_LANEKASSEN`` / ``_NAV`` / ``_KRAV`` — the ``aud`` each source
  requires (its registered base URL, DSOP SBL “Om tjenesten”; DSOP Saldo på studielån “Om”; DSOP FI Krav og betalinger
  pages).
* ``CONSENT_SERVICE_URL`` — where ``GET /consentrequests/{id}`` answers a consent's status (for
  ``opendsop.consent``: ``<its URL>/accessmanagement/api/v1/enterprise``); unset means the sources
  trust the token's consent until it expires (no revocation re-check).
* ``CONSENT_SERVICE_TOKEN`` — the bearer token for that lookup (scope ``altinn:consentrequests.read``,
  issued to the source's organisation).
* ``LANEKASSEN_API_KEY`` — the static ``ApiKey`` Lånekassen requires (DSOP Saldo på studielån “Om”).
* ``LANEKASSEN_CACHE_SECONDS`` — how long Lånekassen trusts a cached consent before asking the
  consent service again (default 300; revocations arrive at once through the consent events below,
  this bounds a lost notice).
* ``CONSENT_EVENTS_TOKEN`` — the secret the consent service presents on Lånekassen's
  ``POST /internal/consent-events`` (``DSOP_CONSENT_REVOCATION_HOOK_TOKEN`` on the other side); unset
  disables that endpoint.
* ``DATABASE_URL`` — the audit log's database; unset keeps the audit log in memory.
* ``OTP_DATABASE_URL`` — the avtaleforhold registry of Ajourhold av OTP, shared by Skatteetaten and NAV's
  Aa-registeret; unset keeps it in memory.
* ``PRESET`` / ``SEED`` — the synthetic world whose persons and companies the sources serve (the
  same as ``dsop synth``/``dsop up`` with that preset and seed; default tiny, 0);
  ``HOST`` / ``PORT`` — where ``serve`` listens.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SourcesSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_SOURCES_", frozen=True, extra="forbid")

    issuer: str = "http://127.0.0.1:8040/"  # the token service's default port, as in dsop up
    jwks_url: str | None = None
    audience_skatteetaten: str = "https://api.skatteetaten.test/"
    audience_lanekassen: str = "https://ekstern01.api.test.lanekassen.no/"
    audience_nav: str = "https://api.nav.test/"
    audience_krav: str = "https://kravogbetalinger.api.skatteetaten.test/"
    consent_service_url: str | None = None
    consent_service_token: SecretStr | None = None
    lanekassen_api_key: SecretStr = SecretStr("lanekassen-test-key")
    lanekassen_cache_seconds: int = Field(default=300, ge=0, le=366 * 86_400)
    consent_events_token: SecretStr | None = None
    database_url: str | None = None
    audit_key_file: str | None = None  # the audit log's Ed25519 checkpoint key (made on first use); None: unsigned
    witness_url: str | None = None  # where its checkpoints are countersigned
    audit_keys_file: str | None = None  # the issuers its audit API trusts (innsyn, prosecution, auditors)
    otp_database_url: str | None = None
    preset: Literal["tiny", "demo", "large"] = "tiny"
    seed: int = 0
    host: str = "127.0.0.1"
    port: int = Field(default=8070, ge=1, le=65_535)

    @property
    def resolved_jwks_url(self) -> str:
        return self.jwks_url or self.issuer.rstrip("/") + "/jwks"


__all__ = ["SourcesSettings"]
