"""The consent resources the data sources serve, read from the one table in ``opendsop.contracts.consent_resources``.

The ids and caps live in ``opendsop.contracts.consent_resources.RESOURCES`` (owned by the consent service), so
the service that grants a consent and the source that honours it enforce the same cap
(DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”: SBL 10 days, Saldo 1 year, SSU 3 years, FI-K&B 90 days).  This module
only
names the four ids the sources use and maps each to its ``max_validity``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from opendsop.contracts.consent_resources import RESOURCES

SBL: Final = "ske-sbl-inntekt"
SALDO: Final = "lanekassen-saldo"
SSU: Final = "nav-ssu"
KRAV: Final = "ske-krav-betalinger"

MAX_VALIDITY: Final[dict[str, timedelta]] = {rid: RESOURCES[rid].max_validity for rid in (SBL, SALDO, SSU, KRAV)}

__all__ = ["KRAV", "MAX_VALIDITY", "SALDO", "SBL", "SSU"]
