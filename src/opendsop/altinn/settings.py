"""Configuration of the message platform; the only module of the package that reads the environment.

Environment variables (prefix ``DSOP_ALTINN_``):

* ``DATABASE_URL`` — async SQLAlchemy URL; default the SQLite file ``var/altinn.db``;
  production ``postgresql+asyncpg://user@host/db``.
* ``PUBLIC_URL`` — this platform's base URL (the tokens' audience unless ``AUDIENCE`` is set, and the
  CloudEvents' ``source``); default ``http://127.0.0.1:8080``.
* ``ISSUER`` / ``JWKS_URL`` — the Maskinporten(-like) token service whose tokens are accepted.
* ``MAX_ATTACHMENT_BYTES`` / ``MAX_FILE_BYTES`` — the largest correspondence attachment and broker
  file (a resource may set a lower attachment limit); both below ``DSOP_SERVING_MAX_BODY_BYTES``.
* ``SCANNER`` — the virus-scan hook: ``eicar`` (refuses the EICAR test signature; default), ``none``
  (refused in production) or ``package.module:callable``.
* ``WEBHOOK_MAX_ATTEMPTS`` / ``WEBHOOK_BACKOFF`` / ``WEBHOOK_BACKOFF_CAP`` / ``WEBHOOK_TIMEOUT`` —
  retries before a delivery is dead-lettered, the first wait and the longest wait between tries
  (seconds), and how long one POST may take.
* ``SWEEP_INTERVAL`` — how often scheduled publications, due dates and deletions are checked (s).
* ``PRODUCTION`` — refuse test-only things (http:// webhooks, no virus scan, synthetic identifiers).
* ``HOST`` / ``PORT`` — where ``dsop altinn serve`` listens (default port 8080).
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.serving import PublicUrl


class AltinnSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_ALTINN_", frozen=True, extra="forbid")

    database_url: str = "sqlite+aiosqlite:///var/altinn.db"
    audit_key_file: str | None = None  # set: every letter sent kept in a signed, verifiable log (opendsop.audit)
    witness_url: str | None = None  # where its checkpoints are countersigned
    audit_keys_file: str | None = None  # the issuers its audit API trusts (innsyn, prosecution, auditors)
    public_url: PublicUrl = "http://127.0.0.1:8080"
    issuer: str = "http://127.0.0.1:8040/"
    jwks_url: str | None = None
    audience: str | None = None
    max_attachment_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_file_bytes: int = Field(default=9 * 1024 * 1024, ge=1024)
    scanner: str = "eicar"
    webhook_max_attempts: int = Field(default=8, ge=1, le=100)
    webhook_backoff: float = Field(default=1.0, gt=0)
    webhook_backoff_cap: float = Field(default=300.0, gt=0)
    webhook_timeout: float = Field(default=5.0, gt=0)
    sweep_interval: float = Field(default=1.0, gt=0)
    production: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65_535)

    @model_validator(mode="after")
    def _production(self) -> AltinnSettings:
        if self.production and self.scanner == "none":
            raise ValueError("DSOP_ALTINN_SCANNER=none is refused in production: plug in a virus scanner")
        return self

    @property
    def token_audience(self) -> str:
        return self.audience or self.public_url

    @property
    def token_jwks_url(self) -> str:
        return self.jwks_url or self.issuer.rstrip("/") + "/jwks"

    @property
    def synthetic_allowed(self) -> bool:
        return not self.production


__all__ = ["AltinnSettings"]
