"""Tell the data sources at once when a consent ends, so no cache of theirs serves it a moment longer.

Lånekassen keeps accepted consents for later calls without a consent in the token (Saldo på
studielån: "exchange once, Lånekassen caches").  When the person withdraws a consent (or a one-time
consent is used), the consent service posts ``{"consentId", "status"}`` to the hook of each data
source that owns one of the consent's resources (``ConsentResource.owner_org``), with
``Authorization: Bearer <REVOCATION_HOOK_TOKEN>`` (the body: ``contracts.consent_events``).  The post is
awaited before the person's answer is sent; a source that does not answer is logged and still
protected by its own re-check interval.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import httpx

from opendsop.consent.requests import ConsentRecord, Status
from opendsop.contracts.consent_events import consent_event

log = logging.getLogger("opendsop.consent")

# The statuses that end an accepted consent (the status machine in opendsop.consent.requests).
ENDING = frozenset({Status.REVOKED, Status.USED})


class RevocationHooks:
    """Posts the end of a consent to the owning data sources' hooks (``owner orgnr → URL``)."""

    def __init__(
        self, hooks: Mapping[str, str], token: str, *, client: httpx.AsyncClient | None = None, timeout: float = 3.0
    ) -> None:
        self.hooks = dict(hooks)
        self.token = token
        self.client = client
        self.timeout = timeout

    def targets(self, record: ConsentRecord) -> list[str]:
        owners = sorted({resource.owner_org for resource in record.request.resources})
        return [self.hooks[owner] for owner in owners if owner in self.hooks]

    async def notify(self, record: ConsentRecord, status: Status) -> None:
        if status not in ENDING:
            return
        targets = self.targets(record)
        if not targets:
            return
        if self.client is not None:
            await self._post_all(self.client, targets, record.id, status)
            return
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            await self._post_all(client, targets, record.id, status)

    async def _post_all(self, client: httpx.AsyncClient, targets: list[str], consent_id: str, status: Status) -> None:
        for url in targets:
            try:
                response = await client.post(
                    url,
                    json=consent_event(consent_id, status.value),
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=self.timeout,
                )
            except httpx.HTTPError as exc:
                log.warning("consent %s: the hook %s did not answer (%s)", consent_id, url, type(exc).__name__)
                continue
            if response.status_code >= 300:
                log.warning("consent %s: the hook %s answered %d", consent_id, url, response.status_code)


__all__ = ["ENDING", "RevocationHooks"]
