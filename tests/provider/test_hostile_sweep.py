"""Every route of a bank, every hostile value in path, query, headers and body: never a 5xx."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.hostile import assert_sweep_clean, sweep
from tests.provider import bank as seed
from tests.provider.harness import CASE, Pki, open_bank


def test_no_hostile_value_gets_a_server_error(pki: Pki, token_issuer: Any) -> None:
    bank = asyncio.run(open_bank(pki, token_issuer))
    asyncio.run(bank.client.aclose())
    token = bank.token(seed.NAV)

    def headers() -> dict[str, str]:  # a valid basis, so hostile values reach past the token check
        return {
            "Authorization": f"Bearer {token}",
            "Legal-Mandate": seed.NAV.mandate.encoded,
            "PartyID": seed.ANNE,
            "AccountInfoRequestID": CASE,
            "Accept": "application/json",
        }

    assert_sweep_clean("bank", *sweep(bank.app, headers=headers, base_url="https://bank.test"))
