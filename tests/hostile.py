"""Every route of a party, every hostile value: in each path parameter, in every query parameter the
parties read, in the headers they read and as the JSON body.  The answer must never be a 5xx.

The OpenAPI documents generated from the handlers describe path parameters but not the query values,
headers and bodies the handlers read themselves; this sweep sends those too.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from litestar import Litestar
from litestar.testing import TestClient

HOSTILE_TEXT = [
    "２０２５-06",
    "２０２５-01-01",
    "\u0662\u0660\u0662\u0665",
    "2025-01\n",
    "2025-01-01\n",
    " 2025-01-01",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "²",
    "-1",
    "1e308",
    "9" * 400,
    "\u3000",
    "中文",
    "\x00",
    "a\r\nb",
    "NaN",
    "{3f0c2f9e-8a51-4f5e-9d43-0b7a2d1e6c11}",
    "",
]
# ASCII: the test transport cannot carry other Latin-1 characters back in an echoed header (a real server can).
HOSTILE_HEADERS = ["-1", "9" * 400, " ", "2025-01-01 ", "0001-01-01", "1e308", "{}", "true\t"]
HOSTILE_BODIES: list[bytes] = [
    b"[" * 60_000,
    b'{"a":' * 10_000,
    b"\xff\xfe",
    b"NaN",
    b"[1e999999]",
    json.dumps({"x": "２０２５"}).encode(),
    json.dumps([5, None, "中", {"Metadata": 5}]).encode(),
    b'"' + b"a" * 1000,
]
QUERY_NAMES = [
    "fromDate",
    "toDate",
    "fraOgMed",
    "tilOgMed",
    "inntektsaar",
    "antall",
    "etter",
    "after",
    "limit",
    "id",
    "authcode",
    "validOn",
    "environment",
    "debitor",
    "lang",
    "next",
    "OnlyPrimaryOwner",
    "onlyPrimaryOwner",
    "uuid",
    "aar",
    "Metadata",
]
HEADER_NAMES = [
    "CustomerID",
    "PartyID",
    "AccountID",
    "CorrelationID",
    "AccountInfoRequestID",
    "Legal-Mandate",
    "OnlyPrimaryOwner",
    "Consent-ID",
    "PSU_ID",
    "Nav-Personident",
    "Nav-Call-Id",
    "ApiKey",
    "AdditionalReferenceID",
    "RequesterID",
]
_PARAMETER = re.compile(r"\{([^}:]+)(?::[^}]+)?\}")
_SKIPPED = ("/schema",)


def sweep(
    app: Litestar, *, headers: Callable[[], Mapping[str, str]] = dict, base_url: str = "http://testserver.local"
) -> tuple[Counter[int], list[str]]:
    """Send every hostile request to every route of ``app``; (statuses seen, descriptions of each 5xx)."""
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    routes = [
        (route.path, sorted(set(route.methods) - {"OPTIONS", "HEAD"}))
        for route in app.routes
        if hasattr(route, "methods") and not route.path.startswith(_SKIPPED)
    ]
    with TestClient(app, base_url=base_url) as client:

        def send(method: str, url: str, **options: Any) -> None:
            sent = {**headers(), **options.pop("headers", {})}
            response = client.request(method, url, headers=sent, **options)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(
                    f"{method} {url[:120]} {options.get('content', b'')[:30]!r} -> "
                    f"{response.status_code} {response.text[:160]}"
                )

        for path, methods in routes:
            for method in methods:
                for value in HOSTILE_TEXT:
                    encoded = quote(value, safe="")
                    url = _PARAMETER.sub(lambda _, text=encoded: text, path) or "/"
                    query = "&".join(f"{name}={quote(value, safe='')}" for name in QUERY_NAMES)
                    send(method, f"{url}?{query}")
                plain = _PARAMETER.sub("x", path)
                for value in HOSTILE_HEADERS:
                    send(method, plain, headers={name: value for name in HEADER_NAMES})
                if method in ("POST", "PUT", "PATCH", "DELETE"):
                    for body in HOSTILE_BODIES:
                        send(method, plain, content=body, headers={"Content-Type": "application/json"})
    return statuses, failures


def assert_sweep_clean(party: str, statuses: Counter[int], failures: list[str]) -> None:
    print(f"\n{party}: {sum(statuses.values())} hostile requests, statuses {dict(statuses)}")
    assert sum(statuses.values()) > 0
    assert failures == [], "\n".join(failures[:20])
