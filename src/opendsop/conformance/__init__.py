# SPDX-License-Identifier: Apache-2.0
"""``dsop conformance``: proves a bank's Control API against the standard, with checks derived from the
same service profiles the project's own bank enforces (``opendsop.standard.services``).

* ``world`` — the test data (an import bundle) and the register facts the checks need;
* ``trust`` — the kit's token issuer, CertPub certificates and prosecution key;
* ``checks`` — per service every authorize rule, the delivery table, periods, paging, tokens, JWE, …;
* ``runner`` / ``report`` — each check under a timeout, resumable; JSON, JUnit XML, HTML, terminal.

A composition package: it may import the parties (it starts the kit's own on loopback).
"""
