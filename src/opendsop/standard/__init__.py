"""The DSOP rules core: pure functions and values, no I/O (like h11, it turns inputs into decisions).

Two entry points carry the standard's rules:

* ``authorize(request, facts, today) -> Allowed | Denied`` — every inbound rule of the Control API
  and the Customer Relations Overview (legal basis, service, formats, periods, register facts).
* ``filter_response(service, endpoint, payload) -> payload`` — the per-service field delivery.

Around them: the wire models (``standard.control.v2``/``v1``, ``standard.relations``), Norwegian
identifiers, the Legal-Mandate registry, the service profiles, the extradition order's content
checks, the error catalogues and the paging tokens.  Nothing here opens a socket, reads a file or
the clock: "today" is always a parameter.
"""

from opendsop.standard.authorize import authorize
from opendsop.standard.decision import Allowed, Decision, Denied
from opendsop.standard.delivery import DEFAULT_POLICY, Category, DeliveryPolicy
from opendsop.standard.endpoints import CONTROL_ENDPOINTS, Endpoint
from opendsop.standard.errors import DsopError, InvalidIdentifier, InvalidRequest
from opendsop.standard.filtering import filter_response
from opendsop.standard.mandate import Mandate
from opendsop.standard.period import Period
from opendsop.standard.request import ControlRequest, Environment, Facts, Guardianship
from opendsop.standard.services import ServiceProfile, all_profiles, get_profile, resolve

__all__ = [
    "CONTROL_ENDPOINTS",
    "DEFAULT_POLICY",
    "Allowed",
    "Category",
    "ControlRequest",
    "Decision",
    "DeliveryPolicy",
    "Denied",
    "DsopError",
    "Endpoint",
    "Environment",
    "Facts",
    "Guardianship",
    "InvalidIdentifier",
    "InvalidRequest",
    "Mandate",
    "Period",
    "ServiceProfile",
    "all_profiles",
    "authorize",
    "filter_response",
    "get_profile",
    "resolve",
]
