"""The Customer Relations Overview run by Bits (step 1 of every DSOP case) with its registers.

``create_app(settings)`` serves ``customerRelationships`` and ``accountServicingProvider`` over
KAR (account-level relations of NICS banks) and KFR (customer-level ``DSOPBANK`` relations of
institutions outside NICS), the KFR write API, and the API catalogue of the institutions'
Control API base URLs (DSOP “Architecture document”; DSOP “Endpoint customerRelationships V.2.0”; DSOP
Kundeforholdsregister “Om”; DSOP “Endpoint accountServicingProvider V.2.0”).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opendsop import lazy

if TYPE_CHECKING:
    from opendsop.relations.app import create_app
    from opendsop.relations.catalogue import CatalogueStore
    from opendsop.relations.kar import KarRow, KarSource, load_kar_relations
    from opendsop.relations.kfr import KfrRow, KfrStore, load_kfr_relations
    from opendsop.relations.settings import RelationsSettings
    from opendsop.relations.sources import MemoryRelationSource, Relation, RelationSource, Role, SourceUnavailable
    from opendsop.relations.store import Database

# imported on first use (PEP 562), so that `dsop <command> --help` need not load the party
_WHERE = {
    "create_app": "opendsop.relations.app",
    "CatalogueStore": "opendsop.relations.catalogue",
    "KarRow": "opendsop.relations.kar",
    "KarSource": "opendsop.relations.kar",
    "load_kar_relations": "opendsop.relations.kar",
    "KfrRow": "opendsop.relations.kfr",
    "KfrStore": "opendsop.relations.kfr",
    "load_kfr_relations": "opendsop.relations.kfr",
    "RelationsSettings": "opendsop.relations.settings",
    "MemoryRelationSource": "opendsop.relations.sources",
    "Relation": "opendsop.relations.sources",
    "RelationSource": "opendsop.relations.sources",
    "Role": "opendsop.relations.sources",
    "SourceUnavailable": "opendsop.relations.sources",
    "Database": "opendsop.relations.store",
}


__getattr__ = lazy.exports(__name__, _WHERE)


__all__ = [
    "CatalogueStore",
    "Database",
    "KarRow",
    "KarSource",
    "KfrRow",
    "KfrStore",
    "MemoryRelationSource",
    "Relation",
    "RelationSource",
    "RelationsSettings",
    "Role",
    "SourceUnavailable",
    "create_app",
    "load_kar_relations",
    "load_kfr_relations",
]
