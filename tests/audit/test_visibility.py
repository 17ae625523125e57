"""The visibility rules (``standard.innsyn``): one row per documented rule."""

from __future__ import annotations

from datetime import date

import pytest

from opendsop.standard.innsyn import RULES, Visibility, rule_for, visible

TODAY = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("rule", "service", "consent", "embargo_until", "lifted", "shown"),
    [
        ("consent-based: at once", "nav-ssu", "consent-1", None, False, True),
        ("legal basis: on the person's request", "konkurs", None, None, False, True),
        ("Folkeregister lookup: legal basis", "folkeregister", None, None, False, True),
        ("police: embargoed until lifted", "politi", None, None, False, False),
        ("police: shown once lifted", "politi", None, None, True, True),
        ("police: embargoed until its date", "politi", None, date(2026, 12, 9), False, False),
        ("police: shown from its date", "politi", None, date(2026, 12, 8), False, True),
        ("any covert request with a date: embargoed", "konkurs", None, date(2027, 1, 1), False, False),
        ("an unknown service: legal basis", "something-new", None, None, False, True),
    ],
)
def test_who_sees_what_and_when(
    rule: str, service: str, consent: str | None, embargo_until: date | None, lifted: bool, shown: bool
) -> None:
    assert visible(service, consent_id=consent, embargo_until=embargo_until, lifted=lifted, today=TODAY) is shown, rule


def test_every_rule_names_its_basis_and_its_source() -> None:
    assert all(rule.basis and rule.source for rule in RULES.values())
    assert rule_for("politi").visibility is Visibility.EMBARGO
    assert {key for key, rule in RULES.items() if rule.visibility is Visibility.CONSENT} == {
        "skatteetaten-sbl",
        "lanekassen-saldo",
        "nav-ssu",
        "ske-krav-betalinger",
    }
