# SPDX-License-Identifier: Apache-2.0
"""What a bank knows besides the register facts: account nicknames and customers' phone and e-mail.

Bank_v2.yaml's ``AccountDetail.name`` is the nickname a customer gave an account; Bank_v1.yaml's
``AccountRole`` carries the holder's ``postalAddress`` (the FREG / Enhetsregisteret address the
generator already has) and ``electronicAddresses`` (phone numbers, e-mail).  Both are derived here
from the record itself through a ``Random`` seeded by its key, so they are deterministic, need no
extra draw from the world's streams (adding them changed no other generated value) and stay
synthetic: e-mail addresses use the reserved ``example.no``-style domain ``eksempel.example``
(RFC 2606 reserves ``.example``), phone numbers the Norwegian mobile format ``+47 4xxxxxxx`` /
``+47 9xxxxxxx``.

>>> from opendsop.synth.contacts import email_local_part
>>> email_local_part("Åse Kristin Grønli")
'ase.kristin.gronli'
"""

from __future__ import annotations

import re
import unicodedata
from random import Random

from opendsop.standard.control.v1 import ElectronicAddressType
from opendsop.standard.control.v2 import AccountType

DOMAIN = "eksempel.example"
_NICKNAMES: dict[AccountType, tuple[str, ...]] = {
    AccountType.SALARY_ACCOUNT: ("Brukskonto", "Lønnskonto", "Regninger", "Felleskonto", "Hverdag"),
    AccountType.SAVINGS_ACCOUNT: ("Sparekonto", "Buffer", "Ferie", "BSU", "Bil", "Oppussing", "Barnas sparing"),
    AccountType.CURRENCY_ACCOUNT: ("Euro", "Dollarkonto", "Valuta"),
    AccountType.BUSINESS_ACCOUNT: ("Driftskonto", "Skatt og avgift", "Lønn ansatte"),
    AccountType.TAX_DEDUCTION_ACCOUNT: ("Skattetrekk",),
    AccountType.CLIENT_ACCOUNT: ("Klientmidler",),
    AccountType.LOAN_ACCOUNT: ("Boliglån", "Billån"),
    AccountType.CREDIT_CARD_ACCOUNT: ("Kredittkort",),
}
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def account_nickname(kontonr: str, account_type: AccountType) -> str | None:
    """A nickname for about two accounts in three; ``None`` for the rest (and for types without)."""
    names = _NICKNAMES.get(account_type)
    rng = Random(f"nickname/{kontonr}")
    if not names or rng.random() >= 0.65:
        return None
    return rng.choice(names)


def email_local_part(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.translate(_FOLD)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", folded.lower()).strip(".")[:64] or "kunde"


def electronic_addresses(
    party_id: str, name: str, *, organisation: bool
) -> tuple[tuple[ElectronicAddressType, str], ...]:
    """(type, value) pairs: most persons have a mobile number and many an e-mail; organisations a
    ``post@`` address and often a switchboard number."""
    rng = Random(f"contacts/{party_id}")
    out: list[tuple[ElectronicAddressType, str]] = []
    if rng.random() < (0.6 if organisation else 0.9):
        out.append((ElectronicAddressType.PHONE_NUMBER, f"+47{rng.choice('49')}{rng.randrange(10**7):07d}"))
    if organisation:
        out.append((ElectronicAddressType.EMAIL_ADDRESS, f"post@{email_local_part(name).replace('.', '-')}.{DOMAIN}"))
    elif rng.random() < 0.7:
        out.append((ElectronicAddressType.EMAIL_ADDRESS, f"{email_local_part(name)}@{DOMAIN}"))
    return tuple(out)


__all__ = ["DOMAIN", "account_nickname", "electronic_addresses", "email_local_part"]
