"""opendsop.consent: an Altinn-style consent broker (DSOP SBL “Samtykkeløsningen”; DSOP “Altinn 3.0”).

* ``create_app(settings)`` — the ASGI app: the Altinn 3 ``consentrequests`` API, the person's pages
  (login, approval, "my consents"), the internal lookup for the token service, the Altinn 2 façade;
* ``ConsentSettings`` — its configuration (env prefix ``DSOP_CONSENT_``);
* ``resources.RESOURCES`` — the consent resources, caps and texts (also read by the data sources);
* ``registry`` — the supplier delegations (``handledBy``) and redirect URLs each organisation registered;
* ``notify`` — a withdrawn consent posted at once to the data sources that own its resources;
* ``cli.app`` — ``dsop consent serve | list | show | delegation … | redirect …``.
"""

from __future__ import annotations

from opendsop.consent.app import create_app
from opendsop.consent.settings import ConsentSettings

__all__ = ["ConsentSettings", "create_app"]
