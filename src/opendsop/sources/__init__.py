"""Consent-based data sources (DSOP SBL “Om tjenesten”; DSOP Saldo på studielån “Om”; DSOP SSU pages; DSOP FI Krav og
betalinger pages): Skatteetaten SBL, Lånekassen saldo,
NAV SSU and Skatteetaten Krav og betalinger, each an ASGI (Litestar) app over synthetic data.

* ``consent_check`` — parse and check the Altinn 3 consent inside the access token; the
  ``ConsentStatus`` port for revocation;
* ``gateway`` — the shared policy enforcement point: token, scope, consent, audit log, error codes;
* ``skatteetaten``, ``lanekassen``, ``nav``, ``krav`` — one app each (``create_app(world, ...)``);
* ``data`` — the synthetic world, deterministic from a seed;
* ``service`` — an app assembled from ``settings.SourcesSettings``; ``cli`` — ``dsop sources``.
"""
