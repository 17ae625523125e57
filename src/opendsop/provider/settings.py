"""Configuration of a bank's Control API; the only module of ``opendsop.provider`` that reads the environment.

Environment variables (prefix ``DSOP_PROVIDER_``; ``dsop provider serve --bank`` sets ``BANK_ORGNO``):

* ``BANK_ORGNO`` — the bank's organisation number (9 digits).
* ``ENVIRONMENT`` — ``test`` (default) or ``production``.  Only ``test`` answers
  ``Accept: application/json`` in plaintext and accepts synthetic identities (DSOP “Security design”).
* ``BASE_URL`` — the base URL registered in the API catalogue, ending in ``/v2``; access tokens must
  carry it as ``aud`` (DSOP “Security design”).
* ``DATABASE_URL`` — async SQLAlchemy URL (default a SQLite file ``var/provider-<orgno>.db``).
* ``TOKEN_ISSUER`` / ``TOKEN_JWKS_URL`` — the Maskinporten(-like) issuer and its JWKS.
* ``CERTPUB_URL`` — the CertPub locator used to find consumers' encryption certificates.
* ``CERTPUB_TRUST_ROOTS`` — PEM files of the CAs that issue those certificates: the roots (self-signed)
  and their intermediates (CertPub serves the leaf alone).  Required unless the app is given its
  certificates: the bank encrypts an answer only to a certificate that chains to these roots.
* ``PROSECUTION_JWKS_URL`` / ``PROSECUTION_ROOTS`` — where the prosecution publishes its order keys,
  and the PEM root(s) their chains must validate to (DSOP Politi “Løsningsbeskrivelse” steps 1–4).
* ``REGISTERS_URL`` / ``REGISTERS_TOKEN`` — Folkeregisteret and Konkursvarsel (``opendsop.registers``)
  and the bearer token to call them with.  Unset: the bank knows no register facts, so OED,
  Konkurs and Vergekontroll are refused (fail closed).
* ``CLIENT_ID`` / ``GRANT_KEY`` — the bank's own client at the token service and the PEM key that signs
  its JWT grants; when both are set the bank asks the registers with short-lived tokens from the
  token service (scopes ``folkeregister:read``, ``konkursvarsel:read``, audience ``REGISTERS_URL``)
  instead of the static ``REGISTERS_TOKEN``.
* ``KONKURS_POLL`` — poll the Konkursvarsel feed in the background of the app (default off; the
  ``dsop provider poll-konkurs`` command does one run).  ``KONKURS_INTERVAL`` — seconds between polls
  (default 900: Brreg refreshes every 15 minutes on working days 08:00–16:00, DSOP Konkurs “Løsningsbeskrivelse”);
  ``KONKURS_LOOKBACK_DAYS`` — how far back the very first poll starts (default 3).
* ``NATS_URL`` — NATS JetStream (``nats://host:4222``): the bank is the durable consumer ``bank-<orgno>``
  of the registers' Konkursvarsel notices and applies each as it is published (exactly once: explicit
  ack after the bank's transaction, idempotent by ``uuid``).  Unset or not answering: polling only.
* ``KONKURS_FACTS`` — where the Konkurs service's ``kjennelsesdato`` comes from: ``registers`` (ask
  Konkursregisteret per request, default) or ``stored`` (the notices this bank has polled).
* ``PAGING_KEY`` / ``REFERENCE_SECRET`` — secrets (≥ 16 bytes) for continuation tokens and
  ``accountReference``s.  Required in production; in test a random value per process is used.
* ``PAGE_SIZE`` — transactions per page (default 1000, "at least 1000 items per page" DSOP “eOppslag”).
* ``RATE_PER_SECOND`` / ``RATE_BURST`` — per-consumer rate limit (429 ACC-022); 0 disables it.
* ``REDIS_URL`` — Redis (``redis://host:6379/0``) holding the rate-limit buckets every worker shares.
  Unset, or while Redis does not answer, each of ``WORKERS`` worker processes limits to its share
  (``RATE_PER_SECOND / WORKERS``), so the bank never allows more than configured.
* ``AUDIT_BEFORE_SEND`` — commit each audit record before its answer leaves, so a process killed
  mid-request loses no record of an answer the caller got (the record then cannot say whether the
  answer was delivered).  Unset: on when ``WORKERS`` > 1, else off (records say ``delivered``).
* ``WORKERS`` — processes serving the API (``dsop provider serve --workers N``; default 1).  With more
  than one, ``PAGING_KEY`` and ``REFERENCE_SECRET`` must be the same in all (``serve`` draws one pair
  for its workers in test when they are unset).
* ``JWE_ALG`` / ``JWE_ENC`` — response encryption (the security document is not public, DSOP “Security design”).
* ``V1_SERVED_UNTIL`` — the last day (``YYYY-MM-DD``, Oslo date) the bank answers Control API v1 by v1's
  rules during its phase-out window; after it, ``/v1`` answers 410 ACC-014 ("retired, use /v2").
  Unset: open in test, closed in production (the standard no longer supports v1).
* ``FI_UTLEGG_MANDATES`` — FI-Utlegg's production Legal-Mandate texts, JSON ``{"fi_utlegg": ["…"],
  "fi_utlegg_an": ["…"]}``: the standard publishes only the test text "FI-Utlegg-Test", which production
  refuses, so unset a production bank refuses FI-Utlegg (400 ACC-001, as for any unknown mandate).
* ``HOST`` / ``PORT`` / ``LOG_LEVEL`` — where ``dsop provider serve`` listens and how much it logs.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.standard import scopes
from opendsop.standard.authorize import configured_mandate_table
from opendsop.standard.request import Environment as RulesEnvironment

ROUTE_PREFIX = "/v2"
SCOPE = scopes.ACCOUNT_INFORMATION
_ORGNO = re.compile(r"[0-9]{9}")


class ProviderSettings(BaseSettings):
    """Typed configuration of one bank's Control API instance."""

    model_config = SettingsConfigDict(env_prefix="DSOP_PROVIDER_", frozen=True, extra="forbid")

    bank_orgno: str
    bank_name: str | None = None
    environment: Literal["test", "production"] = "test"
    base_url: str = "http://127.0.0.1:8100/v2"
    database_url: str | None = None
    audit_key_file: str | None = None  # the audit log's Ed25519 checkpoint key (made on first use); None: unsigned
    witness_url: str | None = None  # where its checkpoints are countersigned
    audit_keys_file: str | None = None  # the issuers its audit API trusts (innsyn, prosecution, auditors)
    token_issuer: str = "http://127.0.0.1:8040/"  # noqa: S105 - a URL, not a secret
    token_jwks_url: str | None = None
    certpub_url: str = "http://127.0.0.1:8010"
    certpub_trust_roots: tuple[Path, ...] = ()
    prosecution_jwks_url: str = "http://127.0.0.1:8050/.well-known/finans-jwks.json"
    prosecution_roots: tuple[Path, ...] = ()
    registers_url: str | None = None
    registers_token: SecretStr | None = None
    client_id: str | None = None
    grant_key: Path | None = None
    konkurs_poll: bool = False
    konkurs_interval: float = Field(default=900.0, ge=1.0)
    konkurs_lookback_days: int = Field(default=3, ge=0, le=366)
    konkurs_facts: Literal["registers", "stored"] = "registers"
    nats_url: str | None = None
    paging_key: SecretStr | None = None
    reference_secret: SecretStr | None = None
    page_size: int = Field(default=1000, ge=1, le=10_000)
    rate_per_second: float = Field(default=50.0, ge=0)
    rate_burst: int = Field(default=200, ge=1)
    redis_url: str | None = None
    workers: int = Field(default=1, ge=1, le=256)
    audit_before_send: bool | None = None
    jwe_alg: str = "RSA-OAEP-256"
    jwe_enc: str = "A256GCM"
    v1_served_until: date | None = None
    fi_utlegg_mandates: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = Field(default=8100, ge=1, le=65_535)
    log_level: str = "INFO"

    @field_validator("bank_orgno")
    @classmethod
    def _orgno(cls, value: str) -> str:
        value = value.strip()
        if not _ORGNO.fullmatch(value):
            raise ValueError(f"bank_orgno must be a 9-digit organisation number, not {value!r}")
        return value

    @field_validator("fi_utlegg_mandates")
    @classmethod
    def _fi_utlegg_mandates(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return configured_mandate_table(value)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
            raise ValueError(f"base_url must be an absolute http(s) URL without query or fragment, not {value!r}")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> ProviderSettings:
        if self.environment == "production":
            missing = [name for name in ("paging_key", "reference_secret") if getattr(self, name) is None]
            if missing:
                names = ", ".join(f"DSOP_PROVIDER_{name.upper()}" for name in missing)
                raise ValueError(f"{names} must be set when ENVIRONMENT is production")
        for name in ("paging_key", "reference_secret"):
            secret = getattr(self, name)
            if secret is not None and len(secret.get_secret_value().encode()) < 16:
                raise ValueError(f"{name} must be at least 16 bytes")
        return self

    @property
    def audience(self) -> str:
        """The ``aud`` every access token must carry: the registered base URL."""
        return self.base_url

    @property
    def jwks_url(self) -> str:
        return self.token_jwks_url or self.token_issuer.rstrip("/") + "/jwks"

    @property
    def token_endpoint(self) -> str:
        return self.token_issuer.rstrip("/") + "/token"

    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///var/provider-{self.bank_orgno}.db"

    @property
    def record_first(self) -> bool:
        """Whether audit records are committed before their answers leave (``AUDIT_BEFORE_SEND``)."""
        return self.audit_before_send if self.audit_before_send is not None else self.workers > 1

    @property
    def rules_environment(self) -> RulesEnvironment:
        return RulesEnvironment(self.environment)

    @property
    def v1_window(self) -> date | None:
        """The last day Control API v1 is served: the setting, else open in test and closed in production."""
        if self.v1_served_until is not None:
            return self.v1_served_until
        return date.max if self.environment == "test" else None


class StoreSettings(BaseSettings):
    """What ``dsop provider import`` and ``reset`` need: the bank, its database and the environment —
    none of the serving secrets (loading data issues no accountReference)."""

    model_config = SettingsConfigDict(env_prefix="DSOP_PROVIDER_", frozen=True, extra="ignore")

    bank_orgno: str
    environment: Literal["test", "production"] = "test"
    database_url: str | None = None

    @field_validator("bank_orgno")
    @classmethod
    def _orgno(cls, value: str) -> str:
        if not _ORGNO.fullmatch(value):
            raise ValueError(f"the bank's organisation number must be 9 digits, not {value!r}")
        return value

    @property
    def sql_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///var/provider-{self.bank_orgno}.db"


__all__ = ["ROUTE_PREFIX", "SCOPE", "ProviderSettings", "StoreSettings"]
