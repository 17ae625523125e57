"""Settings of the token service, read once from the environment (prefix ``DSOP_AUTHORITY_``).

This is the only module of ``opendsop.authority`` that reads the environment; everything below the
app factory and the CLI receives plain values.  Defaults follow Maskinporten (DSOP SBL “Integrasjon mot Maskinporten”,
DSOP “Security design”): access tokens live 120 s, a JWT grant may live at most 120 s and its ``iat``
must be within 10 s of the authority's clock.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/authority.db"


class AuthoritySettings(BaseSettings):
    """Typed configuration of one authority instance (one "Maskinporten" environment)."""

    model_config = SettingsConfigDict(env_prefix="DSOP_AUTHORITY_", extra="forbid", frozen=True)

    #: The authority's identifier: the ``iss`` of every access token and the only ``aud`` a grant may
    #: carry.  Maskinporten uses a trailing slash (``https://test.maskinporten.no/``); so do we.
    issuer: str = "http://127.0.0.1:8040/"
    database_url: str = DEFAULT_DATABASE_URL
    #: PEM files, each holding one or more root certificates that issue enterprise certificates
    #: ("virksomhetssertifikat").  Without roots, x5c grants are refused.
    pki_roots: tuple[Path, ...] = ()
    #: PEM files of the issuing CAs (intermediates) below those roots that the authority knows, as
    #: Maskinporten knows Buypass's and Commfides': a grant whose ``x5c`` holds only the leaf
    #: certificate is chained through them.  They are never trust anchors themselves.
    pki_intermediates: tuple[Path, ...] = ()
    #: Lifetime of issued access tokens (Maskinporten: 120 s).
    token_lifetime_seconds: int = Field(default=120, ge=1, le=86_400)
    #: Longest allowed ``exp - iat`` of a JWT grant (Maskinporten: 120 s).
    max_grant_lifetime_seconds: int = Field(default=120, ge=1, le=3_600)
    #: Allowed clock difference between the client and the authority, both ways.
    clock_skew_seconds: int = Field(default=10, ge=0, le=300)
    #: ``delegation_source`` claim of delegated tokens; empty means the issuer (the delegations are
    #: registered here, where Maskinporten names Altinn).
    delegation_source: str = ""
    #: Base URL of the consent service (``opendsop.consent``) whose internal endpoint answers consent
    #: lookups for ``authorization_details``; empty: such grants are refused.
    consent_url: str = ""
    #: The shared secret presented to that endpoint (``DSOP_CONSENT_ADMIN_TOKEN`` on the other side).
    consent_admin_token: str = ""
    #: Redis (``redis://host:6379/0``) holding the used ``jti`` set that every worker shares (one
    #: ``SET NX`` per grant).  Unset: the set is the database's table (shared too, one transaction per
    #: grant).  While a configured Redis does not answer, grants are refused (503), never risked.
    redis_url: str | None = None
    #: Processes serving the token endpoint (``dsop authority serve --workers N``).
    workers: int = Field(default=1, ge=1, le=256)
    host: str = "127.0.0.1"
    port: int = Field(default=8040, ge=1, le=65_535)

    @field_validator("issuer")
    @classmethod
    def _issuer_is_absolute_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")) or "?" in value or "#" in value:
            raise ValueError(f"issuer must be an absolute http(s) URL without query or fragment, not {value!r}")
        return value

    @property
    def token_endpoint(self) -> str:
        return self.issuer.rstrip("/") + "/token"

    @property
    def jwks_uri(self) -> str:
        return self.issuer.rstrip("/") + "/jwks"

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/oauth-authorization-server"
