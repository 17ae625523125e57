"""Configuration of the Customer Relations Overview (Bits); the only module here that reads the environment.

Environment variables (prefix ``DSOP_RELATIONS_``):

* ``DATABASE_URL`` — async SQLAlchemy URL of the KAR/KFR/catalogue database; default the SQLite
  file ``var/relations.db``; production: ``postgresql+asyncpg://user@host/db``.
* ``ISSUER`` / ``JWKS_URL`` — the Maskinporten(-like) issuer whose tokens are accepted.
* ``AUDIENCE`` — this hub's base URL, which a token's ``aud`` must equal when it has one (tokens.py).
* ``ENVIRONMENT`` — ``test`` accepts synthetic (Tenor) identifiers and test mandates.
* ``ADMIN_TOKEN`` — bearer token of the internal write endpoints (catalogue, KAR load); unset:
  those endpoints are refused.
* ``SOURCE_TIMEOUT`` — seconds a KAR/KFR lookup may take before the answer is 504.
* ``FI_UTLEGG_MANDATES`` — FI-Utlegg's production Legal-Mandate texts, JSON ``{"fi_utlegg": ["…"]}``, as
  the banks' ``DSOP_PROVIDER_FI_UTLEGG_MANDATES`` (unset: production refuses FI-Utlegg, ERR-001).
* ``HOST`` / ``PORT`` — where ``dsop relations serve`` listens.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.standard.authorize import configured_mandate_table
from opendsop.standard.request import Environment


class RelationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_RELATIONS_", frozen=True, extra="forbid")

    database_url: str = "sqlite+aiosqlite:///var/relations.db"
    issuer: str = "http://127.0.0.1:8000/"
    jwks_url: str = "http://127.0.0.1:8000/jwks"
    audience: str = "http://127.0.0.1:8020"
    environment: Environment = Environment.TEST
    admin_token: SecretStr | None = None
    source_timeout: float = Field(default=5.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8020, ge=1, le=65_535)
    fi_utlegg_mandates: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("fi_utlegg_mandates")
    @classmethod
    def _fi_utlegg_mandates(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        return configured_mandate_table(value)


__all__ = ["RelationsSettings"]
