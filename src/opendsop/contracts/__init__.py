"""What the parties share without importing each other.

A party (a bank, an agency, the hub, a register, a national service) never imports another party's
package: whatever two parties must agree on lives here, below them all — the access-token verifier
and its one cache rule, the token provider and HTTP transport of a calling party, the
extradition-order signature check, the registers' models, clients and scopes, CertPub's client,
the API catalogue's client, and the consent resources.  ``contracts`` imports only ``trust``,
``standard``, ``clock`` and ``serving``; the allowed arrows are listed in ``tests/test_layering.py``.
"""
