# SPDX-License-Identifier: Apache-2.0
"""Configuration of the register stand-ins; the only module of the package that reads the environment.

Environment variables (prefix ``DSOP_REGISTERS_``):

* ``DATABASE_URL`` — async SQLAlchemy URL; default the SQLite file ``var/registers.db``;
  production ``postgresql+asyncpg://user@host/db``.
* ``PUBLIC_URL`` — base URL of this service; resource links (``lenke``) are built on it, and it is
  the token audience unless ``AUDIENCE`` is set.
* ``ISSUER`` / ``JWKS_URL`` — the Maskinporten(-like) issuer whose bearer tokens are accepted
  (default the local authority, ``http://127.0.0.1:8000/`` and ``<issuer>jwks``).
* ``AUDIENCE`` — the ``aud`` tokens must carry (default ``PUBLIC_URL``).
* ``SYNTHETIC_ALLOWED`` — accept Tenor synthetic identifiers (default true: a stand-in holds
  synthetic data).
* ``LOAD_TEST_NOTICES`` — load the 15 published Konkursvarsel test notices at startup when the
  feed is empty (default false).
* ``MAX_PAGE`` — the largest page a feed serves (default 1000).
* ``SIGNING_ROOTS`` — PEM files of the certificate authorities whose signatures e-tinglysing and
  Foretaksregisteret accept on signed documents (none: every signed document is refused).
* ``HOST`` / ``PORT`` — where ``dsop registers serve`` listens.
* ``ALTINN_URL`` / ``SVV_CLIENT_ID`` / ``SVV_KEY_FILE`` — the message platform and Statens vegvesen's
  client and signing key (PEM) there: the løyveregister's answers and notices go out as correspondences
  (unset: they stay in the register, ``GET /loyveregister/api/v1/meldinger``); ``LOYVE_POLL_INTERVAL`` —
  how often (s) SVV's inbox is read for cases filed over the platform (0: never; default 1).
* ``NATS_URL`` — NATS JetStream (``nats://host:4222``): every new Konkursvarsel notice, Folkeregister
  hendelse and Enhetsregister oppdatering is also published to the stream ``DSOP_REGISTERS`` (checked
  every ``RELAY_INTERVAL`` seconds, default 1); unset or not answering, the feeds are only polled.

Scopes (documented in app.py): ``folkeregister:read``, ``konkursvarsel:read``, ``enhetsregister:read``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from opendsop.serving import PublicUrl
from opendsop.trust.chain import TrustStore
from opendsop.trust.pki import certificate_from_pem


class RegistersSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_REGISTERS_", frozen=True, extra="forbid")

    database_url: str = "sqlite+aiosqlite:///var/registers.db"
    audit_key_file: str | None = None  # set: Folkeregister lookups kept in a signed, verifiable log (audit)
    witness_url: str | None = None  # where its checkpoints are countersigned
    audit_keys_file: str | None = None  # the issuers its audit API trusts (innsyn, prosecution, auditors)
    public_url: PublicUrl = "http://127.0.0.1:8030"
    issuer: str = "http://127.0.0.1:8000/"
    jwks_url: str | None = None
    audience: str | None = None
    synthetic_allowed: bool = True
    load_test_notices: bool = False
    max_page: int = Field(default=1000, ge=1, le=10_000)
    signing_roots: tuple[Path, ...] = ()
    host: str = "127.0.0.1"
    port: int = Field(default=8030, ge=1, le=65_535)
    altinn_url: str | None = None
    svv_client_id: str | None = None
    svv_key_file: Path | None = None
    loyve_poll_interval: float = Field(default=1.0, ge=0)
    brreg_client_id: str | None = None  # Foretaksregisteret's intake on the platform (share-capital confirmations)
    brreg_key_file: Path | None = None
    foretak_poll_interval: float = Field(default=0.5, ge=0)
    nats_url: str | None = None
    relay_interval: float = Field(default=1.0, gt=0)

    @property
    def token_audience(self) -> str:
        return self.audience or self.public_url

    def signing_trust(self) -> TrustStore | None:
        """The roots signed documents must chain to (read from ``signing_roots``)."""
        if not self.signing_roots:
            return None
        return TrustStore(tuple(certificate_from_pem(path.read_bytes()) for path in self.signing_roots))

    @property
    def token_jwks_url(self) -> str:
        return self.jwks_url or self.issuer.rstrip("/") + "/jwks"


__all__ = ["RegistersSettings"]
