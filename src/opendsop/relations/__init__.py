"""The Customer Relations Overview run by Bits (step 1 of every DSOP case) with its registers.

``create_app(settings)`` serves ``customerRelationships`` and ``accountServicingProvider`` over
KAR (account-level relations of NICS banks) and KFR (customer-level ``DSOPBANK`` relations of
institutions outside NICS), the KFR write API, and the API catalogue of the institutions'
Control API base URLs (DSOP “Architecture document”; DSOP “Endpoint customerRelationships V.2.0”; DSOP
Kundeforholdsregister “Om”; DSOP “Endpoint accountServicingProvider V.2.0”).
"""

from opendsop.relations.app import create_app
from opendsop.relations.catalogue import CatalogueStore
from opendsop.relations.kar import KarRow, KarSource, load_kar_relations
from opendsop.relations.kfr import KfrRow, KfrStore, load_kfr_relations
from opendsop.relations.settings import RelationsSettings
from opendsop.relations.sources import MemoryRelationSource, Relation, RelationSource, Role, SourceUnavailable
from opendsop.relations.store import Database

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
