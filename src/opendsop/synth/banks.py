# SPDX-License-Identifier: Apache-2.0
"""The banks of the synthetic world: real Norwegian banks from the bank-code registry.

The registry (``opendsop.standard._bank_registry``, generated from schwifty) maps each four-digit
bank code to a bank name and BIC.  A bank here is one registry *name* with all its codes; its
BIC is the one most of its codes carry.  Banks are ranked by how many codes they hold (a proxy
for size): the largest are always chosen, the rest drawn from the seeded ``Random``.

* Organisation numbers: the few real ones below are used where known; every other bank gets a
  synthetic one (leading 2 or 3, ``generate_orgnr(rng, synthetic=True)``) and
  ``orgnr_synthetic=True``.  The real numbers pass the MOD11 check; they should be re-checked
  against Enhetsregisteret when this table grows.
* Register: a fraction of the banks (never the three largest) report their customer relations
  only to KFR; the rest are NICS banks in KAR (DSOP “Endpoint customerRelationships V.2.0”; DSOP Kundeforholdsregister
  “Om”).
* The Control API base URL is a placeholder under the reserved ``.test`` domain.
* Without a Control API: in a world of four banks or more, the first bank drawn at random (two from ten
  banks) is not in the API catalogue, so agencies ask it by digital letter (DSOP “Architecture document”).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from random import Random
from typing import Final

from opendsop.standard.identifiers import bank_by_code, generate_orgnr, known_bank_codes
from opendsop.synth.model import Bank

KNOWN_ORGNR: Final[dict[str, str]] = {
    "DNB Bank ASA": "984851006",
    "Nordea Bank Abp, Filial i Norge": "920058817",
    "Danske Bank": "977074010",
    "SpareBank 1 SMN": "937901003",
    "Svenska Handelsbanken AB NUF": "971171324",
    "SpareBank 1 Nord-Norge": "952706365",
}
ALWAYS_KAR: Final = 3  # the largest banks are NICS participants


def registry_banks() -> list[tuple[str, tuple[str, ...], str]]:
    """(name, bank codes, BIC) for every bank name in the registry, largest first."""
    codes: dict[str, list[str]] = defaultdict(list)
    bics: dict[str, Counter[str]] = defaultdict(Counter)
    for code in known_bank_codes():
        info = bank_by_code(code)
        assert info is not None  # every known code has a row
        codes[info.name].append(code)
        bics[info.name][info.bic] += 1
    rows = [(name, tuple(sorted(found)), bics[name].most_common(1)[0][0]) for name, found in codes.items()]
    rows.sort(key=lambda row: (-len(row[1]), row[0]))
    return rows


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name.replace("ø", "o").replace("Ø", "O").replace("æ", "ae"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40]


def choose_banks(rng: Random, count: int, *, kfr_fraction: float, used_orgnr: set[str]) -> tuple[Bank, ...]:
    """``count`` banks: the largest half by rank, the rest drawn at random; at least one KFR bank
    whenever ``count`` ≥ 2 and ``kfr_fraction`` > 0."""
    rows = registry_banks()
    if not 1 <= count <= len(rows):
        raise ValueError(f"the registry has {len(rows)} banks; asked for {count}")
    fixed = max(1, (count + 1) // 2)
    chosen = rows[:fixed] + rng.sample(rows[fixed:], count - fixed)
    candidates = list(range(min(ALWAYS_KAR, count - 1), count))
    kfr_count = min(len(candidates), round(kfr_fraction * count)) if count >= 2 else 0
    if kfr_fraction > 0 and count >= 2:
        kfr_count = max(1, kfr_count)
    kfr = set(rng.sample(candidates, kfr_count))
    without_api = set(range(fixed, min(count, fixed + (2 if count >= 10 else 1)))) if count >= 4 else set()
    banks = []
    for index, (name, codes, bic) in enumerate(chosen):
        orgnr = KNOWN_ORGNR.get(name)
        synthetic = orgnr is None
        while orgnr is None or orgnr in used_orgnr:
            orgnr = generate_orgnr(rng, synthetic=True)
            synthetic = True
        used_orgnr.add(orgnr)
        banks.append(
            Bank(
                orgnr=orgnr,
                name=name,
                bank_codes=codes,
                bic=bic,
                reports_to="KFR" if index in kfr else "KAR",
                api_base_url=f"https://{_slug(name)}.bank.test/dsop/v2",
                orgnr_synthetic=synthetic,
                control_api=index not in without_api,
            )
        )
    return tuple(banks)


def bank_weights(banks: tuple[Bank, ...]) -> list[float]:
    """How likely a customer is to bank with each bank (more codes, more customers)."""
    return [len(bank.bank_codes) ** 0.6 for bank in banks]


__all__ = ["KNOWN_ORGNR", "bank_weights", "choose_banks", "registry_banks"]
