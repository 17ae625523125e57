"""Signed extradition orders for the workflow tests (the prosecution's real signing code)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from opendsop.prosecution.orders import issue_extradition_order, new_order
from tests.provider import bank as seed
from tests.provider.harness import Pki


def signed_order(
    pki: Pki, *, party: str = seed.ANNE, approved: datetime = seed.NOW - timedelta(days=1), **fields: Any
) -> str:
    last_day = min(seed.TODAY, (approved + timedelta(days=90)).date())  # the prosecution signs no later toDate
    claims: dict[str, Any] = {
        "partyID": party,
        "mandate": "straffesak",
        "fromDate": "2020-01-01",
        "toDate": last_day.isoformat(),
        "onlyPrimaryOwner": True,
        "accountDetails": True,
        "transactions": True,
        "cards": False,
        "roles": False,
        "district": {"districtID": "1", "districtLabel": "Oslo politidistrikt"},
        "approval": {"approvedByID": "pa-4711", "approvedByName": "Kari Nordmann", "approvedByRole": "Politiadvokat"},
        "caseID": "9b2e7c1a-4d3f-4e8b-a6c5-1f0d2e3b4a59",
        **fields,
    }
    return issue_extradition_order(
        new_order(claims, now=approved, synthetic_allowed=True), pki.signing.credential, kid=pki.signing.kid
    )
