"""Configuration of the CertPub stand-in; the only module of the package that reads the environment.

Environment variables (prefix ``DSOP_CERTPUB_``):

* ``DATABASE_URL`` — async SQLAlchemy URL; default a SQLite file ``var/certpub.db``;
  production: ``postgresql+asyncpg://user@host/db``.
* ``PUBLIC_URL`` — the publisher base URL the locator hands out as ``difi-bcp-v1``
  (default ``http://127.0.0.1:8010``; the locator and the publisher are the same process here).
* ``ADMIN_TOKEN`` — bearer token that ``PUT``/``DELETE`` must carry.  Unset: writes are refused.
  The real CertPub publishes through the CA's own portal; a shared secret is enough for the
  local stand-in.
* ``TRUST_ROOTS`` — PEM files (a JSON list in the environment) of root certificates; a certificate
  is only published if its chain validates to one of them.  Unset: nothing is published (a PUT
  answers 403 ``publishing_disabled``), never "anything goes".
* ``HOST`` / ``PORT`` — where ``dsop certpub serve`` listens.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.serving import PublicUrl


class CertPubSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_CERTPUB_", frozen=True, extra="forbid")

    database_url: str = "sqlite+aiosqlite:///var/certpub.db"
    public_url: PublicUrl = "http://127.0.0.1:8010"
    admin_token: SecretStr | None = None
    trust_roots: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = Field(default=8010, ge=1, le=65_535)


__all__ = ["CertPubSettings"]
