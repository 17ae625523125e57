"""Politi-utlevering: criminal and missing-person cases, each request carrying an extradition order
signed by the prosecution (DSOP Politi “Løsningsbeskrivelse”, DSOP Politi “Utleveringspålegg”).

All five endpoints in principle, each gated by the order's flag (a ``false`` flag → 403 ACC-011);
``OnlyPrimaryOwner`` constrained by the order; ``AdditionalReferenceIDType`` = ``pol1``;
``RequesterID`` must carry the investigator; up to 10 years back and inside the order's period.
Only Politi may call ``accountServicingProvider`` in step 1.
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ReferenceKind, ServiceProfile

POLITI = ServiceProfile(
    key="politi",
    name="Politi-utlevering",
    consumer="Politi- og lensmannsetaten",
    consumer_orgs=frozenset({"915429785"}),
    step1_mandates=(mandate.POLITI_STRAFFESAK.key, mandate.POLITI_SAVNET.key),
    step2_mandates=(mandate.POLITI_STRAFFESAK.key, mandate.POLITI_SAVNET.key),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, Endpoint.ACCOUNT_SERVICING_PROVIDER, *CONTROL_ENDPOINTS}),
    owner_rule=OwnerRule.PER_ORDER,
    period_rule=PeriodRule.TEN_YEARS,
    requester_id_required=True,
    reference=ReferenceKind.EXTRADITION_ORDER,
    data_not_delivered_allowed=True,
    flag_other_rights=True,
    forbidden_endpoint_code="ACC-011",
    delivery=delivery_table(CONTROL_ENDPOINTS, overrides={"account.servicer.name": Category.UI}),
)
