"""Maskinell kontroll av signaturrett og prokura: one row per rule kind (and its edge), against the pure core.

Expectations come from the rule texts as Enhetsregisteret words them: "daglig leder alene",
"styrets leder alene", "styrets leder og ett styremedlem i fellesskap", "to styremedlemmer i
fellesskap", "styret i fellesskap", named persons "hver for seg" or "i fellesskap".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opendsop.contracts.registers.models import Krav, Regeltype, Rettighet, Rollekode, Rollekrav, Signaturregel
from opendsop.registers.signatur import signature_right
from tests.registers.sample import (
    DAGL,
    LEADER_AND_MEMBER,
    LEDE,
    MEDL1,
    MEDL2,
    ORG,
    P1,
    P2,
    P3,
    PROKURA_NAMED,
    PROKURIST,
    RESIGNED,
    ROLES,
    VARA,
    rule,
)

DAGLIG_LEDER_ALENE = rule(Regeltype.DAGLIG_LEDER_ALENE, "Daglig leder alene.")
LEDER_ALENE = rule(Regeltype.ALENE, "Styrets leder alene.", roller=(Rollekrav(rolle=Rollekode.LEDE),))
TO_STYREMEDLEMMER = rule(
    Regeltype.FELLESSKAP, "To styremedlemmer i fellesskap.", roller=(Rollekrav(rolle=Rollekode.MEDL, antall=2),)
)
STYRET = rule(Regeltype.FELLESSKAP, "Styret i fellesskap.", roller=(Rollekrav(rolle=Rollekode.MEDL, antall=None),))
HVER_FOR_SEG = rule(Regeltype.NAVNGITTE_PERSONER, "Signatur hver for seg.", personer=(P1, P2))
NAVNGITTE_SAMMEN = rule(Regeltype.NAVNGITTE_PERSONER, "Signatur i fellesskap.", personer=(P1, P2), antall=None)
TO_AV_TRE = rule(Regeltype.NAVNGITTE_PERSONER, "To i fellesskap.", personer=(P1, P2, P3), antall=2)


@dataclass(frozen=True)
class Case:
    id: str
    rules: tuple[Signaturregel, ...]
    person: str
    together: tuple[str, ...] = ()
    allowed: bool = False
    kind: Regeltype | None = None
    requires: tuple[Krav, ...] = field(default=())


CASES = [
    Case(
        "daglig leder alene: the daglig leder signs alone",
        (DAGLIG_LEDER_ALENE,),
        DAGL,
        allowed=True,
        kind=Regeltype.DAGLIG_LEDER_ALENE,
    ),
    Case("daglig leder alene: a board member may not", (DAGLIG_LEDER_ALENE,), MEDL1),
    Case("daglig leder alene: a resigned daglig leder may not", (DAGLIG_LEDER_ALENE,), RESIGNED),
    Case("alene: styrets leder alone", (LEDER_ALENE,), LEDE, allowed=True, kind=Regeltype.ALENE),
    Case("alene: the daglig leder holds no such role", (LEDER_ALENE,), DAGL),
    Case(
        "fellesskap: leder alone needs one styremedlem",
        (LEADER_AND_MEMBER,),
        LEDE,
        kind=Regeltype.FELLESSKAP,
        requires=(Krav(count=1, role=Rollekode.MEDL, persons=tuple(sorted((MEDL1, MEDL2)))),),
    ),
    Case(
        "fellesskap: leder with a styremedlem",
        (LEADER_AND_MEMBER,),
        LEDE,
        (MEDL1,),
        allowed=True,
        kind=Regeltype.FELLESSKAP,
    ),
    Case(
        "fellesskap: a styremedlem with the leder",
        (LEADER_AND_MEMBER,),
        MEDL2,
        (LEDE,),
        allowed=True,
        kind=Regeltype.FELLESSKAP,
    ),
    Case(
        "fellesskap: two styremedlemmer still need the leder",
        (LEADER_AND_MEMBER,),
        MEDL1,
        (MEDL2,),
        kind=Regeltype.FELLESSKAP,
        requires=(Krav(count=1, role=Rollekode.LEDE, persons=(LEDE,)),),
    ),
    Case("fellesskap: a varamedlem is no styremedlem", (TO_STYREMEDLEMMER,), VARA, (MEDL1,)),
    Case(
        "to styremedlemmer: the leder counts as styremedlem",
        (TO_STYREMEDLEMMER,),
        LEDE,
        (MEDL1,),
        allowed=True,
        kind=Regeltype.FELLESSKAP,
    ),
    Case(
        "to styremedlemmer: one alone needs another",
        (TO_STYREMEDLEMMER,),
        MEDL1,
        kind=Regeltype.FELLESSKAP,
        requires=(Krav(count=1, role=Rollekode.MEDL, persons=tuple(sorted((LEDE, MEDL2)))),),
    ),
    Case(
        "styret i fellesskap: all board members together",
        (STYRET,),
        MEDL1,
        (LEDE, MEDL2),
        allowed=True,
        kind=Regeltype.FELLESSKAP,
    ),
    Case(
        "styret i fellesskap: one missing member is named",
        (STYRET,),
        MEDL1,
        (LEDE,),
        kind=Regeltype.FELLESSKAP,
        requires=(Krav(count=1, role=Rollekode.MEDL, persons=(MEDL2,)),),
    ),
    Case(
        "navngitte hver for seg: a named person alone",
        (HVER_FOR_SEG,),
        P2,
        allowed=True,
        kind=Regeltype.NAVNGITTE_PERSONER,
    ),
    Case("navngitte hver for seg: an unnamed signatory may not", (HVER_FOR_SEG,), P3),
    Case(
        "navngitte i fellesskap: one alone needs the other",
        (NAVNGITTE_SAMMEN,),
        P1,
        kind=Regeltype.NAVNGITTE_PERSONER,
        requires=(Krav(count=1, persons=(P2,)),),
    ),
    Case(
        "navngitte i fellesskap: both together",
        (NAVNGITTE_SAMMEN,),
        P1,
        (P2,),
        allowed=True,
        kind=Regeltype.NAVNGITTE_PERSONER,
    ),
    Case(
        "navngitte to av tre: any two of them", (TO_AV_TRE,), P3, (P1,), allowed=True, kind=Regeltype.NAVNGITTE_PERSONER
    ),
    Case(
        "navngitte to av tre: one alone needs one of the others",
        (TO_AV_TRE,),
        P3,
        kind=Regeltype.NAVNGITTE_PERSONER,
        requires=(Krav(count=1, persons=tuple(sorted((P1, P2)))),),
    ),
    Case(
        "prokura: a named prokurist alone",
        (LEADER_AND_MEMBER, PROKURA_NAMED),
        PROKURIST,
        allowed=True,
        kind=Regeltype.NAVNGITTE_PERSONER,
    ),
    Case(
        "co-signer outside the rule does not help",
        (LEADER_AND_MEMBER,),
        LEDE,
        (VARA,),
        kind=Regeltype.FELLESSKAP,
        requires=(Krav(count=1, role=Rollekode.MEDL, persons=tuple(sorted((MEDL1, MEDL2)))),),
    ),
    Case("no rules registered", (), DAGL),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_signature_rule_kinds(case: Case) -> None:
    answer = signature_right(ORG, case.rules, ROLES, case.person, case.together)
    assert answer.allowed is case.allowed
    assert (answer.rule.kind if answer.rule else None) is case.kind
    assert answer.requires == case.requires
    assert answer.reason


def test_the_answer_names_the_rule_text_and_right() -> None:
    answer = signature_right(ORG, (LEADER_AND_MEMBER, PROKURA_NAMED), ROLES, PROKURIST)
    assert answer.rule is not None
    assert answer.rule.rettighet is Rettighet.PROKURA
    assert answer.rule.text == "Prokura hver for seg."


def test_signatur_is_preferred_to_prokura_when_both_allow() -> None:
    prokura_for_leder = rule(
        Regeltype.ALENE,
        "Prokura: styrets leder.",
        rettighet=Rettighet.PROKURA,
        roller=(Rollekrav(rolle=Rollekode.LEDE),),
    )
    answer = signature_right(ORG, (prokura_for_leder, LEDER_ALENE), ROLES, LEDE)
    assert answer.allowed and answer.rule is not None and answer.rule.rettighet is Rettighet.SIGNATUR


def test_a_rule_that_allows_beats_one_that_needs_co_signers() -> None:
    answer = signature_right(ORG, (LEADER_AND_MEMBER, DAGLIG_LEDER_ALENE), ROLES, DAGL)
    assert answer.allowed and answer.rule is not None and answer.rule.kind is Regeltype.DAGLIG_LEDER_ALENE


@pytest.mark.parametrize(
    "bad",
    [
        {"regeltype": Regeltype.FELLESSKAP, "roller": ()},
        {"regeltype": Regeltype.ALENE, "roller": ()},
        {"regeltype": Regeltype.NAVNGITTE_PERSONER, "personer": ()},
        {"regeltype": Regeltype.NAVNGITTE_PERSONER, "personer": (P1,), "antall": 2},
    ],
    ids=["fellesskap without roles", "alene without roles", "navngitte without persons", "antall above persons"],
)
def test_incomplete_rules_cannot_exist(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Signaturregel(rettighet=Rettighet.SIGNATUR, tekst="x", **bad)  # type: ignore[arg-type]


ALL_RULES = (
    DAGLIG_LEDER_ALENE,
    LEDER_ALENE,
    LEADER_AND_MEMBER,
    TO_STYREMEDLEMMER,
    STYRET,
    HVER_FOR_SEG,
    NAVNGITTE_SAMMEN,
    TO_AV_TRE,
    PROKURA_NAMED,
)
PEOPLE = (DAGL, LEDE, MEDL1, MEDL2, VARA, P1, P2, P3, PROKURIST, RESIGNED)


@settings(max_examples=60, deadline=None)
@given(
    rules=st.lists(st.sampled_from(ALL_RULES), max_size=4),
    person=st.sampled_from(PEOPLE),
    together=st.lists(st.sampled_from(PEOPLE), max_size=4),
    extra=st.sampled_from(PEOPLE),
)
def test_more_co_signers_never_take_a_right_away(
    rules: list[Signaturregel], person: str, together: list[str], extra: str
) -> None:
    answer = signature_right(ORG, rules, ROLES, person, together)
    assert answer.allowed == (answer.rule is not None and not answer.requires)
    assert all(k.count >= 1 and person not in k.persons for k in answer.requires)
    if answer.allowed:
        assert signature_right(ORG, rules, ROLES, person, [*together, extra]).allowed
