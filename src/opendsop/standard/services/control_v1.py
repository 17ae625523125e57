"""The services as the Control API v1 knew them (Bank_v1.yaml, "Accounts API" 1.1.1), for ``/v1`` while
the bank's phase-out window is open.  Each profile names the public page its rules come from.

v1 knew four services.  Their legal bases are the v1 legal page's exact strings ("Juridiske
rammebetingelser Kontrollinformasjon"; Konkurs: "Juridiske rammebetingelser Konkursbehandling"):

* Skatt-kontroll: ``Skatteforvaltningsloven § 10-2`` and the compensation scheme's basis; all five
  endpoints; no additional reference; no RequesterID (v1 has none).
* Politi: ``Hvitvaskingsloven § 26`` (Enheten for finansiell etterretning) without an additional
  reference, and ``Straffeprosessloven § 210 første/tredje ledd`` with ``AdditionalReferenceIDType: pol``
  and ``"<police district>;<firstname lastname>"`` ("Specification of eOppslag" v1,
  "AdditionalReferenceIDType and AdditionalReferenceID"); all five endpoints.
* NAV-kontroll: ``Folketrygdloven § 21-4 første ledd``; all five endpoints.
* Konkursbehandling: ``kkl. §156 (3) og (4), jf. kkfor.§21``; Accounts, AccountDetails, Transactions;
  at most 12 months before the ruling date, which a Konkursvarsel must show ("Anbefaling angående
  validering av forespørsler").

v1 has no ``OnlyPrimaryOwner``: its account list held every account the party had a role on, so the
services that may choose get ``false``; the TRUE-only Konkurs gets ``true``.  v1 published no period
for Skatt, Politi and NAV: v2's 10 years apply (docs/decisions.md, "Control API v1").  Oppgjør etter
dødsfall, Vergekontroll and FI-Utlegg are v2 services and have no v1 profile.  The fields delivered
are the v2 service's (``delivery``), so a v1 body never carries more than v2 would.
"""

from __future__ import annotations

from dataclasses import replace

from opendsop.standard import mandate
from opendsop.standard.endpoints import CONTROL_ENDPOINTS
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ReferenceKind, ServiceProfile
from opendsop.standard.services.konkurs import KONKURS
from opendsop.standard.services.nav import NAV
from opendsop.standard.services.politi import POLITI
from opendsop.standard.services.skatt import SKATT

LEGAL_PAGE = "Juridiske rammebetingelser Kontrollinformasjon (v1)"

SKATT_V1 = replace(
    SKATT,
    step1_mandates=(),
    step2_mandates=(mandate.SKATT_V1.key, mandate.SKATT_KOMPENSASJON_V1.key),
    requester_id_required=False,
    source=LEGAL_PAGE,
)
POLITI_HVITVASKING_V1 = replace(
    POLITI,
    name="Politi, Enheten for finansiell etterretning (v1)",
    step1_mandates=(),
    step2_mandates=(mandate.POLITI_HVITVASKING_V1.key,),
    endpoints=frozenset(CONTROL_ENDPOINTS),
    owner_rule=OwnerRule.EITHER,
    requester_id_required=False,
    reference=None,
    forbidden_endpoint_code="ACC-001",
    source=LEGAL_PAGE,
    notes=("Enheten for finansiell etterretning (EFE) only.",),
)
POLITI_210_V1 = replace(
    POLITI_HVITVASKING_V1,
    name="Politi (v1)",
    step2_mandates=(mandate.POLITI_210_FORSTE_V1.key, mandate.POLITI_210_TREDJE_V1.key),
    reference=ReferenceKind.POLICE_REQUESTER,
    source=f"{LEGAL_PAGE}; Specification of eOppslag (v1), AdditionalReferenceIDType and AdditionalReferenceID",
    notes=(),
)
NAV_V1 = replace(NAV, step1_mandates=(), provisional=False, source=LEGAL_PAGE)
KONKURS_V1 = replace(
    KONKURS,
    step1_mandates=(),
    period_rule=PeriodRule.BEFORE_KJENNELSESDATO,
    source="Juridiske rammebetingelser Konkursbehandling; Anbefaling angående validering av forespørsler",
)

V1_PROFILES: tuple[ServiceProfile, ...] = (SKATT_V1, POLITI_HVITVASKING_V1, POLITI_210_V1, NAV_V1, KONKURS_V1)

__all__ = ["KONKURS_V1", "NAV_V1", "POLITI_210_V1", "POLITI_HVITVASKING_V1", "SKATT_V1", "V1_PROFILES"]
