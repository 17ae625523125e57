"""The pension institution's configuration (``DSOP_PENSION_*``), the only module here that reads the environment.

* ``ORGNO`` / ``CLIENT_ID`` / ``GRANT_KEY`` — the institution at the token service (the key signs its JWT grants);
  ``TOKEN_ISSUER`` / ``TOKEN_ENDPOINT`` — the token service;
* ``SKATTEETATEN_URL`` / ``SKATTEETATEN_AUDIENCE``, ``NAV_URL`` / ``NAV_AUDIENCE`` — the two agencies' APIs;
* ``DATABASE_URL`` — the institution's sync record (default ``var/pension.db``);
* ``BRANSJENORM`` — a TOML table of lønnsarter (``pension.bransjenorm``), default the built-in one;
* ``CONCURRENCY`` — persons asked about at once.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PensionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_PENSION_", frozen=True, extra="forbid")

    orgno: str
    client_id: str
    grant_key: Path
    token_issuer: str = "http://127.0.0.1:8040/"  # noqa: S105 - a URL, not a secret
    token_endpoint: str = "http://127.0.0.1:8040/token"  # noqa: S105 - a URL, not a secret
    skatteetaten_url: str
    skatteetaten_audience: str
    nav_url: str
    nav_audience: str
    database_url: str = "sqlite+aiosqlite:///var/pension.db"
    bransjenorm: Path | None = None
    concurrency: int = Field(default=32, ge=1, le=512)
    timeout: float = Field(default=10.0, gt=0)


__all__ = ["PensionSettings"]
