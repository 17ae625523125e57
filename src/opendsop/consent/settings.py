"""Configuration of the consent service; the only module of the package that reads the environment.

Environment variables (prefix ``DSOP_CONSENT_``):

* ``DATABASE_URL`` — async SQLAlchemy URL (default ``sqlite+aiosqlite:///var/consent.db``);
* ``PUBLIC_URL`` — base URL of this service (links to the approval page; the token audience unless
  ``AUDIENCE`` is set);
* ``ISSUER`` / ``JWKS_URL`` / ``AUDIENCE`` — the Maskinporten(-like) issuer whose tokens consumers
  present (scopes ``altinn:consentrequests.write``, ``altinn:consentrequests.read``,
  ``altinn:consenttokens``);
* ``SESSION_SECRET`` — HMAC key of the session cookie and CSRF tokens (≥ 16 random characters).
  There is no default: unset in test mode, each start draws a random one (sessions end at a restart);
  unset outside test mode, the service refuses to start;
* ``ADMIN_TOKEN`` — the shared secret the authority presents on the internal lookup endpoint
  (``Authorization: Bearer <token>``); empty disables the endpoint;
* ``TEST_MODE`` — accept Tenor synthetic identifiers in requests (default true: a stand-in);
* ``ORGANISATION_NAMES`` — JSON ``{"<orgnr>": "<official name>"}``, the name lookup of the local
  stand-in (later the Enhetsregister); ``REPRESENTATIVES`` — JSON ``{"<orgnr>": ["<fnr>", …]}``,
  who may consent for an organisation;
* ``ALTINN2_API_KEYS`` — JSON list of ApiKey values the Altinn 2 façade accepts (empty: no check);
* ``REVOCATION_HOOKS`` — JSON ``{"<data source orgnr>": "<URL>"}``: where a withdrawn (or used)
  consent is posted at once, to the owners of its resources (Lånekassen:
  ``<its URL>/internal/consent-events``); ``REVOCATION_HOOK_TOKEN`` — the bearer secret presented
  there (``DSOP_SOURCES_CONSENT_EVENTS_TOKEN`` on the other side; ≥ 16 characters when hooks are set);
* ``HOST`` / ``PORT`` — where ``dsop consent serve`` listens (default 127.0.0.1:8060).
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.serving import PublicUrl

# The default of earlier versions, published in their documentation: refused everywhere.
PUBLISHED_SECRET = "local-consent-session-secret-change-me"  # noqa: S105 - refused, never used


class ConsentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_CONSENT_", frozen=True, extra="forbid")

    database_url: str = "sqlite+aiosqlite:///var/consent.db"
    public_url: PublicUrl = "http://127.0.0.1:8060"
    issuer: str = "http://127.0.0.1:8040/"
    jwks_url: str | None = None
    audience: str | None = None
    session_secret: str = ""
    session_minutes: int = Field(default=30, ge=1, le=24 * 60)
    admin_token: str = ""
    test_mode: bool = True
    organisation_names: dict[str, str] = Field(default_factory=dict)
    representatives: dict[str, list[str]] = Field(default_factory=dict)
    altinn2_api_keys: list[str] = Field(default_factory=list)
    revocation_hooks: dict[str, str] = Field(default_factory=dict)
    revocation_hook_token: str = ""
    altinn2_issuer: str = "altinn.no"
    altinn2_token_seconds: int = Field(default=30, ge=1, le=300)
    event_page_size: int = Field(default=100, ge=1, le=1000)
    host: str = "127.0.0.1"
    port: int = Field(default=8060, ge=1, le=65_535)
    # "Who looked me up": the person's innsyn in the audit log, linked from "Mine samtykker" (none: no link)
    innsyn_url: str | None = None

    @model_validator(mode="after")
    def _a_real_secret(self) -> ConsentSettings:
        if self.session_secret == PUBLISHED_SECRET:
            raise ValueError("DSOP_CONSENT_SESSION_SECRET is the published example; set a random secret of its own")
        if self.session_secret and len(self.session_secret) < 16:
            raise ValueError("DSOP_CONSENT_SESSION_SECRET must have at least 16 characters")
        if not self.session_secret and not self.test_mode:
            raise ValueError(
                "DSOP_CONSENT_SESSION_SECRET must be set (a random secret of at least 16 characters) "
                "when DSOP_CONSENT_TEST_MODE is false"
            )
        if self.revocation_hooks and len(self.revocation_hook_token) < 16:
            raise ValueError(
                "DSOP_CONSENT_REVOCATION_HOOK_TOKEN (at least 16 characters) is needed when "
                "DSOP_CONSENT_REVOCATION_HOOKS is set"
            )
        return self

    @property
    def token_audience(self) -> str:
        return self.audience or self.public_url

    @property
    def token_jwks_url(self) -> str:
        return self.jwks_url or self.issuer.rstrip("/") + "/jwks"


__all__ = ["ConsentSettings"]
