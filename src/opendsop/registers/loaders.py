# SPDX-License-Identifier: Apache-2.0
"""Reading loader files for ``dsop registers load``: JSON (an array of objects) or CSV (flat columns).

JSON rows have the wire shape of models.py.  CSV rows are flat and mapped here:

* persons: ``identifikasjonsnummer, fornavn, mellomnavn, etternavn, status, doedsdato,
  adressebeskyttelse, adresselinje, postnummer, poststed``;
* vergemaal: ``id, vergehaver, verge, type, tjenesteoppgaver`` (separated by ``;``)``, omfang,
  embete, gyldigFraOgMed, gyldigTilOgMed``;
* notices: the columns of the published test set (``uuid, registreringstidspunkt, type,
  debitor``) plus optional ``kjennelsesdato, debitorNavn, oppgjoersdato, avslutningskode``;
* organisations: JSON only (units nest roles and rules).

Empty CSV cells are absent values.
"""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

from opendsop.contracts.registers.errors import InvalidInput


class Kind(StrEnum):
    PERSONS = "persons"
    VERGEMAAL = "vergemaal"
    NOTICES = "notices"
    ORGANISATIONS = "organisations"


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {key.strip(): value.strip() for key, value in row.items() if key and value not in (None, "")}


def _person(row: dict[str, Any]) -> dict[str, Any]:
    navn = {k: row.pop(k) for k in ("fornavn", "mellomnavn", "etternavn") if k in row}
    adresse = {k: row.pop(k) for k in ("adresselinje", "postnummer", "poststed") if k in row}
    return {**row, "navn": navn, **({"bostedsadresse": adresse} if adresse else {})}


def _vergemaal(row: dict[str, Any]) -> dict[str, Any]:
    if "verge" in row:
        row["verge"] = {"identifikasjonsnummer": row["verge"]}
    if "tjenesteoppgaver" in row:
        row["tjenesteoppgaver"] = [task.strip() for task in row["tjenesteoppgaver"].split(";") if task.strip()]
    return row


def read_rows(path: Path, kind: Kind) -> list[dict[str, Any]]:
    """The rows of a loader file as mappings for the stores' ``load_*`` methods."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise InvalidInput(f"{path.name} is not valid JSON: {exc}", parameter="file") from None
        if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
            raise InvalidInput(f"{path.name} must hold a JSON array of objects", parameter="file")
        return document
    if path.suffix.lower() != ".csv":
        raise InvalidInput(f"{path.name}: loader files are .json or .csv", parameter="file")
    if kind is Kind.ORGANISATIONS:
        raise InvalidInput("organisations are loaded from JSON only (units nest roles and rules)", parameter="file")
    rows = [_clean(row) for row in csv.DictReader(text.splitlines())]
    if kind is Kind.PERSONS:
        return [_person(row) for row in rows]
    if kind is Kind.VERGEMAAL:
        return [_vergemaal(row) for row in rows]
    return rows


__all__ = ["Kind", "read_rows"]
