# SPDX-License-Identifier: Apache-2.0
"""Digital samhandling ved eiendomshandel (DSVE) and company founding: model, messages, rules (sans I/O).

* catalogue — the message types, their files, manifest keys, replies and statuses;
* schema, model — the XML model and its validation; shipment — ZIP + manifest, checked on receipt;
* values, messages — the values the actors use and a builder per message;
* rules — routing, document references, AKELDO, privacy, polling, priority;
* tinglysing — e-tinglysing's documents and decisions; selskap — the share-capital confirmation.
"""
