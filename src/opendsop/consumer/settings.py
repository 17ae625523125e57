"""Configuration of an agency's consumer; the only module of ``opendsop.consumer`` that reads the environment.

Environment variables (prefix ``DSOP_CONSUMER_``):

* ``ORGNO`` — the agency's organisation number; ``CLIENT_ID`` — its client at the token service.
* ``ON_BEHALF_OF`` — the consumer this agency asks for as its supplier (delegation: FI-Utlegg's alminnelig
  namsmann through Skatteetaten's Kontoforespørsel); the tokens then name that consumer, the banks encrypt for it.
* ``TOKEN_ISSUER`` / ``TOKEN_ENDPOINT`` — the token service (Maskinporten) identifier and token URL.
* ``GRANT_KEY`` — PEM of the key that signs grants (``private_key_jwt``), or with ``GRANT_CERTIFICATE``
  the enterprise certificate sent as ``x5c``.
* ``ENCRYPTION_KEY`` — PEM of the private key behind the agency's CertPub encryption certificate.
* ``CATALOGUE_URL`` / ``ENVIRONMENT`` — the API catalogue and which of its environments to use.
* ``DATABASE_URL`` — the case store (SQLite file by default, or PostgreSQL).
* ``TIMEOUT`` (30 s), ``ATTEMPTS`` (3), ``GLOBAL_LIMIT`` (100), ``PER_BANK_LIMIT`` (4),
  ``BREAKER_THRESHOLD`` (5), ``BREAKER_RESET`` (30 s), ``BANK_DEADLINE`` (none) — the fan-out.
* ``RETENTION_DAYS`` — how long a case's answers are kept before ``purge`` (the agency decides).
* ``PLAINTEXT`` — test only: ask banks for ``application/json`` (DSOP “Security design”).
* ``ALTINN_URL`` — the message platform: banks without a Control API get digital letters there
  (unset: they are only reported); ``NAME`` — the agency's name in those letters.
* ``FI_UTLEGG_MANDATES`` — FI-Utlegg's production Legal-Mandate texts, JSON ``{"fi_utlegg": ["…"]}`` (or
  ``fi_utlegg_an``): the standard publishes only the test text, so unset a production agency refuses FI-Utlegg.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.standard.authorize import configured_mandate_table


class ConsumerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_CONSUMER_", frozen=True, extra="forbid")

    orgno: str
    client_id: str
    on_behalf_of: str | None = None
    token_issuer: str = "http://127.0.0.1:8040/"  # noqa: S105 - a URL, not a secret
    token_endpoint: str = "http://127.0.0.1:8040/token"  # noqa: S105 - a URL, not a secret
    grant_key: Path | None = None
    grant_certificate: Path | None = None
    encryption_key: Path | None = None
    catalogue_url: str = "http://127.0.0.1:8030"
    relations_url: str | None = None  # the relations hub (step 1); unset: no step 1, banks must be named
    registers_url: str | None = None  # Folkeregisteret / Konkursregisteret (workflow facts)
    environment: Literal["test", "production"] = "test"
    database_url: str = "sqlite+aiosqlite:///var/consumer.db"
    audit_database_url: str | None = None  # the agency's own verifiable log of every answer it fetched
    audit_key_file: str | None = None  # its Ed25519 checkpoint key (made on first use); None: unsigned
    witness_url: str | None = None  # where its checkpoints are countersigned
    timeout: float = Field(default=30.0, gt=0)
    attempts: int = Field(default=3, ge=1, le=10)
    global_limit: int = Field(default=100, ge=1)
    per_bank_limit: int = Field(default=4, ge=1)
    breaker_threshold: int = Field(default=5, ge=1)
    breaker_reset: float = Field(default=30.0, gt=0)
    bank_deadline: float | None = Field(default=None, gt=0)
    retention_days: int = Field(default=365, ge=1)
    plaintext: bool = False
    altinn_url: str | None = None
    name: str | None = None
    fi_utlegg_mandates: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("fi_utlegg_mandates")
    @classmethod
    def _fi_utlegg_mandates(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return configured_mandate_table(value)

    @property
    def consumer_org(self) -> str:
        """The consumer the banks see: the delegating organisation, else this one."""
        return self.on_behalf_of or self.orgno

    @model_validator(mode="after")
    def _no_plaintext_in_production(self) -> ConsumerSettings:
        if self.plaintext and self.environment == "production":
            raise ValueError("plaintext answers exist only in test (DSOP “Security design”)")
        return self


__all__ = ["ConsumerSettings"]
