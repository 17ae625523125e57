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

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.consent.app import create_app
    from opendsop.consent.settings import ConsentSettings

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.consent.app",
    "ConsentSettings": "opendsop.consent.settings",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = ["ConsentSettings", "create_app"]
