"""DSOP_PROVIDER_FI_UTLEGG_MANDATES / DSOP_CONSUMER_FI_UTLEGG_MANDATES: FI-Utlegg's production Legal-Mandate is
read from each party's settings (JSON, service key → texts) and checked before anything serves."""

from __future__ import annotations

from typing import Any

import pytest

from opendsop.consumer.settings import ConsumerSettings
from opendsop.provider.settings import ProviderSettings
from opendsop.relations.settings import RelationsSettings

TEXT = "Tvangsfullbyrdelsesloven § 7-9 (configured)"

# (id, value of the variable, parsed table or None when refused)
ROWS = [
    ("unset-is-empty", None, {}),
    ("one-service", f'{{"fi_utlegg": ["{TEXT}"]}}', {"fi_utlegg": (TEXT,)}),
    ("whitespace-normalised", f'{{"fi_utlegg_an": ["  {TEXT} "]}}', {"fi_utlegg_an": (TEXT,)}),
    ("published-service-refused", '{"skatt": ["x"]}', None),
    ("not-json-refused", "fi_utlegg=x", None),
]


@pytest.mark.parametrize(("value", "parsed"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_both_sides_read_the_configured_texts(
    monkeypatch: pytest.MonkeyPatch, value: str | None, parsed: object
) -> None:
    for name in (
        "DSOP_PROVIDER_FI_UTLEGG_MANDATES",
        "DSOP_CONSUMER_FI_UTLEGG_MANDATES",
        "DSOP_RELATIONS_FI_UTLEGG_MANDATES",
    ):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    for build in (
        lambda: ProviderSettings(bank_orgno="123456785"),  # type: ignore[call-arg]
        lambda: ConsumerSettings(orgno="974761076", client_id="skatt"),  # type: ignore[call-arg]
        RelationsSettings,
    ):
        if parsed is None:
            with pytest.raises(ValueError, match="fi_utlegg_mandates"):  # ValidationError or SettingsError
                build()
        else:
            assert build().fi_utlegg_mandates == parsed


# Over HTTP, at a (test) bank configured with a text for FI-Utlegg by IM (Skatteetaten's innkrevingsmyndighet):
# (id, consumer, text, expected status and code)
HTTP_ROWS = [
    ("configured-text-served", "im", TEXT, 200, None),
    ("test-text-still-served-in-test", "im", "FI-Utlegg-Test", 200, None),
    ("configured-text-of-another-service-refused", "an", TEXT, 403, "ACC-011"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("who", "text", "status", "code"), [r[1:] for r in HTTP_ROWS], ids=[r[0] for r in HTTP_ROWS])
async def test_the_bank_serves_the_configured_text_for_its_service_only(
    pki: Any, token_issuer: Any, who: str, text: str, status: int, code: str | None
) -> None:
    from dataclasses import replace

    from opendsop.standard.mandate import encode_uri_component
    from opendsop.standard.services.fi_utlegg import AN, IM
    from tests.provider import bank as seed
    from tests.provider.harness import open_bank

    consumer = replace(seed.SKATT, orgno=IM if who == "im" else AN)  # the harness sends a RequesterID as for Skatt
    bank = await open_bank(pki, token_issuer, fi_utlegg_mandates={"fi_utlegg": [TEXT]})
    async with bank.client:
        today = seed.TODAY.isoformat()
        answer = await bank.accounts(
            consumer,
            seed.ANNE,
            params={"fromDate": today, "toDate": today},
            **{"Legal-Mandate": encode_uri_component(text)},
        )
    assert answer.status_code == status, answer.text
    if code is not None:
        assert answer.json()["code"] == code
