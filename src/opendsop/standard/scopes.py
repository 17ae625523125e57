"""The Maskinporten scopes of the DSOP APIs, each defined once.

Every party that asks for a token, checks one or documents one imports the value from here:

* ``ACCOUNT_INFORMATION`` — the banks' Control API (Bank_v2.yaml, every operation);
* ``CUSTOMER_RELATIONS`` — the relations hub's ``GET /customers/customerRelationships`` (KAR.yaml);
* ``ACCOUNT_SERVICING_PROVIDER`` — the hub's ``GET /customers/accountServicingProvider`` (KAR.yaml);
* ``CUSTOMER_RELATIONS_WRITE`` — a bank's own KFR load (KAR.yaml ``/customers/financialInstitutions``).

The registers' and the consent services' scopes are not DSOP Control API scopes and live with
their contracts.
"""

from __future__ import annotations

from typing import Final

ACCOUNT_INFORMATION: Final = "bits:kontoinformasjon"
CUSTOMER_RELATIONS: Final = "bits:kundeforhold"
ACCOUNT_SERVICING_PROVIDER: Final = "bits:kundeforhold.konto"
CUSTOMER_RELATIONS_WRITE: Final = "bits:kundeforhold.write"
# FI-Utlegg's step 1 for the alminnelig namsmann (Politiet) through Skatteetaten's Kontoforespørsel
# (DSOP FI-Utlegg "Løsningsbeskrivelse saldo").
CUSTOMER_RELATIONS_FI_UTLEGG_AN: Final = "bits:kundeforhold.fi.utlegg.an"

__all__ = [
    "ACCOUNT_INFORMATION",
    "ACCOUNT_SERVICING_PROVIDER",
    "CUSTOMER_RELATIONS",
    "CUSTOMER_RELATIONS_FI_UTLEGG_AN",
    "CUSTOMER_RELATIONS_WRITE",
]
