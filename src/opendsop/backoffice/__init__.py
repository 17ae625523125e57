# SPDX-License-Identifier: Apache-2.0
"""A bank's back office at the national services: the guarantees it gives as guarantor (Statens vegvesen's
løyveregister, ``dsop guarantee``) and the digital letters it answers (``dsop bank letters``).

The commands talk to the other parties over HTTP only, as the bank's own systems would, with the bank's
Maskinporten-like identity (``settings``).
"""
