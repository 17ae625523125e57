"""Configuration of the prosecution stand-in; the only module of the package that reads the environment.

Environment variables (prefix ``DSOP_PROSECUTION_``):

* ``ENVIRONMENT`` — ``test`` (default) or ``production``; decides the signing certificate's CN
  ("Godkjenning av utleveringspålegg TEST" or without " TEST", DSOP Politi “Løsningsbeskrivelse” step 5).
* ``KEY_DIR`` — directory of the signing credential (see keystore.py); default ``var/prosecution``.
  In ``test`` a missing credential is generated on first start under a local test root.
* ``VALIDITY_DAYS`` — default ``exp − approvalTimestamp`` of issued orders, 1‥90 (content check 6).
* ``API_TOKEN`` — bearer token ``POST /extradition-orders`` must carry.  Required in
  ``production``; unset in ``test`` means the stand-in signs for anyone on the loopback.
* ``FRAUD_LEGAL_BASIS`` — the legal basis under which the intake confirms filed reports to insurers
  (docs/decisions.md, "Fraud cooperation and report confirmation"); unset refuses with FRD-010.  The test
  environment fills in a placeholder.
* ``HOST`` / ``PORT`` — where ``dsop eo serve`` listens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["test", "production"]


class ProsecutionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_PROSECUTION_", frozen=True, extra="forbid")

    environment: Environment = "test"
    key_dir: Path = Path("var/prosecution")
    validity_days: int = Field(default=90, ge=1, le=90)
    api_token: SecretStr | None = None
    fraud_legal_basis: str | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8050, ge=1, le=65_535)

    def fraud_legal_bases(self) -> dict[str, str | None]:
        """The legal basis per fraud flow; the test environment has a placeholder, production only its own."""
        placeholder = "TEST: samtykke fra anmelder (ingen rettslig vurdering)" if self.environment == "test" else None
        return {"confirmation": self.fraud_legal_basis or placeholder}

    @model_validator(mode="after")
    def _production_needs_a_token(self) -> ProsecutionSettings:
        if self.environment == "production" and self.api_token is None:
            raise ValueError("DSOP_PROSECUTION_API_TOKEN is required when ENVIRONMENT is production")
        return self


__all__ = ["Environment", "ProsecutionSettings"]
