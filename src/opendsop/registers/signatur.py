# SPDX-License-Identifier: Apache-2.0
"""Maskinell kontroll av signaturrett og prokura: may person X bind organisation Y, alone or with whom?

Pure: it decides from the registered roles and rules (models.Signaturregel) and returns a value.

Each rule becomes a list of *slots* that distinct persons must fill:

* ``alene`` / ``daglig_leder_alene`` — one slot, any holder of the named role(s);
* ``fellesskap`` — ``antall`` slots per ``Rollekrav`` (every holder when ``antall`` is null);
  a ``MEDL`` requirement is met by any board member (styrets leder and nestleder are
  styremedlemmer too), but one person fills one slot only, so "styrets leder og ett styremedlem"
  needs two people;
* ``navngitte_personer`` — ``antall`` slots open to the named persons (one slot per person when
  ``antall`` is null: all of them together).

X must fill a slot; the people X names (``together_with``) may fill the others.  The answer rests
on the rule that leaves the fewest slots open (signatur before prokura on a tie, then the
registered order); ``requires`` lists what is still open, with the persons who could fill it.
Resigned role holders (``fratraadt``) count for nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from opendsop.contracts.registers.models import (
    ROLE_DESCRIPTIONS,
    Krav,
    RegelSvar,
    Regeltype,
    Rettighet,
    Rolle,
    Rollekode,
    Signaturregel,
    SignaturSvar,
)

_BOARD = (Rollekode.LEDE, Rollekode.NEST, Rollekode.MEDL)


@dataclass(frozen=True, slots=True)
class _Slot:
    role: Rollekode | None
    candidates: frozenset[str]


def holders(roles: Iterable[Rolle], role: Rollekode) -> list[str]:
    """Active holders of ``role`` in registration order; ``MEDL`` means every board member."""
    wanted = _BOARD if role is Rollekode.MEDL else (role,)
    seen: dict[str, None] = {}
    for entry in roles:
        if entry.rolle in wanted and not entry.fratraadt:
            seen.setdefault(entry.person, None)
    return list(seen)


def _slots(rule: Signaturregel, roles: Sequence[Rolle]) -> list[_Slot] | None:
    """The slots of a rule, or ``None`` when nobody could ever meet it (a role is vacant)."""
    if rule.regeltype is Regeltype.DAGLIG_LEDER_ALENE:
        people = holders(roles, Rollekode.DAGL)
        return [_Slot(Rollekode.DAGL, frozenset(people))] if people else None
    if rule.regeltype is Regeltype.ALENE:
        people = [p for need in rule.roller for p in holders(roles, need.rolle)]
        role = rule.roller[0].rolle if len(rule.roller) == 1 else None
        return [_Slot(role, frozenset(people))] if people else None
    if rule.regeltype is Regeltype.NAVNGITTE_PERSONER:
        if rule.antall is None:
            return [_Slot(None, frozenset({person})) for person in rule.personer]
        return [_Slot(None, frozenset(rule.personer)) for _ in range(rule.antall)]
    slots: list[_Slot] = []
    for need in rule.roller:  # fellesskap
        people = holders(roles, need.rolle)
        if need.antall is None:
            if not people:
                return None
            slots.extend(_Slot(need.rolle, frozenset({person})) for person in people)
        else:
            slots.extend(_Slot(need.rolle, frozenset(people)) for _ in range(need.antall))
    return slots


def _match(slots: Sequence[_Slot], people: Sequence[str], fixed: dict[int, str]) -> dict[int, str]:
    """A maximum assignment of distinct ``people`` to ``slots`` extending ``fixed`` (Kuhn's algorithm)."""
    owner = dict(fixed)  # slot -> person
    taken = set(fixed.values())

    def augment(person: str, visited: set[int]) -> bool:
        for index, slot in enumerate(slots):
            if index in fixed or index in visited or person not in slot.candidates:
                continue
            visited.add(index)
            current = owner.get(index)
            if current is None or augment(current, visited):
                owner[index] = person
                return True
        return False

    for person in people:
        if person not in taken:
            augment(person, set())
    return owner


def _fit(slots: Sequence[_Slot], person: str, others: Sequence[str]) -> dict[int, str] | None:
    """The best assignment in which ``person`` fills a slot, or ``None`` if they fit none."""
    best: dict[int, str] | None = None
    for index, slot in enumerate(slots):
        if person in slot.candidates:
            owner = _match(slots, others, {index: person})
            if best is None or len(owner) > len(best):
                best = owner
    return best


def _open(slots: Sequence[_Slot], owner: dict[int, str], group: set[str]) -> tuple[Krav, ...]:
    grouped: dict[tuple[Rollekode | None, frozenset[str]], int] = {}
    for index, slot in enumerate(slots):
        if index not in owner:
            key = (slot.role, slot.candidates)
            grouped[key] = grouped.get(key, 0) + 1
    return tuple(
        Krav(count=count, role=role, persons=tuple(sorted(candidates - group)))
        for (role, candidates), count in grouped.items()
    )


def _answer(
    orgnr: str, person: str, allowed: bool, rule: Signaturregel | None, requires: tuple[Krav, ...], reason: str
) -> SignaturSvar:
    summary = None if rule is None else RegelSvar(rettighet=rule.rettighet, kind=rule.regeltype, text=rule.tekst)
    return SignaturSvar(
        organisasjonsnummer=orgnr, person=person, allowed=allowed, rule=summary, requires=requires, reason=reason
    )


def signature_right(
    orgnr: str,
    rules: Sequence[Signaturregel],
    roles: Sequence[Rolle],
    person: str,
    together_with: Iterable[str] = (),
) -> SignaturSvar:
    """Whether ``person`` (with ``together_with``) may sign for ``orgnr``, and under which rule."""
    others = [p for p in dict.fromkeys(together_with) if p != person]
    group = {person, *others}
    best: tuple[tuple[int, int, int], Signaturregel, list[_Slot], dict[int, str]] | None = None
    for order, rule in enumerate(rules):
        slots = _slots(rule, roles)
        if not slots:
            continue
        owner = _fit(slots, person, others)
        if owner is None:
            continue
        key = (len(slots) - len(owner), 0 if rule.rettighet is Rettighet.SIGNATUR else 1, order)
        if best is None or key < best[0]:
            best = (key, rule, slots, owner)
    if best is None:
        return _answer(
            orgnr,
            person,
            False,
            None,
            (),
            "the person holds no role and is named in no rule that gives signatur or prokura",
        )
    (missing, _, _), rule, slots, owner = best
    if missing == 0:
        signers = [owner[i] for i in sorted(owner)]
        how = "alone" if len(signers) == 1 else f"together with {len(signers) - 1} other(s) named"
        return _answer(orgnr, person, True, rule, (), f"{rule.rettighet} by the rule '{rule.tekst}', {how}")
    requires = _open(slots, owner, group)
    needed = ", ".join(f"{k.count} × {ROLE_DESCRIPTIONS[k.role] if k.role else 'named person'}" for k in requires)
    return _answer(
        orgnr,
        person,
        False,
        rule,
        requires,
        f"by the rule '{rule.tekst}' the person must sign jointly; still needed: {needed}",
    )


__all__ = ["holders", "signature_right"]
