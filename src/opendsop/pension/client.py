"""The institution's HTTP client for Skatteetaten's OTP APIs and NAV's Aa-registeret OTP API (one connection pool)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from opendsop.standard import otp
from opendsop.standard.values import Month

TokenSource = Callable[[str, str], Awaitable[str]]  # (audience, scope) → access token
ARBEIDSFORHOLD_QUERY = """query($o: String!, $a: String!, $f: String!, $t: String) {
  finnArbeidsforholdPrArbeidstaker(opplysningspliktigId: $o, arbeidstakerId: $a, ansattFraMaaned: $f,
                                   ansattTilMaaned: $t) {
    id type { kode } arbeidstaker { ident }
    ansettelsesperiode { startdato sluttdato sluttaarsak { kode beskrivelse } }
    ansettelsesdetaljer { type avtaltStillingsprosent antallTimerPrUke rapporteringsmaaneder { fra til } }
    permisjoner { id type { kode } startdato sluttdato prosent }
    permitteringer { id type { kode } startdato sluttdato prosent }
  }
}"""


class PensionError(Exception):
    """An expected failure of the institution's run; the message is ``<what> — <fix>``."""


class ApiRefused(PensionError):
    def __init__(self, api: str, status: int, code: str, message: str) -> None:
        fix = {
            401: "check the institution's client and key at the token service",
            403: "both the employer (a-melding) and the institution must report the agreement for these months",
            404: "check the organisation number or person",
        }.get(status, "try again later")
        super().__init__(f"{api} answered {code} ({status}): {message} — {fix}")
        self.status, self.code = status, code


class OtpClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: TokenSource,
        *,
        skatteetaten_url: str,
        skatteetaten_audience: str,
        nav_url: str,
        nav_audience: str,
    ) -> None:
        self.http, self.tokens = http, tokens
        self.ske, self.ske_aud = skatteetaten_url.rstrip("/"), skatteetaten_audience
        self.nav, self.nav_aud = nav_url.rstrip("/"), nav_audience

    async def _send(self, method: str, url: str, **options: Any) -> httpx.Response:
        """One call, retried once when a kept-alive connection was closed under it (every call here is idempotent:
        the registration is an upsert, the rest are reads)."""
        try:
            return await self.http.request(method, url, **options)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            return await self.http.request(method, url, **options)

    async def _headers(self, audience: str, scope: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.tokens(audience, scope)}", "Accept": "application/json"}

    @staticmethod
    def _refused(api: str, response: httpx.Response) -> ApiRefused:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and "errors" in body:  # GraphQL
            error = (body.get("errors") or [{}])[0]
            return ApiRefused(
                api, response.status_code, error.get("extensions", {}).get("code", "?"), error.get("message", "")
            )
        body = body if isinstance(body, dict) else {}
        return ApiRefused(api, response.status_code, str(body.get("kode", "?")), str(body.get("melding", "")))

    async def register(
        self, employer: str, reference: str, first: Month, last: Month | None = None
    ) -> Mapping[str, Any]:
        body: dict[str, Any] = {
            "avtalereferanse": reference,
            "fraOgMed": str(first),
            "opplysningspliktig": {"norskIdentifikator": employer},
        }
        if last is not None:
            body["tilOgMed"] = str(last)
        response = await self._send(
            "POST",
            f"{self.ske}/api/tjenestepensjonsavtale/v1/otp/avtaleforhold",
            json=body,
            headers=await self._headers(self.ske_aud, otp.SCOPE_TJENESTEPENSJONSAVTALE),
        )
        if response.status_code != 200:
            raise self._refused("Tjenestepensjonsavtale", response)
        result: Mapping[str, Any] = response.json()
        return result

    async def months_without_agreement(self, institution: str, employer: str, first: Month, last: Month) -> set[str]:
        """The months of ``first``‥``last`` without an avtaleforhold (the Tjenestepensjonsavtale validity check)."""
        response = await self._send(
            "GET",
            f"{self.ske}/api/tjenestepensjonsavtale/v1/otp/avtaleforhold/gyldighet",
            params={
                "opplysningspliktig": employer,
                "pensjonsinnretning": institution,
                "fraOgMed": str(first),
                "tilOgMed": str(last),
            },
            headers=await self._headers(self.ske_aud, otp.SCOPE_TJENESTEPENSJONSAVTALE),
        )
        if response.status_code != 200:
            raise self._refused("Tjenestepensjonsavtale", response)
        return set(response.json()["maanederUtenGyldigAvtaleforhold"]["maaned"])

    async def employees(self, employer: str, first: Month, last: Month) -> tuple[list[str], bool]:
        """The inntektsmottakere of the months, and whether shielded persons were left out."""
        response = await self._send(
            "GET",
            f"{self.ske}/api/inntektsmottakere/v1/otp/{employer}",
            params={"fraOgMed": str(first), "tilOgMed": str(last)},
            headers=await self._headers(self.ske_aud, otp.SCOPE_INNTEKTSMOTTAKERE),
        )
        if response.status_code == 404 and response.json().get("kode") == "IM-007":
            return [], False
        if response.status_code != 200:
            raise self._refused("Inntektsmottakere", response)
        body = response.json()
        return [p["personidentifikator"] for p in body["inntektsmottaker"]], bool(body.get("skjermet"))

    async def income(self, person: str, first: Month, last: Month) -> Mapping[str, Any] | None:
        """The person's income reports, None when none is reported (IM-008)."""
        response = await self._send(
            "GET",
            f"{self.ske}/api/innrapportert/inntektsmottaker/otp/{person}/oppgave/inntekt",
            params={"fraOgMed": str(first), "tilOgMed": str(last)},
            headers=await self._headers(self.ske_aud, otp.SCOPE_INNTEKT),
        )
        if response.status_code == 404 and response.json().get("kode") in ("IM-007", "IM-008"):
            return None
        if response.status_code != 200:
            raise self._refused("Inntekt", response)
        result: Mapping[str, Any] = response.json()
        return result

    async def employments(self, employer: str, person: str, first: Month, last: Month) -> list[Mapping[str, Any]]:
        response = await self._send(
            "POST",
            f"{self.nav}/aareg/otp/graphql",
            json={
                "query": ARBEIDSFORHOLD_QUERY,
                "variables": {"o": employer, "a": person, "f": str(first), "t": str(last)},
            },
            headers=await self._headers(self.nav_aud, otp.SCOPE_AAREG),
        )
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise self._refused("Aa-registeret OTP", response)
        found: list[Mapping[str, Any]] = response.json()["data"]["finnArbeidsforholdPrArbeidstaker"]
        return found


__all__ = ["ARBEIDSFORHOLD_QUERY", "ApiRefused", "OtpClient", "PensionError", "TokenSource"]
