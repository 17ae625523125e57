# SPDX-License-Identifier: Apache-2.0
"""Postal codes with their postal place, as Posten Norge's postal code register pairs them.

A synthetic address needs a *real* pair (``0150 OSLO``, ``5003 BERGEN``): a bank's or a register's
address check, and any reader, expects the postal place that belongs to the code, written as the
register writes it (capitals).  Faker's ``no_NO`` cities are surnames with a suffix, so the world
draws from this list instead: a spread of codes over the country, a few per larger town.
"""

from __future__ import annotations

POSTAL_PLACES: tuple[tuple[str, str], ...] = (
    ("0150", "OSLO"), ("0160", "OSLO"), ("0250", "OSLO"), ("0361", "OSLO"), ("0470", "OSLO"),
    ("0560", "OSLO"), ("0661", "OSLO"), ("0768", "OSLO"), ("0870", "OSLO"), ("0975", "OSLO"),
    ("1150", "OSLO"), ("1337", "SANDVIKA"), ("1360", "FORNEBU"), ("1400", "SKI"), ("1430", "ÅS"),
    ("1440", "DRØBAK"), ("1470", "LØRENSKOG"), ("1530", "MOSS"), ("1606", "FREDRIKSTAD"),
    ("1706", "SARPSBORG"), ("1767", "HALDEN"), ("2000", "LILLESTRØM"), ("2050", "JESSHEIM"),
    ("2212", "KONGSVINGER"), ("2317", "HAMAR"), ("2408", "ELVERUM"), ("2609", "LILLEHAMMER"),
    ("2815", "GJØVIK"), ("3015", "DRAMMEN"), ("3111", "TØNSBERG"), ("3210", "SANDEFJORD"),
    ("3256", "LARVIK"), ("3300", "HOKKSUND"), ("3500", "HØNEFOSS"), ("3616", "KONGSBERG"),
    ("3715", "SKIEN"), ("3916", "PORSGRUNN"), ("4006", "STAVANGER"), ("4306", "SANDNES"),
    ("4370", "EGERSUND"), ("4400", "FLEKKEFJORD"), ("4515", "MANDAL"), ("4610", "KRISTIANSAND S"),
    ("4836", "ARENDAL"), ("5003", "BERGEN"), ("5527", "HAUGESUND"), ("5700", "VOSS"), ("6002", "ÅLESUND"),
    ("6100", "VOLDA"), ("6413", "MOLDE"), ("6509", "KRISTIANSUND N"), ("6800", "FØRDE"),
    ("7010", "TRONDHEIM"), ("7300", "ORKANGER"), ("7600", "LEVANGER"), ("7713", "STEINKJER"),
    ("8006", "BODØ"), ("8300", "SVOLVÆR"), ("8400", "SORTLAND"), ("8514", "NARVIK"), ("8656", "MOSJØEN"),
    ("9008", "TROMSØ"), ("9405", "HARSTAD"), ("9510", "ALTA"), ("9600", "HAMMERFEST"), ("9900", "KIRKENES"),
)

__all__ = ["POSTAL_PLACES"]
