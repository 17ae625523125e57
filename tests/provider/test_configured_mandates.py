"""DSOP_PROVIDER_FI_UTLEGG_MANDATES / DSOP_CONSUMER_FI_UTLEGG_MANDATES: FI-Utlegg's production Legal-Mandate is
read from each party's settings (JSON, service key → texts) and checked before anything serves."""

from __future__ import annotations

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
