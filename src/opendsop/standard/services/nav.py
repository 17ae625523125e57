"""NAV-kontroll — PROVISIONAL.

The v2 page for NAV is empty ("Tom side", DSOP NAV-kontroll “About”).  This profile
encodes the v1 facts only: mandate ``Folketrygdloven § 21-4 første ledd``, all five endpoints, no
additional reference, every field delivered.  The period (10 years) and the optional
``RequesterID`` are our assumptions, modelled on Skatt, until a v2 løsningsbeskrivelse exists.
"""

from opendsop.standard import mandate
from opendsop.standard.delivery import Category, delivery_table
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.services._profile import OwnerRule, PeriodRule, ServiceProfile

NAV = ServiceProfile(
    key="nav",
    name="NAV-kontroll",
    consumer="NAV",
    consumer_orgs=frozenset({"889640782"}),
    step1_mandates=(mandate.NAV.key,),
    step2_mandates=(mandate.NAV.key,),
    endpoints=frozenset({Endpoint.CUSTOMER_RELATIONSHIPS, *CONTROL_ENDPOINTS}),
    owner_rule=OwnerRule.EITHER,
    period_rule=PeriodRule.TEN_YEARS,
    provisional=True,
    # v1 delivered every field; v2's common model withholds the account's name everywhere.
    delivery=delivery_table(CONTROL_ENDPOINTS, overrides={"account.name": Category.UI}),
)
