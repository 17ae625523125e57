"""A bank's own data into its store: the import bundle (JSON Lines / CSV per entity) and ISO 20022
camt.053 statements (``dsop provider import``; docs/import-bundle.md)."""

from opendsop.provider.imports.problems import ImportRefused, Problem
from opendsop.provider.imports.run import ImportReport, import_files

__all__ = ["ImportRefused", "ImportReport", "Problem", "import_files"]
