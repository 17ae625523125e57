# SPDX-License-Identifier: Apache-2.0
"""Configuration of the back-office commands; the only module of ``opendsop.backoffice`` that reads the environment.

Environment variables (prefix ``DSOP_BACKOFFICE_``):

* ``ORG`` / ``CLIENT_ID`` / ``KEY_FILE`` — the bank's organisation number, its client id at the token
  service and its private signing key (PEM);
* ``AUTHORITY_URL`` — the token service's issuer URL (``/token`` below it);
* ``REGISTERS_URL`` — Statens vegvesen's løyveregister and Finanstilsynet's register;
* ``ALTINN_URL`` — the message platform (the bank's inbox).

Without ``ORG``, ``dsop`` points the commands at the local ecosystem's first bank (``dsop up``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class BackofficeError(Exception):
    """A back-office command cannot go on; the message names the cause and the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BackofficeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSOP_BACKOFFICE_", frozen=True, extra="forbid")

    org: str = ""
    name: str = ""
    client_id: str = ""
    key_file: Path | None = None
    authority_url: str = "http://127.0.0.1:8040/"
    registers_url: str = "http://127.0.0.1:8030"
    altinn_url: str = "http://127.0.0.1:8080"

    def check(self) -> BackofficeSettings:
        if not self.org or not self.client_id or self.key_file is None:
            raise BackofficeError(
                "no bank is configured — set DSOP_BACKOFFICE_ORG, DSOP_BACKOFFICE_CLIENT_ID and "
                "DSOP_BACKOFFICE_KEY_FILE, or run from a directory with var/ecosystem.toml (`dsop up`)"
            )
        return self


__all__ = ["BackofficeError", "BackofficeSettings"]
